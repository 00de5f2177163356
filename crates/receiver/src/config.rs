//! What the receiver is told to do, checked before it starts: the firm's form config, the built form, where to
//! store, and the limits. Every refusal here is a [`StartError`] that says what to do.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::HeaderValue;
use sealform_core::key::Kid;
use sealform_core::protocol::pickup::AllowedToken;
use sealform_core::schema::{FormSchema, SchemaError, Template};
use sealform_store::{Location, StoreError};

use crate::notify::{NotifyError, NotifySettings};

/// The most leading zero bits `--pow-bits` may ask for: 2^32 hashes is minutes of a phone's time already.
pub const MAX_POW_BITS: u8 = 32;

/// How long an acknowledged bundle stays on the receiver by default: a week, so a stolen `collect` token cannot
/// destroy what the firm has not yet opened.
pub const DEFAULT_KEEP_AFTER_PICKUP: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The least default in-flight body budget, however small the form's limits: bodies of small submissions are
/// many.
pub const MIN_DEFAULT_INFLIGHT_BYTES: u64 = 256 * 1024 * 1024;

/// File descriptors the default connection cap leaves to everything else: the store (its file, WAL and shared
/// memory), the pickup API's read connections, the webhook client's sockets, the listener, the standard streams and
/// the runtime's own.
const DESCRIPTOR_HEADROOM: u64 = 64;
/// The default connection cap is never below this, whatever the descriptor limit.
const MIN_DEFAULT_CONNECTIONS: usize = 16;
/// Nor above this: far more than a firm's intake form needs at once, and a bound on the memory they can take.
const MAX_DEFAULT_CONNECTIONS: usize = 4096;

/// The default cap on connections open at once: half of the file descriptors left after
/// a headroom of 64 (a request for a file of the form holds that file open beside its socket), at least
/// 16 and at most 4,096. With the usual limit of 1,024 descriptors: 480.
pub fn default_max_connections() -> usize {
    connections_for(descriptor_limit())
}

/// The process's soft limit on open file descriptors (`ulimit -n`); `None` if unlimited.
fn descriptor_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// The connection cap a descriptor limit leaves room for, within the default's bounds.
fn connections_for(limit: Option<u64>) -> usize {
    limit.map_or(MAX_DEFAULT_CONNECTIONS, |limit| {
        usize::try_from(room_for_connections(limit))
            .unwrap_or(usize::MAX)
            .clamp(MIN_DEFAULT_CONNECTIONS, MAX_DEFAULT_CONNECTIONS)
    })
}

/// How many connections a descriptor limit has room for: half of it, once the headroom is set aside.
fn room_for_connections(limit: u64) -> u64 {
    limit.saturating_sub(DESCRIPTOR_HEADROOM) / 2
}

/// Warns when `max_connections` is more than the descriptor limit has room for: accepts would then fail (and be
/// retried) rather than idle connections make way.
pub(crate) fn warn_if_descriptors_short(max_connections: usize) {
    let Some(limit) = descriptor_limit() else {
        return;
    };
    if max_connections as u64 > room_for_connections(limit) {
        tracing::warn!(
            "--max-connections {max_connections} is more than the file-descriptor limit ({limit}) has room for: \
             raise the limit (ulimit -n, or LimitNOFILE= under systemd) to at least {}",
            max_connections as u64 * 2 + DESCRIPTOR_HEADROOM
        );
    }
}

/// The firm's form config, as read from its file: checked, and the exact bytes kept to serve as `/config.json`
/// (the form records their SHA-256 in every submission, so they must not be re-serialised).
#[derive(Clone, Debug)]
pub struct FormConfig {
    schema: FormSchema,
    bytes: Vec<u8>,
}

