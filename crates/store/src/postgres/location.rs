//! Where a PostgreSQL store is: its `postgres://` URL (never with a password in it) and where its password comes
//! from — a file named by `--store-password-file`, or the libpq password file (`PGPASSFILE`, else `~/.pgpass`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::StoreError;

/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL store's URL, checked, and where its password comes from.
#[derive(Clone)]
pub struct PostgresLocation {
    config: tokio_postgres::Config,
    /// `postgres://USER@HOST:PORT/DATABASE`: what messages name.
    shown: String,
    password_file: Option<PathBuf>,
}

impl fmt::Debug for PostgresLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresLocation")
            .field("url", &self.shown)
            .field("password_file", &self.password_file)
            .finish()
    }
}

impl fmt::Display for PostgresLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl PostgresLocation {
    /// Whether `text` is meant as a PostgreSQL URL rather than a file's path.
    pub(crate) fn is_url(text: &str) -> bool {
        text.starts_with("postgres://") || text.starts_with("postgresql://")
    }

    /// The same store, its password read from the first line of `path`.
    pub fn with_password_file(self, path: PathBuf) -> Self {
        Self {
            password_file: Some(path),
            ..self
        }
    }

    /// The connection settings: the URL's, plus the password, `synchronous_commit = on` for every session (a
    /// commit returns once it is flushed to disk, whatever the server's default), read-only sessions when asked,
    /// and a connect timeout unless the URL gives one.
    pub(crate) fn connect_config(
        &self,
        read_only: bool,
    ) -> Result<tokio_postgres::Config, StoreError> {
        let mut config = self.config.clone();
        if let Some(password) = self.password()? {
            config.password(password);
        }
        let mut options = config.get_options().unwrap_or_default().to_owned();
        options.push_str(" -c synchronous_commit=on");
        if read_only {
            options.push_str(" -c default_transaction_read_only=on");
        }
        config.options(options.trim_start());
        if config.get_application_name().is_none() {
            config.application_name("sealform");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        Ok(config)
    }

    /// The TLS connector for sessions whose `sslmode` asks for TLS (`prefer`, the default, or `require`): rustls
    /// with the system's root certificates (`SSL_CERT_FILE` adds a private CA's), checking the server's
    /// certificate and its name. A server whose certificate does not check out is refused, even under `prefer`.
    pub(crate) fn tls(&self) -> Result<MakeRustlsConnect, StoreError> {
        let loaded = rustls_native_certs::load_native_certs();
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(loaded.certs);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Postgres {
                url: self.shown.clone(),
                detail: format!("TLS could not be set up: {e}"),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    /// The password: the first line of `--store-password-file`, else the first matching line of the libpq
    /// password file, else none (the server may not ask for one).
    fn password(&self) -> Result<Option<String>, StoreError> {
        if let Some(path) = &self.password_file {
            let text = read_secret(path)?;
            let line = text.lines().next().unwrap_or_default();
            return Ok(Some(line.to_owned()));
        }
        let Some(path) = pgpass_path() else {
            return Ok(None);
        };
        if !path.is_file() {
            return Ok(None);
        }
        if !private_to_owner(&path) {
            // As libpq does: a password file others may read is not used.
            tracing::warn!(
                "the password file {} may be read by other users, so it is ignored: chmod 0600 it",
                path.display()
            );
            return Ok(None);
        }
        Ok(pgpass_lookup(&read_secret(&path)?, &self.config))
    }
}

impl FromStr for PostgresLocation {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let config: tokio_postgres::Config = text.parse().map_err(|e| {
            StoreError::BadUrl(format!(
                "the store URL is not a PostgreSQL URL ({e}): write it as postgres://USER@HOST:PORT/DATABASE, \
                 with options such as ?sslmode=disable after it"
            ))
        })?;
        if config.get_password().is_some() {
            return Err(StoreError::BadUrl(
                "the store URL holds a password, which anyone on this machine could read in the process list: \
                 remove it from the URL and put it in a file given with --store-password-file (or in the \
                 PGPASSFILE password file)"
                    .into(),
            ));
        }
        let user = config.get_user().ok_or_else(|| {
            StoreError::BadUrl(
                "the store URL names no user: write it as postgres://USER@HOST:PORT/DATABASE"
                    .into(),
            )
        })?;
        let host =
            match config.get_hosts().first() {
                Some(Host::Tcp(host)) => host.clone(),
                Some(Host::Unix(path)) => path.display().to_string(),
                None => return Err(StoreError::BadUrl(
                    "the store URL names no host: write it as postgres://USER@HOST:PORT/DATABASE"
                        .into(),
                )),
            };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config.get_dbname().unwrap_or(user);
        let shown = format!("postgres://{user}@{host}:{port}/{database}");
        Ok(Self {
            config,
            shown,
            password_file: None,
        })
    }
}

/// Reads a file that holds a secret, naming it if that fails.
fn read_secret(path: &Path) -> Result<String, StoreError> {
    std::fs::read_to_string(path).map_err(|source| StoreError::PasswordFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Where libpq looks for passwords: `PGPASSFILE`, else `~/.pgpass`.
fn pgpass_path() -> Option<PathBuf> {
    std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".pgpass")))
}

/// Whether only the file's owner may read it.
fn private_to_owner(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o077 == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// The password of the first line of a libpq password file that matches the connection:
/// `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\` escaping.
fn pgpass_lookup(text: &str, config: &tokio_postgres::Config) -> Option<String> {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        // libpq names a socket connection "localhost" in the file.
        Some(Host::Unix(_)) | None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    let wanted = [host.as_str(), port.as_str(), database, user];
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields = pgpass_fields(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            [h, p, d, u]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field.as_str() == "*" || field.as_str() == want)
                .then(|| password.clone())
        })
        .next()
}

/// A password file line's fields, unescaped.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_shown_without_secrets() {
        let location: PostgresLocation =
            "postgres://sealform@db.example:6432/intake?sslmode=disable"
                .parse()
                .unwrap();
        assert_eq!(
            location.to_string(),
            "postgres://sealform@db.example:6432/intake"
        );
        let error = "postgres://sealform:hunter2@db.example/intake"
            .parse::<PostgresLocation>()
            .unwrap_err();
        assert!(
            error.to_string().contains("--store-password-file"),
            "{error}"
        );
        assert!(!error.to_string().contains("hunter2"), "{error}");
        let error = "postgres://db.example/intake"
            .parse::<PostgresLocation>()
            .unwrap_err();
        assert!(error.to_string().contains("no user"), "{error}");
        assert!("postgres://u@h/d?sslmode=sometimes"
            .parse::<PostgresLocation>()
            .is_err());
    }

    #[test]
    fn the_password_file_is_read_as_libpq_reads_it() {
        let config: tokio_postgres::Config = "postgres://sealform@db.example:6432/intake"
            .parse()
            .unwrap();
        let file = "# comment\n\
                    other.example:*:*:*:wrong\n\
                    db.example:6432:intake:sealform:pa\\:ss\\\\word\n\
                    *:*:*:*:fallback\n";
        assert_eq!(pgpass_lookup(file, &config).as_deref(), Some("pa:ss\\word"));
        assert_eq!(
            pgpass_lookup("*:*:*:*:fallback\n", &config).as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass_lookup("db.example:5432:*:*:x\n", &config), None);
    }
}
