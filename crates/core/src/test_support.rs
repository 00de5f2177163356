//! Sample submissions for tests across the crate.

use std::collections::BTreeSet;

use crate::answers::{Answer, Answers};
use crate::attachment::Attachment;
use crate::digest::Sha256Digest;
use crate::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use crate::submission::Submission;

/// A small submission with unicode answers and no attachments.
pub(crate) fn sample_submission() -> Submission {
    sample_submission_with(&[])
}

/// [`sample_submission`] listing `attachments`, as the form lists the files picked.
pub(crate) fn sample_submission_with(attachments: &[Attachment]) -> Submission {
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
    let template =
        Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).expect("the shipped template parses");
    let schema = template.schema();
    let given: BTreeSet<String> = schema.consents.iter().map(|item| item.id.clone()).collect();
    Submission::new(
        schema,
        Sha256Digest::of(LEGAL_INTAKE_TEMPLATE.as_bytes()),
        answers,
        attachments.iter().map(Attachment::info).collect(),
        &given,
        "5f0c2a8e-4b1d-4c8e-9a7b-2e3f4a5b6c7d",
        "2026-11-22T10:15:00Z",
    )
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
