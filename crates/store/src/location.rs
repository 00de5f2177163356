//! Where a store is — what `--store` names — and opening it: a SQLite file, or a PostgreSQL database, each behind
//! the one [`Backend`] interface.

use std::ffi::OsStr;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::Backend;
use crate::postgres::{PostgresBackend, PostgresLocation};
use crate::sqlite::SqliteBackend;
use crate::StoreError;

/// Where a store is: what `--store` names.
#[derive(Clone, Debug)]
pub enum Location {
    /// A SQLite file, created if missing: one receiver (readers beside it on the same machine).
    Sqlite(PathBuf),
    /// A PostgreSQL database that several receivers may share (boxed: its settings are large beside a path).
    Postgres(Box<PostgresLocation>),
}

impl Location {
    /// What `--store` was given: a `postgres://` or `postgresql://` URL, else a SQLite file's path.
    pub fn from_arg(arg: &OsStr) -> Result<Self, StoreError> {
        match arg.to_str() {
            Some(text) if PostgresLocation::is_url(text) => {
                Ok(Self::Postgres(Box::new(text.parse()?)))
            }
            _ => Ok(Self::Sqlite(PathBuf::from(arg))),
        }
    }

    /// The PostgreSQL password read from `path` (its first line) rather than from `PGPASSFILE`; refused for a
    /// SQLite file, which has no password.
    pub fn with_password_file(self, path: Option<PathBuf>) -> Result<Self, StoreError> {
        match (self, path) {
            (location, None) => Ok(location),
            (Self::Postgres(postgres), Some(path)) => {
                Ok(Self::Postgres(Box::new(postgres.with_password_file(path))))
            }
            (Self::Sqlite(_), Some(_)) => Err(StoreError::BadUrl(
                "--store-password-file is for a postgres:// store; a SQLite file has no password"
                    .into(),
            )),
        }
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Self {
        Self::Sqlite(path)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(postgres) => write!(f, "{postgres}"),
        }
    }
}

/// Opens the store at `location` for writing, creating or updating its layout first (PostgreSQL: under an
/// advisory lock, so receivers starting together do not race).
pub async fn open(location: &Location) -> Result<Arc<dyn Backend>, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => Arc::new(SqliteBackend::open(path.clone()).await?),
        Location::Postgres(postgres) => Arc::new(PostgresBackend::open(postgres, false).await?),
    })
}

/// Opens an existing store for reading only: it is never created, updated or changed.
pub async fn open_read_only(location: &Location) -> Result<Arc<dyn Backend>, StoreError> {
    Ok(match location {
        Location::Sqlite(path) => Arc::new(SqliteBackend::open_read_only(path.clone()).await?),
        Location::Postgres(postgres) => Arc::new(PostgresBackend::open(postgres, true).await?),
    })
}
