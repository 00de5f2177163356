//! What the client sees of "Save and continue later" (GOV.UK's "save and return" pattern): the page after saving
//! (the link to copy, the file to download, what anyone with them can do, the files to pick again), the notice
//! on coming back, and the way in for a downloaded draft file. The work itself is in [`crate::draft`].

use leptos::prelude::*;
use sealform_core::draft::NamedFile;
use wasm_bindgen::JsCast;

use crate::check_answers::date_in_words;
use crate::draft::{self, ResumeProblem, SaveOutcome, SavedDraft};
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
    let link = outcome.saved.resume_link();
    let kept = link.is_some();
    let until = outcome
        .saved
        .expires_at
        .as_deref()
        .and_then(|at| at.get(..10))
        .map(date_in_words);
    let copied = RwSignal::new("");
    let copy = {
        let link = link.clone().unwrap_or_default();
        move |_| {
            copy_to_clipboard(&link);
            copied.set("Link copied.");
        }
    };
    let saved = StoredValue::new(outcome.saved.clone());
    let download = move |_| download_draft(&saved.get_value());
    let heading = if kept {
        "Your answers are saved"
    } else {
        "Download your answers to carry on later"
    };
    view! {
        <div class="sf-saved" data-testid="draft-saved">
            <h1 class="sf-heading-l" id=SAVED_HEADING_ID tabindex="-1">{heading}</h1>
            {link.map(|link| view! {
                <p class="sf-body">
                    "Use this link to come back to the form and carry on where you stopped"
                    {until.map(|date| format!(". It works until {date}"))}"."
                </p>
                <div class="sf-form-group">
                    <label class="sf-label" for="sf-resume-link">"Your link to come back"</label>
                    <textarea class="sf-textarea sf-resume-link" id="sf-resume-link" rows="3" readonly=true
                        data-testid="resume-link" spellcheck="false" prop:value=link.clone()></textarea>
                </div>
                <div class="sf-button-group">
                    <button type="button" class="sf-button sf-button--secondary" data-testid="copy-link"
                        on:click=copy>"Copy link"</button>
                    <p class="sf-hint sf-status" role="status">{move || copied.get()}</p>
                </div>
            })}
            {outcome.problem.map(|problem| view! {
                <div class="sf-warning-panel" data-testid="draft-not-kept">
                    <p class="sf-body">{format!("Your answers could not be kept on the server: {problem}.")}</p>
                    <p class="sf-body">"Download your draft instead, and load it on the form's first page to carry on."</p>
                </div>
            })}
            {(!kept && !saved.with_value(|s| s.id.is_some())).then(|| view! {
                <p class="sf-body">"Download your draft, and load the file on the form's first page when you come back."</p>
            })}
            <div class="sf-inset-text">
                <p class="sf-body"><strong>
                    {if kept {
                        "Anyone who has this link, or the downloaded file, can read your answers. Keep them private, as you would a password."
                    } else {
                        "Anyone who has the downloaded file can read your answers. Keep it private, as you would a password."
                    }}
                </strong></p>
                <p class="sf-body">"Your answers are locked in this browser before they are saved. We cannot read them, and we cannot send you the link again if you lose it."</p>
            </div>
            {(!files.is_empty()).then(|| view! {
                <h2 class="sf-heading-s">"Files are not saved"</h2>
                <p class="sf-body">"When you come back, you will need to choose these files again:"</p>
                <ul class="sf-list" data-testid="files-to-pick-again">
                    {files.into_iter().map(|file| view! { <li>{file.name}</li> }).collect_view()}
                </ul>
            })}
            <div class="sf-button-group">
                <button type="button" class="sf-button" data-testid="continue-after-save"
                    on:click=move |_| on_continue.run(())>"Continue with the form"</button>
                <button type="button" class="sf-button sf-button--secondary" data-testid="download-draft"
                    on:click=download>"Download your draft"</button>
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
    let (title, lines, files, failed) = match notice {
        DraftNotice::Restored {
            files,
            form_changed,
            dropped,
        } => {
            let mut lines = vec!["Your saved answers are back. Check them as you go.".to_owned()];
            if form_changed {
                lines.push(
                    "The form has changed since you saved, so some questions may be new or worded differently."
                        .to_owned(),
                );
            }
            if dropped > 0 {
                lines.push(format!(
                    "{dropped} saved answer{} no longer fit the form and {} left out.",
                    if dropped == 1 { "" } else { "s" },
                    if dropped == 1 { "was" } else { "were" }
                ));
            }
            ("Welcome back", lines, files, false)
        }
        DraftNotice::Failed(problem) => (
            "Your saved answers could not be opened",
            vec![problem_text(&problem).to_owned()],
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
                <p class="sf-body">"Files are not saved in a draft. Choose these again:"</p>
                <ul class="sf-list">
                    {files.into_iter().map(|file| view! { <li>{file.name}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The plain words for a draft that could not be opened.
pub fn problem_text(problem: &ResumeProblem) -> &'static str {
    match problem {
        ResumeProblem::Gone => {
            "This saved form is no longer kept: it was sent, deleted, or the time it was kept for is over. You can \
             start again below."
        }
        ResumeProblem::Damaged(_) => {
            "The link or file is incomplete or damaged. Check that you copied the whole link, or choose the file \
             again. You can also start again below."
        }
        ResumeProblem::Unreachable => {
            "The server could not be reached. Check your connection and open the link again."
        }
    }
}

/// "Continue from a downloaded draft": a file input on the form's first page.
#[component]
pub fn LoadDraftFile(
    /// Called with the file's bytes once the client has chosen one.
    on_file: Callback<Vec<u8>>,
) -> impl IntoView {
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
            <summary class="sf-details__summary">"Continue from a downloaded draft"</summary>
            <div class="sf-details__text">
                <label class="sf-label" for="sf-draft-file">"Choose your draft file"</label>
                <div class="sf-hint" id="sf-draft-file-hint">"The file you downloaded when you saved your answers, named like sealform-draft-2026-12-07.json."</div>
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
