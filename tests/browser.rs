//! The browser end-to-end suite: the real form (Trunk's `dist/`) embedded in a fictional firm's page on another
//! origin, driven in headless Chromium through chromedriver, against the real `sealform serve`, opened with the
//! real `sealform open` and with jwcrypto. Needs `trunk build --release --offline` and `cargo build -p
//! sealform-cli` first (`scripts/test.sh` does both); fails, never skips, without them.
//!
//! One file past 700 lines on purpose: the scenarios share one built form, one Chromium set-up and the helpers in
//! `e2e/`; each file under `tests/` would be another binary linking the whole WebDriver stack.

mod e2e;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::browser::{self, wait_for, wait_js};
use e2e::canary;
use e2e::form_page::FormPage;
use e2e::host::Embed;
use e2e::world::{identity, scenario, Options, Pin, World};
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

/// A unique tag in every canary, so a leak is found whatever encoding it takes.
const TAG: &str = "QX7";

/// What the happy path typed, for comparing with what the firm opens.
struct Typed {
    answers: Value,
    canaries: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Saves a screenshot of the browser's viewport to `tests/artifacts/NAME.png`.
async fn screenshot(page: &FormPage<'_>, name: &str) {
    let png = page.client().screenshot().await.expect("screenshot");
    std::fs::write(e2e::artifacts().join(format!("{name}.png")), png).expect("write screenshot");
}

/// Two attachments: a text file of canary text and a ~5 MB PDF-typed binary.
fn attachments(world: &World) -> Vec<(PathBuf, String, Vec<u8>)> {
    let text_name = format!("Letter {TAG}FILENAME é.txt");
    let text =
        format!("{TAG}FILETEXT: confidential letter — ünïcödé 日本語 עברית 🎉\nsecond line\n")
            .into_bytes();
    let pdf_name = format!("scan-{TAG}PDFNAME.pdf");
    let mut pdf = b"%PDF-1.7\n".to_vec();
    // Deterministic, incompressible-looking bytes (xorshift), 5 MiB.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while pdf.len() < 5 * 1024 * 1024 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pdf.extend_from_slice(&x.to_le_bytes());
    }
    pdf.extend_from_slice(b"\n%%EOF\n");
    [(text_name, text), (pdf_name, pdf)]
        .into_iter()
        .map(|(name, bytes)| {
            let path = world.path(&name);
            std::fs::write(&path, &bytes).expect("write attachment");
            (path, name, bytes)
        })
        .collect()
}

/// Fills every question of the default template, with canaries in every free-text answer.
async fn fill_everything(page: &FormPage<'_>, world: &World) -> Typed {
    let c = |field: &str, text: &str| format!("{text} {TAG}{}", field.to_uppercase());
    let full_name = c("fullname", "Zoë Ångström-Kanarie 田中");
    let email = format!("zoë.{}email@exämple.com", TAG.to_lowercase());
    let phone = "+44 7700 900461".to_owned();
    let address = c(
        "address",
        "12 Rue de l'Église\n東京都 千代田区 1-1\nEX1 2AB",
    );
    let call_times = c("calltimes", "Weekdays after 6pm — ☎");
    let description = c(
        "description",
        "My employer (שלום עולם, مرحبا بالعالم) withheld wages 💼🙈 — café naïve 中文\nSecond paragraph.",
    );
    let special = c("special", "Health condition 🏥 détails");
    let deadline_details = c("deadline", "Employment tribunal hearing 審理");
    let party_one = c("partyone", "Ακμή Ltd");
    let party_two = c("partytwo", "Иван Петров 🦊");
    let role_other = c("roleother", "Landlord's agent");
    let heard = c("heard", "Podcast «Droit»");

    page.type_text("full_name", &full_name).await;
    page.type_text("email", &email).await;
    page.type_text("phone", &phone).await;
    page.type_text("address", &address).await;
    page.date("date_of_birth", "27", "3", "1985").await;
    page.next_page().await;
    page.click("preferred_contact-2").await; // Telephone
    page.click("safe_voicemail-2").await; // No
    page.type_text("safe_call_times", &call_times).await;
    page.click("safe_email").await; // Yes
    page.next_page().await;
    page.select("practice_area", "employment").await;
    page.type_text("description", &description).await;
    page.click("special_category_involved").await; // Yes
    page.type_text("special_category_details", &special).await;
    page.click("has_deadline").await; // Yes
    page.date("deadline_date", "14", "9", "2027").await;
    page.type_text("deadline_details", &deadline_details).await;
    page.type_text("estimated_value", "12500").await;
    page.next_page().await;
    page.add_row("other_parties").await;
    page.type_text("other_parties-1-party_name", &party_one)
        .await;
    page.select("other_parties-1-party_role", "employer").await;
    page.add_row("other_parties").await;
    page.type_text("other_parties-2-party_name", &party_two)
        .await;
    page.select("other_parties-2-party_role", "other").await;
    page.type_text("other_parties-2-party_role_other", &role_other)
        .await;
    page.next_page().await;
    page.select("heard_about", "other").await;
    page.type_text("heard_about_other", &heard).await;
    page.next_page().await;
    let files = attachments(world);
    let paths: Vec<&Path> = files.iter().map(|(p, _, _)| p.as_path()).collect();
    page.attach(&paths).await;
    // Check your answers, then the consent step.
    page.next_page().await;
    page.next_page().await;
    for consent in [
        "privacy_notice",
        "special_category_processing",
        "contact_updates",
        "no_retainer",
    ] {
        page.click(consent).await;
    }
    let answers = json!({
        "full_name": full_name, "email": email, "phone": phone, "address": address,
        "date_of_birth": "1985-03-27", "preferred_contact": "phone", "safe_voicemail": "no",
        "safe_call_times": call_times, "safe_email": "yes", "practice_area": "employment",
        "description": description, "special_category_involved": "yes", "special_category_details": special,
        "has_deadline": "yes", "deadline_date": "2027-09-14", "deadline_details": deadline_details,
        "estimated_value": "12500",
        "other_parties": [
            { "party_name": party_one, "party_role": "employer" },
            { "party_name": party_two, "party_role": "other", "party_role_other": role_other },
        ],
        "heard_about": "other", "heard_about_other": heard,
    });
    let mut canaries = vec![
        full_name,
        email,
        phone,
        address,
        call_times,
        description,
        special,
        deadline_details,
        party_one,
        party_two,
        role_other,
        heard,
        "1985-03-27".to_owned(),
    ];
    for (_, name, bytes) in &files {
        canaries.push(name.clone());
        if name.ends_with(".txt") {
            canaries.push(
                String::from_utf8(bytes.clone())
                    .expect("utf-8")
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    Typed {
        answers,
        canaries,
        files: files
            .into_iter()
            .map(|(_, name, bytes)| (name, bytes))
            .collect(),
    }
}

/// The page numbers of the default template's journey: six sections, then these two.
const CHECK_ANSWERS: u64 = 6;
const CONSENT_STEP: u64 = 7;

/// The least a client must answer to send the form (no sensitive information, so one fewer consent), page by page,
/// on to the consent step.
async fn fill_required(page: &FormPage<'_>) -> Value {
    page.type_text("full_name", "Ada Lovelace").await;
    page.type_text("email", "ada@example.com").await;
    page.next_page().await;
    answer_contact_page(page).await;
    page.select("practice_area", "housing").await;
    page.type_text("description", "My landlord has not returned my deposit.")
        .await;
    answer_matter_questions(page).await;
    page.continue_to(CONSENT_STEP).await;
    json!({
        "full_name": "Ada Lovelace", "email": "ada@example.com", "preferred_contact": "email",
        "safe_voicemail": "yes", "safe_email": "yes", "practice_area": "housing",
        "description": "My landlord has not returned my deposit.", "special_category_involved": "no",
        "has_deadline": "no",
    })
}

/// The contact page's three required questions (the first option of each), then Continue.
async fn answer_contact_page(page: &FormPage<'_>) {
    page.click("preferred_contact").await;
    page.click("safe_voicemail").await;
    page.click("safe_email").await;
    page.next_page().await;
}

/// "No" to the matter page's two yes-or-no questions (which leaves their follow-ups hidden).
async fn answer_matter_questions(page: &FormPage<'_>) {
    page.click("special_category_involved-2").await;
    page.click("has_deadline-2").await;
}

/// The required answers and the required consents: a form that can be sent.
async fn fill_sendable(page: &FormPage<'_>) -> Value {
    let answers = fill_required(page).await;
    page.click("privacy_notice").await;
    page.click("no_retainer").await;
    answers
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("json")
}

/// Chromium's own pages (chrome://) and in-page data: and blob: URLs, which never touch the network.
fn internal(url: &str) -> bool {
    ["chrome:", "data:", "blob:"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

/// The host page's record of `sealform:submitted` (read in the top document, then back into the form).
/// Fills what the form needs to send, sends it, and checks that the receiver stored exactly one bundle, under the
/// receipt the form showed, which opens to the answers typed.
async fn send_and_open(page: &FormPage<'_>, world: &World) {
    let answers = fill_sendable(page).await;
    page.submit().await;
    let (receipt, _) = page.receipt().await;
    let stored = world.stored();
    assert_eq!(stored.len(), 1, "stored once");
    assert_eq!(stored[0].0, receipt);
    let opened = world.open_store(&world.path("opened"));
    assert_eq!(
        read_json(&opened[0].join("submission.json"))["answers"],
        answers
    );
}

async fn host_receipts(page: &FormPage<'_>) -> Vec<String> {
    let client = page.client();
    client
        .enter_parent_frame()
        .await
        .expect("to the firm's page");
    let got = client
        .execute("return window.sealformSubmitted;", vec![])
        .await
        .expect("host receipts");
    client.enter_frame(0).await.expect("back into the form");
    serde_json::from_value(got).unwrap_or_default()
}

/// Everything the browser keeps for this origin's document: storage, cookies, IndexedDB and cache names.
const STORAGE_DUMP: &str = "return (async () => {
    const dump = { local: {}, session: {}, cookies: document.cookie, idb: [], caches: [] };
    for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); dump.local[k] = localStorage.getItem(k); }
    for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i); dump.session[k] = sessionStorage.getItem(k); }
    if (indexedDB.databases) { dump.idb = await indexedDB.databases(); }
    if (window.caches) { dump.caches = await caches.keys(); }
    return JSON.stringify(dump);
})();";

