//! The PostgreSQL half of [`Backend`]: the same tables as SQLite's in one database that several receivers share,
//! through tokio-postgres and a deadpool pool of its connections. Every session commits with
//! `synchronous_commit = on`. Writes that must see each other — a batch of submissions (its arrival numbers), an
//! acknowledgement or deletion (their audit entries), the audit trail's hash chain — take one transaction-scoped
//! advisory lock, so receivers write one transaction at a time, in the order the inbox lists them: a cursor never
//! passes over a row that commits later with a smaller number.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime};
use sealform_core::audit::action;
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::InboxItem;
use sealform_core::Sha256Digest;
use time::OffsetDateTime;
use tokio_postgres::error::SqlState;

use crate::audit::chained;
use crate::backend::{check_receipts, Backend, Submission};
use sealform_core::protocol::draft::DraftId;

use crate::{
    parse_receipt, rfc3339, Acknowledged, AuditEvent, DraftChange, InboxListing, Inserted,
    KeptDraft, NewDraft, ServedConfig, StoreError, StoredSubmission, Uncollected,
};

mod location;
mod migrate;

pub use location::PostgresLocation;
pub use migrate::POSTGRES_SCHEMA_VERSION;

/// Connections a writing receiver keeps at most: its group commit uses one at a time, the pickup API and health
/// checks the rest. docs/RECEIVER.md ("Scaling out") sizes the server's `max_connections` from it.
pub(crate) const POOL_SIZE: usize = 8;
/// Connections a reader (`sealform open --store`) keeps at most.
const READ_POOL_SIZE: usize = 2;
/// How long a request waits for a connection before the store counts as unreachable (503, try again).
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(10);
/// The advisory lock every ordered write holds until it commits ("sf-write" in ASCII).
const WRITE_LOCK: i64 = i64::from_be_bytes(*b"sf-write");

/// A pooled connection.
pub(crate) type Connection = deadpool_postgres::Object;

/// A PostgreSQL store behind the async [`Backend`] interface.
#[derive(Debug)]
pub(crate) struct PostgresBackend {
    pool: Pool,
    /// The URL without a password, for messages.
    url: String,
}

impl PostgresBackend {
    /// Connects; then, for writing, checks that commits are durable and migrates the layout, or, for reading
    /// only, checks that the layout is this sealform's.
    pub(crate) async fn open(
        location: &PostgresLocation,
        read_only: bool,
    ) -> Result<Self, StoreError> {
        let url = location.to_string();
        let config = location.connect_config(read_only)?;
        let manager = Manager::from_config(
            config,
            location.tls()?,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(if read_only { READ_POOL_SIZE } else { POOL_SIZE })
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(WAIT_FOR_CONNECTION))
            .create_timeout(Some(WAIT_FOR_CONNECTION))
            .recycle_timeout(Some(WAIT_FOR_CONNECTION))
            .build()
            .map_err(|e| StoreError::Postgres {
                url: url.clone(),
                detail: e.to_string(),
            })?;
        let store = Self { pool, url };
        let mut connection = store.connection().await?;
        if read_only {
            migrate::check(&**connection, &store.url).await?;
        } else {
            store.check_durable(&connection).await?;
            migrate::run(&mut connection, &store.url).await?;
        }
        Ok(store)
    }

