//! Sealing in the page. Core chooses each part's content key and wraps it for every recipient; the bulk AES-GCM
//! runs in the browser's native SubtleCrypto where there is one (10–30× faster than AES compiled to wasm, and off
//! the main thread), else in core's pure-Rust AES-GCM. Both give byte-identical parts. Core's `BundleWriter` then
//! writes the bundle a slice at a time, the page painting between slices, and the receipt id is the browser's own
//! SHA-256 of the result: a 25 MB attachment never becomes one long task.

use js_sys::{Array, Object, Uint8Array};
use rand_core::OsRng;
use sealform_core::bundle::{BundleWriter, ReceiptId, SealError, Sealed};
use sealform_core::envelope::{Jwe, PendingPart};
use sealform_core::key::Recipient;
use sealform_core::{Attachment, Sha256Digest, Submission};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, CryptoKey, SubtleCrypto};
use zeroize::Zeroizing;

/// Which AES-GCM did the bulk work (shown to tests and benchmarks as `data-aes` on the form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AesPath {
    /// The browser's SubtleCrypto.
    Native,
    /// Core's pure-Rust AES-GCM compiled to wasm.
    Wasm,
}

impl AesPath {
    /// The name used in `data-aes`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Native => "subtle",
            Self::Wasm => "wasm",
        }
    }
}

/// How many bytes of the bundle to write between turns for the page (a few milliseconds of base64 in wasm).
const SLICE: usize = 2 << 20;

/// Seals the submission and its attachments for `recipients`. `progress(done, total)` is called after each part
/// and each slice of the bundle written, and the page gets a turn to paint between them.
pub async fn seal(
    recipients: &[Recipient],
    submission: &Submission,
    attachments: &[Attachment],
    progress: impl Fn(usize, usize),
) -> Result<(Sealed, AesPath), SealError> {
    let json = Zeroizing::new(serde_json::to_vec(submission).map_err(|_| SealError::Encryption)?);
    let subtle = subtle_crypto();
    let (parts, path) =
        seal_parts(recipients, &json, attachments, subtle.as_ref(), &progress).await?;
    let mut parts = parts.into_iter();
    let submission_part: Jwe = parts.next().ok_or(SealError::Encryption)?;
    let sealed = write_bundle(submission_part, parts.collect(), subtle.as_ref(), &progress).await;
    Ok((sealed, path))
}

/// Seals each part: the submission document, then each attachment. Progress counts parts, then the bundle's
/// slices: the first `1 + attachments` of `total` steps.
async fn seal_parts(
    recipients: &[Recipient],
    json: &[u8],
    attachments: &[Attachment],
    subtle: Option<&SubtleCrypto>,
    progress: &impl Fn(usize, usize),
) -> Result<(Vec<Jwe>, AesPath), SealError> {
    let total = steps(json.len(), attachments);
    let mut path = if subtle.is_some() {
        AesPath::Native
    } else {
        AesPath::Wasm
    };
    let mut parts = Vec::with_capacity(1 + attachments.len());
    for (done, plaintext) in std::iter::once(json)
        .chain(attachments.iter().map(|a| a.bytes.as_slice()))
        .enumerate()
    {
        progress(done, total);
        next_frame().await;
        let pending = PendingPart::new(recipients, &mut OsRng)?;
        let part = match (subtle, path) {
            (Some(subtle), AesPath::Native) => {
                match encrypt_natively(subtle, &pending, plaintext).await {
                    Ok((ciphertext, tag)) => pending.finish(ciphertext, tag),
                    // A browser that has SubtleCrypto but refuses AES-GCM (rare): seal the rest in wasm.
                    Err(_) => {
                        path = AesPath::Wasm;
                        pending.encrypt(plaintext)?
                    }
                }
            }
            _ => pending.encrypt(plaintext)?,
        };
        parts.push(part);
    }
    Ok((parts, path))
}

