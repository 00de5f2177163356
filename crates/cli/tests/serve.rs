//! `sealform serve` and `sealform demo` as real processes: start-up errors, what the logs never hold, and the
//! durability promise under `kill -9` — every submission answered 201 is in the store after a restart.

// Shared with tests/cli.rs; this binary uses only some of the helpers.
#[allow(dead_code)]
mod util;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sealform_core::bundle::ReceiptId;
use sealform_core::key::Recipient;
use sealform_core::schema::LEGAL_INTAKE_TEMPLATE;
use sealform_store::Store;
use util::receiver::{free_port, post, runtime, site, start_demo, wait_healthy, Running};
use util::*;

/// `count` bundles sealed for the firm's keys, each different.
fn bundles(dir: &Path, count: usize) -> Vec<Vec<u8>> {
    let keys = [
        identity("firm").recipient().clone(),
        identity("backup").recipient().clone(),
    ];
    (0..count)
        .map(|i| {
            let path = dir.join("b.bundle");
            seal_sample(
                &path,
                &keys,
                &format!("load-{i}"),
                &[("a.txt", b"attachment")],
            );
            std::fs::read(&path).expect("read bundle")
        })
        .collect()
}

fn serve(config: &Path, dist: &Path, store: &Path) -> Running {
    receiver::serve(config, dist, store, "127.0.0.1:0", &[] as &[&str])
}

// ---------------------------------------------------------------------------------------------------------------

#[test]
fn help_teaches_by_example() {
    for command in ["serve", "demo"] {
        let run = sealform(&[command, "--help"]).expect_code(0);
        for part in ["Examples:", "Exit codes:", "sealform open --key"] {
            assert!(
                run.stdout.contains(part),
                "{command}: {part:?}\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn start_up_errors_say_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (config, dist) = site(dir.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let store = dir.path().join("s.db");
    let args = |config: &Path, dist: &Path, listen: &str| -> Vec<std::ffi::OsString> {
        vec![
            "serve".into(),
            "--config".into(),
            config.into(),
            "--dist".into(),
            dist.into(),
            "--store".into(),
            store.clone().into(),
            "--listen".into(),
            listen.into(),
        ]
    };
    sealform(&args(&config, &dist, &addr))
        .expect_code(2)
        .expect_stderr(&[&format!("{addr} is in use; choose another with --listen")]);
    sealform(&args(&config, &dir.path().join("nowhere"), "127.0.0.1:0"))
        .expect_code(2)
        .expect_stderr(&["build the form with `trunk build` first"]);
    let keyless = dir.path().join("keyless.json");
    std::fs::write(&keyless, LEGAL_INTAKE_TEMPLATE).expect("write");
    sealform(&args(&keyless, &dist, "127.0.0.1:0"))
        .expect_code(2)
        .expect_stderr(&["has no recipients", "sealform keygen"]);
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        LEGAL_INTAKE_TEMPLATE.replacen("\"title\"", "\"titel\"", 1),
    )
    .expect("write");
    sealform(&args(&broken, &dist, "127.0.0.1:0"))
        .expect_code(2)
        .expect_stderr(&["broken.json is not valid", "titel"]);
    let mut no_connections = args(&config, &dist, "127.0.0.1:0");
    no_connections.extend(["--max-connections".into(), "0".into()]);
    sealform(&no_connections)
        .expect_code(2)
        .expect_stderr(&["--max-connections 0 would refuse everyone"]);
    let mut small_budget = args(&config, &dist, "127.0.0.1:0");
    small_budget.extend(["--max-inflight-bytes".into(), "1000".into()]);
    sealform(&small_budget)
        .expect_code(2)
        .expect_stderr(&["--max-inflight-bytes 1000 is less than the largest submission accepted"]);
    let mut bad_origin = args(&config, &dist, "127.0.0.1:0");
    bad_origin.extend(["--allow-origin".into(), "example.com/".into()]);
    sealform(&bad_origin)
        .expect_code(2)
        .expect_stderr(&["is not an origin"]);
    let secret = dir.path().join("notify.secret");
    std::fs::write(&secret, "whsec_c2hvcnQ=\n").expect("write");
    for (url, secret, expected) in [
        (
            "http://hooks.example.com/",
            &secret,
            "must start with https://",
        ),
        ("https://hooks.example.com/", &secret, "is too short"),
        (
            "https://hooks.example.com/",
            &dir.path().join("missing.secret"),
            "check the path given to --notify-secret-file",
        ),
    ] {
        let mut notify = args(&config, &dist, "127.0.0.1:0");
        notify.extend([
            "--notify-url".into(),
            url.into(),
            "--notify-secret-file".into(),
            secret.into(),
        ]);
        sealform(&notify).expect_code(2).expect_stderr(&[expected]);
    }
    let mut unsigned = args(&config, &dist, "127.0.0.1:0");
    unsigned.extend(["--notify-url".into(), "https://hooks.example.com/".into()]);
    sealform(&unsigned)
        .expect_code(2)
        .expect_stderr(&["--notify-secret-file"]);
    assert!(!store.exists(), "nothing was created");
}

#[cfg(unix)]
#[test]
fn the_folder_serve_creates_for_its_store_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let (config, dist) = site(dir.path());
    let folder = dir.path().join("receiver-data");
    let mut server = serve(&config, &dist, &folder.join("s.db"));
    runtime().block_on(wait_healthy(
        &reqwest::Client::new(),
        &server.url("/healthz"),
    ));
    server.kill();
    let mode = std::fs::metadata(&folder)
        .expect("the folder was created")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
}

#[test]
fn refused_plaintext_is_neither_logged_nor_stored() {
    const CANARY: &str = "CANARY-binary-9d1c-plaintext";
    let dir = tempfile::tempdir().expect("temp dir");
    let (config, dist) = site(dir.path());
    let store = dir.path().join("s.db");
    let mut server = serve(&config, &dist, &store);
    runtime().block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &server.url("/healthz")).await;
        let body = format!(r#"{{"full_name":"{CANARY}","email":"{CANARY}@example.com"}}"#);
        let response = post(&client, &server.url("/api/submissions"), body.into_bytes())
            .await
            .expect("sent");
        assert_eq!(response.status(), 422);
        assert!(!response.text().await.expect("body").contains(CANARY));
    });
    server.kill();
    let log = server.stderr();
    assert!(log.contains("status=422"), "the refusal is logged:\n{log}");
    assert!(!log.contains(CANARY), "the canary was logged:\n{log}");
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", store.display()));
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
                "{}",
                path.display()
            );
        }
    }
}

