//! The intake form itself: sections of questions, the consent step, the error summary, and what happens when the
//! client presses "Send securely" — check, seal in the page, send, then the receipt (or a sealed copy to download).
//!
//! One file past 700 lines for now: its panels read and write the same handful of signals (the answers, the phase,
//! the journey, the drafts) that `IntakeForm` owns; the receipt and the not-sent panels are the next to move out,
//! with those signals grouped into one context value.

use std::sync::Arc;

use leptos::prelude::*;
use sealform_core::i18n::{self, Texts};
use sealform_core::protocol;
use sealform_core::schema::{DataCategory, FieldKind};

use crate::check_answers::{row_name, CheckAnswers};
use crate::config::{EmbedOptions, LoadedConfig};
use crate::fields::{
    error_message, form_group, question_label, Ctx, FileQuestion, Place, Question,
};
use crate::flow::{self, NotSealed, Problem, SealedCopy, SentAt};
use crate::journey::{Journey, Step};
use crate::language;
use crate::page;
use crate::save_later::{DraftBanner, DraftNotice, Drafts, LoadDraftFile, SavedPage, NOTICE_ID};
use crate::seal::Bundle;
use crate::send::{self, SendOutcome};
use crate::state::{element_id, FormState};

/// Where the form is in its life, with the page's sealed bundle.
type Phase = flow::Phase<Bundle>;

/// The form's signals that a send reads and writes, as one `Copy` value handed to each of its steps.
#[derive(Clone, Copy)]
struct Form {
    /// The firm's checked config.
    config: StoredValue<LoadedConfig>,
    /// What the client has entered.
    state: RwSignal<FormState>,
    /// Where the send is.
    phase: RwSignal<Phase>,
    /// The AES implementation sealing used (the root's `data-aes`, for tests).
    aes: RwSignal<&'static str>,
    /// A proof of work solved ahead, for the next send's first try.
    pow: RwSignal<Option<String>>,
    /// What the embedding page asked for.
    options: StoredValue<EmbedOptions>,
    /// The client's saved draft, deleted from the receiver once the form is sent.
    drafts: Drafts,
}

/// How a move to another page of the form is recorded in the browser's history.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Record {
    /// A new entry: the client moved on (Continue, Back, Change).
    Push,
    /// None: the browser itself moved (its Back or Forward).
    Nothing,
}

/// Where focus goes on the page the client arrives at.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Focus {
    /// The page's heading, so a screen reader starts at the top of the new page (GOV.UK).
    Heading,
    /// The question a Change link was for.
    Field(String),
    /// The error summary: the page was reached because of its problems.
    Problems,
    /// The notice about the draft the form has just opened.
    Notice,
}

/// The id of the heading of a page of the form.
fn heading_id(schema: &sealform_core::FormSchema, step: Step) -> Option<String> {
    match step {
        Step::Section(i) => schema.sections.get(i).map(|s| format!("{}-heading", s.id)),
        Step::CheckAnswers => Some("check-answers-heading".to_owned()),
        Step::Declaration => Some("consent-heading".to_owned()),
        Step::Whole => None,
    }
}

/// The page's own name, for the document title.
fn page_title(texts: &Texts, schema: &sealform_core::FormSchema, step: Step) -> Option<String> {
    match step {
        Step::Section(i) => schema.sections.get(i).map(|s| s.title.clone()),
        Step::CheckAnswers => Some(texts.get("title-check-answers")),
        Step::Declaration => Some(texts.get("consent-heading")),
        Step::Whole => None,
    }
}