/// Progress steps: one per part, then one per slice of the bundle.
fn steps(json_len: usize, attachments: &[Attachment]) -> usize {
    let parts = 1 + attachments.len();
    let bytes: usize = json_len + attachments.iter().map(|a| a.bytes.len()).sum::<usize>();
    // The bundle is about 4/3 of the plaintext.
    parts + (bytes / 3 * 4) / SLICE + 1
}

/// Writes the bundle a slice at a time, yielding between slices, then takes its receipt id.
async fn write_bundle(
    submission: Jwe,
    attachments: Vec<Jwe>,
    subtle: Option<&SubtleCrypto>,
    progress: &impl Fn(usize, usize),
) -> Sealed {
    let parts = 1 + attachments.len();
    let mut writer = BundleWriter::new(submission, attachments);
    let total = parts + writer.len() / SLICE + 1;
    let mut bytes = Vec::with_capacity(writer.len());
    let mut done = parts;
    while writer.write_some(&mut bytes, SLICE) {
        done += 1;
        progress(done.min(total), total);
        next_frame().await;
    }
    progress(total, total);
    let receipt = match subtle {
        Some(subtle) => digest_natively(subtle, &bytes)
            .await
            .unwrap_or_else(|_| ReceiptId::of(&bytes)),
        None => ReceiptId::of(&bytes),
    };
    Sealed { bytes, receipt }
}

/// The receipt id with the browser's SHA-256 (asynchronous and native: several times faster than wasm).
async fn digest_natively(subtle: &SubtleCrypto, bytes: &[u8]) -> Result<ReceiptId, JsValue> {
    let digest = JsFuture::from(subtle.digest_with_str_and_u8_array("SHA-256", bytes)?).await?;
    let digest: [u8; 32] = Uint8Array::new(&digest)
        .to_vec()
        .try_into()
        .map_err(|_| JsValue::from_str("SHA-256 is 32 bytes"))?;
    Ok(ReceiptId::from_digest(Sha256Digest::from_bytes(digest)))
}

/// The page's SubtleCrypto, present only in secure contexts (https, or http on localhost).
fn subtle_crypto() -> Option<SubtleCrypto> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let subtle = crypto.subtle();
    // `subtle` is undefined outside secure contexts even though the binding says it is always there.
    (!JsValue::from(subtle.clone()).is_undefined()).then_some(subtle)
}

/// AES-256-GCM with the part's key, IV and AAD in SubtleCrypto; returns the ciphertext and the 128-bit tag.
async fn encrypt_natively(
    subtle: &SubtleCrypto,
    pending: &PendingPart,
    plaintext: &[u8],
) -> Result<(Vec<u8>, [u8; 16]), JsValue> {
    let usages = Array::of1(&JsValue::from_str("encrypt"));
    let raw_key = Uint8Array::from(pending.content_key().as_slice());
    let key: CryptoKey =
        JsFuture::from(subtle.import_key_with_str("raw", &raw_key, "AES-GCM", false, &usages)?)
            .await?
            .dyn_into()?;
    // The key bytes were copied into the JS heap for import; overwrite our copy there.
    raw_key.fill(0, 0, 32);
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(pending.iv().as_slice()));
    params.set_additional_data(&Uint8Array::from(pending.aad()));
    params.set_tag_length(128);
    // SubtleCrypto copies the data when called, so a view of wasm memory is enough: no copy of the plaintext here.
    let sealed = JsFuture::from(subtle.encrypt_with_object_and_u8_array(
        &Object::from(params),
        &key,
        plaintext,
    )?)
    .await?;
    let mut bytes = Uint8Array::new(&sealed).to_vec();
    let split = bytes
        .len()
        .checked_sub(16)
        .ok_or_else(|| JsValue::from_str("AES-GCM output shorter than its tag"))?;
    let tag: [u8; 16] = bytes[split..]
        .try_into()
        .map_err(|_| JsValue::from_str("AES-GCM tag"))?;
    bytes.truncate(split);
    Ok((bytes, tag))
}

/// Yields to the browser so it can paint the progress before the next part.
async fn next_frame() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
