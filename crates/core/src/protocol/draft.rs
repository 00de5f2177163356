//! The drafts API: how the form keeps a client's unfinished answers at the receiver, sealed in the browser to a
//! key the receiver never sees ([`crate::draft`] has the draft itself and its key).
//!
//! - `POST DRAFTS_PATH` with [`DraftUpload`] and the [`SECRET_HEADER`]: stores a new draft, answers 201 with
//!   [`DraftSaved`] (the id the receiver chose, and when the draft expires).
//! - `GET DRAFTS_PATH/{id}`: 200 with [`StoredDraft`], or 404 once it was deleted or has expired.
//! - `PUT DRAFTS_PATH/{id}` with [`DraftUpload`] and the secret: replaces it (saving again keeps the client's link)
//!   and starts its expiry again; 200 with [`DraftSaved`].
//! - `DELETE DRAFTS_PATH/{id}` with the secret: 204. The form does this once the final submission is stored.
//!
//! A wrong secret is 403, a draft too large 413, a body that is not a draft 400; every refusal is a
//! [`super::Refusal`]. The receiver keeps only the secret's SHA-256.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::digest::Sha256Digest;

/// The drafts' routes: `POST` here, then `GET`, `PUT` and `DELETE` on [`draft_path`].
pub const DRAFTS_PATH: &str = "/api/drafts";

/// The header that carries a draft's [`DraftSecret`] on `POST`, `PUT` and `DELETE`.
pub const SECRET_HEADER: &str = "Sealform-Draft-Secret";

/// The header on the config's response that says the receiver keeps drafts, and for how many days. Without it
/// the form offers only "Download your draft".
pub const DAYS_HEADER: &str = "Sealform-Draft-Days";

/// How long a receiver keeps a draft when its firm does not say: 30 days.
pub const DEFAULT_DAYS: u32 = 30;

/// The largest sealed draft a receiver takes when its firm does not say: 512 KiB, some fifty times the default
/// form's answers typed at length (files are never in a draft, only their names).
pub const DEFAULT_MAX_BYTES: usize = 512 * 1024;

/// The path of one draft.
pub fn draft_path(id: &DraftId) -> String {
    format!("{DRAFTS_PATH}/{id}")
}

/// Random bytes in a draft id: 128 bits, which nobody guesses.
pub const ID_BYTES: usize = 16;

/// A draft's id, chosen by the receiver: 128 random bits in base64url (22 characters). Public: it names a
/// ciphertext, and opens nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DraftId([u8; ID_BYTES]);

impl DraftId {
    /// An id from random bytes the caller drew from the operating system.
    pub fn from_random(bytes: [u8; ID_BYTES]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for DraftId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::base64url::encode(&self.0))
    }
}

impl fmt::Debug for DraftId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DraftId({self})")
    }
}

/// The text is not a draft id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a draft id: a draft id is 22 base64url characters")]
pub struct DraftIdError;

impl FromStr for DraftId {
    type Err = DraftIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = crate::base64url::decode(s).map_err(|_| DraftIdError)?;
        Ok(Self(bytes.try_into().map_err(|_| DraftIdError)?))
    }
}

impl Serialize for DraftId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DraftId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The capability to replace or delete a draft: 256 bits in base64url, derived from the draft's key
/// ([`crate::draft::DraftKey::secret`]), so whoever holds the resume link holds it too, and the receiver, which
/// keeps only its [`hash`](Self::hash), can neither use it nor learn the key from it. Wiped from memory when
/// dropped.
pub struct DraftSecret(Zeroizing<String>);

impl DraftSecret {
    /// The secret of 32 bytes derived by the caller.
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(Zeroizing::new(crate::base64url::encode(bytes)))
    }

    /// Reads the secret as sent in [`SECRET_HEADER`].
    pub fn parse(text: &str) -> Result<Self, DraftSecretError> {
        let decoded = Zeroizing::new(crate::base64url::decode(text).map_err(|_| DraftSecretError)?);
        if decoded.len() != 32 {
            return Err(DraftSecretError);
        }
        Ok(Self(Zeroizing::new(text.to_owned())))
    }

    /// The text for [`SECRET_HEADER`].
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the secret's text: all the receiver keeps.
    pub fn hash(&self) -> Sha256Digest {
        Sha256Digest::of(self.0.as_bytes())
    }
}

impl fmt::Debug for DraftSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DraftSecret(…)")
    }
}

/// The header's text is not a draft secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the {SECRET_HEADER} header is not a draft secret: it is 43 base64url characters")]
pub struct DraftSecretError;

/// The body of `POST` and `PUT`: the sealed draft, a JWE in compact serialization ([`crate::draft`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftUpload {
    /// The sealed draft.
    pub draft: String,
}

/// The answer to `POST` (201) and `PUT` (200): the draft is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSaved {
    /// Its id, for the resume link.
    pub id: DraftId,
    /// When the receiver deletes it, RFC 3339 UTC.
    pub expires_at: String,
}

/// The answer to `GET`: the sealed draft as it was uploaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDraft {
    /// The sealed draft.
    pub draft: String,
    /// When the receiver deletes it, RFC 3339 UTC.
    pub expires_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_back_and_refuses_other_lengths() {
        let id = DraftId::from_random([7; ID_BYTES]);
        let text = id.to_string();
        assert_eq!(text.len(), 22);
        assert_eq!(text.parse::<DraftId>(), Ok(id));
        assert_eq!(draft_path(&id), format!("/api/drafts/{text}"));
        assert!("AAAA".parse::<DraftId>().is_err());
        assert!(format!("{text}A").parse::<DraftId>().is_err());
        assert!("not/an/id".parse::<DraftId>().is_err());
    }

    #[test]
    fn a_secret_is_kept_as_its_hash_and_never_printed() {
        let secret = DraftSecret::from_bytes(&[9; 32]);
        let again = DraftSecret::parse(secret.expose()).unwrap();
        assert_eq!(again.hash(), secret.hash());
        assert_eq!(secret.hash(), Sha256Digest::of(secret.expose().as_bytes()));
        assert!(!format!("{secret:?}").contains(secret.expose()));
        assert!(DraftSecret::parse("short").is_err());
        assert!(DraftSecret::parse(&"A".repeat(44)).is_err());
    }

    #[test]
    fn the_bodies() {
        let id = DraftId::from_random([0; ID_BYTES]);
        let saved = DraftSaved {
            id,
            expires_at: "2027-01-06T10:15:00Z".into(),
        };
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(
            text,
            r#"{"id":"AAAAAAAAAAAAAAAAAAAAAA","expires_at":"2027-01-06T10:15:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<DraftSaved>(&text).unwrap(), saved);
        assert!(serde_json::from_str::<DraftUpload>(r#"{"draft":"x","more":1}"#).is_err());
    }
}
