//! Accepting connections: HTTP/1.1 with a limit on how long a client may take to send its request headers
//! (slowloris), and a cap on connections open at once, so idle sockets can exhaust neither the file descriptors
//! nor the server: at the cap, the connection idle longest is closed to make room for a new one.
//!
//! axum's own `serve` does neither; this loop does what it does otherwise, and tells each request its peer's
//! address for the rate limiter. A connection is idle when no request is under way on it — from its request's
//! headers to the last byte of its response — so a client waiting for its answer, or uploading, is never closed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt as _;

/// After shutdown is asked for, how long requests under way may take to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The first pause after a failed accept (e.g. out of file descriptors); doubled for each failure in a row.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// The longest pause between accepts that keep failing.
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);
/// How long a connection asked to make room may take to close. One with nothing read closes at once; one halfway
/// through its request headers is given this long to finish them before it is dropped.
const EVICT_GRACE: Duration = Duration::from_millis(100);
/// While waiting for room, how often another idle connection is asked to close: one asked already may be halfway
/// through its headers, and take [`EVICT_GRACE`] to go.
const EVICT_AGAIN: Duration = Duration::from_millis(10);
/// At most one warning per this long that the connection cap is reached, however hard it is pressed.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// How the connections are served.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnectionLimits {
    /// The longest a client may take to send a request's headers.
    pub(crate) header_timeout: Duration,
    /// Connections open at once.
    pub(crate) max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets the requests under way finish.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Open::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = Backoff::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.as_mut() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff.succeeded();
                accepted
            }
            Err(error) => {
                backoff.failed(&error, &open).await;
                continue;
            }
        };
        let permit = match Arc::clone(&open.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => match open.make_room(shutdown.as_mut()).await {
                Some(permit) => permit,
                None => break,
            },
        };
        let entry = open.add(permit);
        tokio::spawn(run(
            stream,
            peer,
            router.clone(),
            limits.header_timeout,
            entry,
            stopping.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a permit until it is closed: all of them back means all are closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(DRAIN_TIMEOUT, open.permits.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("stopped with requests still under way after {DRAIN_TIMEOUT:?}");
    }
    Ok(())
}

/// Serves `router` on one connection to its end — closed by the client, asked to make room, or the server
/// stopping — counting each request on `entry`'s slot while it is under way.
async fn run(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    entry: Entry,
    mut stopping: watch::Receiver<bool>,
) {
    let slot = Arc::clone(&entry.slot);
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let busy = Busy::begin(&slot);
        let response = router.clone().oneshot(request);
        async move {
            let response = response.await?;
            // Under way until hyper drops the response body: after its last byte, or when the client goes.
            Ok::<_, Infallible>(response.map(|body| {
                body.map_frame(move |frame| {
                    let _under_way = &busy;
                    frame
                })
            }))
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
        () = entry.slot.evict.notified() => {
            // Closes it at once if nothing was read; a request that began meanwhile is answered first.
            connection.as_mut().graceful_shutdown();
            match tokio::time::timeout(EVICT_GRACE, connection.as_mut()).await {
                Ok(result) => result,
                // Halfway through its request headers, it may never finish them: the room is wanted now.
                Err(_) if entry.slot.idle() => return,
                Err(_) => connection.await,
            }
        }
    };
    // A client that goes away or sends garbage: nothing to do but note it.
    if let Err(error) = result {
        tracing::debug!("connection closed: {error}");
    }
}

/// The connections open now: a permit each, and what choosing one to close needs.
#[derive(Debug)]
struct Open {
    permits: Arc<Semaphore>,
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next_id: AtomicU64,
    max: usize,
    /// When the cap was last warned about.
    warned: Mutex<Option<Instant>>,
}

/// One open connection: what choosing one to close looks at.
#[derive(Debug)]
struct Slot {
    id: u64,
    /// Requests under way: from their headers to the end of their response.
    under_way: AtomicUsize,
    /// When a request last began or ended on it (or it was opened): the idle one least recently active goes first.
    last_active: Mutex<Instant>,
    /// Set once it has been asked to close, so it is not chosen twice.
    evicted: AtomicBool,
    evict: Notify,
}

/// A connection's place among the open ones, and its permit: both given up when it is dropped.
#[derive(Debug)]
struct Entry {
    slot: Arc<Slot>,
    open: Arc<Open>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Ok(mut slots) = self.open.slots.lock() {
            slots.remove(&self.slot.id);
        }
    }
}