    /// A connection from the pool.
    async fn connection(&self) -> Result<Connection, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            PoolError::Backend(error) => failed(&self.url, error),
            PoolError::Timeout(_) => StoreError::Unreachable {
                url: self.url.clone(),
                detail: "no connection could be made or freed in time".into(),
            },
            other => StoreError::Postgres {
                url: self.url.clone(),
                detail: other.to_string(),
            },
        })
    }

    /// Refuses a session whose commits would return before they are on disk.
    async fn check_durable(&self, connection: &Connection) -> Result<(), StoreError> {
        let row = connection
            .query_one("SHOW synchronous_commit", &[])
            .await
            .map_err(|e| failed(&self.url, e))?;
        let setting: String = row.get(0);
        if setting == "off" {
            return Err(StoreError::Postgres {
                url: self.url.clone(),
                detail: "synchronous_commit is off for sealform's sessions, so a commit could be lost in a crash; \
                         remove the setting that forces it off"
                    .into(),
            });
        }
        Ok(())
    }

    /// Begins a transaction on `connection` that holds the write lock until it ends.
    async fn locked<'a>(
        &self,
        connection: &'a mut Connection,
    ) -> Result<deadpool_postgres::Transaction<'a>, StoreError> {
        let transaction = connection.transaction().await.map_err(self.failed())?;
        transaction
            .execute(TAKE_WRITE_LOCK, &[&WRITE_LOCK])
            .await
            .map_err(self.failed())?;
        Ok(transaction)
    }

    fn failed(&self) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        |error| failed(&self.url, error)
    }
}

/// Names a PostgreSQL failure by what a person can do about it. Only the server's message is kept, never its
/// detail, which may quote a row.
pub(crate) fn failed(url: &str, error: tokio_postgres::Error) -> StoreError {
    let url = url.to_owned();
    let Some(db) = error.as_db_error() else {
        // No answer from the server: refused, reset, closed, timed out, or a TLS handshake that failed (its cause
        // is the useful part: an unknown CA, a name that does not match).
        let mut detail = error.to_string();
        let mut cause = std::error::Error::source(&error);
        while let Some(inner) = cause {
            detail.push_str(": ");
            detail.push_str(&inner.to_string());
            cause = inner.source();
        }
        return StoreError::Unreachable { url, detail };
    };
    let detail = format!("{} (SQLSTATE {})", db.message(), db.code().code());
    match db.code() {
        code if *code == SqlState::DISK_FULL => StoreError::DiskFull { path: url.into() },
        code if [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
        ]
        .contains(code) =>
        {
            StoreError::Unreachable { url, detail }
        }
        code if [
            SqlState::LOCK_NOT_AVAILABLE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::T_R_SERIALIZATION_FAILURE,
        ]
        .contains(code) =>
        {
            StoreError::Locked { path: url.into() }
        }
        code if [
            SqlState::INVALID_PASSWORD,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
            SqlState::INSUFFICIENT_PRIVILEGE,
            SqlState::INVALID_CATALOG_NAME,
        ]
        .contains(code) =>
        {
            StoreError::Refused { url, detail }
        }
        _ => StoreError::Postgres { url, detail },
    }
}

/// The SQL that takes the write lock inside a transaction.
const TAKE_WRITE_LOCK: &str = "SELECT pg_advisory_xact_lock($1)";

#[async_trait]
impl Backend for PostgresBackend {
    fn describe(&self) -> String {
        self.url.clone()
    }

