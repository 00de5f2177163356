//! `sealform serve`: runs the receiver (`sealform-receiver`) — the form, its config and the submissions API —
//! until interrupted. Its command-line types live here rather than in `cli.rs` so the receiver's options stay in
//! one place.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use sealform_core::protocol::pickup::AllowedToken;
use sealform_receiver::{
    Config as ReceiverConfig, FormConfig, NotifySettings, Origin, PowSettings, RateLimit, Server,
};

use crate::error::{Error, Exit};

pub(crate) const SERVE_HELP: &str = concat!(
    "Serves the built form (--dist, Trunk's dist/ folder) at /, the form config at /config.json, and receives \
     sealed submissions at POST /api/submissions into the SQLite store (created if missing). Each submission must \
     be sealed for exactly the keys in the config's \"recipients\"; it is answered 201 with its receipt only once \
     it is safely on disk. The receiver never needs or reads a private key. Logs go to standard error \
     (RUST_LOG=debug for more); docs/RECEIVER.md describes every route.\n",
    "\n",
    "The firm collects what arrived with `sealform pull`, authenticated by a pickup token whose SHA-256 is given \
     here (make one with `sealform token new`). Acknowledged bundles are deleted after --keep-after-pickup days; \
     bundles nobody has collected are never deleted: /healthz reports how many wait, and since when.\n",
    "\n",
    "With --notify-url, each new submission is followed by a signed POST (Standard Webhooks) to the firm's own \
     endpoint saying only that one arrived: its receipt, time and size, never an answer, a name or a file name. \
     --notify-every sends one notice per period with a count instead.\n",
    "\n",
    "Examples:\n",
    "  sealform serve --config form.json --dist dist --store sealform.db\n",
    "  sealform serve --config form.json --listen 0.0.0.0:8080 --allow-origin https://www.example-law.co.uk\n",
    "  sealform serve --config form.json --pow-bits 18 --rate-limit 30\n",
    "  sealform serve --config form.json --pickup-token-sha256 HEX --keep-after-pickup 7\n",
    "  sealform serve --store sealform.db --purge-collected-now\n",
    "  sealform serve --config form.json --notify-url https://hooks.example-law.co.uk/sealform \\\n",
    "      --notify-secret-file notify.secret\n",
    "  sealform open --key firm.private.pem --store sealform.db --out opened   (later, offline)\n",
    "\n",
    "Exit codes:\n",
    "  0  stopped cleanly (Ctrl-C)\n",
    "  1  the server failed while running\n",
    "  2  it did not start: a usage or configuration error (the message says what)",
);

/// The command line of `sealform serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The form config (JSON) to serve as /config.json; its "recipients" are the keys submissions must be sealed for
    #[arg(
        long,
        value_name = "FORM.json",
        required_unless_present = "purge_collected_now"
    )]
    pub(crate) config: Option<PathBuf>,
    /// The SQLite store submissions are kept in (created if missing)
    #[arg(long, value_name = "PATH", default_value = "sealform.db")]
    pub(crate) store: PathBuf,
    #[command(flatten)]
    pub(crate) server: ServerArgs,
    /// Address and port to listen on
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub(crate) listen: SocketAddr,
    /// A firm site allowed to embed the form and call the API from its pages, like https://www.example-law.co.uk;
    /// repeat for several
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub(crate) allow_origins: Vec<String>,
    /// Delete every bundle already acknowledged by a pickup now, whatever --keep-after-pickup says, then exit
    /// without serving (safe while another receiver runs on the same store)
    #[arg(long)]
    pub(crate) purge_collected_now: bool,
    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// Notices of new submissions to the firm's webhook.
#[derive(Debug, Args)]
pub(crate) struct NotifyArgs {
    /// After each new submission is stored, POST a signed notice (Standard Webhooks) to this https:// URL (http://
    /// only to a loopback address): its receipt, time and size, never its content
    #[arg(long, value_name = "URL", requires = "notify_secret_file")]
    pub(crate) notify_url: Option<String>,
    /// The notices' signing secret: a file holding whsec_ and the base64 of 24 to 64 random bytes (docs/RECEIVER.md
    /// says how to make one)
    #[arg(long, value_name = "FILE", requires = "notify_url")]
    pub(crate) notify_secret_file: Option<PathBuf>,
    /// Instead of a notice per submission, one every SECS seconds with how many arrived (none when none did), so
    /// no submission's own time is sent
    #[arg(long, value_name = "SECS", requires = "notify_url")]
    pub(crate) notify_every: Option<u64>,
}

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

