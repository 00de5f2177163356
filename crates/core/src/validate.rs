//! The answer rules, written once: the form runs them before sealing and the CLI runs them again after opening.
//! Messages follow the GOV.UK Design System: plain language, built from the field's label, one per field.
//!
//! One file past 700 lines on purpose: every rule and the message it gives sit side by side, so the wording the
//! client reads is reviewed, and kept consistent, in one place. Its tests are in `validate/tests.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use time::Date;

use crate::answers::{is_answered, Answer, Answers};
use crate::attachment::AttachmentInfo;
use crate::contact::{is_email, is_tel};
use crate::schema::{file_size, parse_date, Choice, DateRule, Field, FieldKind, FormSchema};

/// One problem with one answer, to show beside the field and in the error summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is: a field or consent id, or [`row_key`] (`group[1].field` for the first row) for a question in a
    /// repeatable group.
    pub field: String,
    /// What sort of problem it is.
    pub kind: FieldErrorKind,
    /// The message for the client.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// What sort of problem a [`FieldError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldErrorKind {
    /// A required field or consent has no answer.
    Required,
    /// A field that was not shown (its condition does not hold) has an answer.
    NotAsked,
    /// An answer or attachment names a field the form does not have.
    UnknownField,
    /// The answer has the wrong shape for the field's kind (e.g. a list for a text field).
    WrongShape,
    /// A text answer is longer than allowed.
    TooLong,
    /// An email address is not in the correct format.
    InvalidEmail,
    /// A telephone number is not in the correct format.
    InvalidTel,
    /// A date is not a real `YYYY-MM-DD` calendar date.
    InvalidDate,
    /// A date is outside the allowed range (past, future, or fixed bounds).
    DateOutOfRange,
    /// A number answer is not a number.
    NotANumber,
    /// A number answer is not a whole number where one is needed.
    NotWholeNumber,
    /// A number is below the minimum or above the maximum.
    NumberOutOfRange,
    /// A choice answer is not one of the field's options.
    UnknownOption,
    /// Fewer tick boxes are ticked than needed.
    TooFewSelected,
    /// More tick boxes are ticked than allowed.
    TooManySelected,
    /// A repeatable group has fewer rows than needed.
    TooFewRows,
    /// A repeatable group has more rows than allowed.
    TooManyRows,
    /// More files are attached than allowed.
    TooManyFiles,
    /// An attached file is empty.
    EmptyFile,
    /// An attached file, or all of them together, is larger than allowed.
    FileTooLarge,
    /// An attached file's media type is not accepted.
    FileTypeNotAccepted,
}

/// The [`FieldError::field`] of a question in the row at `index` (counted from 0) of the repeatable group `group`:
/// `group[N].field`, where N counts rows from 1 — as the messages say "party 1", and as the firm reads rows in the
/// CLI's summary and export, which use this same key. Ids cannot contain `[`, `]` or `.`, so the key is never
/// ambiguous.
pub fn row_key(group: &str, index: usize, field: &str) -> String {
    format!("{group}[{}].{field}", index + 1)
}

/// Checks `answers` and `attachments` against `schema`, returning every problem in page order (then answers to
/// fields the form does not have). `today` is the client's date (core has no clock) for past and future rules.
///
/// Consents are checked separately by [`crate::consent::missing_consents`].
pub fn validate(
    schema: &FormSchema,
    answers: &Answers,
    attachments: &[AttachmentInfo],
    today: Date,
) -> Result<(), Vec<FieldError>> {
    let mut validator = Validator {
        schema,
        answers,
        today,
        errors: Vec::new(),
    };
    for section in &schema.sections {
        for field in &section.fields {
            validator.top_level(field, attachments);
        }
    }
    validator.unknown_answers();
    validator.unknown_attachments(attachments);
    validator.totals(attachments);
    if validator.errors.is_empty() {
        Ok(())
    } else {
        Err(validator.errors)
    }
}

struct Validator<'a> {
    schema: &'a FormSchema,
    answers: &'a Answers,
    today: Date,
    errors: Vec<FieldError>,
}

/// Which answer is being checked: its key in errors and the words messages use for it.
struct Subject<'a> {
    field: &'a Field,
    key: String,
    /// The label as messages start with it: the field's label, with the row named for a group's question.
    name: String,
}

impl Subject<'_> {
    fn error(&self, kind: FieldErrorKind, message: impl Into<String>) -> FieldError {
        FieldError {
            field: self.key.clone(),
            kind,
            message: message.into(),
        }
    }

    /// The name in the middle of a sentence ("Enter full name").
    fn lower(&self) -> String {
        lower_first(&self.name)
    }
}

