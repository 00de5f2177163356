//! A client's unfinished answers, saved to finish later: the [`Draft`] document, sealed in the browser to a fresh
//! random [`DraftKey`] with AES-256-GCM as a standard JWE in compact serialization (RFC 7516 §7.1, `"alg":"dir"`,
//! `"enc":"A256GCM"`), the [`ResumeLink`] that carries the draft's id and key in a URL fragment, and the
//! [`DraftFile`] a client downloads instead of (or as well as) keeping the link.
//!
//! The receiver stores the sealed draft and never sees the key: a fragment is never sent in an HTTP request. So
//! **whoever has the link, or the file, can read the draft** until it expires or is deleted; the form says so to
//! the client, and `THREAT-MODEL.md` weighs it. A draft holds no consent (the client gives those when sending)
//! and no file (only the names, so the client can be asked to pick them again).
//!
//! `docs/FORMAT.md` describes the draft's format. The browser seals and opens drafts with SubtleCrypto
//! ([`SealedDraft::compose`], [`SealedDraft::parse`]); [`seal`] and [`open`] do the same natively, for the tests
//! and any tool of the firm's.

use std::fmt;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::answers::Answers;
use crate::base64url;
use crate::digest::Sha256Digest;
use crate::protocol::draft::{DraftId, DraftSecret};

/// The `cty` of a sealed draft: what its plaintext is.
pub const DRAFT_MEDIA_TYPE: &str = "application/vnd.sealform.draft+json";

/// The version of the draft document this code writes and reads.
pub const DRAFT_VERSION: u32 = 1;

/// The protected header of every draft the form seals.
const PROTECTED: &str =
    r#"{"alg":"dir","enc":"A256GCM","cty":"application/vnd.sealform.draft+json"}"#;

/// The name in a URL fragment before a resume link's id and key: `#sealform-draft=ID.KEY`.
pub const FRAGMENT_NAME: &str = "sealform-draft";

/// What the client had entered when they saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// Always [`DRAFT_VERSION`].
    pub sealform_draft: u32,
    /// The SHA-256 of the form config the draft was filled in, so a changed form can be told apart.
    pub form_sha256: Sha256Digest,
    /// When it was saved, RFC 3339 UTC.
    pub saved_at: String,
    /// The page the client was on (the form's page number, 1 for the first).
    pub page: u32,
    /// Every answer entered, shown or not (a question hidden by a condition keeps its answer in case the client
    /// shows it again, as the form does); group answers as rows.
    pub answers: Answers,
    /// The files the client had picked: named only, since a draft never holds a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<NamedFile>,
}

/// A file picked before saving, which the client must pick again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedFile {
    /// The file question's id.
    pub field: String,
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Why a draft could not be read. Each is one clear outcome, never a partial draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DraftError {
    /// The text is not a sealed draft (five base64url parts, an empty key, a 96-bit IV, a 128-bit tag).
    #[error("this is not a saved sealform draft")]
    NotADraft,
    /// The header is not `dir` with `A256GCM`, or asks for something this code does not do.
    #[error("this draft is sealed in a way sealform does not use")]
    Header,
    /// The key does not open it: a different draft's key, or the draft was changed.
    #[error("the key does not open this draft: the link is incomplete or the draft was changed")]
    WrongKey,
    /// It opened, but what is inside is not a draft document of this version.
    #[error("this draft was saved by a different version of the form and cannot be read")]
    Document,
}

// ---------------------------------------------------------------------------------------------------------------
// The key, the link and the file
// ---------------------------------------------------------------------------------------------------------------

/// A draft's key: 256 random bits, drawn in the browser for each draft. Wiped from memory when dropped; never
/// printed.
#[derive(Clone)]
pub struct DraftKey(Zeroizing<[u8; 32]>);

impl DraftKey {
    /// A key from a cryptographic random source.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut bytes = Zeroizing::new([0; 32]);
        rng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// Reads a key written as by [`to_text`](Self::to_text).
    pub fn parse(text: &str) -> Result<Self, DraftError> {
        let bytes = Zeroizing::new(base64url::decode(text).map_err(|_| DraftError::NotADraft)?);
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| DraftError::NotADraft)?;
        Ok(Self(Zeroizing::new(array)))
    }

    /// The key as 43 base64url characters, for the link and the file.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(base64url::encode(self.0.as_ref()))
    }

    /// The raw key, for SubtleCrypto's import.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The capability to replace or delete this draft at the receiver: SHA-256 over a fixed label and the key.
    /// One-way, so the receiver, given the secret, learns nothing of the key; the label keeps it from equalling
    /// any other hash of the key.
    pub fn secret(&self) -> DraftSecret {
        let mut hash = Sha256::new();
        hash.update(b"sealform draft secret v1\0");
        hash.update(self.0.as_ref());
        DraftSecret::from_bytes(&hash.finalize().into())
    }
}

