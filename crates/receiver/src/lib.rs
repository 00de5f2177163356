//! `sealform serve`: the receiver. It serves the built form and its config, accepts sealed bundles at
//! `POST /api/submissions`, checks that each is sealed for exactly the firm's keys, and stores it — in a SQLite file,
//! or in a PostgreSQL database that several receivers share.
//!
//! **It never holds a private key.** It depends on `sealform-core` without core's `open` feature, so it cannot
//! even import the code that opens a bundle: it sees ciphertext, key ids and sizes ([`bundle::inspect`]), never
//! a client's answers. A stolen receiver, or its store, gives away nothing but who submitted when.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sealform_receiver::{Config, FormConfig, Server};
//! let form = FormConfig::load("form.json".as_ref())?;
//! // A SQLite file; or `Location::from_arg("postgres://sealform@db.internal:5432/intake".as_ref())?` for a
//! // PostgreSQL database that several receivers share.
//! let store = sealform_store::Location::Sqlite("sealform.db".into());
//! let config = Config::new(form, "dist".into(), store, "127.0.0.1:8080".parse()?);
//! let server = Server::bind(config).await?;
//! println!("listening on http://{}", server.local_addr());
//! server.run(std::future::pending()).await?;
//! # Ok(()) }
//! ```
//!
//! `docs/RECEIVER.md` describes every route, status code and header, and the durability guarantee.
//!
//! [`bundle::inspect`]: sealform_core::bundle::inspect
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::{Json, Router};
use sealform_core::key::Kid;
use sealform_core::protocol;
use sealform_store::Backend;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;

mod auth;
mod budget;
mod config;
mod connections;
mod drafts;
mod error;
mod first_paint;
mod headers;
pub mod host_page;
mod limit;
mod log;
mod notify;
mod pickup;
pub mod pow;
mod precompressed;
mod retention;
mod submit;
mod writer;

pub use config::{
    default_max_connections, Config, FormConfig, Origin, PowSettings, RateLimit, StartError,
    DEFAULT_KEEP_AFTER_PICKUP, MAX_POW_BITS, MIN_DEFAULT_INFLIGHT_BYTES,
};
pub use headers::{content_security_policy, EMBED_SCRIPT_PATH};
pub use notify::{NotifyError, NotifySettings};
/// Re-exported from [`sealform_core::protocol`], which the form reads too.
pub use sealform_core::protocol::BUNDLE_MEDIA_TYPE;

use auth::Gate;
use error::ApiError;
use notify::Notifier;
use pow::Pow;
use writer::Writer;

/// What every request handler shares.
#[derive(Debug)]
struct AppState {
    config: Config,
    /// The form config's key ids, sorted: what every bundle must be sealed for.
    kids: Vec<Kid>,
    pow: Option<Pow>,
    writer: Writer,
    /// Bytes of request bodies held at once, across all uploads.
    budget: Arc<budget::Budget>,
    /// Bundle checks running at once: one per core.
    checks: tokio::sync::Semaphore,
    /// The store, for the pickup API's reads (writes go through `writer`).
    store: Arc<dyn Backend>,
    /// The pickup tokens accepted, and the limiter of failed attempts.
    gate: Gate,
    /// Told of each new submission once it is stored, when `--notify-url` is set.
    notifier: Option<Notifier>,
    /// The folder `/config.json` is served from; kept as long as the server runs (dropping it removes it).
    _served_files: precompressed::Precompressed,
}

/// A receiver bound to its address with its store open, ready to [`run`](Server::run).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    limits: connections::ConnectionLimits,
}