/// The form for a loaded, checked config.
#[component]
pub fn IntakeForm(
    /// The firm's checked config.
    config: LoadedConfig,
    /// What the embedding page asked for.
    options: EmbedOptions,
) -> impl IntoView {
    // Every component below speaks the language the form is shown in.
    let texts = i18n::texts(&config.schema.language);
    language::provide(texts);
    let config = StoredValue::new(config);
    let title = config.with_value(|c| c.schema.title.clone());
    let state = RwSignal::new(FormState::default());
    let phase = RwSignal::new(Phase::Filling);
    let honeypot = RwSignal::new(String::new());
    let aes = RwSignal::new("");
    let options = StoredValue::new(options);
    let journey = RwSignal::new(
        config.with_value(|c| Journey::start(c.schema.layout, c.schema.sections.len())),
    );
    let stepped = journey.with_untracked(Journey::stepped);
    let drafts = Drafts::new();

    // Once the client has tried to go on from a page, its problems are re-checked as they type; only the page's own.
    let recheck = Callback::new(move |()| {
        if state.with_untracked(|s| s.attempted) {
            config.with_value(|c| {
                journey.with_untracked(|j| {
                    state.update(|s| {
                        s.check_page(&c.schema, page::today(), |key| j.shows(&c.schema, key));
                    })
                })
            });
        }
    });
    let ctx = Ctx::new(state, recheck, config.with_value(|c| c.schema.clone()));

    // The page title names the page, and says "Error:" while it shows problems; the unload guard warns while there
    // is unsent work.
    Effect::new(move |_| {
        let has_errors = state.with(|s| s.attempted && !s.errors.is_empty());
        let step = journey.with(|j| j.step);
        let name = config.with_value(|c| page_title(texts, &c.schema, step));
        let error_prefix = has_errors.then(|| texts.get("error-prefix"));
        match name {
            Some(name) => page::set_title(
                &texts.format(
                    "title-page",
                    &[("page", name.into()), ("form", (&title).into())],
                ),
                error_prefix.as_deref(),
            ),
            None => page::set_title(&title, error_prefix.as_deref()),
        }
    });
    page::guard_unload(move || {
        let unsent_answers = state.with_untracked(FormState::has_input);
        let unsent_bundle = phase.get_untracked().unsent_bundle();
        unsent_answers || unsent_bundle
    });
    page::watch_height(options.get_value());

    // Moves to another page of the form: its problems forgotten until the client tries to go on from it, recorded
    // in the browser's history, focus where the client should start.
    let show = move |step: Step, returning: bool, record: Record, focus: Focus| {
        journey.update(|j| j.go(step, returning));
        state.update(FormState::arrive);
        drafts.notice.set(None);
        drafts.saved_page.set(None);
        if record == Record::Push {
            let number = journey.with_untracked(|j| j.number(step));
            page::record_step(number, returning, true);
        }
        let target = match focus {
            Focus::Heading => config.with_value(|c| heading_id(&c.schema, step)),
            Focus::Field(id) => Some(id),
            Focus::Problems => Some("error-summary".to_owned()),
            Focus::Notice => Some(NOTICE_ID.to_owned()),
        };
        if let Some(target) = target {
            request_animation_frame(move || page::focus(&target));
        }
    };
    // Moves to the first page with a problem in a full check, showing that page's share of the problems found.
    let show_problems = move |step: Step, errors: Vec<sealform_core::FieldError>| {
        if journey.with_untracked(|j| j.step) != step {
            show(step, false, Record::Push, Focus::Problems);
        } else {
            request_animation_frame(|| page::focus("error-summary"));
        }
        config.with_value(|c| {
            journey.with_untracked(|j| {
                state.update(|s| {
                    s.attempted = true;
                    s.errors = errors
                        .into_iter()
                        .filter(|error| j.shows(&c.schema, &error.field))
                        .collect();
                })
            })
        });
    };
    if stepped {
        let first = journey.with_untracked(|j| j.number(j.step));
        page::record_step(first, false, false);
        page::on_history(move |number, returning| {
            if phase.get_untracked().busy() || phase.with_untracked(|p| p.receipt().is_some()) {
                return;
            }
            drafts.saved_page.set(None);
            if let Some(step) = journey.with_untracked(|j| j.step_numbered(number)) {
                show(step, returning, Record::Nothing, Focus::Heading);
            }
        });
    }

    // A saved draft, opened from the link in the address or from a file: its answers put back, the client taken to
    // the page they saved on, told what to pick again.
    let restore = move |document: sealform_core::draft::Draft, record: Record| {
        let dropped = config.with_value(|c| {
            state
                .try_update(|s| s.restore(&c.schema, &document.answers))
                .unwrap_or(0)
        });
        let form_changed = config.with_value(|c| c.digest != document.form_sha256);
        let step = journey.with_untracked(|j| j.step_numbered(document.page).unwrap_or(j.step));
        show(step, false, record, Focus::Notice);
        if record == Record::Nothing {
            page::record_step(journey.with_untracked(|j| j.number(step)), false, false);
        }
        drafts.notice.set(Some(DraftNotice::Restored {
            files: document.files,
            form_changed,
            dropped,
        }));
        // The answers are back on screen once this frame paints: the draft round trip's end, for the bench.
        request_animation_frame(|| page::mark("sealform:draft-restored"));
    };
    match crate::draft::link_in_address() {
        Some(Ok(link)) => {
            let loaded = config.get_value();
            drafts.open(
                async move { crate::draft::resume(&loaded, link).await },
                move |d| restore(d, Record::Nothing),
            );
        }
        Some(Err(problem)) => {
            drafts.notice.set(Some(DraftNotice::Failed(
                crate::draft::ResumeProblem::Damaged(problem),
            )));
            request_animation_frame(|| page::focus(NOTICE_ID));
        }
        None => {}
    }
    let load_file = Callback::new(move |bytes: Vec<u8>| {
        drafts.open(
            async move { crate::draft::open_file(&bytes).await },
            move |d| restore(d, Record::Push),
        );
    });
    let save_later = move |_| {
        let document = config.with_value(|c| {
            state.with_untracked(|s| sealform_core::draft::Draft {
                sealform_draft: crate::draft::DRAFT_VERSION,
                form_sha256: c.digest,
                saved_at: page::now_rfc3339(),
                page: journey.with_untracked(|j| j.number(j.step)),
                answers: s.entered(),
                files: s
                    .named_files()
                    .into_iter()
                    .map(|(field, name, size)| sealform_core::draft::NamedFile {
                        field,
                        name,
                        size,
                    })
                    .collect(),
            })
        });
        drafts.save(config.with_value(crate::draft::drafts_url), document);
    };
    let leave_saved_page = Callback::new(move |()| {
        drafts.saved_page.set(None);
        let target =
            config.with_value(|c| heading_id(&c.schema, journey.with_untracked(|j| j.step)));
        request_animation_frame(move || page::focus(target.as_deref().unwrap_or("sealform-form")));
    });

    // A proof-of-work challenge, when the receiver asks for them, solved while the client types.
    let pow: RwSignal<Option<String>> = RwSignal::new(None);
    let endpoint = config.with_value(|c| c.endpoint.clone());
    if config.with_value(|c| c.proof_of_work) {
        solve_ahead(pow, endpoint.clone());
    }

    let form = Form {
        config,
        state,
        phase,
        aes,
        pow,
        options,
        drafts,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let here = journey.get_untracked();
        // A section's page: Continue checks its own questions only.
        if let Step::Section(_) = here.step {
            let ok = config.with_value(|c| {
                let mut ok = false;
                state.update(|s| {
                    s.attempted = true;
                    ok = s.check_page(&c.schema, page::today(), |key| here.shows(&c.schema, key));
                });
                ok
            });
            match (ok, here.next()) {
                (true, Some(next)) => show(next, false, Record::Push, Focus::Heading),
                // GOV.UK: the summary takes focus so screen readers announce it.
                _ => request_animation_frame(|| page::focus("error-summary")),
            }
            return;
        }
        if !phase.get_untracked().can_submit() {
            return;
        }
        // The check page and Send check everything: a problem on an earlier page (an answer changed since, a date
        // that has passed) sends the client back to it.
        let (problem, errors) = config.with_value(|c| {
            let mut errors = Vec::new();
            state.update(|s| {
                s.check(&c.schema, page::today());
                errors = std::mem::take(&mut s.errors);
            });
            (here.first_problem(&c.schema, &errors), errors)
        });
        match (here.step, problem) {
            (Step::CheckAnswers, None | Some(Step::Declaration)) => {
                show(Step::Declaration, false, Record::Push, Focus::Heading);
                return;
            }
            (_, Some(step)) => {
                show_problems(step, errors);
                return;
            }
            (_, None) => {}
        }
        if !honeypot.get_untracked().is_empty() {
            phase.set(Phase::honeypot_filled());
            return;
        }
        let endpoint = endpoint.clone();
        leptos::task::spawn_local(async move {
            seal_and_send(form, &endpoint).await;
        });
    };

    let retry = move |_| {
        let Some(sealed) = phase.get_untracked().sealed() else {
            return;
        };
        let endpoint = config.with_value(|c| c.endpoint.clone());
        leptos::task::spawn_local(async move {
            let outcome = deliver(form, &endpoint, &sealed.bundle).await;
            settle(form, outcome, sealed);
        });
    };
    let back = move |_| {
        let here = journey.get_untracked();
        if let Some(step) = here.back() {
            show(step, false, Record::Push, Focus::Heading);
        }
    };
    let change = Callback::new(move |(section, field): (usize, String)| {
        show(
            Step::Section(section),
            true,
            Record::Push,
            Focus::Field(field),
        );
    });

    let sections = config.with_value(|c| c.schema.sections.clone());
    let schema = StoredValue::new(config.with_value(|c| c.schema.clone()));
    let firm = config.with_value(|c| c.schema.firm.clone());
    let recipients = config.with_value(|c| c.schema.recipients.clone());
    let notices = config.with_value(|c| c.schema.notices.clone());
    let description = config.with_value(|c| c.schema.description.clone());
    let heading = config.with_value(|c| c.schema.title.clone());

    let filling = move || phase.get().receipt().is_none();
    let on = move |step: Step| move || journey.with(|j| j.step == step || j.step == Step::Whole);
    let at_start = move || journey.with(|j| j.back().is_none());
    let on_section = move || journey.with(|j| matches!(j.step, Step::Section(_)));
    let sending_page = move || journey.with(|j| matches!(j.step, Step::Declaration | Step::Whole));
    let progress = move || {
        journey.with(|j| {
            j.progress().map(|(number, total)| {
                texts.format(
                    "journey-progress",
                    &[("number", number.into()), ("total", total.into())],
                )
            })
        })
    };
    // The introduction (what the form is, who it is sealed for, the firm's notices) opens the form: on the first
    // page when stepped, above everything on a single page.
    let intro = {
        let firm_name = StoredValue::new(firm.name.clone());
        let kids = StoredValue::new(
            recipients
                .iter()
                .map(|r| r.kid().short().to_owned())
                .collect::<Vec<_>>(),
        );
        let notices = StoredValue::new(notices);
        let description = StoredValue::new(description);
        move || {
            view! {
                {description.get_value().map(|d| view! { <p class="sf-body">{d}</p> })}
                <SealedFor firm=firm_name.get_value() recipients=kids.get_value()/>
                {notices.get_value().into_iter().map(|n| view! {
                    <div class="sf-inset-text" data-notice=n.id.clone()>
                        {n.title.clone().map(|t| view! { <h2 class="sf-heading-s">{t}</h2> })}
                        <p class="sf-body">{n.text.clone()}</p>
                    </div>
                }).collect_view()}
            }
        }
    };
    view! {
        <div class="sf-form-root" data-aes=move || aes.get() data-step=move || journey.with(|j| j.number(j.step).to_string())>
            <Show when=filling fallback=move || view! { <ReceiptPanel phase=phase/> }>
              {move || drafts.saved_page.get().map(|(outcome, files)| view! {
                  <SavedPage outcome=outcome files=files on_continue=leave_saved_page/>
              })}
              <div class="sf-filling" hidden=move || drafts.saved_page.with(Option::is_some)>
                {stepped.then(|| view! {
                    <button type="button" class="sf-back-link" data-testid="back" hidden=at_start
                        disabled=move || phase.get().busy() on:click=back>{texts.get("journey-back")}</button>
                })}
                {move || drafts.notice.get().map(|notice| view! { <DraftBanner notice=notice/> })}
                <ErrorSummary state=state/>
                {if stepped {
                    view! {
                        <p class="sf-caption" data-testid="form-title">{heading.clone()}</p>
                        <div hidden=move || !at_start()>{intro()}<LoadDraftFile on_file=load_file/></div>
                    }.into_any()
                } else {
                    view! { <h1 class="sf-heading-l">{heading.clone()}</h1>{intro()}<LoadDraftFile on_file=load_file/> }.into_any()
                }}
                <form novalidate=true on:submit=submit.clone() id="sealform-form">
                    {sections.iter().enumerate().map(|(i, section)| {
                        let heading_id = format!("{}-heading", section.id);
                        let heading = if stepped {
                            view! {
                                <p class="sf-caption sf-caption--progress" data-testid="progress">{progress}</p>
                                <h1 class="sf-heading-l" id=heading_id.clone() tabindex="-1">{section.title.clone()}</h1>
                            }.into_any()
                        } else {
                            view! { <h2 class="sf-heading-m" id=heading_id.clone()>{section.title.clone()}</h2> }.into_any()
                        };
                        view! {
                            <section class="sf-section" aria-labelledby=heading_id data-section=section.id.clone()
                                hidden=move || !on(Step::Section(i))()>
                                {heading}
                                {section.description.clone().map(|d| view! { <p class="sf-body">{d}</p> })}
                                {section.fields.iter().map(|field| field_view(field.clone(), ctx)).collect_view()}
                            </section>
                        }
                    }).collect_view()}
                    <Show when=move || journey.with(|j| j.step == Step::CheckAnswers)>
                        <CheckAnswers schema=schema state=state change=change/>
                    </Show>
                    <div hidden=move || !sending_page()>
                        <ConsentStep config=config state=state recheck=recheck stepped=stepped/>
                        <div class="sf-honeypot" aria-hidden="true">
                            <label for="sf-website">{texts.get("honeypot-label")}</label>
                            <input id="sf-website" type="text" tabindex="-1" autocomplete="off"
                                prop:value=move || honeypot.get()
                                on:input=move |ev| honeypot.set(event_target_value(&ev))/>
                        </div>
                        <StatusPanel phase=phase firm=firm.clone() on_retry=Callback::new(retry)/>
                    </div>
                    <div class="sf-button-group">
                        <button type="submit" class="sf-button" id="sf-continue" data-testid="continue"
                            hidden=sending_page>
                            {texts.get("journey-continue")}
                        </button>
                        <button type="submit" class="sf-button" id="sf-submit" data-testid="submit"
                            hidden=move || !sending_page() disabled=move || phase.get().busy()>
                            {texts.get("send-button")}
                        </button>
                        <button type="button" class="sf-button sf-button--secondary" data-testid="save-later"
                            disabled=move || drafts.busy.get() || phase.get().busy() on:click=save_later>
                            {texts.get("draft-save")}
                        </button>
                    </div>
                    {move || (stepped && on_section()).then(|| view! {
                        <p class="sf-hint sf-step-note">{texts.get("journey-kept-note")}</p>
                    })}
                </form>
              </div>
            </Show>
        </div>
    }
}

