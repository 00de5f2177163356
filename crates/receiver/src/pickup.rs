//! The pickup API (`/api/inbox…`, `/api/audit`, `/api/configs…`): how the firm's offline machine collects what
//! arrived. Ciphertext and public configs only; every download, acknowledgement and deletion is in the audit
//! trail. Routes and bodies are core's `protocol::pickup`; `docs/RECEIVER.md` describes them.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use sealform_core::audit::action;
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::{
    AckRequest, AckResponse, ConfigInfo, ConfigList, InboxPage, InboxQuery, InboxState,
    DEFAULT_PAGE, MAX_PAGE,
};
pub(crate) use sealform_core::protocol::pickup::{ACK_PATH, AUDIT_PATH, CONFIGS_PATH, INBOX_PATH};
use sealform_core::protocol::BUNDLE_MEDIA_TYPE;
use sealform_core::Sha256Digest;
use sealform_store::{AuditEvent, StoreError};
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::writer::WriteError;
use crate::AppState;

/// How long a client is told to wait when the store cannot answer.
const RETRY_AFTER: u64 = 5;

/// `GET /api/inbox?after=&limit=&state=`: a page of stored bundles, oldest first.
pub(crate) async fn inbox(
    State(state): State<Arc<AppState>>,
    query: Result<Query<InboxQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<InboxPage>, ApiError> {
    let Query(query) = query.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "the query may hold after (a cursor), limit (1 to 1000) and state (all or uncollected)",
        )
    })?;
    let after = match query.after.as_deref() {
        None | Some("") => 0,
        Some(cursor) => cursor.parse::<u64>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "after must be the cursor of an item an earlier page listed",
            )
        })?,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("limit must be 1 to {MAX_PAGE}"),
        ));
    }
    let uncollected = query.state == Some(InboxState::Uncollected);
    let listing = state
        .store
        .inbox(after, limit, uncollected)
        .await
        .map_err(read_failed)?;
    Ok(Json(InboxPage {
        items: listing.items,
        more: listing.more,
    }))
}

/// `GET /api/inbox/{receipt}`: the bundle's exact bytes. The download is in the audit trail before the bytes
/// are sent.
pub(crate) async fn download(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(receipt): Path<String>,
) -> Result<Response, ApiError> {
    let receipt: ReceiptId = receipt.parse().map_err(|_| not_stored())?;
    let stored = state
        .store
        .get(receipt)
        .await
        .map_err(read_failed)?
        .ok_or_else(not_stored)?;
    state
        .writer
        .audit(AuditEvent {
            action: action::DOWNLOAD,
            actor: caller.actor(),
            receipts: vec![receipt],
            at: OffsetDateTime::now_utc(),
        })
        .await
        .map_err(write_failed)?;
    Ok((
        [(CONTENT_TYPE, BUNDLE_MEDIA_TYPE)],
        Body::from(stored.bundle),
    )
        .into_response())
}

/// `POST /api/inbox/ack`: marks bundles collected (a `collect` token only). With a keep period of zero they are
/// deleted at once.
pub(crate) async fn acknowledge(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<AckRequest>, JsonRejection>,
) -> Result<Json<AckResponse>, ApiError> {
    if !caller.scope.may_acknowledge() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this pickup token is read-only: it may list and download, not acknowledge",
        ));
    }
    let Json(request) = body.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "send {\"receipts\": [...]} with the receipt ids (64 hex digits) of bundles you hold safely",
        )
    })?;
    if request.receipts.is_empty() || request.receipts.len() > MAX_PAGE as usize {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("acknowledge 1 to {MAX_PAGE} receipts at a time"),
        ));
    }
    let outcome = state
        .writer
        .acknowledge(request.receipts, caller.actor())
        .await
        .map_err(write_failed)?;
    if state.config.keep_after_pickup.is_zero() && !outcome.acknowledged.is_empty() {
        crate::retention::delete_due(&state).await;
    }
    Ok(Json(AckResponse {
        acknowledged: outcome.acknowledged,
        unknown: outcome.unknown,
    }))
}

/// `GET /api/audit`: the receiver's audit trail, as JSON Lines.
pub(crate) async fn audit(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let lines = state.store.audit_lines().await.map_err(read_failed)?;
    Ok(([(CONTENT_TYPE, "application/x-ndjson")], lines).into_response())
}

/// `GET /api/configs`: every form config this receiver has served (public).
pub(crate) async fn configs(
    State(state): State<Arc<AppState>>,
) -> Result<Json<ConfigList>, ApiError> {
    let served = state.store.served_configs().await.map_err(read_failed)?;
    Ok(Json(ConfigList {
        configs: served
            .into_iter()
            .map(|config| ConfigInfo {
                sha256: config.sha256,
                first_served_at: config.first_served_at,
            })
            .collect(),
    }))
}

/// `GET /api/configs/{sha256}`: one served config's exact bytes (public).
pub(crate) async fn config(
    State(state): State<Arc<AppState>>,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no config with that SHA-256 was served here",
        )
    };
    let sha256: Sha256Digest = sha256.parse().map_err(|_| missing())?;
    let bytes = state
        .store
        .served_config(sha256)
        .await
        .map_err(read_failed)?
        .ok_or_else(missing)?;
    Ok(([(CONTENT_TYPE, "application/json")], bytes).into_response())
}

fn not_stored() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no bundle with that receipt is stored here (it may have been deleted after pickup)",
    )
}

fn read_failed(error: StoreError) -> ApiError {
    tracing::error!("pickup: could not read the store: {error}");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the store could not be read just now: try again shortly",
    )
    .retry_after(RETRY_AFTER)
}

fn write_failed(error: WriteError) -> ApiError {
    tracing::error!("pickup: could not write the store: {error}");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the store could not be written just now; nothing was changed: try again shortly",
    )
    .retry_after(RETRY_AFTER)
}
