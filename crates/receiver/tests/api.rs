//! The receiver over real HTTP on loopback, with a real SQLite store: what a browser, a careless client and an
//! attacker each get back, and what ends up stored.
//!
//! One file past 700 lines on purpose: each file under `tests/` is linked as a binary of its own, and every test
//! here drives the same kind of server through the same helpers (`util`).

mod util;

use std::time::Duration;

use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pow::{meets, solve};
use sealform_core::protocol::{Challenge, Receipt};
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use sealform_receiver::{PowSettings, RateLimit};
use serde_json::Value;
use util::*;

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

// ---------------------------------------------------------------------------------------------------------------
// Storing
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_bundle_is_stored_under_its_receipt() {
    let server = TestServer::start(|_| {}).await;
    let sealed = bundle(&firm_keys(), "one", 100);
    let response = server.post(sealed.bytes.clone()).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Receipt = response.json().await.expect("a receipt");
    let receipt = ReceiptId::of(&sealed.bytes);
    assert_eq!(body.receipt, receipt.full());
    assert_eq!(body.short, receipt.short());
    let received_at = body.received_at;
    assert!(received_at.ends_with('Z'), "{received_at}");

    let stored = server.read_store().get(&receipt).unwrap().expect("stored");
    assert_eq!(stored.bundle, sealed.bytes);
    assert_eq!(stored.received_at, received_at);
    assert!(
        logs().contains(&receipt.full()),
        "the access log names the receipt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_bundle_twice_is_one_row_and_two_successes() {
    let server = TestServer::start(|_| {}).await;
    let sealed = bundle(&firm_keys(), "twice", 0);
    for _ in 0..2 {
        let response = server.post(sealed.bytes.clone()).await;
        assert_eq!(response.status(), 201);
        assert_eq!(json(response).await["receipt"], sealed.receipt.full());
    }
    assert_eq!(server.read_store().count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sealing_sent_as_other_bytes_is_one_row_under_its_first_receipt() {
    let server = TestServer::start(|_| {}).await;
    let sealed = bundle(&firm_keys(), "respelt", 10);
    let text = String::from_utf8(sealed.bytes.clone()).expect("a bundle is UTF-8");
    let value: Value = serde_json::from_str(&text).expect("a bundle is JSON");
    // What a proxy or another JOSE library might make of it: each its own bytes, so its own SHA-256.
    let respelt = [
        format!(" {text}\n"),
        serde_json::to_string_pretty(&value).expect("JSON"),
        text.replacen(r#"{"version":1,"#, r#"{ "version": 1, "#, 1),
    ];
    for body in [text.clone()].iter().chain(&respelt) {
        let response = server.post(body.clone()).await;
        assert_eq!(response.status(), 201, "{body:.40}");
        assert_eq!(json(response).await["receipt"], sealed.receipt.full());
    }
    let store = server.read_store();
    assert_eq!(store.receipts().unwrap(), [sealed.receipt]);
    assert_eq!(
        store.get(&sealed.receipt).unwrap().unwrap().bundle,
        sealed.bytes
    );
    // A base64url character written as a JSON escape is refused outright: no sealer writes one.
    let escaped = text.replacen(r#""iv":""#, r#""iv":"\u0041"#, 1);
    let response = server.post(escaped).await;
    assert_eq!(response.status(), 422);
    assert!(json(response).await["error"]
        .as_str()
        .unwrap()
        .contains("not a sealed sealform bundle"));
    assert_eq!(server.read_store().count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_submitters_are_all_stored() {
    let server = std::sync::Arc::new(TestServer::start(|_| {}).await);
    let keys = firm_keys();
    let bundles: Vec<_> = (0..200)
        .map(|i| bundle(&keys, &format!("c{i}"), 64))
        .collect();
    let tasks: Vec<_> = bundles
        .iter()
        .map(|sealed| {
            let server = std::sync::Arc::clone(&server);
            let bytes = sealed.bytes.clone();
            tokio::spawn(async move { server.post(bytes).await.status() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let store = server.read_store();
    assert_eq!(store.count().unwrap(), 200);
    for sealed in &bundles {
        assert_eq!(
            store.get(&sealed.receipt).unwrap().expect("stored").bundle,
            sealed.bytes
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_store_gets_503_never_201() {
    let server = TestServer::start(|_| {}).await;
    let blocker = rusqlite_lock(&server.store);
    let response = server.post(bundle(&firm_keys(), "locked", 0).bytes).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    drop(blocker);
    assert_eq!(server.read_store().count().unwrap(), 0);
    assert_eq!(
        server
            .post(bundle(&firm_keys(), "unlocked", 0).bytes)
            .await
            .status(),
        201
    );
}

/// Holds the store's write lock from another connection until dropped.
fn rusqlite_lock(path: &std::path::Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).expect("store opens");
    connection
        .execute_batch("BEGIN IMMEDIATE")
        .expect("write lock taken");
    connection
}

// ---------------------------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_400() {
    let server = TestServer::start(|_| {}).await;
    let response = server.post(r#"{"version":1,"submission":"#).await;
    assert_eq!(response.status(), 400);
    assert!(json(response).await["error"]
        .as_str()
        .unwrap()
        .contains("not JSON"));
    assert_eq!(server.read_store().count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_answers_are_refused_and_never_kept_or_logged() {
    const CANARY: &str = "CANARY-7f3e-plaintext-answer";
    let server = TestServer::start(|_| {}).await;
    for body in [
        format!(r#"{{"name":"{CANARY}"}}"#),
        format!(r#"{{"{CANARY}":1}}"#),
        format!(r#"{{"version":1,"submission":{{"{CANARY}":"x"}},"attachments":[]}}"#),
        format!(r#"{{"version":"{CANARY}"}}"#),
    ] {
        let response = server.post(body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let text = response.text().await.unwrap();
        assert!(!text.contains(CANARY), "the answer echoes the body: {text}");
        assert!(text.contains("not a sealed sealform bundle"), "{text}");
    }
    assert_eq!(server.read_store().count().unwrap(), 0);
    assert!(!store_files_contain(&server.store, CANARY.as_bytes()));
    assert!(!logs().contains(CANARY), "the canary was logged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundles_not_sealed_for_exactly_this_firms_keys_are_422() {
    let server = TestServer::start(|_| {}).await;
    for keys in [
        vec![recipient("stranger")],
        vec![recipient("firm")],
        vec![
            recipient("firm"),
            recipient("backup"),
            recipient("stranger"),
        ],
    ] {
        let response = server.post(bundle(&keys, "x", 0).bytes).await;
        assert_eq!(response.status(), 422);
        let message = json(response).await["error"].as_str().unwrap().to_owned();
        assert!(
            message.starts_with("not sealed for this firm's keys"),
            "{message}"
        );
    }
    // The order of the keys does not matter.
    let reversed = bundle(&[recipient("backup"), recipient("firm")], "x", 0);
    assert_eq!(server.post(reversed.bytes).await.status(), 201);
    assert_eq!(server.read_store().count().unwrap(), 1);
}

/// `bundle` with `change` made to its JSON: a bundle the form would never send, though core's parser reads it.
fn edited(bundle: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(bundle).expect("a bundle is JSON");
    change(&mut value);
    serde_json::to_vec(&value).expect("serialise")
}

/// `bundle` with `change` made to one part's JSON: `"submission"`, or `"attachments"` for the first attachment.
fn edited_part(bundle: &[u8], part: &str, change: impl FnOnce(&mut Value)) -> Vec<u8> {
    edited(bundle, |v| {
        change(if part == "attachments" {
            &mut v[part][0]
        } else {
            &mut v[part]
        })
    })
}

/// Posts `body`, which core's parser reads, and expects a 422 whose message says `says`.
async fn assert_refused(server: &TestServer, body: Vec<u8>, says: &str) {
    sealform_core::bundle::inspect(&body).expect("well-formed");
    let response = server.post(body).await;
    assert_eq!(response.status(), 422, "{says}");
    let message = json(response).await["error"]
        .as_str()
        .expect("a message")
        .to_owned();
    assert!(message.contains(says), "{message}");
}

/// The base64url of `bytes`, as a bundle carries binary values.
fn b64(bytes: &[u8]) -> Value {
    use base64ct::Encoding as _;
    base64ct::Base64UrlUnpadded::encode_string(bytes).into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrapped_key_not_as_long_as_its_keys_modulus_is_422() {
    let server = TestServer::start(|_| {}).await;
    let sealed = bundle(&firm_keys(), "short key", 10);
    // Both test keys are RSA-2048: every wrapped key is 256 bytes, and one of any other length never unwraps.
    for (part, len) in [
        ("submission", 255),
        ("submission", 257),
        ("attachments", 128),
    ] {
        let body = edited_part(&sealed.bytes, part, |part| {
            part["recipients"][1]["encrypted_key"] = b64(&vec![7; len]);
        });
        // Core's parser alone takes it: only the firm's key can say it will never open.
        assert_refused(&server, body, "wrapped key").await;
    }
    assert_eq!(server.read_store().count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_header_other_than_the_canonical_17_bytes_is_422() {
    let server = TestServer::start(|_| {}).await;
    let sealed = bundle(&firm_keys(), "header", 10);
    for (part, header) in [
        ("submission", r#"{"enc":"A256GCM" }"#),
        ("submission", r#"{ "enc": "A256GCM"}"#),
        ("attachments", r#"{"enc":"A256GCM"}   "#),
    ] {
        let body = edited_part(&sealed.bytes, part, |part| {
            part["protected"] = b64(header.as_bytes());
        });
        assert_refused(&server, body, "protected header").await;
    }
    assert_eq!(server.read_store().count().unwrap(), 0);
    // The canonical bundle, re-serialised the same way, is still taken: only the header was at fault.
    let same = edited(&sealed.bytes, |_| {});
    assert_eq!(server.post(same).await.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_413_declared_or_streamed() {
    let server = TestServer::start(|config| config.max_body = 4000).await;
    let big = bundle(&firm_keys(), "big", 3000).bytes;
    assert!(big.len() > 4000);
    assert_eq!(server.post(big.clone()).await.status(), 413);

    // Chunked, with no length declared: cut off while reading.
    let chunk = &big[..big.len().min(6000)];
    let request = format!(
        "POST /api/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        chunk.len(),
        String::from_utf8_lossy(chunk)
    );
    let answer = server.raw(request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(server.read_store().count().unwrap(), 0);
}

/// Starts posting `body` on a new connection, declaring its whole length but sending only its first `sent` bytes,
/// and gives the receiver a moment to take it up. Returns the connection and the bytes still to send.
async fn start_upload(
    server: &TestServer,
    body: &[u8],
    sent: usize,
) -> (tokio::net::TcpStream, Vec<u8>) {
    use tokio::io::AsyncWriteExt as _;
    let mut upload = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let headers = format!(
        "POST /api/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    upload.write_all(headers.as_bytes()).await.expect("send");
    upload.write_all(&body[..sent]).await.expect("send");
    tokio::time::sleep(Duration::from_millis(200)).await;
    (upload, body[sent..].to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_beyond_the_inflight_budget_get_503_until_there_is_room() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let first = bundle(&firm_keys(), "first", 30_000);
    let second = bundle(&firm_keys(), "second", 30_000);
    // Room for one of them, not two.
    let budget = first.bytes.len() as u64 + 10_000;
    let server = TestServer::start(|config| {
        config.inflight_bytes = Some(budget);
        config.max_body = budget;
    })
    .await;
    // The first under way: its headers and half its body sent, its declared length held.
    let (mut upload, rest) = start_upload(&server, &first.bytes, first.bytes.len() / 2).await;

    // Declared: refused before it is read.
    let response = server.post(second.bytes.clone()).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "5");
    let message = json(response).await["error"].as_str().unwrap().to_owned();
    assert!(message.contains("busy"), "{message}");
    // Chunked, no length declared: refused once its bytes outgrow the room left.
    let request = format!(
        "POST /api/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
        second.bytes.len(),
        String::from_utf8_lossy(&second.bytes)
    );
    let answer = server.raw(request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");

    // The first finishes and is stored; its bytes are given back, and the second now fits.
    upload.write_all(&rest).await.unwrap();
    let mut answer = String::new();
    upload.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(server.post(second.bytes.clone()).await.status(), 201);
    assert_eq!(server.read_store().count().unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_body_limit_follows_the_forms_limits() {
    let form = form_config();
    let attachments = form.schema().limits.max_total_attachment_bytes;
    assert!(form.max_body() > attachments * 4 / 3);
    assert!(form.max_body() < attachments * 4 / 3 + 2 * 1024 * 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_content_types_are_415() {
    let server = TestServer::start(|_| {}).await;
    let sealed = bundle(&firm_keys(), "ct", 0);
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let response = server
            .client
            .post(server.url("/api/submissions"))
            .header("content-type", content_type)
            .body(sealed.bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
    }
    let response = server
        .client
        .post(server.url("/api/submissions"))
        .body(sealed.bytes.clone())
        .send()
        .await;
    assert_eq!(response.unwrap().status(), 415);
    // application/json is accepted as well as the bundle's own type.
    let response = server
        .client
        .post(server.url("/api/submissions"))
        .header("content-type", "application/json; charset=utf-8")
        .body(sealed.bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_times_out_with_408() {
    let server = TestServer::start(|config| config.body_timeout = Duration::from_millis(300)).await;
    // Ten bytes of the thousand promised, then nothing: the server must not wait for ever.
    let request = "POST /api/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                   Content-Length: 1000\r\n\r\n{\"version\"";
    let answer = server.raw(request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_headers_are_cut_off() {
    let server =
        TestServer::start(|config| config.header_timeout = Duration::from_millis(300)).await;
    // Half a request line and one header, then nothing: the connection must not stay open.
    let started = std::time::Instant::now();
    let answer = server
        .raw(b"POST /api/submissions HTTP/1.1\r\nHost: x\r\n")
        .await;
    assert!(started.elapsed() < Duration::from_secs(10), "{answer}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_cap_idle_connections_make_way_and_uploads_do_not() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let server = TestServer::start(|config| config.max_connections = 4).await;
    let sealed = bundle(&firm_keys(), "under way", 2000);
    // An upload under way: headers and part of its body sent.
    let (mut upload, rest) = start_upload(&server, &sealed.bytes, 1000).await;
    // Five times the cap of idle connections, each making the one before it go: half send nothing, half only
    // the start of a request (slowloris).
    let mut idle = Vec::new();
    for i in 0..20 {
        let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        if i % 2 == 1 {
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\n")
                .await
                .unwrap();
        }
        idle.push(stream);
    }
    let started = std::time::Instant::now();
    // A new connection: the test client's kept-alive one is idle too, and may just have been closed to make way.
    let health = reqwest::Client::new()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The upload was never closed to make room: it finishes, and is stored.
    upload.write_all(&rest).await.unwrap();
    let mut answer = String::new();
    upload.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(server.read_store().count().unwrap(), 1);
    // The idle connections made way: most were closed by the receiver.
    let mut closed = 0;
    for mut stream in idle {
        let mut byte = [0; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(50), stream.read(&mut byte)).await
        {
            closed += 1;
        }
    }
    assert!(
        closed >= 16,
        "only {closed} of 20 idle connections were closed"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Proof of work
// ---------------------------------------------------------------------------------------------------------------

async fn challenge(server: &TestServer) -> (String, u8) {
    let response = server
        .client
        .get(server.url("/api/challenge"))
        .send()
        .await
        .expect("challenge fetched");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Challenge = response.json().await.expect("a challenge");
    (body.challenge, body.bits)
}

fn pow(bits: u8, ttl: Duration) -> impl FnOnce(&mut sealform_receiver::Config) {
    move |config| config.pow = Some(PowSettings { bits, ttl })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_of_work_once_per_challenge() {
    let server = TestServer::start(pow(10, Duration::from_secs(60))).await;
    let (token, bits) = challenge(&server).await;
    assert_eq!(bits, 10);
    let header = solve(&token, bits);
    let first = server
        .post_with(
            bundle(&firm_keys(), "p1", 0).bytes,
            &[("sealform-pow", &header)],
        )
        .await;
    assert_eq!(first.status(), 201);

    let again = server
        .post_with(
            bundle(&firm_keys(), "p2", 0).bytes,
            &[("sealform-pow", &header)],
        )
        .await;
    assert_eq!(again.status(), 403);
    assert!(json(again).await["error"]
        .as_str()
        .unwrap()
        .contains("already used"));

    let missing = server.post(bundle(&firm_keys(), "p3", 0).bytes).await;
    assert_eq!(missing.status(), 403);
    assert!(json(missing).await["error"]
        .as_str()
        .unwrap()
        .contains("/api/challenge"));
    assert_eq!(server.read_store().count().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_of_work_too_few_bits_or_forged_is_403() {
    let server = TestServer::start(pow(12, Duration::from_secs(60))).await;
    let (token, _) = challenge(&server).await;
    // A solution good for 4 bits but not for 12 (most are).
    let weak = (0u64..)
        .map(|n| format!("w{n}"))
        .find(|solution| !meets(&token, solution, 12))
        .map(|solution| format!("{token}.{solution}"))
        .unwrap();
    let response = server
        .post_with(
            bundle(&firm_keys(), "w", 0).bytes,
            &[("sealform-pow", &weak)],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(json(response).await["error"]
        .as_str()
        .unwrap()
        .contains("12 zero bits"));

    let other_first = if token.starts_with('A') { 'B' } else { 'A' };
    let forged = solve(&format!("{other_first}{}", &token[1..]), 12);
    let response = server
        .post_with(
            bundle(&firm_keys(), "f", 0).bytes,
            &[("sealform-pow", &forged)],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(server.read_store().count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proof_of_work_expires() {
    let server = TestServer::start(pow(4, Duration::ZERO)).await;
    let (token, bits) = challenge(&server).await;
    let header = solve(&token, bits);
    let response = server
        .post_with(
            bundle(&firm_keys(), "e", 0).bytes,
            &[("sealform-pow", &header)],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(json(response).await["error"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

/// `GET /config.json` from `origin`: its `Sealform-Pow-Bits` header, and the headers CORS lets that page read.
async fn config_pow_header(server: &TestServer, origin: &str) -> (Option<String>, String) {
    let response = server
        .client
        .get(server.url("/config.json"))
        .header("origin", origin)
        .send()
        .await
        .expect("config fetched");
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("ASCII").to_owned())
    };
    (
        header(sealform_core::protocol::pow::REQUIRED_HEADER),
        header("access-control-expose-headers").unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_tells_the_form_whether_to_solve_a_proof_of_work() {
    let with = TestServer::start(|config| {
        pow(12, Duration::from_secs(60))(config);
        config.allow_origins = vec!["https://firm.example".parse().unwrap()];
    })
    .await;
    let (bits, exposed) = config_pow_header(&with, "https://firm.example").await;
    assert_eq!(bits.as_deref(), Some("12"));
    // Inline mode reads the config from the firm's page: the header must be readable across origins.
    assert!(
        exposed.to_ascii_lowercase().contains("sealform-pow-bits"),
        "{exposed}"
    );
    let without = TestServer::start(|_| {}).await;
    let (bits, _) = config_pow_header(&without, "https://firm.example").await;
    assert_eq!(
        bits, None,
        "no proof of work: the form must not ask for a challenge"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_proof_of_work_there_is_no_challenge_and_the_header_is_ignored() {
    let server = TestServer::start(|_| {}).await;
    let response = server
        .client
        .get(server.url("/api/challenge"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = server
        .post_with(
            bundle(&firm_keys(), "n", 0).bytes,
            &[("sealform-pow", "junk.1")],
        )
        .await;
    assert_eq!(response.status(), 201);
}

// ---------------------------------------------------------------------------------------------------------------
// Rate limit, CORS, headers, static files
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_rate_gets_429_with_retry_after() {
    let server = TestServer::start(|config| {
        config.rate_limit = Some(RateLimit {
            per_minute: 1.try_into().unwrap(),
            burst: 2.try_into().unwrap(),
        })
    })
    .await;
    let sealed = bundle(&firm_keys(), "r", 0);
    for _ in 0..2 {
        assert_eq!(server.post(sealed.bytes.clone()).await.status(), 201);
    }
    let response = server.post(sealed.bytes.clone()).await;
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Static files are not limited.
    assert_eq!(
        server
            .client
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_only_for_the_allowed_origins() {
    let server = TestServer::start(|config| {
        config.allow_origins = vec!["https://firm.example".parse().unwrap()];
    })
    .await;
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/api/submissions"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,sealform-pow",
            )
            .send()
    };
    let allowed = preflight("https://firm.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://firm.example"
    );
    // Only what the form sends: the bundle's type, a proof of work, a draft's secret.
    assert_eq!(
        allowed.headers()["access-control-allow-headers"],
        "content-type,sealform-pow,sealform-draft-secret"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    let page = server.client.get(server.url("/")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://firm.example"),
        "{csp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_the_security_headers() {
    let server = TestServer::start(|_| {}).await;
    let csp = sealform_receiver::content_security_policy(&[]);
    for path in [
        "/",
        "/embed.js",
        "/sealform-form-0123abcd_bg.wasm",
        "/config.json",
        "/healthz",
        "/missing",
        "/api/nope",
    ] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["content-security-policy"], csp.as_str(), "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            headers["cross-origin-opener-policy"], "same-origin",
            "{path}"
        );
        assert!(
            headers["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("camera=()"),
            "{path}"
        );
    }
    let get = |path: &'static str| server.client.get(server.url(path)).send();
    let wasm = get("/sealform-form-0123abcd_bg.wasm").await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(
        wasm.headers()["cross-origin-resource-policy"],
        "same-origin"
    );
    let embed = get("/embed.js").await.unwrap();
    assert_eq!(
        embed.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    let index = get("/").await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.text().await.unwrap().contains("the built page"));
    assert_eq!(get("/missing").await.unwrap().status(), 404);
    let api = get("/api/nope").await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["cache-control"], "no-store");
}

/// `GET path` with `headers`, uncompressed: the status, the headers and the page.
async fn page(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = server
        .client
        .get(server.url(path))
        .header("accept-encoding", "identity");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the page");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("a text page"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_paints_the_forms_top_in_the_language_the_form_will_choose() {
    let server = TestServer::start(|_| {}).await;
    let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).unwrap();
    let english = template.schema().clone();
    let spanish = english.in_language("es").unwrap();
    let arabic = english.in_language("ar").unwrap();
    let escaped = |text: &str| maud::html! { (text) }.0;
    let first_paint = format!(
        "<div id=\"{}\"",
        sealform_core::protocol::page::FIRST_PAINT_ID
    );

    // No language asked for: the form's own, its title as the page's.
    let (status, headers, body) = page(&server, "/", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-language"], english.language.as_str());
    assert!(
        body.contains(&format!("<html lang=\"{}\" dir=\"ltr\">", english.language)),
        "{body}"
    );
    assert!(
        body.contains(&format!("<title>{}", escaped(&english.sections[0].title))),
        "{body}"
    );
    assert!(
        body.contains(&first_paint) && body.contains("Loading the form"),
        "{body}"
    );
    assert!(
        body.contains(&escaped(&english.sections[0].title)),
        "{body}"
    );
    assert!(
        body.contains("the built page"),
        "the rest of the page is the build's: {body}"
    );
    let varies: Vec<String> = headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        varies.iter().any(|v| v.contains("accept-language")),
        "{varies:?}"
    );
    assert!(
        varies.iter().any(|v| v.contains("accept-encoding")),
        "{varies:?}"
    );
    assert_eq!(headers["cache-control"], "no-cache");

    // The browser's languages, in its order, as the form reads navigator.languages.
    let (_, headers, body) = page(
        &server,
        "/index.html",
        &[("accept-language", "fr-FR,es-MX;q=0.8,en;q=0.5")],
    )
    .await;
    assert_eq!(headers["content-language"], "es");
    assert!(body.contains("<html lang=\"es\" dir=\"ltr\">"), "{body}");
    assert!(body.contains(&escaped(&spanish.title)), "{body}");
    assert!(body.contains("Cargando el formulario"), "{body}");

    // The snippet's data-lang (`?lang=`) comes before the browser's languages.
    let (_, headers, body) = page(&server, "/?lang=ar&pin=x", &[("accept-language", "es")]).await;
    assert_eq!(headers["content-language"], "ar");
    assert!(body.contains("<html lang=\"ar\" dir=\"rtl\">"), "{body}");
    assert!(body.contains(&escaped(&arabic.sections[0].title)), "{body}");

    // A language the form does not offer: the form's own.
    let (_, headers, _) = page(&server, "/?lang=de", &[("accept-language", "fr")]).await;
    assert_eq!(headers["content-language"], english.language.as_str());

    // Another config: the build's page as it is, since this config's title would be another form's.
    let (status, headers, body) = page(&server, "/?config=other.json", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, BUILT_PAGE);
    assert!(headers.get("content-language").is_none());
    // Naming the default config is no other config.
    let (_, _, body) = page(&server, "/?config=config.json", &[]).await;
    assert!(body.contains(&first_paint));

    // Compressed like the build's files, each form holding the same page.
    for accepts in ["br", "gzip"] {
        let response = server
            .client
            .get(server.url("/"))
            .header("accept-encoding", accepts)
            .header("accept-language", "es")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], accepts);
        assert_eq!(response.headers()["content-language"], "es");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_build_is_sent_precompressed_by_what_the_client_accepts() {
    let server = TestServer::start(|_| {}).await;
    let path = format!("/{HASHED_WASM}");
    for (accepts, encoding, body) in [
        ("gzip, deflate, br", Some("br"), "brotli form"),
        ("gzip", Some("gzip"), "gzip form"),
        ("identity", None, "\0asm\x01\0\0\0"),
    ] {
        let response = server
            .client
            .get(server.url(&path))
            .header("accept-encoding", accepts)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{accepts}");
        let headers = response.headers().clone();
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accepts}"
        );
        assert_eq!(headers["content-type"], "application/wasm", "{accepts}");
        assert_eq!(headers["content-length"], body.len().to_string().as_str());
        assert!(
            headers.get_all("vary").iter().any(|v| v
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding")),
            "{accepts}: {headers:?}"
        );
        assert_eq!(
            response.bytes().await.unwrap(),
            body.as_bytes(),
            "{accepts}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_files_are_kept_for_a_year_and_the_rest_revalidated() {
    let server = TestServer::start(|_| {}).await;
    let get = |path: String| server.client.get(server.url(&path)).send();
    let wasm = get(format!("/{HASHED_WASM}")).await.unwrap();
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    for path in ["/", "/index.html", "/embed.js", "/config.json"] {
        let response = get(path.to_owned()).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
    }
    // A hashed name that is not in the build is a 404, which must not be kept: the next build may have it.
    let missing = get("/sealform-form-89abcdef_bg.wasm".to_owned())
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-cache");
    // The page revalidates cheaply: its Last-Modified answered with 304 and no body.
    let page = get("/".to_owned()).await.unwrap();
    let modified = page.headers()["last-modified"].clone();
    let again = server
        .client
        .get(server.url("/"))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["cache-control"], "no-cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_json_is_the_exact_file() {
    let server = TestServer::start(|_| {}).await;
    let response = server
        .client
        .get(server.url("/config.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.bytes().await.unwrap(), form_config().bytes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_json_is_sent_compressed_and_revalidated() {
    let server = TestServer::start(|config| {
        config.pow = Some(PowSettings {
            bits: 4,
            ttl: Duration::from_secs(60),
        });
    })
    .await;
    let get = |accepts: &'static str| {
        server
            .client
            .get(server.url("/config.json"))
            .header("accept-encoding", accepts)
            .send()
    };
    let br = get("br;q=1.0, gzip;q=0.5").await.unwrap();
    let headers = br.headers().clone();
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["sealform-pow-bits"], "4", "{headers:?}");
    let body = br.bytes().await.unwrap();
    assert_eq!(headers["content-length"], body.len().to_string().as_str());
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut plain).unwrap();
    assert_eq!(plain, form_config().bytes());
    assert!(
        body.len() * 3 < plain.len(),
        "{} of {}",
        body.len(),
        plain.len()
    );

    let gzip = get("gzip").await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let again = server
        .client
        .get(server.url("/config.json"))
        .header("if-modified-since", headers["last-modified"].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

// ---------------------------------------------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_failures_say_what_to_do() {
    let running = TestServer::start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let config = |listen: &str| {
        sealform_receiver::Config::new(
            form_config(),
            dist(dir.path()),
            dir.path().join("s.db"),
            listen.parse().unwrap(),
        )
    };
    let taken = config(&running.addr.to_string());
    let error = sealform_receiver::Server::bind(taken)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!("{} is in use; choose another with --listen", running.addr)
    );

    let mut no_dist = config("127.0.0.1:0");
    no_dist.dist = dir.path().join("nowhere");
    let error = sealform_receiver::Server::bind(no_dist)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("trunk build"), "{error}");

    let newer = dir.path().join("newer.db");
    drop(sealform_store::Store::open(&newer).unwrap());
    std::process::Command::new("python3")
        .args([
            "-c",
            &format!(
                "import sqlite3;c=sqlite3.connect({:?});c.execute('PRAGMA user_version=9')",
                newer.display().to_string()
            ),
        ])
        .status()
        .unwrap();
    let mut with_newer = config("127.0.0.1:0");
    with_newer.store = newer.into();
    let error = sealform_receiver::Server::bind(with_newer)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("newer sealform"), "{error}");
}

/// Not run by default: how many durable submissions a second this machine takes (`cargo test --release -p
/// sealform-receiver --test api -- --ignored --nocapture throughput`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn throughput() {
    const COUNT: usize = 3000;
    const CLIENTS: usize = 64;
    let server = std::sync::Arc::new(TestServer::start(|_| {}).await);
    let keys = firm_keys();
    let bundles: std::sync::Arc<Vec<Vec<u8>>> = std::sync::Arc::new(
        (0..COUNT)
            .map(|i| bundle(&keys, &format!("t{i}"), 0).bytes)
            .collect(),
    );
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = std::time::Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (server, bundles, next) = (server.clone(), bundles.clone(), next.clone());
            tokio::spawn(async move {
                while let Some(bytes) =
                    bundles.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                {
                    assert_eq!(server.post(bytes.clone()).await.status(), 201);
                }
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(server.read_store().count().unwrap(), COUNT as u64);
    println!(
        "{COUNT} submissions of {} bytes from {CLIENTS} clients in {seconds:.2} s: {:.0}/s",
        bundles[0].len(),
        COUNT as f64 / seconds
    );
}
