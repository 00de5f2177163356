//! Interop with an independent JOSE implementation: `tests/interop/peer.py`, built on PyPI's jwcrypto (OpenSSL
//! underneath), opens every part of what this crate seals, and this crate opens exactly what jwcrypto seals.
//!
//! The peer runs in the workspace's `.venv` (made by `scripts/setup.sh`); without it these tests fail, never skip.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sealform_core::bundle::{self, OpenError};
use sealform_core::key::Identity;
use sealform_core::{Answers, Attachment, Submission};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

fn workspace() -> &'static Path {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    core.ancestors()
        .nth(2)
        .expect("crates/core sits two levels below the workspace")
}

fn key_path(name: &str) -> PathBuf {
    sealform_testkit::data_dir().join(format!("keys/{name}.pem"))
}

/// One of the fixed test keys: `firm`, `backup` or `stranger`.
fn key(name: &str) -> Identity {
    sealform_testkit::identity(name)
}

fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("sealform-interop-")
        .tempdir()
        .expect("a temporary directory")
}

/// Runs `peer.py` with the workspace's venv Python.
fn run_peer<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    let python = workspace().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/setup.sh to create the venv with jwcrypto that the interop peer needs",
        python.display()
    );
    Command::new(&python)
        .arg(workspace().join("tests/interop/peer.py"))
        .args(args)
        .output()
        .expect("peer.py starts")
}