impl<'a> Validator<'a> {
    fn top_level(&mut self, field: &'a Field, attachments: &[AttachmentInfo]) {
        let subject = Subject {
            field,
            key: field.id.clone(),
            name: field.label.clone(),
        };
        let shown = self.schema.is_visible(&field.id, self.answers, None);
        if let FieldKind::File { .. } = field.kind {
            let files: Vec<&AttachmentInfo> = attachments
                .iter()
                .filter(|file| file.field == field.id)
                .collect();
            self.files(&subject, shown, &files);
        }
        let answer = self.answers.get(&field.id);
        if let Some(error) = self.answer(&subject, shown, answer) {
            self.errors.push(error);
        }
        if let (true, FieldKind::Group { .. }, Some(Answer::Rows(rows))) =
            (shown, &field.kind, answer)
        {
            for (index, row) in rows.iter().enumerate() {
                self.row(field, index, row);
            }
        }
    }

    /// Checks the answer to one field (top-level or in a row): present when required and shown, absent when not
    /// shown, and of the right shape and value.
    fn answer(
        &self,
        subject: &Subject<'_>,
        shown: bool,
        answer: Option<&Answer>,
    ) -> Option<FieldError> {
        let field = subject.field;
        let answer = answer.filter(|answer| is_answered(answer));
        if matches!(field.kind, FieldKind::File { .. }) {
            // Files are attachments, never answers.
            return answer.map(|_| subject.error(FieldErrorKind::WrongShape, wrong_shape(subject)));
        }
        match answer {
            Some(_) if !shown => Some(subject.error(
                FieldErrorKind::NotAsked,
                format!(
                    "{} was not asked, so it must not have an answer",
                    subject.name
                ),
            )),
            Some(answer) => self.value(subject, answer),
            None if shown && field.required => {
                Some(subject.error(FieldErrorKind::Required, required_message(subject)))
            }
            None => None,
        }
    }

    fn row(&mut self, group: &'a Field, index: usize, row: &BTreeMap<String, Answer>) {
        let FieldKind::Group {
            fields, row_label, ..
        } = &group.kind
        else {
            return;
        };
        for sub in fields {
            let subject = Subject {
                field: sub,
                key: row_key(&group.id, index, &sub.id),
                name: format!("{} for {} {}", sub.label, lower_first(row_label), index + 1),
            };
            let shown = self.schema.is_visible(&sub.id, self.answers, Some(row));
            if let Some(error) = self.answer(&subject, shown, row.get(&sub.id)) {
                self.errors.push(error);
            }
        }
        for key in row
            .keys()
            .filter(|key| !fields.iter().any(|sub| sub.id == **key))
        {
            self.errors.push(FieldError {
                field: row_key(&group.id, index, key),
                kind: FieldErrorKind::UnknownField,
                message: format!(
                    "The form has no question \"{key}\" in {}",
                    lower_first(row_label)
                ),
            });
        }
    }

    /// Checks a given answer's shape and value against the field's kind.
    fn value(&self, subject: &Subject<'_>, answer: &Answer) -> Option<FieldError> {
        let limits = self.schema.limits;
        match (&subject.field.kind, answer) {
            (
                FieldKind::Text { max_length } | FieldKind::Textarea { max_length },
                Answer::Text(text),
            ) => length(subject, text, max_length.unwrap_or(limits.max_text_length)),
            (FieldKind::Email, Answer::Text(text)) => (!is_email(text.trim())).then(|| {
                subject.error(
                    FieldErrorKind::InvalidEmail,
                    "Enter an email address in the correct format, like name@example.com",
                )
            }),
            (FieldKind::Tel, Answer::Text(text)) => (!is_tel(text.trim())).then(|| {
                subject.error(
                    FieldErrorKind::InvalidTel,
                    "Enter a telephone number, like 01632 960 001 or +44 7700 900 982",
                )
            }),
            (
                FieldKind::Date {
                    must_be,
                    not_before,
                    not_after,
                },
                Answer::Text(text),
            ) => self.date(subject, text, *must_be, *not_before, *not_after),
            (FieldKind::Number { min, max, integer }, Answer::Text(text)) => {
                number(subject, text, *min, *max, *integer)
            }
            (FieldKind::Select { options } | FieldKind::Radio { options }, Answer::Text(text)) => {
                known_options(
                    subject,
                    options,
                    std::slice::from_ref(&text.trim().to_owned()),
                )
            }
            (FieldKind::Checkbox, Answer::Flag(_)) => None,
            (
                FieldKind::Checkboxes {
                    options,
                    min_selected,
                    max_selected,
                },
                Answer::Choices(values),
            ) => known_options(subject, options, values)
                .or_else(|| selection_count(subject, values.len(), *min_selected, *max_selected)),
            (
                FieldKind::Group {
                    min_rows, max_rows, ..
                },
                Answer::Rows(rows),
            ) => row_count(subject, rows.len(), *min_rows, *max_rows),
            _ => Some(subject.error(FieldErrorKind::WrongShape, wrong_shape(subject))),
        }
    }

