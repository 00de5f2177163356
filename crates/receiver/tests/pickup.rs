//! The pickup API over real HTTP on loopback with a real SQLite store: listing, downloading and acknowledging
//! with pickup tokens, what a wrong or read-only token gets, deletion after pickup, the served configs, and the
//! audit trail.

mod util;

use std::time::Duration;

use sealform_core::audit::{self, action};
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::{
    AckResponse, AllowedToken, ConfigList, InboxPage, PickupToken, TokenScope,
};
use sealform_core::Sha256Digest;
use util::*;

struct Tokens {
    collect: PickupToken,
    read: PickupToken,
}

fn tokens() -> Tokens {
    Tokens {
        collect: PickupToken::from_random(&[11; 32]),
        read: PickupToken::from_random(&[22; 32]),
    }
}

async fn start(tokens: &Tokens, keep: Duration) -> TestServer {
    let allowed = vec![
        AllowedToken {
            hash: tokens.collect.hash(),
            scope: TokenScope::Collect,
        },
        AllowedToken {
            hash: tokens.read.hash(),
            scope: TokenScope::Read,
        },
    ];
    TestServer::start(move |config| {
        config.pickup_tokens = allowed;
        config.keep_after_pickup = keep;
    })
    .await
}

fn get(server: &TestServer, path: &str, token: &PickupToken) -> reqwest::RequestBuilder {
    server
        .client
        .get(server.url(path))
        .bearer_auth(token.expose())
}

async fn store_some(server: &TestServer, n: usize) -> Vec<(ReceiptId, Vec<u8>)> {
    let mut stored = Vec::new();
    for i in 0..n {
        let sealed = bundle(&firm_keys(), &format!("pickup-{i}"), 64);
        assert_eq!(server.post(sealed.bytes.clone()).await.status(), 201);
        stored.push((sealed.receipt, sealed.bytes));
    }
    stored
}

