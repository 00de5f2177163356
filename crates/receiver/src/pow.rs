//! Optional proof of work (`--pow-bits N`): before posting, a client fetches a challenge and finds a solution
//! whose SHA-256 has N leading zero bits, the rule in [`sealform_core::protocol::pow`]. Here: issuing and checking.
//!
//! A challenge is `base64url(nonce ‖ expiry ‖ HMAC-SHA256(key, nonce ‖ expiry))` with a random key per process, so
//! the server keeps no state for challenges it hands out, only for those spent (until they expire).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding as _};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac as _};
use rand_core::{OsRng, RngCore as _};
use sealform_core::protocol::pow::Token;
use sealform_core::protocol::Challenge;
use sha2::Sha256;

use crate::config::PowSettings;

const NONCE_LEN: usize = 16;
const EXPIRY_LEN: usize = 8;
const MAC_LEN: usize = 32;
const TOKEN_LEN: usize = NONCE_LEN + EXPIRY_LEN + MAC_LEN;
/// How often, at most, spent challenges that have expired are forgotten.
const PURGE_EVERY: Duration = Duration::from_secs(1);

type HmacSha256 = Hmac<Sha256>;

/// Why a proof of work was refused (403). The messages are for the form's developer.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PowError {
    /// No `Sealform-Pow` header.
    #[error(
        "this receiver asks for proof of work: GET /api/challenge, solve it, and send the header Sealform-Pow: \
         <challenge>.<solution>"
    )]
    Missing,
    /// The header is not `<challenge>.<solution>`, or the challenge is not one of ours.
    #[error("the Sealform-Pow header is not a challenge this receiver issued, followed by '.' and a solution")]
    Invalid,
    /// The challenge has expired.
    #[error("the proof-of-work challenge has expired: GET /api/challenge for a new one")]
    Expired,
    /// The challenge was already used.
    #[error("the proof-of-work challenge was already used: GET /api/challenge for a new one for each submission")]
    Reused,
    /// The solution does not have enough leading zero bits.
    #[error("the proof-of-work solution is wrong: SHA-256 of \"<challenge>.<solution>\" must start with {bits} zero bits")]
    Wrong {
        /// The bits asked for.
        bits: u8,
    },
}

/// Issues and checks challenges.
#[derive(Debug)]
pub(crate) struct Pow {
    settings: PowSettings,
    /// SHA-256's block size: HMAC uses such a key as it is.
    key: [u8; 64],
    spent: Mutex<Spent>,
}

#[derive(Debug)]
struct Spent {
    /// Nonce → expiry (ms since the epoch) of each challenge used and not yet expired.
    nonces: HashMap<[u8; NONCE_LEN], u64>,
    last_purge: u64,
}

impl Pow {
    pub(crate) fn new(settings: PowSettings) -> Self {
        let mut key = [0; 64];
        OsRng.fill_bytes(&mut key);
        Self {
            settings,
            key,
            spent: Mutex::new(Spent {
                nonces: HashMap::new(),
                last_purge: 0,
            }),
        }
    }

    /// A new challenge.
    pub(crate) fn issue(&self) -> Challenge {
        let mut token = [0; TOKEN_LEN];
        OsRng.fill_bytes(&mut token[..NONCE_LEN]);
        let expiry = now_ms().saturating_add(millis(self.settings.ttl));
        token[NONCE_LEN..NONCE_LEN + EXPIRY_LEN].copy_from_slice(&expiry.to_be_bytes());
        let mac = self
            .mac(&token[..NONCE_LEN + EXPIRY_LEN])
            .finalize()
            .into_bytes();
        token[NONCE_LEN + EXPIRY_LEN..].copy_from_slice(&mac);
        Challenge {
            challenge: Base64UrlUnpadded::encode_string(&token),
            bits: self.settings.bits,
            expires_in: self.settings.ttl.as_secs(),
        }
    }

