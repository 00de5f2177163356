//! `sealform serve`: runs the receiver (`sealform-receiver`) — the form, its config and the submissions API —
//! until interrupted. Its options (`cli.rs`'s `ServeArgs`, and `ServerArgs`, shared with `demo`) become the
//! receiver's checked configuration here.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use sealform_core::protocol::pickup::AllowedToken;
use sealform_receiver::{
    Config as ReceiverConfig, FormConfig, NotifySettings, Origin, PowSettings, RateLimit, Server,
    StartError,
};
use sealform_store::Location;

use crate::cli::{NotifyArgs, ServeArgs, ServerArgs};
use crate::error::{Error, Exit};
use crate::stored::store_location;

impl NotifyArgs {
    /// The checked settings, or none without --notify-url.
    fn settings(&self) -> Result<Option<NotifySettings>, Error> {
        let (Some(url), Some(secret)) = (&self.notify_url, &self.notify_secret_file) else {
            return Ok(None);
        };
        let every = self.notify_every.map(Duration::from_secs);
        NotifySettings::new(url, secret, every)
            .map(Some)
            .map_err(start_error)
    }
}

/// How long a proof-of-work challenge stays valid: long enough for a slow phone, short enough to bound the list of
/// spent challenges.
const POW_TTL: Duration = Duration::from_secs(300);
/// Requests from one address allowed at once before the per-minute rate applies: a person resubmitting after a
/// network error must never be refused.
const RATE_BURST: u32 = 10;

impl ServerArgs {
    /// The receiver's configuration for `form`, from these options; `store`, `listen` and `origins` come from the
    /// subcommand.
    pub(crate) fn receiver_config(
        &self,
        form: FormConfig,
        store: impl Into<Location>,
        listen: SocketAddr,
        origins: Vec<Origin>,
    ) -> Result<ReceiverConfig, Error> {
        let mut config = ReceiverConfig::new(form, self.dist.clone(), store, listen);
        config.allow_origins = origins;
        config.pow = self.pow_bits.map(|bits| PowSettings { bits, ttl: POW_TTL });
        if let Some(max_body) = self.max_body {
            config.max_body = max_body;
        }
        config.inflight_bytes = self.max_inflight_bytes;
        if let Some(max_connections) = self.max_connections {
            config.max_connections = max_connections;
        }
        config.rate_limit = NonZeroU32::new(self.rate_limit).map(|per_minute| RateLimit {
            per_minute,
            burst: NonZeroU32::new(RATE_BURST.max(self.rate_limit / 6)).unwrap_or(NonZeroU32::MIN),
        });
        config.pickup_tokens = self.pickup_tokens()?;
        config.keep_after_pickup =
            Duration::from_secs(u64::from(self.keep_after_pickup) * DAY_SECS);
        config.draft_days = self.draft_days;
        config.draft_max_bytes = self.draft_max_bytes;
        config.check().map_err(start_error)?;
        Ok(config)
    }
}

/// Seconds in a day, for `--keep-after-pickup`.
const DAY_SECS: u64 = 24 * 60 * 60;

impl ServerArgs {
    /// Every pickup token hash given, on the command line and in `--pickup-tokens`, checked.
    fn pickup_tokens(&self) -> Result<Vec<AllowedToken>, Error> {
        let mut tokens = self
            .pickup_tokens
            .iter()
            .map(|text| {
                text.parse()
                    .map_err(|e| Error::usage(format!("--pickup-token-sha256: {e}")))
            })
            .collect::<Result<Vec<AllowedToken>, Error>>()?;
        if let Some(path) = &self.pickup_token_file {
            tokens.extend(read_token_file(path)?);
        }
        Ok(tokens)
    }
}

/// Reads a file of token hashes: `HEX` or `HEX:read` per line, blank lines and `#` comments ignored.
fn read_token_file(path: &std::path::Path) -> Result<Vec<AllowedToken>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "could not read the pickup token hashes {}: {e}; check the path given to --pickup-tokens",
            path.display()
        ))
    })?;
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.split('#').next().unwrap_or_default().trim();
            (!line.is_empty()).then_some((index + 1, line))
        })
        .map(|(number, line)| {
            line.parse()
                .map_err(|e| Error::usage(format!("{} line {number}: {e}", path.display())))
        })
        .collect()
}

