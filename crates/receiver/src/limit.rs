//! The API's per-client rate limit, keyed by the peer's IP address (GCRA, from `governor`): 429 with
//! `Retry-After` when a client goes over.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimit;
use crate::error::ApiError;

/// How often clients not seen lately are forgotten, so the table does not grow for ever.
const FORGET_EVERY: Duration = Duration::from_secs(60);

/// The limiter shared by every request.
#[derive(Debug)]
pub(crate) struct Limiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Arc<Self> {
        let quota = Quota::per_minute(limit.per_minute).allow_burst(limit.burst);
        let limiter = Arc::new(Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        });
        let weak = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FORGET_EVERY);
            loop {
                tick.tick().await;
                // Stops once the server (which holds the limiter) is gone.
                let Some(limiter) = weak.upgrade() else { break };
                limiter.limiter.retain_recent();
            }
        });
        limiter
    }

    /// `Ok` if `ip` may make a request now, else how long it should wait.
    fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// Refuses a request over its client's limit with 429 and `Retry-After`.
pub(crate) async fn enforce(
    State(limiter): State<Arc<Limiter>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match limiter.check(peer.ip()) {
        Ok(()) => next.run(request).await,
        Err(wait) => ApiError::too_many_requests(wait.as_secs().max(1)).into_response(),
    }
}
