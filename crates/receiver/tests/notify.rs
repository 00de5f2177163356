//! Notices of new submissions (`--notify-url`), end to end: a real receiver on loopback posts to a webhook endpoint
//! on loopback that checks every notice's signature with Standard Webhooks' own library, not with our code.

mod util;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sealform_receiver::NotifySettings;
use serde_json::Value;
use util::*;

/// What the client typed, and the name of the file they attached: neither may appear in any notice.
const CANARY_NAME: &str = "Canary Ottoline Wexford-Pryce";
const CANARY_FILE: &str = "canary-divorce-petition.pdf";

/// One request the endpoint received.
#[derive(Clone, Debug)]
struct Attempt {
    headers: HeaderMap,
    body: Bytes,
    /// What it answered.
    status: StatusCode,
    /// Why `standardwebhooks` refused its signature or timestamp, if it did.
    refused: Option<String>,
}

impl Attempt {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON notice")
    }

    fn id(&self) -> &str {
        self.headers["webhook-id"].to_str().expect("ASCII id")
    }

    /// Every byte of it: headers (names and values) and body.
    fn bytes(&self) -> Vec<u8> {
        let mut all = self.body.to_vec();
        for (name, value) in &self.headers {
            all.extend_from_slice(name.as_str().as_bytes());
            all.extend_from_slice(value.as_bytes());
        }
        all
    }
}

#[derive(Default)]
struct Recorded {
    attempts: Mutex<Vec<Attempt>>,
    /// How many more requests to answer 500.
    failures_left: AtomicUsize,
}

/// A webhook endpoint on loopback that verifies every request with the `standardwebhooks` crate and records it.
struct Hook {
    addr: SocketAddr,
    secret_file: PathBuf,
    recorded: Arc<Recorded>,
    _dir: tempfile::TempDir,
}

