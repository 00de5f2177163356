//! Keys: a [`Recipient`] is a firm's RSA public key (what the form seals to), an [`Identity`] is the matching
//! private key (what the firm's CLI opens with). Each key is named by its [`Kid`], the RFC 7638 JWK thumbprint.
//!
//! Text forms: public keys as JWK (RFC 7517) or SPKI PEM; private keys as PKCS#8 PEM (RFC 5958), encrypted with a
//! passphrase (PBES2, RFC 8018) unless the caller explicitly asks for a plain one.
//!
//! One file past 700 lines, tests included, on purpose: every private-key operation (both backends, and the OAEP
//! padding check for a token's raw RSA) is here, so a review of what touches a private key reads one file.

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "open")]
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rand_core::CryptoRngCore;
#[cfg(feature = "open")]
use rsa::traits::PrivateKeyParts;
use rsa::traits::PublicKeyParts;
#[cfg(feature = "open")]
use rsa::RsaPrivateKey;
use rsa::{BigUint, Oaep, RsaPublicKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
#[cfg(feature = "open")]
use zeroize::Zeroizing;

use crate::base64url;

/// The JWE `alg` of every recipient, and the `alg` of every public JWK this crate writes or accepts: RSAES-OAEP
/// with SHA-256 and MGF1-SHA-256 (RFC 7518 §4.3).
pub const KEY_ALGORITHM: &str = "RSA-OAEP-256";
/// Keys shorter than this are refused everywhere (NIST SP 800-57: 2048 bits is the minimum for use beyond 2030
/// only with care; below it, never).
pub const MIN_KEY_BITS: usize = 2048;
/// The size `sealform keygen` uses unless told otherwise (NIST SP 800-57: 128-bit security).
pub const DEFAULT_KEY_BITS: usize = 3072;
/// Larger keys are refused: they add nothing a firm needs and make every browser seal slower.
pub const MAX_KEY_BITS: usize = 8192;

/// A key id: the RFC 7638 JWK SHA-256 thumbprint of an RSA public key, as unpadded base64url (43 characters).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(String);

impl Kid {
    /// The thumbprint of `key` (RFC 7638 §3: SHA-256 over `{"e":…,"kty":"RSA","n":…}`, members in that order, no
    /// whitespace).
    fn of(key: &RsaPublicKey) -> Self {
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            base64url::encode(&key.e().to_bytes_be()),
            base64url::encode(&key.n().to_bytes_be()),
        );
        Self(base64url::encode(&Sha256::digest(canonical.as_bytes())))
    }

    /// The first 12 characters, for people: what the form shows as the key fingerprint and what a firm reads out
    /// when checking a pin (72 bits: enough to tell keys apart by eye, not a security boundary on its own).
    pub fn short(&self) -> &str {
        &self.0[..12]
    }

    /// The full thumbprint text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({})", self.0)
    }
}

impl FromStr for Kid {
    type Err = KeyError;

    /// Accepts exactly the form [`Kid`] is written in: a SHA-256 digest as canonical unpadded base64url.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match base64url::decode(s) {
            Ok(bytes) if bytes.len() == 32 => Ok(Self(s.to_owned())),
            _ => Err(KeyError::BadKid),
        }
    }
}

impl Serialize for Kid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Kid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What went wrong reading, writing or generating a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is smaller than [`MIN_KEY_BITS`] or larger than [`MAX_KEY_BITS`].
    #[error("the key has {bits} bits; sealform accepts RSA keys of {MIN_KEY_BITS} to {MAX_KEY_BITS} bits")]
    BadSize {
        /// The key's modulus size.
        bits: usize,
    },
    /// The JWK is not an RSA public key sealform can use; the text says which member is wrong.
    #[error("not a usable RSA public JWK: {0}")]
    BadJwk(String),
    /// The JWK's `kid` is not the RFC 7638 thumbprint of its key (a copy-paste mix-up, or tampering).
    #[error("the JWK's kid {stated} does not match its key, whose thumbprint is {actual}")]
    KidMismatch {
        /// The `kid` the JWK claims.
        stated: String,
        /// The thumbprint of the key it holds.
        actual: Kid,
    },
    /// A key id is not a SHA-256 thumbprint in canonical base64url.
    #[error("not a key id: expected an RFC 7638 SHA-256 thumbprint (43 base64url characters)")]
    BadKid,
    /// The text is neither a public JWK nor an SPKI PEM public key.
    #[error("not a public key: expected a JWK (JSON) or a PEM block \"BEGIN PUBLIC KEY\"")]
    NotAPublicKey,
    /// The PEM is not an RSA private key in PKCS#8 form.
    #[error("not an RSA private key in PKCS#8 PEM form (\"BEGIN PRIVATE KEY\" or \"BEGIN ENCRYPTED PRIVATE KEY\")")]
    NotAPrivateKey,
    /// The private key is encrypted and no passphrase was given.
    #[error("the private key is encrypted: a passphrase is needed")]
    PassphraseNeeded,
    /// The passphrase did not decrypt the private key.
    #[error("wrong passphrase for the private key")]
    WrongPassphrase,
    /// The private key failed its consistency check (its parts do not form a valid RSA key).
    #[error("the private key is damaged: its parts do not form a valid RSA key")]
    Damaged,
    /// Key generation or encoding failed inside the RSA or PKCS#8 library.
    #[error("could not {action}: {detail}")]
    Library {
        /// What was being done.
        action: &'static str,
        /// The library's own message.
        detail: String,
    },
}

