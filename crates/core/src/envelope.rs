//! One sealed part: a JWE (RFC 7516) in the General JSON Serialization (§7.2.1), content encrypted with A256GCM,
//! the content key wrapped with RSA-OAEP-256 for each recipient, each recipient named by its RFC 7638 `kid`.
//!
//! Reading is strict — only the shape sealform writes is accepted: unknown members, `zip`, `crit`, other
//! algorithms, IVs that are not 96 bits, tags that are not 128 bits and non-canonical base64url are all refused, so
//! there is one way to read every part and writing a parsed part gives back the same bytes.

use aes_gcm::aead::{AeadInPlace, KeyInit};
#[cfg(feature = "open")]
use aes_gcm::Tag;
use aes_gcm::{Aes256Gcm, Nonce};
use rand_core::CryptoRngCore;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use crate::base64url;
use crate::error::{OpenError, SealError};
use crate::json::{self, JsonProblem};
#[cfg(feature = "open")]
use crate::key::KeyUnwrap;
use crate::key::{Kid, Recipient};

// Defined below this module (keys and the format's bounds); these paths are kept for callers.
pub use crate::format::MAX_RECIPIENTS;
pub use crate::key::KEY_ALGORITHM;
/// The JWE `enc` of every part: AES-256 in Galois/Counter Mode (RFC 7518 §5.3).
pub const CONTENT_ENCRYPTION: &str = "A256GCM";
/// The content key is 256 bits.
const CONTENT_KEY_LEN: usize = 32;
/// The protected header every part has: only `enc`, in this exact form. Recipients' `alg` and `kid` go in their
/// per-recipient headers (RFC 7516 §7.2.1).
const PROTECTED_HEADER: &str = r#"{"enc":"A256GCM"}"#;

// ---------------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------------

/// A sealed part, as read from or written to JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jwe {
    protected: Protected,
    recipients: Recipients,
    iv: Iv,
    ciphertext: Bytes,
    tag: GcmTag,
}

/// A part as a bundle frame writes it: every member of [`Jwe`], in the same order, but an empty ciphertext, whose
/// place the bundle writer fills. Borrowed, so framing copies nothing of the parts.
#[derive(Serialize)]
pub(crate) struct FramedPart<'a> {
    protected: &'a Protected,
    recipients: &'a Recipients,
    iv: &'a Iv,
    ciphertext: &'static str,
    tag: &'a GcmTag,
}

/// The protected header, kept as the exact base64url text it arrived in: that text is the AES-GCM additional
/// authenticated data (RFC 7516 §5.1 step 14), so it must never be re-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Protected(String);

/// The members a protected header may have. `zip` and `crit` are named only to refuse them with a clear message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtectedFields {
    enc: ContentEncryption,
    #[serde(default)]
    zip: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
enum ContentEncryption {
    #[serde(rename = "A256GCM")]
    A256Gcm,
}

/// The recipients of a part: at least one, at most [`MAX_RECIPIENTS`], no `kid` twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
struct Recipients(Vec<RecipientEntry>);

