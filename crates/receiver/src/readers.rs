//! Read-only connections to the store for the pickup API, kept for reuse: WAL lets them read while the writer
//! thread writes, and SQLite work runs off the async threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sealform_store::{Store, StoreError};

/// The most idle connections kept; more may be open at once under load, and are closed after use.
const KEEP_IDLE: usize = 8;

/// A pool of read-only store connections; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Readers {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Store>>>,
}

/// Why a read failed.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The store refused.
    Store(StoreError),
    /// The blocking task did not finish (the server is shutting down).
    Interrupted,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Store(error) => write!(f, "{error}"),
            Self::Interrupted => f.write_str("the read was interrupted"),
        }
    }
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path: Arc::new(path),
            idle: Arc::default(),
        }
    }

    /// Runs `read` with a connection, on a blocking thread.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ReadError> {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let store = pool.take()?;
            let result = read(&store);
            pool.give_back(store);
            result
        })
        .await
        .map_err(|_| ReadError::Interrupted)?
        .map_err(ReadError::Store)
    }

    fn take(&self) -> Result<Store, StoreError> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(store) => Ok(store),
            None => Store::open_read_only(&self.path),
        }
    }

    fn give_back(&self, store: Store) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEEP_IDLE {
                idle.push(store);
            }
        }
    }
}