/// 1, 2 and 9: every question answered with canaries, two files, sent; the firm opens exactly what was typed (with
/// our CLI and with jwcrypto), and no canary is anywhere but in the sealed bundle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_opens_to_exactly_what_was_typed_and_leaks_nothing() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        screenshot(&page, "initial").await;
        let shown_consents: BTreeMap<String, String> = serde_json::from_value(
            page.js(
                "const out = {}; for (const id of ['privacy_notice','special_category_processing',\
                 'contact_updates','no_retainer']) { out[id] = document.querySelector(`label[for=${id}]`).textContent; } \
                 return out;",
                vec![],
            )
            .await,
        )
        .expect("consent texts");
        let typed = fill_everything(&page, world).await;
        page.submit().await;
        let (receipt, short) = page.receipt().await;
        screenshot(&page, "receipt").await;
        assert_eq!(receipt.len(), 64, "a full receipt id: {receipt}");
        assert!(!short.is_empty());
        let aes = page.js("return document.querySelector('.sf-form-root').dataset.aes;", vec![]).await;
        assert_eq!(aes, json!("subtle"), "the browser's own AES-GCM sealed the files");

        // The firm's page heard about it, with the same receipt.
        let announced = wait_for("the host page's sealform:submitted", browser::TIMEOUT, || async {
            let got = host_receipts(&page).await;
            (!got.is_empty()).then_some(got)
        })
        .await;
        assert_eq!(announced, vec![receipt.clone()]);

        // Exactly one bundle, under that receipt.
        let stored = world.stored();
        assert_eq!(stored.len(), 1, "one bundle stored");
        assert_eq!(stored[0].0, receipt);
        assert_eq!(sha256_hex(&stored[0].1), receipt, "the receipt is the SHA-256 of the stored bytes");

        // Scenario 1: `sealform open` gives back exactly what was typed, and the files byte for byte.
        let opened = world.open_store(&world.path("opened"));
        assert_eq!(opened.len(), 1, "one submission opened");
        let submission = read_json(&opened[0].join("submission.json"));
        assert_eq!(submission["answers"], typed.answers, "the answers, exactly as typed");
        for (name, bytes) in &typed.files {
            let listed = submission["attachments"]
                .as_array()
                .expect("attachments")
                .iter()
                .find(|a| a["name"] == json!(name))
                .unwrap_or_else(|| panic!("{name} listed in the submission"));
            assert_eq!(listed["sha256"], json!(sha256_hex(bytes)));
            assert_eq!(listed["size"], json!(bytes.len()));
        }
        let mut opened_files: Vec<Vec<u8>> = std::fs::read_dir(opened[0].join("attachments"))
            .expect("attachments folder")
            .map(|e| std::fs::read(e.expect("entry").path()).expect("attachment"))
            .collect();
        let mut sent_files: Vec<Vec<u8>> = typed.files.iter().map(|(_, b)| b.clone()).collect();
        opened_files.sort();
        sent_files.sort();
        assert!(opened_files == sent_files, "the attachments are byte-identical");
        // The consent record lists the texts the client was shown, with their SHA-256.
        let consent = read_json(&opened[0].join("consent.json"));
        let purposes = consent["purposes"].as_array().expect("purposes");
        assert_eq!(purposes.len(), shown_consents.len());
        for purpose in purposes {
            let id = purpose["id"].as_str().expect("id");
            let text = purpose["text"].as_str().expect("text");
            assert_eq!(Some(text), shown_consents.get(id).map(String::as_str), "{id}: the text shown");
            assert_eq!(purpose["text_sha256"], json!(sha256_hex(text.as_bytes())), "{id}: its SHA-256");
            assert_eq!(purpose["given"], json!(true), "{id} was ticked");
        }

        // Scenario 9: an independent JOSE implementation (jwcrypto) opens the browser's bundle too.
        let bundle = world.path("from-browser.bundle");
        std::fs::write(&bundle, &stored[0].1).expect("write bundle");
        let peer_out = world.path("peer");
        let python = e2e::workspace().join(".venv/bin/python");
        assert!(python.exists(), "{} is missing: run scripts/setup.sh (the jwcrypto venv)", python.display());
        let output = Command::new(&python)
            .arg(e2e::workspace().join("tests/interop/peer.py"))
            .arg("open")
            .arg(&bundle)
            .arg(e2e::world::key_path("firm"))
            .arg(&peer_out)
            .output()
            .expect("peer.py runs");
        assert!(output.status.success(), "peer.py: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(read_json(&peer_out.join("submission.json")), submission, "jwcrypto reads the same document");
        let mut peer_files: Vec<Vec<u8>> = (0..typed.files.len())
            .map(|i| std::fs::read(peer_out.join(format!("attachment-{i}.bin"))).expect("peer attachment"))
            .collect();
        peer_files.sort();
        assert!(peer_files == sent_files, "jwcrypto's attachments are byte-identical");

        // Scenario 2: no canary anywhere but inside the sealed bundle.
        canary::assert_absent(&typed.canaries, &world.form.sent(), "the bytes sent to the receiver");
        canary::assert_absent(&typed.canaries, &world.host.sent(), "the bytes sent to the firm's page");
        canary::assert_absent(&typed.canaries, &stored[0].1, "the stored bundle");
        for suffix in ["", "-wal"] {
            let mut path = world.store.clone().into_os_string();
            path.push(suffix);
            if let Ok(bytes) = std::fs::read(&path) {
                canary::assert_absent(&typed.canaries, &bytes, "the store's files");
            }
        }
        let client = page.client();
        let network = browser::log(client, "performance").await;
        let allowed = [world.form.origin(), world.host.origin()];
        let requests = browser::requested_urls(&network);
        for url in &requests {
            assert!(
                internal(url) || allowed.iter().any(|origin| url.starts_with(&format!("{origin}/"))),
                "a request went to {url}; only {allowed:?} are expected"
            );
        }
        assert!(requests.len() >= 5, "the network log saw the page's requests ({})", requests.len());
        canary::assert_absent(&typed.canaries, serde_json::to_string(&network).expect("json").as_bytes(), "the network log (URLs, headers, bodies)");
        for frame in ["form", "host"] {
            let dump = page.js(STORAGE_DUMP, vec![]).await;
            canary::assert_absent(&typed.canaries, dump.as_str().unwrap_or_default().as_bytes(), &format!("the {frame} page's storage"));
            if frame == "form" {
                client.enter_parent_frame().await.expect("to the firm's page");
            }
        }
        client.enter_frame(0).await.expect("back into the form");
        let console = browser::log(client, "browser").await;
        canary::assert_absent(&typed.canaries, serde_json::to_string(&console).expect("json").as_bytes(), "the console log");
        canary::assert_absent(&typed.canaries, page.text().await.as_bytes(), "the page after sending");
    })
    .await;
}

