//! The drafts API (`sealform_core::protocol::draft`): "Save and continue later". A draft is sealed in the browser
//! to a key the receiver never sees; the receiver checks only that a body is shaped like a sealed draft, keeps it
//! under an id it draws, for the configured days, and lets whoever holds its secret replace or delete it. Drafts
//! are never submissions: not in the inbox, the pickup API, the notices or the audit trail. Nothing of a draft or
//! its secret is ever logged.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::BodyExt as _;
use rand_core::{OsRng, RngCore as _};
use sealform_core::draft::SealedDraft;
use sealform_core::protocol::draft::{
    DraftId, DraftSaved, DraftSecret, DraftUpload, StoredDraft, ID_BYTES, SECRET_HEADER,
};
use sealform_store::{DraftChange, NewDraft, StoreError};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::AppState;

/// Room in a body for the JSON around the sealed draft (`{"draft":"…"}`).
const BODY_OVERHEAD: usize = 64;

/// `POST /api/drafts`: keeps a new draft; 201 with its id and expiry.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let days = enabled(&state)?;
    let secret = secret(&headers)?;
    let sealed = read(&state, body).await?;
    let mut random = [0; ID_BYTES];
    OsRng.fill_bytes(&mut random);
    let new = new_draft(&state, DraftId::from_random(random), &secret, sealed);
    let answer = saved(&new);
    state
        .store
        .create_draft(new)
        .await
        .map_err(|error| store_failed(&error))?;
    tracing::info!(days, "draft saved");
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GET /api/drafts/{id}`: the sealed draft, or 404 once it was deleted or has expired.
pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let days = enabled(&state)?;
    let id = parse_id(&id, days)?;
    let kept = state
        .store
        .draft(id, OffsetDateTime::now_utc())
        .await
        .map_err(|error| store_failed(&error))?
        .ok_or_else(|| gone(days))?;
    // Stored only after `SealedDraft::parse` accepted it as text: it is UTF-8.
    let draft = String::from_utf8(kept.draft).map_err(|_| gone(days))?;
    Ok(Json(StoredDraft {
        draft,
        expires_at: sealform_store::rfc3339(kept.expires_at),
    })
    .into_response())
}

/// `PUT /api/drafts/{id}`: keeps a new version of the draft, with its secret; its expiry starts again.
pub(crate) async fn replace(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let days = enabled(&state)?;
    let id = parse_id(&id, days)?;
    let secret = secret(&headers)?;
    let sealed = read(&state, body).await?;
    let new = new_draft(&state, id, &secret, sealed);
    let answer = saved(&new);
    let change = state
        .store
        .replace_draft(new)
        .await
        .map_err(|error| store_failed(&error))?;
    changed(change, days)?;
    tracing::info!(days, "draft saved again");
    Ok(Json(answer).into_response())
}

/// `DELETE /api/drafts/{id}`: deletes the draft, with its secret; 204.
pub(crate) async fn delete(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let days = enabled(&state)?;
    let id = parse_id(&id, days)?;
    let secret = secret(&headers)?;
    let change = state
        .store
        .delete_draft(id, secret.hash(), OffsetDateTime::now_utc())
        .await
        .map_err(|error| store_failed(&error))?;
    changed(change, days)?;
    tracing::info!("draft deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The days drafts are kept, or 404 when this receiver keeps none.
fn enabled(state: &AppState) -> Result<u32, ApiError> {
    match state.config.draft_days {
        0 => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "this receiver does not keep drafts: download your draft instead",
        )),
        days => Ok(days),
    }
}

/// An id that is not a draft id names no draft: the same 404 as one that is gone.
fn parse_id(id: &str, days: u32) -> Result<DraftId, ApiError> {
    id.parse().map_err(|_| gone(days))
}

fn gone(days: u32) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "This saved form is no longer kept: it was sent, deleted, or its {days} days are over."
        ),
    )
}

/// The draft secret from its header: 400 when it is missing or not a secret.
fn secret(headers: &HeaderMap) -> Result<DraftSecret, ApiError> {
    let value = headers
        .get(SECRET_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("a draft needs its secret in the {SECRET_HEADER} header"),
            )
        })?;
    DraftSecret::parse(value)
        .map_err(|error| ApiError::new(StatusCode::BAD_REQUEST, error.to_string()))
}

/// Reads the body, at most the configured size, and checks it is a [`DraftUpload`] whose draft is shaped like a
/// sealed draft (nothing is decrypted: the receiver has no key). Returns the sealed draft's text.
async fn read(state: &AppState, body: Body) -> Result<String, ApiError> {
    let max = state.config.draft_max_bytes;
    let limited = http_body_util::Limited::new(body, max.saturating_add(BODY_OVERHEAD));
    let collected = tokio::time::timeout(state.config.body_timeout, limited.collect())
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "the draft took too long to arrive: check the connection and save again",
            )
        })?;
    let bytes: Bytes = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => return Err(too_large(max)),
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "the draft could not be read: the connection broke off",
            ))
        }
    };
    // Never repeat the body in a refusal: a broken form could have sent answers unsealed.
    let not_a_draft = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "the body is not a sealed draft: send {\"draft\": the draft's compact JWE}",
        )
    };
    let upload: DraftUpload = serde_json::from_slice(&bytes).map_err(|_| not_a_draft())?;
    if upload.draft.len() > max {
        return Err(too_large(max));
    }
    SealedDraft::parse(&upload.draft).map_err(|_| not_a_draft())?;
    Ok(upload.draft)
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the draft is larger than this receiver keeps ({max} bytes)"),
    )
}

fn new_draft(state: &AppState, id: DraftId, secret: &DraftSecret, sealed: String) -> NewDraft {
    let now = OffsetDateTime::now_utc();
    NewDraft {
        id,
        secret: secret.hash(),
        draft: sealed.into_bytes(),
        saved_at: now,
        expires_at: now + time::Duration::days(i64::from(state.config.draft_days)),
    }
}

fn saved(new: &NewDraft) -> DraftSaved {
    DraftSaved {
        id: new.id,
        expires_at: sealform_store::rfc3339(new.expires_at),
    }
}

/// What a replacement or deletion found, as the answer's status.
fn changed(change: DraftChange, days: u32) -> Result<(), ApiError> {
    match change {
        DraftChange::Done => Ok(()),
        DraftChange::NotFound => Err(gone(days)),
        DraftChange::WrongSecret => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the draft secret does not match this draft: nothing was changed",
        )),
    }
}

fn store_failed(error: &StoreError) -> ApiError {
    tracing::error!("a draft could not be read or written: {error}");
    if error.is_transient() {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the draft could not be saved or read just now: please try again shortly",
        )
        .retry_after(5)
    } else {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the draft could not be saved or read: the receiver's store failed",
        )
    }
}

/// Purges expired drafts (the retention loop calls this).
pub(crate) async fn purge(state: &AppState) {
    if state.config.draft_days == 0 {
        return;
    }
    match state.store.purge_drafts(OffsetDateTime::now_utc()).await {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "purged expired drafts"),
        Err(error) => tracing::error!("could not purge expired drafts: {error}"),
    }
}
