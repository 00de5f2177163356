//! The submission store: every sealed bundle the receiver accepted, under its receipt id — in one SQLite file
//! ([`Store`], the default), or in a PostgreSQL database several receivers share. It holds ciphertext only, and is
//! the one place that knows either layout. The receiver uses both through one async trait, [`Backend`], opened
//! with [`open`] from a [`Location`]; the SQLite file's own API below stays for tools that read it directly.
//! The PostgreSQL layout (`crates/store/src/postgres/migrate.rs`) has the same tables in PostgreSQL's types.
//!
//! ```
//! use sealform_core::bundle::{ContentId, ReceiptId};
//! use sealform_core::digest::Sha256Digest;
//! use sealform_store::{Inserted, Store};
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("sealform.db");
//! let bundle = br#"{"version":1}"#; // the exact bytes the browser sent
//! let receipt = ReceiptId::of(bundle);
//! // The receiver has it from the check that accepted the bundle: `sealform_core::bundle::inspect(bundle)?.content`.
//! let content = ContentId::from_digest(Sha256Digest::of(b"the sealed parts"));
//!
//! // The receiver: stored once, however often it is sent.
//! let mut store = Store::open(&path)?;
//! let now = time::OffsetDateTime::now_utc();
//! assert_eq!(store.insert(&receipt, &content, bundle, now)?, Inserted::New);
//! assert_eq!(store.insert(&receipt, &content, bundle, now)?, Inserted::AlreadyStored);
//!
//! // The firm (`sealform open --store`): read everything back, oldest first.
//! let store = Store::open_read_only(&path)?;
//! for stored in store.submissions()? {
//!     let stored = stored?;
//!     assert_eq!(ReceiptId::of(&stored.bundle), stored.receipt);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The file
//! ```sql
//! CREATE TABLE submissions (
//!     seq          INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order: the pickup inbox's cursor, never reused
//!     receipt      TEXT NOT NULL UNIQUE,   -- ReceiptId::full(): lowercase hex SHA-256 of `bundle`
//!     received_at  TEXT NOT NULL,          -- RFC 3339, UTC, when the receiver committed it
//!     size         INTEGER NOT NULL,       -- length(bundle)
//!     collected_at TEXT,                   -- when a pickup acknowledged it; NULL until then
//!     bundle       BLOB NOT NULL,          -- the bundle's exact bytes
//!     content      TEXT UNIQUE             -- ContentId: the sealing, whatever bytes carry it (NULL: see below)
//! ) STRICT;
//! CREATE TABLE deleted (                   -- bundles deleted after pickup: a resent copy is not stored again
//!     receipt TEXT PRIMARY KEY NOT NULL, received_at TEXT NOT NULL, collected_at TEXT NOT NULL,
//!     deleted_at TEXT NOT NULL, content TEXT UNIQUE
//! ) STRICT;
//! CREATE TABLE configs (                   -- every form config served, by the SHA-256 submissions record
//!     sha256 TEXT PRIMARY KEY NOT NULL, first_served_at TEXT NOT NULL, bytes BLOB NOT NULL
//! ) STRICT;
//! CREATE TABLE audit (                     -- the pickup audit trail: sealform_core::audit entries, append-only
//!     seq INTEGER PRIMARY KEY NOT NULL, line TEXT NOT NULL
//! ) STRICT;
//! CREATE TABLE drafts (                    -- saved drafts, sealed to the client's key: never submissions
//!     id TEXT PRIMARY KEY NOT NULL,        -- DraftId, drawn by the receiver
//!     secret_sha256 BLOB NOT NULL,         -- SHA-256 of the secret that replaces or deletes it
//!     saved_at TEXT NOT NULL, expires_at INTEGER NOT NULL, -- RFC 3339; seconds since 1970
//!     draft BLOB NOT NULL                  -- the sealed draft as uploaded
//! ) STRICT;
//! ```
//! `PRAGMA user_version` is the layout's version ([`SCHEMA_VERSION`]); older layouts are migrated when a writer
//! opens the store (`crates/store/src/migrate.rs`), a store from a newer sealform is refused rather than misread. Writers use WAL
//! with `synchronous=FULL`, so a write [`Store::insert`] has returned from survives a crash or power cut, and
//! `secure_delete`, so a deleted bundle's bytes are overwritten, not left in free pages.
//!
//! `content` is NULL only in rows from before layout 3 (the migration computes it from each stored bundle, but a
//! tombstone has no bundle left, and a second copy of one sealing stored before then keeps its row but not the
//! id) and in rows whose bytes are not a bundle (written by hand).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{
    params, Connection, ErrorCode, OpenFlags, OptionalExtension as _, TransactionBehavior,
};
use sealform_core::bundle::{ContentId, ReceiptId};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

