//! Who may use the pickup API: a bearer token whose SHA-256 is one the operator gave, over a connection that is
//! not plain HTTP from another machine. Failures get a 401 with no detail, are rate-limited per client (keyed as the
//! API's rate limit keys them), logged and audited — never with the token itself.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sealform_core::audit::action;
use sealform_core::protocol::pickup::{AllowedToken, PickupToken, TokenHash, TokenScope};
use sealform_core::Sha256Digest;
use sealform_store::AuditEvent;
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::limit::client_key;
use crate::AppState;

/// Failed authentications allowed from one client ([`client_key`]) per minute, after a burst of this many.
const FAILURES_PER_MINUTE: u32 = 10;
/// How long an address that went over the failure rate is refused outright.
const BLOCK_FOR: Duration = Duration::from_secs(60);
/// Blocked clients kept at most (the oldest block is forgotten first beyond it).
const MAX_BLOCKED: usize = 10_000;

/// The caller of a pickup request, once authenticated: put in the request's extensions for the handlers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Caller {
    pub(crate) hash: TokenHash,
    pub(crate) scope: TokenScope,
}

impl Caller {
    /// How the audit trail names this caller: by its token's hash prefix.
    pub(crate) fn actor(&self) -> String {
        format!("token:{}", self.hash.prefix())
    }
}

/// The tokens accepted, and the failure limiter.
#[derive(Debug)]
pub(crate) struct Gate {
    tokens: Vec<AllowedToken>,
    /// Keyed by [`client_key`], as is `blocked`.
    failures: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl Gate {
    pub(crate) fn new(tokens: Vec<AllowedToken>) -> Self {
        let per_minute =
            std::num::NonZeroU32::new(FAILURES_PER_MINUTE).unwrap_or(std::num::NonZeroU32::MIN);
        Self {
            tokens,
            failures: RateLimiter::keyed(Quota::per_minute(per_minute)),
            blocked: Mutex::default(),
        }
    }

    /// The allowed token whose hash is that of `presented`, comparing every hash in constant time.
    fn find(&self, presented: &[u8]) -> Option<AllowedToken> {
        let hash = Sha256Digest::of(presented);
        let mut found = None;
        for allowed in &self.tokens {
            // No early exit: the time taken does not depend on which token (if any) matched.
            if bool::from(allowed.hash.as_bytes().ct_eq(hash.as_bytes())) {
                found = Some(*allowed);
            }
        }
        found
    }

    /// How long `ip`'s client is still refused outright, if it is.
    fn blocked_for(&self, ip: IpAddr) -> Option<Duration> {
        let blocked = self.blocked.lock().ok()?;
        let until = *blocked.get(&client_key(ip))?;
        until.checked_duration_since(Instant::now())
    }

    /// Counts a failure from `ip`'s client; true if that puts it over the rate (it is then blocked for a while).
    fn count_failure(&self, ip: IpAddr) -> bool {
        let client = client_key(ip);
        if self.failures.check_key(&client).is_ok() {
            return false;
        }
        if let Ok(mut blocked) = self.blocked.lock() {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
            if blocked.len() >= MAX_BLOCKED {
                if let Some(oldest) = blocked
                    .iter()
                    .min_by_key(|(_, until)| **until)
                    .map(|(client, _)| *client)
                {
                    blocked.remove(&oldest);
                }
            }
            blocked.insert(client, now + BLOCK_FOR);
        }
        true
    }
}

/// The middleware in front of every pickup route.
pub(crate) async fn require_token(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = peer.ip();
    if let Some(wait) = state.gate.blocked_for(ip) {
        return ApiError::too_many_requests(wait.as_secs().max(1)).into_response();
    }
    let plain_http = arrived_in_clear(ip, request.headers());
    let token = bearer(request.headers());
    let allowed = token.and_then(|token| state.gate.find(token.as_bytes()));
    if plain_http {
        // The token, if any, has crossed the network in clear: refuse, and tell the operator to replace it.
        if let Some(allowed) = allowed {
            tracing::warn!(
                token = %allowed.hash.prefix(),
                %ip,
                "a pickup token was sent over plain HTTP from another machine and is exposed: replace it \
                 (sealform token new) and remove its hash from --pickup-token-sha256"
            );
        }
        record(&state, action::PLAIN_HTTP, format!("ip:{ip}")).await;
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "the pickup API is only served over HTTPS: put a TLS proxy on this host in front of sealform serve \
             (docs/RECEIVER.md, Deployment)",
        )
        .into_response();
    }
    match allowed {
        Some(allowed) => {
            request.extensions_mut().insert(Caller {
                hash: allowed.hash,
                scope: allowed.scope,
            });
            next.run(request).await
        }
        None => {
            // Never the token: only that one failed, and from where.
            tracing::warn!(%ip, "pickup authentication failed");
            if state.gate.count_failure(ip) {
                return ApiError::too_many_requests(BLOCK_FOR.as_secs()).into_response();
            }
            record(&state, action::AUTH_FAILED, format!("ip:{ip}")).await;
            unauthorized()
        }
    }
}