async fn page(server: &TestServer, query: &str, token: &PickupToken) -> InboxPage {
    let response = get(server, &format!("/api/inbox{query}"), token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("an inbox page")
}

async fn ack(
    server: &TestServer,
    receipts: &[ReceiptId],
    token: &PickupToken,
) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/inbox/ack"))
        .bearer_auth(token.expose())
        .json(&serde_json::json!({ "receipts": receipts }))
        .send()
        .await
        .expect("sent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_lists_downloads_and_acknowledges_in_arrival_order() {
    let tokens = tokens();
    let server = start(&tokens, Duration::from_secs(7 * 86_400)).await;
    let stored = store_some(&server, 5).await;

    let first = page(&server, "?limit=2", &tokens.read).await;
    assert!(first.more);
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.items[0].receipt, stored[0].0);
    assert_eq!(first.items[0].size, stored[0].1.len() as u64);
    let rest = page(
        &server,
        &format!("?after={}", first.items[1].cursor),
        &tokens.read,
    )
    .await;
    assert!(!rest.more);
    let listed: Vec<ReceiptId> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|i| i.receipt)
        .collect();
    assert_eq!(listed, stored.iter().map(|(r, _)| *r).collect::<Vec<_>>());

    // The exact bytes, under the bundle's media type.
    let response = get(
        &server,
        &format!("/api/inbox/{}", stored[0].0),
        &tokens.read,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        sealform_receiver::BUNDLE_MEDIA_TYPE
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.bytes().await.unwrap(), stored[0].1);

    // A read-only token may not acknowledge.
    let refused = ack(&server, &[stored[0].0], &tokens.read).await;
    assert_eq!(refused.status(), 403);
    let stranger = ReceiptId::of(b"never sent");
    let response = ack(
        &server,
        &[stored[0].0, stored[1].0, stranger],
        &tokens.collect,
    )
    .await;
    assert_eq!(response.status(), 200);
    let outcome: AckResponse = response.json().await.unwrap();
    assert_eq!(outcome.acknowledged, [stored[0].0, stored[1].0]);
    assert_eq!(outcome.unknown, [stranger]);

    let waiting = page(&server, "?state=uncollected", &tokens.collect).await;
    assert_eq!(waiting.items.len(), 3);
    let all = page(&server, "", &tokens.collect).await;
    assert!(
        all.items[0].collected_at.is_some(),
        "kept for the keep period"
    );
    let health: serde_json::Value = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["uncollected"], 3);
    assert!(health["oldest_uncollected_age_seconds"].as_i64().unwrap() >= 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_or_missing_tokens_get_401_with_no_detail_and_nothing_listed() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    let stored = store_some(&server, 1).await;
    let stranger = PickupToken::from_random(&[33; 32]);
    let hash_as_token = tokens.collect.hash().to_string();
    let requests = [
        server.client.get(server.url("/api/inbox")),
        get(&server, "/api/inbox", &stranger),
        server
            .client
            .get(server.url("/api/inbox"))
            .bearer_auth(&hash_as_token),
        server
            .client
            .get(server.url(&format!("/api/inbox/{}", stored[0].0)))
            .basic_auth("firm", Some(tokens.collect.expose())),
        get(&server, "/api/audit", &stranger),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body = response.text().await.unwrap();
        assert_eq!(body, r#"{"error":"unauthorized"}"#);
    }
    let logs = logs();
    assert!(logs.contains("pickup authentication failed"));
    assert!(
        !logs.contains(stranger.expose()),
        "a token never reaches the log"
    );
    assert!(!logs.contains(tokens.collect.expose()));
    assert_eq!(
        server.read_store().count().unwrap(),
        1,
        "nothing acknowledged or deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_are_rate_limited() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    let stranger = PickupToken::from_random(&[44; 32]);
    let mut statuses = Vec::new();
    for _ in 0..15 {
        statuses.push(
            get(&server, "/api/inbox", &stranger)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses[0], 401);
    assert_eq!(*statuses.last().unwrap(), 429);
    // Blocked means blocked: even the right token waits.
    let response = get(&server, "/api/inbox", &tokens.collect)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_saying_plain_http_is_refused() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    let response = get(&server, "/api/inbox", &tokens.collect)
        .header("x-forwarded-proto", "http")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert!(body.contains("HTTPS"), "{body}");
    let behind_tls = get(&server, "/api/inbox", &tokens.collect)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(behind_tls.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_keep_period_acknowledged_bundles_are_deleted_at_once_and_not_stored_again() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    let stored = store_some(&server, 3).await;
    let receipts: Vec<ReceiptId> = stored.iter().map(|(r, _)| *r).collect();
    assert_eq!(
        ack(&server, &receipts[..2], &tokens.collect).await.status(),
        200
    );
    let store = server.read_store();
    assert_eq!(store.count().unwrap(), 1);
    assert!(store.get(&receipts[0]).unwrap().is_none());
    let gone = get(
        &server,
        &format!("/api/inbox/{}", receipts[0]),
        &tokens.collect,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(gone.status(), 404);
    // The client's browser sending the same bundle again: answered as stored, not stored again.
    assert_eq!(server.post(stored[0].1.clone()).await.status(), 201);
    assert_eq!(server.read_store().count().unwrap(), 1);
    // Nor the same sealing as other bytes: its sender hears the first receipt.
    let respelt = [b" ".as_slice(), &stored[0].1].concat();
    let answer = server.post(respelt).await;
    assert_eq!(answer.status(), 201);
    let answer: sealform_core::protocol::Receipt = answer.json().await.unwrap();
    assert_eq!(answer.receipt, receipts[0].full());
    assert_eq!(server.read_store().count().unwrap(), 1);
    // Acknowledging again is still a success.
    let again: AckResponse = ack(&server, &receipts[..1], &tokens.collect)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.acknowledged, receipts[..1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_queries_and_bodies_get_400() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    for query in [
        "?limit=0",
        "?limit=1001",
        "?after=x",
        "?state=maybe",
        "?evil=1",
    ] {
        let response = get(&server, &format!("/api/inbox{query}"), &tokens.read)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
    }
    for body in ["", "{}", r#"{"receipts":[]}"#, r#"{"receipts":["nope"]}"#] {
        let response = server
            .client
            .post(server.url("/api/inbox/ack"))
            .bearer_auth(tokens.collect.expose())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
    }
    let missing = get(&server, "/api/inbox/not-a-receipt", &tokens.read)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_config_is_kept_and_given_by_its_digest() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    let served = server
        .client
        .get(server.url("/config.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let list: ConfigList = server
        .client
        .get(server.url("/api/configs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let digest = Sha256Digest::of(&served);
    assert_eq!(list.configs.len(), 1);
    assert_eq!(list.configs[0].sha256, digest);
    let fetched = server
        .client
        .get(server.url(&format!("/api/configs/{digest}")))
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap(), served);
    let unknown = server
        .client
        .get(server.url(&format!("/api/configs/{}", Sha256Digest::of(b"x"))))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_records_pickups_acknowledgements_deletions_and_failures() {
    let tokens = tokens();
    let server = start(&tokens, Duration::ZERO).await;
    let stored = store_some(&server, 2).await;
    let receipt = stored[0].0;
    let stranger = PickupToken::from_random(&[55; 32]);
    assert_eq!(
        get(&server, "/api/inbox", &stranger)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    get(&server, &format!("/api/inbox/{receipt}"), &tokens.read)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ack(&server, &[receipt], &tokens.collect).await.status(),
        200
    );

    let response = get(&server, "/api/audit", &tokens.read)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let trail = response.text().await.unwrap();
    let head = audit::verify(&trail).unwrap();
    assert_eq!(head.seq, 4);
    let entries: Vec<audit::Entry> = trail
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            action::AUTH_FAILED,
            action::DOWNLOAD,
            action::ACKNOWLEDGE,
            action::DELETE
        ]
    );
    assert_eq!(
        entries[1].actor,
        format!("token:{}", tokens.read.hash().prefix())
    );
    assert_eq!(
        entries[2].actor,
        format!("token:{}", tokens.collect.hash().prefix())
    );
    assert_eq!(entries[3].receipts, [receipt]);
    assert!(entries[0].actor.starts_with("ip:127.0.0.1"));
    for token in [&tokens.read, &tokens.collect, &stranger] {
        assert!(!trail.contains(token.expose()));
        assert!(
            !trail.contains(&token.hash().to_string()),
            "only a prefix of the hash"
        );
    }
}