impl Hook {
    async fn start(failures: usize) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let secret = format!("whsec_{}", base64ct_encode(&[0x5a; 32]));
        let secret_file = dir.path().join("notify.secret");
        std::fs::write(&secret_file, format!("{secret}\n")).expect("write secret");
        let recorded = Arc::new(Recorded {
            failures_left: AtomicUsize::new(failures),
            ..Recorded::default()
        });
        let verifier = Arc::new(standardwebhooks::Webhook::new(&secret).expect("secret"));
        let app = axum::Router::new()
            .route("/hook", post(receive))
            .with_state((Arc::clone(&recorded), verifier));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            addr,
            secret_file,
            recorded,
            _dir: dir,
        }
    }

    fn settings(&self) -> NotifySettings {
        settings_for(&format!("http://{}/hook", self.addr), &self.secret_file)
    }

    /// Every request so far; each must have passed verification.
    fn attempts(&self) -> Vec<Attempt> {
        let attempts = self.recorded.attempts.lock().expect("lock").clone();
        for attempt in &attempts {
            assert_eq!(attempt.refused, None, "a notice failed verification");
        }
        attempts
    }

    fn delivered(&self) -> Vec<Attempt> {
        self.attempts()
            .into_iter()
            .filter(|a| a.status == StatusCode::OK)
            .collect()
    }

    /// Waits (at most 10 s) until `n` notices have been delivered, and returns them.
    async fn wait_for(&self, n: usize) -> Vec<Attempt> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let delivered = self.delivered();
            if delivered.len() >= n {
                return delivered;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "only {} of {n} notices arrived",
                delivered.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

type HookState = (Arc<Recorded>, Arc<standardwebhooks::Webhook>);

async fn receive(
    State((recorded, verifier)): State<HookState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let refused = verifier
        .verify(&body, &headers)
        .err()
        .map(|e| e.to_string());
    let status = if refused.is_some() {
        StatusCode::UNAUTHORIZED
    } else if recorded
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    recorded.attempts.lock().expect("lock").push(Attempt {
        headers,
        body,
        status,
        refused,
    });
    status
}

/// Quick retries, so a test of them takes milliseconds.
fn settings_for(url: &str, secret_file: &std::path::Path) -> NotifySettings {
    NotifySettings::new(url, secret_file, None)
        .expect("valid settings")
        .with_retries(4, Duration::from_millis(50))
}

fn base64ct_encode(bytes: &[u8]) -> String {
    use base64ct::Encoding as _;
    base64ct::Base64::encode_string(bytes)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_submission_is_notified_once_and_never_its_content() {
    let hook = Hook::start(0).await;
    let settings = hook.settings();
    let server = TestServer::start(|config| config.notify = Some(settings)).await;
    let sealed = bundle_naming(&firm_keys(), "canary", 100, CANARY_NAME, CANARY_FILE);

    let response = server.post(sealed.bytes.clone()).await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.expect("JSON");
    let notices = hook.wait_for(1).await;
    assert_eq!(
        notices[0].json(),
        serde_json::json!({
            "type": "submission.received",
            "receipt": sealed.receipt.full(),
            "received_at": answer["received_at"],
            "size": sealed.bytes.len(),
        })
    );
    assert_eq!(
        notices[0].headers["content-type"], "application/json",
        "the signed bytes are the body as sent"
    );

    // The same bytes again: stored already, so no news.
    assert_eq!(server.post(sealed.bytes.clone()).await.status(), 201);
    let other = bundle(&firm_keys(), "after the duplicate", 0);
    assert_eq!(server.post(other.bytes.clone()).await.status(), 201);
    hook.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let notices = hook.attempts();
    let receipts: Vec<Value> = notices
        .iter()
        .map(|n| n.json()["receipt"].clone())
        .collect();
    assert_eq!(
        notices.len(),
        2,
        "one notice per new submission: {receipts:?}"
    );
    assert!(receipts.contains(&sealed.receipt.full().into()));
    assert!(receipts.contains(&other.receipt.full().into()));
    assert_ne!(notices[0].id(), notices[1].id());

    for notice in &notices {
        for canary in [CANARY_NAME, CANARY_FILE, "Ottoline", "canary-divorce"] {
            assert!(!contains(&notice.bytes(), canary), "{canary:?} in a notice");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_endpoint_gets_the_same_notice_again_until_it_answers() {
    let hook = Hook::start(2).await;
    let settings = hook.settings();
    let server = TestServer::start(|config| config.notify = Some(settings)).await;
    let sealed = bundle(&firm_keys(), "retried", 0);
    assert_eq!(server.post(sealed.bytes.clone()).await.status(), 201);

    hook.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let attempts = hook.attempts();
    let statuses: Vec<u16> = attempts.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(statuses, [500, 500, 200]);
    // One message: the same id and body each time (the firm can drop repeats by id), each freshly signed.
    assert!(attempts.iter().all(|a| a.id() == attempts[0].id()));
    assert!(attempts.iter().all(|a| a.body == attempts[0].body));
    assert_eq!(attempts[0].json()["receipt"], sealed.receipt.full());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_is_down_never_stops_submissions() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", closed.local_addr().expect("address"));
    drop(closed);
    let hook = Hook::start(0).await;
    let settings = settings_for(&url, &hook.secret_file);
    let server = TestServer::start(|config| config.notify = Some(settings)).await;

    let sealed: Vec<_> = (0..3)
        .map(|i| bundle(&firm_keys(), &format!("endpoint down {i}"), 0))
        .collect();
    for sealed in &sealed {
        assert_eq!(server.post(sealed.bytes.clone()).await.status(), 201);
    }
    assert_eq!(server.read_store().count().unwrap(), 3);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for sealed in &sealed {
        let line = format!(
            "notice dropped for receipt {} after 4 attempts",
            sealed.receipt
        );
        while !logs().contains(&line) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no log line {line:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_mode_sends_a_count_per_period_and_nothing_per_submission() {
    let hook = Hook::start(0).await;
    let url = format!("http://{}/hook", hook.addr);
    let settings = NotifySettings::new(&url, &hook.secret_file, Some(Duration::from_secs(1)))
        .expect("valid settings");
    let server = TestServer::start(|config| config.notify = Some(settings)).await;
    let sealed: Vec<_> = (0..3)
        .map(|i| bundle(&firm_keys(), &format!("batch {i}"), 0))
        .collect();
    for sealed in &sealed {
        assert_eq!(server.post(sealed.bytes.clone()).await.status(), 201);
    }

    // One notice with a count of three, unless the posts straddle a period's end: then the counts add up to three.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let count = |notices: &[Attempt]| -> u64 {
        notices
            .iter()
            .map(|n| n.json()["count"].as_u64().expect("a count"))
            .sum()
    };
    while count(&hook.delivered()) < 3 {
        assert!(tokio::time::Instant::now() < deadline, "no batch notice");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Periods without submissions send nothing.
    let before = hook.attempts().len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let notices = hook.attempts();
    assert_eq!(notices.len(), before, "a notice for an empty period");
    assert_eq!(count(&notices), 3);
    for notice in &notices {
        let json = notice.json();
        let mut keys: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["count", "since", "type", "until"]);
        assert_eq!(json["type"], "submission.batch");
        assert!(json["count"].as_u64() > Some(0), "an empty period's notice");
        for sealed in &sealed {
            assert!(!contains(&notice.bytes(), &sealed.receipt.full()));
        }
    }
}
