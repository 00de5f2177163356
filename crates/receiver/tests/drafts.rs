//! The drafts API over real HTTP with a real SQLite store: a draft kept, read, replaced and deleted with its
//! secret, and refused with a precise status and message otherwise; only ciphertext ever stored.

mod util;

use rand_core::OsRng;
use sealform_core::answers::{Answer, Answers};
use sealform_core::draft::{self, Draft, DraftKey};
use sealform_core::protocol::draft::{DraftSaved, StoredDraft, DAYS_HEADER, SECRET_HEADER};
use sealform_core::Sha256Digest;
use sealform_receiver::RateLimit;
use serde_json::{json, Value};
use util::*;

const CANARY: &str = "QX7-RECEIVER-DRAFT-CANARY";

/// A sealed draft holding the canary, and its key.
fn sealed_draft(text: &str) -> (String, DraftKey) {
    let mut answers = Answers::default();
    answers.insert("description", Answer::Text(format!("{CANARY} {text}")));
    let document = Draft {
        sealform_draft: draft::DRAFT_VERSION,
        form_sha256: Sha256Digest::of(b"form"),
        saved_at: "2026-12-07T10:00:00Z".into(),
        page: 2,
        answers,
        files: Vec::new(),
    };
    let key = DraftKey::generate(&mut OsRng);
    (draft::seal(&document, &key, &mut OsRng), key)
}