impl Server {
    /// Checks `config`, opens (or creates) the store and starts listening. Every failure is a [`StartError`]
    /// that says what to do.
    pub async fn bind(config: Config) -> Result<Self, StartError> {
        config.check()?;
        // Listening first: a taken port is the likelier mistake, and then no store file is left behind.
        let listener = listen(config.listen).await?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: config.listen,
            source,
        })?;
        // The config about to be served is kept in the store, so the firm's side can always find the form a
        // submission was filled in.
        let store = sealform_store::open(&config.store).await?;
        store
            .record_config(
                config.form.bytes().to_vec(),
                time::OffsetDateTime::now_utc(),
            )
            .await?;
        let writer = Writer::start(Arc::clone(&store));
        let limits = connections::ConnectionLimits {
            header_timeout: config.header_timeout,
            max_connections: config.max_connections,
        };
        config::warn_if_descriptors_short(config.max_connections);
        let notifier = config.notify.clone().map(Notifier::start).transpose()?;
        let served_files = precompressed::Precompressed::new()?;
        served_files.add(protocol::page::DEFAULT_CONFIG, config.form.bytes())?;
        let served_config = first_paint::ServedConfig {
            schema: config.form.schema(),
            bytes: config.form.bytes(),
            pow_bits: config.pow.map(|pow| pow.bits),
            draft_days: config.draft_days,
        };
        let pages = first_paint::Pages::new(&config.dist, &served_config, &served_files)?;
        let router = router(config, store, writer, notifier, served_files, pages);
        Ok(Self {
            listener,
            router,
            addr,
            limits,
        })
    }

    /// The address it listens on (the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then finishes the requests under way.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        connections::serve(self.listener, self.router, self.limits, shutdown).await
    }
}

/// Listens on `addr`, naming a taken port as such.
pub async fn listen(addr: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            StartError::AddrInUse { addr }
        } else {
            StartError::Listen { addr, source }
        }
    })
}

/// The routes and the layers around them.
fn router(
    config: Config,
    store: Arc<dyn Backend>,
    writer: Writer,
    notifier: Option<Notifier>,
    served_files: precompressed::Precompressed,
    pages: first_paint::Pages,
) -> Router {
    let security = Arc::new(headers::SecurityHeaders::new(&config.allow_origins));
    let cors = cors(&config);
    let limiter = config.rate_limit.map(limit::Limiter::new);
    let request_timeout = config.request_timeout;
    let dist = config.dist.clone();
    let config_files = served_files.service(protocol::page::DEFAULT_CONFIG);
    let pages = Arc::new(pages);
    let pow_bits = config.pow.map(|pow| pow.bits);
    let draft_days = config.draft_days;
    let state = Arc::new(AppState {
        kids: config.form.kids(),
        pow: config.pow.map(Pow::new),
        store,
        budget: budget::Budget::new(config.max_inflight_bytes()),
        checks: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ),
        gate: Gate::new(config.pickup_tokens.clone()),
        config,
        writer,
        notifier,
        _served_files: served_files,
    });
    retention::spawn(Arc::downgrade(&state));

    let mut api = Router::new()
        .route("/api/submissions", post(submit::submit))
        .route(pickup::CONFIGS_PATH, get(pickup::configs))
        .route(
            &format!("{}/{{sha256}}", pickup::CONFIGS_PATH),
            get(pickup::config),
        );
    if state.pow.is_some() {
        api = api.route("/api/challenge", get(challenge));
    }
    // Under the rate limit like submissions: a draft is as cheap to send as a bundle.
    api = api
        .route(protocol::draft::DRAFTS_PATH, post(drafts::create))
        .route(
            &format!("{}/{{id}}", protocol::draft::DRAFTS_PATH),
            MethodRouter::new()
                .get(drafts::get)
                .put(drafts::replace)
                .delete(drafts::delete),
        );
    if let Some(limiter) = limiter {
        api = api.layer(axum::middleware::from_fn_with_state(
            limiter,
            limit::enforce,
        ));
    }
    let api = api.with_state(Arc::clone(&state));
    // Not under the per-client rate limit: a pull makes a request per bundle. Failed tokens have their own limit.
    let pickup_routes = Router::new()
        .route(pickup::INBOX_PATH, get(pickup::inbox))
        .route(pickup::ACK_PATH, post(pickup::acknowledge))
        .route(
            &format!("{}/{{receipt}}", pickup::INBOX_PATH),
            get(pickup::download),
        )
        .route(pickup::AUDIT_PATH, get(pickup::audit))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_token,
        ))
        .with_state(Arc::clone(&state));

    Router::new()
        .merge(api)
        .merge(pickup_routes)
        .route("/api/{*rest}", any(not_found))
        .route("/healthz", get(healthz).with_state(state))
        .route("/", get(first_paint::serve).with_state(Arc::clone(&pages)))
        .route("/index.html", get(first_paint::serve).with_state(pages))
        .route_service(
            &format!("/{}", protocol::page::DEFAULT_CONFIG),
            ServiceExt::<axum::extract::Request>::map_response(config_files, move |response| {
                with_draft_days(with_pow_bits(response, pow_bits), draft_days)
            }),
        )
        // The build has each file beside its brotli and gzip forms (`scripts/precompress.sh`, a Trunk hook, makes
        // them at build time at the highest levels): the smallest one the client accepts is sent, with its length.
        .fallback_service(ServeDir::new(dist).precompressed_br().precompressed_gzip())
        // Around everything, outside the rate limit: a preflight is answered without counting, and in inline mode
        // the firm's page (an allowed origin) may load the module, the wasm and the config as well as post.
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(security, headers::add))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::from_fn(log::access))
}