mod audit;
mod backend;
mod configs;
mod drafts;
mod location;
mod migrate;
mod pickup;
mod postgres;
mod sqlite;

pub use audit::AuditEvent;
pub use backend::{Backend, Submission};
pub use configs::ServedConfig;
pub use drafts::{DraftChange, KeptDraft, NewDraft};
pub use location::{open, open_read_only, Location};
pub use pickup::{Acknowledged, InboxListing, Uncollected};
pub use postgres::{PostgresLocation, POSTGRES_SCHEMA_VERSION};
pub use sqlite::SqliteBackend;

/// The version of the file layout this crate writes, kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = migrate::MIGRATIONS.len() as i64;

/// How long a write waits for another process's write to finish before giving up with [`StoreError::Locked`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------------

/// An open store.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

/// What [`Store::insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The bundle was not there and now is.
    New,
    /// The same bytes were already stored (a client sending twice); nothing changed, and that is a success.
    AlreadyStored,
    /// The same sealing was already stored (or deleted after pickup) from other bytes — the same parts written
    /// out differently, so under another receipt. Nothing changed; the sender is answered with the first receipt.
    SameContent {
        /// The receipt the sealing was first stored under.
        first: ReceiptId,
    },
}

/// One bundle as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSubmission {
    /// Its receipt id: the SHA-256 of `bundle` (checked when it was stored).
    pub receipt: ReceiptId,
    /// When the receiver stored it: RFC 3339, UTC, e.g. `2026-11-22T10:15:00.123456Z`.
    pub received_at: String,
    /// The bundle's exact bytes, as the browser sent them; open them with `sealform open`.
    pub bundle: Vec<u8>,
}

impl std::fmt::Debug for StoredSubmission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSubmission")
            .field("receipt", &self.receipt)
            .field("received_at", &self.received_at)
            .field("bundle_len", &self.bundle.len())
            .finish()
    }
}

