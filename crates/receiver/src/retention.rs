//! Retention: bundles the firm has acknowledged are deleted once the keep period has passed (so a stolen
//! `collect` token cannot destroy what the firm has not opened yet), and bundles nobody has collected are never
//! deleted — only counted, in `/healthz` and once an hour in the log, so monitoring can alert. Expired drafts are
//! purged on the same schedule.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sealform_store::{StoreError, Uncollected};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::AppState;

/// How often due deletions are looked for.
const DELETE_EVERY: Duration = Duration::from_secs(10 * 60);
/// How often the uncollected count is logged.
const REPORT_EVERY: Duration = Duration::from_secs(60 * 60);
/// How the audit trail names the receiver's own deletions.
pub(crate) const RETENTION_ACTOR: &str = "receiver:retention";

/// Starts the deletion and reporting loop; it stops when the server does.
pub(crate) fn spawn(state: Weak<AppState>) {
    tokio::spawn(async move {
        let mut delete = tokio::time::interval(DELETE_EVERY);
        let mut report = tokio::time::interval(REPORT_EVERY);
        loop {
            tokio::select! {
                _ = delete.tick() => {
                    let Some(state) = state.upgrade() else { break };
                    delete_due(&state).await;
                    crate::drafts::purge(&state).await;
                }
                _ = report.tick() => {
                    let Some(state) = state.upgrade() else { break };
                    report_uncollected(&state).await;
                }
            }
        }
    });
}

/// Deletes the bundles whose keep period after pickup has passed.
pub(crate) async fn delete_due(state: &AppState) {
    let before = OffsetDateTime::now_utc() - state.config.keep_after_pickup;
    match state
        .writer
        .delete_collected(before, RETENTION_ACTOR.to_owned())
        .await
    {
        Ok(deleted) if deleted.is_empty() => {}
        Ok(deleted) => tracing::info!(
            count = deleted.len(),
            "deleted bundles collected more than {} ago",
            describe(state.config.keep_after_pickup)
        ),
        Err(error) => tracing::error!("could not delete collected bundles: {error}"),
    }
}

/// How many bundles wait to be collected, and since when.
pub(crate) async fn uncollected(state: &Arc<AppState>) -> Result<Uncollected, StoreError> {
    state.store.uncollected().await
}

/// The age of the oldest uncollected bundle, in whole seconds.
pub(crate) fn age_seconds(oldest: Option<&str>) -> Option<i64> {
    let oldest = OffsetDateTime::parse(oldest?, &Rfc3339).ok()?;
    Some((OffsetDateTime::now_utc() - oldest).whole_seconds().max(0))
}

async fn report_uncollected(state: &Arc<AppState>) {
    match uncollected(state).await {
        Ok(waiting) if waiting.count == 0 => tracing::info!("no bundles wait to be collected"),
        Ok(waiting) => tracing::info!(
            uncollected = waiting.count,
            oldest_received_at = waiting.oldest_received_at.as_deref().unwrap_or_default(),
            oldest_age_seconds =
                age_seconds(waiting.oldest_received_at.as_deref()).unwrap_or_default(),
            "bundles wait to be collected: run sealform pull"
        ),
        Err(error) => tracing::error!("could not count uncollected bundles: {error}"),
    }
}

fn describe(keep: Duration) -> String {
    match keep.as_secs() {
        0 => "0 seconds".to_owned(),
        secs if secs % 86_400 == 0 => format!("{} days", secs / 86_400),
        secs => format!("{secs} seconds"),
    }
}