/// 3: Continue on an empty first page shows that page's problems only; the error summary takes focus and its links
/// move focus; wrong answers and files are named on their own pages, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_take_focus_and_nothing_is_sent() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        page.press_continue().await;
        let errors = page.errors().await;
        page.wait_focus("error-summary").await;
        screenshot(&page, "errors").await;
        assert_eq!(page.step().await, 0, "still on the first page");
        let targets: Vec<&str> = errors.iter().map(|(t, _)| t.as_str()).collect();
        for required in ["full_name", "email"] {
            assert!(
                targets.contains(&required),
                "{required} is in the error summary: {errors:?}"
            );
        }
        for later in ["preferred_contact", "practice_area", "privacy_notice"] {
            assert!(
                !targets.contains(&later),
                "{later} is on a later page, not in this one's summary: {errors:?}"
            );
        }
        for (target, text) in &errors {
            assert!(!text.trim().is_empty(), "{target}'s error has a message");
            page.client()
                .find(Locator::Css(&format!("#error-summary a[href='#{target}']")))
                .await
                .expect("error link")
                .click()
                .await
                .expect("follow the link");
            page.wait_focus(target).await;
        }
        let title = page.js("return document.title;", vec![]).await;
        let title = title.as_str().unwrap_or_default();
        assert!(
            title.starts_with("Error: About you"),
            "the page title says Error: and names the page ({title})"
        );

        // Wrong email, telephone and date: named on this page.
        page.type_text("full_name", "Ada Lovelace").await;
        page.type_text("email", "not-an-email").await;
        page.type_text("phone", "12ab34").await;
        page.date("date_of_birth", "31", "2", "1985").await;
        page.press_continue().await;
        page.wait_focus("error-summary").await;
        let errors = page.errors().await;
        for target in ["email", "phone", "date_of_birth"] {
            assert!(
                errors.iter().any(|(t, _)| t == target),
                "{target} has an error: {errors:?}"
            );
        }
        assert!(
            !errors.iter().any(|(t, _)| t == "full_name"),
            "a fixed answer is no longer named: {errors:?}"
        );
        for id in [
            "email",
            "phone",
            "date_of_birth",
            "date_of_birth-month",
            "date_of_birth-year",
        ] {
            page.clear(id).await;
        }
        page.type_text("email", "ada@example.com").await;
        page.next_page().await;
        answer_contact_page(&page).await;
        page.select("practice_area", "housing").await;
        page.type_text("description", "Deposit.").await;
        answer_matter_questions(&page).await;
        page.continue_to(5).await;

        // A file too big and one of the wrong type: named on the documents page.
        let big = world.path("too-big.pdf");
        std::fs::write(&big, vec![b'%'; 10 * 1024 * 1024 + 1]).expect("big file");
        let wrong = world.path("program.zip");
        std::fs::write(&wrong, b"PK\x03\x04 not allowed").expect("zip");
        page.attach(&[big.as_path(), wrong.as_path()]).await;
        page.press_continue().await;
        page.wait_focus("error-summary").await;
        let errors = page.errors().await;
        let message: Vec<&str> = errors
            .iter()
            .filter(|(t, _)| t == "documents_upload")
            .map(|(_, m)| m.as_str())
            .collect();
        assert!(
            !message.is_empty() && message.iter().all(|m| m.len() > 10),
            "the file error says what is wrong: {errors:?}"
        );
        assert_eq!(page.step().await, 5, "still on the documents page");
        assert_eq!(world.posts(), 0, "the receiver saw no POST");
        assert!(world.stored().is_empty(), "nothing stored");
    })
    .await;
}

/// 4: a required consent left unticked blocks sending with a clear error; nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_consent_unticked_blocks_sending() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        fill_required(&page).await;
        page.click("no_retainer").await;
        page.submit().await;
        let errors = page.errors().await;
        page.wait_focus("error-summary").await;
        assert_eq!(
            errors,
            vec![(
                "privacy_notice".to_owned(),
                "Confirm that you have read the privacy notice".to_owned()
            )],
            "only the missing consent is reported"
        );
        let inline = page
            .js(
                "return document.getElementById('privacy_notice-error').textContent;",
                vec![],
            )
            .await;
        assert!(
            inline
                .as_str()
                .unwrap_or_default()
                .contains("privacy notice"),
            "the inline error: {inline}"
        );
        assert_eq!(world.posts(), 0, "the receiver saw no POST");
        assert!(world.stored().is_empty());
    })
    .await;
}

/// 5: the snippet pins a key the config does not seal to: the form refuses to run and shows how to contact the firm.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_not_matching_the_pin_shows_the_fallback() {
    let options = Options {
        pin: Pin::Stranger,
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let page = FormPage::open(&world.client, &world.host_url()).await;
        assert_eq!(page.state().await, "unavailable");
        assert!(page.exists("[data-testid=unavailable]").await);
        assert!(!page.exists("#full_name").await, "no question is shown");
        let text = page.text().await;
        assert!(
            text.contains("01632 960 001") && text.contains("privacy@example.com"),
            "the firm's contact details: {text}"
        );
        assert_eq!(world.posts(), 0);
        assert!(world.stored().is_empty());
    })
    .await;
}

/// 5b: the snippet has no `data-pin` at all: the form refuses to run (pinning is on by default), the client sees how
/// to contact the firm, and the console tells the firm the exact attribute to add.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snippet_without_pins_is_refused_and_told_what_to_add() {
    let options = Options {
        pin: Pin::Missing,
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let page = FormPage::open(&world.client, &world.host_url()).await;
        assert_eq!(page.state().await, "unavailable");
        assert!(!page.exists("#full_name").await, "no question is shown");
        let console = browser::log(page.client(), "browser").await;
        let kids = [
            identity("firm").kid().to_string(),
            identity("backup").kid().to_string(),
        ];
        let tells_the_firm = |message: &str| {
            message.contains("data-pin") && kids.iter().all(|kid| message.contains(kid.as_str()))
        };
        assert!(
            browser::warnings(&console)
                .iter()
                .any(|entry| entry["message"].as_str().is_some_and(tells_the_firm)),
            "the console names data-pin with the config's keys: {console:#?}"
        );
        assert_eq!(world.posts(), 0);
    })
    .await;
}

/// 6: the receiver is down when the client sends: retries, then a sealed copy to download that the firm can open;
/// once it is back (same port) "Try sending again" stores the very same bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_when_the_receiver_is_down() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        let answers = fill_sendable(&page).await;
        let port = world.stop_receiver();
        page.submit().await;
        wait_js(
            page.client(),
            "a retry",
            "document.querySelector('[data-testid=status]').textContent.includes('trying again')",
        )
        .await;
        page.wait_outcome("[data-testid=not-sent]").await;
        assert!(
            world.posts() >= 2,
            "the form tried more than once ({})",
            world.posts()
        );
        page.click_testid("download-sealed").await;
        let file = wait_for(
            "the sealed copy in the download folder",
            browser::TIMEOUT,
            || async {
                std::fs::read_dir(&world.downloads)
                    .ok()?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| p.extension() == Some(OsStr::new("sealform")))
            },
        )
        .await;
        let bytes = std::fs::read(&file).expect("the sealed copy");
        let opened = world.open(&world.path("opened-copy"), &[file.as_os_str()]);
        assert_eq!(opened.len(), 1);
        assert_eq!(
            read_json(&opened[0].join("submission.json"))["answers"],
            answers
        );

        world.start_receiver(Some(port)).await;
        page.click_testid("retry").await;
        let (receipt, _) = page.receipt().await;
        assert_eq!(
            receipt,
            sha256_hex(&bytes),
            "the copy downloaded is what was stored"
        );
        let stored = world.stored();
        assert_eq!(stored.len(), 1);
        assert!(
            stored[0].1 == bytes,
            "the stored bundle is the downloaded copy, byte for byte"
        );
    })
    .await;
}

