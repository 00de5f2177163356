//! An opened submission's answers as a flat list of labelled values, in the form's order: what the summaries show
//! and what the export's columns hold, so the two never disagree.

use std::collections::{BTreeMap, BTreeSet};

use sealform_core::i18n;
use sealform_core::validate::row_key;
use sealform_core::{Answer, Answers, Field, FieldKind, FormSchema};

/// One value to show: a question's answer, or one question of one row of a repeatable group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The column name: the field id, or `group[N].field` for a row's question (rows counted from 1): core's
    /// [`row_key`], so a problem re-validation reports names the same row.
    pub(crate) key: String,
    /// The question as the client saw it (the field id when the form is not known).
    pub(crate) label: String,
    /// The answer as recorded: option values, ticks joined by `; `, `yes`/`no` for a tick box.
    pub(crate) value: String,
    /// The answer as a person reads it: option labels where the form is known.
    pub(crate) shown: String,
}

/// Joins ticked options and the like in one cell (core's, so the form's check page reads the same).
pub(crate) const JOIN: &str = sealform_core::answers::READABLE_SEPARATOR;

/// Every answer as entries: the form's questions in form order when `schema` is known, then any answer to a
/// question the form does not have (in id order, so nothing the client sent is ever hidden).
///
/// Questions and options read as the client saw them: in `shown`, the language of the consent record. With
/// `also` (the firm's `--lang`), each that reads differently in that language is followed by it in brackets.
pub(crate) fn entries(
    answers: &Answers,
    schema: Option<&FormSchema>,
    shown: &str,
    also: Option<&str>,
) -> Vec<Entry> {
    let seen = schema
        .and_then(|schema| in_language(schema, shown))
        .or_else(|| schema.cloned());
    let mut entries = entries_in(answers, seen.as_ref());
    if let Some(other) = other_language(schema, shown, also) {
        // A translation changes words only, so both lists have the same entries in the same order.
        for (entry, translated) in entries.iter_mut().zip(entries_in(answers, Some(&other))) {
            entry.label = bracketed(&entry.label, &translated.label);
            entry.shown = bracketed(&entry.shown, &translated.shown);
        }
    }
    entries
}

/// Each consent's text in `also` (the firm's `--lang`), by consent id, where the form has that language and it is
/// not the one the client saw (`shown`): what the client agreed to, in words the firm reads.
pub(crate) fn consents_in_other_language(
    schema: Option<&FormSchema>,
    shown: &str,
    also: Option<&str>,
) -> BTreeMap<String, String> {
    other_language(schema, shown, also)
        .map(|other| {
            other
                .consents
                .into_iter()
                .map(|item| (item.id, item.text))
                .collect()
        })
        .unwrap_or_default()
}

/// `schema` in `language` as the firm may write it: `en` finds a form's `en-GB`.
fn in_language(schema: &FormSchema, language: &str) -> Option<FormSchema> {
    let language = i18n::choose(&[language.to_owned()], &schema.languages(), "");
    schema.in_language(&language)
}

/// `schema` in `also`, unless that is the language the client saw.
fn other_language(
    schema: Option<&FormSchema>,
    shown: &str,
    also: Option<&str>,
) -> Option<FormSchema> {
    let schema = schema?;
    let other = in_language(schema, also?)?;
    let seen =
        in_language(schema, shown).map_or_else(|| schema.language.clone(), |seen| seen.language);
    (other.language != seen).then_some(other)
}

/// `text (other)`, or `text` when the other language reads the same.
fn bracketed(text: &str, other: &str) -> String {
    if text == other {
        text.to_owned()
    } else {
        format!("{text} ({other})")
    }
}

fn entries_in(answers: &Answers, schema: Option<&FormSchema>) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut shown = BTreeSet::new();
    if let Some(schema) = schema {
        for field in schema.sections.iter().flat_map(|section| &section.fields) {
            if let Some(answer) = answers.get(&field.id) {
                push(&mut entries, &field.id, Some(field), answer);
                shown.insert(field.id.as_str());
            }
        }
    }
    for (id, answer) in &answers.0 {
        if !shown.contains(id.as_str()) {
            push(&mut entries, id, None, answer);
        }
    }
    entries
}

/// Adds the entries for one top-level answer; a group's rows become one entry per row and question.
fn push(entries: &mut Vec<Entry>, id: &str, field: Option<&Field>, answer: &Answer) {
    let label = field.map_or(id, |field| &field.label);
    match answer {
        Answer::Rows(rows) => {
            let (subfields, row_label) = match field.map(|field| &field.kind) {
                Some(FieldKind::Group {
                    fields, row_label, ..
                }) => (fields.as_slice(), row_label.as_str()),
                _ => (&[][..], label),
            };
            for (index, row) in rows.iter().enumerate() {
                push_row(entries, id, row_label, index, subfields, row);
            }
        }
        _ => entries.push(Entry {
            key: id.to_owned(),
            label: label.to_owned(),
            value: answer.readable(&[]),
            shown: answer.readable(field.map(|f| f.kind.options()).unwrap_or_default()),
        }),
    }
}

