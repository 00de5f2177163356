//! Content-free notices to the firm: after a new submission is stored, a POST signed per Standard Webhooks says that
//! one arrived (its receipt, time and size, or only a count per period), sent off the request path with retries.
//!
//! A notice never carries an answer, a name or an attachment's name: the receiver has none of them (it sees only
//! ciphertext), and a notice is built from the receipt, the time and the length alone. A notice is not durable:
//! one that cannot be delivered is dropped with a log line, and one pending when the receiver stops is lost; the
//! store stays the record of what arrived.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use base64ct::{Base64, Base64Unpadded, Encoding as _};
use hmac::{Hmac, Mac as _};
use rand_core::{OsRng, RngCore as _};
use reqwest::Url;
use sealform_core::bundle::ReceiptId;
use sha2::Sha256;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::{mpsc, Semaphore};
use zeroize::Zeroizing;

/// The Standard Webhooks headers.
const HEADER_ID: &str = "webhook-id";
const HEADER_TIMESTAMP: &str = "webhook-timestamp";
const HEADER_SIGNATURE: &str = "webhook-signature";
/// The prefix of a symmetric signing secret in its text form (Standard Webhooks, "secret serialization").
const SECRET_PREFIX: &str = "whsec_";
/// The spec's bounds on a symmetric secret: at least 192 bits, at most 512.
const SECRET_LEN: std::ops::RangeInclusive<usize> = 24..=64;

/// Notices waiting for a sender before new ones are dropped: bounded memory while the endpoint is down.
const QUEUE_LEN: usize = 1024;
/// Notices being sent (or waiting to retry) at once, so one slow notice never holds up the others.
const MAX_IN_FLIGHT: usize = 32;
/// One attempt's limit, connection included: the middle of the 15–30 s the spec recommends giving a consumer.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// Attempts per notice, and the wait before the first retry; it doubles each time, up to `MAX_DELAY`.
/// 10 attempts from 1 s span about 8.5 minutes: a relay's restart, not a day's outage (notices live in memory).
const ATTEMPTS: u32 = 10;
const FIRST_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(300);
/// The longest batch period: a week's count in one notice.
const MAX_EVERY: Duration = Duration::from_secs(7 * 24 * 3600);

/// Where and how to notify the firm of new submissions (`sealform serve --notify-url`). Checked when made.
#[derive(Clone, Debug)]
pub struct NotifySettings {
    url: Url,
    secret: Secret,
    every: Option<Duration>,
    attempts: u32,
    first_delay: Duration,
}

impl NotifySettings {
    /// Notices to `url` (`https://`, or `http://` to a loopback address), signed with the secret in
    /// `secret_file` (`whsec_` and the base64 of 24 to 64 random bytes). With `every`, one notice per period that
    /// had submissions, with their count only, instead of one per submission.
    pub fn new(
        url: &str,
        secret_file: &Path,
        every: Option<Duration>,
    ) -> Result<Self, NotifyError> {
        let url = check_url(url)?;
        let secret = Secret::read(secret_file)?;
        if every.is_some_and(|every| !(Duration::from_secs(1)..=MAX_EVERY).contains(&every)) {
            return Err(NotifyError::EveryOutOfRange);
        }
        Ok(Self {
            url,
            secret,
            every,
            attempts: ATTEMPTS,
            first_delay: FIRST_DELAY,
        })
    }

    /// How often to try each notice (at least once) and how long to wait before the first retry (doubling after
    /// each, up to 5 minutes). The default is 10 attempts from 1 s, over about 8.5 minutes.
    pub fn with_retries(mut self, attempts: u32, first_delay: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.first_delay = first_delay;
        self
    }

    /// Where notices go.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }
}

