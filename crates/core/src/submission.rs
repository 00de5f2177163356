//! The sealed answers document: what the firm reads after opening a bundle.
//! It is versioned, names the exact form it was filled against, and lists every attachment with its digest, so a
//! missing, swapped or altered attachment part is detected when the bundle is opened.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::answers::Answers;
use crate::consent::ConsentRecord;
use crate::digest::Sha256Digest;
use crate::schema::FormSchema;

// Defined below this module (with the bundle's numbers, and the attachment types used by the rules below it);
// these paths are kept for callers.
pub use crate::attachment::{Attachment, AttachmentInfo};
pub use crate::format::SUBMISSION_VERSION;

/// Everything the client submitted except the attachment bytes: sealed as the bundle's first part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Document version; always [`SUBMISSION_VERSION`] when written by this crate.
    pub version: u32,
    /// A random id chosen in the browser (UUID v4); also the consent receipt id.
    pub submission_id: String,
    /// Which form, at which version, the answers were given to.
    pub form: FormRef,
    /// The client's clock at submission, RFC 3339 (e.g. `2026-11-22T10:15:00Z`). Informational: the client's clock
    /// may be wrong.
    pub submitted_at: String,
    /// The answers, by field id.
    pub answers: Answers,
    /// What the client was shown and agreed to.
    pub consent: ConsentRecord,
    /// One entry per attachment part of the bundle, in the same order.
    pub attachments: Vec<AttachmentInfo>,
}

impl Submission {
    /// The document for `answers` given to `schema`: the form reference and the consent record of what was shown
    /// and which consents (by id) were `given`.
    ///
    /// `schema_sha256` is the SHA-256 of the exact schema file bytes the form was rendered from; `submission_id` is
    /// random (UUID v4) and `submitted_at` RFC 3339, both from the caller, since core has no clock or I/O.
    pub fn new(
        schema: &FormSchema,
        schema_sha256: Sha256Digest,
        answers: Answers,
        attachments: Vec<AttachmentInfo>,
        given: &BTreeSet<String>,
        submission_id: &str,
        submitted_at: &str,
    ) -> Self {
        let consent = ConsentRecord::new(
            schema,
            &answers,
            &attachments,
            given,
            submission_id,
            submitted_at,
        );
        Self {
            version: SUBMISSION_VERSION,
            submission_id: submission_id.to_owned(),
            form: FormRef {
                id: schema.id.clone(),
                version: schema.version.clone(),
                schema_sha256,
            },
            submitted_at: submitted_at.to_owned(),
            answers,
            consent,
            attachments,
        }
    }
}

/// Identifies the form definition a submission was filled against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRef {
    /// The schema's `id`.
    pub id: String,
    /// The schema's `version`.
    pub version: String,
    /// SHA-256 of the exact schema file bytes the form was rendered from.
    pub schema_sha256: Sha256Digest,
}