/// Renders one top-level field: a group with its rows, a file question, or any other question. Hidden while its
/// condition does not hold.
fn field_view(field: sealform_core::Field, ctx: Ctx) -> impl IntoView {
    let id = StoredValue::new(field.id.clone());
    let visible = move || id.with_value(|id| ctx.is_visible(id, None));
    let inner = match &field.kind {
        FieldKind::Group { .. } => view! { <GroupQuestion field=field.clone() ctx=ctx/> }.into_any(),
        FieldKind::File { .. } => view! { <FileQuestion field=field.clone() ctx=ctx/> }.into_any(),
        _ => view! { <Question field=field.clone() place=Place { field: field.id.clone(), row: None } ctx=ctx/> }.into_any(),
    };
    // Hidden with the `hidden` attribute rather than removed, so what the client typed stays in the inputs.
    view! { <div class="sf-field" data-field=field.id.clone() hidden=move || !visible()>{inner}</div> }
}

/// A repeatable group ("Add another"): each row a fieldset with its questions and a Remove button.
#[component]
fn GroupQuestion(field: sealform_core::Field, ctx: Ctx) -> impl IntoView {
    let texts = language::texts();
    let state = ctx.state;
    let FieldKind::Group {
        fields,
        row_label,
        max_rows,
        ..
    } = field.kind.clone()
    else {
        return ().into_any();
    };
    let group = StoredValue::new(field.id.clone());
    let fields = StoredValue::new(fields);
    let row_label = StoredValue::new(row_label);
    let rows = move || {
        state.with(|s| group.with_value(|g| s.rows(g).iter().map(|r| r.id).collect::<Vec<_>>()))
    };
    let error = move || state.with(|s| group.with_value(|g| s.error_for(g).map(str::to_owned)));
    let add = move |_| {
        let new_id = state.try_update(|s| group.with_value(|g| s.add_row(g)));
        ctx.recheck.run(());
        if let Some(new_id) = new_id {
            let first = fields.with_value(|f| f.first().map(|f| f.id.clone()));
            request_animation_frame(move || {
                if let (Some(first), Some(index)) = (
                    first,
                    state.with_untracked(|s| group.with_value(|g| s.row_index(g, new_id))),
                ) {
                    page::focus(&format!("{}-{}-{first}", group.get_value(), index + 1));
                }
            });
        }
    };
    let can_add = move || state.with(|s| group.with_value(|g| (s.rows(g).len() as u32) < max_rows));
    let label = question_label(texts, &field);
    let add_label = move || {
        let id = if rows().is_empty() {
            "group-add-first"
        } else {
            "group-add-another"
        };
        let row = row_label.with_value(|label| label.to_lowercase());
        texts.format(id, &[("row", row.into())])
    };
    view! {
        {form_group(move || error().is_some(), view! {
            <fieldset class="sf-fieldset" id=field.id.clone() tabindex="-1">
                <legend class="sf-label">{label}</legend>
                {field.hint.clone().map(|h| view! { <div class="sf-hint">{h}</div> })}
                <p class="sf-purpose"><span class="sf-purpose-label">{texts.get("question-why-we-ask")}</span>{field.purpose.clone()}</p>
                {error_message(Signal::derive(error), None)}
                <For each=rows key=|id| *id let:row>
                    {
                        let number = move || state.with(|s| group.with_value(|g| s.row_index(g, row).map_or(0, |i| i + 1)));
                        let name = move || row_label.with_value(|label| row_name(texts, label, number()));
                        view! {
                            <fieldset class="sf-fieldset sf-group-row">
                                <legend class="sf-label sf-label--s">{name}</legend>
                                {fields.get_value().into_iter().map(|sub| {
                                    let sub_id = StoredValue::new(sub.id.clone());
                                    let visible = move || sub_id.with_value(|id| group.with_value(|g| ctx.is_visible(id, Some((g, row)))));
                                    let place = Place { field: sub.id.clone(), row: Some((group.get_value(), row)) };
                                    view! {
                                        <div class="sf-field" hidden=move || !visible()>
                                            <Question field=sub place=place ctx=ctx/>
                                        </div>
                                    }
                                }).collect_view()}
                                <button type="button" class="sf-button sf-button--secondary"
                                    on:click=move |_| { state.update(|s| group.with_value(|g| s.remove_row(g, row))); ctx.recheck.run(()); }>
                                    {texts.get("question-remove")}<span class="sf-visually-hidden">{move || format!(" {}", name())}</span>
                                </button>
                            </fieldset>
                        }
                    }
                </For>
                <button type="button" class="sf-button sf-button--secondary" on:click=add disabled=move || !can_add()>
                    {add_label}
                </button>
            </fieldset>
        })}
    }
    .into_any()
}