/// The options `serve` and `demo` share.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// The built form: the folder `trunk build` wrote (it must hold index.html)
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub(crate) dist: PathBuf,
    /// Ask each submission for a proof of work with this many leading zero bits (about 2^N hashes in the browser;
    /// 16 to 20 is a fraction of a second). Off unless given
    #[arg(long, value_name = "N")]
    pub(crate) pow_bits: Option<u8>,
    /// The largest submission accepted, in bytes [default: from the config's limits: the attachments' total in
    /// base64, plus room for the answers]
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_body: Option<u64>,
    /// The most bytes of submissions received at once, across all clients; an upload beyond it gets 503 and is
    /// sent again by the form [default: 4 × --max-body, at least 256 MiB]
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_inflight_bytes: Option<u64>,
    /// Connections open at once; at the cap, the one idle longest is closed to make room for a new one [default:
    /// half the file-descriptor limit left after 64 for the store and the rest, from 16 to 4096]
    #[arg(long, value_name = "N")]
    pub(crate) max_connections: Option<usize>,
    /// Requests to the API allowed per minute from one client: an IPv4 address, or an IPv6 /64 (0: no limit)
    #[arg(long, value_name = "PER_MINUTE", default_value_t = 60)]
    pub(crate) rate_limit: u32,
    /// A pickup token the firm's `sealform pull` may use: the SHA-256 `sealform token new` printed, then :read for
    /// a read-only token (may list and download, never acknowledge); repeat for several
    #[arg(long = "pickup-token-sha256", value_name = "HEX[:read]")]
    pub(crate) pickup_tokens: Vec<String>,
    /// A file of pickup token hashes, one per line (HEX or HEX:read; # starts a comment)
    #[arg(long = "pickup-tokens", value_name = "FILE")]
    pub(crate) pickup_token_file: Option<PathBuf>,
    /// Days an acknowledged bundle stays on the receiver before it is deleted (0: at once). A bundle nobody has
    /// collected is never deleted
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub(crate) keep_after_pickup: u32,
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
        store: PathBuf,
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
        let form = FormConfig::load(path).map_err(start_error)?;
        let origins = parse_origins(&args.allow_origins)?;
        let mut receiver = args
            .server
            .receiver_config(form, args.store, args.listen, origins)?;
        receiver.notify = args.notify.settings()?;
        Ok(Self { receiver })
    }
}

/// Runs `sealform serve`.
pub(crate) fn run(args: ServeArgs) -> Result<Exit, Error> {
    if args.purge_collected_now {
        return purge_collected_now(&args.store);
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
fn purge_collected_now(store: &std::path::Path) -> Result<Exit, Error> {
    if !store.exists() {
        return Err(Error::usage(format!(
            "there is no store at {}: check the path given to --store",
            store.display()
        )));
    }
    let mut store = sealform_store::Store::open(store).map_err(start_error)?;
    let now = time::OffsetDateTime::now_utc();
    let deleted = store
        .delete_collected(now, now, PURGE_ACTOR)
        .map_err(|e| Error::failed(e.to_string()))?;
    let waiting = store
        .uncollected()
        .map_err(|e| Error::failed(e.to_string()))?;
    eprintln!(
        "sealform serve: deleted {} collected bundle{} from {}; {} not yet collected (never deleted)",
        deleted.len(),
        if deleted.len() == 1 { "" } else { "s" },
        store.path().display(),
        waiting.count,
    );
    Ok(Exit::Success)
}

/// The origins given to `--allow-origin`, checked.
pub(crate) fn parse_origins(given: &[String]) -> Result<Vec<Origin>, Error> {
    given
        .iter()
        .map(|origin| origin.parse().map_err(start_error))
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