/// One recipient: who it is for (`header`) and the content key wrapped for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientEntry {
    header: RecipientHeader,
    encrypted_key: Bytes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientHeader {
    alg: KeyAlgorithm,
    #[serde(deserialize_with = "literal_kid")]
    kid: Kid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum KeyAlgorithm {
    #[serde(rename = "RSA-OAEP-256")]
    RsaOaep256,
}

/// Bytes written as canonical unpadded base64url.
#[derive(Clone, PartialEq, Eq)]
struct Bytes(Vec<u8>);

/// The 96-bit AES-GCM initialisation vector.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Iv([u8; 12]);

/// The 128-bit AES-GCM authentication tag.
#[derive(Clone, Debug, PartialEq, Eq)]
struct GcmTag([u8; 16]);

// ---------------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------------

impl Jwe {
    /// Reads one sealed part from its JSON text, strictly. With the `json-paths` feature, errors name the JSON path
    /// of the problem; without it, serde_json's message gives the line and column.
    pub fn from_json(json: &[u8]) -> Result<Self, OpenError> {
        let part = parse_json(json, "")?;
        refuse_escapes(json)?;
        Ok(part)
    }

    /// The key ids this part is sealed for, in order.
    pub fn kids(&self) -> impl Iterator<Item = &Kid> {
        self.recipients.0.iter().map(|entry| &entry.header.kid)
    }

    /// The size of the encrypted content in bytes (equal to the plaintext's size: GCM does not pad).
    pub fn content_len(&self) -> usize {
        self.ciphertext.0.len()
    }

    /// Decrypts the content with whichever of `identities` the part is sealed for.
    ///
    /// All cryptographic failures — a damaged wrapped key, IV, ciphertext, tag or protected header — give the same
    /// [`OpenError::DecryptionFailed`], so a caller learns nothing about which check failed (no padding oracle).
    #[cfg(feature = "open")]
    pub(crate) fn decrypt<K: KeyUnwrap>(
        &self,
        identities: &[K],
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let mut matched = false;
        for entry in &self.recipients.0 {
            let Some(identity) = identities.iter().find(|id| id.kid() == &entry.header.kid) else {
                continue;
            };
            matched = true;
            let plaintext = identity
                .unwrap_key(rng, &entry.encrypted_key.0)
                .and_then(|content_key| self.decrypt_content(&content_key));
            if let Some(plaintext) = plaintext {
                return Ok(plaintext);
            }
            // Another identity we hold may have an intact entry (a firm opening with both its keys).
        }
        if matched {
            Err(OpenError::DecryptionFailed)
        } else {
            Err(OpenError::NotForThisKey {
                sealed_for: self.kids().cloned().collect(),
                you_hold: identities.iter().map(|id| id.kid().clone()).collect(),
            })
        }
    }

    #[cfg(feature = "open")]
    fn decrypt_content(&self, content_key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if content_key.len() != CONTENT_KEY_LEN {
            return None;
        }
        let cipher = Aes256Gcm::new_from_slice(content_key).ok()?;
        let mut buffer = Zeroizing::new(self.ciphertext.0.clone());
        cipher
            .decrypt_in_place_detached(
                Nonce::from_slice(&self.iv.0),
                self.protected.0.as_bytes(),
                &mut buffer,
                Tag::from_slice(&self.tag.0),
            )
            .ok()?;
        Some(buffer)
    }

    /// Takes the ciphertext out, leaving it empty (the bundle writer encodes it separately, a slice at a time).
    /// The encrypted content (empty for a part whose ciphertext is held elsewhere).
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext.0
    }

    /// The part with its ciphertext left for the bundle writer ([`FramedPart`]).
    pub(crate) fn framed(&self) -> FramedPart<'_> {
        FramedPart {
            protected: &self.protected,
            recipients: &self.recipients,
            iv: &self.iv,
            ciphertext: "",
            tag: &self.tag,
        }
    }

    /// Each recipient's key id and the length in bytes of the content key wrapped for it.
    pub(crate) fn wrapped_key_lens(&self) -> impl Iterator<Item = (&Kid, usize)> {
        self.recipients
            .0
            .iter()
            .map(|entry| (&entry.header.kid, entry.encrypted_key.0.len()))
    }

    /// Whether the protected header is exactly the 17 bytes sealform writes. Base64url is read canonically, so
    /// the text is the encoding of those bytes exactly when the bytes are.
    pub(crate) fn has_canonical_header(&self) -> bool {
        self.protected.0 == base64url::encode(PROTECTED_HEADER.as_bytes())
    }

    /// Whether `other` is sealed for exactly the same key ids, in the same order.
    pub(crate) fn same_recipients(&self, other: &Jwe) -> bool {
        self.kids().eq(other.kids())
    }
}

/// Reads `json` strictly as a `T` ([`json::read`]), placing a problem by `context` and the path within.
pub(crate) fn parse_json<T: DeserializeOwned>(json: &[u8], context: &str) -> Result<T, OpenError> {
    json::read(json).map_err(|problem| malformed(context, problem))
}