/// 401 with no detail: the same for a missing, malformed or unknown token.
fn unauthorized() -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized").into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The token of `Authorization: Bearer TOKEN`, if well-formed.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    PickupToken::parse(token)
        .ok()
        .map(|token| token.expose().to_owned())
}

/// Whether the request crossed a network in clear: it came from another machine (the receiver speaks only plain
/// HTTP; TLS is a proxy's job, on this host), or a proxy on this host says its client used plain HTTP.
fn arrived_in_clear(ip: IpAddr, headers: &HeaderMap) -> bool {
    if !ip.is_loopback() && !ip.to_canonical().is_loopback() {
        return true;
    }
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    if forwarded_proto.is_some_and(|proto| proto != "https") {
        return true;
    }
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([';', ',']))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(key, value)| {
            key.eq_ignore_ascii_case("proto")
                && !value.trim_matches('"').eq_ignore_ascii_case("https")
        })
}

/// Records a refused request in the audit trail; a trail that cannot be written is logged, and the refusal
/// stands.
async fn record(state: &AppState, action: &'static str, actor: String) {
    let event = AuditEvent {
        action,
        actor,
        receipts: Vec::new(),
        at: OffsetDateTime::now_utc(),
    };
    if let Err(error) = state.writer.audit(event).await {
        tracing::error!("could not record a refused pickup request in the audit trail: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_without_a_plain_http_proxy_counts_as_secure() {
        let none = HeaderMap::new();
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(!arrived_in_clear(loopback, &none));
        assert!(!arrived_in_clear("::1".parse().unwrap(), &none));
        assert!(!arrived_in_clear(
            "::ffff:127.0.0.1".parse().unwrap(),
            &none
        ));
        assert!(arrived_in_clear("192.0.2.7".parse().unwrap(), &none));
        let header = |name: &'static str, value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_static(value));
            headers
        };
        assert!(!arrived_in_clear(
            loopback,
            &header("x-forwarded-proto", "https")
        ));
        assert!(arrived_in_clear(
            loopback,
            &header("x-forwarded-proto", "http")
        ));
        assert!(!arrived_in_clear(
            loopback,
            &header("forwarded", "for=192.0.2.1;proto=https")
        ));
        assert!(arrived_in_clear(
            loopback,
            &header("forwarded", "for=192.0.2.1;proto=http")
        ));
        // A header cannot make another machine's plain HTTP secure.
        assert!(arrived_in_clear(
            "192.0.2.7".parse().unwrap(),
            &header("x-forwarded-proto", "https")
        ));
    }

    #[test]
    fn tokens_are_found_by_hash_and_scope() {
        let read = PickupToken::from_random(&[1; 32]);
        let collect = PickupToken::from_random(&[2; 32]);
        let gate = Gate::new(vec![
            AllowedToken {
                hash: read.hash(),
                scope: TokenScope::Read,
            },
            AllowedToken {
                hash: collect.hash(),
                scope: TokenScope::Collect,
            },
        ]);
        assert_eq!(
            gate.find(read.expose().as_bytes()).unwrap().scope,
            TokenScope::Read
        );
        assert_eq!(
            gate.find(collect.expose().as_bytes()).unwrap().scope,
            TokenScope::Collect
        );
        let stranger = PickupToken::from_random(&[3; 32]);
        assert!(gate.find(stranger.expose().as_bytes()).is_none());
        // The hash itself is not a token.
        assert!(gate.find(read.hash().to_string().as_bytes()).is_none());
    }

    #[test]
    fn bearer_needs_the_scheme_and_a_well_formed_token() {
        let token = PickupToken::from_random(&[4; 32]);
        let with = |value: String| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
            headers
        };
        assert_eq!(
            bearer(&with(format!("Bearer {}", token.expose()))).as_deref(),
            Some(token.expose())
        );
        assert_eq!(
            bearer(&with(format!("bearer {}", token.expose()))).as_deref(),
            Some(token.expose())
        );
        assert!(bearer(&with(format!("Basic {}", token.expose()))).is_none());
        assert!(bearer(&with("Bearer nonsense".into())).is_none());
        assert!(bearer(&HeaderMap::new()).is_none());
    }

    #[tokio::test]
    async fn failures_from_one_ipv6_64_count_together() {
        let gate = Gate::new(Vec::new());
        let over = (0..FAILURES_PER_MINUTE + 1).any(|i| {
            let ip: IpAddr = format!("2001:db8:7:7::{:x}", i + 1).parse().unwrap();
            gate.count_failure(ip)
        });
        assert!(over, "rotating through the /64 escaped the limit");
        assert!(gate
            .blocked_for("2001:db8:7:7:ffff::1".parse().unwrap())
            .is_some());
        assert!(gate
            .blocked_for("2001:db8:7:8::1".parse().unwrap())
            .is_none());
    }

    #[tokio::test]
    async fn too_many_failures_block_the_address() {
        let gate = Gate::new(Vec::new());
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let over = (0..FAILURES_PER_MINUTE + 1).any(|_| gate.count_failure(ip));
        assert!(over);
        assert!(gate.blocked_for(ip).is_some());
        assert!(gate.blocked_for("192.0.2.10".parse().unwrap()).is_none());
    }
}
