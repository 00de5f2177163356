//! The pickup API: how the firm's offline machine (`sealform pull`) collects sealed bundles from a receiver on a
//! public host — the routes, the bearer tokens and their scopes, and the JSON bodies both sides exchange.
//!
//! Everything here is public data or ciphertext: a pickup token lets its holder list, download and (with the
//! `collect` scope) acknowledge bundles, never read one. The receiver keeps only each token's SHA-256.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::bundle::ReceiptId;
use crate::digest::Sha256Digest;

/// `GET`: a page of stored bundles, oldest first ([`InboxQuery`] → [`InboxPage`]).
pub const INBOX_PATH: &str = "/api/inbox";
/// `POST`: mark bundles collected ([`AckRequest`] → [`AckResponse`]); needs a `collect` token.
pub const ACK_PATH: &str = "/api/inbox/ack";
/// `GET`: the receiver's audit trail, as [`crate::audit`] JSON lines.
pub const AUDIT_PATH: &str = "/api/audit";
/// `GET`: the form configs the receiver has served ([`ConfigList`]); `GET CONFIGS_PATH/{sha256}` gives one, its
/// exact bytes. Public: the form serves them to anyone.
pub const CONFIGS_PATH: &str = "/api/configs";

/// The path of one stored bundle, whose body is the bundle's exact bytes.
pub fn bundle_path(receipt: &ReceiptId) -> String {
    format!("{INBOX_PATH}/{receipt}")
}

/// The path of one served config, whose body is the config file's exact bytes.
pub fn config_path(sha256: &Sha256Digest) -> String {
    format!("{CONFIGS_PATH}/{sha256}")
}

/// How many bundles an inbox page lists when the client does not say.
pub const DEFAULT_PAGE: u32 = 100;
/// The most bundles one inbox page lists, and the most receipts one acknowledgement may name.
pub const MAX_PAGE: u32 = 1000;

// ---------------------------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------------------------

/// What a pickup token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    /// List and download bundles, and read the audit trail; never acknowledge (so never cause a deletion).
    Read,
    /// Everything `read` may, and acknowledge bundles as collected (after which the receiver deletes them).
    Collect,
}

impl TokenScope {
    /// Whether this scope may acknowledge bundles.
    pub fn may_acknowledge(self) -> bool {
        self == Self::Collect
    }

    /// The scope's name: `read` or `collect`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Collect => "collect",
        }
    }
}

impl fmt::Display for TokenScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not `read` or `collect`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a token scope: use read or collect")]
pub struct ScopeParseError(String);

impl FromStr for TokenScope {
    type Err = ScopeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "read" => Ok(Self::Read),
            "collect" => Ok(Self::Collect),
            other => Err(ScopeParseError(other.to_owned())),
        }
    }
}

/// The prefix of every pickup token: it says what a leaked string is (secret scanners look for such prefixes).
pub const TOKEN_PREFIX: &str = "sealform_pickup_";
/// Random bytes in a token: 256 bits.
pub const TOKEN_BYTES: usize = 32;

/// A pickup token: [`TOKEN_PREFIX`] then 256 random bits in base64url. Sent as `Authorization: Bearer TOKEN`;
/// only its [`TokenHash`] is ever kept by the receiver. Its text is wiped from memory when dropped.
pub struct PickupToken(Zeroizing<String>);

impl PickupToken {
    /// A token from 32 random bytes the caller drew from the operating system (core has no randomness of its own).
    pub fn from_random(bytes: &[u8; TOKEN_BYTES]) -> Self {
        let mut text = String::with_capacity(TOKEN_PREFIX.len() + 43);
        text.push_str(TOKEN_PREFIX);
        text.push_str(&crate::base64url::encode(bytes));
        Self(Zeroizing::new(text))
    }

    /// Reads a token as written to its file (surrounding whitespace, such as the final newline, is ignored).
    pub fn parse(text: &str) -> Result<Self, TokenParseError> {
        let text = text.trim();
        let body = text
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(TokenParseError::Prefix)?;
        let decoded = crate::base64url::decode(body).map_err(|_| TokenParseError::Encoding)?;
        if decoded.len() != TOKEN_BYTES {
            return Err(TokenParseError::Encoding);
        }
        Ok(Self(Zeroizing::new(text.to_owned())))
    }

    /// The token's text, for the `Authorization` header and the token file.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token's text: what the receiver is given and keeps.
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256Digest::of(self.0.as_bytes()))
    }
}

impl fmt::Debug for PickupToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PickupToken({})", self.hash().prefix())
    }
}

/// Why a token's text was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenParseError {
    /// It does not start with [`TOKEN_PREFIX`].
    #[error("not a sealform pickup token: it should start with {TOKEN_PREFIX} (make one with `sealform token new`)")]
    Prefix,
    /// What follows the prefix is not 256 bits of base64url.
    #[error("the pickup token is damaged: after {TOKEN_PREFIX} come 43 base64url characters (make a new one with `sealform token new`)")]
    Encoding,
}

/// The SHA-256 of a pickup token's text, in 64 lowercase hex digits: all the receiver knows of a token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(Sha256Digest);

impl TokenHash {
    /// The 32 bytes, for a constant-time comparison.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    /// The first 8 hex digits: enough to tell a firm's tokens apart in a log or the audit trail, far too little
    /// to help guess one.
    pub fn prefix(&self) -> String {
        self.0.to_string()[..8].to_owned()
    }
}

impl fmt::Display for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", self.prefix())
    }
}

impl FromStr for TokenHash {
    type Err = crate::digest::DigestParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// One token the receiver accepts: its hash and scope. Written `HEX` (scope `collect`) or `HEX:read` /
/// `HEX:collect`, as `sealform token new` prints it for `--pickup-token-sha256`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllowedToken {
    /// The SHA-256 of the token's text.
    pub hash: TokenHash,
    /// What it may do.
    pub scope: TokenScope,
}

