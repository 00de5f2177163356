//! Sealing in the page. Core chooses each part's content key and wraps it for every recipient; the bulk AES-GCM
//! runs in the browser's native SubtleCrypto where there is one (10–30× faster than AES compiled to wasm, and off
//! the main thread), else in core's pure-Rust AES-GCM. Both give byte-identical parts; core assembles the bundle.

use js_sys::{Array, Object, Uint8Array};
use rand_core::OsRng;
use sealform_core::bundle::{assemble, SealError, Sealed};
use sealform_core::envelope::{Jwe, PendingPart};
use sealform_core::key::Recipient;
use sealform_core::{Attachment, Submission};
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

/// Seals the submission and its attachments for `recipients`. `progress(done, total)` is called after each part,
/// and the page gets a turn to paint between parts.
pub async fn seal(
    recipients: &[Recipient],
    submission: &Submission,
    attachments: &[Attachment],
    progress: impl Fn(usize, usize),
) -> Result<(Sealed, AesPath), SealError> {
    let json = Zeroizing::new(serde_json::to_vec(submission).map_err(|_| SealError::Encryption)?);
    let total = 1 + attachments.len();
    let subtle = subtle_crypto();
    let mut path = if subtle.is_some() {
        AesPath::Native
    } else {
        AesPath::Wasm
    };
    let mut parts = Vec::with_capacity(total);
    for (done, plaintext) in std::iter::once(json.as_slice())
        .chain(attachments.iter().map(|a| a.bytes.as_slice()))
        .enumerate()
    {
        progress(done, total);
        next_frame().await;
        let pending = PendingPart::new(recipients, &mut OsRng)?;
        let part = match (&subtle, path) {
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
    progress(total, total);
    let mut parts = parts.into_iter();
    let submission_part: Jwe = parts.next().ok_or(SealError::Encryption)?;
    Ok((assemble(submission_part, parts.collect()), path))
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
    let data = Uint8Array::from(plaintext);
    let sealed = JsFuture::from(subtle.encrypt_with_object_and_buffer_source(
        &Object::from(params),
        &key,
        &data,
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
