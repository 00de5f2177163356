//! The API's per-client rate limit, keyed by [`client_key`] (GCRA, from `governor`): 429 with `Retry-After` when
//! a client goes over. The pickup API's failure limit (`auth.rs`) keys its clients the same way.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::RateLimit;
use crate::error::ApiError;

/// The bits of an IPv6 address that name one client: a /64 is the smallest network a host is normally given, and
/// it may pick any of the 2^64 addresses in it at will (RFC 4941 privacy addresses, or simply to escape a limit).
const IPV6_CLIENT_PREFIX: u32 = 64;

/// Who a limit counts a request against: an IPv4 address whole, an IPv6 address by its /64, and an IPv4-mapped
/// IPv6 address (`::ffff:a.b.c.d`, from a dual-stack socket) as its IPv4 address.
pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let mask = u128::MAX << (128 - IPV6_CLIENT_PREFIX);
            IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & mask))
        }
    }
}

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

    /// `Ok` if `ip`'s client may make a request now, else how long it should wait.
    fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&client_key(ip))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn limiter(burst: u32) -> Arc<Limiter> {
        let n = NonZeroU32::new(burst).unwrap();
        Limiter::new(RateLimit {
            per_minute: NonZeroU32::new(1).unwrap(),
            burst: n,
        })
    }

    #[test]
    fn client_keys() {
        let key = |ip: &str| client_key(ip.parse().unwrap()).to_string();
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::");
        assert_eq!(key("::1"), "::");
    }

    #[tokio::test]
    async fn an_ipv6_client_cannot_escape_by_rotating_through_its_64() {
        let limiter = limiter(3);
        // Every address a host on one /64 may take counts as the one client.
        let rotated = (0..4u16).map(|i| -> IpAddr {
            format!("2001:db8:1:2:{i:x}:{i:x}:{i:x}:{i:x}")
                .parse()
                .unwrap()
        });
        let refused = rotated.filter(|ip| limiter.check(*ip).is_err()).count();
        assert_eq!(refused, 1);
        // The next /64 is another client.
        assert!(limiter.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
    }

    #[tokio::test]
    async fn ipv4_mapped_addresses_are_their_ipv4_client() {
        let limiter = limiter(1);
        assert!(limiter.check("192.0.2.7".parse().unwrap()).is_ok());
        assert!(limiter.check("::ffff:192.0.2.7".parse().unwrap()).is_err());
        // IPv4 clients are keyed on the whole address.
        assert!(limiter.check("192.0.2.8".parse().unwrap()).is_ok());
    }
}
