//! `sealform serve`: runs the receiver (`sealform-receiver`) — the form, its config and the submissions API —
//! until interrupted. Its command-line types live here rather than in `cli.rs` so the receiver's options stay in
//! one place.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
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
    "With --notify-url, each new submission is followed by a signed POST (Standard Webhooks) to the firm's own \
     endpoint saying only that one arrived: its receipt, time and size, never an answer, a name or a file name. \
     --notify-every sends one notice per period with a count instead.\n",
    "\n",
    "Examples:\n",
    "  sealform serve --config form.json --dist dist --store sealform.db\n",
    "  sealform serve --config form.json --listen 0.0.0.0:8080 --allow-origin https://www.example-law.co.uk\n",
    "  sealform serve --config form.json --pow-bits 18 --rate-limit 30\n",
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
    #[arg(long, value_name = "FORM.json")]
    pub(crate) config: PathBuf,
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
    /// Requests to the API allowed per minute from one IP address (0: no limit)
    #[arg(long, value_name = "PER_MINUTE", default_value_t = 60)]
    pub(crate) rate_limit: u32,
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
        config.rate_limit = NonZeroU32::new(self.rate_limit).map(|per_minute| RateLimit {
            per_minute,
            burst: NonZeroU32::new(RATE_BURST.max(self.rate_limit / 6)).unwrap_or(NonZeroU32::MIN),
        });
        config.check().map_err(start_error)?;
        Ok(config)
    }
}

/// What to do, checked: the config is read and every option validated before anything listens.
struct Config {
    receiver: ReceiverConfig,
}

impl Config {
    fn new(args: ServeArgs) -> Result<Self, Error> {
        let form = FormConfig::load(&args.config).map_err(start_error)?;
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
