//! Sealing in the page. Core chooses each part's content key and IV and checks what comes back; the browser's
//! SubtleCrypto wraps the key for every recipient (RSA-OAEP-256) and runs the bulk AES-GCM (10–30× faster than AES
//! compiled to wasm, and off the main thread). So the wasm carries neither RSA arithmetic nor AES (about 13 KB
//! gzip); a page without SubtleCrypto (not a secure context) cannot seal and says so when it loads. The bundle is then
//! assembled in the browser's memory: core writes the JSON around the ciphertexts (`BundleFrame`) and encodes each
//! ciphertext a slice at a time, the page painting between slices, so a 25 MB attachment never becomes one long
//! task and never sits whole in wasm memory. The receipt id (the bundle's SHA-256) is taken by SubtleCrypto while
//! the bundle is being sent.

use js_sys::{Array, Object, Reflect, Uint8Array};
use rand_core::OsRng;
use sealform_core::bundle::{self, BundleFrame, ReceiptId, SealError};
use sealform_core::envelope::{Jwe, PendingPart, UnwrappedPart};
use sealform_core::key::Recipient;
use sealform_core::{Sha256Digest, Submission};
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, CryptoKey, SubtleCrypto};

use crate::file_bytes::FileBytes;

/// Which AES-GCM did the bulk work (shown to tests and benchmarks as `data-aes` on the form): always the
/// browser's SubtleCrypto now, kept so the tests and the benchmark go on checking it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AesPath {
    /// The browser's SubtleCrypto.
    Native,
}

impl AesPath {
    /// The name used in `data-aes`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Native => "subtle",
        }
    }
}

/// Whether this page can seal: it needs the browser's SubtleCrypto, which only secure contexts have.
pub fn can_seal() -> bool {
    subtle_crypto().is_some()
}

/// How many bytes of ciphertext to encode between turns for the page: about a millisecond of base64 in wasm, and
/// small enough to stay in the processor's cache on its way through wasm memory. A multiple of 3, so the slices'
/// encodings join up exactly (core's `CIPHERTEXT_SLICE_MULTIPLE`).
const SLICE: usize = 3 * 349_525;
const _: () = assert!(SLICE.is_multiple_of(bundle::CIPHERTEXT_SLICE_MULTIPLE));

/// A sealed bundle, held in the browser's memory (a JS `Uint8Array`): what is sent, or downloaded when it could
/// not be. Assembled there a slice at a time, a large bundle never sits whole in wasm memory, which cannot shrink
/// once grown.
#[derive(Clone, Debug)]
pub struct Bundle(SendWrapper<Uint8Array>);

impl Bundle {
    /// The bundle's bytes in the browser's memory (for `fetch` and `Blob`, which take them without a copy into
    /// wasm).
    pub fn bytes(&self) -> &Uint8Array {
        &self.0
    }

    /// Starts taking the bundle's receipt id (its SHA-256) and returns a future for it; the hashing runs while
    /// the caller does other work (sends the bundle).
    pub fn receipt(&self) -> impl std::future::Future<Output = ReceiptId> + use<> {
        let digest = sha256(&self.0);
        async move { ReceiptId::from_digest(digest.await) }
    }
}

/// Starts taking the SHA-256 of `bytes` with the browser's SubtleCrypto (native, off the main thread, many times
/// faster than SHA-256 in wasm) and returns a future for it. Without SubtleCrypto, or if it fails, the hash is
/// taken in wasm.
pub fn sha256(bytes: &Uint8Array) -> impl std::future::Future<Output = Sha256Digest> + use<> {
    // Called now, not when the future is first polled: SubtleCrypto starts hashing at once.
    let digest = subtle_crypto().and_then(|subtle| {
        subtle
            .digest_with_str_and_buffer_source("SHA-256", bytes)
            .ok()
    });
    let bytes = bytes.clone();
    async move {
        let native = match digest {
            Some(promise) => JsFuture::from(promise).await.ok(),
            None => None,
        };
        let digest: Option<[u8; 32]> =
            native.and_then(|digest| Uint8Array::new(&digest).to_vec().try_into().ok());
        match digest {
            Some(digest) => Sha256Digest::from_bytes(digest),
            None => Sha256Digest::of(&bytes.to_vec()),
        }
    }
}