    /// Checks a `Sealform-Pow` header value and marks its challenge spent. Cheap: one HMAC and one SHA-256.
    pub(crate) fn verify(&self, header: Option<&[u8]>) -> Result<(), PowError> {
        let header = header.ok_or(PowError::Missing)?;
        let text = std::str::from_utf8(header).map_err(|_| PowError::Invalid)?;
        let token = Token::parse(text).ok_or(PowError::Invalid)?;
        let (nonce, expiry) = self.open_token(token.challenge)?;
        let now = now_ms();
        if now >= expiry {
            return Err(PowError::Expired);
        }
        if !token.meets(self.settings.bits) {
            return Err(PowError::Wrong {
                bits: self.settings.bits,
            });
        }
        self.spend(nonce, expiry, now)
    }

    /// The nonce and expiry of a challenge this process issued; anything else is [`PowError::Invalid`].
    fn open_token(&self, challenge: &str) -> Result<([u8; NONCE_LEN], u64), PowError> {
        let mut token = [0; TOKEN_LEN];
        let decoded =
            Base64UrlUnpadded::decode(challenge, &mut token).map_err(|_| PowError::Invalid)?;
        if decoded.len() != TOKEN_LEN {
            return Err(PowError::Invalid);
        }
        let (signed, mac) = token.split_at(NONCE_LEN + EXPIRY_LEN);
        // Constant-time comparison.
        self.mac(signed)
            .verify_slice(mac)
            .map_err(|_| PowError::Invalid)?;
        let mut nonce = [0; NONCE_LEN];
        nonce.copy_from_slice(&signed[..NONCE_LEN]);
        let mut expiry = [0; EXPIRY_LEN];
        expiry.copy_from_slice(&signed[NONCE_LEN..]);
        Ok((nonce, u64::from_be_bytes(expiry)))
    }

    fn spend(&self, nonce: [u8; NONCE_LEN], expiry: u64, now: u64) -> Result<(), PowError> {
        // A poisoned lock only means another request panicked mid-insert; the map is still sound.
        let mut spent = self.spent.lock().unwrap_or_else(|e| e.into_inner());
        if now.saturating_sub(spent.last_purge) >= millis(PURGE_EVERY) {
            spent.nonces.retain(|_, until| *until > now);
            spent.last_purge = now;
        }
        if spent.nonces.insert(nonce, expiry).is_some() {
            return Err(PowError::Reused);
        }
        Ok(())
    }

    fn mac(&self, bytes: &[u8]) -> HmacSha256 {
        // A key of exactly SHA-256's block size: the infallible constructor.
        let mut mac = <HmacSha256 as KeyInit>::new((&self.key).into());
        mac.update(bytes);
        mac
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::protocol::pow::{meets, solve};

    fn pow(bits: u8, ttl: Duration) -> Pow {
        Pow::new(PowSettings { bits, ttl })
    }

    #[test]
    fn a_solved_challenge_is_accepted_once() {
        let pow = pow(8, Duration::from_secs(60));
        let challenge = pow.issue();
        assert_eq!(challenge.bits, 8);
        let header = solve(&challenge.challenge, 8);
        assert_eq!(pow.verify(Some(header.as_bytes())), Ok(()));
        assert_eq!(pow.verify(Some(header.as_bytes())), Err(PowError::Reused));
    }

    #[test]
    fn refusals() {
        let pow = pow(8, Duration::from_secs(60));
        assert_eq!(pow.verify(None), Err(PowError::Missing));
        assert_eq!(pow.verify(Some(b"nonsense")), Err(PowError::Invalid));
        let challenge = pow.issue().challenge;
        // Another process's challenge (another key) is not ours.
        let foreign = self::pow(8, Duration::from_secs(60)).issue().challenge;
        assert_eq!(
            pow.verify(Some(solve(&foreign, 8).as_bytes())),
            Err(PowError::Invalid)
        );
        let wrong = (0u64..)
            .find(|n| !meets(&challenge, &n.to_string(), 8))
            .map(|n| format!("{challenge}.{n}"))
            .unwrap();
        assert_eq!(
            pow.verify(Some(wrong.as_bytes())),
            Err(PowError::Wrong { bits: 8 })
        );
        let expired = self::pow(1, Duration::ZERO);
        let challenge = expired.issue().challenge;
        assert_eq!(
            expired.verify(Some(solve(&challenge, 1).as_bytes())),
            Err(PowError::Expired)
        );
    }
}
