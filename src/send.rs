//! Sending the sealed bundle: one POST to the config's endpoint, retried with backoff when the network or the
//! server fails, and the receiver's own message when it refuses. Also the optional proof-of-work the receiver may
//! ask for, solved in small slices so the page never stalls.

use gloo_net::http::{Request, Response};
use gloo_timers::future::TimeoutFuture;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// The media type of a sealed bundle on the wire.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.sealform.bundle+json";
/// The header that carries a solved challenge.
pub const POW_HEADER: &str = "Sealform-Pow";
/// Waits before each retry, in milliseconds: four tries over about 7 seconds, then the client is offered a sealed
/// copy to download instead.
pub const RETRY_DELAYS_MS: [u32; 3] = [1_000, 2_000, 4_000];

/// How a send ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Stored: the receiver answered 201 with this receipt id (full hex).
    Stored {
        /// The receipt id the receiver computed.
        receipt: String,
    },
    /// The receiver refused the bundle (4xx); retrying would not help.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The receiver's message, or a plain one when it gave none.
        message: String,
    },
    /// Every try failed on the network or with a server error.
    Unreachable {
        /// The last problem, for the console.
        detail: String,
    },
}

/// What one try gave.
enum Attempt {
    Done(SendOutcome),
    Retry(String),
}

/// POSTs `bundle` to `endpoint`, retrying network errors, 408, 429 and 5xx. `on_retry(try_number)` is called
/// before each retry so the page can say it is trying again.
pub async fn send(
    endpoint: &str,
    bundle: &js_sys::Uint8Array,
    pow: Option<&str>,
    on_retry: impl Fn(usize),
) -> SendOutcome {
    let mut detail = String::new();
    for attempt in 0..=RETRY_DELAYS_MS.len() {
        if attempt > 0 {
            on_retry(attempt);
            TimeoutFuture::new(RETRY_DELAYS_MS[attempt - 1]).await;
        }
        match try_once(endpoint, bundle, pow).await {
            Attempt::Done(outcome) => return outcome,
            Attempt::Retry(why) => detail = why,
        }
    }
    SendOutcome::Unreachable { detail }
}

async fn try_once(endpoint: &str, bundle: &js_sys::Uint8Array, pow: Option<&str>) -> Attempt {
    let mut request = Request::post(endpoint)
        .header("Content-Type", BUNDLE_MEDIA_TYPE)
        // No cookies, no referrer: the receiver needs nothing but the ciphertext.
        .credentials(web_sys::RequestCredentials::Omit)
        .referrer_policy(web_sys::ReferrerPolicy::NoReferrer);
    if let Some(pow) = pow {
        request = request.header(POW_HEADER, pow);
    }
    // fetch() takes its own copy of the bytes, so a retry sends the same bundle again.
    let response = match request.body(bundle) {
        Ok(request) => request.send().await,
        Err(error) => return Attempt::Done(unreachable(error.to_string())),
    };
    match response {
        Err(error) => Attempt::Retry(format!("network error: {error}")),
        Ok(response) => judge(response).await,
    }
}

fn unreachable(detail: String) -> SendOutcome {
    SendOutcome::Unreachable { detail }
}

#[derive(Deserialize)]
struct Stored {
    receipt: String,
}

#[derive(Deserialize)]
struct Problem {
    error: String,
}

async fn judge(response: Response) -> Attempt {
    let status = response.status();
    match status {
        201 => match response.json::<Stored>().await {
            Ok(stored) => Attempt::Done(SendOutcome::Stored {
                receipt: stored.receipt,
            }),
            Err(error) => Attempt::Retry(format!("201 with an unreadable body: {error}")),
        },
        408 | 429 | 500..=599 => Attempt::Retry(format!("the server answered {status}")),
        _ => {
            let message = match response.json::<Problem>().await {
                Ok(problem) => problem.error,
                Err(_) => format!("The firm's server did not accept the form (error {status})."),
            };
            Attempt::Done(SendOutcome::Refused { status, message })
        }
    }
}

/// A proof-of-work challenge from the receiver.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Challenge {
    /// The opaque token to hash.
    pub challenge: String,
    /// How many leading zero bits the hash must have.
    pub bits: u32,
}

/// The challenge URL beside `endpoint` (`…/submissions` → `…/challenge`).
pub fn challenge_url(endpoint: &str) -> String {
    match endpoint.rsplit_once('/') {
        Some((base, _)) => format!("{base}/challenge"),
        None => "challenge".to_owned(),
    }
}

/// Asks the receiver for a challenge; `None` when it wants none (404) or cannot be asked.
pub async fn fetch_challenge(endpoint: &str) -> Option<Challenge> {
    let response = Request::get(&challenge_url(endpoint))
        .credentials(web_sys::RequestCredentials::Omit)
        .send()
        .await
        .ok()?;
    if response.status() != 200 {
        return None;
    }
    response.json().await.ok()
}

/// How many hashes to try before letting the page have a turn.
const SLICE: u64 = 4_096;

/// Finds a solution and returns the header value `challenge.solution`.
pub async fn solve(challenge: &Challenge) -> String {
    let mut counter = 0u64;
    loop {
        if let Some(found) = search(&challenge.challenge, challenge.bits, counter, SLICE) {
            return format!("{}.{found}", challenge.challenge);
        }
        counter += SLICE;
        TimeoutFuture::new(0).await;
    }
}

/// Tries `count` solutions from `start`: SHA-256 of `challenge.solution` must have `bits` leading zero bits.
pub fn search(challenge: &str, bits: u32, start: u64, count: u64) -> Option<u64> {
    (start..start.saturating_add(count)).find(|n| leading_zero_bits(challenge, *n) >= bits)
}

fn leading_zero_bits(challenge: &str, solution: u64) -> u32 {
    let digest = Sha256::new()
        .chain_update(challenge.as_bytes())
        .chain_update(b".")
        .chain_update(solution.to_string().as_bytes())
        .finalize();
    let mut zeros = 0;
    for byte in digest {
        zeros += byte.leading_zeros();
        if byte != 0 {
            break;
        }
    }
    zeros
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_sits_beside_the_endpoint() {
        assert_eq!(challenge_url("/api/submissions"), "/api/challenge");
        assert_eq!(challenge_url("api/submissions"), "api/challenge");
    }

    #[test]
    fn a_solution_has_the_leading_zero_bits_asked_for() {
        let found = search("token", 12, 0, 1 << 20).unwrap();
        assert!(leading_zero_bits("token", found) >= 12);
        let digest = Sha256::digest(format!("token.{found}").as_bytes());
        assert_eq!(digest[0], 0);
        assert!(digest[1] < 16);
    }
}
