//! The bundle: one JSON document that carries a whole sealed submission — the sealed [`Submission`] and one sealed
//! part per attachment — and the operations on it: [`seal`], [`open`] and [`inspect`].
//!
//! ```json
//! {"version":1,"submission":{…JWE…},"attachments":[{…JWE…},…]}
//! ```
//! Its [`ReceiptId`] is the SHA-256 of its exact bytes: what the client is shown, what the receiver stores it
//! under, and what the firm sees when opening it. `docs/FORMAT.md` specifies it byte for byte.

use std::fmt;
use std::str::FromStr;

use rand_core::{CryptoRngCore, OsRng};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::attachment::Attachment;
use crate::base64url;
use crate::digest::Sha256Digest;
use crate::envelope::{parse_json, refuse_escapes, seal_part, FramedPart, Jwe};
use crate::format::SUBMISSION_VERSION;
#[cfg(feature = "open")]
use crate::key::KeyUnwrap;
use crate::key::{Kid, Recipient};
use crate::submission::Submission;

// The format's numbers live in `format`, below the errors that name them; these paths are kept for callers.
pub use crate::format::{BUNDLE_VERSION, MAX_ATTACHMENTS};
// The errors live in `error`, below `envelope`, which returns them too; these paths are kept for callers.
pub use crate::error::{OpenError, SealError};

// ---------------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------------

/// The JSON shape of a bundle.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleDocument {
    version: u32,
    submission: Jwe,
    attachments: Vec<Jwe>,
}

/// A [`BundleDocument`] whose parts' ciphertexts are left empty, member for member in the same order.
#[derive(Serialize)]
struct FramedDocument<'a> {
    version: u32,
    submission: FramedPart<'a>,
    attachments: Vec<FramedPart<'a>>,
}

/// Only the version, read first so that a bundle from a newer sealform gets "unsupported version" rather than a
/// confusing complaint about members this version does not know.
#[derive(Deserialize)]
struct VersionProbe {
    version: Option<serde_json::Value>,
}

/// A sealed bundle's identity: the SHA-256 of its exact bytes. In JSON, its full form (64 lowercase hex digits).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReceiptId(Sha256Digest);

/// A sealing's identity, whatever bytes carry it: the SHA-256 of the bundle written out as sealform writes it
/// (compact JSON, members in order; `docs/FORMAT.md` §4), so for a bundle sealform wrote it is the receipt's
/// digest. Two bundles with the same one hold the very same values, written out differently (JSON whitespace,
/// member order: all the strict reader still allows); the receiver stores such a sealing once, under the first
/// receipt. In JSON and [`Display`](fmt::Display), 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentId(Sha256Digest);

/// A bundle ready to send.
#[derive(Clone, Debug)]
pub struct Sealed {
    /// The bundle's bytes (compact JSON).
    pub bytes: Vec<u8>,
    /// The bundle's receipt id.
    pub receipt: ReceiptId,
}

/// A bundle opened and fully verified.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The receipt id of the bytes that were opened.
    pub receipt: ReceiptId,
    /// The sealed answers document.
    pub submission: Submission,
    /// The attachments, in the order of [`Submission::attachments`], each checked against its size and digest.
    pub attachments: Vec<Attachment>,
}

/// What can be learnt about a bundle without a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// The receipt id of the bytes inspected.
    pub receipt: ReceiptId,
    /// The bundle format version.
    pub version: u32,
    /// The key ids every part is sealed for.
    pub recipients: Vec<Kid>,
    /// The sealing's identity, the same under every encoding of it.
    pub content: ContentId,
    /// The size of the bundle in bytes.
    pub bundle_len: usize,
    /// The size of the sealed submission document in bytes.
    pub submission_len: usize,
    /// The size of each attachment in bytes.
    pub attachment_lens: Vec<usize>,
    /// Each key id with the length in bytes of a content key wrapped for it, over every part (each pair once, in
    /// order). Only a length equal to that key's [`Recipient::modulus_len`] can ever be unwrapped.
    pub wrapped_key_lens: Vec<(Kid, usize)>,
    /// Whether every part's protected header is the 17 bytes sealform writes, `{"enc":"A256GCM"}`. Another
    /// spelling of the same header is read (it is valid JWE), but no sealform sealer writes one.
    pub canonical_headers: bool,
}

