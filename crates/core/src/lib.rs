//! sealform's core: everything both the browser form and the firm's CLI must agree on, written once.
//!
//! (crate docs are written at the end)
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod answers;
mod base64url;
pub mod bundle;
pub mod consent;
pub mod digest;
pub mod envelope;
pub mod key;
pub mod schema;
pub mod submission;
pub mod validate;

#[cfg(test)]
mod bundle_properties;
#[cfg(test)]
mod test_keys;
#[cfg(test)]
mod test_support;

pub use answers::{Answer, Answers};
pub use digest::Sha256Digest;
pub use submission::{Attachment, AttachmentInfo, FormRef, Submission};
