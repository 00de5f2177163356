//! The receiver's store, opened read-only for `open --store`: a SQLite file directly (one connection), or a
//! PostgreSQL database through the store's async interface on a small runtime of this reader's own.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use sealform_core::bundle::ReceiptId;
use sealform_store::{Backend, Location, ServedConfig, Store, StoreError, StoredSubmission};

use crate::error::Error;

/// What `--store` and `--store-password-file` name, checked: a SQLite file, or a `postgres://` URL without a
/// password in it.
pub(crate) fn store_location(
    store: &Path,
    password_file: Option<PathBuf>,
) -> Result<Location, Error> {
    Location::from_arg(store.as_os_str())
        .and_then(|location| location.with_password_file(password_file))
        .map_err(|e| Error::usage(format!("--store: {e}")))
}

/// An open store, read-only.
#[derive(Debug)]
pub(crate) enum StoreReader {
    /// One connection for every thread, behind a lock: a read holds it for the copy of one bundle, short beside
    /// opening it. A connection per read was tried: on 2,000 small bundles it cost 10–20 % more CPU (opening a
    /// connection reads the file's header and schema each time).
    Sqlite(Mutex<Store>),
    /// Reads are run to completion on `runtime`; the store's pool serves the threads that open bundles.
    Postgres {
        runtime: tokio::runtime::Runtime,
        store: Arc<dyn Backend>,
    },
}

impl StoreReader {
    /// Opens the store at `location` for reading only: it is never created or changed.
    pub(crate) fn open(location: &Location) -> Result<Self, StoreError> {
        match location {
            Location::Sqlite(path) => Ok(Self::Sqlite(Mutex::new(Store::open_read_only(path)?))),
            Location::Postgres(_) => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .map_err(|_| StoreError::Interrupted)?;
                let store = runtime.block_on(sealform_store::open_read_only(location))?;
                Ok(Self::Postgres { runtime, store })
            }
        }
    }

    /// Every receipt, in arrival order.
    pub(crate) fn receipts(&self) -> Result<Vec<ReceiptId>, StoreError> {
        match self {
            Self::Sqlite(store) => lock(store).receipts(),
            Self::Postgres { runtime, store } => runtime.block_on(store.receipts()),
        }
    }

    /// The bundle stored under `receipt`, if any.
    pub(crate) fn get(&self, receipt: &ReceiptId) -> Result<Option<StoredSubmission>, StoreError> {
        match self {
            Self::Sqlite(store) => lock(store).get(receipt),
            Self::Postgres { runtime, store } => runtime.block_on(store.get(*receipt)),
        }
    }

    /// Every form config the receiver served.
    pub(crate) fn served_configs(&self) -> Result<Vec<ServedConfig>, StoreError> {
        match self {
            Self::Sqlite(store) => lock(store).served_configs(),
            Self::Postgres { runtime, store } => runtime.block_on(store.served_configs()),
        }
    }
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}