/// Why the store could not do what was asked. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process holds the store's write lock for longer than the busy timeout.
    #[error("the store {path} is locked by another process; stop the other sealform using it, or wait and retry")]
    Locked {
        /// The store file.
        path: PathBuf,
    },
    /// The disk (or the file system quota) is full.
    #[error("the disk holding the store {path} is full: free some space; nothing was stored")]
    DiskFull {
        /// The store file.
        path: PathBuf,
    },
    /// The file or its folder cannot be written (permissions, a read-only file system).
    #[error(
        "the store {path} cannot be written: check the permissions of the file and its folder"
    )]
    ReadOnly {
        /// The store file.
        path: PathBuf,
    },
    /// The file could not be opened or created.
    #[error(
        "could not open the store {path}: {source}; check the path and that its folder exists"
    )]
    CannotOpen {
        /// The store file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// There is no store at the path (only when opening read-only, which never creates one).
    #[error(
        "there is no store at {path}: check the path (the receiver creates it on its first start)"
    )]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file is not a sealform store, or is damaged.
    #[error("{path} is not a sealform store, or is damaged: {detail}")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
    /// The store was made by a newer sealform, whose layout this one does not know.
    #[error(
        "the store {path} was made by a newer sealform (layout version {found}; this one reads {reads}): \
         update sealform"
    )]
    NewerVersion {
        /// The store file.
        path: PathBuf,
        /// The layout version found.
        found: i64,
        /// The layout version this sealform reads: [`SCHEMA_VERSION`] for SQLite, [`POSTGRES_SCHEMA_VERSION`] for
        /// PostgreSQL.
        reads: i64,
    },
    /// The store was made by an older sealform and has not been updated yet; reading never updates a store.
    #[error(
        "the store {path} has an older layout (version {found}; this sealform reads {reads}): start \
         `sealform serve` on it once (it updates the store), then try again"
    )]
    OlderVersion {
        /// The store file.
        path: PathBuf,
        /// The layout version found.
        found: i64,
        /// The layout version this sealform reads: [`SCHEMA_VERSION`] for SQLite, [`POSTGRES_SCHEMA_VERSION`] for
        /// PostgreSQL.
        reads: i64,
    },
    /// The receipt given is not the SHA-256 of the bytes given: a bug in the caller, refused so the store's
    /// promise (every receipt is its bundle's hash) holds.
    #[error(
        "refused to store a bundle under receipt {receipt}: that is not the SHA-256 of its bytes"
    )]
    ReceiptMismatch {
        /// The receipt given.
        receipt: ReceiptId,
    },
    /// Any other SQLite failure.
    #[error("the store {path} failed: {source}")]
    Sqlite {
        /// The store file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A `postgres://` store URL that is not one, or that holds a password (which would show in `ps` and in shell
    /// history).
    #[error("{0}")]
    BadUrl(String),
    /// The PostgreSQL password file could not be read.
    #[error(
        "could not read the PostgreSQL password file {path}: {source}; check the path given to \
         --store-password-file (or PGPASSFILE)"
    )]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The PostgreSQL server could not be reached, or went away (a restart, a network fault): trying again later
    /// may succeed.
    #[error(
        "could not reach the PostgreSQL store {url}: {detail}; check that the server runs and the host and port \
         in the URL"
    )]
    Unreachable {
        /// The store's URL, without a password.
        url: String,
        /// What the driver said.
        detail: String,
    },
    /// The PostgreSQL server refused sealform's login or its use of the database.
    #[error(
        "the PostgreSQL store {url} refused sealform: {detail}; check the user and database in the URL, the \
         password file, and the user's rights on the database"
    )]
    Refused {
        /// The store's URL, without a password.
        url: String,
        /// What the server said.
        detail: String,
    },
    /// Any other PostgreSQL failure.
    #[error("the PostgreSQL store {url} failed: {detail}")]
    Postgres {
        /// The store's URL, without a password.
        url: String,
        /// What the server or the driver said.
        detail: String,
    },
    /// The store's work was cut short because the process is shutting down.
    #[error("the store's work was interrupted: the process is shutting down")]
    Interrupted,
}

impl StoreError {
    /// Whether trying again later may succeed (a lock, a full disk): what an HTTP server answers with 503.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Locked { .. } | Self::DiskFull { .. } | Self::Unreachable { .. }
        )
    }

    /// Names SQLite's failure by what a person can do about it.
    fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Locked { path },
            Some(ErrorCode::DiskFull) => Self::DiskFull { path },
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => Self::ReadOnly { path },
            Some(ErrorCode::CannotOpen) => Self::CannotOpen { path, source },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Self::NotAStore {
                path,
                detail: source.to_string(),
            },
            _ => Self::Sqlite { path, source },
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------------------------