/// CORS: only the allowed origins (the firm's pages, for the inline form), only what the form sends.
fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .allow_origins
        .iter()
        .map(config::header_value)
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([CONTENT_TYPE, pow_header(), draft_secret_header()])
        // Inline mode reads the config cross-origin: the form must see whether to solve a proof of work, and
        // whether drafts are kept.
        .expose_headers([pow_required_header(), draft_days_header()])
        .max_age(std::time::Duration::from_secs(600))
}

/// The proof-of-work header as axum names headers (lower case, which `HeaderName::from_static` insists on).
fn pow_header() -> HeaderName {
    // A constant that the tests send with every proof of work: it parses.
    HeaderName::from_bytes(protocol::pow::HEADER.as_bytes())
        .expect("protocol::pow::HEADER is a valid header name")
}

/// The header by which the config's response says that submissions need a proof of work.
fn pow_required_header() -> HeaderName {
    // A constant of the wire contract, tested to parse with the config route.
    HeaderName::from_bytes(protocol::pow::REQUIRED_HEADER.as_bytes())
        .expect("protocol::pow::REQUIRED_HEADER is a valid header name")
}

/// The header that carries a draft's secret, as axum names headers.
fn draft_secret_header() -> HeaderName {
    // A constant of the wire contract, tested to parse with the drafts routes.
    HeaderName::from_bytes(protocol::draft::SECRET_HEADER.as_bytes())
        .expect("protocol::draft::SECRET_HEADER is a valid header name")
}

/// The header by which the config's response says how many days drafts are kept.
fn draft_days_header() -> HeaderName {
    // A constant of the wire contract, tested to parse with the config route.
    HeaderName::from_bytes(protocol::draft::DAYS_HEADER.as_bytes())
        .expect("protocol::draft::DAYS_HEADER is a valid header name")
}

/// With drafts kept, `GET /config.json` says for how many days, so the form offers to keep a draft only then.
fn with_draft_days<B>(mut response: axum::http::Response<B>, days: u32) -> axum::http::Response<B> {
    if days > 0 {
        response
            .headers_mut()
            .insert(draft_days_header(), HeaderValue::from(days));
    }
    response
}

/// `GET /config.json`: the firm's form config, byte for byte (its digest is recorded in every submission), and with
/// proof of work on, its bits in a header, so the form asks for a challenge only from a receiver that issues them.
fn with_pow_bits<B>(
    mut response: axum::http::Response<B>,
    pow_bits: Option<u8>,
) -> axum::http::Response<B> {
    if let Some(bits) = pow_bits {
        response
            .headers_mut()
            .insert(pow_required_header(), HeaderValue::from(u16::from(bits)));
    }
    response
}

/// `GET /api/challenge`: a fresh proof-of-work challenge.
async fn challenge(State(state): State<Arc<AppState>>) -> Response {
    match &state.pow {
        Some(pow) => Json(pow.issue()).into_response(),
        None => not_found().await,
    }
}

/// `GET /healthz`: 200 when the store can be written now, else 503; with how many bundles wait to be collected
/// and the age of the oldest, for monitoring to alert on.
async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    if let Err(error) = state.writer.check().await {
        tracing::warn!("health check: the store cannot be written: {error}");
        return ApiError::unavailable(5).into_response();
    }
    match retention::uncollected(&state).await {
        Ok(waiting) => Json(serde_json::json!({
            "status": "ok",
            "uncollected": waiting.count,
            "oldest_uncollected_received_at": waiting.oldest_received_at,
            "oldest_uncollected_age_seconds": retention::age_seconds(waiting.oldest_received_at.as_deref()),
        }))
        .into_response(),
        Err(error) => {
            tracing::warn!("health check: the store cannot be read: {error}");
            ApiError::unavailable(5).into_response()
        }
    }
}

async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "no such API route").into_response()
}
