//! The files a client attaches: each one's description, which the submission lists and the answer rules read, and
//! its bytes, which the bundle seals as a part of its own.

use serde::{Deserialize, Serialize};

use crate::digest::Sha256Digest;

/// What the submission says about one attachment; the bundle holds its sealed bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInfo {
    /// The id of the file field it was attached to.
    pub field: String,
    /// The file name as the client's browser gave it (untrusted: make it safe before writing to disk).
    pub name: String,
    /// The media type as the client's browser gave it (untrusted).
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file's bytes.
    pub sha256: Sha256Digest,
}

/// A file the client attached: its description and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The id of the file field it was attached to.
    pub field: String,
    /// The file name as the client's browser gave it.
    pub name: String,
    /// The media type as the client's browser gave it.
    pub media_type: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// The description that goes into [`Submission::attachments`](crate::Submission::attachments).
    pub fn info(&self) -> AttachmentInfo {
        AttachmentInfo {
            field: self.field.clone(),
            name: self.name.clone(),
            media_type: self.media_type.clone(),
            size: self.bytes.len() as u64,
            sha256: Sha256Digest::of(&self.bytes),
        }
    }
}

impl std::fmt::Debug for Attachment {
    // Never print the bytes: they are the client's confidential document.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("field", &self.field)
            .field("name", &self.name)
            .field("media_type", &self.media_type)
            .field("size", &self.bytes.len())
            .finish_non_exhaustive()
    }
}