impl FormConfig {
    /// Reads and checks the form config at `path`; it must list at least one recipient.
    pub fn load(path: &Path) -> Result<Self, StartError> {
        let bytes = std::fs::read(path).map_err(|source| StartError::ConfigUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(bytes, path)
    }

    /// Checks a form config already read from `path` (named in errors).
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self, StartError> {
        let invalid = |source| StartError::ConfigInvalid {
            path: path.to_path_buf(),
            source,
        };
        // Read as a template first, so that the commonest mistake — no key yet — gets its own advice.
        let template = Template::from_json(&bytes).map_err(invalid)?;
        if template.schema().recipients.is_empty() {
            return Err(StartError::NoRecipients {
                path: path.to_path_buf(),
            });
        }
        let schema = FormSchema::from_json(&bytes).map_err(invalid)?;
        Ok(Self { schema, bytes })
    }

    /// The checked form definition.
    pub fn schema(&self) -> &FormSchema {
        &self.schema
    }

    /// The file's exact bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key ids every bundle must be sealed for: all of them, and no others.
    pub fn kids(&self) -> Vec<Kid> {
        let mut kids: Vec<Kid> = self
            .schema
            .recipients
            .iter()
            .map(|r| r.kid().clone())
            .collect();
        kids.sort();
        kids
    }

    /// The largest body a bundle within this form's limits can need ([`Limits::max_bundle_bytes`]: the same bound
    /// the firm's CLI reads bundles up to).
    ///
    /// [`Limits::max_bundle_bytes`]: sealform_core::schema::Limits::max_bundle_bytes
    pub fn max_body(&self) -> u64 {
        self.schema.limits.max_bundle_bytes()
    }
}

/// An origin allowed to embed the form and call the API from the browser (core's one origin check).
pub use sealform_core::origin::{Origin, OriginError};

/// The origin as a header value, for CORS.
pub(crate) fn header_value(origin: &Origin) -> HeaderValue {
    // Core's check lets through only letters, digits and `:/.-[]`, all valid in a header.
    HeaderValue::from_str(origin.as_str()).unwrap_or_else(|_| HeaderValue::from_static("null"))
}

/// Requests per client IP address allowed to the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// The sustained rate, per minute.
    pub per_minute: NonZeroU32,
    /// How many may come at once before the rate applies.
    pub burst: NonZeroU32,
}

/// Proof of work asked of each submission (see `docs/RECEIVER.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PowSettings {
    /// Leading zero bits the solution's SHA-256 must have: the client does about 2^bits hashes.
    pub bits: u8,
    /// How long a challenge stays valid.
    pub ttl: Duration,
}

/// Everything the receiver needs to start. [`Config::new`] fills in the defaults.
#[derive(Clone, Debug)]
pub struct Config {
    /// The firm's form config, served as `/config.json`; its recipients are the keys bundles must be sealed for.
    pub form: FormConfig,
    /// The built form (Trunk's `dist/`), served at `/`.
    pub dist: PathBuf,
    /// The store: a SQLite file, created if missing, or a PostgreSQL database, its layout created if missing.
    pub store: Location,
    /// The address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// Origins allowed to embed the form (`frame-ancestors`) and to call the API (CORS).
    pub allow_origins: Vec<Origin>,
    /// Proof of work, off unless set.
    pub pow: Option<PowSettings>,
    /// The largest request body accepted (413 beyond it).
    pub max_body: u64,
    /// The most bytes of request bodies held at once, across all uploads (503 for an upload that would go beyond
    /// it); `None`: [`Config::max_inflight_bytes`]'s default. A body is counted from before it is read (by its
    /// declared length) until it is stored.
    pub inflight_bytes: Option<u64>,
    /// The API's per-client rate limit, off unless set.
    pub rate_limit: Option<RateLimit>,
    /// The longest a whole request may take (408 beyond it).
    pub request_timeout: Duration,
    /// The longest a submission's body may take to arrive (408 beyond it): slow clients cannot hold a
    /// connection open for ever.
    pub body_timeout: Duration,
    /// The longest a client may take to send a request's headers before the connection is closed.
    pub header_timeout: Duration,
    /// Connections open at once. At the cap, the connection idle longest (no request under way) is closed to make
    /// room for a new one; when none is idle, new ones wait to be accepted.
    pub max_connections: usize,
    /// The pickup tokens accepted (by their SHA-256, each with its scope); none: the pickup API refuses everyone.
    pub pickup_tokens: Vec<AllowedToken>,
    /// How long an acknowledged bundle is kept before it is deleted (zero: at once).
    pub keep_after_pickup: Duration,
    /// Content-free notices of new submissions to the firm's webhook, off unless set.
    pub notify: Option<NotifySettings>,
    /// How many days a saved draft is kept (`sealform_core::protocol::draft`); 0: this receiver keeps no drafts.
    pub draft_days: u32,
    /// The largest sealed draft kept (413 beyond it).
    pub draft_max_bytes: usize,
}

