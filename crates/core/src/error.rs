//! The errors of sealing and opening, one enum per operation. They sit below every module that returns them
//! (`envelope` for one part, `bundle` for the whole), so those modules import them from here and never from each other.

use crate::format::{BUNDLE_VERSION, MAX_ATTACHMENTS, MAX_RECIPIENTS, SUBMISSION_VERSION};
use crate::key::{KeyError, Kid};

/// Why a submission could not be sealed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// There was no recipient to seal for.
    #[error("there is no recipient key to seal for")]
    NoRecipients,
    /// More recipients than a part may have.
    #[error("{count} recipient keys; at most {MAX_RECIPIENTS} are allowed")]
    TooManyRecipients {
        /// How many were given.
        count: usize,
    },
    /// The same key was given twice.
    #[error("the recipient key {kid} is listed twice")]
    DuplicateRecipient {
        /// The repeated key id.
        kid: Kid,
    },
    /// More attachments than a bundle may carry.
    #[error("{count} attachments; at most {MAX_ATTACHMENTS} are allowed")]
    TooManyAttachments {
        /// How many were given.
        count: usize,
    },
    /// The submission document's attachment list is not the attachments being sealed (how many, their sizes, or,
    /// for core's own sealing, their names, types and digests). Build the submission with
    /// [`Submission::new`](crate::submission::Submission::new) from the same files.
    #[error("the submission lists other attachments than the ones being sealed")]
    AttachmentsDisagree,
    /// The submission document does not say the version this crate writes.
    #[error("the submission document has version {found}; this sealform writes version {SUBMISSION_VERSION}")]
    WrongSubmissionVersion {
        /// The version found.
        found: u32,
    },
    /// Wrapping the content key for a recipient failed.
    #[error("could not wrap the content key: {0}")]
    Key(#[from] KeyError),
    /// Content keys wrapped outside core (the browser's SubtleCrypto) are not one per recipient, each as long as
    /// that recipient's modulus, as RSA-OAEP-256 gives.
    #[error("the wrapped content keys do not match the recipient keys")]
    WrappedKeys,
    /// The content could not be made into a part: the submission document could not be written as JSON, or
    /// AES-GCM refused the key or the content (over the 64 GiB it allows). The browser form also reports a failed
    /// WebCrypto call, or a failure writing the bundle, this way. None of these happens to a submission the form
    /// accepts.
    #[error("could not encrypt the content")]
    Encryption,
}

/// Why a bundle could not be opened. Nothing of the content is ever returned with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The bytes are not a well-formed bundle; `path` says where.
    #[error("not a well-formed sealform bundle: at {path}: {problem}")]
    Malformed {
        /// Where in the JSON document the problem is: its JSON path with the `json-paths` feature (e.g.
        /// `attachments[1].iv`); without it, only the document (`(top level)` for the bundle, `submission (opened)`
        /// for the sealed answers), and the problem gives the line and column.
        path: String,
        /// What is wrong there.
        problem: String,
    },
    /// The bundle (or the sealed document inside it) has a version this sealform does not read.
    #[error("unsupported format version {found} (this sealform reads version {BUNDLE_VERSION}): update sealform")]
    UnsupportedVersion {
        /// The version found.
        found: String,
    },
    /// None of the keys given is one the bundle is sealed for.
    #[error(
        "not sealed for this key (sealed for: {}; you hold: {})",
        list(sealed_for),
        list(you_hold)
    )]
    NotForThisKey {
        /// The key ids the bundle is sealed for.
        sealed_for: Vec<Kid>,
        /// The key ids of the keys given.
        you_hold: Vec<Kid>,
    },
    /// A sealed part failed to decrypt: it was damaged or tampered with. Every cryptographic failure gives this
    /// same error, on purpose.
    #[error("damaged or tampered: the bundle does not decrypt with this key")]
    DecryptionFailed,
    /// The submission lists a different number of attachments than the bundle carries.
    #[error("attachment missing or extra: the submission lists {listed} attachments, the bundle carries {carried}")]
    AttachmentCount {
        /// How many the sealed submission lists.
        listed: usize,
        /// How many attachment parts the bundle has.
        carried: usize,
    },
    /// An attachment part decrypted, but is not the file the submission describes (swapped or altered).
    #[error(
        "attachment {} ({name:?}) was altered or swapped: its size or SHA-256 does not match the submission",
        index + 1
    )]
    AttachmentAltered {
        /// Its position in the bundle, counting from 0 (the message counts from 1).
        index: usize,
        /// The file name the submission gives for it.
        name: String,
    },
}

fn list(kids: &[Kid]) -> String {
    if kids.is_empty() {
        return "no key".into();
    }
    kids.iter().map(Kid::as_str).collect::<Vec<_>>().join(", ")
}