impl fmt::Display for AllowedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.hash, self.scope)
    }
}

/// The text was not `HEX[:SCOPE]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a pickup token hash: give the 64 hex digits `sealform token new` printed, optionally followed \
     by :read or :collect"
)]
pub struct AllowedTokenParseError(String);

impl FromStr for AllowedToken {
    type Err = AllowedTokenParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || AllowedTokenParseError(s.to_owned());
        let (hex, scope) = match s.trim().split_once(':') {
            Some((hex, scope)) => (hex, scope.parse().map_err(|_| bad())?),
            None => (s.trim(), TokenScope::Collect),
        };
        Ok(Self {
            hash: hex.parse().map_err(|_| bad())?,
            scope,
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------------------------

/// Which bundles an inbox page lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InboxState {
    /// Every bundle still stored, collected or not.
    #[default]
    All,
    /// Only bundles no `collect` token has acknowledged yet.
    Uncollected,
}

/// The query of `GET /api/inbox`: `?after=CURSOR&limit=N&state=uncollected`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// List bundles that arrived after this cursor (an item's `cursor`); from the first when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The most to list: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Which bundles; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<InboxState>,
}

/// One stored bundle, as the inbox lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    /// The bundle's receipt id: the SHA-256 of its bytes, which `pull` checks.
    pub receipt: ReceiptId,
    /// The bundle's size in bytes.
    pub size: u64,
    /// When the receiver stored it, RFC 3339 UTC.
    pub received_at: String,
    /// Its place in arrival order: give it as `after` to list what came later.
    pub cursor: String,
    /// When a `collect` token acknowledged it, RFC 3339 UTC; absent while uncollected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
}

/// The body of `GET /api/inbox`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxPage {
    /// The bundles, oldest first.
    pub items: Vec<InboxItem>,
    /// Whether more bundles follow the last one listed (ask again with `after` set to its cursor).
    pub more: bool,
}

/// The body of `POST /api/inbox/ack`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckRequest {
    /// The bundles the firm now holds safely (1 to [`MAX_PAGE`]).
    pub receipts: Vec<ReceiptId>,
}

/// The answer to an acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckResponse {
    /// Receipts now marked collected (including ones that already were, or were already deleted after pickup).
    pub acknowledged: Vec<ReceiptId>,
    /// Receipts the receiver has never stored: nothing was done for them.
    pub unknown: Vec<ReceiptId>,
}

/// One config the receiver has served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfo {
    /// The SHA-256 of the config file's exact bytes: what every submission filled in with it records.
    pub sha256: Sha256Digest,
    /// When the receiver first served it, RFC 3339 UTC.
    pub first_served_at: String,
}

/// The body of `GET /api/configs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigList {
    /// Every config served, oldest first.
    pub configs: Vec<ConfigInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_hash_their_text() {
        let token = PickupToken::from_random(&[7; 32]);
        assert!(token.expose().starts_with(TOKEN_PREFIX));
        assert_eq!(token.expose().len(), TOKEN_PREFIX.len() + 43);
        let read = PickupToken::parse(&format!("{}\n", token.expose())).unwrap();
        assert_eq!(read.expose(), token.expose());
        assert_eq!(
            token.hash().to_string(),
            Sha256Digest::of(token.expose().as_bytes()).to_string()
        );
        assert_eq!(token.hash().prefix().len(), 8);
        assert!(!format!("{token:?}").contains(&token.expose()[TOKEN_PREFIX.len()..]));
    }

    #[test]
    fn damaged_tokens_are_refused() {
        let good = PickupToken::from_random(&[1; 32]);
        let text = good.expose();
        assert_eq!(
            PickupToken::parse("abc").unwrap_err(),
            TokenParseError::Prefix
        );
        for bad in [
            &text[..text.len() - 1],
            &format!("{text}A"),
            &text.replace('A', "="),
        ] {
            if bad == text {
                continue;
            }
            assert!(PickupToken::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn allowed_tokens_read_with_and_without_a_scope() {
        let hash = PickupToken::from_random(&[2; 32]).hash();
        let plain: AllowedToken = hash.to_string().parse().unwrap();
        assert_eq!(plain.scope, TokenScope::Collect);
        let read: AllowedToken = format!("{hash}:read").parse().unwrap();
        assert_eq!(read.scope, TokenScope::Read);
        assert_eq!(read.to_string(), format!("{hash}:read"));
        for bad in [
            "",
            "abc",
            &format!("{hash}:write"),
            &hash.to_string().to_uppercase(),
        ] {
            assert!(bad.parse::<AllowedToken>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bodies_have_their_documented_json() {
        let receipt = ReceiptId::of(b"bundle");
        let page = InboxPage {
            items: vec![InboxItem {
                receipt,
                size: 6,
                received_at: "2026-11-30T10:00:00Z".into(),
                cursor: "1".into(),
                collected_at: None,
            }],
            more: false,
        };
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            format!(
                r#"{{"items":[{{"receipt":"{receipt}","size":6,"received_at":"2026-11-30T10:00:00Z","cursor":"1"}}],"more":false}}"#
            )
        );
        let ack: AckRequest =
            serde_json::from_str(&format!(r#"{{"receipts":["{receipt}"]}}"#)).unwrap();
        assert_eq!(ack.receipts, [receipt]);
        assert!(serde_json::from_str::<AckRequest>(r#"{"receipts":["ABC"]}"#).is_err());
        assert_eq!(bundle_path(&receipt), format!("/api/inbox/{receipt}"));
    }
}