/// Creates `path` as an empty file only its owner may read and write, unless something is there already, and the
/// folders it goes in if they are missing, only their owner may enter (0700): the folder also holds the `-wal`
/// and `-shm` files, and whoever may list or write in it may see them come and go or put files there. An empty
/// file is a valid empty SQLite database; SQLite would otherwise create it with mode 0644 (less the umask).
/// Failures are left for SQLite's own open to report, with its clearer messages.
fn create_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
        if let Some(folder) = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
        {
            // Folders already there keep their mode: they may be shared on purpose.
            let _ = std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(folder);
        }
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl Store {
    /// Opens the store at `path` for writing, creating it if missing. Fails with [`StoreError::Locked`] if another
    /// process is writing to it past the busy timeout, and [`StoreError::NewerVersion`] for a newer layout.
    ///
    /// A new store is created readable and writable by its owner only (0600), and so are its `-wal` and `-shm`
    /// files, which SQLite gives the main file's mode; missing folders on its path are created for their owner
    /// only (0700). An existing store, and folders already there, keep the mode they have.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        create_private(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        let mut store = Self {
            connection,
            path: path.to_path_buf(),
        };
        store.configure_writer()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store for reading only (it is never created or changed), e.g. while the receiver is
    /// writing to it: WAL lets readers and the writer work at once.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        let store = Self {
            connection,
            path: path.to_path_buf(),
        };
        store.sqlite(store.connection.busy_timeout(BUSY_TIMEOUT))?;
        match store.user_version()? {
            SCHEMA_VERSION => Ok(store),
            0 => Err(StoreError::NotAStore {
                path: store.path,
                detail: "it has no submissions table".into(),
            }),
            found if found < SCHEMA_VERSION => Err(StoreError::OlderVersion {
                path: store.path,
                found,
                reads: SCHEMA_VERSION,
            }),
            found => Err(store.newer(found)),
        }
    }

    /// The file this store is in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// WAL so readers never block the writer; `synchronous=FULL` so every commit is on disk (fsync of the WAL)
    /// before it returns, which is what lets the receiver promise "stored" with its 201.
    fn configure_writer(&mut self) -> Result<(), StoreError> {
        self.sqlite(self.connection.busy_timeout(BUSY_TIMEOUT))?;
        let mode: String = self.sqlite(self.connection.query_row(
            "PRAGMA journal_mode=WAL",
            [],
            |row| row.get(0),
        ))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NotAStore {
                path: self.path.clone(),
                detail: format!(
                    "SQLite could not switch it to WAL mode (it stayed in {mode} mode)"
                ),
            });
        }
        self.sqlite(self.connection.pragma_update(None, "synchronous", "FULL"))?;
        // A deleted bundle's bytes are overwritten with zeros rather than left in free pages.
        self.sqlite(self.connection.pragma_update(None, "secure_delete", "ON"))
    }

    /// Creates the table in a new store; checks the layout version of an existing one. Done in a write
    /// transaction, so opening also proves the store is writable and not locked.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&path, e))?;
        let found: i64 = transaction
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| StoreError::from_sqlite(&path, e))?;
        match found {
            SCHEMA_VERSION => {}
            found if found > SCHEMA_VERSION => {
                return Err(StoreError::NewerVersion {
                    path,
                    found,
                    reads: SCHEMA_VERSION,
                })
            }
            found if found >= 0 => {
                migrate::run(&transaction, found).map_err(|e| {
                    match StoreError::from_sqlite(&path, e) {
                        // A table already there without our version: some other program's database.
                        StoreError::Sqlite { source, .. } if found == 0 => StoreError::NotAStore {
                            path: path.clone(),
                            detail: source.to_string(),
                        },
                        other => other,
                    }
                })?;
            }
            found => {
                return Err(StoreError::NotAStore {
                    path,
                    detail: format!("unknown layout version {found}"),
                })
            }
        }
        transaction
            .commit()
            .map_err(|e| StoreError::from_sqlite(&path, e))
    }

    fn user_version(&self) -> Result<i64, StoreError> {
        self.sqlite(
            self.connection
                .query_row("PRAGMA user_version", [], |row| row.get(0)),
        )
    }

    fn newer(&self, found: i64) -> StoreError {
        StoreError::NewerVersion {
            path: self.path.clone(),
            found,
            reads: SCHEMA_VERSION,
        }
    }

    /// Begins a write transaction, taking the write lock now (so a busy store fails here, not half-way).
    fn immediate(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.clone();
        self.connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&path, e))
    }

    /// Turns a SQLite result into this store's error, naming the file.
    fn sqlite<T>(&self, result: rusqlite::Result<T>) -> Result<T, StoreError> {
        result.map_err(|e| StoreError::from_sqlite(&self.path, e))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------------

/// The receipt `new`'s sealing is already kept under — its own if these very bytes are — among the bundles
/// stored and those deleted after pickup (the firm has them: a resent copy would reappear in the inbox as new).
fn stored_as(
    transaction: &rusqlite::Transaction<'_>,
    new: &NewSubmission<'_>,
) -> rusqlite::Result<Option<String>> {
    transaction
        .prepare_cached(
            "SELECT receipt FROM ( \
                 SELECT receipt FROM submissions WHERE receipt = ?1 OR content = ?2 \
                 UNION ALL SELECT receipt FROM deleted WHERE receipt = ?1 OR content = ?2 \
             ) ORDER BY receipt = ?1 DESC LIMIT 1",
        )?
        .query_row(
            params![new.receipt.full(), new.content.to_string()],
            |row| row.get(0),
        )
        .optional()
}

/// One bundle to store with [`Store::insert_all`].
#[derive(Clone, Copy, Debug)]
pub struct NewSubmission<'a> {
    /// Its receipt id; must be `ReceiptId::of(bundle)`.
    pub receipt: &'a ReceiptId,
    /// Its sealing's identity, from the check that accepted it: `sealform_core::bundle::inspect(bundle)`'s
    /// `content`.
    pub content: &'a ContentId,
    /// The bundle's exact bytes.
    pub bundle: &'a [u8],
    /// When it was received.
    pub received_at: OffsetDateTime,
}

