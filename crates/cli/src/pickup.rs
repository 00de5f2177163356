//! The client side of the receiver's pickup API (core's `protocol::pickup`), for `pull` and `audit verify`: the
//! receiver's address checked, the bearer token sent, and every answer turned into a [`RequestError`] that says
//! what to do.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::{Response, StatusCode, Url};
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::{
    self, AckRequest, AckResponse, ConfigList, InboxItem, InboxPage, InboxQuery, PickupToken,
};
use sealform_core::Sha256Digest;

use crate::error::Error;

/// How long to wait for a connection: a receiver that takes longer is down or unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long the receiver may go quiet in the middle of an answer.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a request the receiver answered 429 (too many requests) is tried again, and the longest wait
/// between tries sealform accepts; a longer Retry-After ends the run with the receiver's advice.
const RATE_LIMIT_RETRIES: u32 = 3;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The largest list, config or audit trail read into memory: far more than any real one.
const MAX_JSON_BYTES: u64 = 64 * 1024 * 1024;
const MAX_AUDIT_BYTES: u64 = 1024 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// The receiver's address
// ---------------------------------------------------------------------------------------------------------------

/// Why an address was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// It does not parse.
    #[error("{text:?} is not a web address ({detail}): give the receiver's address, like https://forms.example")]
    NotAUrl {
        /// What was given.
        text: String,
        /// What the parser said.
        detail: String,
    },
    /// Neither https nor http.
    #[error("{text}: give an https:// address, like https://forms.example")]
    Scheme {
        /// What was given.
        text: String,
    },
    /// Plain HTTP to another computer: the token and bundles would cross the network unencrypted.
    #[error(
        "{text} is plain HTTP: the pickup token and the bundles would cross the network unencrypted. Use the \
         receiver's https:// address (plain http:// is accepted only for this computer: 127.0.0.1, ::1 or \
         localhost)"
    )]
    PlainHttp {
        /// What was given.
        text: String,
    },
    /// A user name or password in the address.
    #[error(
        "{text} has a user name or password in it: the pickup token is the only credential, give it with \
         --token-file"
    )]
    Credentials {
        /// What was given.
        text: String,
    },
    /// A query or fragment.
    #[error("{text} has a query (?…) or fragment (#…): give the receiver's address only, like https://forms.example")]
    Query {
        /// What was given.
        text: String,
    },
}

/// Checks a receiver's address: `https://`, or `http://` to this computer only (a receiver on loopback, as in the
/// demo and tests). A path is kept, for a receiver behind a proxy under a prefix.
pub(crate) fn check_url(text: &str) -> Result<Url, UrlError> {
    let url = Url::parse(text).map_err(|e| UrlError::NotAUrl {
        text: text.to_owned(),
        detail: e.to_string(),
    })?;
    let text = text.to_owned();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials { text });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlError::Query { text });
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(UrlError::PlainHttp { text }),
        _ => Err(UrlError::Scheme { text }),
    }
}

/// Whether the address names this computer: 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) or `localhost`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case("localhost.") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The receiver's base address as text, without a final `/`: what every route is appended to, and how the
/// receiver is named in messages and in the inbox's state.
pub(crate) fn base_text(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

/// Why a request to the receiver failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RequestError {
    /// No connection, a TLS failure, or a timeout.
    #[error(
        "could not reach the receiver at {url}: {detail}; check the address given to --from, the network, and \
         that the receiver is running"
    )]
    Unreachable {
        /// The request's address.
        url: String,
        /// What failed, with its causes.
        detail: String,
    },
    /// 401: no token, or not one the receiver knows.
    #[error(
        "the receiver refused the pickup token (401): check that --token-file is the token whose SHA-256 the \
         receiver was given with --pickup-token-sha256 (`sealform token new` prints it)"
    )]
    Unauthorized,
    /// 403: over plain HTTP from another computer, or a read-only token acknowledging.
    #[error("the receiver refused the request (403): {message}")]
    Forbidden {
        /// The receiver's own words.
        message: String,
    },
    /// 429, for longer than sealform waits.
    #[error(
        "the receiver asks to slow down (429: too many requests{}): wait, then run the command again",
        retry_after.map(|s| format!(", retry after {s} s")).unwrap_or_default()
    )]
    RateLimited {
        /// Seconds the receiver asked to wait, if it said.
        retry_after: Option<u64>,
    },
    /// 404.
    #[error("not on the receiver (404)")]
    NotFound,
    /// Any other status.
    #[error("the receiver answered {status}{}", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The HTTP status.
        status: u16,
        /// The receiver's own words, or where a redirect points.
        message: Option<String>,
    },
    /// The answer broke off, or is not what the API promises.
    #[error("the receiver's answer could not be read: {0}")]
    Body(String),
}

