//! What the client sees of "Save and continue later" (GOV.UK's "save and return" pattern): the page after saving
//! (the link to copy, the file to download, what anyone with them can do, the files to pick again), the notice
//! on coming back, and the way in for a downloaded draft file. The work itself is in [`crate::draft`].

use leptos::prelude::*;
use sealform_core::draft::NamedFile;
use sealform_core::i18n::Texts;
use wasm_bindgen::JsCast;

use crate::check_answers::date_in_words;
use crate::draft::{self, NotKept, ResumeProblem, SaveOutcome, SavedDraft};
use crate::page;

/// The id of the saved page's heading, which takes focus when the page opens.
pub const SAVED_HEADING_ID: &str = "draft-saved-heading";
/// The id of the notice shown on coming back, which takes focus when the form opens with it.
pub const NOTICE_ID: &str = "draft-notice";

/// What the form says about a draft when it opens with one, or could not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DraftNotice {
    /// The answers are back.
    Restored {
        /// Files picked before saving, to pick again.
        files: Vec<NamedFile>,
        /// Whether the form has changed since the draft was saved.
        form_changed: bool,
        /// How many saved answers no longer fit the form.
        dropped: usize,
    },
    /// The draft could not be opened.
    Failed(ResumeProblem),
}

/// The page shown once the answers are saved.
#[component]
pub fn SavedPage(
    /// The save's outcome.
    outcome: SaveOutcome,
    /// The files the client will have to pick again.
    files: Vec<NamedFile>,
    /// Back to the page the client was on.
    on_continue: Callback<()>,
) -> impl IntoView {
    let texts = crate::language::texts();
    let link = outcome.saved.resume_link();
    let kept = link.is_some();
    let until = outcome
        .saved
        .expires_at
        .as_deref()
        .and_then(|at| at.get(..10))
        .map(|day| date_in_words(texts, day));
    let use_link = match until {
        Some(date) => texts.format("draft-link-until", &[("date", date.into())]),
        None => texts.get("draft-link"),
    };
    let copied = RwSignal::new(String::new());
    let copy = {
        let link = link.clone().unwrap_or_default();
        move |_| {
            copy_to_clipboard(&link);
            copied.set(texts.get("draft-link-copied"));
        }
    };
    let saved = StoredValue::new(outcome.saved.clone());
    let download = move |_| download_draft(&saved.get_value());
    let heading = texts.get(if kept {
        "draft-saved-heading"
    } else {
        "draft-download-heading"
    });
    view! {
        <div class="sf-saved" data-testid="draft-saved">
            <h1 class="sf-heading-l" id=SAVED_HEADING_ID tabindex="-1">{heading}</h1>
            {link.map(|link| view! {
                <p class="sf-body">{use_link}</p>
                <div class="sf-form-group">
                    <label class="sf-label" for="sf-resume-link">{texts.get("draft-link-label")}</label>
                    <textarea class="sf-textarea sf-resume-link" id="sf-resume-link" rows="3" readonly=true
                        data-testid="resume-link" spellcheck="false" prop:value=link.clone()></textarea>
                </div>
                <div class="sf-button-group">
                    <button type="button" class="sf-button sf-button--secondary" data-testid="copy-link"
                        on:click=copy>{texts.get("draft-copy-link")}</button>
                    <p class="sf-hint sf-status" role="status">{move || copied.get()}</p>
                </div>
            })}
            {outcome.problem.map(|problem| view! {
                <div class="sf-warning-panel" data-testid="draft-not-kept">
                    <p class="sf-body">{texts.format("draft-not-kept", &[("problem", not_kept_text(texts, &problem).into())])}</p>
                    <p class="sf-body">{texts.get("draft-download-instead")}</p>
                </div>
            })}
            {(!kept && !saved.with_value(|s| s.id.is_some())).then(|| view! {
                <p class="sf-body">{texts.get("draft-download-only")}</p>
            })}
            <div class="sf-inset-text">
                <p class="sf-body"><strong>
                    {texts.get(if kept { "draft-private-link" } else { "draft-private-file" })}
                </strong></p>
                <p class="sf-body">{texts.get("draft-locked")}</p>
            </div>
            {(!files.is_empty()).then(|| view! {
                <h2 class="sf-heading-s">{texts.get("draft-files-heading")}</h2>
                <p class="sf-body">{texts.get("draft-files-again")}</p>
                <ul class="sf-list" data-testid="files-to-pick-again">
                    {files.into_iter().map(|file| view! { <li>{file.name}</li> }).collect_view()}
                </ul>
            })}
            <div class="sf-button-group">
                <button type="button" class="sf-button" data-testid="continue-after-save"
                    on:click=move |_| on_continue.run(())>{texts.get("draft-continue")}</button>
                <button type="button" class="sf-button sf-button--secondary" data-testid="download-draft"
                    on:click=download>{texts.get("draft-download")}</button>
            </div>
        </div>
    }
}