/// A public key the form seals to: an RSA key of at least [`MIN_KEY_BITS`] and its [`Kid`].
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient {
    key: RsaPublicKey,
    kid: Kid,
}

impl Recipient {
    /// Wraps an RSA public key, refusing sizes outside [`MIN_KEY_BITS`]..=[`MAX_KEY_BITS`].
    pub fn from_rsa(key: RsaPublicKey) -> Result<Self, KeyError> {
        let bits = key.n().bits();
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(KeyError::BadSize { bits });
        }
        let kid = Kid::of(&key);
        Ok(Self { key, kid })
    }

    /// The key id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &Kid {
        &self.kid
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    /// The modulus size in bytes: the length of every key wrapped for this recipient, since an RSA-OAEP
    /// ciphertext is exactly as long as the modulus (RFC 8017 §7.1.1).
    pub fn modulus_len(&self) -> usize {
        self.key.size()
    }

    /// The RSA public key.
    pub fn rsa(&self) -> &RsaPublicKey {
        &self.key
    }

    /// Wraps an RSA public key given as its modulus and public exponent, unsigned big-endian without leading zero
    /// octets (as in a JWK): the compact form recovery shares carry.
    pub fn from_rsa_parts(modulus: &[u8], exponent: &[u8]) -> Result<Self, KeyError> {
        PublicJwk {
            kty: "RSA".into(),
            n: base64url::encode(modulus),
            e: base64url::encode(exponent),
            kid: None,
            alg: None,
            use_: None,
        }
        .try_into()
    }

    /// The modulus and public exponent, unsigned big-endian: what [`Recipient::from_rsa_parts`] takes.
    pub fn rsa_parts(&self) -> (Vec<u8>, Vec<u8>) {
        (self.key.n().to_bytes_be(), self.key.e().to_bytes_be())
    }

    /// Reads a public JWK (RFC 7517 §4, RFC 7518 §6.3.1). A `kid`, if present, must be the key's thumbprint; an
    /// `alg`, if present, must be `RSA-OAEP-256`; a `use`, if present, must be `enc`. Private members are refused
    /// so that a private JWK pasted by mistake into a public config is caught.
    pub fn from_jwk(json: &str) -> Result<Self, KeyError> {
        let jwk: PublicJwk =
            serde_json::from_str(json).map_err(|e| KeyError::BadJwk(e.to_string()))?;
        jwk.try_into()
    }

    /// Writes the public JWK with `kty`, `n`, `e`, `kid`, `alg` and `use`.
    pub fn to_jwk(&self) -> String {
        // Serialising a struct of strings to a String cannot fail.
        serde_json::to_string(&PublicJwk::from(self)).unwrap_or_default()
    }

    /// Reads an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_spki_pem(pem: &str) -> Result<Self, KeyError> {
        let key =
            RsaPublicKey::from_public_key_pem(pem.trim()).map_err(|_| KeyError::NotAPublicKey)?;
        Self::from_rsa(key)
    }

    /// Writes the SPKI PEM public key.
    pub fn to_spki_pem(&self) -> Result<String, KeyError> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| library("encode the public key", e))
    }

    /// Wraps `content_key` for this recipient with RSAES-OAEP, SHA-256 and MGF1-SHA-256 (JWE `RSA-OAEP-256`).
    pub(crate) fn wrap(
        &self,
        rng: &mut impl CryptoRngCore,
        content_key: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        self.key
            .encrypt(rng, Oaep::new::<Sha256>(), content_key)
            .map_err(|e| library("wrap the content key", e))
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({}, {} bits)", self.kid, self.bits())
    }
}