    async fn insert_all(&self, batch: Vec<Submission>) -> Result<Vec<Inserted>, StoreError> {
        check_receipts(&batch)?;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let failed = self.failed();
        let mut connection = self.connection().await?;
        let transaction = self.locked(&mut connection).await?;
        let receipts: Vec<String> = batch.iter().map(|new| new.receipt.full()).collect();
        let contents: Vec<String> = batch.iter().map(|new| new.content.to_string()).collect();
        // What is kept already, stored or deleted after pickup (the firm has those: a resent copy would reappear).
        let kept = transaction
            .query(
                "SELECT receipt, content FROM submissions WHERE receipt = ANY($1) OR content = ANY($2) \
                 UNION ALL SELECT receipt, content FROM deleted WHERE receipt = ANY($1) OR content = ANY($2)",
                &[&receipts, &contents],
            )
            .await
            .map_err(&failed)?;
        let mut known = Known::default();
        for row in kept {
            known.add(row.get(0), row.get(1));
        }
        let mut results = Vec::with_capacity(batch.len());
        let mut new = Vec::new();
        for (index, (receipt, content)) in receipts.iter().zip(&contents).enumerate() {
            results.push(match known.match_of(receipt, content) {
                Some(first) if first == *receipt => Inserted::AlreadyStored,
                Some(first) => Inserted::SameContent {
                    first: parse_receipt(self.url.as_ref(), &first)?,
                },
                None => {
                    known.add(receipt.clone(), Some(content.clone()));
                    new.push(index);
                    Inserted::New
                }
            });
        }
        if !new.is_empty() {
            let pick = |f: &dyn Fn(usize) -> String| new.iter().map(|&i| f(i)).collect::<Vec<_>>();
            let new_receipts = pick(&|i| receipts[i].clone());
            let new_contents = pick(&|i| contents[i].clone());
            let times: Vec<OffsetDateTime> = new.iter().map(|&i| batch[i].received_at).collect();
            let sizes: Vec<i64> = new
                .iter()
                .map(|&i| i64::try_from(batch[i].bundle.len()).unwrap_or(i64::MAX))
                .collect();
            let bundles: Vec<&[u8]> = new.iter().map(|&i| batch[i].bundle.as_ref()).collect();
            // Rows are numbered in the order given. Under the write lock no other receiver can have stored one of
            // them since the look-up above; ON CONFLICT keeps a retried POST one row even so.
            let stored = transaction
                .query(
                    "INSERT INTO submissions (receipt, content, received_at, size, bundle) \
                     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bytea[]) \
                     ON CONFLICT DO NOTHING RETURNING receipt",
                    &[&new_receipts, &new_contents, &times, &sizes, &bundles],
                )
                .await
                .map_err(&failed)?;
            let stored: HashSet<String> = stored.iter().map(|row| row.get(0)).collect();
            for index in new {
                if !stored.contains(&receipts[index]) {
                    results[index] = Inserted::AlreadyStored;
                }
            }
        }
        transaction.commit().await.map_err(&failed)?;
        Ok(results)
    }

    async fn check_writable(&self) -> Result<(), StoreError> {
        let connection = self.connection().await?;
        let row = connection
            .query_one(
                "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'",
                &[],
            )
            .await
            .map_err(self.failed())?;
        if row.get::<_, bool>(0) {
            return Err(StoreError::Postgres {
                url: self.url.clone(),
                detail: "the server is read-only (a standby, or read-only sessions): point --store at the primary"
                    .into(),
            });
        }
        Ok(())
    }

    async fn record_config(
        &self,
        bytes: Vec<u8>,
        at: OffsetDateTime,
    ) -> Result<Sha256Digest, StoreError> {
        let sha256 = Sha256Digest::of(&bytes);
        self.connection()
            .await?
            .execute(
                "INSERT INTO configs (sha256, first_served_at, bytes) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
                &[&sha256.to_string(), &at, &bytes],
            )
            .await
            .map_err(self.failed())?;
        Ok(sha256)
    }

    async fn served_configs(&self) -> Result<Vec<ServedConfig>, StoreError> {
        let rows = self
            .connection()
            .await?
            .query(
                "SELECT sha256, first_served_at, bytes FROM configs ORDER BY first_served_at, sha256",
                &[],
            )
            .await
            .map_err(self.failed())?;
        rows.iter()
            .map(|row| {
                let sha256: String = row.get(0);
                Ok(ServedConfig {
                    sha256: sha256.parse().map_err(|_| StoreError::NotAStore {
                        path: self.url.clone().into(),
                        detail: format!(
                            "the config digest {sha256:?} is not 64 lowercase hex digits"
                        ),
                    })?,
                    first_served_at: rfc3339(row.get(1)),
                    bytes: row.get(2),
                })
            })
            .collect()
    }

