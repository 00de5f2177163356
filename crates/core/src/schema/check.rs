//! The rules a well-shaped form definition must still follow: ids unique and well formed, conditions pointing at
//! earlier questions and real options, sane limits, one consent covering special category data, and so on.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    check_https_url, Condition, ConditionValue, ConsentItem, ConsentRequirement, Field, FieldKind,
    FormSchema, SchemaProblem, SCHEMA_VERSION,
};
use crate::contact::{is_email, is_tel};

/// Ids become HTML element ids and answer keys; longer ones are more likely a mistake.
const MAX_ID_LENGTH: usize = 64;

/// Returns every problem with `schema`, in file order. `require_recipients` is false only for templates.
pub(super) fn check(schema: &FormSchema, require_recipients: bool) -> Vec<SchemaProblem> {
    let mut checker = Checker {
        schema,
        problems: Vec::new(),
        ids: BTreeSet::new(),
    };
    checker.top(require_recipients);
    checker.problems
}

struct Checker<'a> {
    schema: &'a FormSchema,
    problems: Vec<SchemaProblem>,
    /// Every section, field, consent and notice id seen so far: they share one namespace because each becomes an
    /// element id in the form.
    ids: BTreeSet<&'a str>,
}

/// The fields a condition may watch: those asked before, outside any group, plus earlier questions of the same
/// group.
type Scope<'a> = BTreeMap<&'a str, &'a Field>;

impl<'a> Checker<'a> {
    fn problem(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.problems.push(SchemaProblem {
            path: path.into(),
            problem: problem.into(),
        });
    }

    fn top(&mut self, require_recipients: bool) {
        let schema = self.schema;
        if schema.schema != SCHEMA_VERSION {
            self.problem("schema", format!("must be {SCHEMA_VERSION}"));
        }
        if !id_ok(&schema.id) {
            self.problem("id", id_rule());
        }
        self.text("version", &schema.version);
        self.text("title", &schema.title);
        if !language_ok(&schema.language) {
            self.problem(
                "language",
                "expected a BCP 47 language tag, like en-GB or cy",
            );
        }
        if !jurisdiction_ok(&schema.jurisdiction) {
            self.problem(
                "jurisdiction",
                "expected an ISO 3166 country code, like GB, or a region, like GB-SCT",
            );
        }
        self.firm();
        self.recipients(require_recipients);
        self.sections();
        self.consents();
        for (i, notice) in schema.notices.iter().enumerate() {
            self.id(format!("notices[{i}].id"), &notice.id);
            self.text(format!("notices[{i}].text"), &notice.text);
        }
        self.text("retention.text", &schema.retention.text);
        self.text("withdrawal", &schema.withdrawal);
        self.limits();
    }

    fn firm(&mut self) {
        let firm = &self.schema.firm;
        self.text("firm.name", &firm.name);
        if let Err(error) = check_https_url(&firm.privacy_notice_url) {
            self.problem("firm.privacy_notice_url", error.to_string());
        }
        if let Some(Err(error)) = firm.website.as_deref().map(check_https_url) {
            self.problem("firm.website", error.to_string());
        }
        if firm.email.as_deref().is_some_and(|email| !is_email(email)) {
            self.problem(
                "firm.email",
                "expected an email address, like privacy@example.com",
            );
        }
        if firm.phone.as_deref().is_some_and(|phone| !is_tel(phone)) {
            self.problem(
                "firm.phone",
                "expected a telephone number, like 01632 960 001",
            );
        }
    }

    fn recipients(&mut self, require_recipients: bool) {
        let recipients = &self.schema.recipients;
        if require_recipients && recipients.is_empty() {
            self.problem(
                "recipients",
                "add at least one public key: the form has nobody to seal submissions to",
            );
        }
        for (i, recipient) in recipients.iter().enumerate() {
            if recipients[..i]
                .iter()
                .any(|earlier| earlier.kid() == recipient.kid())
            {
                self.problem(
                    format!("recipients[{i}]"),
                    format!("the key {} is listed twice", recipient.kid()),
                );
            }
        }
    }