impl Config {
    /// A configuration with the defaults: the body limit from the form's limits, the in-flight body budget from
    /// that ([`Config::max_inflight_bytes`]), no proof of work, no rate
    /// limit, a 60 s request timeout, a 30 s body timeout, a 10 s header timeout, the connection cap from the
    /// descriptor limit ([`default_max_connections`]), no pickup tokens and a keep period after pickup of
    /// [`DEFAULT_KEEP_AFTER_PICKUP`], drafts kept for `protocol::draft::DEFAULT_DAYS` up to `DEFAULT_MAX_BYTES`.
    pub fn new(
        form: FormConfig,
        dist: PathBuf,
        store: impl Into<Location>,
        listen: SocketAddr,
    ) -> Self {
        Self {
            max_body: form.max_body(),
            inflight_bytes: None,
            form,
            dist,
            store: store.into(),
            listen,
            allow_origins: Vec::new(),
            pow: None,
            rate_limit: None,
            request_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_connections: default_max_connections(),
            pickup_tokens: Vec::new(),
            keep_after_pickup: DEFAULT_KEEP_AFTER_PICKUP,
            notify: None,
            draft_days: sealform_core::protocol::draft::DEFAULT_DAYS,
            draft_max_bytes: sealform_core::protocol::draft::DEFAULT_MAX_BYTES,
        }
    }

    /// The in-flight body budget: [`Config::inflight_bytes`] if set, else four of the largest bodies or
    /// [`MIN_DEFAULT_INFLIGHT_BYTES`], whichever is more.
    pub fn max_inflight_bytes(&self) -> u64 {
        self.inflight_bytes.unwrap_or_else(|| {
            self.max_body
                .saturating_mul(4)
                .max(MIN_DEFAULT_INFLIGHT_BYTES)
        })
    }

    /// Checks what can be checked without starting: the built form is there and the settings make sense.
    pub fn check(&self) -> Result<(), StartError> {
        if !self.dist.join("index.html").is_file() {
            return Err(StartError::DistMissing {
                dir: self.dist.clone(),
            });
        }
        if self.max_inflight_bytes() < self.max_body {
            return Err(StartError::InflightBelowMaxBody {
                inflight: self.max_inflight_bytes(),
                max_body: self.max_body,
            });
        }
        if self.max_connections == 0 {
            return Err(StartError::NoConnections);
        }
        if let Some(pow) = self.pow {
            if pow.bits == 0 || pow.bits > MAX_POW_BITS {
                return Err(StartError::PowBits { bits: pow.bits });
            }
        }
        Ok(())
    }
}

