//! The security headers every response carries, built once at start-up from the allowed origins.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::config::Origin;

/// The one script meant to be loaded from other sites (the firm's pages): it puts the form in an iframe.
pub const EMBED_SCRIPT_PATH: &str = "/embed.js";

const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");
const CROSS_ORIGIN_RESOURCE_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-resource-policy");
const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// Powerful browser features the form never uses, all denied, so a script injected into it could not use them.
const PERMISSIONS: &str = "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), \
     gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), \
     serial=(), usb=(), xr-spatial-tracking=()";

/// The Content-Security-Policy of every response. Only this server's own scripts, styles and WebAssembly run
/// (`'wasm-unsafe-eval'` lets the page compile its `.wasm`, nothing more), the page talks only to this server,
/// and only this server and `allowed` origins may put the form in a frame.
pub fn content_security_policy(allowed: &[Origin]) -> String {
    let mut ancestors = String::from("'self'");
    for origin in allowed {
        ancestors.push(' ');
        ancestors.push_str(origin.as_str());
    }
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
}

/// The header values, computed once.
#[derive(Debug)]
pub(crate) struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    pub(crate) fn new(allowed: &[Origin]) -> Self {
        let csp = HeaderValue::from_str(&content_security_policy(allowed))
            // Origins are checked to be visible ASCII, so this cannot fail; the strictest policy if it ever does.
            .unwrap_or_else(|_| {
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
            });
        Self { csp }
    }
}

/// Adds the security headers to a response, by what was asked for.
pub(crate) async fn add(
    State(headers): State<std::sync::Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let out = response.headers_mut();
    out.insert(CONTENT_SECURITY_POLICY, headers.csp.clone());
    out.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    out.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(
        CROSS_ORIGIN_OPENER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    out.insert(PERMISSIONS_POLICY, HeaderValue::from_static(PERMISSIONS));
    if let Some(policy) = resource_policy(&path) {
        out.insert(
            CROSS_ORIGIN_RESOURCE_POLICY,
            HeaderValue::from_static(policy),
        );
    }
    if is_api(&path) {
        out.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if path == "/config.json" {
        // The form must see a changed config (new key) at once; revalidating is cheap.
        out.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// Who may load this path as a subresource: `embed.js` from anywhere (the firm's pages load it with
/// `<script src>`), pages not at all (framing is governed by `frame-ancestors`), everything else only this site.
fn resource_policy(path: &str) -> Option<&'static str> {
    if path == EMBED_SCRIPT_PATH {
        Some("cross-origin")
    } else if path.ends_with('/') || path.ends_with(".html") {
        None
    } else {
        Some("same-origin")
    }
}

/// The paths whose answers must never be cached: the API and the health check.
pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_lists_the_allowed_origins() {
        let origins: Vec<Origin> = ["https://a.example", "http://127.0.0.1:8081"]
            .iter()
            .map(|o| o.parse().unwrap())
            .collect();
        let csp = content_security_policy(&origins);
        assert!(
            csp.starts_with("default-src 'none'; script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(
            csp.ends_with("frame-ancestors 'self' https://a.example http://127.0.0.1:8081"),
            "{csp}"
        );
        assert!(content_security_policy(&[]).ends_with("frame-ancestors 'self'"));
    }

    #[test]
    fn only_the_embed_script_is_for_other_sites() {
        assert_eq!(resource_policy("/embed.js"), Some("cross-origin"));
        assert_eq!(resource_policy("/"), None);
        assert_eq!(resource_policy("/form-1a2b.wasm"), Some("same-origin"));
        assert_eq!(resource_policy("/api/submissions"), Some("same-origin"));
    }
}
