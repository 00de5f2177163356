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
mod location;
mod migrate;
mod pickup;
mod postgres;
mod sqlite;

pub use audit::AuditEvent;
pub use backend::{Backend, Submission};
pub use configs::ServedConfig;
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
mod tests {
    use super::*;
    use sealform_core::digest::Sha256Digest;

    fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealform.db");
        let store = Store::open(&path).unwrap();
        (dir, path, store)
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// A real bundle: one of core's test vectors, without its header.
    fn vector(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../core/tests/data/vectors/{name}.bundle",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).expect("the test vector");
        let at = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .expect("a header, then a blank line");
        bytes[at + 2..].to_vec()
    }

    /// The same bundle, written out as other bytes (JSON whitespace around it).
    fn respelt(bundle: &[u8], spaces: usize) -> Vec<u8> {
        [" ".repeat(spaces).as_bytes(), bundle].concat()
    }

    fn content(bundle: &[u8]) -> ContentId {
        sealform_core::bundle::inspect(bundle)
            .expect("a well-formed bundle")
            .content
    }

    #[test]
    fn one_sealing_is_stored_once_under_its_first_receipt() {
        let (_dir, _path, mut store) = temp_store();
        let first = vector("valid");
        let first_receipt = ReceiptId::of(&first);
        let variants = [respelt(&first, 1), respelt(&first, 2)];
        assert_eq!(
            store
                .insert(&first_receipt, &content(&first), &first, now())
                .unwrap(),
            Inserted::New
        );
        for variant in &variants {
            assert_eq!(
                store
                    .insert(&ReceiptId::of(variant), &content(variant), variant, now())
                    .unwrap(),
                Inserted::SameContent {
                    first: first_receipt
                }
            );
        }
        // In one batch as well: the second copy sees the first one's row.
        let other = vector("damaged-ciphertext");
        let other_variant = respelt(&other, 1);
        let receipts = [ReceiptId::of(&other), ReceiptId::of(&other_variant)];
        let contents = [content(&other), content(&other_variant)];
        let batch = [
            NewSubmission {
                receipt: &receipts[0],
                content: &contents[0],
                bundle: &other,
                received_at: now(),
            },
            NewSubmission {
                receipt: &receipts[1],
                content: &contents[1],
                bundle: &other_variant,
                received_at: now(),
            },
        ];
        assert_eq!(
            store.insert_all(&batch).unwrap(),
            [Inserted::New, Inserted::SameContent { first: receipts[0] }]
        );
        assert_eq!(store.receipts().unwrap(), [first_receipt, receipts[0]]);
    }