impl FromStr for Recipient {
    type Err = KeyError;

    /// Reads a public key as a JWK or an SPKI PEM, whichever the text is.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim_start();
        if trimmed.starts_with('{') {
            Self::from_jwk(trimmed)
        } else if trimmed.starts_with("-----BEGIN PUBLIC KEY-----") {
            Self::from_spki_pem(trimmed)
        } else {
            Err(KeyError::NotAPublicKey)
        }
    }
}

impl Serialize for Recipient {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PublicJwk::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        PublicJwk::deserialize(deserializer)?
            .try_into()
            .map_err(serde::de::Error::custom)
    }
}

/// The JSON shape of a public RSA JWK. Private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`) are unknown fields
/// and so refused.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicJwk {
    kty: String,
    n: String,
    e: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<String>,
}

impl From<&Recipient> for PublicJwk {
    fn from(recipient: &Recipient) -> Self {
        Self {
            kty: "RSA".into(),
            n: base64url::encode(&recipient.key.n().to_bytes_be()),
            e: base64url::encode(&recipient.key.e().to_bytes_be()),
            kid: Some(recipient.kid.0.clone()),
            alg: Some(KEY_ALGORITHM.into()),
            use_: Some("enc".into()),
        }
    }
}

impl TryFrom<PublicJwk> for Recipient {
    type Error = KeyError;

    fn try_from(jwk: PublicJwk) -> Result<Self, KeyError> {
        let bad = |what: &str| KeyError::BadJwk(what.to_owned());
        if jwk.kty != "RSA" {
            return Err(bad("kty must be \"RSA\""));
        }
        if jwk.alg.as_deref().is_some_and(|alg| alg != KEY_ALGORITHM) {
            return Err(bad("alg must be \"RSA-OAEP-256\" when present"));
        }
        if jwk.use_.as_deref().is_some_and(|u| u != "enc") {
            return Err(bad("use must be \"enc\" when present"));
        }
        let n = base64url::decode(&jwk.n).map_err(|_| bad("n is not canonical base64url"))?;
        let e = base64url::decode(&jwk.e).map_err(|_| bad("e is not canonical base64url"))?;
        // RFC 7518 §6.3.1.1: the modulus is unsigned big-endian without leading zero octets.
        if n.first() == Some(&0) || e.first() == Some(&0) {
            return Err(bad("n and e must not have leading zero octets"));
        }
        let key = RsaPublicKey::new_with_max_size(
            BigUint::from_bytes_be(&n),
            BigUint::from_bytes_be(&e),
            MAX_KEY_BITS,
        )
        .map_err(|e| KeyError::BadJwk(e.to_string()))?;
        let recipient = Recipient::from_rsa(key)?;
        match jwk.kid {
            Some(stated) if stated != recipient.kid.0 => Err(KeyError::KidMismatch {
                stated,
                actual: recipient.kid,
            }),
            _ => Ok(recipient),
        }
    }
}

/// A private key that opens what was sealed to its [`Recipient`]. Its secret parts are wiped from memory when it
/// is dropped (the `rsa` crate zeroizes private keys on drop). Only with the `open` feature: the browser form and
/// the receiver are built without it, so they hold no private-key code at all.
#[cfg(feature = "open")]
#[derive(Clone)]
pub struct Identity {
    key: RsaPrivateKey,
    recipient: Recipient,
}