/// Why the receiver did not start. Each message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The form config file could not be read.
    #[error("could not read the form config {path}: {source}; check the path given to --config")]
    ConfigUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The form config is not a valid form definition.
    #[error("the form config {path} is not valid:\n{source}")]
    ConfigInvalid {
        /// The file.
        path: PathBuf,
        /// Every problem, each with its JSON path.
        source: SchemaError,
    },
    /// The form config names no key to seal for.
    #[error(
        "the form config {path} has no recipients: add the firm's public key to \"recipients\": run `sealform \
         keygen` and paste the JSON it prints"
    )]
    NoRecipients {
        /// The file.
        path: PathBuf,
    },
    /// The firm's config or the form's page could not be written, with their compressed forms, to a private
    /// temporary folder.
    #[error(
        "could not prepare the form config and page for serving in a temporary folder: {source}; check that \
         TMPDIR (or /tmp) exists and is writable"
    )]
    ConfigCache {
        /// Why.
        source: std::io::Error,
    },
    /// The built form's page could not be read.
    #[error(
        "could not read the form's page {path}: {source}; rebuild the form with `trunk build`"
    )]
    PageUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The built form is not where `--dist` says.
    #[error(
        "{dir} has no index.html: build the form with `trunk build` first, or point --dist at the folder Trunk \
         built"
    )]
    DistMissing {
        /// The folder.
        dir: PathBuf,
    },
    /// An `--allow-origin` is not an origin.
    #[error(
        "--allow-origin {}: give the scheme and host (and port, if any) of the firm's site, like \
         https://www.example-law.co.uk",
        .0
    )]
    BadOrigin(#[from] OriginError),
    /// `--pow-bits` out of range.
    #[error("--pow-bits {bits}: use 1 to {MAX_POW_BITS} (16 to 20 is a few hundred milliseconds in a browser)")]
    PowBits {
        /// What was given.
        bits: u8,
    },
    /// `--max-inflight-bytes` below `--max-body`: the largest submission could never be taken.
    #[error(
        "--max-inflight-bytes {inflight} is less than the largest submission accepted ({max_body} bytes, \
         --max-body), which could then never be received: give at least {max_body}"
    )]
    InflightBelowMaxBody {
        /// The budget.
        inflight: u64,
        /// The body limit.
        max_body: u64,
    },
    /// `--max-connections 0`.
    #[error(
        "--max-connections 0 would refuse everyone: give at least 1, or leave it out for a cap from the \
         file-descriptor limit"
    )]
    NoConnections,
    /// The listening address is taken.
    #[error("{addr} is in use; choose another with --listen")]
    AddrInUse {
        /// The address.
        addr: SocketAddr,
    },
    /// Listening failed for another reason.
    #[error("could not listen on {addr}: {source}; choose another address with --listen")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The store could not be opened for writing.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Notifications (`--notify-url`) could not be set up.
    #[error("{0}")]
    Notify(#[from] NotifyError),
    /// The process began shutting down while the receiver was starting.
    #[error("the receiver was stopped while starting")]
    Interrupted,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::schema::LEGAL_INTAKE_TEMPLATE;

    #[test]
    fn the_default_connection_cap_leaves_room_in_the_descriptor_limit() {
        assert_eq!(connections_for(Some(1024)), 480);
        assert_eq!(connections_for(Some(256)), 96);
        assert_eq!(connections_for(Some(20)), MIN_DEFAULT_CONNECTIONS);
        assert_eq!(connections_for(Some(1 << 20)), MAX_DEFAULT_CONNECTIONS);
        assert_eq!(connections_for(None), MAX_DEFAULT_CONNECTIONS);
        let limit = descriptor_limit();
        assert_eq!(default_max_connections(), connections_for(limit));
    }

    #[test]
    fn a_config_without_keys_says_to_run_keygen() {
        let error = FormConfig::from_bytes(LEGAL_INTAKE_TEMPLATE.into(), Path::new("form.json"))
            .unwrap_err();
        assert!(error.to_string().contains("sealform keygen"), "{error}");
    }

    #[test]
    fn an_invalid_config_names_the_place() {
        let broken = LEGAL_INTAKE_TEMPLATE.replacen("\"endpoint\"", "\"endpiont\"", 1);
        let error = FormConfig::from_bytes(broken.into(), Path::new("form.json")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with("the form config form.json is not valid"),
            "{text}"
        );
        assert!(text.contains("endpiont"), "{text}");
    }
}
