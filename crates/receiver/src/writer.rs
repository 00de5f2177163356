//! The one task that writes to the store. Requests queue here; the task takes everything queued, stores it in
//! one transaction with one commit (group commit: one fsync for many submissions), and only then answers each
//! request. A request is told "stored" only after the commit that holds it returned. The pickup's writes —
//! audit entries, acknowledgements, deletions after pickup — go through the same task, since SQLite has one
//! writer at a time (and PostgreSQL's receivers take turns under one lock); audit entries are committed in
//! batches as submissions are.

use std::sync::Arc;

use axum::body::Bytes;
use sealform_core::bundle::{ContentId, ReceiptId};
use sealform_store::{Acknowledged, AuditEvent, Backend, Inserted, StoreError, Submission};
use time::OffsetDateTime;
use tokio::sync::mpsc::{self, error::TrySendError, Receiver, Sender};
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
    /// The writer task is gone (it only stops when the server does).
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
    content: ContentId,
    bundle: Bytes,
    received_at: OffsetDateTime,
    reply: oneshot::Sender<Result<Inserted, WriteError>>,
}

/// An audit entry to append, and where to say it is committed.
struct AuditJob {
    event: AuditEvent,
    reply: oneshot::Sender<Result<(), WriteError>>,
}

/// A reply channel for a job's outcome.
type Reply<T> = oneshot::Sender<Result<T, WriteError>>;

enum Job {
    Insert(InsertJob),
    Audit(AuditJob),
    /// Mark bundles collected, as done by an actor (a token's hash prefix).
    Acknowledge {
        receipts: Vec<ReceiptId>,
        at: OffsetDateTime,
        actor: String,
        reply: Reply<Acknowledged>,
    },
    /// Delete the bundles collected at or before a time.
    DeleteCollected {
        before: OffsetDateTime,
        actor: String,
        reply: Reply<Vec<ReceiptId>>,
    },
    /// A health check: can the store be written now?
    Check(Reply<()>),
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    queue: Sender<Job>,
}

impl Writer {
    /// Starts the writer task, the only one that writes to `store` from now on. It ends when every handle is gone.
    pub(crate) fn start(store: Arc<dyn Backend>) -> Self {
        let (queue, jobs) = mpsc::channel(QUEUE_LEN);
        tokio::spawn(run(store, jobs));
        Self { queue }
    }

    /// Stores a bundle; returns once its commit has returned.
    pub(crate) async fn insert(
        &self,
        receipt: ReceiptId,
        content: ContentId,
        bundle: Bytes,
        received_at: OffsetDateTime,
    ) -> Result<Inserted, WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.send(Job::Insert(InsertJob {
            receipt,
            content,
            bundle,
            received_at,
            reply,
        }))?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }

    /// Appends an entry to the audit trail; returns once it is committed.
    pub(crate) async fn audit(&self, event: AuditEvent) -> Result<(), WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.send(Job::Audit(AuditJob { event, reply }))?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }

    /// Marks `receipts` collected by `actor` (and records it in the audit trail).
    pub(crate) async fn acknowledge(
        &self,
        receipts: Vec<ReceiptId>,
        actor: String,
    ) -> Result<Acknowledged, WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.send(Job::Acknowledge {
            receipts,
            at: OffsetDateTime::now_utc(),
            actor,
            reply,
        })?;
        outcome.await.map_err(|_| WriteError::Stopped)?
    }

    /// Deletes every bundle collected at or before `before`; returns their receipts.
    pub(crate) async fn delete_collected(
        &self,
        before: OffsetDateTime,
        actor: String,
    ) -> Result<Vec<ReceiptId>, WriteError> {
        let (reply, outcome) = oneshot::channel();
        self.send(Job::DeleteCollected {
            before,
            actor,
            reply,
        })?;
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
            TrySendError::Closed(_) => WriteError::Stopped,
        })
    }
}

/// The writer task: waits for a job, gathers whatever else is already queued, and commits the submissions and the
/// audit entries each in one transaction; acknowledgements and deletions, rarer, one at a time after them.
async fn run(store: Arc<dyn Backend>, mut jobs: Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut inserts = Vec::new();
        let mut audits = Vec::new();
        let mut others = Vec::new();
        let mut bytes = 0;
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Insert(insert) => {
                    bytes += insert.bundle.len();
                    inserts.push(insert);
                }
                Job::Audit(audit) => audits.push(audit),
                other => others.push(other),
            }
            if inserts.len() + audits.len() < MAX_BATCH && bytes < MAX_BATCH_BYTES {
                next = jobs.try_recv().ok();
            }
        }
        commit(&*store, inserts).await;
        commit_audits(&*store, audits).await;
        for job in others {
            run_one(&*store, job).await;
        }
    }
}

/// Appends a batch of audit entries in one transaction.
async fn commit_audits(store: &dyn Backend, batch: Vec<AuditJob>) {
    if batch.is_empty() {
        return;
    }
    let events: Vec<AuditEvent> = batch.iter().map(|job| job.event.clone()).collect();
    let outcome = store.audit(events).await.map_err(|error| {
        tracing::error!(
            entries = batch.len(),
            "could not write the audit trail: {error}"
        );
        WriteError::Store(Arc::new(error))
    });
    for job in batch {
        let _ = job.reply.send(outcome.clone());
    }
}

/// Does one job that is not batched.
async fn run_one(store: &dyn Backend, job: Job) {
    let shared = |error| WriteError::Store(Arc::new(error));
    match job {
        Job::Acknowledge {
            receipts,
            at,
            actor,
            reply,
        } => {
            let outcome = store.acknowledge(receipts, at, actor).await;
            let _ = reply.send(outcome.map_err(shared));
        }
        Job::DeleteCollected {
            before,
            actor,
            reply,
        } => {
            let outcome = store
                .delete_collected(before, OffsetDateTime::now_utc(), actor)
                .await;
            let _ = reply.send(outcome.map_err(shared));
        }
        Job::Check(reply) => {
            let _ = reply.send(store.check_writable().await.map_err(shared));
        }
        // Batched in `run`.
        Job::Insert(_) | Job::Audit(_) => {}
    }
}

/// Stores a batch in one transaction and tells every waiting request how it went.
async fn commit(store: &dyn Backend, batch: Vec<InsertJob>) {
    if batch.is_empty() {
        return;
    }
    let count = batch.len();
    let (rows, replies): (Vec<Submission>, Vec<_>) = batch
        .into_iter()
        .map(|job| {
            let row = Submission {
                receipt: job.receipt,
                content: job.content,
                bundle: job.bundle,
                received_at: job.received_at,
            };
            (row, job.reply)
        })
        .unzip();
    // The store takes the bodies and lets them go when it is done, so their bytes go back to the in-flight budget
    // before the answers do: a client that posts again the moment it hears 201 finds the room it just freed.
    match store.insert_all(rows).await {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                // A request that gave up (timed out, client gone) no longer listens; its bundle is stored anyway.
                let _ = reply.send(Ok(result));
            }
        }
        Err(error) => {
            tracing::error!(batch = count, "could not store submissions: {error}");
            let shared = WriteError::Store(Arc::new(error));
            for reply in replies {
                let _ = reply.send(Err(shared.clone()));
            }
        }
    }
}