#[cfg(feature = "open")]
impl Identity {
    /// Generates a new key pair of `bits` bits (at least [`MIN_KEY_BITS`]; [`DEFAULT_KEY_BITS`] is advised).
    pub fn generate(rng: &mut impl CryptoRngCore, bits: usize) -> Result<Self, KeyError> {
        if !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&bits) {
            return Err(KeyError::BadSize { bits });
        }
        let key = RsaPrivateKey::new(rng, bits).map_err(|e| library("generate an RSA key", e))?;
        Self::from_rsa(key)
    }

    fn from_rsa(key: RsaPrivateKey) -> Result<Self, KeyError> {
        key.validate().map_err(|_| KeyError::Damaged)?;
        let recipient = Recipient::from_rsa(key.to_public_key())?;
        Ok(Self { key, recipient })
    }

    /// Reads a PKCS#8 PEM private key. An encrypted one (`BEGIN ENCRYPTED PRIVATE KEY`) needs `passphrase`; a
    /// plain one ignores it.
    pub fn from_pkcs8_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        let pem = pem.trim();
        let key = if pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            let passphrase = passphrase.ok_or(KeyError::PassphraseNeeded)?;
            decrypt_pkcs8(pem, passphrase)?
        } else {
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| KeyError::NotAPrivateKey)?
        };
        Self::from_rsa(key)
    }

    /// Writes the private key as PKCS#8 PEM encrypted under `passphrase` (PBES2 with scrypt and AES-256-CBC).
    pub fn to_encrypted_pem(
        &self,
        rng: &mut impl CryptoRngCore,
        passphrase: &[u8],
    ) -> Result<Zeroizing<String>, KeyError> {
        self.key
            .to_pkcs8_encrypted_pem(rng, passphrase, LineEnding::LF)
            .map_err(|e| library("encrypt the private key", e))
    }

    /// Writes the private key as unencrypted PKCS#8 PEM. Only for demo keys and tests: anyone who can read the
    /// file can open every submission.
    pub fn to_unencrypted_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| library("encode the private key", e))
    }

    /// The public half.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// The key id of the public half.
    pub fn kid(&self) -> &Kid {
        self.recipient.kid()
    }

    /// The key's first prime factor, big-endian, wiped from memory when dropped: given the public half, the
    /// smallest secret that rebuilds the whole private key ([`Identity::from_secret_prime`]). What recovery
    /// shares split, so that a printed share is a fifth the size of one of the whole PKCS#8 key.
    pub fn secret_prime(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(
            self.key
                .primes()
                .first()
                .map(BigUint::to_bytes_be)
                .unwrap_or_default(),
        )
    }

    /// Rebuilds the private key of `recipient` from one of its prime factors, as [`Identity::secret_prime`]
    /// gives it. Anything that is not a factor of the modulus is refused as [`KeyError::Damaged`]: a wrong
    /// prime never gives a key.
    pub fn from_secret_prime(recipient: &Recipient, prime: &[u8]) -> Result<Self, KeyError> {
        let n = recipient.key.n();
        let p = BigUint::from_bytes_be(prime);
        let one = BigUint::from(1u8);
        if p <= one || &p >= n || n % &p != BigUint::from(0u8) {
            return Err(KeyError::Damaged);
        }
        let q = n / &p;
        let key = RsaPrivateKey::from_p_q(p, q, recipient.key.e().clone())
            .map_err(|_| KeyError::Damaged)?;
        let identity = Self::from_rsa(key)?;
        if identity.recipient != *recipient {
            return Err(KeyError::Damaged);
        }
        Ok(identity)
    }

    /// The private key as unencrypted PKCS#8 DER (RFC 5958), wiped from memory when dropped: how another backend
    /// (e.g. `AwsLcIdentity`, with the `aws-lc` feature) takes the same key.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        self.key
            .to_pkcs8_der()
            .map(|der| Zeroizing::new(der.as_bytes().to_vec()))
            .map_err(|e| library("encode the private key", e))
    }
}

/// A private key that unwraps content keys (RSAES-OAEP-SHA-256, JWE `RSA-OAEP-256`) for one [`Kid`]: what
/// [`bundle::open`](crate::bundle::open) needs of a key, and nothing more.
///
/// The opening code is written once against this trait, so the private-key operation can come from more than one
/// backend — the pure-Rust [`Identity`] (the `rsa` crate) everywhere, or `AwsLcIdentity` (the `aws-lc` feature:
/// AWS-LC, constant time, many times faster) in the native CLI — and both are run through the same test vectors.
#[cfg(feature = "open")]
pub trait KeyUnwrap: Sync {
    /// The key id of the public half.
    fn kid(&self) -> &Kid;

    /// Unwraps a content key. Every failure — wrong length, not below the modulus, bad OAEP padding, wrong label
    /// hash — must be the same `None`, and take time independent of the wrapped key's bytes: callers must not be
    /// able to tell padding errors from others (no Bleichenbacher/Manger oracle, no Marvin timing signal).
    fn unwrap_key(&self, rng: &mut dyn CryptoRngCore, wrapped: &[u8])
        -> Option<Zeroizing<Vec<u8>>>;
}

