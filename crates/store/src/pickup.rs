//! Pickup: the firm's offline machine lists what arrived (in arrival order, by cursor), downloads it, and
//! acknowledges what it holds safely; collected bundles are deleted after a keep period, with `secure_delete` on
//! and the write-ahead log truncated so their bytes do not linger in the files. Each step writes its audit entry
//! in the same transaction.

use rusqlite::params;
use sealform_core::audit::action;
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::InboxItem;
use time::OffsetDateTime;

use crate::audit::{append, AuditEvent};
use crate::{parse_receipt, rfc3339, Store, StoreError};

/// A page of the inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxListing {
    /// The bundles, in arrival order.
    pub items: Vec<InboxItem>,
    /// Whether more follow the last one.
    pub more: bool,
}

/// What an acknowledgement did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acknowledged {
    /// Marked collected now, or already collected (or deleted after pickup) before.
    pub acknowledged: Vec<ReceiptId>,
    /// Never stored here.
    pub unknown: Vec<ReceiptId>,
}

impl Acknowledged {
    /// Sorts `receipts`, in order, by whether the store knows them (`known`: stored, or deleted after pickup).
    /// Both backends acknowledge through this and [`Acknowledged::audit_event`], so they answer alike.
    pub(crate) fn sort<E>(
        receipts: &[ReceiptId],
        mut known: impl FnMut(&ReceiptId) -> Result<bool, E>,
    ) -> Result<Self, E> {
        let mut outcome = Self::default();
        for receipt in receipts {
            if known(receipt)? {
                outcome.acknowledged.push(*receipt);
            } else {
                outcome.unknown.push(*receipt);
            }
        }
        Ok(outcome)
    }

    /// The audit trail's record of these acknowledgements by `actor`, or `None` when nothing was acknowledged.
    pub(crate) fn audit_event(&self, actor: String, at: OffsetDateTime) -> Option<AuditEvent> {
        (!self.acknowledged.is_empty()).then(|| AuditEvent {
            action: action::ACKNOWLEDGE,
            actor,
            receipts: self.acknowledged.clone(),
            at,
        })
    }
}

/// The bundles no pickup has acknowledged yet: what monitoring watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncollected {
    /// How many.
    pub count: u64,
    /// When the oldest arrived, RFC 3339 UTC.
    pub oldest_received_at: Option<String>,
}

impl Store {
    /// Up to `limit` bundles that arrived after `after` (a cursor from an earlier page; 0 for the first), only the
    /// uncollected ones when `uncollected_only`.
    pub fn inbox(
        &self,
        after: u64,
        limit: u32,
        uncollected_only: bool,
    ) -> Result<InboxListing, StoreError> {
        let sql = if uncollected_only {
            "SELECT seq, receipt, size, received_at, collected_at FROM submissions \
             WHERE seq > ?1 AND collected_at IS NULL ORDER BY seq LIMIT ?2"
        } else {
            "SELECT seq, receipt, size, received_at, collected_at FROM submissions \
             WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        };
        let mut statement = self.sqlite(self.connection.prepare_cached(sql))?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self.sqlite(statement.query_map(
            params![after, i64::from(limit) + 1],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            },
        ))?;
        let mut items = Vec::new();
        for row in rows {
            let (seq, receipt, size, received_at, collected_at) = self.sqlite(row)?;
            items.push(InboxItem {
                receipt: parse_receipt(&self.path, &receipt)?,
                size: u64::try_from(size).unwrap_or_default(),
                received_at,
                cursor: seq.to_string(),
                collected_at,
            });
        }
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Ok(InboxListing { items, more })
    }

