//! The store as a receiver uses it: one async interface, [`Backend`], kept by SQLite (the default: one file,
//! nothing to set up) or by PostgreSQL (several receivers on several machines sharing one database).

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use sealform_core::bundle::{ContentId, ReceiptId};
use sealform_core::Sha256Digest;
use time::OffsetDateTime;

use sealform_core::protocol::draft::DraftId;

use crate::{
    Acknowledged, AuditEvent, DraftChange, InboxListing, Inserted, KeptDraft, NewDraft,
    ServedConfig, StoreError, StoredSubmission, Uncollected,
};

/// A bundle to store, owned, as the receiver's group commit hands it over: its bytes are the request body's own.
#[derive(Clone, Debug)]
pub struct Submission {
    /// Its receipt id; must be `ReceiptId::of(&bundle)`.
    pub receipt: ReceiptId,
    /// Its sealing's identity, from the check that accepted it (`sealform_core::bundle::inspect`).
    pub content: ContentId,
    /// The bundle's exact bytes.
    pub bundle: Bytes,
    /// When it was received.
    pub received_at: OffsetDateTime,
}

/// What every store does, whichever engine keeps it. Both backends give the same answers to the same calls (the
/// crate's `tests/suite.rs` runs one suite against each); what differs is said on [`Location`](crate::Location)'s
/// variants.
///
/// Every write is durable when its call returns: SQLite commits with `synchronous=FULL`, PostgreSQL with
/// `synchronous_commit = on`.
#[async_trait]
pub trait Backend: Send + Sync + fmt::Debug {
    /// Where the store is, for messages: a file path, or a PostgreSQL URL without a password.
    fn describe(&self) -> String;

    /// Stores a batch in one transaction with one commit (group commit), all or nothing. The results are in the
    /// order given: [`Inserted::AlreadyStored`] for bytes already there (or given twice in the batch),
    /// [`Inserted::SameContent`] for a sealing already kept under another receipt.
    async fn insert_all(&self, batch: Vec<Submission>) -> Result<Vec<Inserted>, StoreError>;

    /// Whether a write could happen now: what a health check asks.
    async fn check_writable(&self) -> Result<(), StoreError>;

    /// Keeps a config about to be served (once) and returns its SHA-256.
    async fn record_config(
        &self,
        bytes: Vec<u8>,
        at: OffsetDateTime,
    ) -> Result<Sha256Digest, StoreError>;

    /// Every config served, oldest first.
    async fn served_configs(&self) -> Result<Vec<ServedConfig>, StoreError>;

    /// The config with this SHA-256, if it was served.
    async fn served_config(&self, sha256: Sha256Digest) -> Result<Option<Vec<u8>>, StoreError>;

    /// How many bundles are stored.
    async fn count(&self) -> Result<u64, StoreError>;

    /// Every receipt id, in arrival order.
    async fn receipts(&self) -> Result<Vec<ReceiptId>, StoreError>;

    /// The bundle stored under `receipt`, if any.
    async fn get(&self, receipt: ReceiptId) -> Result<Option<StoredSubmission>, StoreError>;

    /// Up to `limit` bundles that arrived after the cursor `after` (0 for the first page), only the uncollected
    /// ones when `uncollected_only`.
    async fn inbox(
        &self,
        after: u64,
        limit: u32,
        uncollected_only: bool,
    ) -> Result<InboxListing, StoreError>;

    /// Marks `receipts` collected at `at` by `actor`, with its audit entry, in one transaction.
    async fn acknowledge(
        &self,
        receipts: Vec<ReceiptId>,
        at: OffsetDateTime,
        actor: String,
    ) -> Result<Acknowledged, StoreError>;

    /// Deletes every bundle collected at or before `collected_before`, with its audit entry; returns their
    /// receipts.
    async fn delete_collected(
        &self,
        collected_before: OffsetDateTime,
        at: OffsetDateTime,
        actor: String,
    ) -> Result<Vec<ReceiptId>, StoreError>;

    /// How many bundles wait to be collected, and since when.
    async fn uncollected(&self) -> Result<Uncollected, StoreError>;

    /// Appends `events` to the audit trail, in order, in one transaction.
    async fn audit(&self, events: Vec<AuditEvent>) -> Result<(), StoreError>;

    /// The whole audit trail as JSON Lines, oldest first.
    async fn audit_lines(&self) -> Result<String, StoreError>;

    /// Keeps a new saved draft (`crate::drafts`).
    async fn create_draft(&self, draft: NewDraft) -> Result<(), StoreError>;

    /// The draft with this id, unless it has expired by `now`.
    async fn draft(
        &self,
        id: DraftId,
        now: OffsetDateTime,
    ) -> Result<Option<KeptDraft>, StoreError>;

    /// Keeps `draft` in place of the one with its id, if that one is there and has the same secret.
    async fn replace_draft(&self, draft: NewDraft) -> Result<DraftChange, StoreError>;

    /// Deletes the draft with this id if `secret` is the SHA-256 of its secret.
    async fn delete_draft(
        &self,
        id: DraftId,
        secret: Sha256Digest,
        now: OffsetDateTime,
    ) -> Result<DraftChange, StoreError>;

    /// Removes every draft expired by `now`; returns how many.
    async fn purge_drafts(&self, now: OffsetDateTime) -> Result<u64, StoreError>;
}

/// Refuses a batch in which a receipt is not its bundle's SHA-256: a bug in the caller, refused so the store's
/// promise (every receipt is its bundle's hash) holds.
pub(crate) fn check_receipts(batch: &[Submission]) -> Result<(), StoreError> {
    match batch
        .iter()
        .find(|new| ReceiptId::of(&new.bundle) != new.receipt)
    {
        Some(bad) => Err(StoreError::ReceiptMismatch {
            receipt: bad.receipt,
        }),
        None => Ok(()),
    }
}
