//! "Save and continue later", in the page: the client's answers sealed to a fresh random key with SubtleCrypto's
//! AES-256-GCM ([`sealform_core::draft`] has the format), kept by the receiver as ciphertext under an id it picks,
//! and opened again from a resume link (whose fragment carries the id and the key, and is never sent) or from a
//! downloaded draft file. Sending the final submission deletes the receiver's copy.
//!
//! Nothing of a draft is ever put in the browser's storage: the link and the file are the only copies the client
//! keeps, by their own choice.

use gloo_net::http::{Request, RequestBuilder};
use rand_core::{OsRng, RngCore as _};
use sealform_core::draft::{self, Draft, DraftError, DraftFile, DraftKey, ResumeLink, SealedDraft};
use sealform_core::protocol::draft::{
    draft_path, DraftId, DraftSaved, DraftUpload, StoredDraft, DRAFTS_PATH, SECRET_HEADER,
};
use sealform_core::protocol::Refusal;
use wasm_bindgen::JsValue;

use crate::config::LoadedConfig;
use crate::page;
use crate::seal::{self, Direction};

/// A draft the client has saved: what its link, its file and a later save or delete need.
#[derive(Clone, Debug)]
pub struct SavedDraft {
    /// Its id at the receiver, when the receiver keeps it.
    pub id: Option<DraftId>,
    /// The key it is sealed to. A later save seals to the same key and replaces the receiver's copy, so the link
    /// the client copied goes on working.
    pub key: DraftKey,
    /// When the receiver deletes it, RFC 3339 UTC.
    pub expires_at: Option<String>,
    /// The sealed draft, for "Download your draft".
    pub sealed: String,
}

impl SavedDraft {
    /// The link that opens the form again with this draft: this page's address with the id and key in its
    /// fragment (`None` when the receiver does not keep the draft). In an iframe it is the form's own page, so a
    /// firm's page and its scripts never see the key.
    pub fn resume_link(&self) -> Option<String> {
        let id = self.id?;
        let here = page::href();
        let base = here.split('#').next().unwrap_or_default();
        let link = ResumeLink {
            id,
            key: self.key.clone(),
        };
        Some(format!("{base}#{}", &*link.fragment()))
    }

    /// The draft as a file: the sealed draft with its key (so it opens on its own) and the receiver's id.
    pub fn file_bytes(&self) -> Vec<u8> {
        DraftFile::new(self.id, &self.key, self.sealed.clone()).to_bytes()
    }
}

/// How a save went.
#[derive(Clone, Debug)]
pub struct SaveOutcome {
    /// The draft, sealed; kept by the receiver when it has an id.
    pub saved: SavedDraft,
    /// Why the receiver did not keep it, when it was asked to and did not (the draft can still be downloaded).
    pub problem: Option<NotKept>,
}

/// Why the receiver did not keep a draft. The view says it in the client's language (all but the receiver's own
/// message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotKept {
    /// It no longer has the earlier draft this save was to replace.
    Gone,
    /// It refused: its HTTP status, and its message when it gave one.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The receiver's own message.
        message: Option<String>,
    },
    /// It could not be reached.
    Unreachable,
}

/// Why a saved draft could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResumeProblem {
    /// The receiver no longer has it: sent, deleted or expired.
    Gone,
    /// The link or the file is damaged or incomplete, or its key does not open the draft.
    Damaged(DraftError),
    /// The receiver could not be reached.
    Unreachable,
}

/// Where this form's drafts are kept, when its receiver keeps them: beside its submissions endpoint.
pub fn drafts_url(config: &LoadedConfig) -> Option<String> {
    config
        .draft_days
        .map(|_| page::resolve(DRAFTS_PATH, &config.endpoint))
}

/// Seals `draft` in the page and asks the receiver at `drafts_url` (if any) to keep it: in place of `previous`
/// when there is one, so the client's link stays the same. Fails only if the page cannot seal.
pub async fn save(
    drafts_url: Option<&str>,
    draft: &Draft,
    previous: Option<&SavedDraft>,
) -> Result<SaveOutcome, JsValue> {
    let key = previous.map_or_else(|| DraftKey::generate(&mut OsRng), |p| p.key.clone());
    let sealed = seal_draft(draft, &key).await?;
    let mut saved = SavedDraft {
        id: None,
        key,
        expires_at: None,
        sealed,
    };
    let Some(url) = drafts_url else {
        return Ok(SaveOutcome {
            saved,
            problem: None,
        });
    };
    let stored = match previous.and_then(|p| p.id) {
        Some(id) => match upload(Request::put(&format!("{url}/{id}")), &saved).await {
            // Expired or deleted in the meantime: keep it as a new draft (the link changes, and the page says so).
            Err(NotKept::Gone) => upload(Request::post(url), &saved).await,
            other => other,
        },
        None => upload(Request::post(url), &saved).await,
    };
    let problem = match stored {
        Ok(answer) => {
            saved.id = Some(answer.id);
            saved.expires_at = Some(answer.expires_at);
            None
        }
        Err(problem) => Some(problem),
    };
    Ok(SaveOutcome { saved, problem })
}

async fn upload(request: RequestBuilder, saved: &SavedDraft) -> Result<DraftSaved, NotKept> {
    let body = DraftUpload {
        draft: saved.sealed.clone(),
    };
    let request = private(request)
        .header(SECRET_HEADER, saved.key.secret().expose())
        .json(&body)
        .map_err(|_| NotKept::Unreachable)?;
    let response = request.send().await.map_err(|_| NotKept::Unreachable)?;
    match response.status() {
        200 | 201 => response.json().await.map_err(|_| NotKept::Unreachable),
        404 => Err(NotKept::Gone),
        status => Err(NotKept::Refused {
            status,
            message: response
                .json::<Refusal>()
                .await
                .ok()
                .map(|refusal| refusal.error),
        }),
    }
}

