//! The test vectors in `tests/data/vectors/`: sealed bundles kept as files, each with a short header saying what
//! opening it must give. They pin the format: a change that breaks reading yesterday's bundles fails here.
//!
//! A vector file is header lines (`expect:`, `keys:`, optional `path:`, `receipt:`, `note:`), a blank line, then the
//! bundle's exact bytes. `SEALFORM_WRITE_VECTORS=1 cargo test -p sealform-core --test vectors` writes them anew from
//! the fixed sample below (new random keys and IVs, so new bytes; commit them only on purpose).

use std::path::{Path, PathBuf};

use sealform_core::bundle::{open, seal, OpenError, ReceiptId};
use sealform_core::key::{Identity, KeyUnwrap, Recipient};
use sealform_core::submission::{Attachment, Submission};
use sealform_core::{Answer, Answers};
use serde_json::{json, Value};

fn data_dir() -> PathBuf {
    sealform_testkit::data_dir()
}

fn key(name: &str) -> Identity {
    sealform_testkit::identity(name)
}

/// The submission every vector seals: fixed, so an opened vector can be compared with it.
fn sample() -> (Submission, Vec<Attachment>) {
    let mut answers = Answers::default();
    answers.insert("full_name", Answer::Text("Zoë Ñúñez-王 🙂 مرحبا".into()));
    answers.insert("email", Answer::Text("zoe@example.com".into()));
    answers.insert(
        "matter_description",
        Answer::Text("My landlord kept the deposit.".into()),
    );
    let attachments = vec![
        Attachment {
            field: "documents".into(),
            name: "tenancy.txt".into(),
            media_type: "text/plain".into(),
            bytes: b"Tenancy agreement, 1 March 2024.\n".to_vec(),
        },
        Attachment {
            field: "documents".into(),
            name: "photo.jpg".into(),
            media_type: "image/jpeg".into(),
            bytes: (0..1500u32).map(|i| (i * 13 % 256) as u8).collect(),
        },
    ];
    let submission = sealform_testkit::legal_intake_submission(
        answers,
        &attachments,
        "0b7e5c1a-6f3d-4e2b-8a9c-1d2e3f405162",
    );
    (submission, attachments)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Success,
    WrongKey,
    Damaged,
    Malformed,
    UnsupportedVersion,
    AttachmentAltered,
    AttachmentMissing,
}