#[cfg(feature = "open")]
impl KeyUnwrap for Identity {
    fn kid(&self) -> &Kid {
        self.recipient.kid()
    }

    /// RSA blinding makes the private-key operation's timing independent of the ciphertext (the Marvin attack,
    /// RUSTSEC-2023-0071), as far as the `rsa` crate's non-constant-time big integers allow.
    fn unwrap_key(
        &self,
        mut rng: &mut dyn CryptoRngCore,
        wrapped: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        self.key
            .decrypt_blinded(&mut rng, Oaep::new::<Sha256>(), wrapped)
            .ok()
            .map(Zeroizing::new)
    }
}

/// Decrypts an `ENCRYPTED PRIVATE KEY` PEM. A wrong passphrase usually fails AES-CBC's padding check, but about
/// once in 256 tries the padding checks out and the "key" is noise: what does not read as a PKCS#8 key at all after
/// decryption is a wrong passphrase too, never "not a private key" (the file itself was read before decrypting).
#[cfg(feature = "open")]
fn decrypt_pkcs8(pem: &str, passphrase: &[u8]) -> Result<RsaPrivateKey, KeyError> {
    let (_label, document) =
        pkcs8::SecretDocument::from_pem(pem).map_err(|_| KeyError::NotAPrivateKey)?;
    let encrypted = pkcs8::EncryptedPrivateKeyInfo::try_from(document.as_bytes())
        .map_err(|_| KeyError::NotAPrivateKey)?;
    let decrypted = encrypted
        .decrypt(passphrase)
        .map_err(|_| KeyError::WrongPassphrase)?;
    let info = pkcs8::PrivateKeyInfo::try_from(decrypted.as_bytes())
        .map_err(|_| KeyError::WrongPassphrase)?;
    RsaPrivateKey::try_from(info).map_err(|_| KeyError::NotAPrivateKey)
}

/// Decodes an RSA-OAEP encoded message `em` (RFC 8017 §7.1.2 step 3, EME-OAEP decoding) with SHA-256, MGF1-SHA-256
/// and an empty label — the JWE `RSA-OAEP-256` padding — for a private-key operation done elsewhere without its
/// padding (a hardware token whose driver offers raw RSA but not OAEP with SHA-256). `modulus_len` is the key's
/// modulus size in bytes; `em` may be shorter (leading zero bytes dropped).
///
/// Written here because no kept crate offers the decoding on its own (the `rsa` crate keeps it private, AWS-LC
/// only decrypts with a key it holds): every check runs in constant time and every failure is the same `None`, as
/// [`KeyUnwrap::unwrap_key`] requires, and the tests check it against the `rsa` crate's own OAEP.
#[cfg(feature = "open")]
pub fn decode_oaep_sha256(em: &[u8], modulus_len: usize) -> Option<Zeroizing<Vec<u8>>> {
    use subtle::{ConditionallySelectable as _, ConstantTimeEq as _};
    const H: usize = 32;
    if modulus_len < 2 * H + 2 || em.len() > modulus_len {
        return None;
    }
    let mut padded = Zeroizing::new(vec![0u8; modulus_len]);
    padded[modulus_len - em.len()..].copy_from_slice(em);
    let (first, rest) = padded.split_at_mut(1);
    let (seed, db) = rest.split_at_mut(H);
    mgf1_sha256_xor(seed, db);
    mgf1_sha256_xor(db, seed);
    let label_hash = Sha256::digest([]);
    let mut good = first[0].ct_eq(&0) & db[..H].ct_eq(&label_hash[..]);
    // After the label hash: zero bytes, one 0x01, then the message. Find the 0x01 without branching on the bytes.
    let mut looking = subtle::Choice::from(1);
    let mut index = 0u32;
    let mut bad_padding = subtle::Choice::from(0);
    for (i, byte) in db[H..].iter().enumerate() {
        let is_one = byte.ct_eq(&1);
        let is_zero = byte.ct_eq(&0);
        index.conditional_assign(&(i as u32), looking & is_one);
        bad_padding |= looking & !is_one & !is_zero;
        looking &= !is_one;
    }
    good &= !bad_padding & !looking;
    if !bool::from(good) {
        return None;
    }
    Some(Zeroizing::new(db[H + index as usize + 1..].to_vec()))
}

