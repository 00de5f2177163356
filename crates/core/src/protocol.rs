//! The wire contract between the form, the receiver and the firm's CLI: the bundle's media type, the proof of work,
//! the JSON bodies of the API's answers, the pickup API ([`pickup`]) and the form's page ([`page`]). Every side builds on these, so a change to
//! the contract is a change here.
//!
//! `docs/RECEIVER.md` describes the routes, statuses and headers that carry them.

use serde::{Deserialize, Serialize};

pub mod draft;
pub mod page;
pub mod pickup;
pub mod pow;

/// The media type of a sealed bundle: the form posts it with this `Content-Type`, and offers a sealed copy to
/// download as this type. The receiver also accepts `application/json`, since a bundle is JSON.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.sealform.bundle+json";

/// The body of the 201 answer to `POST /api/submissions`: the bundle is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The full receipt: SHA-256 of the bundle, 64 hex digits.
    pub receipt: String,
    /// The form the client reads over the phone.
    pub short: String,
    /// When it was stored, RFC 3339 UTC.
    pub received_at: String,
}

/// The body of `GET /api/challenge`: a proof-of-work challenge (see [`pow`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The token to solve: opaque to the client, base64url (so it holds no `.`).
    pub challenge: String,
    /// How many leading zero bits the hash of the solved token must have.
    pub bits: u8,
    /// Seconds until the challenge expires.
    pub expires_in: u64,
}

/// The body of every refusal (any 4xx or 5xx from the API): a plain message for the form's developer, which the
/// form also shows to the client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// What went wrong and what to do.
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serialises `value`, checks the exact text, and reads it back to the same value.
    fn pinned<T>(value: &T, text: &str)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        assert_eq!(serde_json::to_string(value).unwrap(), text);
        assert_eq!(&serde_json::from_str::<T>(text).unwrap(), value);
    }

    #[test]
    fn the_receipt_body() {
        pinned(
            &Receipt {
                receipt: "9f2c".repeat(16),
                short: "T4WB-2JQX-3M5N-Q7RA".into(),
                received_at: "2026-11-22T10:15:00.123456Z".into(),
            },
            &format!(
                r#"{{"receipt":"{}","short":"T4WB-2JQX-3M5N-Q7RA","received_at":"2026-11-22T10:15:00.123456Z"}}"#,
                "9f2c".repeat(16)
            ),
        );
    }

    #[test]
    fn the_challenge_body() {
        pinned(
            &Challenge {
                challenge: "c2VhbGZvcm0".into(),
                bits: 18,
                expires_in: 300,
            },
            r#"{"challenge":"c2VhbGZvcm0","bits":18,"expires_in":300}"#,
        );
    }

    #[test]
    fn the_refusal_body() {
        pinned(
            &Refusal {
                error: "no such API route".into(),
            },
            r#"{"error":"no such API route"}"#,
        );
    }

    #[test]
    fn a_reader_skips_members_it_does_not_know() {
        // A receiver may say more in a later version; today's form must still read what it needs.
        let refusal: Refusal = serde_json::from_str(r#"{"error":"no","code":7}"#).unwrap();
        assert_eq!(refusal.error, "no");
    }
}