/// What to do, checked: the config is read and every option validated before anything listens.
struct Config {
    receiver: ReceiverConfig,
}

impl Config {
    fn new(args: ServeArgs) -> Result<Self, Error> {
        let path = args
            .config
            .as_deref()
            .ok_or_else(|| Error::usage("give the form config with --config FORM.json"))?;
        let store = store_location(&args.store, args.store_password_file.clone())?;
        let form = FormConfig::load(path).map_err(start_error)?;
        let origins = parse_origins(&args.allow_origins)?;
        let mut receiver = args
            .server
            .receiver_config(form, store, args.listen, origins)?;
        receiver.notify = args.notify.settings()?;
        Ok(Self { receiver })
    }
}

/// Runs `sealform serve`.
pub(crate) fn run(args: ServeArgs) -> Result<Exit, Error> {
    if args.purge_collected_now {
        let store = store_location(&args.store, args.store_password_file)?;
        return purge_collected_now(&store);
    }
    let config = Config::new(args)?;
    init_logging();
    runtime()?.block_on(async move {
        let server = Server::bind(config.receiver).await.map_err(start_error)?;
        eprintln!(
            "sealform serve: listening on http://{} (Ctrl-C stops)",
            server.local_addr()
        );
        server.run(interrupted()).await.map_err(stopped)?;
        Ok(Exit::Success)
    })
}

/// How the audit trail names an operator's purge.
const PURGE_ACTOR: &str = "operator:purge-collected-now";

/// `--purge-collected-now`: deletes every acknowledged bundle from the store, and says how many.
fn purge_collected_now(location: &Location) -> Result<Exit, Error> {
    if let Location::Sqlite(path) = location {
        if !path.exists() {
            return Err(Error::usage(format!(
                "there is no store at {}: check the path given to --store",
                path.display()
            )));
        }
    }
    let (deleted, waiting, name) = runtime()?.block_on(async {
        let store = sealform_store::open(location).await.map_err(start_error)?;
        let now = time::OffsetDateTime::now_utc();
        let deleted = store
            .delete_collected(now, now, PURGE_ACTOR.to_owned())
            .await
            .map_err(|e| Error::failed(e.to_string()))?;
        let waiting = store
            .uncollected()
            .await
            .map_err(|e| Error::failed(e.to_string()))?;
        Ok::<_, Error>((deleted, waiting, store.describe()))
    })?;
    eprintln!(
        "sealform serve: deleted {} collected bundle{} from {name}; {} not yet collected (never deleted)",
        deleted.len(),
        if deleted.len() == 1 { "" } else { "s" },
        waiting.count,
    );
    Ok(Exit::Success)
}

/// The origins given to `--allow-origin`, checked.
pub(crate) fn parse_origins(given: &[String]) -> Result<Vec<Origin>, Error> {
    given
        .iter()
        .map(|origin| {
            origin
                .parse()
                .map_err(|e| start_error(StartError::BadOrigin(e)))
        })
        .collect()
}

/// A multi-threaded tokio runtime: SQLite writes and bundle parsing run on their own threads beside it.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::usage(format!("could not start the server's runtime: {e}")))
}

/// Logs to standard error: one line per request (never bodies), at `info` unless `RUST_LOG` says otherwise.
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Fails only if a logger is already installed (a second server in the same process): keep that one.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Completes on Ctrl-C (SIGINT).
pub(crate) async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling here: run until killed.
        std::future::pending::<()>().await;
    }
    eprintln!("sealform serve: stopping after the requests under way");
}

/// A start-up failure: nothing was served (exit code 2).
pub(crate) fn start_error(error: impl std::fmt::Display) -> Error {
    Error::usage(error.to_string())
}

/// The server failed while running (exit code 1).
pub(crate) fn stopped(error: std::io::Error) -> Error {
    Error::failed(format!("the server stopped: {error}"))
}