/// 7: the firm's page and the form both under a CSP without 'unsafe-inline' or 'unsafe-eval': the form works and
/// the browser reports no violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_under_a_strict_csp_without_violations() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        fill_sendable(&page).await;
        page.submit().await;
        page.receipt().await;
        let console = browser::log(page.client(), "browser").await;
        let violations: Vec<&Value> = console
            .iter()
            .filter(|e| e["message"].as_str().unwrap_or_default().contains("Content Security Policy"))
            .collect();
        assert!(violations.is_empty(), "CSP violations in the console: {violations:#?}");
        page.client().enter_parent_frame().await.expect("to the firm's page");
        let recorded = page.client().execute("return window.cspViolations;", vec![]).await.expect("violations");
        assert_eq!(recorded, json!([]), "the firm's page saw no securitypolicyviolation");
        // The build itself must not need the test's help: Trunk's inline loader has to be a file.
        let inline = e2e::dist::inline_scripts();
        assert!(
            inline.is_empty(),
            "dist/index.html has {} inline script(s), which the receiver's CSP blocks: move Trunk's loader into a \
             file (the post_build hook). The suite moved it into loader.js in its copy to test everything else.",
            inline.len()
        );
    })
    .await;
}

/// 7b: inline mode (`data-mode="inline"`): the form mounts into the firm's page itself, loading its module, wasm
/// and config from the form's origin (CORS), under the CSP docs/EMBEDDING.md gives the firm; the client's answers
/// are sealed, stored and open to exactly what was typed, and the browser reports no CSP violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_mode_mounts_in_the_firms_page_and_seals() {
    let options = Options {
        embed: Embed::Inline,
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let page = FormPage::ready_inline(&world.client, &world.host_url()).await;
        assert!(
            !page.exists("iframe").await,
            "inline mode puts no iframe in the firm's page"
        );
        assert!(
            page.exists("#intake #sealform-root").await,
            "the form is mounted into the snippet's target"
        );
        send_and_open(&page, world).await;
        let recorded = page
            .client()
            .execute("return window.cspViolations;", vec![])
            .await
            .expect("violations");
        assert_eq!(
            recorded,
            json!([]),
            "the firm's page saw no securitypolicyviolation"
        );
    })
    .await;
}

/// Runs axe-core in the current document; returns its violations for WCAG 2.2 AA.
async fn axe(page: &FormPage<'_>) -> Vec<Value> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| e2e::workspace().join(".tools/npm/node_modules/axe-core/axe.min.js"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/setup.sh (npm install axe-core@4 into .tools/npm)",
            path.display()
        )
    });
    page.js(&format!("{source}\nreturn true;"), vec![]).await;
    let result = page
        .js(
            "return axe.run(document, { runOnly: { type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }).then(r => r.violations.map(v => \
             ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')) })));",
            vec![],
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

/// Presses keys on whatever has focus, through WebDriver's keyboard actions: no element is targeted or clicked.
async fn press(page: &FormPage<'_>, keys: &str) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    page.client().perform_actions(actions).await.expect("keys");
}

/// Presses Tab until focus is on `id` (never more than 60 times).
async fn tab_to(page: &FormPage<'_>, id: &str) {
    for _ in 0..60 {
        if page.active_id().await == id {
            return;
        }
        press(page, &char::from(Key::Tab).to_string()).await;
    }
    panic!(
        "Tab never reached #{id} (focus is on #{})",
        page.active_id().await
    );
}

/// 8: no axe-core violations on any page of the journey, before and after errors, and the whole journey completed
/// and sent with the keyboard alone (Tab, Space, arrows, Enter; nothing clicked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessible_and_usable_with_the_keyboard_alone() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        let initial = axe(&page).await;
        assert!(initial.is_empty(), "axe-core, first page: {initial:#?}");
        page.js(
            "document.activeElement && document.activeElement.blur();",
            vec![],
        )
        .await;
        let (tab, space, enter, down) = (
            char::from(Key::Tab).to_string(),
            " ".to_owned(),
            char::from(Key::Enter).to_string(),
            char::from(Key::Down).to_string(),
        );
        // Enter on Continue with nothing typed shows the first page's errors.
        tab_to(&page, "sf-continue").await;
        press(&page, &enter).await;
        page.errors().await;
        page.wait_focus("error-summary").await;
        let errored = axe(&page).await;
        assert!(errored.is_empty(), "axe-core, error state: {errored:#?}");

        tab_to(&page, "full_name").await;
        press(&page, "Grace Hopper").await;
        tab_to(&page, "email").await;
        press(&page, "grace@example.com").await;
        // Enter in a text box goes on, as in any form.
        press(&page, &enter).await;
        page.wait_step(1).await;
        tab_to(&page, "preferred_contact").await;
        press(&page, &space).await; // Email
        press(&page, &tab).await;
        tab_to(&page, "safe_voicemail").await;
        press(&page, &down).await; // No
        tab_to(&page, "safe_email").await;
        press(&page, &space).await; // Yes
        tab_to(&page, "sf-continue").await;
        press(&page, &enter).await;
        page.wait_step(2).await;
        tab_to(&page, "practice_area").await;
        press(&page, &down).await; // Family
        tab_to(&page, "description").await;
        press(&page, "A question about child arrangements.").await;
        tab_to(&page, "special_category_involved").await;
        press(&page, &down).await; // No
        tab_to(&page, "has_deadline").await;
        press(&page, &down).await; // No
        for step in 2..CONSENT_STEP {
            let violations = axe(&page).await;
            assert!(
                violations.is_empty(),
                "axe-core, page {step}: {violations:#?}"
            );
            tab_to(&page, "sf-continue").await;
            press(&page, &enter).await;
            page.wait_step(step + 1).await;
        }
        let violations = axe(&page).await;
        assert!(
            violations.is_empty(),
            "axe-core, the consent step: {violations:#?}"
        );
        tab_to(&page, "privacy_notice").await;
        press(&page, &space).await;
        tab_to(&page, "no_retainer").await;
        press(&page, &space).await;
        tab_to(&page, "sf-submit").await;
        press(&page, &enter).await;
        let (receipt, _) = page.receipt().await;
        let violations = axe(&page).await;
        assert!(
            violations.is_empty(),
            "axe-core, the receipt: {violations:#?}"
        );
        let stored = world.stored();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].0, receipt);
        let opened = world.open_store(&world.path("opened"));
        let answers = &read_json(&opened[0].join("submission.json"))["answers"];
        assert_eq!(answers["practice_area"], json!("family"));
        assert_eq!(answers["safe_voicemail"], json!("no"));
        assert_eq!(answers["full_name"], json!("Grace Hopper"));
    })
    .await;
}

