//! The fictional firm's web page, on its own origin: the two-line embed snippet, its own `host.js` that shows the
//! receipt the form announces and records any Content-Security-Policy violation, and a configurable CSP.

use std::net::SocketAddr;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The firm's page script: no inline script anywhere, so the page can run under a strict CSP.
const HOST_JS: &str = r#"
"use strict";
window.sealformSubmitted = [];
window.cspViolations = [];
document.addEventListener("sealform:submitted", function (event) {
  window.sealformSubmitted.push(event.detail.receipt);
  var out = document.getElementById("host-receipt");
  out.setAttribute("data-receipt", event.detail.receipt);
  out.textContent = "Thank you. Your reference: " + event.detail.receipt.slice(0, 16) + "…";
});
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"#;

const HOST_CSS: &str =
    "body{font-family:Arial,sans-serif;margin:0 auto;max-width:960px;padding:16px;color:#0b0c0c}\
header{border-bottom:8px solid #1d4f6e;margin-bottom:16px}h1{font-size:28px}\
.sealform-frame{border:0;display:block;width:100%}";

/// A running host page server, stopped when dropped.
#[derive(Debug)]
pub struct HostPage {
    /// Where it listens (put a [`crate::e2e::proxy::Proxy`] in front to record what it receives).
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

/// How the firm's page embeds the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Embed {
    /// The default: the form in an isolated iframe of its own origin.
    Isolated,
    /// `data-mode="inline"`: the form mounted into the firm's page itself.
    Inline,
}

/// The page's CSP: scripts only from itself and the form's origin, nothing inline. Isolated, the form only in a
/// frame; inline, what docs/EMBEDDING.md tells the firm to add: the form's origin in `connect-src` and
/// `'wasm-unsafe-eval'`.
pub fn strict_csp(form_origin: &str, embed: Embed) -> String {
    let (scripts, frames, connect) = match embed {
        Embed::Isolated => (
            String::new(),
            format!("frame-src {form_origin}; "),
            String::new(),
        ),
        Embed::Inline => (
            " 'wasm-unsafe-eval'".to_owned(),
            String::new(),
            format!(" {form_origin}"),
        ),
    };
    format!(
        "default-src 'none'; script-src 'self' {form_origin}{scripts}; {frames}style-src 'self'; \
         img-src 'self'; connect-src 'self'{connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

impl HostPage {
    /// Serves the page that embeds the form from `form_origin`, pinned to `pin` (comma-separated key ids; no
    /// `data-pin` at all when empty), with the snippet's `data-config` when `config` is given (written into the
    /// attribute as it is) and its `data-lang` when `language` is.
    pub async fn start(
        form_origin: &str,
        pin: &str,
        embed: Embed,
        csp: Option<String>,
        config: Option<&str>,
        language: Option<&str>,
    ) -> Self {
        let mut config = config
            .map(|config| format!(" data-config=\"{config}\""))
            .unwrap_or_default();
        if let Some(language) = language {
            config.push_str(&format!(" data-lang=\"{language}\""));
        }
        let pin = if pin.is_empty() {
            String::new()
        } else {
            format!(" data-pin=\"{pin}\"")
        };
        // The snippet of docs/EMBEDDING.md for each mode.
        let snippet = match embed {
            Embed::Isolated => format!(
                "<script src=\"{form_origin}/embed.js\" data-sealform{pin}{config}></script>"
            ),
            Embed::Inline => format!(
                "<div id=\"intake\"></div>\n<script src=\"{form_origin}/embed.js\" data-sealform \
                 data-target=\"#intake\" data-mode=\"inline\"{pin}{config}></script>"
            ),
        };
        let page = format!(
            "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>Harbour &amp; Vale Solicitors — Contact us</title>\n\
             <link rel=\"stylesheet\" href=\"/host.css\">\n<script src=\"/host.js\"></script>\n</head>\n<body>\n\
             <header><h1>Harbour &amp; Vale Solicitors</h1><p>Tell us about your matter. The form below is \
             encrypted in your browser before it is sent.</p></header>\n\
             <p id=\"host-receipt\" role=\"status\"></p>\n\
             {snippet}\n\
             </body>\n</html>\n"
        );
        let router = Router::new()
            .route(
                "/",
                get(move || {
                    let page = page.clone();
                    let csp = csp.clone();
                    async move {
                        let mut response =
                            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page)
                                .into_response();
                        if let Some(csp) = csp {
                            response.headers_mut().insert(
                                header::CONTENT_SECURITY_POLICY,
                                csp.parse().expect("CSP header value"),
                            );
                        }
                        response
                    }
                }),
            )
            .route(
                "/host.js",
                get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], HOST_JS) }),
            )
            // A real firm's site has an icon; without one the browser's request for it is a 404 in the console.
            .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
            .route(
                "/host.css",
                get(|| async { ([(header::CONTENT_TYPE, "text/css")], HOST_CSS) }),
            );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind host page");
        let addr = listener.local_addr().expect("host address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self { addr, task }
    }
}

impl Drop for HostPage {
    fn drop(&mut self) {
        self.task.abort();
    }
}
