//! The SQLite half of [`Backend`]: the synchronous [`Store`] run on tokio's blocking threads — one writing
//! connection (SQLite has one writer at a time) and a pool of read-only ones, which WAL lets read while it writes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use sealform_core::bundle::ReceiptId;
use sealform_core::Sha256Digest;
use time::OffsetDateTime;

use crate::backend::{Backend, Submission};
use crate::{
    Acknowledged, AuditEvent, DraftChange, InboxListing, Inserted, KeptDraft, NewDraft,
    NewSubmission, ServedConfig, Store, StoreError, StoredSubmission, Uncollected,
};
use sealform_core::protocol::draft::DraftId;

/// The most idle read connections kept; more may be open at once under load, and are closed after use.
const KEEP_IDLE: usize = 8;

/// A SQLite store behind the async [`Backend`] interface.
#[derive(Debug)]
pub struct SqliteBackend {
    path: Arc<PathBuf>,
    /// The one writing connection; `None` when opened read-only.
    writer: Option<Arc<Mutex<Store>>>,
    /// Idle read-only connections, kept for reuse.
    idle: Arc<Mutex<Vec<Store>>>,
}

impl SqliteBackend {
    /// Opens (or creates) the store file for writing: [`Store::open`], off the async threads, since it may wait
    /// out another process's write lock.
    pub async fn open(path: PathBuf) -> Result<Self, StoreError> {
        let opened = path.clone();
        let store = blocking(move || Store::open(&opened)).await?;
        Ok(Self {
            path: Arc::new(path),
            writer: Some(Arc::new(Mutex::new(store))),
            idle: Arc::default(),
        })
    }

    /// Opens an existing store file for reading only ([`Store::open_read_only`]).
    pub async fn open_read_only(path: PathBuf) -> Result<Self, StoreError> {
        let opened = path.clone();
        let store = blocking(move || Store::open_read_only(&opened)).await?;
        Ok(Self {
            path: Arc::new(path),
            writer: None,
            idle: Arc::new(Mutex::new(vec![store])),
        })
    }

    /// Runs `write` with the writing connection, on a blocking thread.
    async fn write<T: Send + 'static>(
        &self,
        write: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let writer = self.writer.clone().ok_or_else(|| StoreError::ReadOnly {
            path: self.path.to_path_buf(),
        })?;
        blocking(move || write(&mut writer.lock().unwrap_or_else(PoisonError::into_inner))).await
    }

    /// Runs `read` with a read-only connection from the pool, on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let path = Arc::clone(&self.path);
        let idle = Arc::clone(&self.idle);
        blocking(move || {
            let taken = idle.lock().ok().and_then(|mut idle| idle.pop());
            let store = match taken {
                Some(store) => store,
                None => Store::open_read_only(&path)?,
            };
            let result = read(&store);
            if let Ok(mut idle) = idle.lock() {
                if idle.len() < KEEP_IDLE {
                    idle.push(store);
                }
            }
            result
        })
        .await
    }
}

/// Runs `work` on tokio's blocking threads. A panic in it is a bug, and goes on as a panic here.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => Err(StoreError::Interrupted),
        },
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    async fn insert_all(&self, batch: Vec<Submission>) -> Result<Vec<Inserted>, StoreError> {
        // `Store::insert_all` checks every receipt against its bytes itself.
        self.write(move |store| {
            let rows: Vec<NewSubmission<'_>> = batch
                .iter()
                .map(|new| NewSubmission {
                    receipt: &new.receipt,
                    content: &new.content,
                    bundle: &new.bundle,
                    received_at: new.received_at,
                })
                .collect();
            store.insert_all(&rows)
        })
        .await
    }

    async fn check_writable(&self) -> Result<(), StoreError> {
        self.write(Store::check_writable).await
    }

    async fn record_config(
        &self,
        bytes: Vec<u8>,
        at: OffsetDateTime,
    ) -> Result<Sha256Digest, StoreError> {
        self.write(move |store| store.record_config(&bytes, at))
            .await
    }

    async fn served_configs(&self) -> Result<Vec<ServedConfig>, StoreError> {
        self.read(Store::served_configs).await
    }

    async fn served_config(&self, sha256: Sha256Digest) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(move |store| store.served_config(&sha256)).await
    }

    async fn count(&self) -> Result<u64, StoreError> {
        self.read(Store::count).await
    }

    async fn receipts(&self) -> Result<Vec<ReceiptId>, StoreError> {
        self.read(Store::receipts).await
    }

    async fn get(&self, receipt: ReceiptId) -> Result<Option<StoredSubmission>, StoreError> {
        self.read(move |store| store.get(&receipt)).await
    }

    async fn inbox(
        &self,
        after: u64,
        limit: u32,
        uncollected_only: bool,
    ) -> Result<InboxListing, StoreError> {
        self.read(move |store| store.inbox(after, limit, uncollected_only))
            .await
    }

    async fn acknowledge(
        &self,
        receipts: Vec<ReceiptId>,
        at: OffsetDateTime,
        actor: String,
    ) -> Result<Acknowledged, StoreError> {
        self.write(move |store| store.acknowledge(&receipts, at, &actor))
            .await
    }

    async fn delete_collected(
        &self,
        collected_before: OffsetDateTime,
        at: OffsetDateTime,
        actor: String,
    ) -> Result<Vec<ReceiptId>, StoreError> {
        self.write(move |store| store.delete_collected(collected_before, at, &actor))
            .await
    }

    async fn uncollected(&self) -> Result<Uncollected, StoreError> {
        self.read(Store::uncollected).await
    }

    async fn audit(&self, events: Vec<AuditEvent>) -> Result<(), StoreError> {
        self.write(move |store| store.audit(&events)).await
    }

    async fn audit_lines(&self) -> Result<String, StoreError> {
        self.read(Store::audit_lines).await
    }

    async fn create_draft(&self, draft: NewDraft) -> Result<(), StoreError> {
        self.write(move |store| store.create_draft(&draft)).await
    }

    async fn draft(
        &self,
        id: DraftId,
        now: OffsetDateTime,
    ) -> Result<Option<KeptDraft>, StoreError> {
        self.read(move |store| store.draft(&id, now)).await
    }

    async fn replace_draft(&self, draft: NewDraft) -> Result<DraftChange, StoreError> {
        self.write(move |store| store.replace_draft(&draft)).await
    }

    async fn delete_draft(
        &self,
        id: DraftId,
        secret: Sha256Digest,
        now: OffsetDateTime,
    ) -> Result<DraftChange, StoreError> {
        self.write(move |store| store.delete_draft(&id, &secret, now))
            .await
    }

    async fn purge_drafts(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.write(move |store| store.purge_drafts(now)).await
    }
}