    async fn served_config(&self, sha256: Sha256Digest) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .connection()
            .await?
            .query_opt(
                "SELECT bytes FROM configs WHERE sha256 = $1",
                &[&sha256.to_string()],
            )
            .await
            .map_err(self.failed())?;
        Ok(row.map(|row| row.get(0)))
    }

    async fn count(&self) -> Result<u64, StoreError> {
        let row = self
            .connection()
            .await?
            .query_one("SELECT count(*) FROM submissions", &[])
            .await
            .map_err(self.failed())?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or_default())
    }

    async fn receipts(&self) -> Result<Vec<ReceiptId>, StoreError> {
        let rows = self
            .connection()
            .await?
            .query("SELECT receipt FROM submissions ORDER BY seq", &[])
            .await
            .map_err(self.failed())?;
        rows.iter()
            .map(|row| parse_receipt(self.url.as_ref(), row.get(0)))
            .collect()
    }

    async fn get(&self, receipt: ReceiptId) -> Result<Option<StoredSubmission>, StoreError> {
        let row = self
            .connection()
            .await?
            .query_opt(
                "SELECT received_at, bundle FROM submissions WHERE receipt = $1",
                &[&receipt.full()],
            )
            .await
            .map_err(self.failed())?;
        Ok(row.map(|row| StoredSubmission {
            receipt,
            received_at: rfc3339(row.get(0)),
            bundle: row.get(1),
        }))
    }

    async fn inbox(
        &self,
        after: u64,
        limit: u32,
        uncollected_only: bool,
    ) -> Result<InboxListing, StoreError> {
        let sql = if uncollected_only {
            "SELECT seq, receipt, size, received_at, collected_at FROM submissions \
             WHERE seq > $1 AND collected_at IS NULL ORDER BY seq LIMIT $2"
        } else {
            "SELECT seq, receipt, size, received_at, collected_at FROM submissions \
             WHERE seq > $1 ORDER BY seq LIMIT $2"
        };
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = self
            .connection()
            .await?
            .query(sql, &[&after, &(i64::from(limit) + 1)])
            .await
            .map_err(self.failed())?;
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(InboxItem {
                receipt: parse_receipt(self.url.as_ref(), row.get(1))?,
                size: u64::try_from(row.get::<_, i64>(2)).unwrap_or_default(),
                received_at: rfc3339(row.get(3)),
                cursor: row.get::<_, i64>(0).to_string(),
                collected_at: row.get::<_, Option<OffsetDateTime>>(4).map(rfc3339),
            });
        }
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Ok(InboxListing { items, more })
    }

    async fn acknowledge(
        &self,
        receipts: Vec<ReceiptId>,
        at: OffsetDateTime,
        actor: String,
    ) -> Result<Acknowledged, StoreError> {
        let failed = self.failed();
        let mut connection = self.connection().await?;
        let transaction = self.locked(&mut connection).await?;
        let full: Vec<String> = receipts.iter().map(ReceiptId::full).collect();
        let marked = transaction
            .query(
                "UPDATE submissions SET collected_at = coalesce(collected_at, $2) WHERE receipt = ANY($1) \
                 RETURNING receipt",
                &[&full, &at],
            )
            .await
            .map_err(&failed)?;
        let deleted = transaction
            .query(
                "SELECT receipt FROM deleted WHERE receipt = ANY($1)",
                &[&full],
            )
            .await
            .map_err(&failed)?;
        let known: HashSet<String> = marked
            .iter()
            .chain(&deleted)
            .map(|row| row.get(0))
            .collect();
        let outcome = Acknowledged::sort(&receipts, |receipt| {
            Ok::<_, StoreError>(known.contains(&receipt.full()))
        })?;
        if let Some(event) = outcome.audit_event(actor, at) {
            append(&transaction, &[event], &self.url).await?;
        }
        transaction.commit().await.map_err(&failed)?;
        Ok(outcome)
    }

    async fn delete_collected(
        &self,
        collected_before: OffsetDateTime,
        at: OffsetDateTime,
        actor: String,
    ) -> Result<Vec<ReceiptId>, StoreError> {
        let failed = self.failed();
        let mut connection = self.connection().await?;
        let transaction = self.locked(&mut connection).await?;
        let rows = transaction
            .query(
                "WITH gone AS ( \
                     DELETE FROM submissions WHERE collected_at IS NOT NULL AND collected_at <= $1 \
                     RETURNING seq, receipt, received_at, collected_at, content \
                 ), tombstones AS ( \
                     INSERT INTO deleted (receipt, received_at, collected_at, deleted_at, content) \
                     SELECT receipt, received_at, collected_at, $2, content FROM gone ON CONFLICT DO NOTHING \
                 ) SELECT receipt FROM gone ORDER BY seq",
                &[&collected_before, &at],
            )
            .await
            .map_err(&failed)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let receipts = rows
            .iter()
            .map(|row| parse_receipt(self.url.as_ref(), row.get(0)))
            .collect::<Result<Vec<_>, _>>()?;
        let event = AuditEvent {
            action: action::DELETE,
            actor,
            receipts: receipts.clone(),
            at,
        };
        append(&transaction, &[event], &self.url).await?;
        transaction.commit().await.map_err(&failed)?;
        Ok(receipts)
    }

    async fn uncollected(&self) -> Result<Uncollected, StoreError> {
        let row = self
            .connection()
            .await?
            .query_one(
                "SELECT count(*), min(received_at) FROM submissions WHERE collected_at IS NULL",
                &[],
            )
            .await
            .map_err(self.failed())?;
        Ok(Uncollected {
            count: u64::try_from(row.get::<_, i64>(0)).unwrap_or_default(),
            oldest_received_at: row.get::<_, Option<OffsetDateTime>>(1).map(rfc3339),
        })
    }

    async fn audit(&self, events: Vec<AuditEvent>) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let failed = self.failed();
        let mut connection = self.connection().await?;
        let transaction = self.locked(&mut connection).await?;
        append(&transaction, &events, &self.url).await?;
        transaction.commit().await.map_err(&failed)
    }

    async fn audit_lines(&self) -> Result<String, StoreError> {
        let rows = self
            .connection()
            .await?
            .query("SELECT line FROM audit ORDER BY seq", &[])
            .await
            .map_err(self.failed())?;
        let mut text = String::new();
        for row in &rows {
            text.push_str(row.get(0));
            text.push('\n');
        }
        Ok(text)
    }

    async fn create_draft(&self, draft: NewDraft) -> Result<(), StoreError> {
        self.connection()
            .await?
            .execute(
                "INSERT INTO drafts (id, secret_sha256, saved_at, expires_at, draft) VALUES ($1, $2, $3, $4, $5)",
                &[
                    &draft.id.to_string(),
                    &draft.secret.as_bytes().as_slice(),
                    &draft.saved_at,
                    &draft.expires_at,
                    &draft.draft,
                ],
            )
            .await
            .map_err(self.failed())?;
        Ok(())
    }

    async fn draft(
        &self,
        id: DraftId,
        now: OffsetDateTime,
    ) -> Result<Option<KeptDraft>, StoreError> {
        let row = self
            .connection()
            .await?
            .query_opt(
                "SELECT draft, expires_at FROM drafts WHERE id = $1 AND expires_at > $2",
                &[&id.to_string(), &now],
            )
            .await
            .map_err(self.failed())?;
        Ok(row.map(|row| KeptDraft {
            draft: row.get(0),
            expires_at: row.get(1),
        }))
    }

    async fn replace_draft(&self, draft: NewDraft) -> Result<DraftChange, StoreError> {
        let mut connection = self.connection().await?;
        let transaction = connection.transaction().await.map_err(self.failed())?;
        let changed = transaction
            .execute(
                "UPDATE drafts SET draft = $1, saved_at = $2, expires_at = $3 \
                 WHERE id = $4 AND secret_sha256 = $5 AND expires_at > $2",
                &[
                    &draft.draft,
                    &draft.saved_at,
                    &draft.expires_at,
                    &draft.id.to_string(),
                    &draft.secret.as_bytes().as_slice(),
                ],
            )
            .await
            .map_err(self.failed())?;
        let outcome = if changed == 1 {
            DraftChange::Done
        } else {
            absent_or_wrong(&*transaction, &draft.id, draft.saved_at, &self.url).await?
        };
        transaction.commit().await.map_err(self.failed())?;
        Ok(outcome)
    }

    async fn delete_draft(
        &self,
        id: DraftId,
        secret: Sha256Digest,
        now: OffsetDateTime,
    ) -> Result<DraftChange, StoreError> {
        let mut connection = self.connection().await?;
        let transaction = connection.transaction().await.map_err(self.failed())?;
        let deleted = transaction
            .execute(
                "DELETE FROM drafts WHERE id = $1 AND secret_sha256 = $2 AND expires_at > $3",
                &[&id.to_string(), &secret.as_bytes().as_slice(), &now],
            )
            .await
            .map_err(self.failed())?;
        let outcome = if deleted == 1 {
            DraftChange::Done
        } else {
            absent_or_wrong(&*transaction, &id, now, &self.url).await?
        };
        transaction.commit().await.map_err(self.failed())?;
        Ok(outcome)
    }

    async fn purge_drafts(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.connection()
            .await?
            .execute("DELETE FROM drafts WHERE expires_at <= $1", &[&now])
            .await
            .map_err(self.failed())
    }
}