impl fmt::Debug for DraftKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DraftKey(…)")
    }
}

/// What a resume link adds to the form's address: the draft's id at the receiver and its key, in the fragment
/// (`#sealform-draft=ID.KEY`), which browsers never send to a server.
#[derive(Clone, Debug)]
pub struct ResumeLink {
    /// The draft's id at the receiver.
    pub id: DraftId,
    /// The key that opens it.
    pub key: DraftKey,
}

impl ResumeLink {
    /// The fragment, without its `#`.
    pub fn fragment(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{FRAGMENT_NAME}={}.{}",
            self.id,
            &*self.key.to_text()
        ))
    }

    /// The link's id and key from a page's fragment (with or without its `#`); `None` when the fragment is not a
    /// resume link. A damaged one (cut short when copied, say) is [`DraftError::NotADraft`].
    pub fn from_fragment(fragment: &str) -> Option<Result<Self, DraftError>> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let value = fragment.strip_prefix(FRAGMENT_NAME)?.strip_prefix('=')?;
        Some(Self::parse_value(value))
    }

    fn parse_value(value: &str) -> Result<Self, DraftError> {
        let (id, key) = value.split_once('.').ok_or(DraftError::NotADraft)?;
        Ok(Self {
            id: id.parse().map_err(|_| DraftError::NotADraft)?,
            key: DraftKey::parse(key)?,
        })
    }
}

/// The version of the draft file this code writes and reads.
pub const DRAFT_FILE_VERSION: u32 = 1;

/// A draft as a file ("Download your draft"): the sealed draft with its key, so the file opens on its own, even
/// after the receiver's copy has expired; and the receiver's id when there is one, so that sending the form after
/// loading the file still deletes the receiver's copy. **Anyone with the file can read the draft**, as with the
/// link; the form says so beside the button.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftFile {
    /// Always [`DRAFT_FILE_VERSION`].
    pub sealform_draft_file: u32,
    /// The draft's id at the receiver, when it was saved there too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<DraftId>,
    /// The key, as [`DraftKey::to_text`] writes it.
    pub key: String,
    /// The sealed draft, in compact serialization.
    pub draft: String,
}

impl DraftFile {
    /// The file of `sealed`, opened by `key`.
    pub fn new(id: Option<DraftId>, key: &DraftKey, sealed: String) -> Self {
        Self {
            sealform_draft_file: DRAFT_FILE_VERSION,
            id,
            key: key.to_text().to_string(),
            draft: sealed,
        }
    }

    /// Reads a draft file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DraftError> {
        let file: Self = serde_json::from_slice(bytes).map_err(|_| DraftError::NotADraft)?;
        if file.sealform_draft_file != DRAFT_FILE_VERSION {
            return Err(DraftError::Document);
        }
        Ok(file)
    }

    /// The file's bytes: pretty-printed JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The key it carries.
    pub fn key(&self) -> Result<DraftKey, DraftError> {
        DraftKey::parse(&self.key)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The document and its sealing
// ---------------------------------------------------------------------------------------------------------------

impl Draft {
    /// The document's bytes, as they are sealed.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        // A struct of strings, numbers and maps: serialising it cannot fail.
        Zeroizing::new(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads an opened draft's bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DraftError> {
        let draft: Self = serde_json::from_slice(bytes).map_err(|_| DraftError::Document)?;
        if draft.sealform_draft != DRAFT_VERSION {
            return Err(DraftError::Document);
        }
        Ok(draft)
    }
}

/// A sealed draft taken apart: what AES-GCM needs to open it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedDraft {
    protected: String,
    iv: [u8; 12],
    ciphertext: Vec<u8>,
    tag: [u8; 16],
}

impl SealedDraft {
    /// The additional authenticated data every draft is sealed with: its protected header's base64url (RFC 7516
    /// §5.1 step 14), for [`compose`](Self::compose).
    pub fn aad() -> String {
        base64url::encode(PROTECTED.as_bytes())
    }

    /// The compact serialization of a draft sealed with [`aad`](Self::aad) under `iv` (96 random bits, fresh for
    /// every sealing).
    pub fn compose(iv: &[u8; 12], ciphertext: &[u8], tag: &[u8; 16]) -> String {
        format!(
            "{}..{}.{}.{}",
            Self::aad(),
            base64url::encode(iv),
            base64url::encode(ciphertext),
            base64url::encode(tag)
        )
    }