    fn sections(&mut self) {
        let schema = self.schema;
        if schema.sections.is_empty() {
            self.problem("sections", "add at least one section");
        }
        let mut scope = Scope::new();
        for (i, section) in schema.sections.iter().enumerate() {
            let path = format!("sections[{i}]");
            self.id(format!("{path}.id"), &section.id);
            self.text(format!("{path}.title"), &section.title);
            if section.fields.is_empty() {
                self.problem(format!("{path}.fields"), "add at least one field");
            }
            for (j, field) in section.fields.iter().enumerate() {
                self.field(&format!("{path}.fields[{j}]"), field, &scope, false);
                scope.insert(&field.id, field);
            }
        }
    }

    fn field(&mut self, path: &str, field: &'a Field, scope: &Scope<'a>, in_group: bool) {
        self.id(format!("{path}.id"), &field.id);
        self.text(format!("{path}.label"), &field.label);
        self.text(format!("{path}.purpose"), &field.purpose);
        if let Some(hint) = &field.hint {
            self.text(format!("{path}.hint"), hint);
        }
        if let Some(message) = &field.error_message {
            self.text(format!("{path}.error_message"), message);
        }
        if let Some(condition) = &field.show_when {
            self.condition(&format!("{path}.show_when"), field, condition, scope);
        }
        self.kind(path, field, scope, in_group);
    }

    fn kind(&mut self, path: &str, field: &'a Field, scope: &Scope<'a>, in_group: bool) {
        match &field.kind {
            FieldKind::Text { max_length } | FieldKind::Textarea { max_length } => {
                if *max_length == Some(0) {
                    self.problem(format!("{path}.max_length"), "must be at least 1");
                }
            }
            FieldKind::Email | FieldKind::Tel | FieldKind::Checkbox => {}
            FieldKind::Date {
                must_be: _,
                not_before: Some(first),
                not_after: Some(last),
            } if first > last => {
                self.problem(
                    format!("{path}.not_after"),
                    "must not be before `not_before`",
                );
            }
            FieldKind::Date { .. } => {}
            FieldKind::Number {
                min: Some(min),
                max: Some(max),
                ..
            } if min > max => self.problem(format!("{path}.max"), "must not be less than `min`"),
            FieldKind::Number { .. } => {}
            FieldKind::Select { options } | FieldKind::Radio { options } => {
                self.options(path, options)
            }
            FieldKind::Checkboxes {
                options,
                min_selected,
                max_selected,
            } => {
                self.options(path, options);
                self.selection_bounds(path, options.len(), *min_selected, *max_selected);
            }
            FieldKind::File {
                accept,
                max_size,
                max_count,
            } => self.file(path, accept, *max_size, *max_count, in_group),
            FieldKind::Group {
                fields,
                row_label,
                min_rows,
                max_rows,
            } => {
                if in_group {
                    self.problem(
                        format!("{path}.kind"),
                        "groups cannot be nested inside groups",
                    );
                    return;
                }
                self.text(format!("{path}.row_label"), row_label);
                if *max_rows == 0 {
                    self.problem(format!("{path}.max_rows"), "must be at least 1");
                } else if min_rows > max_rows {
                    self.problem(
                        format!("{path}.min_rows"),
                        "must not be more than `max_rows`",
                    );
                }
                if fields.is_empty() {
                    self.problem(format!("{path}.fields"), "add at least one field");
                }
                let mut local = scope.clone();
                for (k, sub) in fields.iter().enumerate() {
                    self.field(&format!("{path}.fields[{k}]"), sub, &local, true);
                    local.insert(&sub.id, sub);
                }
            }
        }
    }

    fn options(&mut self, path: &str, options: &[super::Choice]) {
        if options.is_empty() {
            self.problem(format!("{path}.options"), "add at least one option");
        }
        for (k, option) in options.iter().enumerate() {
            let value = &option.value;
            if value.trim().is_empty()
                || value.trim() != value
                || value.chars().any(char::is_control)
            {
                self.problem(
                    format!("{path}.options[{k}].value"),
                    "must not be empty, start or end with a space, or contain control characters",
                );
            }
            if options[..k].iter().any(|earlier| earlier.value == *value) {
                self.problem(
                    format!("{path}.options[{k}].value"),
                    format!("`{value}` is used twice"),
                );
            }
            self.text(format!("{path}.options[{k}].label"), &option.label);
        }
    }