/// `sealform serve ARGS` on the test site, started by `wrapper` (e.g. `prlimit`) when one is given.
fn serve_with(dir: &Path, wrapper: &[&str], args: &[&str]) -> Running {
    let (config, dist) = site(dir);
    let mut command = match wrapper.split_first() {
        Some((program, rest)) => {
            let mut command = Command::new(program);
            command.args(rest).arg(env!("CARGO_BIN_EXE_sealform"));
            command
        }
        None => Command::new(env!("CARGO_BIN_EXE_sealform")),
    };
    command
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .arg("--dist")
        .arg(&dist)
        .arg("--store")
        .arg(dir.join("s.db"))
        .args(["--listen", "127.0.0.1:0", "--rate-limit", "0"])
        .args(args);
    Running::spawn(&mut command, "listening on ")
}

/// How long `GET /healthz` on a fresh connection takes to be answered in full, and the status line.
fn time_healthz(addr: SocketAddr) -> (Duration, String) {
    use std::io::{Read as _, Write as _};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.lines().next().unwrap_or_default().to_owned();
    (started.elapsed(), status)
}

/// 300 connections opened and left idle (as a hostile client would) beyond the receiver's connection cap — set by
/// --max-connections, or derived from a descriptor limit of 256 — and /healthz on a new connection is still
/// answered at once: idle connections make way for new ones, and no accept fails for want of a descriptor.
#[test]
fn idle_connections_never_starve_the_health_check() {
    const IDLE: usize = 300;
    let cases: [(&[&str], &[&str]); 2] = [
        (&[], &["--max-connections", "50"]),
        (&["prlimit", "--nofile=256", "--"], &[]),
    ];
    for (wrapper, args) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = serve_with(dir.path(), wrapper, args);
        let (_, status) = time_healthz(server.addr);
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let idle: Vec<std::net::TcpStream> = (0..IDLE)
            .map(|_| std::net::TcpStream::connect(server.addr).expect("connect"))
            .collect();
        // Let the receiver take (and make room for) every one of them.
        std::thread::sleep(Duration::from_millis(500));
        let (took, status) = time_healthz(server.addr);
        eprintln!(
            "{wrapper:?} {args:?}: /healthz answered in {took:?} past {IDLE} idle connections"
        );
        drop(idle);
        server.kill();
        let log = server.stderr();
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "{wrapper:?} {args:?}: {status}\n{log}"
        );
        assert!(
            took < Duration::from_secs(3),
            "{wrapper:?} {args:?}: /healthz took {took:?}"
        );
        assert!(
            !log.contains("Too many open files"),
            "{wrapper:?} {args:?}: ran out of descriptors:\n{log}"
        );
    }
}