    /// Marks `receipts` collected at `at` and records it in the audit trail as done by `actor`, in one
    /// transaction. A receipt already collected keeps its first time; one deleted after pickup counts as
    /// acknowledged; one never stored is returned as unknown.
    pub fn acknowledge(
        &mut self,
        receipts: &[ReceiptId],
        at: OffsetDateTime,
        actor: &str,
    ) -> Result<Acknowledged, StoreError> {
        let path = self.path.clone();
        let failed = |e| StoreError::from_sqlite(&path, e);
        let transaction = self.immediate()?;
        let outcome = {
            let mut mark = transaction
                .prepare_cached(
                    "UPDATE submissions SET collected_at = coalesce(collected_at, ?2) WHERE receipt = ?1",
                )
                .map_err(failed)?;
            let mut deleted = transaction
                .prepare_cached("SELECT count(*) FROM deleted WHERE receipt = ?1")
                .map_err(failed)?;
            let when = rfc3339(at);
            Acknowledged::sort(receipts, |receipt| {
                let full = receipt.full();
                Ok(mark.execute(params![full, when]).map_err(failed)? == 1
                    || deleted
                        .query_row([&full], |row| row.get::<_, i64>(0))
                        .map_err(failed)?
                        > 0)
            })?
        };
        if let Some(event) = outcome.audit_event(actor.to_owned(), at) {
            append(&transaction, &[event]).map_err(failed)?;
        }
        transaction.commit().map_err(failed)?;
        Ok(outcome)
    }

    /// Deletes every bundle collected at or before `collected_before`, records the deletion in the audit trail as
    /// done by `actor`, and returns the receipts deleted. The bundles' bytes are overwritten (`secure_delete`), and
    /// the write-ahead log, which may still hold them, is emptied.
    pub fn delete_collected(
        &mut self,
        collected_before: OffsetDateTime,
        at: OffsetDateTime,
        actor: &str,
    ) -> Result<Vec<ReceiptId>, StoreError> {
        let path = self.path.clone();
        let failed = |e| StoreError::from_sqlite(&path, e);
        let transaction = self.immediate()?;
        let cutoff = rfc3339(collected_before);
        let receipts: Vec<String> = {
            let mut statement = transaction
                .prepare_cached(
                    "SELECT receipt FROM submissions WHERE collected_at IS NOT NULL AND collected_at <= ?1 \
                     ORDER BY seq",
                )
                .map_err(failed)?;
            let rows = statement
                .query_map([&cutoff], |row| row.get(0))
                .map_err(failed)?;
            rows.collect::<Result<_, _>>().map_err(failed)?
        };
        if receipts.is_empty() {
            return Ok(Vec::new());
        }
        transaction
            .execute(
                "INSERT OR IGNORE INTO deleted (receipt, received_at, collected_at, deleted_at, content) \
                 SELECT receipt, received_at, collected_at, ?2, content FROM submissions \
                 WHERE collected_at IS NOT NULL AND collected_at <= ?1",
                params![cutoff, rfc3339(at)],
            )
            .map_err(failed)?;
        transaction
            .execute(
                "DELETE FROM submissions WHERE collected_at IS NOT NULL AND collected_at <= ?1",
                [&cutoff],
            )
            .map_err(failed)?;
        let receipts = receipts
            .iter()
            .map(|text| parse_receipt(&path, text))
            .collect::<Result<Vec<_>, _>>()?;
        let event = AuditEvent {
            action: action::DELETE,
            actor: actor.to_owned(),
            receipts: receipts.clone(),
            at,
        };
        append(&transaction, &[event]).map_err(failed)?;
        transaction.commit().map_err(failed)?;
        self.empty_wal();
        Ok(receipts)
    }

    /// How many bundles wait to be collected, and since when.
    pub fn uncollected(&self) -> Result<Uncollected, StoreError> {
        self.sqlite(self.connection.query_row(
            "SELECT count(*), min(received_at) FROM submissions WHERE collected_at IS NULL",
            [],
            |row| {
                Ok(Uncollected {
                    count: u64::try_from(row.get::<_, i64>(0)?).unwrap_or_default(),
                    oldest_received_at: row.get(1)?,
                })
            },
        ))
    }

    /// Copies every page of the write-ahead log into the store file and truncates the log to nothing, so bytes a
    /// deletion overwrote in the store are not left in old log frames. Readers may hold the log open; then the
    /// pages are copied as far as they allow and the log is truncated at a later deletion.
    fn empty_wal(&mut self) {
        let result = self
            .connection
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                row.get::<_, i64>(0)
            });
        match result {
            Ok(0) => {}
            Ok(_) => warn_wal_kept(&self.path, "readers kept it open"),
            Err(e) => warn_wal_kept(&self.path, &e.to_string()),
        }
    }
}