/// Why notifications could not be set up (a [`StartError::Notify`](crate::StartError::Notify) when the receiver
/// starts). Each message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// `--notify-url` is not a URL.
    #[error(
        "--notify-url {url:?} is not a URL ({reason}): give the full address, like \
         https://hooks.example-law.co.uk/sealform"
    )]
    BadUrl {
        /// What was given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// `--notify-url` would send notices in clear over a network.
    #[error(
        "--notify-url {url:?} must start with https:// (http:// is allowed only to a loopback address such as \
         127.0.0.1 or localhost, for a relay on this machine): notices say when submissions arrive"
    )]
    Insecure {
        /// What was given.
        url: String,
    },
    /// The secret file could not be read.
    #[error("could not read the notify secret {path}: {source}; check the path given to --notify-secret-file")]
    SecretUnreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The secret file does not hold a usable secret.
    #[error(
        "the notify secret {path} {problem}: it must hold whsec_ and the base64 of 24 to 64 random bytes; make \
         one with: printf 'whsec_%s\\n' \"$(head -c 32 /dev/urandom | base64)\" > notify.secret"
    )]
    SecretInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// `--notify-every` below a second or above a week.
    #[error("--notify-every: give 1 to 604800 seconds (a week); 300 sends at most one notice per 5 minutes")]
    EveryOutOfRange,
    /// The HTTP client (its TLS setup) could not be made.
    #[error("could not set up the HTTPS client for --notify-url: {0}")]
    Client(String),
}

/// Refuses anything but `https://`, or `http://` to a loopback host.
fn check_url(given: &str) -> Result<Url, NotifyError> {
    let url = Url::parse(given).map_err(|e| NotifyError::BadUrl {
        url: given.to_owned(),
        reason: e.to_string(),
    })?;
    let loopback = url.host_str().is_some_and(is_loopback);
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(NotifyError::Insecure {
            url: given.to_owned(),
        }),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The shared signing key. Its `Debug` shows nothing of it.
#[derive(Clone)]
struct Secret(Arc<Zeroizing<Vec<u8>>>);

impl Secret {
    fn read(path: &Path) -> Result<Self, NotifyError> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            NotifyError::SecretUnreadable {
                path: path.to_path_buf(),
                source,
            }
        })?);
        let key = parse_secret(&text).map_err(|problem| NotifyError::SecretInvalid {
            path: path.to_path_buf(),
            problem,
        })?;
        Ok(Self(Arc::new(key)))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The key in `whsec_<base64>`; whitespace anywhere is ignored, since `base64` wraps long output.
fn parse_secret(text: &str) -> Result<Zeroizing<Vec<u8>>, &'static str> {
    let encoded = text
        .trim()
        .strip_prefix(SECRET_PREFIX)
        .ok_or("does not start with whsec_")?;
    let encoded: Zeroizing<String> = Zeroizing::new(
        encoded
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect(),
    );
    let key = Base64::decode_vec(&encoded)
        .or_else(|_| Base64Unpadded::decode_vec(&encoded))
        .map(Zeroizing::new)
        .map_err(|_| "is not valid base64 after whsec_")?;
    if key.len() < *SECRET_LEN.start() {
        return Err("is too short (fewer than 24 bytes)");
    }
    if key.len() > *SECRET_LEN.end() {
        return Err("is too long (more than 64 bytes)");
    }
    Ok(key)
}

/// `v1,` and the base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}"): the Standard Webhooks symmetric signature.
fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", Base64::encode_string(&mac.finalize().into_bytes()))
}

/// A notice's JSON body. Nothing else is ever sent.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "type")]
enum Payload {
    /// One new submission.
    #[serde(rename = "submission.received")]
    Received {
        receipt: String,
        received_at: String,
        size: u64,
    },
    /// Batch mode: how many arrived in a period, and the period's bounds (never a submission's own time).
    #[serde(rename = "submission.batch")]
    Batch {
        count: u64,
        since: String,
        until: String,
    },
}

/// One notice, ready to send; its id stays the same across retries, so the firm can drop repeats.
#[derive(Debug)]
struct Notice {
    id: String,
    body: Vec<u8>,
    /// What it is about, for log lines: a receipt, or a count.
    about: String,
}

impl Notice {
    fn new(payload: &Payload, about: String) -> Self {
        let mut random = [0u8; 16];
        OsRng.fill_bytes(&mut random);
        let id = format!("msg_{}", base16(&random));
        // A struct of strings and numbers always serialises.
        let body = serde_json::to_vec(payload).unwrap_or_default();
        Self { id, body, about }
    }