// ---------------------------------------------------------------------------------------------------------------
// Receipt ids
// ---------------------------------------------------------------------------------------------------------------

impl ReceiptId {
    /// The receipt id of `bundle`'s exact bytes.
    pub fn of(bundle: &[u8]) -> Self {
        Self(Sha256Digest::of(bundle))
    }

    /// The receipt id whose SHA-256 the caller computed over the bundle's exact bytes (the browser uses its own,
    /// faster SHA-256 for large bundles).
    pub fn from_digest(digest: Sha256Digest) -> Self {
        Self(digest)
    }

    /// The full id: the 64 hex digits of the SHA-256.
    pub fn full(&self) -> String {
        self.0.to_string()
    }

    /// The short form, to read over the phone: the first 80 bits in RFC 4648 base32 (letters and the digits 2–7,
    /// which cannot be mistaken for one another), as four groups of four, e.g. `MZXW-6YTB-OI3T-QZLE`.
    pub fn short(&self) -> String {
        let base32 = data_encoding::BASE32_NOPAD.encode(&self.0.as_bytes()[..10]);
        let groups: Vec<&str> = (0..4).map(|i| &base32[i * 4..i * 4 + 4]).collect();
        groups.join("-")
    }

    /// Whether `text` is this id's short form, ignoring case, spaces and dashes (as a person would read it out).
    pub fn matches_short(&self, text: &str) -> bool {
        let spoken: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        spoken == self.short().replace('-', "")
    }

    /// The digest.
    pub fn digest(&self) -> &Sha256Digest {
        &self.0
    }
}

impl fmt::Display for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl ContentId {
    /// The content id whose SHA-256 the caller has (a store reading back what it recorded).
    pub fn from_digest(digest: Sha256Digest) -> Self {
        Self(digest)
    }

    /// The digest.
    pub fn digest(&self) -> &Sha256Digest {
        &self.0
    }
}

impl fmt::Display for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for ContentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentId({})", self.0)
    }
}

impl FromStr for ContentId {
    type Err = crate::digest::DigestParseError;

    /// Reads the full form (64 lowercase hex digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

impl fmt::Debug for ReceiptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiptId({})", self.short())
    }
}

impl FromStr for ReceiptId {
    type Err = crate::digest::DigestParseError;

    /// Reads the full form (64 lowercase hex digits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sealing
// ---------------------------------------------------------------------------------------------------------------

/// Seals a submission and its attachments for every recipient.
///
/// `submission.attachments` must list `attachments` in order ([`Submission::new`] is given the same list, so the
/// consent record's data categories are of exactly these files); a submission that lists others is refused.
pub fn seal(
    recipients: &[Recipient],
    submission: &Submission,
    attachments: &[Attachment],
) -> Result<Sealed, SealError> {
    seal_with_rng(recipients, submission, attachments, &mut OsRng)
}

/// [`seal`] with a caller-chosen random number generator.
pub fn seal_with_rng(
    recipients: &[Recipient],
    submission: &Submission,
    attachments: &[Attachment],
    rng: &mut impl CryptoRngCore,
) -> Result<Sealed, SealError> {
    let prepared = prepare(
        submission,
        attachments.iter().map(|attachment| attachment.bytes.len()),
    )?;
    // Beyond the sizes `prepare` checks for every sealer: names, types and digests, which `open` would otherwise
    // be the first to find wrong.
    if !submission.attachments.iter().eq(attachments
        .iter()
        .map(Attachment::info)
        .collect::<Vec<_>>()
        .iter())
    {
        return Err(SealError::AttachmentsDisagree);
    }
    let submission_part = seal_part(recipients, prepared.json(), rng)?;
    let attachment_parts = attachments
        .iter()
        .map(|attachment| seal_part(recipients, &attachment.bytes, rng))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(assemble(&submission_part, &attachment_parts))
}

/// A submission checked and written as JSON, ready to be sealed as a bundle's first part. Every sealer starts here
/// (core's [`seal`] and the browser's, which encrypts with SubtleCrypto), so the rules below hold for both.
pub struct Prepared {
    json: Zeroizing<Vec<u8>>,
}

impl Prepared {
    /// The submission document's JSON: the plaintext of the bundle's first part.
    pub fn json(&self) -> &[u8] {
        &self.json
    }
}

impl fmt::Debug for Prepared {
    // The JSON is the client's answers: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prepared({} bytes)", self.json.len())
    }
}

