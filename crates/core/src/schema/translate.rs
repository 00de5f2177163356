//! A form's questions in more than one language: the config's `translations`, one map per language from each
//! text's place in the form (`fields.full_name.label`) to that text in the language.
//!
//! A translation covers every text of the form's own language exactly — no text left in another language on the
//! page, none that belongs to no question — and only languages sealform has built-in texts for may be offered, so
//! buttons and messages speak the same language as the questions. [`FormSchema::in_language`] gives the form as a
//! client in that language sees it; the consent record then names that language and hashes the texts as shown.

use std::collections::BTreeSet;

use super::{Field, FieldKind, FormSchema, SchemaProblem};
use crate::i18n;

/// Calls `visit` with the place and a handle of every text of `schema` a client reads, in form order. The firm's
/// name, address and contact details are names, not words, and are not translated.
fn each_text(schema: &mut FormSchema, visit: &mut dyn FnMut(String, &mut String)) {
    visit("title".to_owned(), &mut schema.title);
    if let Some(description) = &mut schema.description {
        visit("description".to_owned(), description);
    }
    for section in &mut schema.sections {
        let place = format!("sections.{}", section.id);
        visit(format!("{place}.title"), &mut section.title);
        if let Some(description) = &mut section.description {
            visit(format!("{place}.description"), description);
        }
        for field in &mut section.fields {
            field_texts(field, visit);
        }
    }
    for item in &mut schema.consents {
        let place = format!("consents.{}", item.id);
        visit(format!("{place}.text"), &mut item.text);
        if let Some(hint) = &mut item.hint {
            visit(format!("{place}.hint"), hint);
        }
        visit(format!("{place}.purpose"), &mut item.purpose);
        if let Some(message) = &mut item.error_message {
            visit(format!("{place}.error_message"), message);
        }
    }
    for notice in &mut schema.notices {
        let place = format!("notices.{}", notice.id);
        if let Some(title) = &mut notice.title {
            visit(format!("{place}.title"), title);
        }
        visit(format!("{place}.text"), &mut notice.text);
    }
    visit("retention.text".to_owned(), &mut schema.retention.text);
    visit("withdrawal".to_owned(), &mut schema.withdrawal);
}

fn field_texts(field: &mut Field, visit: &mut dyn FnMut(String, &mut String)) {
    // Ids are unique across the whole form, a group's questions included, so a field's place needs no section.
    let place = format!("fields.{}", field.id);
    visit(format!("{place}.label"), &mut field.label);
    if let Some(hint) = &mut field.hint {
        visit(format!("{place}.hint"), hint);
    }
    visit(format!("{place}.purpose"), &mut field.purpose);
    if let Some(message) = &mut field.error_message {
        visit(format!("{place}.error_message"), message);
    }
    match &mut field.kind {
        FieldKind::Select { options }
        | FieldKind::Radio { options }
        | FieldKind::Checkboxes { options, .. } => {
            for option in options {
                let place = format!("{place}.options.{}", option.value);
                visit(format!("{place}.label"), &mut option.label);
                if let Some(hint) = &mut option.hint {
                    visit(format!("{place}.hint"), hint);
                }
            }
        }
        FieldKind::Group {
            fields, row_label, ..
        } => {
            visit(format!("{place}.row_label"), row_label);
            for sub in fields {
                field_texts(sub, visit);
            }
        }
        _ => {}
    }
}

impl FormSchema {
    /// Every text a client reads, by its place in the form, in form order: what a translation must cover.
    pub fn texts(&self) -> Vec<(String, String)> {
        let mut texts = Vec::new();
        each_text(&mut self.clone(), &mut |place, text| {
            texts.push((place, text.clone()));
        });
        texts
    }

    /// The languages the form can be shown in: its own first, then each translation's.
    pub fn languages(&self) -> Vec<String> {
        std::iter::once(self.language.clone())
            .chain(self.translations.keys().cloned())
            .collect()
    }

    /// The form as a client shown it in `language` reads it: every text translated and `language` its language,
    /// so the consent record names the language shown and hashes the texts as shown. The copy has no
    /// translations of its own. `None` when the form does not offer `language` (spelt as the form spells it).
    pub fn in_language(&self, language: &str) -> Option<FormSchema> {
        let mut shown = self.clone();
        shown.translations.clear();
        if language == self.language {
            return Some(shown);
        }
        let translation = self.translations.get(language)?;
        each_text(&mut shown, &mut |place, text| {
            // A checked schema's translation has every place; one built by hand keeps the form's own text.
            if let Some(translated) = translation.get(&place) {
                text.clone_from(translated);
            }
        });
        shown.language = language.to_owned();
        Some(shown)
    }
}

/// The problems with `schema`'s translations: each must be in a language sealform speaks, other than the form's
/// own, and give every text of the form — no more, none blank.
pub(super) fn check(schema: &FormSchema, language_ok: fn(&str) -> bool) -> Vec<SchemaProblem> {
    let mut problems = Vec::new();
    let mut problem =
        |path: String, problem: String| problems.push(SchemaProblem { path, problem });
    let places: BTreeSet<String> = schema.texts().into_iter().map(|(place, _)| place).collect();
    let own = i18n::primary_subtag(&schema.language);
    for (language, translation) in &schema.translations {
        let path = format!("translations.{language}");
        if !language_ok(language) {
            problem(
                path,
                "expected a BCP 47 language tag, like es or ar".to_owned(),
            );
            continue;
        }
        if !i18n::has_texts(language) {
            problem(
                path,
                format!(
                    "sealform's own words (buttons, messages) exist in {} only, so a form in {language} would \
                     mix languages",
                    i18n::LANGUAGES.join(", ")
                ),
            );
            continue;
        }
        if i18n::primary_subtag(language) == own {
            problem(
                path,
                format!(
                    "is the form's own language ({}): its texts are the form's",
                    schema.language
                ),
            );
            continue;
        }
        let missing: Vec<&str> = places
            .iter()
            .filter(|place| !translation.contains_key(*place))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            problem(
                path.clone(),
                format!("has no translation of {}", missing.join(", ")),
            );
        }
        for (place, text) in translation {
            if !places.contains(place) {
                problem(
                    format!("{path}.{place}"),
                    "is not a text of this form (a translation is keyed by places like fields.full_name.label)"
                        .to_owned(),
                );
            } else if text.trim().is_empty() {
                problem(format!("{path}.{place}"), "must not be empty".to_owned());
            }
        }
    }
    problems
}
