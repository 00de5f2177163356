//! The form configs the receiver has served, kept by the SHA-256 every submission records, so the firm's side can
//! always find the form a submission was filled in. Configs are public: the form serves them to anyone.

use rusqlite::{params, OptionalExtension as _};
use sealform_core::Sha256Digest;
use time::OffsetDateTime;

use crate::{rfc3339, Store, StoreError};

/// A config the receiver served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServedConfig {
    /// The SHA-256 of `bytes`.
    pub sha256: Sha256Digest,
    /// When the receiver first served it, RFC 3339 UTC.
    pub first_served_at: String,
    /// The config file's exact bytes.
    pub bytes: Vec<u8>,
}

impl Store {
    /// Keeps the config the receiver is about to serve (once; serving it again changes nothing) and returns its
    /// SHA-256.
    pub fn record_config(
        &mut self,
        bytes: &[u8],
        at: OffsetDateTime,
    ) -> Result<Sha256Digest, StoreError> {
        let sha256 = Sha256Digest::of(bytes);
        self.sqlite(self.connection.execute(
            "INSERT INTO configs (sha256, first_served_at, bytes) VALUES (?1, ?2, ?3) \
             ON CONFLICT (sha256) DO NOTHING",
            params![sha256.to_string(), rfc3339(at), bytes],
        ))?;
        Ok(sha256)
    }

    /// Every config served, oldest first.
    pub fn served_configs(&self) -> Result<Vec<ServedConfig>, StoreError> {
        let mut statement = self.sqlite(self.connection.prepare_cached(
            "SELECT sha256, first_served_at, bytes FROM configs ORDER BY first_served_at, sha256",
        ))?;
        let rows = self.sqlite(statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Vec<u8>>(2)?,
            ))
        }))?;
        rows.map(|row| {
            let (sha256, first_served_at, bytes) = self.sqlite(row)?;
            Ok(ServedConfig {
                sha256: self.parse_digest(&sha256)?,
                first_served_at,
                bytes,
            })
        })
        .collect()
    }

    /// The config with this SHA-256, if it was served.
    pub fn served_config(&self, sha256: &Sha256Digest) -> Result<Option<Vec<u8>>, StoreError> {
        let mut statement = self.sqlite(
            self.connection
                .prepare_cached("SELECT bytes FROM configs WHERE sha256 = ?1"),
        )?;
        self.sqlite(
            statement
                .query_row([sha256.to_string()], |row| row.get(0))
                .optional(),
        )
    }

    fn parse_digest(&self, text: &str) -> Result<Sha256Digest, StoreError> {
        text.parse().map_err(|_| StoreError::NotAStore {
            path: self.path.clone(),
            detail: format!("the config digest {text:?} is not 64 lowercase hex digits"),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn configs_are_kept_once_by_their_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sealform.db");
        let mut store = Store::open(&path).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let first = store.record_config(b"{\"id\":\"a\"}", now).unwrap();
        assert_eq!(store.record_config(b"{\"id\":\"a\"}", now).unwrap(), first);
        let second = store.record_config(b"{\"id\":\"b\"}", now).unwrap();
        let reader = Store::open_read_only(&path).unwrap();
        let all = reader.served_configs().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            reader.served_config(&second).unwrap().unwrap(),
            b"{\"id\":\"b\"}"
        );
        assert!(reader
            .served_config(&sealform_core::Sha256Digest::of(b"other"))
            .unwrap()
            .is_none());
    }
}