/// GOV.UK's error summary: "There is a problem", a link to each problem's field. Takes focus when shown.
#[component]
fn ErrorSummary(state: RwSignal<FormState>) -> impl IntoView {
    let texts = language::texts();
    let errors = move || {
        state.with(|s| {
            if s.attempted {
                s.errors
                    .iter()
                    .map(|e| (element_id(&e.field), e.message.clone()))
                    .collect::<Vec<_>>()
            } else {
                Vec::new()
            }
        })
    };
    view! {
        <Show when=move || !errors().is_empty()>
            <div class="sf-error-summary" id="error-summary" tabindex="-1" role="alert"
                aria-labelledby="error-summary-title" data-testid="error-summary">
                <h2 class="sf-error-summary__title" id="error-summary-title">{texts.get("error-summary-title")}</h2>
                <ul class="sf-error-summary__list">
                    {move || errors().into_iter().map(|(target, message)| {
                        let href = format!("#{target}");
                        view! {
                            <li>
                                <a href=href on:click=move |ev| {
                                    // Move focus to the input itself, not only scroll (GOV.UK's behaviour).
                                    ev.prevent_default();
                                    page::focus(&target);
                                }>{message}</a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

/// Who the form is sealed for, visible before the client types anything.
#[component]
fn SealedFor(firm: String, recipients: Vec<String>) -> impl IntoView {
    let texts = language::texts();
    let fingerprints = recipients.join(&texts.get("list-comma"));
    let sealed_for = texts.format(
        "sealed-for",
        &[("firm", firm.into()), ("count", recipients.len().into())],
    );
    view! {
        <p class="sf-sealed-for" data-testid="sealed-for">
            <span class="sf-lock" aria-hidden="true"></span>
            {sealed_for}
            <code>{fingerprints}</code>
        </p>
    }
}

/// The consent step: what the form collects and why (from the schema), retention, how to withdraw, the privacy
/// notice, then each consent item, never ticked in advance.
#[component]
fn ConsentStep(
    config: StoredValue<LoadedConfig>,
    state: RwSignal<FormState>,
    recheck: Callback<()>,
    /// Whether this is a page of its own (its heading the page's `h1`), or the end of a single-page form.
    stepped: bool,
) -> impl IntoView {
    let texts = language::texts();
    let schema = config.with_value(|c| c.schema.clone());
    let uses = data_uses(&schema);
    let consents = schema.consents.clone();
    let heading = if stepped {
        view! { <h1 class="sf-heading-l" id="consent-heading" tabindex="-1">{texts.get("consent-heading")}</h1> }.into_any()
    } else {
        view! { <h2 class="sf-heading-m" id="consent-heading">{texts.get("consent-heading")}</h2> }
            .into_any()
    };
    view! {
        <section class="sf-section" aria-labelledby="consent-heading">
            {heading}
            <p class="sf-body">{texts.format("consent-intro", &[("firm", (&schema.firm.name).into())])}</p>
            <dl class="sf-summary-list" data-testid="data-uses">
                {uses.into_iter().map(|(category, labels)| view! {
                    <div class="sf-summary-list__row">
                        <dt class="sf-summary-list__key">{category}</dt>
                        <dd class="sf-summary-list__value">{labels}</dd>
                    </div>
                }).collect_view()}
            </dl>
            <p class="sf-body">{schema.retention.text.clone()}</p>
            <p class="sf-body">{schema.withdrawal.clone()}</p>
            <p class="sf-body">
                <a href=schema.firm.privacy_notice_url.clone() target="_blank" rel="noopener noreferrer">
                    {texts.get("consent-privacy-notice")}
                </a>
            </p>
            <div class="sf-checkboxes">
                {consents.into_iter().map(|item| {
                    let id = StoredValue::new(item.id.clone());
                    let error = move || state.with(|s| id.with_value(|id| s.error_for(id).map(str::to_owned)));
                    let hint_id = format!("{}-hint", item.id);
                    let has_hint = item.hint.is_some();
                    view! {
                        {form_group(move || error().is_some(), view! {
                            {error_message(Signal::derive(error), Some(Signal::derive(move || format!("{}-error", id.get_value()))))}
                            <div class="sf-checkboxes__item">
                                <input class="sf-checkboxes__input" type="checkbox" id=item.id.clone()
                                    aria-describedby=move || {
                                        let mut ids = Vec::new();
                                        if has_hint { ids.push(format!("{}-hint", id.get_value())); }
                                        if error().is_some() { ids.push(format!("{}-error", id.get_value())); }
                                        ids.join(" ")
                                    }
                                    aria-invalid=move || error().is_some().then_some("true")
                                    prop:checked=move || state.with(|s| id.with_value(|id| s.consented(id)))
                                    on:change=move |ev| {
                                        let ticked = event_target_checked(&ev);
                                        state.update(|s| id.with_value(|id| s.set_consent(id, ticked)));
                                        recheck.run(());
                                    }/>
                                <label class="sf-label sf-checkboxes__label" for=item.id.clone()>{item.text.clone()}</label>
                                {item.hint.clone().map(|h| view! { <div class="sf-hint sf-checkboxes__hint" id=hint_id.clone()>{h}</div> })}
                            </div>
                        })}
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

/// For each kind of data the form may collect: its name and the questions that ask for it, in the form's language.
fn data_uses(schema: &sealform_core::FormSchema) -> Vec<(String, String)> {
    let texts = i18n::texts(&schema.language);
    let categories = [
        (DataCategory::Contact, "consent-uses-contact"),
        (DataCategory::Identity, "consent-uses-identity"),
        (DataCategory::Financial, "consent-uses-financial"),
        (DataCategory::Case, "consent-uses-case"),
        (DataCategory::SpecialCategory, "consent-uses-special"),
    ];
    let separator = texts.get("consent-uses-separator");
    categories
        .into_iter()
        .filter_map(|(category, name)| {
            let labels: Vec<&str> = schema
                .fields()
                .filter(|place| place.group.is_none())
                .filter(|place| place.field.may_give(category))
                .map(|place| place.field.label.as_str())
                .collect();
            (!labels.is_empty()).then(|| (texts.get(name), labels.join(&separator)))
        })
        .collect()
}

/// Progress while sealing and sending; what to do when sending failed.
#[component]
fn StatusPanel(
    phase: RwSignal<Phase>,
    firm: sealform_core::schema::Firm,
    on_retry: Callback<()>,
) -> impl IntoView {
    let texts = language::texts();
    let firm = StoredValue::new(firm);
    let firm_name = move || firm.with_value(|f| f.name.clone());
    let contact = move || firm.with_value(|f| contact_ways(texts, f));
    // The form was not sent and sending it again as it is would not help: why, and how to reach the firm.
    let refused = move |why: String| {
        view! {
            <div class="sf-warning-panel" data-testid="refused">
                <h2 class="sf-heading-s">{texts.get("send-refused-heading")}</h2>
                <p class="sf-body">{why}</p>
                <p class="sf-body">{move || texts.format("send-refused-contact", &[("contact", contact().into())])}</p>
            </div>
        }
        .into_any()
    };
    let download = move |_| {
        if let Some(sealed) = phase.get_untracked().sealed() {
            let name = format!("sealed-form-{}.sealform", sealed.receipt.short());
            let _ = page::download(&name, protocol::BUNDLE_MEDIA_TYPE, sealed.bundle.bytes());
        }
    };
    view! {
        <div role="status" aria-live="polite" class="sf-status" data-testid="status">
            {move || match phase.get() {
                Phase::Sealing { done, total } => view! {
                    <p class="sf-body">{texts.get("send-sealing")}</p>
                    <progress class="sf-progress" max=total.to_string() value=done.to_string()>
                        {texts.format("send-sealing-progress", &[("done", done.into()), ("total", total.into())])}
                    </progress>
                }.into_any(),
                Phase::Sending { attempt } if attempt > 1 => view! {
                    <p class="sf-body">{texts.format("send-retrying", &[("firm", firm_name().into()), ("attempt", attempt.into())])}</p>
                }.into_any(),
                Phase::Sending { .. } => view! { <p class="sf-body">{texts.get("send-sending")}</p> }.into_any(),
                Phase::NotSent { problem: Problem::Unreachable, sealed } => view! {
                    <div class="sf-warning-panel" data-testid="not-sent">
                        <h2 class="sf-heading-s">{texts.get("send-not-sent-heading")}</h2>
                        <p class="sf-body">{texts.format("send-not-sent-unreachable", &[("firm", firm_name().into())])}</p>
                        <p class="sf-body">{move || texts.format("send-not-sent-options", &[("contact", contact().into())])}</p>
                        <p class="sf-body">{texts.format("send-sealed-reference", &[("reference", sealed.receipt.short().into())])}</p>
                        <div class="sf-button-group">
                            <button type="button" class="sf-button" data-testid="retry" on:click=move |_| on_retry.run(())>{texts.get("send-retry")}</button>
                            <button type="button" class="sf-button sf-button--secondary" data-testid="download-sealed" on:click=download>{texts.get("send-download-sealed")}</button>
                        </div>
                    </div>
                }.into_any(),
                Phase::NotSent { problem: Problem::Refused { status, message }, .. } => {
                    let status = u32::from(status);
                    refused(message.unwrap_or_else(|| texts.format("send-refused-status", &[("status", status.into())])))
                }
                Phase::NotSent { problem: Problem::ReceiptMismatch, .. } => refused(texts.get("send-receipt-mismatch")),
                Phase::Blocked(why) => refused(not_sealed_text(texts, why)),
                _ => ().into_any(),
            }}
        </div>
    }
}

/// Why a form was not sealed, in the client's language.
fn not_sealed_text(texts: &Texts, why: NotSealed) -> String {
    texts.get(match why {
        NotSealed::Honeypot => "send-honeypot",
        NotSealed::SealingFailed => "send-sealing-failed",
    })
}

/// The ways to reach the firm that its config gives: "email help@example.com or call 020 7946 0000".
fn contact_ways(texts: &Texts, firm: &sealform_core::schema::Firm) -> String {
    let ways: Vec<String> = [
        firm.email
            .as_ref()
            .map(|email| texts.format("unavailable-email", &[("email", email.into())])),
        firm.phone
            .as_ref()
            .map(|phone| texts.format("unavailable-call", &[("phone", phone.into())])),
    ]
    .into_iter()
    .flatten()
    .collect();
    match ways.as_slice() {
        [first, second] => texts.format(
            "or-list",
            &[("init", first.into()), ("last", second.into())],
        ),
        _ => ways.concat(),
    }
}

/// The receipt, on screen and as a download.
#[component]
fn ReceiptPanel(phase: RwSignal<Phase>) -> impl IntoView {
    let texts = language::texts();
    let receipt = move || phase.get().receipt().cloned();
    Effect::new(move |_| {
        if receipt().is_some() {
            request_animation_frame(|| page::focus("receipt-heading"));
        }
    });
    move || {
        receipt().map(|r| {
            let text = r.text(texts);
            let name = format!("receipt-{}.txt", r.short);
            view! {
                <div class="sf-panel" data-testid="receipt" data-receipt=r.full.clone()>
                    <h1 class="sf-panel__title" id="receipt-heading" tabindex="-1">{texts.get("receipt-heading")}</h1>
                    <div class="sf-panel__body">
                        {texts.get("receipt-reference")}<br/><strong data-testid="receipt-short">{r.short.clone()}</strong>
                    </div>
                </div>
                <p class="sf-body">{texts.format("receipt-received", &[("firm", (&r.firm).into())])}</p>
                <dl class="sf-summary-list">
                    <div class="sf-summary-list__row"><dt class="sf-summary-list__key">{texts.get("receipt-sent")}</dt><dd class="sf-summary-list__value">{r.shown_at.clone()}</dd></div>
                    <div class="sf-summary-list__row"><dt class="sf-summary-list__key">{texts.get("receipt-full-id")}</dt><dd class="sf-summary-list__value"><code data-testid="receipt-full">{r.full.clone()}</code></dd></div>
                </dl>
                <button type="button" class="sf-button sf-button--secondary" data-testid="download-receipt"
                    on:click=move |_| { let _ = page::download(&name, "text/plain", &js_sys::Uint8Array::from(text.as_bytes())); }>
                    {texts.get("receipt-download")}
                </button>
            }
        })
    }
}

/// Seals what the client entered, then sends it.
async fn seal_and_send(form: Form, endpoint: &str) {
    let Form {
        config,
        state,
        phase,
        aes,
        ..
    } = form;
    page::mark("sealform:seal-start");
    let (recipients, submission, attachments) = config.with_value(|c| {
        let (submission, attachments) = state.with_untracked(|s| {
            s.submission(
                &c.schema,
                c.digest,
                &page::random_id(),
                &page::now_rfc3339(),
            )
        });
        (c.schema.recipients.clone(), submission, attachments)
    });
    let progress = move |done, total| phase.set(Phase::sealing(done, total));
    match crate::seal::seal(&recipients, &submission, &attachments, progress).await {
        Ok((bundle, path)) => {
            aes.set(path.name());
            page::mark("sealform:seal-end");
            // A turn for the page between the steps that copy the whole bundle (hashing it, sending it).
            crate::seal::next_turn().await;
            // The receipt id is hashed by SubtleCrypto while the bundle is on its way: it is needed only to check
            // the receiver's answer.
            let receipt = bundle.receipt();
            crate::seal::next_turn().await;
            let outcome = deliver(form, endpoint, &bundle).await;
            let receipt = receipt.await;
            let sealed = Arc::new(SealedCopy { bundle, receipt });
            settle(form, outcome, sealed);
        }
        Err(error) => {
            leptos::logging::error!("sealform: sealing failed: {error}");
            phase.set(Phase::sealing_failed());
        }
    }
}

/// Sends a sealed bundle, with the proofs of work the receiver may ask for: the one solved while the client typed
/// for the first try, and a fresh one for every try after it, since the receiver spends a challenge on the first
/// request that carries it, even one it then answers 503.
async fn deliver(form: Form, endpoint: &str, bundle: &Bundle) -> SendOutcome {
    let Form {
        config, phase, pow, ..
    } = form;
    phase.set(Phase::sending());
    let wanted = config.with_value(|c| c.proof_of_work);
    let on_retry = |retry| phase.set(Phase::retrying(retry));
    // Single-use: taken now, and another solved afterwards in case the client sends again later.
    let ahead = pow.get_untracked();
    pow.set(None);
    let mut outcome = send::send(
        endpoint,
        bundle.bytes(),
        proofs(wanted, ahead, endpoint),
        on_retry,
    )
    .await;
    // 403: the receiver wants a proof of work and the one sent was missing (the receiver did not say it asks for
    // them, or the form's config came from elsewhere) or expired (the client took longer than its lifetime). Solve a
    // fresh one and send once more; a receiver without proof of work gives no challenge, and nothing is resent.
    if matches!(outcome, SendOutcome::Refused { status: 403, .. }) {
        if let Some(fresh) = send::fresh_proof(endpoint).await {
            outcome = send::send(
                endpoint,
                bundle.bytes(),
                proofs(true, Some(fresh), endpoint),
                on_retry,
            )
            .await;
        }
    }
    if wanted {
        solve_ahead(pow, endpoint.to_owned());
    }
    outcome
}

/// The proof of work for each try: none when `wanted` is false; else `ahead` (already solved) first, then a fresh
/// challenge solved for each further try.
fn proofs(
    wanted: bool,
    mut ahead: Option<String>,
    endpoint: &str,
) -> impl AsyncFnMut() -> Option<String> + '_ {
    async move || {
        if !wanted {
            return None;
        }
        match ahead.take() {
            Some(token) => Some(token),
            None => send::fresh_proof(endpoint).await,
        }
    }
}

/// Solves a challenge in the background, so the next send need not wait for one.
fn solve_ahead(pow: RwSignal<Option<String>>, endpoint: String) {
    leptos::task::spawn_local(async move {
        if let Some(token) = send::fresh_proof(&endpoint).await {
            pow.set(Some(token));
        }
    });
}

/// Shows how a send ended: on success the receipt (the embedding page is told, and the answers are forgotten), else
/// the sealed copy to send again or download.
fn settle(form: Form, outcome: SendOutcome, sealed: Arc<SealedCopy<Bundle>>) {
    let Form {
        config,
        state,
        phase,
        options,
        ..
    } = form;
    let (firm, language) =
        config.with_value(|c| (c.schema.firm.name.clone(), c.schema.language.clone()));
    let now = || SentAt {
        at: page::now_rfc3339(),
        shown_at: page::now_readable(&language),
    };
    let next = Phase::settled(outcome, sealed, firm, now);
    if let Some(receipt) = next.receipt() {
        options.with_value(|o| page::tell_submitted(o, &receipt.full));
        state.update(FormState::clear);
        // The draft has done its work: the receiver's copy goes, and so does the link in the address.
        if let Some(saved) = form.drafts.current.get_untracked() {
            form.drafts.current.set(None);
            let loaded = config.get_value();
            leptos::task::spawn_local(async move { crate::draft::delete(&loaded, &saved).await });
        }
        crate::draft::forget_link_in_address();
    }
    phase.set(next);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form's sources, read for the message ids they ask the catalogues for.
    const SOURCES: [&str; 7] = [
        include_str!("check_answers.rs"),
        include_str!("fields.rs"),
        include_str!("flow.rs"),
        include_str!("form.rs"),
        include_str!("lib.rs"),
        include_str!("page.rs"),
        include_str!("save_later.rs"),
    ];

    /// The areas the form's message ids start with (`draft-save`); `sf-` classes and most element ids do not.
    const AREAS: [&str; 15] = [
        "title-",
        "error-",
        "journey-",
        "honeypot-",
        "sealed-",
        "question-",
        "date-",
        "file-",
        "group-",
        "check-",
        "consent-",
        "send-",
        "receipt-",
        "draft-",
        "unavailable-",
    ];

    /// Element ids and test ids that start like a message id.
    const NOT_MESSAGES: [&str; 9] = [
        "check-answers",
        "check-answers-heading",
        "error-summary",
        "draft-notice",
        "draft-notice-title",
        "draft-saved",
        "draft-file",
        "receipt-short",
        "receipt-full",
    ];

    /// The string literals in `source` shaped like a message id of one of the [`AREAS`]. Found at each quote
    /// rather than by pairing quotes, which a `'"'` or an escaped quote would throw out of step.
    fn message_ids(source: &str) -> impl Iterator<Item = &str> {
        source.match_indices('"').filter_map(|(at, _)| {
            let rest = &source[at + 1..];
            let end = rest.find(|c: char| !(c.is_ascii_lowercase() || c == '-'))?;
            let literal = &rest[..end];
            let is_id = rest[end..].starts_with('"')
                && AREAS.iter().any(|area| literal.starts_with(area))
                && literal.split('-').all(|part| !part.is_empty())
                && !NOT_MESSAGES.contains(&literal);
            is_id.then_some(literal)
        })
    }

    /// A mistyped id would show on screen as the id itself; the core test checks the other languages have the rest.
    #[test]
    fn every_message_the_form_asks_for_is_in_the_catalogues() {
        let english = i18n::texts("en");
        let ids: Vec<&str> = SOURCES.iter().flat_map(|s| message_ids(s)).collect();
        assert!(
            ids.contains(&"journey-continue") && ids.contains(&"date-year"),
            "the sources are read"
        );
        let missing: Vec<&&str> = ids.iter().filter(|id| !english.has(id)).collect();
        assert!(missing.is_empty(), "not in the catalogues: {missing:?}");
    }
}
