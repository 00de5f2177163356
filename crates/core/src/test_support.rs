//! Sample submissions for tests across the crate.

use crate::answers::{Answer, Answers};
use std::collections::BTreeSet;

use crate::consent::ConsentRecord;
use crate::digest::Sha256Digest;
use crate::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use crate::submission::{Attachment, FormRef, Submission, SUBMISSION_VERSION};

/// A small submission with unicode answers and no attachments listed (sealing lists them).
pub(crate) fn sample_submission() -> Submission {
    let mut answers = Answers::default();
    answers.insert(
        "full_name",
        Answer::Text("Zoë Ñúñez 王秀英 🙂 مرحبا".into()),
    );
    answers.insert("email", Answer::Text("zoe@example.com".into()));
    answers.insert("voicemail_ok", Answer::Flag(false));
    answers.insert(
        "contact_by",
        Answer::Choices(vec!["email".into(), "sms".into()]),
    );
    let submission_id = "5f0c2a8e-4b1d-4c8e-9a7b-2e3f4a5b6c7d";
    let submitted_at = "2026-11-22T10:15:00Z";
    let template =
        Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).expect("the shipped template parses");
    let given: BTreeSet<String> = template
        .schema()
        .consents
        .iter()
        .map(|item| item.id.clone())
        .collect();
    let consent = ConsentRecord::new(
        template.schema(),
        &answers,
        &[],
        &given,
        submission_id,
        submitted_at,
    );
    Submission {
        version: SUBMISSION_VERSION,
        submission_id: submission_id.into(),
        form: FormRef {
            id: "legal-intake".into(),
            version: "1".into(),
            schema_sha256: Sha256Digest::of(b"schema"),
        },
        submitted_at: submitted_at.into(),
        answers,
        consent,
        attachments: Vec::new(),
    }
}

/// Two attachments: a short text file and a binary one.
pub(crate) fn sample_attachments() -> Vec<Attachment> {
    vec![
        Attachment {
            field: "documents".into(),
            name: "letter.txt".into(),
            media_type: "text/plain".into(),
            bytes: b"Dear Sir or Madam,\n\n"
                .to_vec()
                .into_iter()
                .chain(*b"!")
                .collect(),
        },
        Attachment {
            field: "documents".into(),
            name: "scan.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: (0..3000u32).map(|i| (i * 7 % 251) as u8).collect(),
        },
    ]
}
