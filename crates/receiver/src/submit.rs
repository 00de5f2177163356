//! `POST /api/submissions`: checks that the body is a bundle sealed for exactly this firm's keys, stores it, and
//! answers 201 with its receipt only once the store's commit has returned.
//!
//! The checks go from cheap to dear — proof of work, content type, declared length, reading the body under a
//! time and size limit, then the strict bundle parser — so a refusal costs the server as little as possible.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::BodyExt as _;
use sealform_core::bundle::{self, ContentId, Inspection, OpenError, ReceiptId};
use sealform_core::key::Recipient;
use sealform_core::protocol::{pow, Receipt, BUNDLE_MEDIA_TYPE};
use sealform_store::Inserted;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::budget::Budget;
use crate::error::ApiError;
use crate::writer::WriteError;
use crate::AppState;

/// How long a client is told to wait after a 503.
const RETRY_AFTER_UNAVAILABLE: u64 = 5;

/// The receipt of a response, for the access log (never the body).
#[derive(Clone, Debug)]
pub(crate) struct LoggedReceipt(pub(crate) ReceiptId);

/// The handler.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if let Some(pow) = &state.pow {
        pow.verify(headers.get(pow::HEADER).map(|v| v.as_bytes()))
            .map_err(|e| ApiError::new(StatusCode::FORBIDDEN, e.to_string()))?;
    }
    check_content_type(&headers)?;
    let max = state.config.max_body;
    let declared = declared_length(&headers);
    if declared.is_some_and(|len| len > max) {
        return Err(too_large(max));
    }
    let bytes = read_body(
        body,
        declared,
        &state.budget,
        max,
        state.config.body_timeout,
    )
    .await?;
    let checker = Arc::clone(&state);
    let checked = bytes.clone();
    // Parsing a large bundle (base64 of megabytes, and its SHA-256) is CPU work: off the async threads, and one per
    // core at a time, since each holds the decoded attachments (3/4 of the body) while it runs.
    let check = state
        .checks
        .acquire()
        .await
        .map_err(|_| ApiError::unavailable(RETRY_AFTER_UNAVAILABLE))?;
    let (receipt, content) = tokio::task::spawn_blocking(move || checker.check_bundle(&checked))
        .await
        .map_err(|_| ApiError::unavailable(RETRY_AFTER_UNAVAILABLE))??;
    drop(check);
    let received_at = OffsetDateTime::now_utc();
    let size = bytes.len();
    let inserted = state
        .writer
        .insert(receipt, content, bytes, received_at)
        .await
        .map_err(|e| refuse_store(&receipt, &e))?;
    tracing::debug!(receipt = %receipt, new = inserted == Inserted::New, "stored");
    // Only a new row, and only now that its commit has returned: a resent bundle is no news.
    if let (Some(notifier), Inserted::New) = (&state.notifier, inserted) {
        notifier.received(&receipt, received_at, size);
    }
    // The same sealing sent again as other bytes (re-encoded on the way, or on purpose) is one submission: its
    // sender gets the receipt it was first stored under, so one sealing never has two receipts.
    let receipt = match inserted {
        Inserted::SameContent { first } => {
            tracing::info!(receipt = %receipt, first = %first, "the same sealing as an earlier bundle, as other bytes: answered with the first receipt");
            first
        }
        Inserted::New | Inserted::AlreadyStored => receipt,
    };
    let answer = Receipt {
        receipt: receipt.full(),
        short: receipt.short(),
        received_at: received_at.format(&Rfc3339).unwrap_or_default(),
    };
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    response.extensions_mut().insert(LoggedReceipt(receipt));
    Ok(response)
}

impl AppState {
    /// The strict bundle checks: well-formed, sealed for exactly the firm's keys in a way they can open, within the
    /// form's limits.
    fn check_bundle(&self, bytes: &[u8]) -> Result<(ReceiptId, ContentId), ApiError> {
        let inspection = bundle::inspect(bytes).map_err(|e| refuse_bundle(bytes, &e))?;
        let mut kids = inspection.recipients.clone();
        kids.sort();
        if kids != self.kids {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not sealed for this firm's keys: the bundle must be sealed for every key in the form config's \
                 recipients, and no others (reload the form to get the current config)",
            ));
        }
        check_openable(&self.config.form.schema().recipients, &inspection)?;
        self.check_limits(&inspection)?;
        Ok((inspection.receipt, inspection.content))
    }

    fn check_limits(&self, inspection: &Inspection) -> Result<(), ApiError> {
        let limits = &self.config.form.schema().limits;
        let total: u64 = inspection.attachment_lens.iter().map(|&n| n as u64).sum();
        let files = inspection.attachment_lens.len();
        if files > limits.max_files as usize || total > limits.max_total_attachment_bytes {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "the bundle carries {files} attachments of {total} bytes in all; this form allows at most {} \
                     of {} bytes",
                    limits.max_files, limits.max_total_attachment_bytes
                ),
            ));
        }
        Ok(())
    }
}