/// The receiver's pickup API, reached with one token.
#[derive(Debug)]
pub(crate) struct Receiver {
    client: reqwest::Client,
    base: String,
    token: Option<PickupToken>,
}

impl Receiver {
    /// A client for the receiver at `url` (checked by [`check_url`]), sending `token` on the routes that need one.
    pub(crate) fn new(url: &Url, token: Option<PickupToken>) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("sealform/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the token elsewhere; the firm gives the receiver's real address instead.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(url.scheme() == "https")
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .build()
            .map_err(|e| Error::usage(format!("could not set up HTTPS: {}", causes(&e))))?;
        Ok(Self {
            client,
            base: base_text(url),
            token,
        })
    }

    /// The receiver's base address, as [`base_text`] gives it.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// One page of the inbox.
    pub(crate) async fn inbox(&self, query: &InboxQuery) -> Result<InboxPage, RequestError> {
        let url = self.url(pickup::INBOX_PATH);
        let response = self
            .send(|| self.authorized(self.client.get(&url).query(query)))
            .await?;
        json(response, MAX_JSON_BYTES).await
    }

    /// The bytes of the bundle `item` lists, read up to its listed size and no further.
    pub(crate) async fn bundle(&self, item: &InboxItem) -> Result<Vec<u8>, RequestError> {
        let url = self.url(&pickup::bundle_path(&item.receipt));
        let response = self.send(|| self.authorized(self.client.get(&url))).await?;
        read_capped(response, item.size).await
    }

    /// Acknowledges `receipts` (at most [`pickup::MAX_PAGE`]) as collected.
    pub(crate) async fn acknowledge(
        &self,
        receipts: &[ReceiptId],
    ) -> Result<AckResponse, RequestError> {
        let url = self.url(pickup::ACK_PATH);
        let body = AckRequest {
            receipts: receipts.to_vec(),
        };
        let response = self
            .send(|| self.authorized(self.client.post(&url).json(&body)))
            .await?;
        json(response, MAX_JSON_BYTES).await
    }

    /// The configs the receiver has served (public: no token is sent).
    pub(crate) async fn configs(&self) -> Result<ConfigList, RequestError> {
        let url = self.url(pickup::CONFIGS_PATH);
        let response = self.send(|| self.client.get(&url)).await?;
        json(response, MAX_JSON_BYTES).await
    }

    /// One served config's exact bytes (public: no token is sent).
    pub(crate) async fn config(&self, sha256: &Sha256Digest) -> Result<Vec<u8>, RequestError> {
        let url = self.url(&pickup::config_path(sha256));
        let response = self.send(|| self.client.get(&url)).await?;
        read_capped(response, MAX_JSON_BYTES).await
    }