/// Clients post as fast as they can; `kill -9` hits the server mid-load; after a restart on the same store every
/// receipt that was answered 201 is there, and its bytes hash to it.
#[test]
fn every_201_survives_kill_9() {
    const CLIENTS: usize = 16;
    const KILL_AFTER: usize = 150;
    let dir = tempfile::tempdir().expect("temp dir");
    let (config, dist) = site(dir.path());
    let store = dir.path().join("s.db");
    let bundles = Arc::new(bundles(dir.path(), 600));
    let mut server = serve(&config, &dist, &store);
    let url = server.url("/api/submissions");

    let acknowledged: Vec<ReceiptId> = runtime().block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &server.url("/healthz")).await;
        let next = Arc::new(AtomicUsize::new(0));
        let stored = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (client, url, bundles) = (client.clone(), url.clone(), Arc::clone(&bundles));
                let (next, stored) = (Arc::clone(&next), Arc::clone(&stored));
                tokio::spawn(async move {
                    let mut acknowledged = Vec::new();
                    while let Some(bytes) = bundles.get(next.fetch_add(1, Ordering::SeqCst)) {
                        let Ok(response) = post(&client, &url, bytes.clone()).await else {
                            break;
                        };
                        if response.status() != 201 {
                            continue;
                        }
                        // A 201 whose body is cut off by the kill is not an acknowledgement the client saw.
                        let Ok(body) = response.json::<serde_json::Value>().await else {
                            break;
                        };
                        let receipt: ReceiptId = body["receipt"]
                            .as_str()
                            .expect("receipt")
                            .parse()
                            .expect("hex");
                        assert_eq!(
                            receipt,
                            ReceiptId::of(bytes),
                            "the receipt is the SHA-256 of what was sent"
                        );
                        acknowledged.push(receipt);
                        stored.fetch_add(1, Ordering::SeqCst);
                    }
                    acknowledged
                })
            })
            .collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while stored.load(Ordering::SeqCst) < KILL_AFTER {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the load never reached {KILL_AFTER} submissions"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.kill();
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await.expect("client task"));
        }
        all
    });
    assert!(acknowledged.len() >= KILL_AFTER);
    assert!(
        acknowledged.len() < bundles.len(),
        "the kill came before the load ended"
    );

    let restarted = serve(&config, &dist, &store);
    runtime().block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &restarted.url("/healthz")).await;
        let response = post(
            &client,
            &restarted.url("/api/submissions"),
            bundles[bundles.len() - 1].clone(),
        )
        .await;
        assert_eq!(
            response.expect("sent").status(),
            201,
            "the restarted server works"
        );
    });
    let store = Store::open_read_only(&store).expect("store");
    for receipt in &acknowledged {
        let stored = store
            .get(receipt)
            .expect("read")
            .unwrap_or_else(|| panic!("{receipt} was lost"));
        assert_eq!(ReceiptId::of(&stored.bundle), *receipt);
    }
    eprintln!(
        "{} acknowledged before kill -9, all {} kept",
        acknowledged.len(),
        store.count().expect("count")
    );
}

#[test]
fn demo_serves_the_form_and_a_firm_page_on_another_origin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, dist) = site(dir.path());
    let host_dir = dir.path().join("host");
    std::fs::create_dir(&host_dir).expect("mkdir");
    std::fs::write(
        host_dir.join("index.html"),
        r#"<script src="__SEALFORM_ORIGIN__/embed.js" data-sealform data-pin="__SEALFORM_PINS__"></script>"#,
    )
    .expect("write");
    let demo_dir = dir.path().join("demo");
    let (port, host_port) = (free_port(), free_port());
    let start = || start_demo(&demo_dir, &dist, &host_dir, port, host_port);
    let mut demo = start();
    runtime().block_on(async {
        let client = reqwest::Client::new();
        wait_healthy(&client, &demo.url("/healthz")).await;
        let page = client
            .get(format!("http://127.0.0.1:{host_port}/"))
            .send()
            .await
            .expect("host page");
        let text = page.text().await.expect("text");
        assert!(
            text.contains(&format!("http://127.0.0.1:{port}/embed.js")),
            "{text}"
        );
        // Embedded pinned to the demo key, as every firm's snippet should be.
        let jwk: serde_json::Value = serde_json::from_slice(
            &std::fs::read(demo_dir.join("demo.public.jwk")).expect("the demo key's public half"),
        )
        .expect("JWK");
        let kid = jwk["kid"].as_str().expect("a kid");
        assert!(text.contains(&format!("data-pin=\"{kid}\"")), "{text}");
        let form = client.get(demo.url("/")).send().await.expect("form");
        let csp = form.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            csp.ends_with(&format!(
                "frame-ancestors 'self' http://127.0.0.1:{host_port}"
            )),
            "{csp}"
        );
    });
    demo.kill();
    let log = demo.stderr();
    assert!(log.contains("UNENCRYPTED demo key"), "{log}");
    assert!(log.contains("sealform open --key"), "{log}");
    assert_eq!(mode(&demo_dir.join("demo.private.pem")), 0o600);
    let jwk = std::fs::read_to_string(demo_dir.join("demo.public.jwk")).expect("jwk");
    let kid = Recipient::from_jwk(&jwk).expect("jwk").kid().clone();
    let config = std::fs::read_to_string(demo_dir.join("form.json")).expect("form.json");
    assert!(
        config.contains(kid.as_str()),
        "the demo key is the form's recipient"
    );

    let mut again = start();
    again.kill();
    assert!(
        again.stderr().contains("Reusing the demo key"),
        "{}",
        again.stderr()
    );
}