/// Refuses what core reads but no sealform form writes, and what the firm could then never open: a wrapped key
/// not as long as its recipient's modulus (RSA-OAEP output always is), or a protected header other than the 17
/// bytes the form writes. Stored, such a bundle would only fail later, at the firm, with the client long gone.
fn check_openable(recipients: &[Recipient], inspection: &Inspection) -> Result<(), ApiError> {
    if !inspection.canonical_headers {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a sealed part's protected header is not the one the sealform form writes ({\"enc\":\"A256GCM\"}): \
             seal the submission with the form and send it again",
        ));
    }
    let unopenable = inspection.wrapped_key_lens.iter().any(|(kid, len)| {
        recipients
            .iter()
            .any(|recipient| recipient.kid() == kid && recipient.modulus_len() != *len)
    });
    if unopenable {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a wrapped key is not as long as the firm's key it is wrapped for, so the firm could never open the \
             bundle: reload the form to get the current config and send it again",
        ));
    }
    Ok(())
}

/// The bundle's media type, or `application/json`, since a bundle is JSON and some clients cannot set their own
/// type; anything else (notably `text/plain` and form encodings, which a browser may send cross-origin without
/// asking first) is refused with 415.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let essence = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match essence.as_deref() {
        Some(BUNDLE_MEDIA_TYPE | "application/json") => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the bundle with Content-Type: {BUNDLE_MEDIA_TYPE}"),
        )),
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// Reads the whole body into one buffer, counted against the in-flight body budget: a declared length before any
/// byte is read, a chunked body's bytes as they arrive. Refuses a body larger than `max` bytes (413), one the budget
/// has no room for (503), or one slower than `timeout` (408).
async fn read_body(
    body: Body,
    declared: Option<u64>,
    budget: &Arc<Budget>,
    max: u64,
    timeout: std::time::Duration,
) -> Result<Bytes, ApiError> {
    let mut reserved = budget.reserve(declared.unwrap_or(0)).ok_or_else(busy)?;
    // One buffer of the declared size, filled as frames arrive: never the frames and a joined copy at once.
    let mut buffer =
        Vec::with_capacity(declared.map_or(0, |len| usize::try_from(len).unwrap_or(0)));
    let read = async {
        let mut body = body;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "the body could not be read: the connection broke off",
                )
            })?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let len = (buffer.len() + data.len()) as u64;
            if len > max {
                return Err(too_large(max));
            }
            if !reserved.cover(len) {
                return Err(busy());
            }
            buffer.extend_from_slice(&data);
        }
        Ok(())
    };
    tokio::time::timeout(timeout, read).await.map_err(|_| {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "the body took too long to arrive: check the connection and send it again",
        )
    })??;
    Ok(reserved.hold(buffer))
}

/// 503 when the bodies already being received fill the in-flight budget.
fn busy() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the receiver is busy receiving other submissions; nothing was kept: please send it again shortly",
    )
    .retry_after(RETRY_AFTER_UNAVAILABLE)
}

fn too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the bundle is larger than this receiver accepts ({max} bytes)"),
    )
}

/// Says why a body is not a bundle, without repeating any of it: core's messages can quote member names, and a
/// refused body may be a client's unencrypted answers.
fn refuse_bundle(bytes: &[u8], error: &OpenError) -> ApiError {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body is not JSON: send the sealed bundle the sealform form produced",
        );
    }
    let message = match error {
        OpenError::UnsupportedVersion { .. } => format!(
            "unsupported bundle format version: this receiver reads version {}",
            bundle::BUNDLE_VERSION
        ),
        _ => "not a sealed sealform bundle: the body is JSON but not a bundle of sealed parts (was the form's \
              sealing step skipped?)"
            .to_owned(),
    };
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
}

/// 503 for every store failure: nothing was stored, and the client may send the same bundle again.
fn refuse_store(receipt: &ReceiptId, error: &WriteError) -> ApiError {
    tracing::error!(receipt = %receipt, "not stored: {error}");
    ApiError::unavailable(RETRY_AFTER_UNAVAILABLE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn content_types() {
        for good in [
            BUNDLE_MEDIA_TYPE,
            "application/json",
            "Application/JSON; charset=utf-8",
        ] {
            assert!(check_content_type(&with_type(good)).is_ok(), "{good}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "",
        ] {
            assert!(check_content_type(&with_type(bad)).is_err(), "{bad}");
        }
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }
}