/// A checkpoint that could not finish is done by the next deletion: worth a warning, not a failure.
fn warn_wal_kept(path: &std::path::Path, why: &str) {
    tracing::warn!(
        "the store {} could not empty its write-ahead log after deleting collected bundles ({why}); it will try \
         again at the next deletion",
        path.display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::content_of;
    use sealform_core::audit::verify;
    use std::path::PathBuf;
    use time::Duration;

    fn filled(n: usize) -> (tempfile::TempDir, PathBuf, Store, Vec<(ReceiptId, Vec<u8>)>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealform.db");
        let mut store = Store::open(&path).unwrap();
        let bundles: Vec<(ReceiptId, Vec<u8>)> = (0..n)
            .map(|i| {
                let bytes = format!("{{\"bundle\":{i},\"pad\":\"{}\"}}", "CANARY".repeat(2000))
                    .into_bytes();
                (ReceiptId::of(&bytes), bytes)
            })
            .collect();
        for (receipt, bytes) in &bundles {
            store
                .insert(
                    receipt,
                    &content_of(bytes),
                    bytes,
                    OffsetDateTime::now_utc(),
                )
                .unwrap();
        }
        (dir, path, store, bundles)
    }

    #[test]
    fn the_inbox_pages_in_arrival_order() {
        let (_dir, _path, store, bundles) = filled(5);
        let first = store.inbox(0, 2, false).unwrap();
        assert!(first.more);
        assert_eq!(first.items[0].receipt, bundles[0].0);
        assert_eq!(first.items[0].size, bundles[0].1.len() as u64);
        let after: u64 = first.items[1].cursor.parse().unwrap();
        let rest = store.inbox(after, 10, false).unwrap();
        assert!(!rest.more);
        let receipts: Vec<_> = rest.items.iter().map(|i| i.receipt).collect();
        assert_eq!(receipts, [bundles[2].0, bundles[3].0, bundles[4].0]);
    }

    #[test]
    fn acknowledged_bundles_leave_the_uncollected_inbox_and_are_deleted_after_the_keep_period() {
        let (_dir, path, mut store, bundles) = filled(3);
        let now = OffsetDateTime::now_utc();
        let stranger = ReceiptId::of(b"never stored");
        let outcome = store
            .acknowledge(&[bundles[0].0, stranger], now, "token:1a2b3c4d")
            .unwrap();
        assert_eq!(outcome.acknowledged, [bundles[0].0]);
        assert_eq!(outcome.unknown, [stranger]);
        let waiting = store.inbox(0, 10, true).unwrap();
        assert_eq!(waiting.items.len(), 2);
        assert_eq!(store.uncollected().unwrap().count, 2);
        let listed = store.inbox(0, 10, false).unwrap();
        assert!(listed.items[0].collected_at.is_some());

        // Not yet past the keep period: nothing deleted.
        assert!(store
            .delete_collected(now - Duration::days(7), now, "retention")
            .unwrap()
            .is_empty());
        let deleted = store.delete_collected(now, now, "retention").unwrap();
        assert_eq!(deleted, [bundles[0].0]);
        assert!(store.get(&bundles[0].0).unwrap().is_none());
        // Acknowledging again is still fine, and a resent copy is not stored again.
        let again = store
            .acknowledge(&[bundles[0].0], now, "token:1a2b3c4d")
            .unwrap();
        assert_eq!(again.acknowledged, [bundles[0].0]);
        assert_eq!(
            store
                .insert(
                    &bundles[0].0,
                    &content_of(&bundles[0].1),
                    &bundles[0].1,
                    now
                )
                .unwrap(),
            crate::Inserted::AlreadyStored
        );
        // Nor is the same sealing written out as other bytes: its sender hears the first receipt.
        let respelt = [b" ".as_slice(), &bundles[0].1].concat();
        assert_eq!(
            store
                .insert(
                    &ReceiptId::of(&respelt),
                    &content_of(&bundles[0].1),
                    &respelt,
                    now
                )
                .unwrap(),
            crate::Inserted::SameContent {
                first: bundles[0].0
            }
        );
        assert_eq!(store.count().unwrap(), 2);
        let trail = store.audit_lines().unwrap();
        assert_eq!(verify(&trail).unwrap().seq, 3);
        assert!(trail.contains("\"action\":\"delete\""));
        drop(store);
        // Ciphertext, not just the row: the deleted bundle's bytes are in neither file.
        let marker = "{\"bundle\":0,";
        for file in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                    "{} still holds the deleted bundle",
                    file.display()
                );
            }
        }
    }
}