/// XORs `out` with MGF1-SHA-256 of `seed` (RFC 8017 §B.2.1).
#[cfg(feature = "open")]
fn mgf1_sha256_xor(out: &mut [u8], seed: &[u8]) {
    for (counter, chunk) in out.chunks_mut(32).enumerate() {
        let mask = Sha256::new()
            .chain_update(seed)
            .chain_update((counter as u32).to_be_bytes())
            .finalize();
        for (byte, m) in chunk.iter_mut().zip(mask) {
            *byte ^= m;
        }
    }
}

/// The same private key as an [`Identity`], with its private-key operation done by AWS-LC (`aws-lc-rs`): constant
/// time and blinded, and many times the `rsa` crate's speed (docs/BENCHMARKS.md). Only with the `aws-lc` feature,
/// which only the native CLI enables (AWS-LC is C and assembly: no wasm32, and the browser holds no private key
/// anyway).
///
/// Why a feature of core rather than code in the CLI: core's test vectors must run through both backends, and
/// the trait keeps [`bundle::open`](crate::bundle::open) itself backend-neutral either way.
#[cfg(feature = "aws-lc")]
pub struct AwsLcIdentity {
    key: aws_lc_rs::rsa::OaepPrivateDecryptingKey,
    recipient: Recipient,
}

#[cfg(feature = "aws-lc")]
impl AwsLcIdentity {
    /// Takes the private key of `identity` (through its PKCS#8 DER, wiped afterwards).
    pub fn new(identity: &Identity) -> Result<Self, KeyError> {
        let der = identity.to_pkcs8_der()?;
        let key = aws_lc_rs::rsa::PrivateDecryptingKey::from_pkcs8(&der)
            .map_err(|e| library("load the private key into AWS-LC", e))?;
        let key = aws_lc_rs::rsa::OaepPrivateDecryptingKey::new(key)
            .map_err(|e| library("load the private key into AWS-LC", e))?;
        Ok(Self {
            key,
            recipient: identity.recipient.clone(),
        })
    }

    /// The public half.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }
}

#[cfg(feature = "aws-lc")]
impl KeyUnwrap for AwsLcIdentity {
    fn kid(&self) -> &Kid {
        self.recipient.kid()
    }

    /// AWS-LC blinds the RSA private-key operation itself and checks OAEP padding in constant time: the random
    /// number generator given is not needed.
    fn unwrap_key(
        &self,
        _rng: &mut dyn CryptoRngCore,
        wrapped: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let mut plaintext = Zeroizing::new(vec![0u8; self.key.min_output_size()]);
        let len = self
            .key
            .decrypt(
                &aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256,
                wrapped,
                &mut plaintext,
                None,
            )
            .ok()?
            .len();
        plaintext.truncate(len);
        Some(plaintext)
    }
}

#[cfg(feature = "aws-lc")]
impl fmt::Debug for AwsLcIdentity {
    // Never print the private parts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AwsLcIdentity({}, {} bits)",
            self.kid(),
            self.recipient.bits()
        )
    }
}

#[cfg(feature = "open")]
impl fmt::Debug for Identity {
    // Never print the private parts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Identity({}, {} bits)",
            self.kid(),
            self.recipient.bits()
        )
    }
}

fn library(action: &'static str, error: impl fmt::Display) -> KeyError {
    KeyError::Library {
        action,
        detail: error.to_string(),
    }
}

#[cfg(test)]
#[cfg(feature = "open")]
mod tests {
    use super::*;
    use crate::test_keys;

