//! Fixtures for sealform's own tests, fuzz seeds and benchmarks, written once: the sample submission as the form
//! would make it, core's test keys, and core's test vectors (`crates/core/tests/data`). Never a dependency of what
//! ships. Helpers panic with a message on a broken fixture, as test code does.

#![allow(clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sealform_core::answers::Answers;
use sealform_core::attachment::Attachment;
use sealform_core::key::Identity;
use sealform_core::schema::{FormSchema, Template, LEGAL_INTAKE_TEMPLATE};
use sealform_core::{Sha256Digest, Submission};

/// The client's clock in every sample submission.
pub const SUBMITTED_AT: &str = "2026-11-22T09:30:00Z";

/// The shipped legal-intake template (no recipients yet) and the SHA-256 of its file, which a submission names.
pub fn legal_intake() -> (Template, Sha256Digest) {
    let template =
        Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).expect("the shipped template parses");
    (template, Sha256Digest::of(LEGAL_INTAKE_TEMPLATE.as_bytes()))
}

/// The shipped legal-intake template sealed to core's `firm` test key: the form definition as a firm serves it.
pub fn legal_intake_schema() -> FormSchema {
    let (template, _) = legal_intake();
    template
        .with_recipients([identity("firm").recipient().clone()])
        .expect("the template takes the firm's key")
}

/// A submission as the form makes one: `answers` to `schema` (whose file has SHA-256 `schema_sha256`), every
/// consent given, `attachments` listed in order — so the consent record's data categories and the list are of
/// exactly the files that will be sealed with it — sent at [`SUBMITTED_AT`].
pub fn submission(
    schema: &FormSchema,
    schema_sha256: Sha256Digest,
    answers: Answers,
    attachments: &[Attachment],
    submission_id: &str,
) -> Submission {
    let given: BTreeSet<String> = schema.consents.iter().map(|item| item.id.clone()).collect();
    Submission::new(
        schema,
        schema_sha256,
        answers,
        attachments.iter().map(Attachment::info).collect(),
        &given,
        submission_id,
        SUBMITTED_AT,
    )
}

/// [`submission`] to the shipped legal-intake template.
pub fn legal_intake_submission(
    answers: Answers,
    attachments: &[Attachment],
    submission_id: &str,
) -> Submission {
    let (template, digest) = legal_intake();
    submission(
        template.schema(),
        digest,
        answers,
        attachments,
        submission_id,
    )
}

/// Core's test data folder: `keys/`, `vectors/` and `schemas/`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data")
}

/// Core's test key `name` (`firm`, `backup` or `stranger`), unencrypted PKCS#8.
pub fn identity(name: &str) -> Identity {
    let path = data_dir().join(format!("keys/{name}.pem"));
    let pem = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("test key {}: {e}", path.display()));
    Identity::from_pkcs8_pem(&pem, None).expect("test key parses")
}

/// One of core's test vectors: a header of `name: value` lines (what opening it must give), a blank line, then
/// the bundle's exact bytes.
#[derive(Clone, Debug)]
pub struct Vector {
    /// The header, without the blank line.
    pub header: String,
    /// The bundle.
    pub bundle: Vec<u8>,
}

impl Vector {
    /// The vector named `name` in core's `vectors/` (`valid`, `damaged-ciphertext`, …).
    pub fn named(name: &str) -> Self {
        Self::read(&data_dir().join(format!("vectors/{name}.bundle")))
    }

    /// The vector in the file at `path`.
    pub fn read(path: &Path) -> Self {
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("test vector {}: {e}", path.display()));
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .expect("a vector's header ends with a blank line");
        let header = String::from_utf8(bytes[..split].to_vec()).expect("the header is UTF-8");
        Self {
            header,
            bundle: bytes[split + 2..].to_vec(),
        }
    }

    /// The value of the header line `name: value`, if there is one.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.header
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_valid_vector_reads_and_names_its_keys() {
        let vector = Vector::named("valid");
        assert_eq!(vector.field("expect"), Some("success"));
        assert_eq!(vector.field("keys"), Some("firm, backup"));
        assert_eq!(vector.field("missing"), None);
        assert!(vector.bundle.starts_with(b"{"));
    }

    #[test]
    fn a_sample_submission_lists_its_attachments() {
        let file = Attachment {
            field: "documents_upload".into(),
            name: "a.txt".into(),
            media_type: "text/plain".into(),
            bytes: b"a".to_vec(),
        };
        let submission =
            legal_intake_submission(Answers::default(), std::slice::from_ref(&file), "id-1");
        assert_eq!(submission.attachments, [file.info()]);
        assert_eq!(submission.submitted_at, SUBMITTED_AT);
        assert!(submission.consent.purposes.iter().all(|p| p.given));
    }
}