    /// The receiver's audit trail, as JSON Lines.
    pub(crate) async fn audit(&self) -> Result<String, RequestError> {
        let url = self.url(pickup::AUDIT_PATH);
        let response = self.send(|| self.authorized(self.client.get(&url))).await?;
        let bytes = read_capped(response, MAX_AUDIT_BYTES).await?;
        String::from_utf8(bytes)
            .map_err(|_| RequestError::Body("the audit trail is not UTF-8".into()))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    /// Sends the request `make` builds, again after a short wait when the receiver answers 429, and turns any
    /// answer but 200 into its [`RequestError`].
    async fn send(
        &self,
        make: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Response, RequestError> {
        let mut tries = 0;
        loop {
            let request = make();
            let url = request
                .try_clone()
                .and_then(|r| r.build().ok())
                .map(|r| r.url().to_string())
                .unwrap_or_else(|| self.base.clone());
            let response = request
                .send()
                .await
                .map_err(|e| RequestError::Unreachable {
                    url,
                    detail: causes(&e),
                })?;
            let status = response.status();
            if status == StatusCode::OK {
                return Ok(response);
            }
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if status == StatusCode::TOO_MANY_REQUESTS && tries < RATE_LIMIT_RETRIES {
                let wait = Duration::from_secs(retry_after.unwrap_or(1).max(1));
                if wait <= MAX_RETRY_AFTER {
                    tries += 1;
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return Err(status_error(response, retry_after).await);
        }
    }
}

/// The error for an answer other than 200, with the receiver's `{"error": "…"}` message when it gave one.
async fn status_error(response: Response, retry_after: Option<u64>) -> RequestError {
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|to| format!("moved to {}; give that address to --from", printable(to)));
    let message = read_capped(response, 64 * 1024)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|body| body.get("error")?.as_str().map(printable));
    match status {
        StatusCode::UNAUTHORIZED => RequestError::Unauthorized,
        StatusCode::FORBIDDEN => RequestError::Forbidden {
            message: message.unwrap_or_else(|| "no reason given".into()),
        },
        StatusCode::TOO_MANY_REQUESTS => RequestError::RateLimited { retry_after },
        StatusCode::NOT_FOUND => RequestError::NotFound,
        _ => RequestError::Status {
            status: status.as_u16(),
            message: location.or(message),
        },
    }
}

/// Decodes a JSON body.
async fn json<T: serde::de::DeserializeOwned>(
    response: Response,
    limit: u64,
) -> Result<T, RequestError> {
    let bytes = read_capped(response, limit).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        RequestError::Body(format!(
            "not the JSON the pickup API sends ({e}); is this a sealform receiver?"
        ))
    })
}

/// Reads a body of at most `limit` bytes: a receiver cannot make sealform fill its memory or disk.
async fn read_capped(mut response: Response, limit: u64) -> Result<Vec<u8>, RequestError> {
    let mut bytes = Vec::with_capacity(usize::try_from(limit.min(1 << 20)).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| RequestError::Body(causes(&e)))?
    {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(RequestError::Body(format!(
                "it is longer than the {limit} bytes expected"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// An error and its causes, joined: reqwest's own message rarely says what went wrong (a refused connection, an
/// unknown certificate issuer).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// Text from the receiver, shown on the terminal: control characters dropped, cut to a sensible length.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_plain_http_only_on_this_computer() {
        for good in [
            "https://forms.example",
            "https://forms.example:8443/sealform/",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:8080/",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        let refused = |text: &str| check_url(text).expect_err(text);
        for plain in [
            "http://forms.example",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.evil.example",
            "http://128.0.0.1",
        ] {
            assert!(
                matches!(refused(plain), UrlError::PlainHttp { .. }),
                "{plain}"
            );
        }
        assert!(matches!(
            refused("ftp://forms.example"),
            UrlError::Scheme { .. }
        ));
        assert!(matches!(refused("forms.example"), UrlError::NotAUrl { .. }));
        assert!(matches!(
            refused("https://me:pw@forms.example"),
            UrlError::Credentials { .. }
        ));
        assert!(matches!(
            refused("https://forms.example/?a=1"),
            UrlError::Query { .. }
        ));
        assert!(refused("http://forms.example")
            .to_string()
            .contains("https://"));
    }

    #[test]
    fn routes_go_under_the_base_address() {
        let url = check_url("https://forms.example/sealform/").expect("good");
        assert_eq!(base_text(&url), "https://forms.example/sealform");
        let root = check_url("https://forms.example").expect("good");
        assert_eq!(base_text(&root), "https://forms.example");
    }
}