    fn selection_bounds(&mut self, path: &str, options: usize, min: Option<u32>, max: Option<u32>) {
        let options = u32::try_from(options).unwrap_or(u32::MAX);
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                self.problem(
                    format!("{path}.min_selected"),
                    "must not be more than `max_selected`",
                );
            }
        }
        if min.is_some_and(|min| min > options) {
            self.problem(
                format!("{path}.min_selected"),
                "must not be more than the number of options",
            );
        }
        if max == Some(0) {
            self.problem(format!("{path}.max_selected"), "must be at least 1");
        }
    }

    fn file(
        &mut self,
        path: &str,
        accept: &[String],
        max_size: Option<u64>,
        max_count: u32,
        in_group: bool,
    ) {
        let limits = self.schema.limits;
        if in_group {
            self.problem(
                format!("{path}.kind"),
                "file fields cannot be inside a group",
            );
        }
        if accept.is_empty() {
            self.problem(
                format!("{path}.accept"),
                "list at least one media type, like application/pdf",
            );
        }
        for (k, media_type) in accept.iter().enumerate() {
            if !media_range_ok(media_type) {
                self.problem(
                    format!("{path}.accept[{k}]"),
                    "expected a lower-case media type, like application/pdf or image/*",
                );
            }
        }
        match max_size {
            Some(0) => self.problem(format!("{path}.max_size"), "must be at least 1"),
            Some(size) if size > limits.max_total_attachment_bytes => self.problem(
                format!("{path}.max_size"),
                "must not be more than `limits.max_total_attachment_bytes`",
            ),
            _ => {}
        }
        if max_count == 0 {
            self.problem(format!("{path}.max_count"), "must be at least 1");
        } else if max_count > limits.max_files {
            self.problem(
                format!("{path}.max_count"),
                "must not be more than `limits.max_files`",
            );
        }
    }

    fn condition(&mut self, path: &str, field: &Field, condition: &Condition, scope: &Scope<'a>) {
        let watched = condition.field.as_str();
        let Some(target) = scope.get(watched) else {
            let problem = if watched == field.id {
                "a field cannot depend on itself".to_owned()
            } else if self.schema.field(watched).is_some() {
                format!(
                    "`{watched}` must be asked before this field, and outside any group unless both are in the same \
                     group"
                )
            } else {
                format!("there is no field `{watched}`")
            };
            self.problem(format!("{path}.field"), problem);
            return;
        };
        let equals = format!("{path}.equals");
        match (&target.kind, &condition.equals) {
            (FieldKind::Group { .. } | FieldKind::File { .. }, _) => {
                self.problem(
                    format!("{path}.field"),
                    "a field cannot depend on a group or file field",
                );
            }
            (FieldKind::Checkbox, ConditionValue::Flag(_)) => {}
            (FieldKind::Checkbox, ConditionValue::Text(_)) => {
                self.problem(
                    equals,
                    format!("`{watched}` is a checkbox: use true or false"),
                );
            }
            (_, ConditionValue::Flag(_)) => {
                self.problem(
                    equals,
                    format!("`{watched}` is not a checkbox: give one of its answers as text"),
                );
            }
            (kind, ConditionValue::Text(value)) => {
                let options = kind.options();
                if value.trim().is_empty() {
                    self.problem(equals, "must not be empty");
                } else if !options.is_empty()
                    && !options.iter().any(|option| option.value == *value)
                {
                    let values: Vec<&str> =
                        options.iter().map(|option| option.value.as_str()).collect();
                    self.problem(
                        equals,
                        format!(
                            "`{value}` is not an option of `{watched}` ({})",
                            values.join(", ")
                        ),
                    );
                }
            }
        }
    }

    fn consents(&mut self) {
        let schema = self.schema;
        let collects_special = schema
            .fields()
            .find(|place| place.field.may_give(super::DataCategory::SpecialCategory));
        let conditional =
            |item: &ConsentItem| item.required == ConsentRequirement::WhenSpecialCategory;
        for (i, item) in schema.consents.iter().enumerate() {
            let path = format!("consents[{i}]");
            self.id(format!("{path}.id"), &item.id);
            self.text(format!("{path}.text"), &item.text);
            self.text(format!("{path}.purpose"), &item.purpose);
            if let Some(message) = &item.error_message {
                self.text(format!("{path}.error_message"), message);
            }
            if conditional(item) && collects_special.is_none() {
                self.problem(
                    format!("{path}.required"),
                    "no field collects special category data, so this consent would never be required: use true or \
                     false",
                );
            }
        }
        if let Some(place) = collects_special {
            if !schema.consents.iter().any(conditional) {
                self.problem(
                    "consents",
                    format!(
                        "`{}` can give special category data, so one consent must have \"required\": \
                         \"when_special_category\"",
                        place.field.id
                    ),
                );
            }
        }
    }

    fn limits(&mut self) {
        let limits = self.schema.limits;
        if limits.max_total_attachment_bytes == 0 {
            self.problem("limits.max_total_attachment_bytes", "must be at least 1");
        }
        if limits.max_files == 0 {
            self.problem("limits.max_files", "must be at least 1");
        }
        if limits.max_text_length == 0 {
            self.problem("limits.max_text_length", "must be at least 1");
        }
    }

    /// Checks an id's form and that no other id in the form has it.
    fn id(&mut self, path: String, id: &'a str) {
        if !id_ok(id) {
            self.problem(path, id_rule());
        } else if !self.ids.insert(id) {
            self.problem(
                path,
                format!("`{id}` is already used: ids must be unique across the whole form"),
            );
        }
    }

    /// Checks text shown to the client is not blank.
    fn text(&mut self, path: impl Into<String>, text: &str) {
        if text.trim().is_empty() {
            self.problem(path, "must not be empty");
        }
    }
}

