//! Writes the seed corpora into `fuzz/corpus/`: real sealed bundles and parts for the firm's test key (so the
//! fuzzer starts past the strict parser and inside decryption and the sealed submission's checks), the form
//! configs the project ships, and a pickup query, acknowledgement, token and proof of work as the receiver gets
//! them. `fuzz/seed.sh` runs it; the corpora are not committed.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

use rand_core::OsRng;
use sealform_core::bundle::seal;
use sealform_core::envelope::seal_part;
use sealform_core::key::Recipient;
use sealform_core::protocol::pickup::{PickupToken, TOKEN_BYTES};
use sealform_core::protocol::pow;
use sealform_core::share::{Share, SET_LEN};
use sealform_core::{Answer, Answers, Attachment, Submission};

fn main() -> Result<(), Box<dyn Error>> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz.join("..");
    let firm = sealform_testkit::identity("firm");
    let backup = sealform_testkit::identity("backup");
    let stranger = sealform_testkit::identity("stranger");
    let for_firm = [firm.recipient().clone()];
    let for_firm_and_backup = [firm.recipient().clone(), backup.recipient().clone()];

    let bundles = fuzz.join("corpus/bundle");
    fs::create_dir_all(&bundles)?;
    let documents = attachments();
    let seeds: [(&str, &[Recipient], &[Attachment]); 4] = [
        ("firm-no-attachments", &for_firm, &[]),
        ("firm-two-attachments", &for_firm, &documents),
        ("firm-and-backup", &for_firm_and_backup, &documents[..1]),
        ("stranger-only", &[stranger.recipient().clone()], &[]),
    ];
    // `inspect` starts from the same bundles, one of them written out as another JOSE library might.
    let inspected = fuzz.join("corpus/inspect");
    fs::create_dir_all(&inspected)?;
    for (name, recipients, attachments) in seeds {
        let sealed = seal(recipients, &submission(attachments), attachments)?;
        fs::write(bundles.join(format!("{name}.json")), &sealed.bytes)?;
        fs::write(inspected.join(format!("{name}.json")), &sealed.bytes)?;
    }
    let sealed = seal(&for_firm, &submission(&documents[..1]), &documents[..1])?;
    let value: serde_json::Value = serde_json::from_slice(&sealed.bytes)?;
    fs::write(
        inspected.join("pretty-printed.json"),
        serde_json::to_vec_pretty(&value)?,
    )?;

    let receipt = sealed.receipt.full();
    write_seeds(
        &fuzz.join("corpus/pickup"),
        &[
            ("inbox-first-page", ""),
            ("inbox-after", "after=17&limit=100&state=uncollected"),
            ("inbox-all", "state=all&limit=1000"),
            ("ack", &format!(r#"{{"receipts":["{receipt}"]}}"#)),
            (
                "ack-two",
                &format!(r#"{{"receipts":["{receipt}","{receipt}"]}}"#),
            ),
        ],
    )?;

    let token = PickupToken::from_random(&[7; TOKEN_BYTES]);
    let hash = token.hash();
    let challenge = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let solution = pow::solve(challenge, 8);
    write_seeds(
        &fuzz.join("corpus/headers"),
        &[
            ("token", &format!("{}\n", token.expose())),
            ("allowed-collect", &hash.to_string()),
            ("allowed-read", &format!("{hash}:read")),
            ("pow", &format!("{challenge}.{solution}")),
        ],
    )?;

    let envelopes = fuzz.join("corpus/envelope");
    fs::create_dir_all(&envelopes)?;
    for (name, recipients, plaintext) in [
        ("firm", &for_firm[..], &b"{\"version\":1}"[..]),
        ("firm-and-backup-empty", &for_firm_and_backup[..], &b""[..]),
    ] {
        let part = seal_part(recipients, plaintext, &mut OsRng)?;
        fs::write(envelopes.join(format!("{name}.json")), part.to_json())?;
    }

    let configs = fuzz.join("corpus/config");
    fs::create_dir_all(&configs)?;
    for entry in fs::read_dir(repo.join("crates/core/templates"))? {
        let path = entry?.path();
        if let (Some(name), Some("json")) =
            (path.file_name(), path.extension().and_then(|e| e.to_str()))
        {
            fs::copy(&path, configs.join(name))?;
        }
    }
    // The default template has no recipients, so only `Template` accepts it; the same form with the firm's key
    // added is what `FormSchema` reads, and gets the fuzzer past the recipients rule.
    let (template, _) = sealform_testkit::legal_intake();
    let schema = template.with_recipients([firm.recipient().clone()])?;
    fs::write(
        configs.join("legal-intake-with-firm-key.json"),
        serde_json::to_vec_pretty(&schema)?,
    )?;

    // A recovery share of the firm's key, as a sheet and as a QR code's line (made-up values: the format does not
    // care what was split).
    let values = (1..=3u8)
        .map(|i| (i, zeroize::Zeroizing::new(vec![i; 128])))
        .collect();
    let shares = Share::set_of(2, [7; SET_LEN], firm.recipient(), values)?;
    write_seeds(
        &fuzz.join("corpus/share"),
        &[
            ("sheet", shares[0].to_lines().as_str()),
            ("one-line", shares[1].to_compact().as_str()),
        ],
    )?;
    Ok(())
}

/// Writes each `(name, text)` as the file `name` in `folder`.
fn write_seeds(folder: &Path, seeds: &[(&str, &str)]) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(folder)?;
    for (name, text) in seeds {
        fs::write(folder.join(name), text)?;
    }
    Ok(())
}

/// A submission with answers of every shape, so mutations of the opened JSON reach each, listing `attachments`.
fn submission(attachments: &[Attachment]) -> Submission {
    let mut answers = Answers::default();
    answers.insert("full_name", Answer::Text("Zoë Ñúñez 王秀英".into()));
    answers.insert("email", Answer::Text("zoe@example.com".into()));
    answers.insert("voicemail_ok", Answer::Flag(false));
    answers.insert(
        "contact_by",
        Answer::Choices(vec!["email".into(), "sms".into()]),
    );
    answers.insert(
        "others",
        Answer::Rows(vec![
            [("name".to_owned(), Answer::Text("Ann".into()))].into()
        ]),
    );
    sealform_testkit::legal_intake_submission(
        answers,
        attachments,
        "5f0c2a8e-4b1d-4c8e-9a7b-2e3f4a5b6c7d",
    )
}

fn attachments() -> Vec<Attachment> {
    vec![
        Attachment {
            field: "documents".into(),
            name: "letter.txt".into(),
            media_type: "text/plain".into(),
            bytes: b"Dear Sir or Madam,\n".to_vec(),
        },
        Attachment {
            field: "documents".into(),
            name: "scan.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: (0..300u32).map(|i| (i * 7 % 251) as u8).collect(),
        },
    ]
}