impl Expect {
    fn parse(text: &str) -> Self {
        match text {
            "success" => Self::Success,
            "wrong key" => Self::WrongKey,
            "damaged" => Self::Damaged,
            "malformed" => Self::Malformed,
            "unsupported version" => Self::UnsupportedVersion,
            "attachment altered" => Self::AttachmentAltered,
            "attachment missing" => Self::AttachmentMissing,
            other => panic!("unknown expectation {other:?}"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::WrongKey => "wrong key",
            Self::Damaged => "damaged",
            Self::Malformed => "malformed",
            Self::UnsupportedVersion => "unsupported version",
            Self::AttachmentAltered => "attachment altered",
            Self::AttachmentMissing => "attachment missing",
        }
    }

    fn of(result: &Result<sealform_core::bundle::Opened, OpenError>) -> Self {
        match result {
            Ok(_) => Self::Success,
            Err(OpenError::NotForThisKey { .. }) => Self::WrongKey,
            Err(OpenError::DecryptionFailed) => Self::Damaged,
            Err(OpenError::Malformed { .. }) => Self::Malformed,
            Err(OpenError::UnsupportedVersion { .. }) => Self::UnsupportedVersion,
            Err(OpenError::AttachmentAltered { .. }) => Self::AttachmentAltered,
            Err(OpenError::AttachmentCount { .. }) => Self::AttachmentMissing,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
}

struct Vector {
    name: String,
    expect: Expect,
    keys: Vec<String>,
    path: Option<String>,
    receipt: Option<String>,
    bundle: Vec<u8>,
}

fn read_vector(path: &Path) -> Vector {
    let vector = sealform_testkit::Vector::read(path);
    let field = |name: &str| vector.field(name).map(str::to_owned);
    Vector {
        name: path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        expect: Expect::parse(&field("expect").expect("expect: line")),
        keys: field("keys")
            .expect("keys: line")
            .split(", ")
            .map(str::to_owned)
            .collect(),
        path: field("path"),
        receipt: field("receipt"),
        bundle: vector.bundle,
    }
}

#[test]
fn every_vector_opens_as_its_header_says() {
    if std::env::var_os("SEALFORM_WRITE_VECTORS").is_some() {
        write_vectors();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir().join("vectors"))
        .expect("vector folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bundle"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "expected the full set of vectors, found {}",
        files.len()
    );
    let (submission, attachments) = sample();
    for file in files {
        let vector = read_vector(&file);
        for key_name in &vector.keys {
            for (backend, result) in open_with_every_backend(&key(key_name), &vector.bundle) {
                check(
                    &vector,
                    &format!("{key_name} ({backend})"),
                    result,
                    &submission,
                    &attachments,
                );
            }
        }
    }
}

/// Opens `bundle` with `identity` through each private-key backend core has: the `rsa` crate always, AWS-LC with
/// the `aws-lc` feature (the CLI's). Both must agree on every vector, failures included.
fn open_with_every_backend(
    identity: &Identity,
    bundle: &[u8],
) -> Vec<(
    &'static str,
    Result<sealform_core::bundle::Opened, OpenError>,
)> {
    #[allow(unused_mut)] // Pushed to only with the aws-lc feature.
    let mut results = vec![("rsa crate", open_one(identity.clone(), bundle))];
    #[cfg(feature = "aws-lc")]
    results.push((
        "aws-lc",
        open_one(
            sealform_core::key::AwsLcIdentity::new(identity).expect("AWS-LC takes the key"),
            bundle,
        ),
    ));
    results
}

fn open_one<K: KeyUnwrap>(
    identity: K,
    bundle: &[u8],
) -> Result<sealform_core::bundle::Opened, OpenError> {
    open(&[identity], bundle)
}

fn check(
    vector: &Vector,
    key_name: &str,
    result: Result<sealform_core::bundle::Opened, OpenError>,
    submission: &Submission,
    attachments: &[Attachment],
) {
    let found = Expect::of(&result);
    assert_eq!(
        found, vector.expect,
        "{} with key {key_name}: {result:?}",
        vector.name
    );
    match result {
        Ok(opened) => {
            assert_eq!(&opened.submission, submission, "{}", vector.name);
            assert_eq!(opened.attachments, attachments, "{}", vector.name);
            let receipt = vector
                .receipt
                .as_deref()
                .expect("success vectors state their receipt");
            assert_eq!(opened.receipt.full(), receipt, "{}", vector.name);
        }
        Err(OpenError::Malformed { path, .. }) => {
            let expected = vector
                .path
                .as_deref()
                .expect("malformed vectors state their path");
            assert_eq!(path, expected, "{}", vector.name);
        }
        Err(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the vectors
// ---------------------------------------------------------------------------------------------------------------

fn b64(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(bytes)
}

fn unb64(text: &Value) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::decode_vec(text.as_str().expect("string")).expect("base64url")
}

/// Flips the lowest bit of one byte of a base64url member.
fn flip(member: &mut Value, index: usize) {
    let mut bytes = unb64(member);
    bytes[index] ^= 1;
    *member = b64(&bytes).into();
}

fn write(
    name: &str,
    expect: Expect,
    keys: &str,
    note: &str,
    extra: &[(&str, String)],
    bundle: &[u8],
) {
    let mut text = format!(
        "# sealform test vector\nexpect: {}\nkeys: {keys}\nnote: {note}\n",
        expect.name()
    );
    for (name, value) in extra {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push('\n');
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(bundle);
    std::fs::write(data_dir().join(format!("vectors/{name}.bundle")), bytes).expect("write vector");
}

/// A change made to the valid bundle's JSON to derive a damaged vector.
type Edit<'a> = dyn Fn(&mut Value) + 'a;

fn write_vectors() {
    let (firm, backup) = (key("firm"), key("backup"));
    let recipients: Vec<Recipient> = vec![firm.recipient().clone(), backup.recipient().clone()];
    let (submission, attachments) = sample();
    let sealed = seal(&recipients, &submission, &attachments).expect("seal");
    let receipt = ReceiptId::of(&sealed.bytes).full();
    let valid: Value = serde_json::from_slice(&sealed.bytes).expect("json");
    let edited = |change: &dyn Fn(&mut Value)| {
        let mut copy = valid.clone();
        change(&mut copy);
        serde_json::to_vec(&copy).expect("json")
    };
    let header = |json: &str| Value::from(b64(json.as_bytes()));
    let malformed = |path: &str| vec![("path", path.to_owned())];
    use Expect::*;

    write(
        "valid",
        Success,
        "firm, backup",
        "two recipients, two attachments",
        &[("receipt", receipt)],
        &sealed.bytes,
    );
    write(
        "wrong-key",
        WrongKey,
        "stranger",
        "a valid bundle opened with a key it is not sealed for",
        &[],
        &sealed.bytes,
    );
    let damaged: [(&str, &str, &Edit<'_>); 7] = [
        ("damaged-ciphertext", "one bit flipped in the submission's ciphertext", &|v| flip(&mut v["submission"]["ciphertext"], 3)),
        ("damaged-tag", "one bit flipped in the submission's tag", &|v| flip(&mut v["submission"]["tag"], 15)),
        ("damaged-iv", "one bit flipped in the submission's IV", &|v| flip(&mut v["submission"]["iv"], 0)),
        ("damaged-encrypted-key", "one bit flipped in the firm's wrapped key", &|v| flip(&mut v["submission"]["recipients"][0]["encrypted_key"], 40)),
        ("damaged-attachment", "one bit flipped in an attachment's ciphertext", &|v| flip(&mut v["attachments"][1]["ciphertext"], 700)),
        ("altered-protected-header", "the protected header re-encoded with a space: same meaning, different AAD", &|v| v["submission"]["protected"] = b64(br#"{"enc":"A256GCM" }"#).into()),
        ("swapped-kids", "in every part, the two recipients' kids exchanged: each labels the other key's wrapped key", &|v| {
            let count = v["attachments"].as_array().expect("array").len();
            let paths = std::iter::once("/submission".to_owned()).chain((0..count).map(|i| format!("/attachments/{i}")));
            for path in paths {
                let recipients = &mut v.pointer_mut(&path).expect("part")["recipients"];
                let first = recipients[0]["header"]["kid"].clone();
                recipients[0]["header"]["kid"] = recipients[1]["header"]["kid"].clone();
                recipients[1]["header"]["kid"] = first;
            }
        }),
    ];
    for (name, note, change) in damaged {
        write(name, Damaged, "firm", note, &[], &edited(change));
    }
    let bad_shape: [(&str, &str, &str, &Edit<'_>); 10] = [
        (
            "alg-rsa1_5",
            "RSA1_5 (PKCS #1 v1.5) key wrapping",
            "submission.recipients[0].header.alg",
            &|v| v["submission"]["recipients"][0]["header"]["alg"] = "RSA1_5".into(),
        ),
        (
            "enc-a128gcm",
            "A128GCM content encryption",
            "submission.protected",
            &|v| v["submission"]["protected"] = header(r#"{"enc":"A128GCM"}"#),
        ),
        (
            "zip",
            "compressed content (zip: DEF)",
            "submission.protected",
            &|v| v["submission"]["protected"] = header(r#"{"enc":"A256GCM","zip":"DEF"}"#),
        ),
        (
            "crit",
            "a critical extension",
            "submission.protected",
            &|v| v["submission"]["protected"] = header(r#"{"enc":"A256GCM","crit":["exp"]}"#),
        ),
        ("iv-128-bits", "a 128-bit IV", "submission.iv", &|v| {
            v["submission"]["iv"] = b64(&[7; 16]).into()
        }),
        (
            "tag-96-bits",
            "a truncated 96-bit tag",
            "submission.tag",
            &|v| v["submission"]["tag"] = b64(&unb64(&v["submission"]["tag"])[..12]).into(),
        ),
        (
            "non-canonical-base64url",
            "the tag's last character with a spare bit set",
            "submission.tag",
            &|v| {
                let tag = v["submission"]["tag"].as_str().expect("tag").to_owned();
                let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let last = alphabet
                    .find(tag.chars().last().expect("char"))
                    .expect("in alphabet");
                let sloppy = alphabet.chars().nth(last | 1).expect("in alphabet");
                v["submission"]["tag"] = format!("{}{sloppy}", &tag[..tag.len() - 1]).into();
            },
        ),
        ("aad-member", "a JWE aad member", "submission.aad", &|v| {
            v["submission"]["aad"] = "eA".into()
        }),
        (
            "flattened-part",
            "a part in the flattened serialization",
            "submission.encrypted_key",
            &|v| {
                let entry = v["submission"]["recipients"][0].clone();
                let part = v["submission"].as_object_mut().expect("object");
                part.remove("recipients");
                part.insert("header".into(), entry["header"].clone());
                part.insert("encrypted_key".into(), entry["encrypted_key"].clone());
            },
        ),
        (
            "foreign-attachment-recipients",
            "an attachment sealed for other keys than the submission",
            "attachments[0].recipients",
            &|v| {
                v["attachments"][0]["recipients"] = json!([v["attachments"][0]["recipients"][1]]);
            },
        ),
    ];
    for (name, note, path, change) in bad_shape {
        write(
            name,
            Malformed,
            "firm",
            note,
            &malformed(path),
            &edited(change),
        );
    }
    let mut trailing = sealed.bytes.clone();
    trailing.extend_from_slice(b"\n{}");
    write(
        "trailing-data",
        Malformed,
        "firm",
        "a second JSON value after the bundle",
        &malformed("(top level)"),
        &trailing,
    );
    write(
        "version-2",
        UnsupportedVersion,
        "firm",
        "a bundle from a future sealform",
        &[],
        &edited(&|v| v["version"] = 2.into()),
    );
    write(
        "attachments-swapped",
        AttachmentAltered,
        "firm",
        "the two attachment parts in the other order",
        &[],
        &edited(&|v| {
            let parts = v["attachments"].as_array_mut().expect("array");
            parts.swap(0, 1);
        }),
    );
    write(
        "attachment-missing",
        AttachmentMissing,
        "firm",
        "the second attachment part removed",
        &[],
        &edited(&|v| {
            v["attachments"].as_array_mut().expect("array").pop();
        }),
    );
    let other = seal(
        &recipients,
        &submission,
        &[Attachment {
            bytes: b"another file".to_vec(),
            ..attachments[0].clone()
        }],
    )
    .expect("seal");
    let other: Value = serde_json::from_slice(&other.bytes).expect("json");
    write(
        "attachment-replaced",
        AttachmentAltered,
        "firm",
        "an attachment part taken from another bundle sealed to the same keys",
        &[],
        &edited(&|v| {
            v["attachments"][0] = other["attachments"][0].clone();
        }),
    );
}