/// Checks `submission` before it is sealed with attachments of `attachment_lens` bytes (in order) and writes it:
/// the version this crate writes, at most [`MAX_ATTACHMENTS`], and an attachment list that says exactly how many
/// files there are and how large each is.
pub fn prepare(
    submission: &Submission,
    attachment_lens: impl ExactSizeIterator<Item = usize>,
) -> Result<Prepared, SealError> {
    if submission.version != SUBMISSION_VERSION {
        return Err(SealError::WrongSubmissionVersion {
            found: submission.version,
        });
    }
    if attachment_lens.len() > MAX_ATTACHMENTS {
        return Err(SealError::TooManyAttachments {
            count: attachment_lens.len(),
        });
    }
    let listed = submission.attachments.iter().map(|info| info.size);
    if attachment_lens.len() != submission.attachments.len()
        || !listed.eq(attachment_lens.map(|len| len as u64))
    {
        return Err(SealError::AttachmentsDisagree);
    }
    let json = serde_json::to_vec(submission).map_err(|_| SealError::Encryption)?;
    Ok(Prepared {
        json: Zeroizing::new(json),
    })
}

/// Writes a bundle from parts sealed separately (the browser seals large attachments with its native AES-GCM).
/// The parts must be sealed for the same recipients, and the submission must list the attachments in order;
/// [`open`] checks both.
pub fn assemble(submission: &Jwe, attachments: &[Jwe]) -> Sealed {
    let frame = BundleFrame::new(submission, attachments);
    let ciphertexts: Vec<&[u8]> = std::iter::once(submission)
        .chain(attachments)
        .map(Jwe::ciphertext)
        .collect();
    let mut bytes = Vec::with_capacity(frame.bundle_len(ciphertexts.iter().map(|c| c.len())));
    let mut texts = frame.texts.iter();
    // Ciphertexts first: `zip` stops at the first side that runs out without taking from the other, so the text
    // after the last ciphertext stays in `texts`.
    for (ciphertext, text) in ciphertexts.iter().zip(texts.by_ref()) {
        bytes.extend_from_slice(text.as_bytes());
        encode_ciphertext(ciphertext, &mut bytes);
    }
    for text in texts {
        bytes.extend_from_slice(text.as_bytes());
    }
    let receipt = ReceiptId::of(&bytes);
    Sealed { bytes, receipt }
}

/// Appends the base64url of `ciphertext` (or of a slice of it) to `out`, as a bundle carries it. A browser
/// assembling a large bundle encodes a part's ciphertext a slice at a time so the page keeps painting: slices whose
/// lengths, all but the last, are multiples of 3 ([`CIPHERTEXT_SLICE_MULTIPLE`]) join up to exactly the whole.
pub fn encode_ciphertext(ciphertext: &[u8], out: &mut Vec<u8>) {
    base64url::encode_into(ciphertext, out);
}

/// Slices of a ciphertext given to [`encode_ciphertext`] one after another must be multiples of this many bytes
/// (all but the last): base64 encodes 3 bytes as 4 characters.
pub const CIPHERTEXT_SLICE_MULTIPLE: usize = 3;

/// A bundle's JSON with a hole where each part's ciphertext goes: the bundle is `texts[0]`, the base64url of the
/// submission part's ciphertext, `texts[1]`, the base64url of the first attachment's, …, and the last text. For a
/// browser that keeps the ciphertexts in its own memory and encodes them a slice at a time
/// ([`encode_ciphertext`]), so a large one never sits whole in wasm memory: the JSON around them is still written
/// here, by the one serializer of the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFrame {
    texts: Vec<String>,
}

/// What a part's ciphertext reads as in its JSON while the frame leaves a hole for it.
const EMPTY_CIPHERTEXT: &str = r#""ciphertext":"""#;

