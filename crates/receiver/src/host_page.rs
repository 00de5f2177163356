//! For `sealform demo` only: serves a fictional firm's web page from a folder, on a second origin, so the demo
//! shows the form embedded in another site exactly as a firm would embed it.

use std::future::Future;
use std::path::{Path, PathBuf};

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

/// The text in the host page's `index.html` replaced by the receiver's origin, e.g. in
/// `<script src="__SEALFORM_ORIGIN__/embed.js" data-sealform></script>`.
pub const ORIGIN_PLACEHOLDER: &str = "__SEALFORM_ORIGIN__";

/// The text in the host page's `index.html` replaced by the key ids the form may seal to, comma separated, as in
/// `data-pin="__SEALFORM_PINS__"`: the demo embeds the form pinned, as every firm should.
pub const PINS_PLACEHOLDER: &str = "__SEALFORM_PINS__";

/// Why the host page could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostPageError {
    /// The folder has no readable `index.html`.
    #[error("could not read {path}: {source}; give --host-dir the folder holding the demo firm's index.html")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The page, with `sealform_origin` (e.g. `http://127.0.0.1:8080`) put in place of [`ORIGIN_PLACEHOLDER`] and
/// `pins` (key ids, comma separated) in place of [`PINS_PLACEHOLDER`].
pub fn render(dir: &Path, sealform_origin: &str, pins: &str) -> Result<String, HostPageError> {
    let path = dir.join("index.html");
    let text = std::fs::read_to_string(&path).map_err(|source| HostPageError::Unreadable {
        path: path.clone(),
        source,
    })?;
    Ok(text
        .replace(ORIGIN_PLACEHOLDER, sealform_origin)
        .replace(PINS_PLACEHOLDER, pins))
}

/// Serves `dir` on `listener`, its `index.html` rendered by [`render`], until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    dir: &Path,
    sealform_origin: &str,
    pins: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), std::io::Error> {
    let page = render(dir, sealform_origin, pins).map_err(std::io::Error::other)?;
    let index = move || {
        let page = page.clone();
        async move { Html(page) }
    };
    let router = Router::new()
        .route("/", get(index.clone()))
        .route("/index.html", get(index))
        .fallback_service(ServeDir::new(dir));
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