    fn date(
        &self,
        subject: &Subject<'_>,
        text: &str,
        must_be: Option<DateRule>,
        not_before: Option<Date>,
        not_after: Option<Date>,
    ) -> Option<FieldError> {
        let name = &subject.name;
        let Some(date) = parse_date(text.trim()) else {
            return Some(subject.error(
                FieldErrorKind::InvalidDate,
                format!("{name} must be a real date"),
            ));
        };
        let today = self.today;
        let broken = match must_be {
            Some(DateRule::Past) if date >= today => Some("must be in the past".to_owned()),
            Some(DateRule::PastOrToday) if date > today => {
                Some("must be today or in the past".to_owned())
            }
            Some(DateRule::Future) if date <= today => Some("must be in the future".to_owned()),
            Some(DateRule::FutureOrToday) if date < today => {
                Some("must be today or in the future".to_owned())
            }
            _ => None,
        }
        .or_else(|| {
            not_before
                .filter(|first| date < *first)
                .map(|first| format!("must be the same as or after {}", long_date(first)))
        })
        .or_else(|| {
            not_after
                .filter(|last| date > *last)
                .map(|last| format!("must be the same as or before {}", long_date(last)))
        });
        broken.map(|rule| subject.error(FieldErrorKind::DateOutOfRange, format!("{name} {rule}")))
    }

    /// Checks the files attached to one file field.
    fn files(&mut self, subject: &Subject<'_>, shown: bool, files: &[&AttachmentInfo]) {
        let FieldKind::File {
            accept,
            max_size,
            max_count,
        } = &subject.field.kind
        else {
            return;
        };
        let error = if files.is_empty() {
            (shown && subject.field.required)
                .then(|| subject.error(FieldErrorKind::Required, required_message(subject)))
        } else if !shown {
            Some(subject.error(
                FieldErrorKind::NotAsked,
                format!("{} was not asked, so it must not have files", subject.name),
            ))
        } else if files.len() > usize::try_from(*max_count).unwrap_or(usize::MAX) {
            Some(subject.error(FieldErrorKind::TooManyFiles, too_many_files(*max_count)))
        } else {
            let max_size = max_size.unwrap_or(self.schema.limits.max_total_attachment_bytes);
            // With one file allowed "the selected file" is clear; with several, name the file at fault.
            let which = |file: &AttachmentInfo| {
                if *max_count == 1 {
                    "The selected file".to_owned()
                } else {
                    file.name.clone()
                }
            };
            files.iter().find_map(|file| {
                if file.size == 0 {
                    Some(subject.error(
                        FieldErrorKind::EmptyFile,
                        format!("{} is empty", which(file)),
                    ))
                } else if file.size > max_size {
                    Some(subject.error(
                        FieldErrorKind::FileTooLarge,
                        format!(
                            "{} must be smaller than {}",
                            which(file),
                            file_size(max_size)
                        ),
                    ))
                } else if !accepted(accept, &file.media_type) {
                    Some(subject.error(
                        FieldErrorKind::FileTypeNotAccepted,
                        format!("{} must be {}", which(file), type_list(accept)),
                    ))
                } else {
                    None
                }
            })
        };
        self.errors.extend(error);
    }

    fn unknown_answers(&mut self) {
        for key in self.answers.0.keys() {
            let top_level = self
                .schema
                .field(key)
                .is_some_and(|place| place.group.is_none());
            if !top_level {
                self.errors.push(FieldError {
                    field: key.clone(),
                    kind: FieldErrorKind::UnknownField,
                    message: format!("The form has no question \"{key}\""),
                });
            }
        }
    }

    fn unknown_attachments(&mut self, attachments: &[AttachmentInfo]) {
        let mut reported = BTreeSet::new();
        for file in attachments {
            let is_file_field = self
                .schema
                .field(&file.field)
                .is_some_and(|place| matches!(place.field.kind, FieldKind::File { .. }));
            if !is_file_field && reported.insert(file.field.as_str()) {
                self.errors.push(FieldError {
                    field: file.field.clone(),
                    kind: FieldErrorKind::UnknownField,
                    message: format!("The form has no file upload question \"{}\"", file.field),
                });
            }
        }
    }

