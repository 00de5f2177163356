//! `sealform token`, `pull`, `audit verify` and `open` of what was pulled, against a real `sealform serve` on
//! loopback: bundles arrive byte for byte, `kill -9` of either side loses or duplicates nothing, a damaged copy is
//! refused, and the audit trails check out — or name the entry that was changed.

// Shared with the other test binaries; this one uses only some of the helpers.
#[allow(dead_code)]
mod util;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use rand_core::{OsRng, RngCore as _};
use sealform_core::audit;
use sealform_core::bundle::ReceiptId;
use sealform_core::protocol::pickup::{InboxItem, InboxPage};
use sealform_core::{FormSchema, Sha256Digest};
use serde_json::Value;
use util::receiver::{self, Running};
use util::*;

/// A receiver's files, and two pickup tokens for it: one that collects, one that only reads.
struct Pickup {
    dir: tempfile::TempDir,
    config: PathBuf,
    config_bytes: Vec<u8>,
    dist: PathBuf,
    store: PathBuf,
    collect: PathBuf,
    read: PathBuf,
    /// `HASH:collect` and `HASH:read`, as `sealform token new` printed them.
    allowed: Vec<String>,
}

impl Pickup {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (config, dist) = receiver::site(dir.path());
        let collect = dir.path().join("tokens/collect.token");
        let read = dir.path().join("tokens/read.token");
        let allowed = vec![new_token(&collect, "collect"), new_token(&read, "read")];
        Self {
            config_bytes: std::fs::read(&config).expect("config"),
            store: dir.path().join("sealform.db"),
            dir,
            config,
            dist,
            collect,
            read,
            allowed,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `sealform serve` accepting both tokens, keeping collected bundles (so tests can list them) for 30 days.
    fn serve(&self, listen: &str) -> Running {
        let mut extra = vec!["--keep-after-pickup".to_owned(), "30".to_owned()];
        for allowed in &self.allowed {
            extra.push("--pickup-token-sha256".into());
            extra.push(allowed.clone());
        }
        receiver::serve(&self.config, &self.dist, &self.store, listen, &extra)
    }

    /// `count` distinct bundles sealed for the config's keys (the firm's and its backup) and filled in this
    /// receiver's form, so that only its own config (not the built-in template) re-validates them.
    fn bundles(&self, first: usize, count: usize) -> Vec<Vec<u8>> {
        let schema = FormSchema::from_json(&self.config_bytes).expect("config");
        let digest = Sha256Digest::of(&self.config_bytes);
        let path = self.path("sealed.bundle");
        let keys = [
            identity("firm").recipient().clone(),
            identity("backup").recipient().clone(),
        ];
        (first..first + count)
            .map(|i| {
                let attachments: &[(&str, &[u8])] = if i % 10 == 0 {
                    &[("lease.txt", b"the lease")]
                } else {
                    &[]
                };
                seal_to_form(
                    &path,
                    &keys,
                    &schema,
                    digest,
                    &format!("pull-{i}"),
                    valid_answers(),
                    attachments,
                );
                std::fs::read(&path).expect("sealed")
            })
            .collect()
    }
}

/// Makes a token with `sealform token new` and returns the `--pickup-token-sha256` value it printed.
fn new_token(path: &Path, scope: &str) -> String {
    let run = sealform(&[
        "token".as_ref(),
        "new".as_ref(),
        "--out".as_ref(),
        path.as_os_str(),
        "--scope".as_ref(),
        scope.as_ref(),
    ])
    .expect_code(0);
    assert_eq!(mode(path), 0o600);
    let allowed = run
        .stdout
        .lines()
        .find_map(|line| line.split("--pickup-token-sha256 ").nth(1))
        .unwrap_or_else(|| panic!("no serve flag in\n{}", run.stdout))
        .to_owned();
    assert!(allowed.ends_with(&format!(":{scope}")), "{allowed}");
    let text = std::fs::read_to_string(path).expect("token");
    assert_eq!(
        format!("{}:{scope}", Sha256Digest::of(text.trim().as_bytes())),
        allowed
    );
    allowed
}

/// Posts every bundle from 8 connections at once, after loading the form's config once as a browser would.
fn post_all(server: &Running, bundles: &[Vec<u8>]) {
    receiver::runtime().block_on(async {
        let client = reqwest::Client::new();
        receiver::wait_healthy(&client, &server.url("/healthz")).await;
        let config = client.get(server.url("/config.json")).send().await;
        assert_eq!(config.expect("config").status(), 200);
        let url = server.url("/api/submissions");
        let bundles = std::sync::Arc::new(bundles.to_vec());
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let senders: Vec<_> = (0..8)
            .map(|_| {
                let (client, url, bundles, next) =
                    (client.clone(), url.clone(), bundles.clone(), next.clone());
                tokio::spawn(async move {
                    while let Some(bundle) =
                        bundles.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                    {
                        let response = receiver::post(&client, &url, bundle.clone()).await;
                        assert_eq!(response.expect("posted").status(), 201);
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.await.expect("sender");
        }
    });
}

/// Every bundle the receiver holds, collected or not, read with `token`.
fn listing(server: &Running, token: &Path) -> Vec<InboxItem> {
    let token = std::fs::read_to_string(token).expect("token");
    receiver::runtime().block_on(async {
        let client = reqwest::Client::new();
        let mut items: Vec<InboxItem> = Vec::new();
        loop {
            let mut request = client
                .get(server.url("/api/inbox"))
                .bearer_auth(token.trim())
                .query(&[("state", "all"), ("limit", "1000")]);
            if let Some(last) = items.last() {
                request = request.query(&[("after", last.cursor.as_str())]);
            }
            let page: InboxPage = request
                .send()
                .await
                .expect("listed")
                .json()
                .await
                .expect("a page");
            items.extend(page.items);
            if !page.more {
                return items;
            }
        }
    })
}

/// Runs `sealform pull --json`.
fn pull(server: &Running, token: &Path, inbox: &Path) -> (Run, Value) {
    let run = sealform(&[
        "pull".as_ref(),
        "--from".as_ref(),
        server.url("").as_ref(),
        "--token-file".as_ref(),
        token.as_os_str(),
        "--inbox".as_ref(),
        inbox.as_os_str(),
        "--json".as_ref(),
    ]);
    let json = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, json)
}

/// Checks what must hold whenever a pull stopped, however it stopped: every `.bundle` in the inbox is whole and
/// named by its receipt, nothing else but `configs/` and hidden state is there, and every bundle the receiver
/// counts as collected is in the inbox. Returns how many bundles the inbox holds.
fn check_inbox(inbox: &Path, posted: &HashMap<ReceiptId, Vec<u8>>, listed: &[InboxItem]) -> usize {
    let mut held = 0;
    if inbox.exists() {
        for name in names_in(inbox) {
            if name.starts_with('.') || name == "configs" {
                continue;
            }
            let receipt: ReceiptId = name
                .strip_suffix(".bundle")
                .and_then(|hex| hex.parse().ok())
                .unwrap_or_else(|| panic!("{name} is not a bundle named by its receipt"));
            let bytes = std::fs::read(inbox.join(&name)).expect("read");
            assert_eq!(
                Some(&bytes),
                posted.get(&receipt),
                "{name} is not the bundle posted"
            );
            held += 1;
        }
    }
    for item in listed.iter().filter(|item| item.collected_at.is_some()) {
        let path = inbox.join(format!("{}.bundle", item.receipt));
        assert!(
            path.exists(),
            "{} was acknowledged but is not in the inbox",
            item.receipt
        );
    }
    held
}

fn by_receipt(bundles: &[Vec<u8>]) -> HashMap<ReceiptId, Vec<u8>> {
    bundles
        .iter()
        .map(|bytes| (ReceiptId::of(bytes), bytes.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------

#[test]
fn usage_errors_touch_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = dir.path().join("pickup.token");
    new_token(&token, "collect");
    let inbox = dir.path().join("inbox");
    let pull = |from: &str, token: &Path| {
        sealform(&[
            "pull".as_ref(),
            "--from".as_ref(),
            from.as_ref(),
            "--token-file".as_ref(),
            token.as_os_str(),
            "--inbox".as_ref(),
            inbox.as_os_str(),
        ])
    };
    pull("http://forms.example", &token)
        .expect_code(2)
        .expect_stderr(&["plain HTTP", "https://"]);
    pull("https://forms.example", &dir.path().join("missing.token"))
        .expect_code(2)
        .expect_stderr(&["missing.token", "sealform token new"]);
    let damaged = dir.path().join("damaged.token");
    std::fs::write(&damaged, "sealform_pickup_tooshort\n").expect("write");
    pull("https://forms.example", &damaged)
        .expect_code(2)
        .expect_stderr(&["damaged.token", "damaged"]);
    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    pull(&format!("http://127.0.0.1:{port}"), &token)
        .expect_code(2)
        .expect_stderr(&["nothing was pulled", "could not reach the receiver"]);
    assert!(!inbox.exists(), "nothing was written");

    // A token others can read works, with a warning.
    set_mode(&token, 0o644);
    pull(&format!("http://127.0.0.1:{port}"), &token)
        .expect_code(2)
        .expect_stderr(&["can be read by other users", "chmod 600"]);

    sealform(&["audit", "verify", "https://forms.example"])
        .expect_code(2)
        .expect_stderr(&["--token-file"]);
    sealform(&[
        "audit",
        "verify",
        &dir.path().join("none.log").display().to_string(),
    ])
    .expect_code(2)
    .expect_stderr(&["none.log"]);
    let refused = sealform(&["token", "new", "--out", &token.display().to_string()]).expect_code(2);
    assert!(refused.stderr.contains("--force"), "{refused:#?}");
}

/// 500 bundles posted, pulled byte for byte and acknowledged; a second pull finds nothing new; `open` checks every
/// one against the form config the pull fetched, and its audit log verifies.
#[test]
fn pull_collects_every_bundle_then_open_checks_them_against_the_fetched_form() {
    const COUNT: usize = 500;
    let pickup = Pickup::new();
    let server = pickup.serve("127.0.0.1:0");
    let bundles = pickup.bundles(0, COUNT);
    post_all(&server, &bundles);
    let posted = by_receipt(&bundles);
    let inbox = pickup.path("inbox");

    let (run, report) = pull(&server, &pickup.collect, &inbox);
    let run = run.expect_code(0);
    assert_eq!(report["downloaded"], COUNT, "{run:#?}");
    assert_eq!(report["already_present"], 0);
    assert_eq!(report["acknowledged"], COUNT);
    assert_eq!(report["failed"], serde_json::json!([]));
    assert_eq!(report["configs_fetched"], 1);
    let head = report["audit_head"]["seq"].as_u64().expect("an audit head");
    assert!(head > 0, "{report}");
    let listed = listing(&server, &pickup.collect);
    assert_eq!(check_inbox(&inbox, &posted, &listed), COUNT);
    assert!(listed.iter().all(|item| item.collected_at.is_some()));
    let config = inbox.join(format!(
        "configs/{}.json",
        Sha256Digest::of(&pickup.config_bytes)
    ));
    assert_eq!(
        std::fs::read(&config).expect("config fetched"),
        pickup.config_bytes
    );

    let (again, report) = pull(&server, &pickup.collect, &inbox);
    again.expect_code(0);
    assert_eq!(
        (&report["downloaded"], &report["acknowledged"]),
        (&Value::from(0), &Value::from(0))
    );
    assert!(
        report["audit_head"]["seq"].as_u64() >= Some(head),
        "{report}"
    );

    // Opened as pulled: every answer re-validated against the config in inbox/configs/, no warning.
    let key = key_file(pickup.dir.path(), "firm", 0o600);
    let opened = pickup.path("opened");
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--out".as_ref(),
        opened.as_os_str(),
        inbox.as_os_str(),
    ])
    .expect_code(0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(
        names_in(&opened).len(),
        COUNT + 1,
        "a folder each and audit.log"
    );
    // The same bundle away from its inbox has no config beside it.
    let alone = pickup.path("alone");
    std::fs::create_dir(&alone).expect("mkdir");
    let first = inbox.join(format!("{}.bundle", ReceiptId::of(&bundles[0])));
    std::fs::copy(&first, alone.join("one.bundle")).expect("copy");
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        alone.as_os_str(),
    ])
    .expect_code(0)
    .expect_stderr(&["not available; answers not re-validated"]);

    let log = opened.join("audit.log");
    let verified = sealform(&["audit".as_ref(), "verify".as_ref(), log.as_os_str()]).expect_code(0);
    assert!(
        verified.stdout.contains("1 entry, every link holds"),
        "{verified:#?}"
    );
    let entry: audit::Entry =
        serde_json::from_str(std::fs::read_to_string(&log).expect("log").trim()).expect("an entry");
    assert_eq!(entry.action, audit::action::OPEN);
    assert_eq!(entry.kids, [identity("firm").kid().as_str()]);
    assert_eq!(entry.receipts.len(), COUNT);
    assert!(entry.actor.starts_with("user:"), "{}", entry.actor);
}

/// `kill -9` of `pull` at random moments, then of the receiver mid-pickup: after each, every bundle in the inbox is
/// whole and every acknowledged one is there; a final run collects the rest, each exactly once.
#[test]
fn kill_9_of_pull_or_of_the_receiver_loses_and_duplicates_nothing() {
    const COUNT: usize = 300;
    const ROUNDS: usize = 6;
    let pickup = Pickup::new();
    let mut server = pickup.serve("127.0.0.1:0");
    let mut bundles = pickup.bundles(0, COUNT);
    let inbox = pickup.path("inbox");
    let start_pull = |server: &Running| {
        Command::new(env!("CARGO_BIN_EXE_sealform"))
            .args(["pull", "--from", &server.url(""), "--token-file"])
            .arg(&pickup.collect)
            .arg("--inbox")
            .arg(&inbox)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pull starts")
    };
    let mut held = Vec::new();
    // Each round, more arrive, so that every kill finds work under way.
    for arriving in bundles.chunks(COUNT / ROUNDS) {
        post_all(&server, arriving);
        let mut child = start_pull(&server);
        std::thread::sleep(Duration::from_millis(
            100 + u64::from(OsRng.next_u32() % 700),
        ));
        let _ = child.kill();
        let _ = child.wait();
        let listed = listing(&server, &pickup.collect);
        held.push(check_inbox(&inbox, &by_receipt(&bundles), &listed));
    }
    eprintln!("bundles in the inbox after each kill: {held:?}, {COUNT} posted");

    // More arrive; the receiver is killed while a pull collects them, and restarted on the same address.
    let more = pickup.bundles(COUNT, COUNT);
    post_all(&server, &more);
    bundles.extend(more);
    let listen = server.addr.to_string();
    let before = names_in(&inbox).len();
    let mut child = start_pull(&server);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while names_in(&inbox).len() < before + 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the pull collected nothing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    let status = child.wait().expect("pull ends");
    eprintln!(
        "the receiver was killed with {} new bundles in the inbox; the pull ended with {status}",
        names_in(&inbox).len() - before
    );
    let server = pickup.serve(&listen);
    let posted = by_receipt(&bundles);
    check_inbox(&inbox, &posted, &listing(&server, &pickup.collect));

    let (run, report) = pull(&server, &pickup.collect, &inbox);
    run.expect_code(0);
    assert!(report["audit_head"].is_object(), "{report}");
    let listed = listing(&server, &pickup.collect);
    assert_eq!(check_inbox(&inbox, &posted, &listed), 2 * COUNT);
    assert!(listed.iter().all(|item| item.collected_at.is_some()));
    assert_eq!(listed.len(), 2 * COUNT);
    // No half-written file is left, hidden or not.
    assert!(names_in(&inbox).iter().all(|name| !name.contains(".new-")));
}

/// A read token collects nothing; a wrong token gets nothing; a bundle damaged in the receiver's store is refused
/// and left there while the others are collected; the receiver's trail verifies, an edited copy names its entry,
/// and a trail cut short is caught by the next pull.
#[test]
fn tokens_damage_and_the_receivers_audit_trail() {
    let pickup = Pickup::new();
    let mut server = pickup.serve("127.0.0.1:0");
    let bundles = pickup.bundles(0, 6);
    post_all(&server, &bundles);
    let posted = by_receipt(&bundles);

    let wrong = pickup.path("wrong.token");
    new_token(&wrong, "collect");
    let nowhere = pickup.path("nowhere");
    let (run, _) = pull(&server, &wrong, &nowhere);
    run.expect_code(2)
        .expect_stderr(&["401", "--pickup-token-sha256"]);
    assert!(!nowhere.exists(), "nothing was written");

    let copy = pickup.path("copy");
    let (run, report) = pull(&server, &pickup.read, &copy);
    run.expect_code(0).expect_stderr(&["read-only"]);
    assert_eq!(report["downloaded"], 6);
    assert_eq!(report["acknowledged"], 0);
    assert_eq!(report["read_only"], true);
    let listed = listing(&server, &pickup.read);
    assert!(listed.iter().all(|item| item.collected_at.is_none()));
    assert_eq!(check_inbox(&copy, &posted, &listed), 6);

    // One stored bundle altered in the SQLite file, its size kept.
    let listen = server.addr.to_string();
    server.kill();
    let damaged = ReceiptId::of(&bundles[2]);
    {
        let db = rusqlite::Connection::open(&pickup.store).expect("store");
        let mut bytes = bundles[2].clone();
        let at = bytes.len() / 2;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let changed = db
            .execute(
                "UPDATE submissions SET bundle = ?1 WHERE receipt = ?2",
                rusqlite::params![bytes, damaged.full()],
            )
            .expect("update");
        assert_eq!(changed, 1);
    }
    let mut server = pickup.serve(&listen);
    let inbox = pickup.path("inbox");
    let (run, report) = pull(&server, &pickup.collect, &inbox);
    let run = run
        .expect_code(1)
        .expect_stderr(&[&damaged.full(), "not the receipt"]);
    assert_eq!(report["downloaded"], 5, "{run:#?}");
    assert_eq!(report["acknowledged"], 5);
    assert_eq!(report["failed"][0]["receipt"], damaged.full());
    assert!(!inbox.join(format!("{damaged}.bundle")).exists());
    let listed = listing(&server, &pickup.collect);
    assert_eq!(check_inbox(&inbox, &posted, &listed), 5);
    for item in &listed {
        assert_eq!(
            item.collected_at.is_none(),
            item.receipt == damaged,
            "{item:?}"
        );
    }

    // The receiver's trail, read with a token, verifies; a copy with one entry edited names that entry.
    let url = server.url("");
    let verified = sealform(&[
        "audit".as_ref(),
        "verify".as_ref(),
        url.as_ref(),
        "--token-file".as_ref(),
        pickup.collect.as_os_str(),
    ])
    .expect_code(0);
    assert!(
        verified.stdout.contains("every link holds"),
        "{verified:#?}"
    );
    let token = std::fs::read_to_string(&pickup.collect).expect("token");
    let trail = receiver::runtime().block_on(async {
        reqwest::Client::new()
            .get(server.url("/api/audit"))
            .bearer_auth(token.trim())
            .send()
            .await
            .expect("audit")
            .text()
            .await
            .expect("text")
    });
    let lines: Vec<&str> = trail.lines().collect();
    assert!(lines.len() >= 4, "{trail}");
    let mut entry: audit::Entry = serde_json::from_str(lines[2]).expect("entry 3");
    entry.actor = "token:00000000".into();
    let mut edited: Vec<String> = lines.iter().map(|line| (*line).to_owned()).collect();
    edited[2] = entry.to_line();
    let saved = pickup.path("trail.jsonl");
    std::fs::write(&saved, edited.join("\n")).expect("write");
    sealform(&["audit".as_ref(), "verify".as_ref(), saved.as_os_str()])
        .expect_code(1)
        .expect_stderr(&["line 3 (entry 3)", "edited"]);

    // The trail's last entries removed on the receiver (past its append-only guard): the next pull says so.
    server.kill();
    {
        let db = rusqlite::Connection::open(&pickup.store).expect("store");
        db.execute_batch(
            "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit);",
        )
        .expect("cut the trail short");
    }
    let server = pickup.serve(&listen);
    let (run, report) = pull(&server, &pickup.collect, &inbox);
    run.expect_code(1)
        .expect_stderr(&["audit trail is BROKEN", "cut short"]);
    assert!(report["audit_head"].is_null(), "{report}");
}

/// The demo makes a pickup token and prints the daily commands; run as printed, after a submission, they pull it
/// and open it with every answer re-validated and no warning.
#[test]
fn the_demo_prints_a_pull_and_an_open_that_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, dist) = receiver::site(dir.path());
    let host_dir = dir.path().join("host");
    std::fs::create_dir(&host_dir).expect("mkdir");
    std::fs::write(host_dir.join("index.html"), "__SEALFORM_ORIGIN__").expect("write");
    let demo_dir = dir.path().join("demo");
    let (port, host_port) = (receiver::free_port(), receiver::free_port());
    let demo = receiver::start_demo(&demo_dir, &dist, &host_dir, port, host_port);
    assert_eq!(mode(&demo_dir.join("pickup.token")), 0o600);
    let config = std::fs::read(demo_dir.join("form.json")).expect("form.json");
    let jwk = std::fs::read_to_string(demo_dir.join("demo.public.jwk")).expect("jwk");
    let recipient = sealform_core::key::Recipient::from_jwk(&jwk).expect("jwk");
    let bundle = dir.path().join("client.bundle");
    seal_to_form(
        &bundle,
        &[recipient],
        &FormSchema::from_json(&config).expect("config"),
        Sha256Digest::of(&config),
        "demo-client",
        valid_answers(),
        &[("lease.txt", b"the lease")],
    );
    post_all(&demo, &[std::fs::read(&bundle).expect("bundle")]);

    // Give the log a moment to hold the whole message, then run each printed command as printed.
    std::thread::sleep(Duration::from_millis(200));
    let log = demo.stderr();
    let bin = env!("CARGO_BIN_EXE_sealform").to_owned();
    let printed = |command: &str| -> Vec<String> {
        let line = log
            .lines()
            .map(str::trim)
            .find(|line| line.contains(command))
            .unwrap_or_else(|| panic!("the demo does not print {command:?}:\n{log}"));
        let mut words = line.split_whitespace();
        // The program as it was started: a path, so that the commands work with `sealform` not on PATH.
        assert_eq!(words.next(), Some(bin.as_str()), "{line}");
        words.map(str::to_owned).collect()
    };
    let (pull_args, open_args) = (printed(" pull --from "), printed(" open --key "));
    let pulled = sealform(&pull_args).expect_code(0);
    assert!(pulled.stdout.contains("Pulled 1 bundle"), "{pulled:#?}");
    let opened = sealform(&open_args).expect_code(0);
    assert!(!opened.stderr.contains("warning"), "{opened:#?}");
    assert!(opened.stdout.contains("Opened"), "{opened:#?}");
}