/// The client's journey page by page, on a desktop window and on a 390 px phone: "Section 2 of 6", Back moving
/// between pages with nothing lost, the check page listing every answer, a Change link
/// back to its question and Continue straight back to the check page; no horizontal scrolling at 320 CSS px
/// (WCAG 1.4.10); the sealed submission opens to what the check page showed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journey_goes_page_by_page_with_back_and_changes() {
    scenario(Options::default(), async |world: &World| {
        for (width, height) in [(1280, 900), (390, 844)] {
            world.client.set_window_size(width, height).await.expect("window size");
            let page = FormPage::ready(&world.client, &world.host_url()).await;
            let progress = page.js("return document.querySelector('section:not([hidden]) [data-testid=progress]').textContent;", vec![]).await;
            assert_eq!(progress, json!("Section 1 of 6"), "{width} px");
            let later_hidden = page.js("return document.getElementById('practice_area').offsetParent === null;", vec![]).await;
            assert_eq!(later_hidden, json!(true), "later questions are not shown on the first page");
            page.type_text("full_name", "Ada Lovelace").await;
            page.type_text("email", "ada@example.com").await;
            page.next_page().await;
            let progress = page.js("return document.querySelector('section:not([hidden]) [data-testid=progress]').textContent;", vec![]).await;
            assert_eq!(progress, json!("Section 2 of 6"));
            let title = page.js("return document.title;", vec![]).await;
            assert!(title.as_str().unwrap_or_default().starts_with("How we should contact you"), "{title}");
            page.click("preferred_contact").await;
            page.click("safe_voicemail").await;
            page.click("safe_email").await;
            page.next_page().await;

            // The browser's Back and Forward move between the form's pages, without a reload losing answers.
            page.browser_history(false, 1).await;
            page.browser_history(false, 0).await;
            let kept = page.js("return document.getElementById('full_name').value;", vec![]).await;
            assert_eq!(kept, json!("Ada Lovelace"), "the answer is kept across the browser's Back");
            page.browser_history(true, 1).await;
            page.browser_history(true, 2).await;
            let kept = page.js("return document.getElementById('safe_email').checked;", vec![]).await;
            assert_eq!(kept, json!(true), "the answer is kept across the browser's Forward");

            // The form's Back link: the page before, its answers still there.
            page.click_testid("back").await;
            page.wait_step(1).await;
            let kept = page.js("return document.getElementById('safe_email').checked;", vec![]).await;
            assert_eq!(kept, json!(true), "the answer is kept across Back");
            page.next_page().await;

            page.select("practice_area", "housing").await;
            page.type_text("description", "My landlord kept my deposit.").await;
            page.click("special_category_involved-2").await;
            page.click("has_deadline-2").await;
            page.continue_to(CHECK_ANSWERS).await;
            screenshot(&page, &format!("check-answers-{width}")).await;
            let shown = |field: &str| format!("return document.querySelector('[data-answer={field}] .sf-summary-list__value').textContent;");
            assert_eq!(page.js(&shown("full_name"), vec![]).await, json!("Ada Lovelace"));
            assert_eq!(page.js(&shown("practice_area"), vec![]).await, json!("Housing"));
            assert_eq!(page.js(&shown("phone"), vec![]).await, json!("Not answered"));
            assert!(!page.exists("[data-answer=deadline_date]").await, "a hidden question is not listed");
            let violations = axe(&page).await;
            assert!(violations.is_empty(), "axe-core, check your answers at {width} px: {violations:#?}");

            // Change: to the question itself, then Continue returns to the check page.
            page.client()
                .find(Locator::Css("[data-change=description]"))
                .await
                .expect("the Change link")
                .click()
                .await
                .expect("follow it");
            page.wait_focus("description").await;
            assert_eq!(page.step().await, 2);
            page.clear("description").await;
            page.type_text("description", "My landlord kept my deposit of £900.").await;
            page.press_continue().await;
            page.wait_step(CHECK_ANSWERS).await;
            assert_eq!(page.js(&shown("description"), vec![]).await, json!("My landlord kept my deposit of £900."));

            page.next_page().await;
            page.click("privacy_notice").await;
            page.click("no_retainer").await;
            page.submit().await;
            let (receipt, _) = page.receipt().await;
            let stored = world.stored();
            let bundle = stored.iter().find(|(id, _)| *id == receipt).expect("stored under its receipt");
            let file = world.path(&format!("journey-{width}.bundle"));
            std::fs::write(&file, &bundle.1).expect("write bundle");
            let opened = world.open(&world.path(&format!("opened-{width}")), &[file.as_os_str()]);
            let answers = &read_json(&opened[0].join("submission.json"))["answers"];
            assert_eq!(answers["description"], json!("My landlord kept my deposit of £900."));
            assert_eq!(answers["practice_area"], json!("housing"));
        }

        // Reflow (WCAG 1.4.10): at 320 CSS px every page and state of the form fits without horizontal scrolling.
        world.client.set_window_size(320, 800).await.expect("window size");
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        let fits = async |what: &str| {
            let overflow = "return document.documentElement.scrollWidth > document.documentElement.clientWidth;";
            assert_eq!(page.js(overflow, vec![]).await, json!(false), "{what} scrolls sideways at 320 px");
        };
        fits("the first page").await;
        page.press_continue().await;
        assert!(!page.errors().await.is_empty(), "Continue on an empty page shows its problems");
        fits("the first page's errors").await;
        page.type_text("full_name", "Ada Lovelace").await;
        page.type_text("email", "ada@example.com").await;
        page.next_page().await;
        fits("the contact page").await;
        answer_contact_page(&page).await;
        fits("the matter page").await;
        page.select("practice_area", "housing").await;
        page.type_text("description", "My landlord kept my deposit.").await;
        answer_matter_questions(&page).await;
        page.click_testid("save-later").await;
        resume_link(&page).await;
        fits("the saved draft's page").await;
        page.click_testid("continue-after-save").await;
        page.wait_step(2).await;
        page.next_page().await;
        while page.step().await < CHECK_ANSWERS {
            fits(&format!("page {}", page.step().await)).await;
            page.next_page().await;
        }
        fits("check your answers").await;
        page.next_page().await;
        fits("the consent step").await;
        page.click("privacy_notice").await;
        page.click("no_retainer").await;
        page.submit().await;
        page.receipt().await;
        fits("the receipt").await;
    })
    .await;
}

/// Spam defence: with the receiver asking for a proof of work, the form fetches a challenge, solves it while the
/// client types, and its one POST carries the solution; the receiver stores the submission.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_solves_the_receivers_proof_of_work() {
    let options = Options {
        pow_bits: Some(14),
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        // Stored only once the proof was accepted.
        send_and_open(&page, world).await;
    })
    .await;
}

/// A retry after a gateway's 503 (the receiver saw the request, and spent its proof of work) carries a fresh proof:
/// two POSTs, each with its own challenge, and the second is stored. With the same token twice the receiver would
/// answer the retry 403 "already used".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_a_503_carries_a_fresh_proof_of_work() {
    let options = Options {
        pow_bits: Some(10),
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        world
            .form
            .replace_next_answer("POST", "/api/submissions", 503);
        send_and_open(&page, world).await;
        assert_eq!(world.posts(), 2, "one POST answered 503, one retry stored");
        let tokens = world.form.header_values("Sealform-Pow");
        assert_eq!(
            tokens.len(),
            2,
            "each POST carried a proof of work: {tokens:?}"
        );
        assert_ne!(tokens[0], tokens[1], "the retry carried a fresh challenge");
    })
    .await;
}

/// A normal page load, with a receiver that asks for no proof of work, leaves the console free of warnings and
/// errors: no request for a challenge (which would be a 404), and no preload the browser complains about.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_page_load_logs_no_warnings_or_errors() {
    scenario(Options::default(), async |world: &World| {
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        // Chromium warns about an unused preload a few seconds after the load event.
        tokio::time::sleep(std::time::Duration::from_secs(4)).await;
        let console = browser::log(page.client(), "browser").await;
        let warnings = browser::warnings(&console);
        assert!(
            warnings.is_empty(),
            "the console has warnings or errors: {warnings:#?}"
        );
        assert_eq!(
            world.form.count_requests("GET", "/api/challenge"),
            0,
            "no challenge asked of a receiver without proof of work"
        );
    })
    .await;
}