async fn send(
    server: &TestServer,
    method: reqwest::Method,
    path: &str,
    secret: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = server.client.request(method, server.url(path));
    if let Some(secret) = secret {
        request = request.header(SECRET_HEADER, secret);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request sent")
}

async fn error(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("a JSON refusal");
    body["error"].as_str().expect("an error message").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_kept_read_replaced_and_deleted_with_its_secret() {
    let server = TestServer::start(|_| {}).await;
    let (sealed, key) = sealed_draft("first");
    let secret = key.secret();
    let created = send(
        &server,
        reqwest::Method::POST,
        "/api/drafts",
        Some(secret.expose()),
        Some(json!({ "draft": sealed })),
    )
    .await;
    assert_eq!(created.status(), 201);
    let saved: DraftSaved = created.json().await.expect("saved");
    let path = format!("/api/drafts/{}", saved.id);
    let expires = time::OffsetDateTime::parse(
        &saved.expires_at,
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    let days = (expires - time::OffsetDateTime::now_utc()).whole_days();
    assert!((29..=30).contains(&days), "kept 30 days by default: {days}");

    let read = send(&server, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(read.status(), 200);
    let stored: StoredDraft = read.json().await.expect("stored");
    assert_eq!(stored.draft, sealed, "the exact sealed draft back");
    let opened = draft::open(&stored.draft, &key).expect("opens with the key");
    assert_eq!(opened.page, 2);

    // Ciphertext only, at rest and in the logs.
    assert!(
        !store_files_contain(&server.store, CANARY.as_bytes()),
        "the canary is in the store"
    );
    assert!(
        !store_files_contain(&server.store, secret.expose().as_bytes()),
        "the secret is in the store"
    );
    assert!(
        !logs().contains(CANARY)
            && !logs().contains(secret.expose())
            && !logs().contains(&sealed[..40])
    );

    // A wrong secret changes nothing: 403, and the draft is as it was.
    let other = DraftKey::generate(&mut OsRng).secret();
    let (second, _) = sealed_draft("second");
    let forged = send(
        &server,
        reqwest::Method::PUT,
        &path,
        Some(other.expose()),
        Some(json!({ "draft": second })),
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert!(error(forged).await.contains("does not match"));
    let forged = send(
        &server,
        reqwest::Method::DELETE,
        &path,
        Some(other.expose()),
        None,
    )
    .await;
    assert_eq!(forged.status(), 403);
    let still: StoredDraft = send(&server, reqwest::Method::GET, &path, None, None)
        .await
        .json()
        .await
        .expect("stored");
    assert_eq!(still.draft, sealed);

    // Its own secret replaces it under the same id, then deletes it.
    let (again, _) = sealed_draft("again");
    let replaced = send(
        &server,
        reqwest::Method::PUT,
        &path,
        Some(secret.expose()),
        Some(json!({ "draft": again })),
    )
    .await;
    assert_eq!(replaced.status(), 200);
    let replaced: DraftSaved = replaced.json().await.expect("saved");
    assert_eq!(replaced.id, saved.id, "the link stays the same");
    let now: StoredDraft = send(&server, reqwest::Method::GET, &path, None, None)
        .await
        .json()
        .await
        .expect("stored");
    assert_eq!(now.draft, again);
    let deleted = send(
        &server,
        reqwest::Method::DELETE,
        &path,
        Some(secret.expose()),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 204);
    let gone = send(&server, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(gone.status(), 404);
    assert!(error(gone).await.contains("no longer kept"), "said plainly");
    let again = send(
        &server,
        reqwest::Method::DELETE,
        &path,
        Some(secret.expose()),
        None,
    )
    .await;
    assert_eq!(again.status(), 404);

    // A draft is never a submission.
    assert_eq!(server.read_store().count().expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_a_draft_gets_a_precise_refusal() {
    let server = TestServer::start(|config| config.draft_max_bytes = 4096).await;
    let secret = DraftKey::generate(&mut OsRng).secret();
    let post = |secret: Option<&str>, body: Value| {
        let secret = secret.map(str::to_owned);
        let server = &server;
        async move {
            send(
                server,
                reqwest::Method::POST,
                "/api/drafts",
                secret.as_deref(),
                Some(body),
            )
            .await
        }
    };
    let (sealed, _) = sealed_draft("fine");

    let missing = post(None, json!({ "draft": sealed })).await;
    assert_eq!(missing.status(), 400);
    assert!(error(missing).await.contains(SECRET_HEADER));
    let malformed = post(Some("not-a-secret"), json!({ "draft": sealed })).await;
    assert_eq!(malformed.status(), 400);

    // Unsealed answers are refused, and not repeated in the refusal.
    let plain = post(
        Some(secret.expose()),
        json!({ "draft": format!("{CANARY} my story") }),
    )
    .await;
    assert_eq!(plain.status(), 400);
    assert!(!error(plain).await.contains(CANARY));
    let junk = post(
        Some(secret.expose()),
        json!({ "answers": { "name": CANARY } }),
    )
    .await;
    assert_eq!(junk.status(), 400);

    let (huge, _) = sealed_draft(&"x".repeat(8192));
    let too_large = post(Some(secret.expose()), json!({ "draft": huge })).await;
    assert_eq!(too_large.status(), 413);
    assert!(error(too_large).await.contains("4096 bytes"));

    let not_an_id = send(
        &server,
        reqwest::Method::GET,
        "/api/drafts/not-an-id",
        None,
        None,
    )
    .await;
    assert_eq!(not_an_id.status(), 404);
    assert!(!store_files_contain(&server.store, CANARY.as_bytes()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_draft_is_gone_at_once_and_purged() {
    let server = TestServer::start(|_| {}).await;
    let (sealed, key) = sealed_draft("expiring");
    let created = send(
        &server,
        reqwest::Method::POST,
        "/api/drafts",
        Some(key.secret().expose()),
        Some(json!({ "draft": sealed })),
    )
    .await;
    let saved: DraftSaved = created.json().await.expect("saved");
    let path = format!("/api/drafts/{}", saved.id);
    // Age it in the store, as thirty days would.
    let db = rusqlite::Connection::open(&server.store).expect("open the store");
    db.execute("UPDATE drafts SET expires_at = 946684800", [])
        .expect("expire it");
    drop(db);
    let gone = send(&server, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(gone.status(), 404);
    assert!(error(gone).await.contains("30 days are over"));
    let replaced = send(
        &server,
        reqwest::Method::PUT,
        &path,
        Some(key.secret().expose()),
        Some(json!({ "draft": sealed })),
    )
    .await;
    assert_eq!(
        replaced.status(),
        404,
        "an expired draft is not brought back"
    );
    let mut store = sealform_store::Store::open(&server.store).expect("store");
    assert_eq!(store.draft_count().expect("count"), 1, "until the purge");
    assert_eq!(
        store
            .purge_drafts(time::OffsetDateTime::now_utc())
            .expect("purge"),
        1
    );
    assert_eq!(store.draft_count().expect("count"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_says_whether_drafts_are_kept() {
    let server = TestServer::start(|_| {}).await;
    let config = server
        .client
        .get(server.url("/config.json"))
        .send()
        .await
        .expect("config");
    assert_eq!(config.headers()[DAYS_HEADER], "30");
    let off = TestServer::start(|config| config.draft_days = 0).await;
    let config = off
        .client
        .get(off.url("/config.json"))
        .send()
        .await
        .expect("config");
    assert!(config.headers().get(DAYS_HEADER).is_none());
    let (sealed, key) = sealed_draft("off");
    let refused = send(
        &off,
        reqwest::Method::POST,
        "/api/drafts",
        Some(key.secret().expose()),
        Some(json!({ "draft": sealed })),
    )
    .await;
    assert_eq!(refused.status(), 404);
    assert!(error(refused).await.contains("does not keep drafts"));

    // Inline mode: the firm's page may read the header, PUT and DELETE, and send the secret.
    let allowed = TestServer::start(|config| {
        config.allow_origins = vec!["https://firm.example".parse().expect("origin")];
    })
    .await;
    let preflight = allowed
        .client
        .request(
            reqwest::Method::OPTIONS,
            allowed.url("/api/drafts/AAAAAAAAAAAAAAAAAAAAAA"),
        )
        .header("origin", "https://firm.example")
        .header("access-control-request-method", "DELETE")
        .header(
            "access-control-request-headers",
            SECRET_HEADER.to_ascii_lowercase(),
        )
        .send()
        .await
        .expect("preflight");
    let methods = preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        methods.contains("DELETE") && methods.contains("PUT"),
        "{methods}"
    );
    let headers = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        headers.contains(&SECRET_HEADER.to_ascii_lowercase()),
        "{headers}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_rate_limited_like_submissions() {
    let server = TestServer::start(|config| {
        config.rate_limit = Some(RateLimit {
            per_minute: 1.try_into().unwrap(),
            burst: 2.try_into().unwrap(),
        })
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (sealed, key) = sealed_draft("many");
        let response = send(
            &server,
            reqwest::Method::POST,
            "/api/drafts",
            Some(key.secret().expose()),
            Some(json!({ "draft": sealed })),
        )
        .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(&statuses[..2], &[201, 201]);
    assert!(statuses[2..].iter().all(|s| *s == 429), "{statuses:?}");
}
