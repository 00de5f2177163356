//! The receiver's audit trail in the store: [`sealform_core::audit`] entries, one row each, appended in the same
//! transaction as what they record; triggers refuse to change or remove a row, and the hash chain shows it if
//! someone does so behind SQLite's back.

use rusqlite::{params, OptionalExtension as _, Transaction};
use sealform_core::audit::{Chain, Entry, Head};
use sealform_core::bundle::ReceiptId;
use time::OffsetDateTime;

use crate::{rfc3339, Store, StoreError};

/// One thing to record: what, by whom, to which receipts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// One of [`sealform_core::audit::action`]'s names.
    pub action: &'static str,
    /// Who: `token:<hash prefix>` or `ip:<address>`.
    pub actor: String,
    /// The receipts concerned.
    pub receipts: Vec<ReceiptId>,
    /// When.
    pub at: OffsetDateTime,
}

impl Store {
    /// Appends `events` to the audit trail, in order, in one transaction (one commit for all).
    pub fn audit(&mut self, events: &[AuditEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let failed = |e| StoreError::from_sqlite(&path, e);
        let transaction = self.immediate()?;
        append(&transaction, events).map_err(failed)?;
        transaction.commit().map_err(failed)
    }

    /// The whole audit trail as JSON Lines, oldest first: what `GET /api/audit` sends and `sealform audit verify`
    /// checks.
    pub fn audit_lines(&self) -> Result<String, StoreError> {
        let mut statement = self.sqlite(
            self.connection
                .prepare_cached("SELECT line FROM audit ORDER BY seq"),
        )?;
        let rows = self.sqlite(statement.query_map([], |row| row.get::<_, String>(0)))?;
        let mut text = String::new();
        for row in rows {
            text.push_str(&self.sqlite(row)?);
            text.push('\n');
        }
        Ok(text)
    }
}

/// Appends `events` inside an open transaction, chained to the trail's last entry.
pub(crate) fn append(transaction: &Transaction<'_>, events: &[AuditEvent]) -> rusqlite::Result<()> {
    let last: Option<String> = transaction
        .query_row(
            "SELECT line FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?;
    let mut statement =
        transaction.prepare_cached("INSERT INTO audit (seq, line) VALUES (?1, ?2)")?;
    for (seq, line) in chained(last.as_deref(), events) {
        statement.execute(params![seq, line])?;
    }
    Ok(())
}

/// The rows that append `events` to a trail whose last line is `last`: each entry's number and line. Both
/// backends write what this returns.
pub(crate) fn chained(last: Option<&str>, events: &[AuditEvent]) -> Vec<(i64, String)> {
    // A last line that does not read (edited behind the engine's back) is chained to as it is, by its number and
    // the hash it claims: verification names the edited entry; the trail goes on recording.
    let head = last
        .and_then(|line| serde_json::from_str::<Entry>(line).ok())
        .map_or_else(Head::empty, |entry| entry.head());
    let mut chain = Chain::resume(head);
    events
        .iter()
        .map(|event| {
            let entry = chain.append(
                &rfc3339(event.at),
                event.action,
                &event.actor,
                &[],
                &event.receipts,
            );
            (
                i64::try_from(entry.seq).unwrap_or(i64::MAX),
                entry.to_line(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::audit::{action, verify};

    #[test]
    fn the_trail_chains_and_cannot_be_changed_through_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealform.db");
        let mut store = Store::open(&path).unwrap();
        let event = |action| AuditEvent {
            action,
            actor: "token:1a2b3c4d".into(),
            receipts: vec![ReceiptId::of(b"x")],
            at: OffsetDateTime::now_utc(),
        };
        store.audit(&[event(action::DOWNLOAD)]).unwrap();
        store
            .audit(&[event(action::DOWNLOAD), event(action::ACKNOWLEDGE)])
            .unwrap();
        let lines = store.audit_lines().unwrap();
        assert_eq!(verify(&lines).unwrap().seq, 3);
        for sql in ["UPDATE audit SET line = 'x'", "DELETE FROM audit"] {
            let error = store.connection.execute(sql, []).unwrap_err();
            assert!(error.to_string().contains("append-only"), "{error}");
        }
    }
}