/// The page the receiver serves already shows the top of the form (its title, the first section's heading and a
/// loading status, in the client's language) before the wasm runs; the form takes it away when it draws itself,
/// and what it draws in its place says the same. The bench's first-contentful-paint row measures the timing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_the_forms_top_before_the_wasm_runs_and_the_form_replaces_it() {
    let options = Options {
        browser_languages: Some("es-ES,en"),
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let spanish = template_in("es");
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        let seen = page
            .js(
                "const served = await (await fetch(location.href)).text(); \
                 const doc = new DOMParser().parseFromString(served, 'text/html'); \
                 const paint = doc.getElementById('sealform-first-paint'); \
                 const text = (root, selector) => (root.querySelector(selector) || {}).textContent || null; \
                 return { \
                   served: paint && [doc.documentElement.lang, doc.title, text(paint, '.sf-caption'), \
                     text(paint, 'h1'), text(paint, '[role=status]')], \
                   drawn: [document.documentElement.lang, document.title, \
                     text(document, '[data-testid=form-title]'), text(document, 'h1')], \
                   left: !!document.getElementById('sealform-first-paint'), \
                   headings: [...document.querySelectorAll('h1')].filter(h => h.checkVisibility()).length };",
                vec![],
            )
            .await;
        assert_eq!(
            seen["served"][1], seen["drawn"][1],
            "the served page's title is the one the form gives its first page: {seen}"
        );
        assert_eq!(
            seen["served"],
            json!([
                "es",
                seen["drawn"][1],
                spanish.title,
                spanish.sections[0].title,
                "Cargando el formulario…"
            ]),
            "the served page's first paint, in the browser's language: {seen}"
        );
        assert_eq!(
            seen["drawn"],
            json!(["es", seen["drawn"][1], spanish.title, spanish.sections[0].title]),
            "the form draws the same top in the same language: {seen}"
        );
        assert_eq!(seen["left"], json!(false), "the first paint is gone: {seen}");
        assert_eq!(seen["headings"], json!(1), "one heading shown on the page: {seen}");
        // The page held the config (its exact bytes: the happy path opens with its digest checked), so the form
        // never fetched it; the fetch above was the test's own.
        assert_eq!(
            world.form.count_requests("GET", "/config.json"),
            0,
            "the form read its config from the page"
        );
        let violations = axe(&page).await;
        assert!(violations.is_empty(), "axe-core: {violations:#?}");
    })
    .await;
}

/// The `config` option of the form's own page resolves on the form's origin or the form refuses to run: a tab
/// the URL parser drops, a scheme-relative URL and another origin all end at the "not available" page, with
/// nothing fetched from anywhere else (the CSP would have refused it in the console, and the other origin's proxy
/// would have seen it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_option_off_the_forms_origin_is_refused() {
    scenario(Options::default(), async |world: &World| {
        let other = world.host.origin();
        let other_host = other.trim_start_matches("http://");
        let given = [
            "/\t/evil.example/c.json".to_owned(),
            "//evil.example/c.json".to_owned(),
            format!("/\t/{other_host}/c.json"),
            format!("//{other_host}/c.json"),
            format!("{other}/c.json"),
        ];
        for config in &given {
            let query: String = url::form_urlencoded::byte_serialize(config.as_bytes()).collect();
            let page = FormPage::at(
                &world.client,
                &format!("{}/index.html?config={query}", world.form.origin()),
            )
            .await;
            assert_config_refused(&page, &format!("config={config:?}")).await;
        }
        assert_eq!(
            world.host.count_requests("GET", "/c.json"),
            0,
            "nothing reached the other origin"
        );
        // The check above can fail: a fetch off the form's origin is refused by its CSP, in the console.
        world
            .client
            .execute(
                "fetch('http://evil.example/guard.json').catch(() => 0); return true;",
                vec![],
            )
            .await
            .expect("a blocked fetch");
        wait_for(
            "the CSP's refusal in the console",
            browser::TIMEOUT,
            || async {
                let console = browser::log(&world.client, "browser").await;
                csp_refusals(&console)
                    .iter()
                    .any(|m| m.contains("evil.example/guard.json"))
                    .then_some(())
            },
        )
        .await;
    })
    .await;
}

/// Inline mode's `data-config` likewise: refused unless it resolves on the form's origin, before any fetch (the
/// firm's page records every CSP violation, and its CSP would refuse a fetch off the form's origin).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inline_data_config_off_the_forms_origin_is_refused() {
    for config in ["/\t/evil.example/c.json", "//evil.example/c.json"] {
        let options = Options {
            embed: Embed::Inline,
            data_config: Some(config),
            ..Options::default()
        };
        scenario(options, async |world: &World| {
            let page = FormPage::at(&world.client, &world.host_url()).await;
            assert_config_refused(&page, &format!("data-config={config:?}")).await;
            let recorded = page.js("return window.cspViolations;", vec![]).await;
            assert_eq!(
                recorded,
                json!([]),
                "data-config={config:?}: nothing was fetched"
            );
            assert_eq!(world.form.count_requests("GET", "/c.json"), 0);
        })
        .await;
    }
}

/// The form refused the config `what` names before fetching anything: the "not available" page, the reason in the
/// console, and no fetch that the CSP had to stop.
async fn assert_config_refused(page: &FormPage<'_>, what: &str) {
    assert_eq!(page.state().await, "unavailable", "{what}");
    let console = browser::log(page.client(), "browser").await;
    assert!(
        serde_json::to_string(&console)
            .expect("json")
            .contains("not on the form's own origin"),
        "{what}: the console says why: {console:#?}"
    );
    assert_eq!(
        csp_refusals(&console),
        Vec::<String>::new(),
        "{what}: nothing was fetched"
    );
}

/// The console's Content-Security-Policy refusals (a fetch the page's CSP blocked never reaches the network log).
fn csp_refusals(console: &[Value]) -> Vec<String> {
    console
        .iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|message| message.contains("Content Security Policy"))
        .map(str::to_owned)
        .collect()
}

/// The store's drafts, as (count, every byte of the database and its write-ahead log).
fn drafts_at_rest(world: &World) -> (i64, Vec<u8>) {
    let db = rusqlite::Connection::open(&world.store).expect("open the store");
    let count = db
        .query_row("SELECT count(*) FROM drafts", [], |row| row.get(0))
        .expect("count drafts");
    drop(db);
    let mut bytes = std::fs::read(&world.store).expect("read the store");
    if let Ok(wal) = std::fs::read(world.path("sealform.db-wal")) {
        bytes.extend_from_slice(&wal);
    }
    (count, bytes)
}

/// The link the saved page shows.
async fn resume_link(page: &FormPage<'_>) -> String {
    wait_js(
        page.client(),
        "the saved page",
        "document.querySelector('[data-testid=resume-link]')",
    )
    .await;
    page.wait_focus("draft-saved-heading").await;
    let link = page
        .js(
            "return document.querySelector('[data-testid=resume-link]').value;",
            vec![],
        )
        .await;
    link.as_str().expect("the link").to_owned()
}

/// Opens a resume link as a page of its own, and waits for the notice it opens with.
async fn follow_link<'a>(
    client: &'a fantoccini::Client,
    link: &str,
    outcome: &str,
) -> FormPage<'a> {
    // From a blank page, so a link that differs from the address only in its fragment still loads the form anew.
    client.goto("about:blank").await.expect("a blank page");
    let page = FormPage::at(client, link).await;
    wait_js(
        client,
        &format!("the draft notice ({outcome})"),
        &format!("document.querySelector('[data-testid=draft-notice][data-outcome={outcome}]')"),
    )
    .await;
    page.wait_focus("draft-notice").await;
    page
}

