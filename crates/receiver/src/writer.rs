//! The one thread that writes to the store. Requests queue here; the thread takes everything queued, stores it in
//! one transaction with one commit (group commit: one fsync for many submissions), and only then answers each
//! request. A request is told "stored" only after the commit that holds it returned.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;

use axum::body::Bytes;
use sealform_core::bundle::ReceiptId;
use sealform_store::{Inserted, NewSubmission, Store, StoreError};
use time::OffsetDateTime;
use tokio::sync::oneshot;

/// How many requests may wait for the writer before new ones are turned away with 503 (back-pressure instead of
/// unbounded memory).
const QUEUE_LEN: usize = 4096;
/// The most submissions in one commit.
const MAX_BATCH: usize = 512;
/// The most bundle bytes in one commit, so one transaction stays a sensible size.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// Why a write did not happen. Shared by every request of a failed batch, hence the `Arc`.
#[derive(Clone, Debug)]
pub(crate) enum WriteError {
    /// The store refused (locked, disk full, …).
    Store(Arc<StoreError>),
    /// The queue is full: the writer is behind.
    Busy,
    /// The writer thread is gone (it only stops when the server does).
    Stopped,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Store(error) => write!(f, "{error}"),
            Self::Busy => f.write_str("the store's write queue is full"),
            Self::Stopped => f.write_str("the store's writer has stopped"),
        }
    }
}

/// A submission to store, and where to send the outcome.
struct InsertJob {
    receipt: ReceiptId,
    bundle: Bytes,
    received_at: OffsetDateTime,
    reply: oneshot::Sender<Result<Inserted, WriteError>>,
}

enum Job {
    Insert(InsertJob),
    /// A health check: can the store be written now?
    Check(oneshot::Sender<Result<(), WriteError>>),
}

/// A handle to the writer thread; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    queue: SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread, which owns `store` from now on.
    pub(crate) fn start(store: Store) -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::sync_channel(QUEUE_LEN);
        std::thread::Builder::new()
            .name("sealform-store-writer".into())
            .spawn(move || run(store, jobs))?;
        Ok(Self { queue })
    }

    /// Stores a bundle; returns once its commit has returned.
    pub(crate) async fn insert(
        &self,
        receipt: ReceiptId,
        bundle: Bytes,
        received_at: OffsetDateTime,
    ) -> Result<Inserted, WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.send(Job::Insert(InsertJob {
            receipt,
            bundle,
            received_at,
            reply,
        }))?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }

    /// Whether the store can be written now.
    pub(crate) async fn check(&self) -> Result<(), WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.send(Job::Check(reply))?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }

    fn send(&self, job: Job) -> Result<(), WriteError> {
        self.queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => WriteError::Busy,
            TrySendError::Disconnected(_) => WriteError::Stopped,
        })
    }
}

/// The writer thread: waits for a job, gathers whatever else is already queued, and commits it all at once.
fn run(mut store: Store, jobs: Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut inserts = Vec::new();
        let mut checks = Vec::new();
        let mut bytes = 0;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Insert(insert) => {
                    bytes += insert.bundle.len();
                    inserts.push(insert);
                }
                Job::Check(reply) => checks.push(reply),
            }
            if inserts.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
                next = jobs.try_recv().ok();
            }
        }
        commit(&mut store, inserts);
        answer_checks(&mut store, checks);
    }
}

/// Stores a batch in one transaction and tells every waiting request how it went.
fn commit(store: &mut Store, batch: Vec<InsertJob>) {
    if batch.is_empty() {
        return;
    }
    let rows: Vec<NewSubmission<'_>> = batch
        .iter()
        .map(|job| NewSubmission {
            receipt: &job.receipt,
            bundle: &job.bundle,
            received_at: job.received_at,
        })
        .collect();
    let outcome = store.insert_all(&rows);
    drop(rows);
    match outcome {
        Ok(results) => {
            for (job, result) in batch.into_iter().zip(results) {
                // A request that gave up (timed out, client gone) no longer listens; its bundle is stored anyway.
                let _ = job.reply.send(Ok(result));
            }
        }
        Err(error) => {
            tracing::error!(batch = batch.len(), "could not store submissions: {error}");
            let shared = WriteError::Store(Arc::new(error));
            for job in batch {
                let _ = job.reply.send(Err(shared.clone()));
            }
        }
    }
}

fn answer_checks(store: &mut Store, checks: Vec<oneshot::Sender<Result<(), WriteError>>>) {
    if checks.is_empty() {
        return;
    }
    let outcome = store
        .check_writable()
        .map_err(|e| WriteError::Store(Arc::new(e)));
    for reply in checks {
        let _ = reply.send(outcome.clone());
    }
}