/// Refuses a JSON escape anywhere in a sealed document. Every string in one is base64url, a member name or
/// [`KEY_ALGORITHM`], none of which needs an escape; written with one, the same sealing would be other bytes and so
/// get another receipt. (A base64url value with an escape is already refused, with its path, while parsing.)
pub(crate) fn refuse_escapes(json: &[u8]) -> Result<(), OpenError> {
    // `contains` on bytes is a memchr: cheap next to the parse, even for a bundle of megabytes.
    if !json.contains(&b'\\') {
        return Ok(());
    }
    let at = json.iter().position(|&b| b == b'\\').unwrap_or_default();
    Err(OpenError::Malformed {
        path: "(top level)".into(),
        problem: format!(
            "a JSON escape (a backslash) at byte {at}: nothing in a sealed document needs one; write every name \
             and value literally"
        ),
    })
}

fn malformed(context: &str, problem: JsonProblem) -> OpenError {
    let path = match (context, problem.path) {
        ("", None) => "(top level)".to_owned(),
        (context, None) => context.to_owned(),
        ("", Some(path)) => path,
        (context, Some(path)) => format!("{context}.{path}"),
    };
    OpenError::Malformed {
        path,
        problem: problem.message,
    }
}

/// Reads a base64url string exactly as it is written in the input, then `read`s it. A JSON string with an escape in
/// it (`\u0041`, `\n`, `\/`) is refused: no base64url character needs one, so an escaped copy could only be the
/// same part written as other bytes — another receipt for one sealing.
///
/// serde_json hands a string over borrowed from the input only when it holds no escape; an unescaped copy comes
/// through `visit_str`. Parts are only ever read from bytes ([`parse_json`]), which always lends.
fn literal<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    read: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct Literal<F>(F);
    impl<'de, T, F: FnOnce(&str) -> Result<T, String>> serde::de::Visitor<'de> for Literal<F> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a base64url string")
        }
        fn visit_borrowed_str<E: serde::de::Error>(self, text: &'de str) -> Result<T, E> {
            (self.0)(text).map_err(E::custom)
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<T, E> {
            Err(E::custom(ESCAPED))
        }
    }
    deserializer.deserialize_str(Literal(read))
}

/// What a base64url string written with a JSON escape is told.
const ESCAPED: &str =
    "not canonical base64url: written with a JSON escape (a backslash); write the base64url characters \
     themselves, as every JOSE library does";

fn literal_kid<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Kid, D::Error> {
    literal(deserializer, |text| {
        text.parse().map_err(|e| format!("{e}"))
    })
}

impl<'de> Deserialize<'de> for Protected {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = literal(deserializer, |text| Ok(text.to_owned()))?;
        let json = base64url::decode(&text).map_err(D::Error::custom)?;
        let fields: ProtectedFields = serde_json::from_slice(&json).map_err(|e| {
            D::Error::custom(format!("the decoded protected header is not valid: {e}"))
        })?;
        if fields.zip.is_some() {
            return Err(D::Error::custom("compression (\"zip\") is not supported"));
        }
        if fields.crit.is_some() {
            return Err(D::Error::custom(
                "critical extensions (\"crit\") are not supported",
            ));
        }
        let ContentEncryption::A256Gcm = fields.enc;
        Ok(Self(text))
    }
}

impl<'de> Deserialize<'de> for Recipients {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = Vec::<RecipientEntry>::deserialize(deserializer)?;
        if entries.is_empty() {
            return Err(D::Error::custom(
                "a sealed part needs at least one recipient",
            ));
        }
        if entries.len() > MAX_RECIPIENTS {
            return Err(D::Error::custom(format!(
                "{} recipients; at most {MAX_RECIPIENTS} are allowed",
                entries.len()
            )));
        }
        for (i, entry) in entries.iter().enumerate() {
            if entries[..i]
                .iter()
                .any(|earlier| earlier.header.kid == entry.header.kid)
            {
                return Err(D::Error::custom(format!(
                    "recipient {} repeats kid {}",
                    i, entry.header.kid
                )));
            }
        }
        Ok(Self(entries))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Decoded straight from the text in the input: a ciphertext of megabytes is not first copied into a
        // `String` (serde's `Cow<str>` always is), which would cost the receiver a bundle's size per upload.
        literal(deserializer, |text| {
            base64url::decode(text)
                .map(Bytes)
                .map_err(|e| e.to_string())
        })
    }
}