    /// Checks the limits on all attachments together, reporting against the field of the first file over a limit,
    /// unless that field already has an error (one message per field, as GOV.UK does).
    fn totals(&mut self, attachments: &[AttachmentInfo]) {
        let mut errors = Vec::new();
        let limits = self.schema.limits;
        if let Some(file) = attachments.get(usize::try_from(limits.max_files).unwrap_or(usize::MAX))
        {
            errors.push(FieldError {
                field: file.field.clone(),
                kind: FieldErrorKind::TooManyFiles,
                message: format!("{} in total", too_many_files(limits.max_files)),
            });
        }
        let mut total: u64 = 0;
        for file in attachments {
            total = total.saturating_add(file.size);
            if total > limits.max_total_attachment_bytes {
                errors.push(FieldError {
                    field: file.field.clone(),
                    kind: FieldErrorKind::FileTooLarge,
                    message: format!(
                        "The selected files must be smaller than {} in total",
                        file_size(limits.max_total_attachment_bytes)
                    ),
                });
                break;
            }
        }
        for error in errors {
            if !self
                .errors
                .iter()
                .any(|earlier| earlier.field == error.field)
            {
                self.errors.push(error);
            }
        }
    }
}

fn required_message(subject: &Subject<'_>) -> String {
    if let Some(message) = &subject.field.error_message {
        return message.clone();
    }
    let name = subject.lower();
    match &subject.field.kind {
        FieldKind::Select { .. }
        | FieldKind::Radio { .. }
        | FieldKind::Checkbox
        | FieldKind::Checkboxes { .. }
        | FieldKind::File { .. } => format!("Select {name}"),
        FieldKind::Group { row_label, .. } => {
            format!("Add at least one {}", lower_first(row_label))
        }
        _ => format!("Enter {name}"),
    }
}

fn wrong_shape(subject: &Subject<'_>) -> String {
    format!(
        "The answer to {} is not in the form this question takes",
        subject.lower()
    )
}

fn length(subject: &Subject<'_>, text: &str, max: u32) -> Option<FieldError> {
    let too_long = u32::try_from(text.chars().count()).map_or(true, |count| count > max);
    too_long.then(|| {
        subject.error(
            FieldErrorKind::TooLong,
            format!("{} must be {max} characters or less", subject.name),
        )
    })
}

fn number(
    subject: &Subject<'_>,
    text: &str,
    min: Option<f64>,
    max: Option<f64>,
    integer: bool,
) -> Option<FieldError> {
    let name = &subject.name;
    let Some((value, whole)) = parse_number(text.trim()) else {
        return Some(subject.error(
            FieldErrorKind::NotANumber,
            format!("{name} must be a number"),
        ));
    };
    if integer && !whole {
        return Some(subject.error(
            FieldErrorKind::NotWholeNumber,
            format!("{name} must be a whole number"),
        ));
    }
    let below = min.is_some_and(|min| value < min);
    let above = max.is_some_and(|max| value > max);
    if !below && !above {
        return None;
    }
    let rule = match (min, max) {
        (Some(min), Some(max)) => format!("must be between {min} and {max}"),
        (Some(min), None) => format!("must be {min} or more"),
        (None, Some(max)) => format!("must be {max} or less"),
        (None, None) => return None,
    };
    Some(subject.error(FieldErrorKind::NumberOutOfRange, format!("{name} {rule}")))
}

/// Reads `-1,234.5` style numbers: an optional minus, digits with optional commas between groups of three, and an
/// optional decimal part. Returns the value and whether it is whole. Refuses what `f64::from_str` would also take
/// but no person types as an amount (`1e5`, `inf`, `NaN`).
fn parse_number(text: &str) -> Option<(f64, bool)> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let grouped = whole.contains(',');
    let whole_ok = digits(first)
        && (!grouped || first.len() <= 3)
        && groups.all(|group| group.len() == 3 && digits(group));
    if !whole_ok || fraction.is_some_and(|fraction| !digits(fraction)) {
        return None;
    }
    let plain: String = text.chars().filter(|&c| c != ',').collect();
    // The text is now `-?digits(.digits)?`, which f64 always parses, though hundreds of digits parse as infinity.
    let value = plain
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())?;
    Some((value, fraction.is_none()))
}

