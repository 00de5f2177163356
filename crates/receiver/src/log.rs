//! The access log: one line per request with its method, path, status, latency and, for a stored submission, the
//! receipt id. Never a body, a query string or a header: they may carry a client's data.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::submit::LoggedReceipt;

/// Logs one line when the response is ready.
pub(crate) async fn access(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    match response.extensions().get::<LoggedReceipt>() {
        Some(LoggedReceipt(receipt)) => tracing::info!(
            target: "sealform::access",
            %method, path, status, latency_ms, receipt = %receipt, "request"
        ),
        None => {
            tracing::info!(target: "sealform::access", %method, path, status, latency_ms, "request")
        }
    }
    response
}