impl Store {
    /// Stores `bundle` under `receipt` (which must be its SHA-256) and commits, durably, before returning. The
    /// same bytes stored again are [`Inserted::AlreadyStored`], the same sealing from other bytes
    /// [`Inserted::SameContent`]: both still a success.
    pub fn insert(
        &mut self,
        receipt: &ReceiptId,
        content: &ContentId,
        bundle: &[u8],
        received_at: OffsetDateTime,
    ) -> Result<Inserted, StoreError> {
        let one = NewSubmission {
            receipt,
            content,
            bundle,
            received_at,
        };
        let mut results = self.insert_all(&[one])?;
        Ok(results.pop().unwrap_or(Inserted::AlreadyStored))
    }

    /// Stores several bundles in one transaction, with one commit (one fsync) for all: group commit, how a
    /// receiver keeps up with many clients at once. All are stored or, on an error, none. The results are in the
    /// order given; a receipt given twice is [`Inserted::AlreadyStored`] the second time.
    pub fn insert_all(
        &mut self,
        submissions: &[NewSubmission<'_>],
    ) -> Result<Vec<Inserted>, StoreError> {
        if let Some(bad) = submissions
            .iter()
            .find(|new| ReceiptId::of(new.bundle) != *new.receipt)
        {
            return Err(StoreError::ReceiptMismatch {
                receipt: *bad.receipt,
            });
        }
        let path = self.path.clone();
        let failed = |e| StoreError::from_sqlite(&path, e);
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let mut results = Vec::with_capacity(submissions.len());
        for new in submissions {
            let result = match stored_as(&transaction, new).map_err(failed)? {
                Some(first) if first == new.receipt.full() => Inserted::AlreadyStored,
                Some(first) => Inserted::SameContent {
                    first: parse_receipt(&path, &first)?,
                },
                None => {
                    transaction
                        .prepare_cached(
                            "INSERT INTO submissions (receipt, content, received_at, size, bundle) \
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                        )
                        .and_then(|mut statement| {
                            statement.execute(params![
                                new.receipt.full(),
                                new.content.to_string(),
                                rfc3339(new.received_at),
                                new.bundle.len() as i64,
                                new.bundle
                            ])
                        })
                        .map_err(failed)?;
                    Inserted::New
                }
            };
            results.push(result);
        }
        // Dropping an uncommitted transaction rolls it back, so an error above leaves nothing behind.
        transaction.commit().map_err(failed)?;
        Ok(results)
    }

    /// Checks that a write could happen now: takes the write lock and lets it go. What a health check asks.
    pub fn check_writable(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from_sqlite(&path, e))?;
        transaction
            .rollback()
            .map_err(|e| StoreError::from_sqlite(&path, e))
    }
}

/// RFC 3339 in UTC, e.g. `2026-11-22T10:15:00.123456Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    // Formatting a valid date as RFC 3339 fails only for years outside 0..=9999.
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "0000-01-01T00:00:00Z".into())
}

