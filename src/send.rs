//! Sending the sealed bundle: one POST to the config's endpoint, retried with backoff when the network or the
//! server fails, and the receiver's own message when it refuses. Also the optional proof-of-work the receiver may
//! ask for, solved in small slices so the page never stalls.

use gloo_net::http::{Request, Response};
use gloo_timers::future::TimeoutFuture;
use sealform_core::protocol::{pow, Challenge, Receipt, Refusal, BUNDLE_MEDIA_TYPE};
use serde::de::DeserializeOwned;

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
        /// The receiver's message, when it gave one (the view has a plain one in the client's language).
        message: Option<String>,
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

/// POSTs `bundle` to `endpoint`, retrying network errors, 408, 429 and 5xx. `proof()` gives each try its own
/// proof of work (or none): the receiver spends a challenge when a request carrying it arrives, whatever it then
/// answers, so a retry with the same one would be refused as already used. `on_retry(try_number)` is called
/// before each retry so the page can say it is trying again.
pub async fn send(
    endpoint: &str,
    bundle: &js_sys::Uint8Array,
    mut proof: impl AsyncFnMut() -> Option<String>,
    on_retry: impl Fn(usize),
) -> SendOutcome {
    let mut detail = String::new();
    for attempt in 0..=RETRY_DELAYS_MS.len() {
        if attempt > 0 {
            on_retry(attempt);
            TimeoutFuture::new(RETRY_DELAYS_MS[attempt - 1]).await;
        }
        let token = proof().await;
        match try_once(endpoint, bundle, token.as_deref()).await {
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
    if let Some(token) = pow {
        request = request.header(pow::HEADER, token);
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

async fn judge(response: Response) -> Attempt {
    let status = response.status();
    match status {
        201 => match read::<Receipt>(&response).await {
            Ok(stored) => Attempt::Done(SendOutcome::Stored {
                receipt: stored.receipt,
            }),
            Err(error) => Attempt::Retry(format!("201 with an unreadable body: {error}")),
        },
        408 | 429 | 500..=599 => Attempt::Retry(format!("the server answered {status}")),
        _ => {
            let message = read::<Refusal>(&response)
                .await
                .ok()
                .map(|refusal| refusal.error);
            Attempt::Done(SendOutcome::Refused { status, message })
        }
    }
}

/// Reads a JSON body as one of the protocol's types. From bytes, as the config is read, rather than gloo's
/// `json()` (from a string): one JSON reader in the wasm instead of two.
async fn read<T: DeserializeOwned>(response: &Response) -> Result<T, gloo_net::Error> {
    let bytes = response.binary().await?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The challenge URL beside `endpoint` (`…/submissions` → `…/challenge`).
pub fn challenge_url(endpoint: &str) -> String {
    match endpoint.rsplit_once('/') {
        Some((base, _)) => format!("{base}/challenge"),
        None => "challenge".to_owned(),
    }
}

/// Asks the receiver for a challenge; `None` when it gives none (404) or cannot be asked. Only for a receiver that
/// asks for proofs of work (the config's [`pow::REQUIRED_HEADER`], or a 403 for a missing one): asking one that does
/// not would put a 404 in the client's console.
pub async fn fetch_challenge(endpoint: &str) -> Option<Challenge> {
    let response = Request::get(&challenge_url(endpoint))
        .credentials(web_sys::RequestCredentials::Omit)
        .send()
        .await
        .ok()?;
    if response.status() != 200 {
        return None;
    }
    read(&response).await.ok()
}

/// A fresh challenge from the receiver, solved: the header value for one submission. `None` when the receiver
/// gives no challenge.
pub async fn fresh_proof(endpoint: &str) -> Option<String> {
    let challenge = fetch_challenge(endpoint).await?;
    Some(solve(&challenge).await)
}

/// How many hashes to try before letting the page have a turn.
const SLICE: u64 = 4_096;

/// Finds a solution and returns the header value `challenge.solution`.
pub async fn solve(challenge: &Challenge) -> String {
    let mut solver = pow::Solver::new(&challenge.challenge, challenge.bits);
    loop {
        if let Some(token) = solver.step(SLICE) {
            return token;
        }
        TimeoutFuture::new(0).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_sits_beside_the_endpoint() {
        assert_eq!(challenge_url("/api/submissions"), "/api/challenge");
        assert_eq!(challenge_url("api/submissions"), "api/challenge");
    }
}