/// A sealed part, and where its ciphertext is.
struct SealedPart {
    /// The part; its ciphertext is empty: `native` holds it.
    jwe: Jwe,
    /// The ciphertext SubtleCrypto returned, kept in the browser's memory.
    native: Uint8Array,
}

/// Seals the submission and its attachments for `recipients`. `progress(done, total)` is called after each part
/// and each step of writing the bundle, and the page gets a turn to paint between them.
pub async fn seal(
    recipients: &[Recipient],
    submission: &Submission,
    attachments: &[FileBytes],
    progress: impl Fn(usize, usize),
) -> Result<(Bundle, AesPath), SealError> {
    // Core's one check of what is sealed (version, how many files, their sizes against the list), then the JSON.
    let prepared = bundle::prepare(submission, attachments.iter().map(|bytes| bytes.len()))?;
    let subtle = subtle_crypto().ok_or(SealError::Encryption)?;
    let total = steps(prepared.json().len(), attachments);
    let (parts, path) = seal_parts(recipients, prepared.json(), attachments, &subtle, |done| {
        progress(done, total)
    })
    .await?;
    progress(parts.len(), total);
    crate::page::mark("sealform:parts-sealed");
    next_turn().await;
    let bundle = assemble(parts, |done| progress(done, total))
        .await
        .map_err(|_| SealError::Encryption)?;
    progress(total, total);
    Ok((Bundle(SendWrapper::new(bundle)), path))
}

/// Seals each part: the submission document, then each attachment. SubtleCrypto's ciphertext stays in the
/// browser's memory. Every SubtleCrypto failure is one [`SealError::Encryption`]: nothing half-sealed is kept.
async fn seal_parts(
    recipients: &[Recipient],
    json: &[u8],
    attachments: &[FileBytes],
    subtle: &SubtleCrypto,
    progress: impl Fn(usize),
) -> Result<(Vec<SealedPart>, AesPath), SealError> {
    let wrapping_keys = import_recipients(subtle, recipients)
        .await
        .map_err(|_| SealError::Encryption)?;
    let mut parts = Vec::with_capacity(1 + attachments.len());
    // The submission document from wasm memory (SubtleCrypto copies it when called, so no copy is left in the
    // JS heap); each file from the browser's memory, where it already is.
    let files: Vec<Uint8Array> = attachments.iter().map(FileBytes::to_js).collect();
    for (done, plaintext) in std::iter::once(Data::Wasm(json))
        .chain(files.iter().map(Data::Browser))
        .enumerate()
    {
        progress(done);
        next_turn().await;
        let part = UnwrappedPart::new(recipients, &mut OsRng)?;
        let keys = wrap_natively(subtle, &wrapping_keys, part.content_key())
            .await
            .map_err(|_| SealError::Encryption)?;
        let pending = part.wrapped(keys)?;
        let (ciphertext, tag) = encrypt_natively(subtle, &pending, plaintext)
            .await
            .map_err(|_| SealError::Encryption)?;
        parts.push(SealedPart {
            jwe: pending.finish(Vec::new(), tag),
            native: ciphertext,
        });
    }
    Ok((parts, AesPath::Native))
}

/// Each recipient's public key as a SubtleCrypto RSA-OAEP (SHA-256) encryption key, from its JWK.
async fn import_recipients(
    subtle: &SubtleCrypto,
    recipients: &[Recipient],
) -> Result<Vec<CryptoKey>, JsValue> {
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"RSA-OAEP".into())?;
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into())?;
    let usages = Array::of1(&JsValue::from_str("encrypt"));
    let mut keys = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        // Core's JWK: `kty`, `n`, `e`, `kid`, `alg: RSA-OAEP-256`, `use: enc`, all of which SubtleCrypto checks
        // against the algorithm and usage asked for.
        let jwk: Object = js_sys::JSON::parse(&recipient.to_jwk())?.dyn_into()?;
        let key =
            JsFuture::from(subtle.import_key_with_object("jwk", &jwk, &algorithm, false, &usages)?)
                .await?
                .dyn_into()?;
        keys.push(key);
    }
    Ok(keys)
}

