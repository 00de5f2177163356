//! GOV.UK's "Check your answers" page: every question the client was shown, under its section, with the answer as
//! it will be sealed and a Change link back to the question. The list is built by a plain function from the state,
//! tested natively; the component only renders it.

use leptos::prelude::*;
use sealform_core::i18n::{self, Texts};
use sealform_core::schema::{picked_file_size, FieldKind};
use sealform_core::{Answer, FormSchema};

use crate::state::FormState;

/// One section of the check page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummarySection {
    /// The section's index in the schema (where a Change link goes).
    pub index: usize,
    /// Its heading.
    pub title: String,
    /// Its questions shown to the client, in form order.
    pub rows: Vec<SummaryRow>,
}

/// One question and its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The field id: the Change link's target element.
    pub field: String,
    /// The question.
    pub label: String,
    /// The answer, a line each (a text's lines, a group's rows, the files); empty when not answered.
    pub lines: Vec<String>,
}

/// The check page's content: each section with at least one question shown, each shown question with what will be
/// sealed for it ([`FormState::answers`], the one rule of what is sent) or its files, in the form's language.
pub fn summary(schema: &FormSchema, state: &FormState) -> Vec<SummarySection> {
    let texts = i18n::texts(&schema.language);
    let answers = state.answers(schema);
    schema
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| SummarySection {
            index,
            title: section.title.clone(),
            rows: section
                .fields
                .iter()
                .filter(|field| schema.is_visible(&field.id, &answers, None))
                .map(|field| SummaryRow {
                    field: field.id.clone(),
                    label: field.label.clone(),
                    lines: match &field.kind {
                        FieldKind::File { .. } => state
                            .files(&field.id)
                            .iter()
                            .map(|f| format!("{} ({})", f.info.name, picked_file_size(f.info.size)))
                            .collect(),
                        kind => answers
                            .get(&field.id)
                            .map(|answer| answer_lines(texts, kind, answer))
                            .unwrap_or_default(),
                    },
                })
                .collect(),
        })
        .filter(|section| !section.rows.is_empty())
        .collect()
}

/// An answer as lines to read: a group's rows question by question, a date in words, a tick box as Yes or No,
/// options by their labels (core's [`Answer::readable`]), a long text by its own lines.
fn answer_lines(texts: &Texts, kind: &FieldKind, answer: &Answer) -> Vec<String> {
    match (kind, answer) {
        (
            FieldKind::Group {
                fields, row_label, ..
            },
            Answer::Rows(rows),
        ) => rows
            .iter()
            .enumerate()
            .flat_map(|(i, row)| {
                let heading = row_name(texts, row_label, i + 1);
                let answers = fields.iter().filter_map(move |sub| {
                    row.get(&sub.id).map(|answer| {
                        format!(
                            "{}: {}",
                            sub.label,
                            answer_lines(texts, &sub.kind, answer).join(&texts.get("list-comma"))
                        )
                    })
                });
                std::iter::once(heading).chain(answers)
            })
            .collect(),
        (FieldKind::Checkbox, Answer::Flag(ticked)) => {
            vec![texts.get(if *ticked { "check-yes" } else { "check-no" })]
        }
        (FieldKind::Date { .. }, Answer::Text(text)) => vec![date_in_words(texts, text)],
        (kind, answer) => answer
            .readable(kind.options())
            .lines()
            .map(str::to_owned)
            .collect(),
    }
}

/// `YYYY-MM-DD` in words in the language of `texts` (`27 March 1985`, core's `long-date`); anything else as it is
/// (the page before has checked it).
pub(crate) fn date_in_words(texts: &Texts, text: &str) -> String {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<u16>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return text.to_owned();
    };
    if !(1..=12).contains(&month) {
        return text.to_owned();
    }
    texts.format(
        "long-date",
        &[
            ("day", u32::from(day).into()),
            ("month", u32::from(month).into()),
            ("year", u32::from(year).into()),
        ],
    )
}

/// A repeatable group's row as the client reads it: `Other party 2` (`number` counted from 1).
pub(crate) fn row_name(texts: &Texts, row_label: &str, number: usize) -> String {
    texts.format(
        "group-row",
        &[("row", row_label.into()), ("number", number.into())],
    )
}

