//! Saved drafts ("Save and continue later"): a client's unfinished answers, sealed in the browser to a key the
//! receiver never sees, kept here under a random id until they expire or the client's form is sent. Apart from
//! submissions in every way: never in the inbox, the pickup API or the audit trail.
//!
//! A draft can be replaced or deleted only with its secret, of which the store keeps the SHA-256. The hashes are
//! compared by the database (`WHERE id = ? AND secret_sha256 = ?`): what a timing difference could reveal is how
//! much of a SHA-256 of a 256-bit random secret someone guessed, which does not help them find the secret. An
//! expired draft reads as absent at once, and [`Store::purge_drafts`] removes it (overwritten: `secure_delete`).

use rusqlite::{params, OptionalExtension as _};
use sealform_core::protocol::draft::DraftId;
use sealform_core::Sha256Digest;
use time::OffsetDateTime;

use crate::{rfc3339, Store, StoreError};

/// A draft to keep, or to keep in place of the one with its id.
#[derive(Clone)]
pub struct NewDraft {
    /// Its id, drawn by the receiver.
    pub id: DraftId,
    /// The SHA-256 of its secret.
    pub secret: Sha256Digest,
    /// The sealed draft's bytes, as uploaded.
    pub draft: Vec<u8>,
    /// When it was saved.
    pub saved_at: OffsetDateTime,
    /// When it expires: from then on it reads as absent, and the next purge removes it.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for NewDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDraft")
            .field("id", &self.id)
            .field("draft_len", &self.draft.len())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A kept draft, as read back.
#[derive(Clone, PartialEq, Eq)]
pub struct KeptDraft {
    /// The sealed draft's bytes.
    pub draft: Vec<u8>,
    /// When it expires.
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for KeptDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptDraft")
            .field("draft_len", &self.draft.len())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// What a replacement or a deletion found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftChange {
    /// Done.
    Done,
    /// No draft with that id (never kept, deleted, or expired).
    NotFound,
    /// The draft is there, and the secret is not its secret: nothing was changed.
    WrongSecret,
}

/// Seconds since 1970, as the SQLite layout keeps a draft's expiry (an integer compares as time does).
fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

impl Store {
    /// Keeps a new draft.
    pub fn create_draft(&mut self, new: &NewDraft) -> Result<(), StoreError> {
        let result = self.connection.execute(
            "INSERT INTO drafts (id, secret_sha256, saved_at, expires_at, draft) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                new.id.to_string(),
                new.secret.as_bytes().as_slice(),
                rfc3339(new.saved_at),
                unix(new.expires_at),
                new.draft
            ],
        );
        self.sqlite(result).map(drop)
    }

    /// The draft with this id, unless it has expired by `now`.
    pub fn draft(
        &self,
        id: &DraftId,
        now: OffsetDateTime,
    ) -> Result<Option<KeptDraft>, StoreError> {
        let row = self
            .connection
            .query_row(
                "SELECT draft, expires_at FROM drafts WHERE id = ?1 AND expires_at > ?2",
                params![id.to_string(), unix(now)],
                |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, i64>(1)?)),
            )
            .optional();
        Ok(self.sqlite(row)?.map(|(draft, expires_at)| KeptDraft {
            draft,
            expires_at: OffsetDateTime::from_unix_timestamp(expires_at)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        }))
    }

    /// Keeps `new` in place of the draft with its id, if that draft is there (not expired by `new.saved_at`) and
    /// `new.secret` is its secret; its expiry starts again.
    pub fn replace_draft(&mut self, new: &NewDraft) -> Result<DraftChange, StoreError> {
        let path = self.path.clone();
        let failed = |e| StoreError::from_sqlite(&path, e);
        let transaction = self.immediate()?;
        let changed = transaction
            .execute(
                "UPDATE drafts SET draft = ?1, saved_at = ?2, expires_at = ?3 \
                 WHERE id = ?4 AND secret_sha256 = ?5 AND expires_at > ?6",
                params![
                    new.draft,
                    rfc3339(new.saved_at),
                    unix(new.expires_at),
                    new.id.to_string(),
                    new.secret.as_bytes().as_slice(),
                    unix(new.saved_at)
                ],
            )
            .map_err(failed)?;
        let outcome = if changed == 1 {
            DraftChange::Done
        } else {
            absent_or_wrong(&transaction, &new.id, new.saved_at).map_err(failed)?
        };
        transaction.commit().map_err(failed)?;
        Ok(outcome)
    }

    /// Deletes the draft with this id if `secret` is its secret. Its bytes are overwritten (`secure_delete`).
    pub fn delete_draft(
        &mut self,
        id: &DraftId,
        secret: &Sha256Digest,
        now: OffsetDateTime,
    ) -> Result<DraftChange, StoreError> {
        let path = self.path.clone();
        let failed = |e| StoreError::from_sqlite(&path, e);
        let transaction = self.immediate()?;
        let deleted = transaction
            .execute(
                "DELETE FROM drafts WHERE id = ?1 AND secret_sha256 = ?2 AND expires_at > ?3",
                params![id.to_string(), secret.as_bytes().as_slice(), unix(now)],
            )
            .map_err(failed)?;
        let outcome = if deleted == 1 {
            DraftChange::Done
        } else {
            absent_or_wrong(&transaction, id, now).map_err(failed)?
        };
        transaction.commit().map_err(failed)?;
        Ok(outcome)
    }

    /// Removes every draft expired by `now`, overwriting its bytes; returns how many.
    pub fn purge_drafts(&mut self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let result = self
            .connection
            .execute("DELETE FROM drafts WHERE expires_at <= ?1", [unix(now)]);
        let purged = self.sqlite(result)?;
        Ok(purged as u64)
    }

    /// How many drafts are kept, expired or not (for tests and monitoring).
    pub fn draft_count(&self) -> Result<u64, StoreError> {
        let count = self
            .connection
            .query_row("SELECT count(*) FROM drafts", [], |row| {
                row.get::<_, i64>(0)
            });
        Ok(u64::try_from(self.sqlite(count)?).unwrap_or_default())
    }
}

/// After a change that touched no row: whether the draft is there (so the secret was wrong) or not.
fn absent_or_wrong(
    transaction: &rusqlite::Transaction<'_>,
    id: &DraftId,
    now: OffsetDateTime,
) -> rusqlite::Result<DraftChange> {
    let there = transaction
        .query_row(
            "SELECT 1 FROM drafts WHERE id = ?1 AND expires_at > ?2",
            params![id.to_string(), unix(now)],
            |_| Ok(()),
        )
        .optional()?;
    Ok(match there {
        Some(()) => DraftChange::WrongSecret,
        None => DraftChange::NotFound,
    })
}
