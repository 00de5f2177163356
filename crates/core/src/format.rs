//! The format's numbers: the versions written and read, and the bounds a bundle must keep. Named once, at the
//! bottom, so the sealing and opening code and the errors that quote them all import them from here.

/// The bundle format version this crate writes and reads.
pub const BUNDLE_VERSION: u32 = 1;
/// The version of the submission document this crate writes and reads.
pub const SUBMISSION_VERSION: u32 = 1;
/// The most attachments one bundle may carry; a schema's own limit is normally far lower.
pub const MAX_ATTACHMENTS: usize = 100;
/// The most recipients one part may have. A firm needs two or three (its key and backup keys); the bound keeps a
/// hostile part from making the receiver or the CLI do unbounded work.
pub const MAX_RECIPIENTS: usize = 16;