/// The check page. `change(section, field)` is what a Change link does: back to that section, focus on the
/// question, and Continue from there returns here.
#[component]
pub fn CheckAnswers(
    /// The form definition.
    schema: StoredValue<FormSchema>,
    /// What the client has entered.
    state: RwSignal<FormState>,
    /// Goes back to a question: (section index, field id).
    change: Callback<(usize, String)>,
) -> impl IntoView {
    let texts = crate::language::texts();
    let sections = move || schema.with_value(|schema| state.with(|s| summary(schema, s)));
    view! {
        <section class="sf-section" aria-labelledby="check-answers-heading" data-testid="check-answers">
            <h1 class="sf-heading-l" id="check-answers-heading" tabindex="-1">{texts.get("check-heading")}</h1>
            {move || sections().into_iter().map(|section| {
                let index = section.index;
                view! {
                    <h2 class="sf-heading-m">{section.title}</h2>
                    <dl class="sf-summary-list" data-section=index.to_string()>
                        {section.rows.into_iter().map(|row| {
                            let field = row.field.clone();
                            let unanswered = row.lines.is_empty();
                            view! {
                                <div class="sf-summary-list__row" data-answer=row.field.clone()>
                                    <dt class="sf-summary-list__key">{row.label.clone()}</dt>
                                    <dd class="sf-summary-list__value">
                                        {if unanswered {
                                            view! { <span class="sf-hint">{texts.get("check-not-answered")}</span> }.into_any()
                                        } else {
                                            row.lines.into_iter().map(|line| view! { <span class="sf-summary-list__line">{line}</span> }).collect_view().into_any()
                                        }}
                                    </dd>
                                    <dd class="sf-summary-list__actions">
                                        <a href=format!("#{}", row.field) data-change=row.field.clone()
                                            on:click=move |ev| { ev.prevent_default(); change.run((index, field.clone())); }>
                                            {texts.get("check-change")}<span class="sf-visually-hidden">{format!(" {}", row.label.to_lowercase())}</span>
                                        </a>
                                    </dd>
                                </div>
                            }
                        }).collect_view()}
                    </dl>
                }
            }).collect_view()}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::Sha256Digest;

    fn row<'a>(sections: &'a [SummarySection], field: &str) -> &'a SummaryRow {
        sections
            .iter()
            .flat_map(|s| &s.rows)
            .find(|r| r.field == field)
            .unwrap_or_else(|| panic!("{field} is on the check page"))
    }

    #[test]
    fn every_shown_question_is_listed_with_its_answer_as_the_client_reads_it() {
        let schema = sealform_testkit::legal_intake_schema();
        let mut state = FormState::default();
        state.set_text("full_name", "Zoë Adeyemi".into());
        state.set_text("date_of_birth", "1985-03-27".into());
        state.set_text("practice_area", "employment".into());
        state.set_text("description", "First line\nSecond line".into());
        state.set_text("has_deadline", "no".into());
        state.set_text("deadline_details", "kept, but hidden".into());
        let row_id = state.add_row("other_parties");
        state.set_row_answer(
            "other_parties",
            row_id,
            "party_name",
            Answer::Text("Acme".into()),
        );
        state.add_file(
            "documents_upload",
            "letter.pdf",
            "application/pdf",
            crate::file_bytes::FileBytes::from_vec(vec![1; 2048]),
            Sha256Digest::of(&[1; 2048]),
        );

        let sections = summary(&schema, &state);
        assert_eq!(
            sections.len(),
            schema.sections.len(),
            "every section has a question shown"
        );
        assert_eq!(row(&sections, "full_name").lines, ["Zoë Adeyemi"]);
        assert_eq!(row(&sections, "date_of_birth").lines, ["27 March 1985"]);
        assert_eq!(row(&sections, "practice_area").lines, ["Employment"]);
        assert_eq!(
            row(&sections, "description").lines,
            ["First line", "Second line"]
        );
        assert!(row(&sections, "email").lines.is_empty(), "not answered");
        assert!(
            sections
                .iter()
                .flat_map(|s| &s.rows)
                .all(|r| r.field != "deadline_details"),
            "a question hidden by its condition is not listed"
        );
        let parties = &row(&sections, "other_parties").lines;
        assert_eq!(parties[0], "Other party 1");
        assert!(parties[1].ends_with(": Acme"), "{parties:?}");
        let files = &row(&sections, "documents_upload").lines;
        assert!(files[0].starts_with("letter.pdf ("), "{files:?}");
        let section = sections
            .iter()
            .find(|s| s.rows.iter().any(|r| r.field == "other_parties"))
            .unwrap();
        assert_eq!(schema.sections[section.index].title, section.title);
    }

    #[test]
    fn dates_read_in_words_and_anything_else_as_typed() {
        let english = i18n::texts("en");
        assert_eq!(date_in_words(english, "2027-09-14"), "14 September 2027");
        assert_eq!(date_in_words(english, "2027-13-01"), "2027-13-01");
        assert_eq!(date_in_words(english, "2027--1"), "2027--1");
        assert_eq!(
            date_in_words(i18n::texts("es"), "2027-09-14"),
            "14 de septiembre de 2027"
        );
    }
}
