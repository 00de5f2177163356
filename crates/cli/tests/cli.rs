//! The `sealform` binary end to end: keygen, inspect and open, driven as a person or a script would, checking what
//! they see (messages, exit codes) and what lands on disk (files, modes, names).
//!
//! RSA key generation is slow in debug builds, so no test generates more than one (2048-bit) key.

mod util;

use std::fs;

use sealform_core::bundle::ReceiptId;
use sealform_core::key::{Identity, Recipient};
use serde_json::Value;
use util::*;

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
fn keygen_demo_key_writes_a_0600_private_key_and_a_matching_jwk() {
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
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
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
        ReceiptId::of(&fs::read(&first).expect("read")).short(),
        ReceiptId::of(&fs::read(&last).expect("read")).short(),
    ];
    let mut expected = receipts.to_vec();
    expected.sort();
    assert_eq!(names_in(&out), expected);
    for receipt in &receipts {
        let json = fs::read_to_string(out.join(receipt).join("submission.json")).expect("read");
        let json: Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(json["answers"]["full_name"], CLIENT_NAME);
    }
    assert_eq!(
        names_in(&out.join(&receipts[0]).join("attachments")),
        ["photo.jpg", "tenancy.txt"]
    );

    // Opening into the same folder again overwrites nothing and skips what is there.
    sealform(&args(true))
        .expect_code(1)
        .expect_stderr(&["already opened"]);
    assert_eq!(names_in(&out), expected);
}

#[test]
fn attachment_names_are_made_safe() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = key_file(dir.path(), "firm", 0o600);
    let bundle = dir.path().join("tricky.bundle");
    let attachments: [(&str, &[u8]); 8] = [
        ("../../etc/passwd", b"root:x:0:0"),
        ("..", b"dot dot"),
        (".bashrc", b"alias"),
        ("C:\\Users\\zoe\\lease.pdf", b"%PDF"),
        ("bell\u{7}\u{1b}[31m.txt", b"ding"),
        ("same.txt", b"first"),
        ("same.txt", b"second"),
        ("submission.json", b"{}"),
    ];
    seal_sample(
        &bundle,
        &[identity("firm").recipient().clone()],
        "id-3",
        &attachments,
    );
    let out = dir.path().join("opened");
    let run = sealform(&[
        "open".as_ref(),
        "--key".as_ref(),
        key.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        bundle.as_os_str(),
    ])
    .expect_code(0)
    .expect_stderr(&["saved as"]);
    let receipt = ReceiptId::of(&fs::read(&bundle).expect("read")).short();
    assert!(run.stdout.contains(&receipt), "{}", run.stdout);

    let folder = out.join(&receipt);
    assert_eq!(names_in(&out), [receipt.as_str()]);
    assert_eq!(names_in(&folder), ["attachments", "submission.json"]);
    let saved = folder.join("attachments");
    assert_eq!(
        names_in(&saved),
        [
            "attachment-2",
            "bashrc",
            "bell[31m.txt",
            "lease.pdf",
            "passwd",
            "same-2.txt",
            "same.txt",
            "submission.json",
        ]
    );
    assert_eq!(fs::read(saved.join("passwd")).expect("read"), b"root:x:0:0");
    assert_eq!(
        fs::read(saved.join("attachment-2")).expect("read"),
        b"dot dot"
    );
    assert_eq!(fs::read(saved.join("same.txt")).expect("read"), b"first");
    assert_eq!(fs::read(saved.join("same-2.txt")).expect("read"), b"second");
    assert_eq!(mode(&saved.join("passwd")), 0o600);
    assert_eq!(mode(&folder.join("submission.json")), 0o600);
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