fn id_rule() -> String {
    format!(
        "expected an id of lower-case letters, digits, `_` and `-`, starting with a letter, at most {MAX_ID_LENGTH} \
         characters"
    )
}

fn id_ok(id: &str) -> bool {
    id.len() <= MAX_ID_LENGTH
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A simple BCP 47 shape: a 2 or 3 letter ISO 639 language, then subtags of 1–8 letters or digits. (BCP 47 also
/// allows longer registered language subtags, but none are in use; refusing them catches `"English"`.)
pub(super) fn language_ok(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let language_ok = subtags.next().is_some_and(|language| {
        matches!(language.len(), 2 | 3) && language.bytes().all(|b| b.is_ascii_alphabetic())
    });
    language_ok
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// An ISO 3166-1 alpha-2 country, optionally with an ISO 3166-2 subdivision (`GB-SCT`).
fn jurisdiction_ok(code: &str) -> bool {
    let (country, region) = match code.split_once('-') {
        Some((country, region)) => (country, Some(region)),
        None => (code, None),
    };
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && region.is_none_or(|region| {
            (1..=3).contains(&region.len())
                && region
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
}

/// `type/subtype` or `type/*`, lower case, of RFC 6838 name characters.
fn media_range_ok(range: &str) -> bool {
    let name_ok = |name: &str| {
        !name.is_empty()
            && name.len() <= 127
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&-^_.+".contains(&b))
    };
    match range.split_once('/') {
        Some((kind, "*")) => name_ok(kind),
        Some((kind, subtype)) => name_ok(kind) && name_ok(subtype),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for good in ["a", "full_name", "section-2", "x9"] {
            assert!(id_ok(good), "{good}");
        }
        for bad in [
            "",
            "Full",
            "9a",
            "_a",
            "a b",
            "a.b",
            "a[0]",
            "é",
            &"a".repeat(65),
        ] {
            assert!(!id_ok(bad), "{bad}");
        }
    }

    #[test]
    fn languages() {
        for good in ["en", "en-GB", "cy", "zh-Hant-TW", "sr-Latn", "de-CH-1996"] {
            assert!(language_ok(good), "{good}");
        }
        for bad in [
            "",
            "e",
            "en_GB",
            "en-",
            "english-language",
            "English",
            "en-GB-toolongsubtag",
            "1n",
        ] {
            assert!(!language_ok(bad), "{bad}");
        }
    }

    #[test]
    fn jurisdictions() {
        for good in ["GB", "GB-SCT", "US-CA", "FR"] {
            assert!(jurisdiction_ok(good), "{good}");
        }
        for bad in ["", "gb", "GBR", "GB-", "GB-SCOT", "G"] {
            assert!(!jurisdiction_ok(bad), "{bad}");
        }
    }

    #[test]
    fn media_ranges() {
        for good in [
            "application/pdf",
            "image/*",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ] {
            assert!(media_range_ok(good), "{good}");
        }
        for bad in [
            "",
            "pdf",
            ".pdf",
            "*/*",
            "Application/PDF",
            "image/",
            "/png",
            "text/plain; charset=utf-8",
        ] {
            assert!(!media_range_ok(bad), "{bad}");
        }
    }
}
