//! sealform's core: everything the browser form and the firm's CLI must agree on, written once — the sealed
//! envelope, keys, the form schema, validation and the consent record. No I/O, no UI; builds for wasm32 and native.
//!
//! A client's answers are sealed for the firm's public key ([`key::Recipient`]) into a bundle of standard JWE
//! parts ([`bundle::seal`]); only the firm's private key ([`key::Identity`]) opens it ([`bundle::open`]), which
//! verifies every part and every attachment or returns one clear error and nothing else.
//!
//! ```
//! use sealform_core::bundle::{open, seal};
//! use sealform_core::key::Identity;
//! # use sealform_core::{schema::{Template, LEGAL_INTAKE_TEMPLATE}, *};
//! # let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())?;
//! # let mut answers = Answers::default();
//! # answers.insert("full_name", Answer::Text("Zoë Adeyemi".into()));
//! # let digest = Sha256Digest::of(LEGAL_INTAKE_TEMPLATE.as_bytes());
//! # let given = Default::default();
//! # let submission = Submission::new(template.schema(), digest, answers, vec![], &given, "id-1", "2026-11-22T10:00:00Z");
//! # let firm = Identity::from_pkcs8_pem(include_str!("../tests/data/keys/firm.pem"), None)?;
//! // In the browser: seal for the firm's public key(s).
//! let sealed = seal(&[firm.recipient().clone()], &submission, &[])?;
//! println!("receipt {}", sealed.receipt.short());
//!
//! // At the firm, offline: open with the private key.
//! let opened = open(&[firm], &sealed.bytes)?;
//! assert_eq!(opened.submission.answers, submission.answers);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The format is specified byte for byte in `docs/FORMAT.md`. What the form and the receiver say to each other over
//! HTTP — the bundle's media type, the proof of work, the JSON answers — is [`protocol`].
//! # Features
//! - `open` (default): the private-key half, [`key::Identity`] and [`bundle::open`], and the recovery shares of a
//!   private key (`share`). The browser form and the receiver are built without it, so neither contains code that
//!   could use a private key.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod answers;
pub mod attachment;
pub mod audit;
mod base64url;
pub mod bundle;
pub mod consent;
mod contact;
pub mod digest;
pub mod draft;
pub mod envelope;
pub mod error;
pub mod format;
pub mod i18n;
mod json;
pub mod key;
pub mod origin;
pub mod protocol;
pub mod schema;
#[cfg(feature = "open")]
pub mod share;
pub mod submission;
pub mod validate;

#[cfg(test)]
#[cfg(feature = "open")]
mod bundle_properties;
#[cfg(test)]
#[cfg(feature = "open")]
mod test_keys;
#[cfg(test)]
#[cfg(feature = "open")]
mod test_support;

pub use answers::{Answer, Answers};
pub use attachment::{Attachment, AttachmentInfo};
pub use consent::ConsentRecord;
pub use digest::Sha256Digest;
pub use schema::{Field, FieldKind, FormSchema, SchemaError, Template};
pub use submission::{FormRef, Submission};
pub use validate::{validate, FieldError};