/// The content key wrapped with RSA-OAEP-256 for each recipient, in order.
async fn wrap_natively(
    subtle: &SubtleCrypto,
    keys: &[CryptoKey],
    content_key: &[u8; 32],
) -> Result<Vec<Vec<u8>>, JsValue> {
    let mut wrapped = Vec::with_capacity(keys.len());
    for key in keys {
        let sealed =
            JsFuture::from(subtle.encrypt_with_str_and_u8_array("RSA-OAEP", key, content_key)?)
                .await?;
        wrapped.push(Uint8Array::new(&sealed).to_vec());
    }
    Ok(wrapped)
}

/// Progress steps: one per part, then one per slice of ciphertext encoded into the bundle.
fn steps(json_len: usize, attachments: &[FileBytes]) -> usize {
    let slices: usize = std::iter::once(json_len)
        .chain(attachments.iter().map(FileBytes::len))
        .map(|len| len.div_ceil(SLICE))
        .sum();
    1 + attachments.len() + slices
}

/// Assembles the bundle in the browser's memory: core's frame (the JSON around the ciphertexts) and each
/// ciphertext's base64url, encoded by core a slice at a time through one small wasm buffer and copied into place,
/// the page painting between slices. So a large attachment's ciphertext and bundle never sit whole in wasm memory
/// (which would grow for good): only a slice does.
async fn assemble(parts: Vec<SealedPart>, progress: impl Fn(usize)) -> Result<Uint8Array, JsValue> {
    let mut done = parts.len();
    // `seal_parts` always seals the submission first.
    let (submission, attachments) = parts.split_first().ok_or("no parts")?;
    let frame = BundleFrame::new(&submission.jwe, attachments.iter().map(|part| &part.jwe));
    let ciphertexts: Vec<&Uint8Array> = parts.iter().map(|part| &part.native).collect();
    let len = frame.bundle_len(ciphertexts.iter().map(|c| c.length() as usize));
    let bundle = Uint8Array::new_with_length(u32::try_from(len).map_err(|_| "bundle too large")?);
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        // `at + bytes.len() <= len`: the frame's length counts exactly these texts and encodings.
        bundle
            .subarray(at, at + bytes.len() as u32)
            .copy_from(bytes);
        at += bytes.len() as u32;
    };
    let mut slice = Vec::new();
    let mut encoded = Vec::new();
    for (index, text) in frame.texts().iter().enumerate() {
        put(text.as_bytes());
        let Some(ciphertext) = ciphertexts.get(index) else {
            break;
        };
        let ciphertext_len = ciphertext.length() as usize;
        for start in (0..ciphertext_len).step_by(SLICE) {
            let end = ciphertext_len.min(start + SLICE);
            slice.resize(end - start, 0);
            ciphertext
                .subarray(start as u32, end as u32)
                .copy_to(&mut slice);
            encoded.clear();
            bundle::encode_ciphertext(&slice, &mut encoded);
            put(&encoded);
            done += 1;
            progress(done);
            next_turn().await;
        }
    }
    Ok(bundle)
}

/// The page's SubtleCrypto, present only in secure contexts (https, or http on localhost).
pub(crate) fn subtle_crypto() -> Option<SubtleCrypto> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let subtle = crypto.subtle();
    // `subtle` is undefined outside secure contexts even though the binding says it is always there.
    (!JsValue::from(subtle.clone()).is_undefined()).then_some(subtle)
}

