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
use crate::i18n::{self, Arg, Texts};
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
        texts: i18n::texts(&schema.language),
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
    /// The built-in messages in the form's language.
    texts: &'static Texts,
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
    texts: &'static Texts,
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

    /// The message `id` about this answer, its name (as it reads mid-sentence) put in as `$name`.
    fn say(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.say_as(id, self.lower(), args)
    }

    /// The message `id`, with the name as a sentence starts with it.
    fn say_first(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.say_as(id, self.name.clone(), args)
    }

    fn say_as(&self, id: &str, name: String, args: &[(&str, Arg)]) -> String {
        let mut all = vec![("name", Arg::Text(name))];
        all.extend(args.iter().cloned());
        self.texts.format(id, &all)
    }
}

impl<'a> Validator<'a> {
    fn top_level(&mut self, field: &'a Field, attachments: &[AttachmentInfo]) {
        let subject = Subject {
            field,
            key: field.id.clone(),
            name: field.label.clone(),
            texts: self.texts,
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
                subject.say_first("not-asked", &[]),
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
                name: self.texts.format(
                    "row-name",
                    &[
                        ("label", sub.label.as_str().into()),
                        ("row", lower_first(row_label).into()),
                        ("number", (index + 1).into()),
                    ],
                ),
                texts: self.texts,
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
                message: self.texts.format(
                    "unknown-question-in-row",
                    &[
                        ("key", key.as_str().into()),
                        ("row", lower_first(row_label).into()),
                    ],
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
                    subject.say("invalid-email", &[]),
                )
            }),
            (FieldKind::Tel, Answer::Text(text)) => (!is_tel(text.trim())).then(|| {
                subject.error(FieldErrorKind::InvalidTel, subject.say("invalid-tel", &[]))
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
        let Some(date) = parse_date(text.trim()) else {
            return Some(subject.error(
                FieldErrorKind::InvalidDate,
                subject.say_first("invalid-date", &[]),
            ));
        };
        let today = self.today;
        let said = |id: &str| subject.say_first(id, &[]);
        let broken = match must_be {
            Some(DateRule::Past) if date >= today => Some(said("date-past")),
            Some(DateRule::PastOrToday) if date > today => Some(said("date-past-or-today")),
            Some(DateRule::Future) if date <= today => Some(said("date-future")),
            Some(DateRule::FutureOrToday) if date < today => Some(said("date-future-or-today")),
            _ => None,
        }
        .or_else(|| {
            not_before.filter(|first| date < *first).map(|first| {
                let date = long_date(self.texts, first);
                subject.say_first("date-not-before", &[("date", date.into())])
            })
        })
        .or_else(|| {
            not_after.filter(|last| date > *last).map(|last| {
                let date = long_date(self.texts, last);
                subject.say_first("date-not-after", &[("date", date.into())])
            })
        });
        broken.map(|message| subject.error(FieldErrorKind::DateOutOfRange, message))
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
                subject.say_first("not-asked-files", &[]),
            ))
        } else if files.len() > usize::try_from(*max_count).unwrap_or(usize::MAX) {
            Some(
                subject.error(
                    FieldErrorKind::TooManyFiles,
                    self.texts
                        .format("too-many-files", &[("max", (*max_count).into())]),
                ),
            )
        } else {
            let max_size = max_size.unwrap_or(self.schema.limits.max_total_attachment_bytes);
            // With one file allowed "the selected file" is clear; with several, name the file at fault.
            let which = |file: &AttachmentInfo| {
                if *max_count == 1 {
                    self.texts.get("the-selected-file")
                } else {
                    file.name.clone()
                }
            };
            files.iter().find_map(|file| {
                if file.size == 0 {
                    Some(
                        subject.error(
                            FieldErrorKind::EmptyFile,
                            self.texts
                                .format("file-empty", &[("file", which(file).into())]),
                        ),
                    )
                } else if file.size > max_size {
                    Some(subject.error(
                        FieldErrorKind::FileTooLarge,
                        self.texts.format(
                            "file-too-large",
                            &[
                                ("file", which(file).into()),
                                ("size", file_size(max_size).into()),
                            ],
                        ),
                    ))
                } else if !accepted(accept, &file.media_type) {
                    Some(subject.error(
                        FieldErrorKind::FileTypeNotAccepted,
                        file_type_message(self.texts, &which(file), accept),
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
                    message: self
                        .texts
                        .format("unknown-question", &[("key", key.as_str().into())]),
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
                    message: self.texts.format(
                        "unknown-file-question",
                        &[("key", file.field.as_str().into())],
                    ),
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
                message: self.texts.format(
                    "too-many-files-in-total",
                    &[("max", limits.max_files.into())],
                ),
            });
        }
        let mut total: u64 = 0;
        for file in attachments {
            total = total.saturating_add(file.size);
            if total > limits.max_total_attachment_bytes {
                errors.push(FieldError {
                    field: file.field.clone(),
                    kind: FieldErrorKind::FileTooLarge,
                    message: self.texts.format(
                        "files-too-large-in-total",
                        &[("size", file_size(limits.max_total_attachment_bytes).into())],
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
    match &subject.field.kind {
        FieldKind::Select { .. }
        | FieldKind::Radio { .. }
        | FieldKind::Checkbox
        | FieldKind::Checkboxes { .. }
        | FieldKind::File { .. } => subject.say("select", &[]),
        FieldKind::Group { row_label, .. } => subject.say(
            "add-at-least-one",
            &[("row", lower_first(row_label).into())],
        ),
        _ => subject.say("enter", &[]),
    }
}

fn wrong_shape(subject: &Subject<'_>) -> String {
    subject.say("wrong-shape", &[])
}

fn length(subject: &Subject<'_>, text: &str, max: u32) -> Option<FieldError> {
    let too_long = u32::try_from(text.chars().count()).map_or(true, |count| count > max);
    too_long.then(|| {
        subject.error(
            FieldErrorKind::TooLong,
            subject.say_first("too-long", &[("max", max.into())]),
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
    let Some((value, whole)) = parse_number(text.trim()) else {
        return Some(subject.error(
            FieldErrorKind::NotANumber,
            subject.say_first("not-a-number", &[]),
        ));
    };
    if integer && !whole {
        return Some(subject.error(
            FieldErrorKind::NotWholeNumber,
            subject.say_first("not-a-whole-number", &[]),
        ));
    }
    let below = min.is_some_and(|min| value < min);
    let above = max.is_some_and(|max| value > max);
    if !below && !above {
        return None;
    }
    let message = match (min, max) {
        (Some(min), Some(max)) => subject.say_first(
            "number-between",
            &[("min", min.into()), ("max", max.into())],
        ),
        (Some(min), None) => subject.say_first("number-at-least", &[("min", min.into())]),
        (None, Some(max)) => subject.say_first("number-at-most", &[("max", max.into())]),
        (None, None) => return None,
    };
    Some(subject.error(FieldErrorKind::NumberOutOfRange, message))
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
            subject.say("unknown-option", &[]),
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
    match (min, max) {
        (Some(min), _) if count < min => Some(subject.error(
            FieldErrorKind::TooFewSelected,
            subject.say("too-few-selected", &[("min", min.into())]),
        )),
        (_, Some(max)) if count > max => Some(subject.error(
            FieldErrorKind::TooManySelected,
            subject.say("too-many-selected", &[("max", max.into())]),
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
            subject.say("too-few-rows", &[("min", min.into())]),
        ))
    } else if rows > max {
        Some(subject.error(
            FieldErrorKind::TooManyRows,
            subject.say_first("too-many-rows", &[("max", max.into())]),
        ))
    } else {
        None
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

/// "The selected file must be a PDF, JPG or PNG": the accept list as people name file types.
fn file_type_message(texts: &Texts, file: &str, accept: &[String]) -> String {
    let mut names: Vec<String> = Vec::new();
    for range in accept {
        let name = type_name(range);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    // English alone needs an article chosen by sound; the other catalogues ignore it.
    let article = match names.first().and_then(|name| name.chars().next()) {
        // Initialisms read letter by letter ("an RTF"); words by sound ("an image").
        Some(
            'A' | 'E' | 'F' | 'H' | 'I' | 'L' | 'M' | 'N' | 'O' | 'R' | 'S' | 'X' | 'a' | 'e' | 'i'
            | 'o',
        ) => "an",
        _ => "a",
    };
    texts.format(
        "file-wrong-type",
        &[
            ("file", file.into()),
            ("article", article.into()),
            ("types", or_list(texts, &names).into()),
        ],
    )
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
fn or_list(texts: &Texts, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => texts.format(
            "or-list",
            &[
                ("init", init.join(&texts.get("list-comma")).into()),
                ("last", last.as_str().into()),
            ],
        ),
    }
}

/// "1 January 2025", as GOV.UK writes dates.
fn long_date(texts: &Texts, date: Date) -> String {
    texts.format(
        "long-date",
        &[
            ("day", u32::from(date.day()).into()),
            ("month", u32::from(u8::from(date.month())).into()),
            ("year", i64::from(date.year()).into()),
        ],
    )
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