    fn received(receipt: &ReceiptId, received_at: OffsetDateTime, size: usize) -> Self {
        let payload = Payload::Received {
            receipt: receipt.full(),
            received_at: rfc3339(received_at),
            size: size as u64,
        };
        Self::new(&payload, format!("receipt {receipt}"))
    }

    fn batch(count: u64, since: OffsetDateTime, until: OffsetDateTime) -> Self {
        let payload = Payload::Batch {
            count,
            since: rfc3339(since),
            until: rfc3339(until),
        };
        Self::new(&payload, format!("a batch of {count}"))
    }
}

fn base16(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A handle on the notifier's tasks; cheap to clone. Dropping the last one stops them once the queue is empty.
#[derive(Clone, Debug)]
pub(crate) struct Notifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    queue: mpsc::Sender<Notice>,
    /// Batch mode: submissions since the last period's notice.
    pending: Option<AtomicU64>,
}

impl Notifier {
    /// Makes the HTTP client and starts the sending task (and, in batch mode, the clock). Needs a tokio runtime.
    pub(crate) fn start(settings: NotifySettings) -> Result<Self, NotifyError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .build()
            .map_err(|e| NotifyError::Client(describe(&e)))?;
        let (queue, notices) = mpsc::channel(QUEUE_LEN);
        let every = settings.every;
        let inner = Arc::new(Inner {
            queue,
            pending: every.map(|_| AtomicU64::new(0)),
        });
        let sender = Arc::new(Sender { client, settings });
        tokio::spawn(dispatch(notices, sender));
        if let Some(every) = every {
            tokio::spawn(clock(Arc::downgrade(&inner), every));
        }
        Ok(Self { inner })
    }

    /// A new submission was stored. Never waits and never fails: a notice that cannot be queued is dropped with a
    /// log line naming the receipt.
    pub(crate) fn received(&self, receipt: &ReceiptId, received_at: OffsetDateTime, size: usize) {
        match &self.inner.pending {
            Some(pending) => {
                pending.fetch_add(1, Ordering::Relaxed);
            }
            None => self
                .inner
                .enqueue(Notice::received(receipt, received_at, size)),
        }
    }
}

impl Inner {
    fn enqueue(&self, notice: Notice) {
        if let Err(error) = self.queue.try_send(notice) {
            let (mpsc::error::TrySendError::Full(notice)
            | mpsc::error::TrySendError::Closed(notice)) = error;
            tracing::warn!(
                "notice dropped: the queue of {QUEUE_LEN} notices is full (the notify endpoint is down or slow); \
                 no notice for {}",
                notice.about
            );
        }
    }
}

/// Batch mode: every period, one notice with the count of submissions stored in it, if any.
async fn clock(inner: Weak<Inner>, every: Duration) {
    let mut since = OffsetDateTime::now_utc();
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let until = OffsetDateTime::now_utc();
        let count = inner
            .pending
            .as_ref()
            .map_or(0, |pending| pending.swap(0, Ordering::Relaxed));
        if count > 0 {
            inner.enqueue(Notice::batch(count, since, until));
        }
        since = until;
    }
}

/// Takes notices off the queue and sends each in a task of its own, at most `MAX_IN_FLIGHT` at once.
async fn dispatch(mut notices: mpsc::Receiver<Notice>, sender: Arc<Sender>) {
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    loop {
        // A slot first: while every slot is busy retrying, notices wait in the bounded queue.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let Some(notice) = notices.recv().await else {
            return;
        };
        let sender = Arc::clone(&sender);
        tokio::spawn(async move {
            sender.deliver(notice).await;
            drop(slot);
        });
    }
}

/// The HTTP side: one client, the endpoint and its key.
#[derive(Debug)]
struct Sender {
    client: reqwest::Client,
    settings: NotifySettings,
}

/// Why an attempt failed, and whether to try again.
enum Failure {
    /// Worth another try, after at least `after` if the endpoint said so.
    Retry {
        why: String,
        after: Option<Duration>,
    },
    /// Another try would get the same answer.
    Final(String),
}