impl Open {
    fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS))),
            slots: Mutex::default(),
            next_id: AtomicU64::new(0),
            max,
            warned: Mutex::new(None),
        }
    }

    /// Registers a connection that holds `permit`; it is forgotten, and the permit given back, when the entry is
    /// dropped.
    fn add(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Entry {
        let slot = Arc::new(Slot {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            under_way: AtomicUsize::new(0),
            last_active: Mutex::new(Instant::now()),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
        });
        if let Ok(mut slots) = self.slots.lock() {
            slots.insert(slot.id, Arc::clone(&slot));
        }
        Entry {
            slot,
            open: Arc::clone(self),
            _permit: permit,
        }
    }

    /// Waits for a permit, closing idle connections to free one; `None` if the server stops meanwhile.
    async fn make_room(
        &self,
        mut shutdown: Pin<&mut impl Future<Output = ()>>,
    ) -> Option<OwnedSemaphorePermit> {
        self.warn_full();
        loop {
            self.evict_idle();
            // If every connection is busy, or the one asked is slow to go, ask again soon: one may be idle by then.
            tokio::select! {
                permit = Arc::clone(&self.permits).acquire_owned() => return permit.ok(),
                () = tokio::time::sleep(EVICT_AGAIN) => {}
                () = shutdown.as_mut() => return None,
            }
        }
    }

    /// Asks the connection idle longest to close, if one is idle.
    fn evict_idle(&self) {
        let Ok(slots) = self.slots.lock() else {
            return;
        };
        let victim = slots
            .values()
            .filter(|slot| slot.idle() && !slot.evicted.load(Ordering::Relaxed))
            .min_by_key(|slot| slot.last_active());
        let Some(victim) = victim else {
            return;
        };
        victim.evicted.store(true, Ordering::Relaxed);
        victim.evict.notify_one();
        tracing::debug!(
            connection = victim.id,
            "closing an idle connection to make room"
        );
    }

    fn warn_full(&self) {
        let Ok(mut warned) = self.warned.lock() else {
            return;
        };
        if warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            *warned = Some(Instant::now());
            tracing::warn!(
                "{} connections are open, the most allowed: closing idle ones to make room for new ones (raise \
                 --max-connections, and the file-descriptor limit with it, if this is not an attack)",
                self.max
            );
        }
    }
}

impl Slot {
    fn idle(&self) -> bool {
        self.under_way.load(Ordering::Acquire) == 0
    }

    fn last_active(&self) -> Instant {
        self.last_active
            .lock()
            .map_or_else(|_| Instant::now(), |at| *at)
    }

    fn touch(&self) {
        if let Ok(mut at) = self.last_active.lock() {
            *at = Instant::now();
        }
    }
}

/// A request under way on a connection, until dropped.
struct Busy(Arc<Slot>);

impl Busy {
    fn begin(slot: &Arc<Slot>) -> Self {
        slot.under_way.fetch_add(1, Ordering::AcqRel);
        slot.touch();
        Self(Arc::clone(slot))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.under_way.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Pauses between accepts that fail, longer each time in a row, so a process out of descriptors does not spin.
#[derive(Debug, Default)]
struct Backoff {
    failures: u32,
}

impl Backoff {
    async fn failed(&mut self, error: &std::io::Error, open: &Open) {
        self.failures += 1;
        let out_of_descriptors = matches!(
            rustix::io::Errno::from_io_error(error),
            Some(rustix::io::Errno::MFILE | rustix::io::Errno::NFILE)
        );
        if out_of_descriptors {
            // Something else holds the descriptors the cap leaves free: an idle connection's is the one to give.
            open.evict_idle();
        }
        if self.failures == 1 {
            tracing::warn!(
                "could not accept a connection: {error}{}",
                if out_of_descriptors {
                    " (raise the file-descriptor limit, or lower --max-connections)"
                } else {
                    ""
                }
            );
        } else {
            tracing::debug!("could not accept a connection: {error}");
        }
        let pause = ACCEPT_BACKOFF.saturating_mul(1 << (self.failures - 1).min(5));
        tokio::time::sleep(pause.min(MAX_ACCEPT_BACKOFF)).await;
    }

    fn succeeded(&mut self) {
        if self.failures > 1 {
            tracing::info!(
                "accepting connections again after {} failed tries",
                self.failures
            );
        }
        self.failures = 0;
    }
}