    #[test]
    fn rfc7638_thumbprint_example() {
        // RFC 7638 §3.1: the example key and its thumbprint.
        let jwk = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
        // alg RS256 and a free-text kid are not ours to accept; strip them to test the thumbprint alone.
        let value: serde_json::Value = serde_json::from_str(jwk).unwrap();
        let plain = serde_json::json!({"kty": "RSA", "n": value["n"], "e": value["e"]});
        let recipient = Recipient::from_jwk(&plain.to_string()).unwrap();
        assert_eq!(
            recipient.kid().as_str(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn jwk_and_pem_round_trip() {
        let identity = test_keys::firm();
        let recipient = identity.recipient();
        assert_eq!(
            &Recipient::from_jwk(&recipient.to_jwk()).unwrap(),
            recipient
        );
        let pem = recipient.to_spki_pem().unwrap();
        assert_eq!(&pem.parse::<Recipient>().unwrap(), recipient);
        assert_eq!(&recipient.to_jwk().parse::<Recipient>().unwrap(), recipient);
        let json = serde_json::to_string(recipient).unwrap();
        assert_eq!(
            &serde_json::from_str::<Recipient>(&json).unwrap(),
            recipient
        );
    }

    #[test]
    fn rsa_parts_round_trip_and_are_checked() {
        let recipient = test_keys::firm().recipient().clone();
        let (n, e) = recipient.rsa_parts();
        assert_eq!(Recipient::from_rsa_parts(&n, &e).unwrap(), recipient);
        assert!(
            Recipient::from_rsa_parts(&n[1..], &e).is_err(),
            "a smaller modulus"
        );
        let mut padded = vec![0];
        padded.extend_from_slice(&n);
        assert!(
            Recipient::from_rsa_parts(&padded, &e).is_err(),
            "a leading zero"
        );
    }

    #[test]
    fn jwk_problems_are_named() {
        let good: serde_json::Value =
            serde_json::from_str(&test_keys::firm().recipient().to_jwk()).unwrap();
        let with = |key: &str, value: serde_json::Value| {
            let mut jwk = good.clone();
            jwk[key] = value;
            Recipient::from_jwk(&jwk.to_string())
                .unwrap_err()
                .to_string()
        };
        assert!(with("kty", "EC".into()).contains("kty"));
        assert!(with("alg", "RSA1_5".into()).contains("RSA-OAEP-256"));
        assert!(with("use", "sig".into()).contains("use"));
        assert!(with("d", "AQAB".into()).contains("unknown field `d`"));
        assert!(with("n", "AAAA".into()).contains("leading zero"));
        let other_kid = test_keys::backup().kid().to_string();
        assert!(with("kid", other_kid.into()).contains("does not match"));
    }

    #[test]
    fn small_keys_are_refused() {
        // A 1024-bit public key in SPKI PEM (generated with `openssl genpkey -algorithm RSA -pkeyopt
        // rsa_keygen_bits:1024` and `openssl pkey -pubout`).
        let pem = include_str!("../tests/data/keys/small-1024.pub.pem");
        assert!(matches!(
            Recipient::from_spki_pem(pem),
            Err(KeyError::BadSize { bits: 1024 })
        ));
        let mut rng = rand_core::OsRng;
        assert!(matches!(
            Identity::generate(&mut rng, 1024),
            Err(KeyError::BadSize { bits: 1024 })
        ));
    }

    #[test]
    fn encrypted_private_key_round_trip() {
        let identity = test_keys::firm();
        let mut rng = rand_core::OsRng;
        let pem = identity
            .to_encrypted_pem(&mut rng, b"correct horse")
            .unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let back = Identity::from_pkcs8_pem(&pem, Some(b"correct horse")).unwrap();
        assert_eq!(back.kid(), identity.kid());
        assert!(matches!(
            Identity::from_pkcs8_pem(&pem, Some(b"wrong horse")),
            Err(KeyError::WrongPassphrase)
        ));
        // What a wrong passphrase gives about once in 256 tries: padding that checks out around noise. Made here
        // for certain by encrypting noise under the right one with the file's own parameters.
        let (_, document) = pkcs8::SecretDocument::from_pem(&pem).unwrap();
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(document.as_bytes()).unwrap();
        let noise = info
            .encryption_algorithm
            .encrypt(b"correct horse", b"noise, not a key")
            .unwrap();
        let forged = pkcs8::EncryptedPrivateKeyInfo {
            encryption_algorithm: info.encryption_algorithm,
            encrypted_data: &noise,
        };
        let forged = pkcs8::der::EncodePem::to_pem(&forged, LineEnding::LF).unwrap();
        assert!(matches!(
            Identity::from_pkcs8_pem(&forged, Some(b"correct horse")),
            Err(KeyError::WrongPassphrase)
        ));
        assert!(matches!(
            Identity::from_pkcs8_pem(&pem, None),
            Err(KeyError::PassphraseNeeded)
        ));
        assert!(matches!(
            Identity::from_pkcs8_pem(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                None
            ),
            Err(KeyError::NotAPrivateKey)
        ));
    }

    #[test]
    fn kid_text_form_is_strict() {
        let kid = test_keys::firm().kid().clone();
        assert_eq!(kid.as_str().parse::<Kid>().unwrap(), kid);
        assert_eq!(kid.short().len(), 12);
        assert!("not-a-kid".parse::<Kid>().is_err());
        assert!(format!("{kid}A").parse::<Kid>().is_err());
    }

    #[test]
    fn backends_unwrap_alike_and_fail_alike() {
        let identity = test_keys::firm();
        #[allow(unused_mut)] // Pushed to only with the aws-lc feature.
        let mut backends: Vec<Box<dyn KeyUnwrap>> = vec![Box::new(identity.clone())];
        #[cfg(feature = "aws-lc")]
        backends.push(Box::new(AwsLcIdentity::new(&identity).unwrap()));
        let mut rng = rand_core::OsRng;
        let wrapped = identity.recipient().wrap(&mut rng, &[7; 32]).unwrap();
        let mut flipped = wrapped.clone();
        flipped[100] ^= 1;
        for backend in &backends {
            assert_eq!(backend.kid(), identity.kid());
            let unwrapped = backend.unwrap_key(&mut rng, &wrapped).unwrap();
            assert_eq!(unwrapped.as_slice(), &[7; 32]);
            for bad in [&flipped[..], &wrapped[1..], &[0xff; 256], &[0; 256], &[]] {
                assert!(backend.unwrap_key(&mut rng, bad).is_none());
            }
        }
    }

    #[test]
    fn a_secret_prime_rebuilds_the_key_and_nothing_else_does() {
        let identity = test_keys::firm();
        let prime = identity.secret_prime();
        assert_eq!(prime.len() * 8, identity.recipient().bits() / 2);
        let rebuilt = Identity::from_secret_prime(identity.recipient(), &prime).unwrap();
        assert_eq!(rebuilt.kid(), identity.kid());
        assert_eq!(
            rebuilt.to_pkcs8_der().unwrap().as_slice(),
            identity.to_pkcs8_der().unwrap().as_slice()
        );
        let mut flipped = prime.to_vec();
        flipped[10] ^= 1;
        for bad in [&flipped[..], &[], &[1], &prime[1..]] {
            assert!(matches!(
                Identity::from_secret_prime(identity.recipient(), bad),
                Err(KeyError::Damaged)
            ));
        }
        // The right prime for another key's public half is no key either.
        assert!(Identity::from_secret_prime(test_keys::backup().recipient(), &prime).is_err());
    }

    #[test]
    fn oaep_decoding_matches_the_rsa_crate_and_fails_alike() {
        let identity = test_keys::firm();
        let mut rng = rand_core::OsRng;
        let k = identity.recipient().modulus_len();
        // The raw private-key operation, as a token would do it, then the decoding.
        let raw = |wrapped: &[u8]| {
            let m = rsa::hazmat::rsa_decrypt_and_check(
                &identity.key,
                Some(&mut rand_core::OsRng),
                &BigUint::from_bytes_be(wrapped),
            )
            .unwrap();
            m.to_bytes_be()
        };
        for message in [&[7u8; 32][..], &[0u8; 32], b"", &[0xff; 190]] {
            let wrapped = identity.recipient().wrap(&mut rng, message).unwrap();
            let em = raw(&wrapped);
            assert!(em.len() < k, "the leading zero byte is dropped");
            assert_eq!(decode_oaep_sha256(&em, k).unwrap().as_slice(), message);
            // Any changed byte of the encoded message fails, as one `None`.
            for at in [0, 1, 20, 40, 60, 100, em.len() - 1] {
                let mut bad = em.clone();
                bad[at] ^= 0x10;
                assert!(decode_oaep_sha256(&bad, k).is_none(), "byte {at}");
            }
        }
        // A message padded with SHA-1 (the RSA-OAEP of RFC 7518 §4.2) is not one with SHA-256.
        let sha1 = identity
            .recipient()
            .rsa()
            .encrypt(&mut rng, Oaep::new::<sha1::Sha1>(), &[7; 32])
            .unwrap();
        assert!(decode_oaep_sha256(&raw(&sha1), k).is_none());
        assert!(decode_oaep_sha256(&[0; 300], 256).is_none());
        assert!(decode_oaep_sha256(&[], 256).is_none());
    }

    #[test]
    fn debug_never_shows_private_parts() {
        let shown = format!("{:?}", test_keys::firm());
        assert!(shown.starts_with("Identity("), "{shown}");
        assert!(!shown.contains("primes"), "{shown}");
    }
}
