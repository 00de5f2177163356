//! The security headers every response carries, built once at start-up from the allowed origins.

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
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
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
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
    out.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(cache_policy(&path, found)),
    );
    if !is_api(&path) {
        // The build's files are sent brotli, gzip or plain by what the client accepts (ServeDir's precompressed
        // files): a shared cache must key on it. Appended: CORS may have put its own `Vary` already.
        out.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// How long a response may be kept. The API never; a content-hashed build file (Trunk's `filehash`) for a year,
/// without revalidation, since a new build gives it a new name; everything else (the page, the config, embed.js,
/// which name the hashed files and must change at once when a key or a build does) revalidated on every use,
/// which is one small request answered `304 Not Modified`.
fn cache_policy(path: &str, found: bool) -> &'static str {
    if is_api(path) {
        "no-store"
    } else if found && is_content_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// Whether the file's name carries a hash of its content, as Trunk's `filehash` and the post-build hooks write
/// them: `-` and 8 to 16 lowercase hex digits (Trunk prints a 64-bit hash without leading zeros) before the
/// extension or `_bg` (`sealform-form-1f2e…_bg.wasm`, `main-1f2e….css`, `loader-1f2e….js`).
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(dash, _)| {
        let rest = &name[dash + 1..];
        let digits = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        (8..=16).contains(&digits) && matches!(rest.as_bytes().get(digits), Some(b'.' | b'_'))
    })
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
    fn only_content_hashed_files_are_immutable() {
        let year = "public, max-age=31536000, immutable";
        for path in [
            "/sealform-form-1f2e3d4c5b6a7988_bg.wasm",
            "/sealform-form-1f2e3d4c5b6a798.js",
            "/main-0123abcd.css",
            "/loader-89abcdef01234567.js",
        ] {
            assert_eq!(cache_policy(path, true), year, "{path}");
            assert_eq!(
                cache_policy(path, false),
                "no-cache",
                "{path}: a 404 is not kept"
            );
        }
        for path in [
            "/",
            "/index.html",
            "/embed.js",
            "/config.json",
            "/loader.js",
            "/sealform-form_bg.wasm",
            "/main-0123abc.css",
            "/main-0123abcd0123abcd0.css",
            "/main-0123ABCD.css",
            "/main-0123abcd",
        ] {
            assert_eq!(cache_policy(path, true), "no-cache", "{path}");
        }
        assert_eq!(cache_policy("/api/submissions", true), "no-store");
        assert_eq!(cache_policy("/healthz", true), "no-store");
    }

    #[test]
    fn only_the_embed_script_is_for_other_sites() {
        assert_eq!(resource_policy("/embed.js"), Some("cross-origin"));
        assert_eq!(resource_policy("/"), None);
        assert_eq!(resource_policy("/form-1a2b.wasm"), Some("same-origin"));
        assert_eq!(resource_policy("/api/submissions"), Some("same-origin"));
    }
}