/// The entries of one row of a group: its questions in form order, then any others it holds.
fn push_row(
    entries: &mut Vec<Entry>,
    group: &str,
    row_label: &str,
    index: usize,
    subfields: &[Field],
    row: &BTreeMap<String, Answer>,
) {
    let known = subfields.iter().filter_map(|field| {
        row.get(&field.id)
            .map(|answer| (field.id.as_str(), Some(field), answer))
    });
    let unknown = row
        .iter()
        .filter(|(id, _)| !subfields.iter().any(|field| &field.id == *id))
        .map(|(id, answer)| (id.as_str(), None, answer));
    for (id, field, answer) in known.chain(unknown) {
        let label = field.map_or(id, |field| &field.label);
        entries.push(Entry {
            key: row_key(group, index, id),
            label: format!("{row_label} {}: {label}", index + 1),
            value: answer.readable(&[]),
            shown: answer.readable(field.map(|f| f.kind.options()).unwrap_or_default()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};

    #[test]
    fn answers_follow_the_form_and_groups_are_flattened() {
        let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).expect("template");
        let mut answers = Answers::default();
        answers.insert("zzz_not_in_form", Answer::Flag(true));
        answers.insert("practice_area", Answer::Text("personal_injury".into()));
        answers.insert("full_name", Answer::Text("Zoë".into()));
        let row = BTreeMap::from([
            ("party_name".to_owned(), Answer::Text("Acme".into())),
            ("party_role".to_owned(), Answer::Text("other".into())),
        ]);
        answers.insert("other_parties", Answer::Rows(vec![row]));
        answers.insert("ticks", Answer::Choices(vec!["a".into(), "b".into()]));

        let entries = entries(&answers, Some(template.schema()), "en-GB", None);
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "full_name",
                "practice_area",
                "other_parties[1].party_name",
                "other_parties[1].party_role",
                "ticks",
                "zzz_not_in_form"
            ]
        );
        assert_eq!(entries[1].value, "personal_injury");
        assert_eq!(entries[1].shown, "Personal injury");
        assert_eq!(entries[4].value, "a; b");
        assert_eq!(entries[5].value, "yes");
        assert!(
            entries[2].label.ends_with("1: Name"),
            "{}",
            entries[2].label
        );

        let unknown_form = super::entries(&answers, None, "en-GB", None);
        assert_eq!(unknown_form[0].key, "full_name");
        assert_eq!(unknown_form[0].label, "full_name");
    }

    #[test]
    fn a_problem_in_a_row_names_the_row_the_summary_shows() {
        let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).expect("template");
        let mut answers = Answers::default();
        let row = BTreeMap::from([
            ("party_name".to_owned(), Answer::Text("Acme".into())),
            ("nickname".to_owned(), Answer::Text("A".into())),
        ]);
        answers.insert("other_parties", Answer::Rows(vec![row]));
        let today = time::macros::date!(2026 - 11 - 22);
        let problems = sealform_core::validate(template.schema(), &answers, &[], today)
            .expect_err("the form has no nickname question");
        let problem = problems
            .iter()
            .find(|problem| problem.field.ends_with(".nickname"))
            .expect("the unknown question is reported");
        assert_eq!(problem.field, "other_parties[1].nickname");
        let shown = entries(&answers, Some(template.schema()), "en-GB", None);
        assert!(
            shown.iter().any(|entry| entry.key == problem.field),
            "{shown:?}"
        );
    }

    #[test]
    fn questions_read_in_the_clients_language_and_in_another_when_asked() {
        let mut schema = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
            .expect("template")
            .schema()
            .clone();
        let spanish = schema
            .texts()
            .into_iter()
            .map(|(place, text)| (place, format!("ES {text}")))
            .collect();
        schema.translations = BTreeMap::from([("es".to_owned(), spanish)]);
        let mut answers = Answers::default();
        answers.insert("practice_area", Answer::Text("personal_injury".into()));

        let seen = entries(&answers, Some(&schema), "es", None);
        assert_eq!(seen[0].label, "ES Area of law");
        assert_eq!(seen[0].shown, "ES Personal injury");
        assert_eq!(seen[0].value, "personal_injury");
        let both = entries(&answers, Some(&schema), "es", Some("en"));
        assert_eq!(both[0].label, "ES Area of law (Area of law)");
        assert_eq!(both[0].shown, "ES Personal injury (Personal injury)");
        // Asking for the language the client saw, or one the form does not have, adds nothing.
        assert_eq!(entries(&answers, Some(&schema), "es", Some("es")), seen);
        assert_eq!(entries(&answers, Some(&schema), "es", Some("fr")), seen);
        // What the client agreed to, in the firm's words too.
        let consents = consents_in_other_language(Some(&schema), "es", Some("en"));
        assert_eq!(
            consents.get("privacy_notice"),
            Some(&schema.consents[0].text)
        );
        assert!(consents_in_other_language(Some(&schema), "es", Some("es")).is_empty());
        assert!(consents_in_other_language(Some(&schema), "es", None).is_empty());
        assert_eq!(
            entries(&answers, Some(&schema), "en-GB", Some("es-MX"))[0].label,
            "Area of law (ES Area of law)"
        );
    }
}