    /// Takes a compact serialization apart, checking its shape and header (nothing is decrypted).
    pub fn parse(text: &str) -> Result<Self, DraftError> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let [protected, encrypted_key, iv, ciphertext, tag] = parts[..] else {
            return Err(DraftError::NotADraft);
        };
        let decode = |part: &str| base64url::decode(part).map_err(|_| DraftError::NotADraft);
        check_header(&decode(protected)?)?;
        if !encrypted_key.is_empty() {
            return Err(DraftError::Header);
        }
        Ok(Self {
            protected: protected.to_owned(),
            iv: decode(iv)?.try_into().map_err(|_| DraftError::NotADraft)?,
            ciphertext: decode(ciphertext)?,
            tag: decode(tag)?.try_into().map_err(|_| DraftError::NotADraft)?,
        })
    }

    /// The IV.
    pub fn iv(&self) -> &[u8; 12] {
        &self.iv
    }

    /// The additional authenticated data this draft was sealed with (its own protected header, as written).
    pub fn own_aad(&self) -> &[u8] {
        self.protected.as_bytes()
    }

    /// The ciphertext followed by the tag: the input SubtleCrypto's `decrypt` takes.
    pub fn ciphertext_and_tag(&self) -> Vec<u8> {
        let mut joined = Vec::with_capacity(self.ciphertext.len() + 16);
        joined.extend_from_slice(&self.ciphertext);
        joined.extend_from_slice(&self.tag);
        joined
    }
}

/// A draft's header must be exactly `dir` and `A256GCM`: no compression (`zip`), and nothing critical this code
/// would not honour (`crit`).
fn check_header(bytes: &[u8]) -> Result<(), DraftError> {
    #[derive(Deserialize)]
    struct Header {
        alg: String,
        enc: String,
        // Only whether they are there matters; `IgnoredAny` reads past them without building a value.
        zip: Option<serde::de::IgnoredAny>,
        crit: Option<serde::de::IgnoredAny>,
    }
    let header: Header = serde_json::from_slice(bytes).map_err(|_| DraftError::NotADraft)?;
    if header.alg != "dir"
        || header.enc != "A256GCM"
        || header.zip.is_some()
        || header.crit.is_some()
    {
        return Err(DraftError::Header);
    }
    Ok(())
}

/// Seals `draft` to `key` natively (the browser does the same with SubtleCrypto).
pub fn seal(draft: &Draft, key: &DraftKey, rng: &mut impl CryptoRngCore) -> String {
    let mut iv = [0; 12];
    rng.fill_bytes(&mut iv);
    let mut buffer = draft.to_json();
    let cipher = Aes256Gcm::new(key.as_bytes().into());
    // AES-GCM fails only past 64 GiB; a draft is a few kilobytes.
    let tag = cipher
        .encrypt_in_place_detached(
            Nonce::from_slice(&iv),
            SealedDraft::aad().as_bytes(),
            &mut buffer,
        )
        .map(<[u8; 16]>::from)
        .unwrap_or_default();
    SealedDraft::compose(&iv, &buffer, &tag)
}