/// Runs `peer.py`, failing the test with its message if it fails.
fn peer<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) {
    let output = run_peer(args);
    assert!(
        output.status.success(),
        "peer.py failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The submission both sides start from: answers in several scripts and directions, the consent record the
/// shipped legal-intake form builds for them with every consent given, and [`sample_attachments`] listed.
fn sample_submission() -> Submission {
    let answers: Answers = serde_json::from_value(serde_json::json!({
        "full_name": "Zoë Ñúñez-Łukasiewicz",
        "preferred_name": "Rene\u{301}e",
        "name_native": "王秀英",
        "address_he": "רחוב הרצל 12, תל אביב",
        "greeting_ar": "\u{200f}مرحبا بكم",
        "summary": "The landlord kept the deposit 😞 — \"urgent\"\n\tSee the scan. 👩\u{200d}⚖\u{fe0f}",
        "voicemail_ok": false,
        "contact_by": ["email", "sms"],
        "children": [{"name": "Ana", "age": "7"}, {"name": "Jürgen", "age": "12"}],
    }))
    .expect("the sample answers parse");
    sealform_testkit::legal_intake_submission(
        answers,
        &sample_attachments(),
        "0b7e4c1a-93d2-4f5e-8a61-7c2b9d0e3f14",
    )
}

/// A text file and a binary one of a few hundred KB with every byte value.
fn sample_attachments() -> Vec<Attachment> {
    let text = "Statement of facts\r\nÉté 2026 — 合同 — 👍\nשלום עליכם\n".as_bytes();
    // xorshift32: deterministic, incompressible-looking bytes.
    let mut state = 0x9e37_79b9_u32;
    let noise = std::iter::repeat_with(move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state.to_le_bytes()[0]
    });
    let binary = (0..=255u8).chain(noise.take(300 * 1024)).collect();
    vec![
        Attachment {
            field: "documents".into(),
            name: "statement – été.txt".into(),
            media_type: "text/plain; charset=utf-8".into(),
            bytes: text.to_vec(),
        },
        Attachment {
            field: "documents".into(),
            name: "scan.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: binary,
        },
    ]
}

/// Has the peer seal `submission` and `attachments` for the keys named, and returns the bundle's bytes.
fn peer_seal(
    dir: &Path,
    key_names: &[&str],
    submission: &Submission,
    attachments: &[Attachment],
) -> Vec<u8> {
    let submission_path = dir.join("submission-in.json");
    let document = serde_json::to_vec_pretty(submission).expect("the submission serialises");
    fs::write(&submission_path, document).expect("write the submission");
    let bundle_path = dir.join(format!("peer-{}.json", key_names.join("+")));
    let mut args = vec![
        "seal".into(),
        bundle_path.clone().into_os_string(),
        submission_path.into_os_string(),
    ];
    for name in key_names {
        let jwk_path = dir.join(format!("{name}.jwk"));
        fs::write(&jwk_path, key(name).recipient().to_jwk()).expect("write a JWK");
        args.push(jwk_path.into_os_string());
    }
    for (index, attachment) in attachments.iter().enumerate() {
        let path = dir.join(format!("file-{index}"));
        fs::write(&path, &attachment.bytes).expect("write an attachment");
        args.push("--attach".into());
        args.extend([&attachment.field, &attachment.name, &attachment.media_type].map(Into::into));
        args.push(path.into_os_string());
    }
    peer(&args);
    fs::read(bundle_path).expect("the peer wrote the bundle")
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn the_peer_opens_every_part_core_seals_with_either_key() {
    let (firm, backup) = (key("firm"), key("backup"));
    let submission = sample_submission();
    let attachments = sample_attachments();
    let sealed = bundle::seal(
        &[firm.recipient().clone(), backup.recipient().clone()],
        &submission,
        &attachments,
    )
    .expect("core seals");
    let dir = temp_dir();
    let bundle_path = dir.path().join("core.json");
    fs::write(&bundle_path, &sealed.bytes).expect("write the bundle");

    // What core encrypted as the submission part: the filled-in document as serde_json writes it.
    let expected = submission.clone();
    let expected_json = serde_json::to_vec(&expected).expect("the submission serialises");

    for name in ["firm", "backup"] {
        let out = dir.path().join(name);
        peer([
            OsStr::new("open"),
            bundle_path.as_os_str(),
            key_path(name).as_os_str(),
            out.as_os_str(),
        ]);
        let opened_json =
            fs::read(out.join("submission.json")).expect("the peer wrote the submission");
        assert_eq!(
            String::from_utf8_lossy(&opened_json),
            String::from_utf8_lossy(&expected_json),
            "with the {name} key"
        );
        let opened: Submission =
            serde_json::from_slice(&opened_json).expect("the submission parses");
        assert_eq!(opened, expected, "with the {name} key");
        for (index, attachment) in attachments.iter().enumerate() {
            let bytes = fs::read(out.join(format!("attachment-{index}.bin")))
                .expect("the peer wrote the file");
            assert!(
                bytes == attachment.bytes,
                "attachment {index} differs with the {name} key"
            );
        }
        assert!(!out
            .join(format!("attachment-{}.bin", attachments.len()))
            .exists());
    }

    // The peer's success means something: it refuses a key the bundle is not sealed for.
    let refused = run_peer([
        OsStr::new("open"),
        bundle_path.as_os_str(),
        key_path("stranger").as_os_str(),
        dir.path().join("stranger").as_os_str(),
    ]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("not sealed for key"), "{message}");
}

#[test]
fn core_opens_exactly_what_the_peer_seals_for_one_or_two_recipients() {
    let submission = sample_submission();
    let attachments = sample_attachments();
    let expected = submission.clone();
    let dir = temp_dir();
    for key_names in [&["firm"][..], &["firm", "backup"]] {
        let bytes = peer_seal(dir.path(), key_names, &submission, &attachments);
        let kids: Vec<_> = key_names
            .iter()
            .map(|name| key(name).kid().clone())
            .collect();
        let seen = bundle::inspect(&bytes).expect("core reads the peer's bundle");
        assert_eq!(seen.recipients, kids);
        for name in key_names {
            let opened = bundle::open(&[key(name)], &bytes).unwrap_or_else(|e| {
                panic!("core opens the peer's bundle for {key_names:?} with {name}: {e}")
            });
            assert_eq!(
                opened.submission, expected,
                "{key_names:?}, opened with {name}"
            );
            // Attachment equality covers the bytes (its Debug form leaves them out).
            assert_eq!(
                opened.attachments, attachments,
                "{key_names:?}, opened with {name}"
            );
        }
    }
}

#[test]
fn core_tells_a_stranger_the_peers_bundle_is_not_for_them() {
    let dir = temp_dir();
    let bytes = peer_seal(
        dir.path(),
        &["firm", "backup"],
        &sample_submission(),
        &sample_attachments(),
    );
    let stranger = key("stranger");
    match bundle::open(std::slice::from_ref(&stranger), &bytes) {
        Err(OpenError::NotForThisKey {
            sealed_for,
            you_hold,
        }) => {
            assert_eq!(
                sealed_for,
                vec![key("firm").kid().clone(), key("backup").kid().clone()]
            );
            assert_eq!(you_hold, vec![stranger.kid().clone()]);
        }
        other => panic!("expected NotForThisKey, got {other:?}"),
    }
}