impl BundleFrame {
    /// Frames the bundle of these parts. Only their headers, IVs and tags are read: a part whose ciphertext is held
    /// elsewhere ([finished](crate::envelope::PendingPart::finish) with an empty one) frames the same.
    pub fn new<'a>(submission: &'a Jwe, attachments: impl IntoIterator<Item = &'a Jwe>) -> Self {
        let attachments: Vec<FramedPart<'a>> = attachments.into_iter().map(Jwe::framed).collect();
        let parts = 1 + attachments.len();
        let document = FramedDocument {
            version: BUNDLE_VERSION,
            submission: submission.framed(),
            attachments,
        };
        // A struct of parts that themselves serialise infallibly. Each part's JSON holds `"ciphertext":""`, once,
        // in part order; nothing else in it can (every other value is base64url or a fixed name).
        let json = serde_json::to_string(&document).unwrap_or_default();
        let mut texts = Vec::with_capacity(parts + 1);
        let mut rest = json.as_str();
        while let Some(found) = rest.find(EMPTY_CIPHERTEXT) {
            // Up to and including the opening quote of the value; the closing quote starts the next text.
            let (text, after) = rest.split_at(found + EMPTY_CIPHERTEXT.len() - 1);
            texts.push(text.to_owned());
            rest = after;
        }
        texts.push(rest.to_owned());
        Self { texts }
    }

    /// The JSON around the ciphertexts: one text more than there are parts.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The bundle's length in bytes when its parts' ciphertexts are `ciphertext_lens` bytes long (in part order).
    pub fn bundle_len(&self, ciphertext_lens: impl IntoIterator<Item = usize>) -> usize {
        let texts: usize = self.texts.iter().map(String::len).sum();
        texts
            + ciphertext_lens
                .into_iter()
                .map(base64url::encoded_len)
                .sum::<usize>()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------------------------

/// Opens a bundle with any of `identities`, verifying everything: structure, every part's authentication tag, the
/// submission's version, and every attachment's count, size and SHA-256.
///
/// `identities` are [`Identity`](crate::key::Identity)s, or any other [`KeyUnwrap`] backend (the CLI uses
/// `AwsLcIdentity`).
#[cfg(feature = "open")]
pub fn open<K: KeyUnwrap>(identities: &[K], bundle: &[u8]) -> Result<Opened, OpenError> {
    open_with_rng(identities, bundle, &mut OsRng)
}

/// [`open`] with a caller-chosen random number generator (used for RSA blinding).
#[cfg(feature = "open")]
pub fn open_with_rng<K: KeyUnwrap>(
    identities: &[K],
    bundle: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Opened, OpenError> {
    open_dyn(identities, bundle, rng)
}

/// [`open_with_rng`] with the generator behind one pointer, so the body is compiled once per backend only.
#[cfg(feature = "open")]
fn open_dyn<K: KeyUnwrap>(
    identities: &[K],
    bundle: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Result<Opened, OpenError> {
    let document = parse(bundle)?;
    let json = document.submission.decrypt(identities, rng)?;
    // Past this point the content is authentic: whatever is wrong with it, the sealer wrote it so.
    check_version(&json, SUBMISSION_VERSION, "submission (opened)")?;
    let submission: Submission = parse_json(&json, "submission (opened)")?;
    if submission.attachments.len() != document.attachments.len() {
        return Err(OpenError::AttachmentCount {
            listed: submission.attachments.len(),
            carried: document.attachments.len(),
        });
    }
    let attachments = submission
        .attachments
        .iter()
        .zip(&document.attachments)
        .enumerate()
        .map(|(index, (info, part))| {
            let bytes = part.decrypt(identities, rng)?;
            if bytes.len() as u64 != info.size || Sha256Digest::of(&bytes) != info.sha256 {
                return Err(OpenError::AttachmentAltered {
                    index,
                    name: info.name.clone(),
                });
            }
            Ok(Attachment {
                field: info.field.clone(),
                name: info.name.clone(),
                media_type: info.media_type.clone(),
                bytes: bytes.to_vec(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Opened {
        receipt: ReceiptId::of(bundle),
        submission,
        attachments,
    })
}

/// Reads what a bundle shows without a key. Checks the structure strictly, exactly as [`open`] does.
pub fn inspect(bundle: &[u8]) -> Result<Inspection, OpenError> {
    let document = parse(bundle)?;
    let parts = || std::iter::once(&document.submission).chain(&document.attachments);
    let mut wrapped_key_lens: Vec<(Kid, usize)> = parts()
        .flat_map(Jwe::wrapped_key_lens)
        .map(|(kid, len)| (kid.clone(), len))
        .collect();
    wrapped_key_lens.sort();
    wrapped_key_lens.dedup();
    let canonical_headers = parts().all(Jwe::has_canonical_header);
    Ok(Inspection {
        receipt: ReceiptId::of(bundle),
        version: document.version,
        recipients: document.submission.kids().cloned().collect(),
        bundle_len: bundle.len(),
        submission_len: document.submission.content_len(),
        attachment_lens: document.attachments.iter().map(Jwe::content_len).collect(),
        wrapped_key_lens,
        canonical_headers,
        content: ContentId::of_document(&document),
    })
}

/// How much ciphertext is encoded at a time while hashing a bundle's canonical form: a multiple of 3, so the
/// pieces join up to the whole, and small, so no second copy of a large attachment is made.
const HASH_SLICE: usize = CIPHERTEXT_SLICE_MULTIPLE * 16 * 1024;

impl ContentId {
    /// The SHA-256 of `document` written out as [`assemble`] writes it, computed without writing it: the JSON
    /// around the ciphertexts from the one serializer of the format, each ciphertext encoded a slice at a time.
    fn of_document(document: &BundleDocument) -> Self {
        use sha2::{Digest as _, Sha256};
        let frame = BundleFrame::new(&document.submission, &document.attachments);
        let ciphertexts = std::iter::once(&document.submission)
            .chain(&document.attachments)
            .map(Jwe::ciphertext);
        let mut hasher = Sha256::new();
        let mut texts = frame.texts.iter();
        let mut encoded = Vec::with_capacity(base64url::encoded_len(HASH_SLICE));
        for (ciphertext, text) in ciphertexts.zip(texts.by_ref()) {
            hasher.update(text.as_bytes());
            for slice in ciphertext.chunks(HASH_SLICE) {
                encoded.clear();
                encode_ciphertext(slice, &mut encoded);
                hasher.update(&encoded);
            }
        }
        for text in texts {
            hasher.update(text.as_bytes());
        }
        Self(Sha256Digest::from_bytes(hasher.finalize().into()))
    }
}

/// Reads a bundle's structure: version first, then every member strictly, then the rules that span parts.
fn parse(bundle: &[u8]) -> Result<BundleDocument, OpenError> {
    check_version(bundle, BUNDLE_VERSION, "")?;
    let document: BundleDocument = parse_json(bundle, "")?;
    refuse_escapes(bundle)?;
    if document.attachments.len() > MAX_ATTACHMENTS {
        return Err(OpenError::Malformed {
            path: "attachments".into(),
            problem: format!(
                "{} attachments; at most {MAX_ATTACHMENTS} are allowed",
                document.attachments.len()
            ),
        });
    }
    if let Some(index) = document
        .attachments
        .iter()
        .position(|part| !part.same_recipients(&document.submission))
    {
        return Err(OpenError::Malformed {
            path: format!("attachments[{index}].recipients"),
            problem: "not sealed for the same keys as the submission".into(),
        });
    }
    Ok(document)
}

/// Refuses a document whose `version` is missing, not a number, or not `expected`.
fn check_version(json: &[u8], expected: u32, context: &str) -> Result<(), OpenError> {
    let probe: VersionProbe = parse_json(json, context)?;
    match probe.version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(expected)) => Ok(()),
        Some(serde_json::Value::Number(n)) => Err(OpenError::UnsupportedVersion {
            found: n.to_string(),
        }),
        _ => Err(OpenError::Malformed {
            path: if context.is_empty() {
                "version".into()
            } else {
                format!("{context}.version")
            },
            problem: "missing, or not a number".into(),
        }),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

#[cfg(test)]
#[cfg(feature = "open")]
mod tests;