/// AES-256-GCM with the part's key, IV and AAD in SubtleCrypto; returns the ciphertext (in the browser's memory)
/// and the 128-bit tag.
async fn encrypt_natively(
    subtle: &SubtleCrypto,
    pending: &PendingPart,
    plaintext: Data<'_>,
) -> Result<(Uint8Array, [u8; 16]), JsValue> {
    let sealed = aes_gcm(
        subtle,
        Direction::Encrypt,
        pending.content_key(),
        pending.iv(),
        pending.aad(),
        plaintext,
    )
    .await?;
    let split = sealed
        .length()
        .checked_sub(16)
        .ok_or_else(|| JsValue::from_str("AES-GCM output shorter than its tag"))?;
    let tag: [u8; 16] = sealed
        .subarray(split, sealed.length())
        .to_vec()
        .try_into()
        .map_err(|_| JsValue::from_str("AES-GCM tag"))?;
    Ok((sealed.subarray(0, split), tag))
}

/// What [`aes_gcm`] works on, where it is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Data<'a> {
    /// In wasm memory: a document the form wrote (the submission, a draft).
    Wasm(&'a [u8]),
    /// In the browser's memory: a picked file.
    Browser(&'a Uint8Array),
}

/// Which way [`aes_gcm`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Seal: the output is the ciphertext followed by the tag.
    Encrypt,
    /// Open: the input is the ciphertext followed by the tag; a wrong key or a changed byte fails.
    Decrypt,
}

/// AES-256-GCM (128-bit tag) with `key`, `iv` and `aad` in SubtleCrypto, either way: what sealing a part and
/// sealing or opening a draft share. The output stays in the browser's memory.
pub(crate) async fn aes_gcm(
    subtle: &SubtleCrypto,
    direction: Direction,
    key: &[u8; 32],
    iv: &[u8; 12],
    aad: &[u8],
    data: Data<'_>,
) -> Result<Uint8Array, JsValue> {
    let usage = match direction {
        Direction::Encrypt => "encrypt",
        Direction::Decrypt => "decrypt",
    };
    let usages = Array::of1(&JsValue::from_str(usage));
    let raw_key = Uint8Array::from(key.as_slice());
    let key: CryptoKey =
        JsFuture::from(subtle.import_key_with_str("raw", &raw_key, "AES-GCM", false, &usages)?)
            .await?
            .dyn_into()?;
    // The key bytes were copied into the JS heap for import; overwrite our copy there.
    raw_key.fill(0, 0, 32);
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(iv.as_slice()));
    params.set_additional_data(&Uint8Array::from(aad));
    params.set_tag_length(128);
    let params = Object::from(params);
    // SubtleCrypto copies the data when called, so a view of wasm memory is enough: no copy of it here.
    let output = match (direction, data) {
        (Direction::Encrypt, Data::Wasm(data)) => {
            subtle.encrypt_with_object_and_u8_array(&params, &key, data)?
        }
        (Direction::Encrypt, Data::Browser(data)) => {
            subtle.encrypt_with_object_and_buffer_source(&params, &key, data)?
        }
        (Direction::Decrypt, Data::Wasm(data)) => {
            subtle.decrypt_with_object_and_u8_array(&params, &key, data)?
        }
        (Direction::Decrypt, Data::Browser(data)) => {
            subtle.decrypt_with_object_and_buffer_source(&params, &key, data)?
        }
    };
    Ok(Uint8Array::new(&JsFuture::from(output).await?))
}

/// Yields to the browser so it can paint the progress and handle input before the next step: with
/// `scheduler.yield()` where there is one (Chrome 129, Firefox 142), which resumes at once when nothing else waits,
/// else with `setTimeout(0)`, which browsers hold back to 4 ms once timers nest.
pub(crate) async fn next_turn() {
    let scheduler = Reflect::get(&js_sys::global(), &JsValue::from_str("scheduler")).ok();
    let yielded = scheduler.and_then(|scheduler| {
        let function: js_sys::Function = Reflect::get(&scheduler, &JsValue::from_str("yield"))
            .ok()?
            .dyn_into()
            .ok()?;
        function
            .call0(&scheduler)
            .ok()?
            .dyn_into::<js_sys::Promise>()
            .ok()
    });
    match yielded {
        Some(promise) => {
            let _ = JsFuture::from(promise).await;
        }
        None => gloo_timers::future::TimeoutFuture::new(0).await,
    }
}