/// Save and come back later (issue 14, part 2): answers typed with canaries are saved on page 3; the saved page
/// gives a link and a file; the receiver holds only ciphertext, and no request ever carried the key. In a fresh
/// browser profile the link brings back the answers and the page; the form is finished and sent, which deletes the
/// draft, and the link then says the draft is no longer kept, as it does for an expired one. The downloaded file
/// opens the draft on its own. Nothing is in the browser's storage at any point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_in_one_browser_is_finished_in_another() {
    scenario(Options::default(), async |world: &World| {
        let name = format!("Ada {TAG}-DRAFT-NAME");
        let story = format!("My landlord {TAG}-DRAFT-STORY kept the deposit.");
        let canaries = vec![format!("{TAG}-DRAFT-NAME"), format!("{TAG}-DRAFT-STORY")];
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        page.type_text("full_name", &name).await;
        page.type_text("email", "ada@example.com").await;
        page.next_page().await;
        answer_contact_page(&page).await;
        page.select("practice_area", "housing").await;
        page.type_text("description", &story).await;
        page.click_testid("save-later").await;
        let link = resume_link(&page).await;
        screenshot(&page, "draft-saved").await;
        let violations = axe(&page).await;
        assert!(violations.is_empty(), "axe-core, the saved page: {violations:#?}");
        let (_, fragment) = link.split_once("#sealform-draft=").expect("the id and key in the fragment");
        let (id, key) = fragment.split_once('.').expect("id.key");
        assert!(link.starts_with(&world.form.origin()), "the link opens the form's own page: {link}");

        // At rest and on the wire: ciphertext only, and the key never sent anywhere.
        let (count, at_rest) = drafts_at_rest(world);
        assert_eq!(count, 1, "one draft kept");
        canary::assert_absent(&canaries, &at_rest, "the receiver's store");
        assert!(memchr::memmem::find(&at_rest, id.as_bytes()).is_some(), "kept under its id");
        let sent = [world.form.sent(), world.host.sent()].concat();
        canary::assert_absent(&canaries, &sent, "the traffic");
        assert!(memchr::memmem::find(&sent, key.as_bytes()).is_none(), "the key was sent");
        let storage = page.js(STORAGE_DUMP, vec![]).await;
        canary::assert_absent(&canaries, storage.to_string().as_bytes(), "browser storage");
        assert!(!storage.to_string().contains(key), "the key is in browser storage");

        page.click_testid("download-draft").await;
        let file = wait_for("the downloaded draft", std::time::Duration::from_secs(10), || async {
            std::fs::read_dir(&world.downloads).ok()?.flatten().map(|e| e.path()).find(|p| {
                p.extension().is_some_and(|e| e == "json")
            })
        })
        .await;
        canary::assert_absent(&canaries, &std::fs::read(&file).expect("read the file"), "the draft file");
        page.click_testid("continue-after-save").await;
        assert_eq!(page.step().await, 2, "back on the page saved from");

        // A fresh browser profile, on a phone's width: only the link (saved at a desk, finished on the bus).
        let driver = browser::Chromedriver::start();
        let profile = world.path("second-profile");
        let other = browser::session(&driver, &profile, &world.path("second-downloads"), None).await;
        other.set_window_size(390, 844).await.expect("window size");
        let resumed = follow_link(&other, &link, "restored").await;
        assert_eq!(resumed.step().await, 2, "the page the client saved on");
        let typed = resumed.js("return [document.getElementById('full_name').value, document.getElementById('description').value];", vec![]).await;
        assert_eq!(typed, json!([name, story]));
        let violations = axe(&resumed).await;
        assert!(violations.is_empty(), "axe-core, a form opened from a draft: {violations:#?}");
        let overflow = resumed.js("return document.documentElement.scrollWidth > document.documentElement.clientWidth;", vec![]).await;
        assert_eq!(overflow, json!(false), "the restored form scrolls sideways at 390 px");
        answer_matter_questions(&resumed).await;
        resumed.continue_to(CONSENT_STEP).await;
        resumed.click("privacy_notice").await;
        resumed.click("no_retainer").await;
        resumed.submit().await;
        let (receipt, _) = resumed.receipt().await;
        wait_for("the draft to be deleted", std::time::Duration::from_secs(10), || async {
            (drafts_at_rest(world).0 == 0).then_some(())
        })
        .await;
        let address = other.current_url().await.expect("the address");
        assert!(address.fragment().is_none(), "the key left in the address: {address}");
        let stored = world.stored();
        let bundle = stored.iter().find(|(r, _)| *r == receipt).expect("stored");
        let sealed = world.path("resumed.bundle");
        std::fs::write(&sealed, &bundle.1).expect("write");
        let opened = world.open(&world.path("opened-resumed"), &[sealed.as_os_str()]);
        let answers = &read_json(&opened[0].join("submission.json"))["answers"];
        assert_eq!(answers["full_name"], json!(name));
        assert_eq!(answers["description"], json!(story));

        // Sent: the link no longer opens anything, and says so plainly.
        let gone = follow_link(&other, &link, "failed").await;
        assert!(gone.text().await.contains("no longer kept"), "{}", gone.text().await);

        // Saved again in the first browser: the old draft is gone, so a new one is kept under a new link.
        page.click_testid("save-later").await;
        let second = resume_link(&page).await;
        assert_ne!(second, link);
        assert_eq!(drafts_at_rest(world).0, 1);
        // Expired: the receiver reads it as gone at once, before the purge removes it.
        let db = rusqlite::Connection::open(&world.store).expect("open the store");
        db.execute("UPDATE drafts SET expires_at = 946684800", []).expect("expire");
        drop(db);
        let expired = follow_link(&other, &second, "failed").await;
        assert!(expired.text().await.contains("no longer kept"), "{}", expired.text().await);
        let violations = axe(&expired).await;
        assert!(violations.is_empty(), "axe-core, an expired link: {violations:#?}");

        // The downloaded file opens on its own.
        other
            .find(Locator::Css("[data-testid=load-draft] summary"))
            .await
            .expect("the draft file's way in")
            .click()
            .await
            .expect("open it");
        other
            .find(Locator::Id("sf-draft-file"))
            .await
            .expect("the file input")
            .send_keys(&file.display().to_string())
            .await
            .expect("choose the file");
        wait_js(&other, "the restored notice", "document.querySelector('[data-testid=draft-notice][data-outcome=restored]')").await;
        assert_eq!(expired.step().await, 2);
        let typed = expired.js("return document.getElementById('description').value;", vec![]).await;
        assert_eq!(typed, json!(story));
        let _ = other.close().await;
    })
    .await;
}

/// The default template as the firm's config holds it, shown in `language`.
fn template_in(language: &str) -> sealform_core::FormSchema {
    sealform_core::schema::Template::from_json(
        sealform_core::schema::LEGAL_INTAKE_TEMPLATE.as_bytes(),
    )
    .expect("template")
    .schema()
    .in_language(language)
    .expect("the template is translated")
}

/// The form's root and (in the iframe) its page: `[root lang, root dir, html lang, html dir]`.
async fn language_marks(page: &FormPage<'_>) -> Value {
    page.js(
        "const root = document.getElementById('sealform-root'); const html = document.documentElement; \
         return [root.lang, root.dir, html.lang, html.dir];",
        vec![],
    )
    .await
}

/// Sends the form the client filled in `language` and opens it as the firm would, with `--lang en`; returns the
/// submission document and the summary, asserting the CLI re-checked it against the config with no warning.
async fn send_and_open_in(page: &FormPage<'_>, world: &World, language: &str) -> (Value, String) {
    page.submit().await;
    let (receipt, _) = page.receipt().await;
    assert!(
        world.stored().iter().any(|(id, _)| *id == receipt),
        "stored"
    );
    let out = world.path(&format!("opened-{language}"));
    let output = Command::new(e2e::sealform_bin())
        .arg("open")
        .arg("--key")
        .arg(e2e::world::key_path("firm"))
        .arg("--schema")
        .arg(&world.config)
        .arg("--lang")
        .arg("en")
        .arg("--out")
        .arg(&out)
        .arg("--store")
        .arg(&world.store)
        .output()
        .expect("sealform open runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "sealform open: {stderr}");
    // (The test keys are world-readable in the checkout, which the CLI rightly warns of; nothing else may warn.)
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|line| line.to_lowercase().contains("warning"))
        .filter(|line| !line.contains("can be read by other users"))
        .collect();
    assert!(
        warnings.is_empty(),
        "the submission re-validates against the config: {stderr}"
    );
    let folder = std::fs::read_dir(&out)
        .expect("opened folder")
        .map(|e| e.expect("entry").path())
        .find(|p| p.join("submission.json").exists())
        .expect("one submission opened");
    let summary = std::fs::read_to_string(folder.join("summary.md")).expect("summary.md");
    (read_json(&folder.join("submission.json")), summary)
}