impl Sender {
    /// Tries until delivered or out of attempts, waiting longer each time; then gives up with a log line.
    async fn deliver(&self, notice: Notice) {
        let attempts = self.settings.attempts;
        let mut delay = self.settings.first_delay;
        let mut attempt = 1;
        loop {
            let (why, after) = match self.attempt(&notice).await {
                Ok(()) => {
                    tracing::debug!(attempt, "notice delivered for {}", notice.about);
                    return;
                }
                Err(Failure::Final(why)) => {
                    tracing::warn!("notice dropped for {}: {why}", notice.about);
                    return;
                }
                Err(Failure::Retry { why, after }) => (why, after),
            };
            if attempt >= attempts {
                tracing::warn!(
                    "notice dropped for {} after {attempts} attempts: {why}",
                    notice.about
                );
                return;
            }
            // The first failure is a warning, so a wrong URL or secret shows at once; the retries are detail.
            if attempt == 1 {
                tracing::warn!(
                    "notice for {} not delivered, will retry: {why}",
                    notice.about
                );
            } else {
                tracing::debug!(
                    attempt,
                    "notice for {} not delivered yet: {why}",
                    notice.about
                );
            }
            let asked = after.unwrap_or_default().min(MAX_DELAY);
            tokio::time::sleep(jitter(delay).max(asked)).await;
            delay = (delay * 2).min(MAX_DELAY);
            attempt += 1;
        }
    }

    /// One signed POST. Its timestamp is the attempt's, as the spec asks, so a retry is never stale.
    async fn attempt(&self, notice: &Notice) -> Result<(), Failure> {
        let timestamp = OffsetDateTime::now_utc().unix_timestamp();
        let signature = sign(&self.settings.secret.0, &notice.id, timestamp, &notice.body);
        let response = self
            .client
            .post(self.settings.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("sealform/", env!("CARGO_PKG_VERSION")))
            .header(HEADER_ID, &notice.id)
            .header(HEADER_TIMESTAMP, timestamp)
            .header(HEADER_SIGNATURE, signature)
            .body(notice.body.clone())
            .send()
            .await
            .map_err(|e| Failure::Retry {
                why: describe(&e),
                after: None,
            })?;
        outcome(response.status(), response.headers())
    }
}

/// What an answer means (Standard Webhooks, "delivery success and failure"): any 2xx is delivered; a redirect is
/// not followed, and 410 Gone means the endpoint wants no more; anything else is tried again.
fn outcome(status: StatusCode, headers: &HeaderMap) -> Result<(), Failure> {
    if status.is_success() {
        Ok(())
    } else if status.is_redirection() {
        Err(Failure::Final(format!(
            "the endpoint answered {status}, a redirect, which is not followed: set --notify-url to where it points"
        )))
    } else if status == StatusCode::GONE {
        Err(Failure::Final(format!("the endpoint answered {status}")))
    } else {
        let after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs);
        Err(Failure::Retry {
            why: format!("the endpoint answered {status}"),
            after,
        })
    }
}

/// `delay` plus up to a quarter more, so notices that failed together do not all come back at once.
fn jitter(delay: Duration) -> Duration {
    let fraction = f64::from(OsRng.next_u32()) / f64::from(u32::MAX) / 4.0;
    delay.mul_f64(1.0 + fraction)
}