/// The notice at the top of the form when it opens with a draft.
#[component]
pub fn DraftBanner(
    /// What to say.
    notice: DraftNotice,
) -> impl IntoView {
    let texts = crate::language::texts();
    let (title, lines, files, failed) = match notice {
        DraftNotice::Restored {
            files,
            form_changed,
            dropped,
        } => {
            let mut lines = vec![texts.get("draft-restored")];
            if form_changed {
                lines.push(texts.get("draft-form-changed"));
            }
            if dropped > 0 {
                lines.push(texts.format("draft-dropped", &[("count", dropped.into())]));
            }
            (texts.get("draft-welcome-back"), lines, files, false)
        }
        DraftNotice::Failed(problem) => (
            texts.get("draft-not-opened"),
            vec![problem_text(texts, &problem)],
            Vec::new(),
            true,
        ),
    };
    let class = if failed {
        "sf-notice sf-notice--problem"
    } else {
        "sf-notice"
    };
    view! {
        <div class=class id=NOTICE_ID tabindex="-1" role="region" aria-labelledby="draft-notice-title"
            data-testid="draft-notice" data-outcome=if failed { "failed" } else { "restored" }>
            <h2 class="sf-heading-s" id="draft-notice-title">{title}</h2>
            {lines.into_iter().map(|line| view! { <p class="sf-body">{line}</p> }).collect_view()}
            {(!files.is_empty()).then(|| view! {
                <p class="sf-body">{texts.get("draft-files-not-in-draft")}</p>
                <ul class="sf-list">
                    {files.into_iter().map(|file| view! { <li>{file.name}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The plain words for a draft that could not be opened.
pub fn problem_text(texts: &Texts, problem: &ResumeProblem) -> String {
    texts.get(match problem {
        ResumeProblem::Gone => "draft-gone",
        ResumeProblem::Damaged(_) => "draft-damaged",
        ResumeProblem::Unreachable => "draft-unreachable",
    })
}

/// Why the receiver did not keep a draft, to read mid-sentence: its own message when it gave one.
fn not_kept_text(texts: &Texts, problem: &NotKept) -> String {
    match problem {
        NotKept::Gone => texts.get("draft-not-kept-gone"),
        NotKept::Refused {
            message: Some(message),
            ..
        } => message.clone(),
        NotKept::Refused {
            status,
            message: None,
        } => texts.format(
            "draft-not-kept-status",
            &[("status", u32::from(*status).into())],
        ),
        NotKept::Unreachable => texts.get("draft-not-kept-unreachable"),
    }
}

/// "Continue from a downloaded draft": a file input on the form's first page.
#[component]
pub fn LoadDraftFile(
    /// Called with the file's bytes once the client has chosen one.
    on_file: Callback<Vec<u8>>,
) -> impl IntoView {
    let texts = crate::language::texts();
    let changed = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            if let Ok(bytes) = page::read_file(&file).await {
                on_file.run(bytes.to_vec());
            }
        });
    };
    view! {
        <details class="sf-details" data-testid="load-draft">
            <summary class="sf-details__summary">{texts.get("draft-load-summary")}</summary>
            <div class="sf-details__text">
                <label class="sf-label" for="sf-draft-file">{texts.get("draft-load-label")}</label>
                <div class="sf-hint" id="sf-draft-file-hint">{texts.get("draft-load-hint")}</div>
                <input class="sf-file-upload" id="sf-draft-file" type="file" accept=".json,application/json"
                    aria-describedby="sf-draft-file-hint" data-testid="draft-file" on:change=changed/>
            </div>
        </details>
    }
}

fn download_draft(saved: &SavedDraft) {
    let bytes = js_sys::Uint8Array::from(saved.file_bytes().as_slice());
    if page::download(&draft::file_name(), draft::FILE_MEDIA_TYPE, &bytes).is_err() {
        leptos::logging::warn!("sealform: the draft could not be offered as a download");
    }
}

fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        // A promise that fails without permission; the link is in the box to copy by hand as well.
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// The form's draft signals, as one `Copy` value.
#[derive(Clone, Copy, Debug)]
pub struct Drafts {
    /// The draft the client saved or came back with: a later save replaces it, and sending deletes it.
    pub current: RwSignal<Option<SavedDraft>>,
    /// The page after saving, while it is shown (with the files to pick again).
    pub saved_page: RwSignal<Option<(SaveOutcome, Vec<NamedFile>)>>,
    /// The notice about a draft the form opened with, or could not.
    pub notice: RwSignal<Option<DraftNotice>>,
    /// Saving or opening a draft is under way.
    pub busy: RwSignal<bool>,
}

impl Drafts {
    /// No draft yet.
    pub fn new() -> Self {
        Self {
            current: RwSignal::new(None),
            saved_page: RwSignal::new(None),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Seals `document` and keeps it at `drafts_url` (or offers it as a file only), then shows the saved page.
    pub fn save(self, drafts_url: Option<String>, document: sealform_core::draft::Draft) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        let previous = self.current.get_untracked();
        leptos::task::spawn_local(async move {
            match draft::save(drafts_url.as_deref(), &document, previous.as_ref()).await {
                Ok(outcome) => {
                    self.current.set(Some(outcome.saved.clone()));
                    self.saved_page.set(Some((outcome, document.files)));
                    request_animation_frame(|| page::focus(SAVED_HEADING_ID));
                }
                Err(_) => {
                    leptos::logging::error!("sealform: the draft could not be sealed in this page");
                }
            }
            self.busy.set(false);
        });
    }

    /// Opens a draft (from a link or a file) and hands it to `restore`, or shows why it could not be opened.
    pub fn open(
        self,
        opening: impl std::future::Future<
                Output = Result<(sealform_core::draft::Draft, SavedDraft), ResumeProblem>,
            > + 'static,
        restore: impl Fn(sealform_core::draft::Draft) + 'static,
    ) {
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            match opening.await {
                Ok((document, saved)) => {
                    self.current.set(Some(saved));
                    restore(document);
                }
                Err(problem) => {
                    self.notice.set(Some(DraftNotice::Failed(problem)));
                    request_animation_frame(|| page::focus(NOTICE_ID));
                }
            }
            self.busy.set(false);
        });
    }
}

impl Default for Drafts {
    fn default() -> Self {
        Self::new()
    }
}