impl<'de> Deserialize<'de> for Iv {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Bytes(bytes) = Bytes::deserialize(deserializer)?;
        let len = bytes.len();
        bytes.try_into().map(Self).map_err(|_| {
            D::Error::custom(format!(
                "the IV must be 96 bits (12 bytes), not {len} bytes"
            ))
        })
    }
}

impl<'de> Deserialize<'de> for GcmTag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Bytes(bytes) = Bytes::deserialize(deserializer)?;
        let len = bytes.len();
        bytes.try_into().map(Self).map_err(|_| {
            D::Error::custom(format!(
                "the tag must be 128 bits (16 bytes), not {len} bytes"
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------------------

impl Jwe {
    /// Writes the part as compact JSON (no whitespace, members in the order of RFC 7516 §7.2.1).
    pub fn to_json(&self) -> Vec<u8> {
        // Every member is a string, array or struct of strings: serialising cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Seals `plaintext` as one part for every recipient, with the pure-Rust AES-GCM.
pub fn seal_part(
    recipients: &[Recipient],
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Jwe, SealError> {
    PendingPart::new(recipients, rng)?.encrypt(plaintext)
}

/// A part whose content key is chosen and wrapped for every recipient, waiting for its content to be encrypted.
///
/// The split lets the browser encrypt large attachments with its native AES-GCM (SubtleCrypto) using
/// [`content_key`](Self::content_key), [`iv`](Self::iv) and [`aad`](Self::aad), then call
/// [`finish`](Self::finish): the result is byte for byte what [`encrypt`](Self::encrypt) gives.
pub struct PendingPart {
    protected: Protected,
    recipients: Recipients,
    iv: Iv,
    content_key: Zeroizing<[u8; CONTENT_KEY_LEN]>,
}

/// A part whose content key and IV are chosen, waiting for the key to be wrapped with RSA-OAEP-256 for each
/// recipient outside core: the browser form wraps with SubtleCrypto, so its wasm carries no RSA arithmetic.
/// [`wrapped`](Self::wrapped) checks what comes back, and [`PendingPart::new`] wraps with the rsa crate through
/// this same path, so the part's rules stay here either way.
pub struct UnwrappedPart {
    /// Each recipient's key id and modulus length in bytes (an RSA-OAEP ciphertext's length), in order.
    recipients: Vec<(Kid, usize)>,
    iv: Iv,
    content_key: Zeroizing<[u8; CONTENT_KEY_LEN]>,
}

impl UnwrappedPart {
    /// Checks the recipients and chooses a fresh content key and IV.
    pub fn new(recipients: &[Recipient], rng: &mut impl CryptoRngCore) -> Result<Self, SealError> {
        check_recipients(recipients)?;
        let mut content_key = Zeroizing::new([0u8; CONTENT_KEY_LEN]);
        rng.fill_bytes(content_key.as_mut());
        let mut iv = [0u8; 12];
        rng.fill_bytes(&mut iv);
        Ok(Self {
            recipients: recipients
                .iter()
                .map(|r| (r.kid().clone(), r.modulus_len()))
                .collect(),
            iv: Iv(iv),
            content_key,
        })
    }

    /// The 256-bit content key to wrap with RSA-OAEP-256 (SHA-256, MGF1-SHA-256, no label) for each recipient.
    pub fn content_key(&self) -> &[u8; 32] {
        &self.content_key
    }

    /// Takes the wrapped keys, one per recipient in the order given to [`new`](Self::new), each as long as its
    /// recipient's modulus; anything else is [`SealError::WrappedKeys`].
    pub fn wrapped(self, keys: Vec<Vec<u8>>) -> Result<PendingPart, SealError> {
        if keys.len() != self.recipients.len()
            || keys
                .iter()
                .zip(&self.recipients)
                .any(|(key, (_, modulus_len))| key.len() != *modulus_len)
        {
            return Err(SealError::WrappedKeys);
        }
        let entries = self
            .recipients
            .into_iter()
            .zip(keys)
            .map(|((kid, _), key)| RecipientEntry {
                header: RecipientHeader {
                    alg: KeyAlgorithm::RsaOaep256,
                    kid,
                },
                encrypted_key: Bytes(key),
            })
            .collect();
        Ok(PendingPart {
            protected: Protected(base64url::encode(PROTECTED_HEADER.as_bytes())),
            recipients: Recipients(entries),
            iv: self.iv,
            content_key: self.content_key,
        })
    }
}

impl std::fmt::Debug for UnwrappedPart {
    // The content key is the secret that opens the part: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnwrappedPart")
            .field("recipients", &self.recipients)
            .finish_non_exhaustive()
    }
}

impl PendingPart {
    /// Chooses a fresh content key and IV, and wraps the key for each recipient with the rsa crate.
    pub fn new(recipients: &[Recipient], rng: &mut impl CryptoRngCore) -> Result<Self, SealError> {
        let part = UnwrappedPart::new(recipients, rng)?;
        let keys = recipients
            .iter()
            .map(|recipient| recipient.wrap(rng, part.content_key().as_ref()))
            .collect::<Result<_, _>>()?;
        part.wrapped(keys)
    }

    /// The 256-bit AES-GCM key for this part's content.
    pub fn content_key(&self) -> &[u8; 32] {
        &self.content_key
    }

    /// The 96-bit AES-GCM IV for this part's content.
    pub fn iv(&self) -> &[u8; 12] {
        &self.iv.0
    }

    /// The AES-GCM additional authenticated data: the ASCII of the encoded protected header.
    pub fn aad(&self) -> &[u8] {
        self.protected.0.as_bytes()
    }

    /// Encrypts `plaintext` with the pure-Rust AES-GCM and completes the part.
    pub fn encrypt(self, plaintext: &[u8]) -> Result<Jwe, SealError> {
        let cipher = Aes256Gcm::new_from_slice(self.content_key.as_ref())
            .map_err(|_| SealError::Encryption)?;
        let mut buffer = plaintext.to_vec();
        let tag = cipher
            .encrypt_in_place_detached(Nonce::from_slice(&self.iv.0), self.aad(), &mut buffer)
            .map_err(|_| SealError::Encryption)?;
        Ok(self.finish(buffer, tag.into()))
    }

    /// Completes the part with content encrypted elsewhere under [`content_key`](Self::content_key),
    /// [`iv`](Self::iv) and [`aad`](Self::aad).
    pub fn finish(self, ciphertext: Vec<u8>, tag: [u8; 16]) -> Jwe {
        Jwe {
            protected: self.protected,
            recipients: self.recipients,
            iv: self.iv,
            ciphertext: Bytes(ciphertext),
            tag: GcmTag(tag),
        }
    }
}

impl std::fmt::Debug for PendingPart {
    // The content key is the secret that opens the part: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingPart")
            .field("recipients", &self.recipients)
            .finish_non_exhaustive()
    }
}

fn check_recipients(recipients: &[Recipient]) -> Result<(), SealError> {
    if recipients.is_empty() {
        return Err(SealError::NoRecipients);
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(SealError::TooManyRecipients {
            count: recipients.len(),
        });
    }
    for (i, recipient) in recipients.iter().enumerate() {
        if recipients[..i]
            .iter()
            .any(|earlier| earlier.kid() == recipient.kid())
        {
            return Err(SealError::DuplicateRecipient {
                kid: recipient.kid().clone(),
            });
        }
    }
    Ok(())
}

impl Serialize for Protected {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64url::encode(&self.0))
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Iv {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64url::encode(&self.0))
    }
}

impl Serialize for GcmTag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64url::encode(&self.0))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[cfg(test)]
#[cfg(feature = "open")]
mod tests;