// ---------------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------------

impl Store {
    /// How many bundles are stored.
    pub fn count(&self) -> Result<u64, StoreError> {
        self.sqlite(
            self.connection
                .query_row("SELECT count(*) FROM submissions", [], |row| row.get(0)),
        )
    }

    /// Every receipt id, in the order they arrived.
    pub fn receipts(&self) -> Result<Vec<ReceiptId>, StoreError> {
        let mut statement = self.sqlite(
            self.connection
                .prepare_cached("SELECT receipt FROM submissions ORDER BY seq"),
        )?;
        let rows = self.sqlite(statement.query_map([], |row| row.get::<_, String>(0)))?;
        rows.map(|row| {
            let text = self.sqlite(row)?;
            parse_receipt(&self.path, &text)
        })
        .collect()
    }

    /// The bundle stored under `receipt`, if any.
    pub fn get(&self, receipt: &ReceiptId) -> Result<Option<StoredSubmission>, StoreError> {
        let mut statement = self
            .sqlite(self.connection.prepare_cached(
                "SELECT received_at, bundle FROM submissions WHERE receipt = ?1",
            ))?;
        let row = self.sqlite(
            statement
                .query_row([receipt.full()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
                })
                .optional(),
        )?;
        Ok(row.map(|(received_at, bundle)| StoredSubmission {
            receipt: *receipt,
            received_at,
            bundle,
        }))
    }

    /// Every stored bundle, oldest first, one at a time (so a large store is never all in memory). The list of
    /// receipts is taken when this is called; bundles stored after that are not included.
    pub fn submissions(&self) -> Result<Submissions<'_>, StoreError> {
        Ok(Submissions {
            store: self,
            receipts: self.receipts()?.into_iter(),
        })
    }
}

/// Reads a receipt column, naming the store if it is not a receipt id (a damaged or foreign file).
pub(crate) fn parse_receipt(path: &Path, text: &str) -> Result<ReceiptId, StoreError> {
    text.parse().map_err(|_| StoreError::NotAStore {
        path: path.to_path_buf(),
        detail: format!("the receipt {text:?} is not 64 lowercase hex digits"),
    })
}

/// The stored bundles, oldest first: see [`Store::submissions`].
#[derive(Debug)]
pub struct Submissions<'a> {
    store: &'a Store,
    receipts: std::vec::IntoIter<ReceiptId>,
}

impl Iterator for Submissions<'_> {
    type Item = Result<StoredSubmission, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        // A row listed a moment ago is never deleted (nothing deletes), so `None` from `get` cannot happen; skip
        // rather than fail if it ever does.
        loop {
            let receipt = self.receipts.next()?;
            match self.store.get(&receipt) {
                Ok(Some(stored)) => return Some(Ok(stored)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests;