/// Fetches the draft a resume link names and opens it with the link's key.
pub async fn resume(
    config: &LoadedConfig,
    link: ResumeLink,
) -> Result<(Draft, SavedDraft), ResumeProblem> {
    let url = page::resolve(&draft_path(&link.id), &config.endpoint);
    let response = private(Request::get(&url))
        .send()
        .await
        .map_err(|_| ResumeProblem::Unreachable)?;
    let stored: StoredDraft = match response.status() {
        200 => response
            .json()
            .await
            .map_err(|_| ResumeProblem::Unreachable)?,
        404 => return Err(ResumeProblem::Gone),
        _ => return Err(ResumeProblem::Unreachable),
    };
    let draft = open_draft(&stored.draft, &link.key)
        .await
        .map_err(ResumeProblem::Damaged)?;
    Ok((
        draft,
        SavedDraft {
            id: Some(link.id),
            key: link.key,
            expires_at: Some(stored.expires_at),
            sealed: stored.draft,
        },
    ))
}

/// Opens a downloaded draft file's bytes.
pub async fn open_file(bytes: &[u8]) -> Result<(Draft, SavedDraft), ResumeProblem> {
    let file = DraftFile::from_bytes(bytes).map_err(ResumeProblem::Damaged)?;
    let key = file.key().map_err(ResumeProblem::Damaged)?;
    let draft = open_draft(&file.draft, &key)
        .await
        .map_err(ResumeProblem::Damaged)?;
    Ok((
        draft,
        SavedDraft {
            id: file.id,
            key,
            expires_at: None,
            sealed: file.draft,
        },
    ))
}

/// Deletes the receiver's copy once the final submission is stored. A failure is only logged: the draft holds
/// nothing the receiver can read, and it expires anyway.
pub async fn delete(config: &LoadedConfig, saved: &SavedDraft) {
    let Some(id) = saved.id else {
        return;
    };
    let url = page::resolve(&draft_path(&id), &config.endpoint);
    let deleted = private(Request::delete(&url))
        .header(SECRET_HEADER, saved.key.secret().expose())
        .send()
        .await;
    match deleted {
        Ok(response) if response.status() == 204 || response.status() == 404 => {}
        _ => leptos::logging::warn!(
            "sealform: the saved draft could not be deleted from the server; it expires by itself"
        ),
    }
}

/// No cookies and no referrer on a draft's requests: the receiver needs nothing but the ciphertext.
fn private(request: RequestBuilder) -> RequestBuilder {
    request
        .credentials(web_sys::RequestCredentials::Omit)
        .referrer_policy(web_sys::ReferrerPolicy::NoReferrer)
}

/// Seals the draft with SubtleCrypto under a fresh random IV.
async fn seal_draft(draft: &Draft, key: &DraftKey) -> Result<String, JsValue> {
    let subtle = seal::subtle_crypto().ok_or("no SubtleCrypto")?;
    let mut iv = [0; 12];
    OsRng.fill_bytes(&mut iv);
    let sealed = seal::aes_gcm(
        &subtle,
        Direction::Encrypt,
        key.as_bytes(),
        &iv,
        SealedDraft::aad().as_bytes(),
        seal::Data::Wasm(&draft.to_json()),
    )
    .await?
    .to_vec();
    let (ciphertext, tag) = sealed.split_at(sealed.len().saturating_sub(16));
    let tag: [u8; 16] = tag.try_into().map_err(|_| "AES-GCM tag")?;
    Ok(SealedDraft::compose(&iv, ciphertext, &tag))
}

/// Opens a sealed draft with SubtleCrypto: all of it, or one [`DraftError`].
async fn open_draft(text: &str, key: &DraftKey) -> Result<Draft, DraftError> {
    let sealed = SealedDraft::parse(text)?;
    let subtle = seal::subtle_crypto().ok_or(DraftError::WrongKey)?;
    let plaintext = seal::aes_gcm(
        &subtle,
        Direction::Decrypt,
        key.as_bytes(),
        sealed.iv(),
        sealed.own_aad(),
        seal::Data::Wasm(&sealed.ciphertext_and_tag()),
    )
    .await
    .map_err(|_| DraftError::WrongKey)?;
    let plaintext = zeroize::Zeroizing::new(plaintext.to_vec());
    Draft::from_json(&plaintext)
}

/// The resume link in this page's address, if it has one.
pub fn link_in_address() -> Option<Result<ResumeLink, DraftError>> {
    let hash = web_sys::window()?.location().hash().ok()?;
    ResumeLink::from_fragment(&hash)
}

/// Takes the resume link out of the address once the draft is sent, so a reload does not ask for a deleted draft
/// and the key does not linger in the address bar.
pub fn forget_link_in_address() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(hash) = window.location().hash() else {
        return;
    };
    if ResumeLink::from_fragment(&hash).is_none() {
        return;
    }
    let here = page::href();
    let base = here.split('#').next().unwrap_or_default().to_owned();
    if let Ok(history) = window.history() {
        let state = history.state().unwrap_or(JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(&base));
    }
}

/// The name of a downloaded draft file.
pub fn file_name() -> String {
    format!("sealform-draft-{}.json", &page::now_rfc3339()[..10])
}

/// The media type of a downloaded draft file.
pub const FILE_MEDIA_TYPE: &str = "application/json";

/// Re-exported for the view: the version written into each draft.
pub use draft::DRAFT_VERSION;