/// Appends `events` to the audit trail inside a transaction that holds the write lock, chained to its last entry.
async fn append(
    transaction: &deadpool_postgres::Transaction<'_>,
    events: &[AuditEvent],
    url: &str,
) -> Result<(), StoreError> {
    let last = transaction
        .query_opt("SELECT line FROM audit ORDER BY seq DESC LIMIT 1", &[])
        .await
        .map_err(|e| failed(url, e))?
        .map(|row| row.get::<_, String>(0));
    let (seqs, lines): (Vec<i64>, Vec<String>) =
        chained(last.as_deref(), events).into_iter().unzip();
    transaction
        .execute(
            "INSERT INTO audit (seq, line) SELECT * FROM unnest($1::bigint[], $2::text[])",
            &[&seqs, &lines],
        )
        .await
        .map_err(|e| failed(url, e))?;
    Ok(())
}

/// The receipts and sealings already kept, to answer a batch as SQLite's look-up does row by row: the same bytes
/// first, then the same sealing under another receipt.
#[derive(Debug, Default)]
struct Known {
    receipts: HashSet<String>,
    /// Content id to the receipt it is kept under.
    contents: HashMap<String, String>,
}

impl Known {
    fn add(&mut self, receipt: String, content: Option<String>) {
        if let Some(content) = content {
            self.contents
                .entry(content)
                .or_insert_with(|| receipt.clone());
        }
        self.receipts.insert(receipt);
    }

    /// The receipt these bytes or this sealing is kept under, if either is.
    fn match_of(&self, receipt: &str, content: &str) -> Option<String> {
        if self.receipts.contains(receipt) {
            return Some(receipt.to_owned());
        }
        self.contents.get(content).cloned()
    }
}

/// After a change to a draft that touched no row: whether the draft is there (so the secret was wrong) or not.
async fn absent_or_wrong(
    client: &impl tokio_postgres::GenericClient,
    id: &DraftId,
    now: OffsetDateTime,
    url: &str,
) -> Result<DraftChange, StoreError> {
    let there = client
        .query_opt(
            "SELECT 1 FROM drafts WHERE id = $1 AND expires_at > $2",
            &[&id.to_string(), &now],
        )
        .await
        .map_err(|e| failed(url, e))?;
    Ok(match there {
        Some(_) => DraftChange::WrongSecret,
        None => DraftChange::NotFound,
    })
}