/// A client error and its causes, without the URL (it may carry a token the firm's relay checks).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs())
    } else {
        String::from("could not send it")
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the Standard Webhooks reference libraries' tests.
    const SPEC_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    #[test]
    fn signs_like_the_reference_libraries() {
        let key = parse_secret(SPEC_SECRET).unwrap();
        let signature = sign(
            &key,
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        );
        assert_eq!(signature, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn payloads_are_exactly_these() {
        let receipt = ReceiptId::of(b"a bundle");
        let at = time::macros::datetime!(2026-11-22 10:00:01.5 UTC);
        let notice = Notice::received(&receipt, at, 4711);
        assert_eq!(
            String::from_utf8(notice.body).unwrap(),
            format!(
                r#"{{"type":"submission.received","receipt":"{}","received_at":"2026-11-22T10:00:01.5Z","size":4711}}"#,
                receipt.full()
            )
        );
        assert!(notice.id.starts_with("msg_") && !notice.id.contains('.'));
        let batch = Notice::batch(3, at, at + Duration::from_secs(60));
        assert_eq!(
            String::from_utf8(batch.body).unwrap(),
            r#"{"type":"submission.batch","count":3,"since":"2026-11-22T10:00:01.5Z","until":"2026-11-22T10:01:01.5Z"}"#
        );
        assert_ne!(
            Notice::received(&receipt, at, 1).id,
            Notice::received(&receipt, at, 1).id
        );
    }

    #[test]
    fn only_https_or_loopback_http() {
        for good in [
            "https://hooks.example-law.co.uk/sealform?token=x",
            "http://127.0.0.1:9000/hook",
            "http://127.8.9.10/",
            "http://localhost:8080/",
            "http://[::1]:9000/",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://hooks.example-law.co.uk/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "ftp://127.0.0.1/",
            "hooks.example-law.co.uk",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        let message = check_url("http://example.com/").unwrap_err().to_string();
        assert!(message.contains("https://"), "{message}");
    }

    #[test]
    fn secrets() {
        assert_eq!(parse_secret(SPEC_SECRET).unwrap().len(), 24);
        let made = format!("whsec_{}\n", Base64::encode_string(&[7u8; 32]));
        assert_eq!(parse_secret(&made).unwrap().as_slice(), &[7u8; 32]);
        let wrapped = format!("whsec_{}", Base64::encode_string(&[7u8; 64]));
        let wrapped = format!("{}\n{}\n", &wrapped[..60], &wrapped[60..]);
        assert_eq!(parse_secret(&wrapped).unwrap().len(), 64);
        for (bad, problem) in [
            ("C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "whsec_"),
            ("whsec_not base64!", "base64"),
            ("whsec_c2hvcnQ=", "too short"),
            (
                &format!("whsec_{}", Base64::encode_string(&[1u8; 65])),
                "too long",
            ),
        ] {
            let error = parse_secret(bad).unwrap_err();
            assert!(error.contains(problem), "{bad}: {error}");
        }
    }

    #[test]
    fn a_bad_secret_file_says_how_to_make_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.secret");
        std::fs::write(&path, "hunter2").unwrap();
        let error = NotifySettings::new("https://example.com/", &path, None).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("head -c 32 /dev/urandom"), "{text}");
        assert!(
            !text.contains("hunter2"),
            "the secret is never repeated: {text}"
        );
    }

    #[test]
    fn batch_periods_from_a_second_to_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.secret");
        std::fs::write(&path, SPEC_SECRET).unwrap();
        let with = |secs| {
            NotifySettings::new(
                "https://example.com/",
                &path,
                Some(Duration::from_secs(secs)),
            )
        };
        assert!(with(1).is_ok() && with(604_800).is_ok());
        assert!(matches!(with(0), Err(NotifyError::EveryOutOfRange)));
        assert!(matches!(with(604_801), Err(NotifyError::EveryOutOfRange)));
        assert!(matches!(with(u64::MAX), Err(NotifyError::EveryOutOfRange)));
    }

    #[test]
    fn answers() {
        let none = HeaderMap::new();
        assert!(outcome(StatusCode::NO_CONTENT, &none).is_ok());
        assert!(matches!(
            outcome(StatusCode::FOUND, &none),
            Err(Failure::Final(_))
        ));
        assert!(matches!(
            outcome(StatusCode::GONE, &none),
            Err(Failure::Final(_))
        ));
        let mut busy = HeaderMap::new();
        busy.insert(RETRY_AFTER, "7".parse().unwrap());
        assert!(matches!(
            outcome(StatusCode::SERVICE_UNAVAILABLE, &busy),
            Err(Failure::Retry { after: Some(after), .. }) if after == Duration::from_secs(7)
        ));
        assert!(matches!(
            outcome(StatusCode::INTERNAL_SERVER_ERROR, &none),
            Err(Failure::Retry { after: None, .. })
        ));
    }
}