    #[test]
    fn a_store_of_the_second_layout_gets_content_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealform.db");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(migrate::LAYOUT_1).unwrap();
        old.execute_batch(migrate::LAYOUT_2).unwrap();
        old.pragma_update(None, "user_version", 2).unwrap();
        let valid = vector("valid");
        // Two copies of one sealing stored before layout 3 could tell them apart, another sealing, a row that is
        // no bundle.
        let rows = [
            valid.clone(),
            respelt(&valid, 1),
            vector("damaged-ciphertext"),
            b"not a bundle".to_vec(),
        ];
        for bundle in &rows {
            old.execute(
                "INSERT INTO submissions (receipt, received_at, size, bundle) VALUES (?1, ?2, ?3, ?4)",
                params![
                    ReceiptId::of(bundle).full(),
                    "2026-11-01T00:00:00Z",
                    bundle.len() as i64,
                    bundle
                ],
            )
            .unwrap();
        }
        drop(old);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        let stored: Vec<Option<String>> = store
            .connection
            .prepare("SELECT content FROM submissions ORDER BY seq")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            stored,
            [
                Some(content(&valid).to_string()),
                None,
                Some(content(&rows[2]).to_string()),
                None
            ]
        );
        // Every row is kept; a third copy is answered with the first receipt.
        assert_eq!(store.count().unwrap(), 4);
        let third = respelt(&valid, 3);
        assert_eq!(
            store
                .insert(&ReceiptId::of(&third), &content(&third), &third, now())
                .unwrap(),
            Inserted::SameContent {
                first: ReceiptId::of(&valid)
            }
        );
    }

    /// A stand-in content id for test bytes that are no bundle: one per byte string.
    pub(crate) fn content_of(bundle: &[u8]) -> ContentId {
        ContentId::from_digest(Sha256Digest::of(bundle))
    }

    #[test]
    fn stores_once_and_reads_back() {
        let (_dir, path, mut store) = temp_store();
        let bundle = b"{\"version\":1}".as_slice();
        let receipt = ReceiptId::of(bundle);
        assert_eq!(
            store
                .insert(&receipt, &content_of(bundle), bundle, now())
                .unwrap(),
            Inserted::New
        );
        assert_eq!(
            store
                .insert(&receipt, &content_of(bundle), bundle, now())
                .unwrap(),
            Inserted::AlreadyStored
        );
        assert_eq!(store.count().unwrap(), 1);
        drop(store);

        let store = Store::open_read_only(&path).unwrap();
        assert_eq!(store.receipts().unwrap(), vec![receipt]);
        let stored = store.get(&receipt).unwrap().unwrap();
        assert_eq!(stored.bundle, bundle);
        assert!(stored.received_at.ends_with('Z'), "{}", stored.received_at);
        OffsetDateTime::parse(&stored.received_at, &Rfc3339).unwrap();
        assert!(store.get(&ReceiptId::of(b"other")).unwrap().is_none());
        let all: Vec<_> = store.submissions().unwrap().map(Result::unwrap).collect();
        assert_eq!(all, vec![stored]);
    }

    #[test]
    fn the_layout_is_as_documented() {
        let (_dir, _path, store) = temp_store();
        let columns = |table: &str| -> Vec<String> {
            let mut statement = store
                .connection
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                ))
                .unwrap();
            statement
                .query_map([], |row| row.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(
            columns("submissions"),
            [
                "seq",
                "receipt",
                "received_at",
                "size",
                "collected_at",
                "bundle",
                "content"
            ]
        );
        assert_eq!(
            columns("deleted"),
            [
                "receipt",
                "received_at",
                "collected_at",
                "deleted_at",
                "content"
            ]
        );
        assert_eq!(columns("configs"), ["sha256", "first_served_at", "bytes"]);
        assert_eq!(columns("audit"), ["seq", "line"]);
        let secure_delete: i64 = store
            .connection
            .query_row("PRAGMA secure_delete", [], |row| row.get(0))
            .unwrap();
        assert_eq!(secure_delete, 1);
        let mode: String = store
            .connection
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let synchronous: i64 = store
            .connection
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_batch_is_one_commit_and_all_or_nothing() {
        let (_dir, _path, mut store) = temp_store();
        let bundles: Vec<Vec<u8>> = (0..5).map(|i| format!("bundle {i}").into_bytes()).collect();
        let receipts: Vec<ReceiptId> = bundles.iter().map(|b| ReceiptId::of(b)).collect();
        let contents: Vec<ContentId> = bundles.iter().map(|b| content_of(b)).collect();
        let mut batch: Vec<NewSubmission<'_>> = bundles
            .iter()
            .zip(receipts.iter().zip(&contents))
            .map(|(bundle, (receipt, content))| NewSubmission {
                receipt,
                content,
                bundle,
                received_at: now(),
            })
            .collect();
        batch.push(batch[0]);
        let results = store.insert_all(&batch).unwrap();
        assert_eq!(results[..5], [Inserted::New; 5]);
        assert_eq!(results[5], Inserted::AlreadyStored);
        assert_eq!(store.count().unwrap(), 5);

        // One bad entry: nothing of the batch is stored.
        let fresh = b"fresh".as_slice();
        let fresh_receipt = ReceiptId::of(fresh);
        let wrong = ReceiptId::of(b"not these bytes");
        let content = content_of(fresh);
        let error = store
            .insert_all(&[
                NewSubmission {
                    receipt: &fresh_receipt,
                    content: &content,
                    bundle: fresh,
                    received_at: now(),
                },
                NewSubmission {
                    receipt: &wrong,
                    content: &content,
                    bundle: fresh,
                    received_at: now(),
                },
            ])
            .unwrap_err();
        assert!(
            matches!(error, StoreError::ReceiptMismatch { .. }),
            "{error}"
        );
        assert_eq!(store.count().unwrap(), 5);
    }

    #[test]
    fn a_store_of_the_first_layout_is_migrated_with_its_bundles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealform.db");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(migrate::LAYOUT_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        let bundles = [b"second".as_slice(), b"first".as_slice()];
        for (bundle, at) in bundles
            .iter()
            .zip(["2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z"])
        {
            old.execute(
                "INSERT INTO submissions (receipt, received_at, bundle) VALUES (?1, ?2, ?3)",
                params![ReceiptId::of(bundle).full(), at, bundle],
            )
            .unwrap();
        }
        drop(old);
        let error = Store::open_read_only(&path).unwrap_err();
        assert!(
            matches!(error, StoreError::OlderVersion { found: 1, .. }),
            "{error}"
        );
        let store = Store::open(&path).unwrap();
        assert_eq!(store.user_version().unwrap(), SCHEMA_VERSION);
        let listed = store.inbox(0, 10, true).unwrap();
        let receipts: Vec<_> = listed.items.iter().map(|item| item.receipt).collect();
        assert_eq!(
            receipts,
            [ReceiptId::of(b"first"), ReceiptId::of(b"second")],
            "arrival order kept"
        );
        assert_eq!(listed.items[0].size, 5);
        assert_eq!(
            store.get(&ReceiptId::of(b"first")).unwrap().unwrap().bundle,
            b"first"
        );
    }

    #[test]
    fn a_newer_store_is_refused_by_name() {
        let (_dir, path, store) = temp_store();
        store
            .connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(store);
        for error in [
            Store::open(&path).unwrap_err(),
            Store::open_read_only(&path).unwrap_err(),
        ] {
            assert!(
                matches!(error, StoreError::NewerVersion { found, .. } if found == SCHEMA_VERSION + 1),
                "{error}"
            );
            assert!(error.to_string().contains("newer sealform"), "{error}");
        }
    }

    #[test]
    fn other_files_are_not_stores() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "x".repeat(4096)).unwrap();
        let error = Store::open(&text).unwrap_err();
        assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");

        let missing = dir.path().join("missing.db");
        let error = Store::open_read_only(&missing).unwrap_err();
        assert!(matches!(error, StoreError::Missing { .. }), "{error}");
        assert!(!missing.exists(), "reading never creates a store");

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute("CREATE TABLE submissions (x)", [])
            .unwrap();
        let error = Store::open(&other).unwrap_err();
        assert!(matches!(error, StoreError::NotAStore { .. }), "{error}");
    }

    #[test]
    fn a_held_write_lock_is_named() {
        let (_dir, path, mut store) = temp_store();
        let other = Connection::open(&path).unwrap();
        other.busy_timeout(Duration::ZERO).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        // Shorten the wait: the lock is never released during this test.
        store
            .connection
            .busy_timeout(Duration::from_millis(50))
            .unwrap();
        let bundle = b"x".as_slice();
        let error = store
            .insert(&ReceiptId::of(bundle), &content_of(bundle), bundle, now())
            .unwrap_err();
        assert!(matches!(error, StoreError::Locked { .. }), "{error}");
        assert!(error.is_transient());
        assert!(
            error.to_string().contains("locked by another process"),
            "{error}"
        );
        assert!(store.check_writable().is_err());
        other.execute_batch("ROLLBACK").unwrap();
        store.check_writable().unwrap();
    }

    #[test]
    fn readers_see_commits_while_the_writer_works() {
        let (_dir, path, mut store) = temp_store();
        let reader = Store::open_read_only(&path).unwrap();
        assert_eq!(reader.count().unwrap(), 0);
        let bundle = b"y".as_slice();
        store
            .insert(&ReceiptId::of(bundle), &content_of(bundle), bundle, now())
            .unwrap();
        assert_eq!(reader.count().unwrap(), 1);
    }

    #[test]
    fn a_new_store_and_its_wal_files_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let (_dir, path, mut store) = temp_store();
        let bundle = b"private".as_slice();
        store
            .insert(&ReceiptId::of(bundle), &content_of(bundle), bundle, now())
            .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
        }
    }

    #[test]
    fn missing_folders_are_created_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("receiver");
        let path = parent.join("data").join("sealform.db");
        Store::open(&path).unwrap();
        for folder in [&parent, &parent.join("data")] {
            let mode = std::fs::metadata(folder).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{} is {mode:o}", folder.display());
        }
        // A folder that was there already keeps its mode.
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o750)).unwrap();
        Store::open(&shared.join("sealform.db")).unwrap();
        let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o750);
    }

    #[test]
    fn an_unwritable_folder_is_named() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("ro");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let result = Store::open(&locked.join("sealform.db"));
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        // Root ignores permissions; then there is nothing to check.
        if let Err(error) = result {
            assert!(
                matches!(
                    error,
                    StoreError::CannotOpen { .. } | StoreError::ReadOnly { .. }
                ),
                "{error}"
            );
        }
    }
}