fn known_options(
    subject: &Subject<'_>,
    options: &[Choice],
    values: &[String],
) -> Option<FieldError> {
    let mut seen = BTreeSet::new();
    let all_known = values
        .iter()
        .all(|value| options.iter().any(|option| option.value == *value) && seen.insert(value));
    (!all_known).then(|| {
        subject.error(
            FieldErrorKind::UnknownOption,
            format!("Select {} from the options given", subject.lower()),
        )
    })
}

fn selection_count(
    subject: &Subject<'_>,
    count: usize,
    min: Option<u32>,
    max: Option<u32>,
) -> Option<FieldError> {
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let name = subject.lower();
    match (min, max) {
        (Some(min), _) if count < min => Some(subject.error(
            FieldErrorKind::TooFewSelected,
            format!(
                "Select at least {min} {} for {name}",
                plural(min, "option", "options")
            ),
        )),
        (_, Some(max)) if count > max => Some(subject.error(
            FieldErrorKind::TooManySelected,
            format!(
                "Select no more than {max} {} for {name}",
                plural(max, "option", "options")
            ),
        )),
        _ => None,
    }
}

/// Checks the number of rows given (at least one): fewer than `min_rows`, or more than `max_rows`, is a problem.
fn row_count(subject: &Subject<'_>, rows: usize, min: u32, max: u32) -> Option<FieldError> {
    let rows = u32::try_from(rows).unwrap_or(u32::MAX);
    if rows < min {
        Some(subject.error(
            FieldErrorKind::TooFewRows,
            format!(
                "Add at least {min} {} to {}",
                plural(min, "entry", "entries"),
                subject.lower()
            ),
        ))
    } else if rows > max {
        Some(subject.error(
            FieldErrorKind::TooManyRows,
            format!(
                "{} must have {max} {} or fewer",
                subject.name,
                plural(max, "entry", "entries")
            ),
        ))
    } else {
        None
    }
}

fn too_many_files(max: u32) -> String {
    if max == 1 {
        "You can only select 1 file".to_owned()
    } else {
        format!("You can only select up to {max} files")
    }
}

/// Whether a file's media type (as the browser gave it) is in the accept list; parameters and case are ignored.
fn accepted(accept: &[String], media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some((kind, _)) = essence.split_once('/') else {
        return false;
    };
    accept.iter().any(|range| match range.strip_suffix("/*") {
        Some(accepted_kind) => accepted_kind == kind,
        None => *range == essence,
    })
}

/// "a PDF, JPG or PNG": the accept list as people name file types.
fn type_list(accept: &[String]) -> String {
    let mut names: Vec<String> = Vec::new();
    for range in accept {
        let name = type_name(range);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let article = match names.first().and_then(|name| name.chars().next()) {
        // Initialisms read letter by letter ("an RTF"); words by sound ("an image").
        Some(
            'A' | 'E' | 'F' | 'H' | 'I' | 'L' | 'M' | 'N' | 'O' | 'R' | 'S' | 'X' | 'a' | 'e' | 'i'
            | 'o',
        ) => "an",
        _ => "a",
    };
    format!("{article} {}", or_list(&names))
}

fn type_name(range: &str) -> String {
    let known = match range {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPG",
        "image/png" => "PNG",
        "image/gif" => "GIF",
        "image/heic" => "HEIC",
        "image/webp" => "WEBP",
        "image/tiff" => "TIFF",
        "text/plain" => "TXT",
        "text/csv" => "CSV",
        "application/rtf" => "RTF",
        "application/msword" => "DOC",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "DOCX",
        "application/vnd.oasis.opendocument.text" => "ODT",
        "application/vnd.ms-excel" => "XLS",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "XLSX",
        "message/rfc822" => "EML",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    match range.split_once('/') {
        Some((kind, "*")) => kind.to_owned(),
        Some((_, subtype)) => subtype
            .rsplit(['.', '+', '-'])
            .next()
            .unwrap_or(subtype)
            .to_ascii_uppercase(),
        None => range.to_ascii_uppercase(),
    }
}

/// "A, B or C".
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// "1 January 2025", as GOV.UK writes dates.
fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), date.month(), date.year())
}

fn plural<'a>(n: u32, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Lower-cases the first letter for use mid-sentence, unless the first word is an initialism ("UK address").
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    // "UK address" keeps its initialism, and "I" stays a capital.
    let initialism = match chars.next() {
        Some(second) => second.is_uppercase() || (first == 'I' && second == ' '),
        None => first == 'I',
    };
    if initialism {
        label.to_owned()
    } else {
        first
            .to_lowercase()
            .chain(label[first.len_utf8()..].chars())
            .collect()
    }
}

#[cfg(test)]
#[cfg(feature = "open")]
mod tests;