/// Opens a sealed draft with `key` natively: all of it, or a [`DraftError`].
pub fn open(text: &str, key: &DraftKey) -> Result<Draft, DraftError> {
    let sealed = SealedDraft::parse(text)?;
    let mut buffer = Zeroizing::new(sealed.ciphertext.clone());
    Aes256Gcm::new(key.as_bytes().into())
        .decrypt_in_place_detached(
            Nonce::from_slice(&sealed.iv),
            sealed.own_aad(),
            &mut buffer,
            Tag::from_slice(&sealed.tag),
        )
        .map_err(|_| DraftError::WrongKey)?;
    Draft::from_json(&buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Answer;
    use rand_core::OsRng;

    fn draft() -> Draft {
        let mut answers = Answers::default();
        answers.insert("full_name", Answer::Text("CANARY-Ada".into()));
        Draft {
            sealform_draft: DRAFT_VERSION,
            form_sha256: Sha256Digest::of(b"form"),
            saved_at: "2026-12-07T10:00:00Z".into(),
            page: 3,
            answers,
            files: vec![NamedFile {
                field: "documents".into(),
                name: "lease.pdf".into(),
                size: 1234,
            }],
        }
    }

    #[test]
    fn a_draft_seals_and_opens_and_hides_what_it_holds() {
        let key = DraftKey::generate(&mut OsRng);
        let sealed = seal(&draft(), &key, &mut OsRng);
        assert!(!sealed.contains("CANARY"));
        assert!(!sealed.contains(&base64url::encode(b"CANARY-Ada")));
        assert_eq!(open(&sealed, &key), Ok(draft()));
        let header = base64url::decode(sealed.split('.').next().unwrap()).unwrap();
        assert_eq!(header, PROTECTED.as_bytes());
    }

    #[test]
    fn the_wrong_key_or_a_changed_byte_is_one_clear_error() {
        let key = DraftKey::generate(&mut OsRng);
        let sealed = seal(&draft(), &key, &mut OsRng);
        let other = DraftKey::generate(&mut OsRng);
        assert_eq!(open(&sealed, &other), Err(DraftError::WrongKey));
        let parts: Vec<&str> = sealed.split('.').collect();
        let mut ciphertext = base64url::decode(parts[3]).unwrap();
        ciphertext[0] ^= 1;
        let tampered = format!(
            "{}..{}.{}.{}",
            parts[0],
            parts[2],
            base64url::encode(&ciphertext),
            parts[4]
        );
        assert_eq!(open(&tampered, &key), Err(DraftError::WrongKey));
        // A header changed (here to another content type) changes the AAD: the tag no longer checks out.
        let header = base64url::encode(br#"{"alg":"dir","enc":"A256GCM","cty":"text/plain"}"#);
        let swapped = format!("{header}..{}.{}.{}", parts[2], parts[3], parts[4]);
        assert_eq!(open(&swapped, &key), Err(DraftError::WrongKey));
    }

    #[test]
    fn what_is_not_a_draft_is_refused_before_decrypting() {
        let key = DraftKey::generate(&mut OsRng);
        let sealed = seal(&draft(), &key, &mut OsRng);
        assert_eq!(SealedDraft::parse("").unwrap_err(), DraftError::NotADraft);
        assert_eq!(
            SealedDraft::parse(&sealed[..sealed.len() - 3]).unwrap_err(),
            DraftError::NotADraft
        );
        let parts: Vec<&str> = sealed.split('.').collect();
        let rsa = base64url::encode(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
        let other_alg = format!("{rsa}..{}.{}.{}", parts[2], parts[3], parts[4]);
        assert_eq!(SealedDraft::parse(&other_alg), Err(DraftError::Header));
        let zipped = base64url::encode(br#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#);
        let zipped = format!("{zipped}..{}.{}.{}", parts[2], parts[3], parts[4]);
        assert_eq!(SealedDraft::parse(&zipped), Err(DraftError::Header));
        let with_key = format!("{}.AAAA.{}.{}.{}", parts[0], parts[2], parts[3], parts[4]);
        assert_eq!(SealedDraft::parse(&with_key), Err(DraftError::Header));
    }

    #[test]
    fn a_resume_link_carries_the_id_and_key_in_the_fragment() {
        let link = ResumeLink {
            id: DraftId::from_random([1; 16]),
            key: DraftKey::generate(&mut OsRng),
        };
        let fragment = link.fragment();
        assert!(fragment.starts_with("sealform-draft="));
        let back = ResumeLink::from_fragment(&format!("#{}", &*fragment))
            .unwrap()
            .unwrap();
        assert_eq!(back.id, link.id);
        assert_eq!(back.key.as_bytes(), link.key.as_bytes());
        assert!(ResumeLink::from_fragment("#main").is_none());
        assert!(ResumeLink::from_fragment("").is_none());
        let cut = &fragment[..fragment.len() - 5];
        assert_eq!(
            ResumeLink::from_fragment(cut).unwrap().unwrap_err(),
            DraftError::NotADraft
        );
        // The secret is a function of the key alone, and is not the key.
        assert_eq!(link.key.secret().hash(), back.key.secret().hash());
        assert_ne!(link.key.secret().expose(), &*link.key.to_text());
    }

    #[test]
    fn a_draft_file_opens_on_its_own() {
        let key = DraftKey::generate(&mut OsRng);
        let sealed = seal(&draft(), &key, &mut OsRng);
        let file = DraftFile::new(Some(DraftId::from_random([2; 16])), &key, sealed);
        let read = DraftFile::from_bytes(&file.to_bytes()).unwrap();
        assert_eq!(open(&read.draft, &read.key().unwrap()), Ok(draft()));
        assert_eq!(read.id, file.id);
        assert_eq!(
            DraftFile::from_bytes(b"{\"hello\":1}").unwrap_err(),
            DraftError::NotADraft
        );
    }

    #[test]
    fn a_document_of_another_version_is_refused() {
        let mut old = draft();
        old.sealform_draft = 2;
        let key = DraftKey::generate(&mut OsRng);
        assert_eq!(
            open(&seal(&old, &key, &mut OsRng), &key),
            Err(DraftError::Document)
        );
    }
}