/// Issue 14, languages: the snippet's `data-lang="es"` shows the form in Spanish — the questions from the config's
/// translation, the form's own words and the answer rules' messages from the catalogues — and what the firm opens
/// records the consents in Spanish, as shown, with the CLI naming each question in Spanish and English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snippets_data_lang_shows_the_form_in_spanish() {
    let options = Options {
        data_lang: Some("es"),
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let spanish = template_in("es");
        let texts = sealform_core::i18n::texts("es");
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        assert_eq!(
            language_marks(&page).await,
            json!(["es", "ltr", "es", "ltr"])
        );
        let heading = page
            .js("return document.querySelector('h1').textContent;", vec![])
            .await;
        assert_eq!(
            heading,
            json!(spanish.sections[0].title),
            "the first page is headed by its section"
        );
        let label = page
            .js(
                "return document.querySelector('label[for=full_name]').textContent;",
                vec![],
            )
            .await;
        assert!(
            label
                .as_str()
                .unwrap_or_default()
                .contains(&spanish.field("full_name").expect("field").field.label),
            "{label}"
        );

        let button = page
            .js(
                "return document.getElementById('sf-continue').textContent.trim();",
                vec![],
            )
            .await;
        assert_eq!(
            button,
            json!(texts.get("journey-continue")),
            "the form's own words are Spanish too"
        );
        assert_ne!(button, json!("Continue"));
        // An error on the first page, in Spanish words.
        page.press_continue().await;
        let errors = page.errors().await;
        assert!(
            !errors.is_empty(),
            "Continue on an empty page shows its problems"
        );
        let enter = texts.format("enter", &[("name", "".into())]);
        let enter = enter.trim_end();
        assert!(
            errors
                .iter()
                .all(|(_, message)| !message.starts_with("Enter ")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|(_, message)| message.starts_with(enter)),
            "{errors:?}"
        );
        let violations = axe(&page).await;
        assert!(
            violations.is_empty(),
            "axe-core, Spanish errors: {violations:#?}"
        );

        // Every page and state after it, each without an axe-core violation.
        let clean = async |what: &str| {
            let violations = axe(&page).await;
            assert!(
                violations.is_empty(),
                "axe-core, Spanish {what}: {violations:#?}"
            );
        };
        page.type_text("full_name", "Lucía Pérez").await;
        page.type_text("email", "lucia@example.com").await;
        page.next_page().await;
        clean("contact page").await;
        answer_contact_page(&page).await;
        clean("matter page").await;
        page.select("practice_area", "housing").await;
        page.type_text("description", "El casero no me devuelve la fianza.")
            .await;
        answer_matter_questions(&page).await;
        page.click_testid("save-later").await;
        resume_link(&page).await;
        clean("draft saved").await;
        page.click_testid("continue-after-save").await;
        page.wait_step(2).await;
        page.next_page().await;
        while page.step().await < CHECK_ANSWERS {
            clean(&format!("page {}", page.step().await)).await;
            page.next_page().await;
        }
        clean("check your answers").await;
        page.next_page().await;
        page.click("privacy_notice").await;
        page.click("no_retainer").await;
        clean("consent step").await;
        screenshot(&page, "consent-es").await;
        let (submission, summary) = send_and_open_in(&page, world, "es").await;
        let violations = axe(&page).await;
        assert!(
            violations.is_empty(),
            "axe-core, Spanish receipt: {violations:#?}"
        );
        let consent = &submission["consent"];
        assert_eq!(consent["language"], json!("es"));
        let privacy = spanish.consent("privacy_notice").expect("consent");
        assert_eq!(consent["purposes"][0]["text"], json!(privacy.text));
        assert_eq!(
            consent["purposes"][0]["text_sha256"],
            json!(sha256_hex(privacy.text.as_bytes()))
        );
        // The firm reads the client's words and, with --lang en, its own.
        let english = template_in("en-GB");
        let area = |schema: &sealform_core::FormSchema| {
            schema
                .field("practice_area")
                .expect("field")
                .field
                .label
                .clone()
        };
        assert!(
            summary.contains(&format!("{} ({})", area(&spanish), area(&english))),
            "{summary}"
        );
        let english_privacy = &english.consent("privacy_notice").expect("consent").text;
        assert!(
            summary.contains(&format!("({english_privacy})")),
            "the consent in English too: {summary}"
        );
    })
    .await;
}

/// Issue 14, languages: with no `data-lang`, a browser that asks for Arabic first gets the form in Arabic, right
/// to left — `dir="rtl"`, the layout mirrored — with no axe-core violation, no sideways scrolling at 320 px, and a
/// submission whose consent record is in Arabic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_asking_for_arabic_gets_the_form_right_to_left() {
    let options = Options {
        browser_languages: Some("ar,en-GB"),
        ..Options::default()
    };
    scenario(options, async |world: &World| {
        let arabic = template_in("ar");
        let page = FormPage::ready(&world.client, &world.host_url()).await;
        assert_eq!(
            language_marks(&page).await,
            json!(["ar", "rtl", "ar", "rtl"])
        );
        let heading = page
            .js("return document.querySelector('h1').textContent;", vec![])
            .await;
        assert_eq!(
            heading,
            json!(arabic.sections[0].title),
            "the first page is headed by its section"
        );
        // Mirrored: the Continue button sits at the right, where the text starts.
        let mirrored = page
            .js(
                "const button = document.getElementById('sf-continue') \
                 .getBoundingClientRect(); \
                 const form = document.getElementById('sealform-root').getBoundingClientRect(); \
                 return Math.abs(form.right - button.right) < Math.abs(button.left - form.left);",
                vec![],
            )
            .await;
        assert_eq!(mirrored, json!(true), "the layout runs from the right");
        let violations = axe(&page).await;
        assert!(violations.is_empty(), "axe-core, Arabic first page: {violations:#?}");
        screenshot(&page, "first-page-ar").await;

        // The rest of the journey at 320 CSS px: every page and state without sideways scrolling (WCAG 1.4.10)
        // and without an axe-core violation.
        world.client.set_window_size(320, 800).await.expect("window size");
        let fits = async |what: &str| {
            let overflow = "return document.documentElement.scrollWidth > document.documentElement.clientWidth;";
            assert_eq!(page.js(overflow, vec![]).await, json!(false), "{what} scrolls sideways at 320 px");
            let violations = axe(&page).await;
            assert!(violations.is_empty(), "axe-core, Arabic {what}: {violations:#?}");
        };
        fits("first page").await;
        page.press_continue().await;
        let errors = page.errors().await;
        assert!(!errors.is_empty(), "Continue on an empty page shows its problems");
        assert!(errors.iter().all(|(_, message)| !message.is_ascii()), "messages in Arabic: {errors:?}");
        fits("errors").await;

        page.type_text("full_name", "ليلى حداد").await;
        page.type_text("email", "layla@example.com").await;
        page.next_page().await;
        fits("contact page").await;
        answer_contact_page(&page).await;
        fits("matter page").await;
        page.select("practice_area", "housing").await;
        page.type_text("description", "لم يُرجع المالك مبلغ التأمين.").await;
        answer_matter_questions(&page).await;
        page.click_testid("save-later").await;
        resume_link(&page).await;
        fits("draft saved").await;
        page.click_testid("continue-after-save").await;
        page.wait_step(2).await;
        page.next_page().await;
        while page.step().await < CHECK_ANSWERS {
            fits(&format!("page {}", page.step().await)).await;
            page.next_page().await;
        }
        fits("check your answers").await;
        world.client.set_window_size(1280, 1100).await.expect("window size");
        screenshot(&page, "check-answers-ar").await;
        page.next_page().await;
        fits("consent step").await;
        page.click("privacy_notice").await;
        page.click("no_retainer").await;
        let (submission, _) = send_and_open_in(&page, world, "ar").await;
        assert_eq!(submission["consent"]["language"], json!("ar"));
        assert_eq!(submission["answers"]["full_name"], json!("ليلى حداد"));
        let violations = axe(&page).await;
        assert!(
            violations.is_empty(),
            "axe-core, Arabic receipt: {violations:#?}"
        );
    })
    .await;
}
