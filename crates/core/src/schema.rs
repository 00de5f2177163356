//! The form definition a firm edits: questions, consents, keys, where submissions go. It is the form's whole config.
//! Read strictly (unknown keys refused, every problem named by its JSON path) so a typo fails loudly, never silently.
//!
//! A form definition comes in two stages. A [`Template`] is a definition that may not have its firm's keys yet (the
//! shipped [`LEGAL_INTAKE_TEMPLATE`] has `"recipients": []`); [`Template::with_recipients`] adds them and gives a
//! [`FormSchema`], which always has at least one recipient, because a form with nobody to seal to cannot work.
//! The CLI writes that schema out as the file the form serves; the form reads it with [`FormSchema::from_json`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::json;
use crate::key::Recipient;

mod check;
mod text;
mod translate;
mod wire;

pub(crate) use text::{check_https_url, parse_date};
pub use text::{Endpoint, FontFamily, HexColour, IsoDuration, TextFormError};

/// The schema format version this crate reads and writes (the `"schema"` member).
pub const SCHEMA_VERSION: u32 = 1;

/// The shipped default template: a fictional law firm's client-intake form, with `"recipients": []`.
///
/// Read it with [`Template::from_json`], then add the firm's key with [`Template::with_recipients`].
pub const LEGAL_INTAKE_TEMPLATE: &str = include_str!("../templates/legal-intake.json");

/// A group's `max_rows` when the schema does not say: enough for any intake form, small enough to bound a submission.
pub const DEFAULT_MAX_ROWS: u32 = 20;

// ---------------------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------------------

/// A checked form definition with at least one recipient: everything the form renders and every rule it enforces.
///
/// Only [`FormSchema::from_json`] and [`Template::with_recipients`] check a schema; one built by hand is trusted as
/// it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSchema {
    /// The schema format version; always [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The form's id, recorded in every submission (`[a-z0-9_-]`, starting with a letter).
    pub id: String,
    /// The firm's version of this form (free text, e.g. `2026-01`), recorded in every submission.
    pub version: String,
    /// The page heading.
    pub title: String,
    /// Text shown under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The form's language as a BCP 47 tag, e.g. `en-GB`.
    pub language: String,
    /// Where the firm is regulated, as an ISO 3166 code, e.g. `GB` or `GB-SCT`.
    pub jurisdiction: String,
    /// Who the firm is: the data controller named in every consent record.
    pub firm: Firm,
    /// The public keys submissions are sealed to (public JWKs); at least one, no two with the same `kid`.
    pub recipients: Vec<Recipient>,
    /// Where the browser POSTs the sealed bundle.
    pub endpoint: Endpoint,
    /// The pages or headed parts of the form, in order.
    pub sections: Vec<Section>,
    /// The statements the client is asked to agree to.
    pub consents: Vec<ConsentItem>,
    /// Short texts shown to the client (what happens next, urgent matters, confidentiality).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
    /// How long the firm keeps submissions.
    pub retention: Retention,
    /// How the client withdraws consent.
    pub withdrawal: String,
    /// Size and count limits for a submission.
    #[serde(default)]
    pub limits: Limits,
    /// The firm's brand colour and font.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// Lets the form run on a page whose snippet has no `data-pin`. **Unsafe**: without pins, whoever can change
    /// this file on the server can add a key of their own and read every submission sealed after. The form then
    /// warns in the browser console on every load.
    #[serde(default, skip_serializing_if = "wire::is_false")]
    pub allow_unpinned: bool,
    /// How the form is laid out: a page per section with a check-your-answers page (the default), or every
    /// section on one page, for short forms.
    #[serde(default, skip_serializing_if = "Layout::is_steps")]
    pub layout: Layout,
    /// The form's texts in other languages: for each language (a BCP 47 tag sealform has built-in texts for), every
    /// text of the form by its place, e.g. `"fields.full_name.label"` (see [`FormSchema::texts`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, BTreeMap<String, String>>,
}

/// How the form shows its sections. In JSON: `"steps"` (the default) or `"single_page"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One section a page, with Continue and Back, then "Check your answers", then the consent step and Send
    /// (GOV.UK's "one thing per page" and "check answers" patterns).
    #[default]
    Steps,
    /// Every section, the consents and Send on one page: for forms short enough to take in at a glance.
    SinglePage,
}

impl Layout {
    /// Whether this is the default, stepped layout (left out when the schema is written).
    pub fn is_steps(&self) -> bool {
        *self == Self::Steps
    }
}

/// The firm that receives submissions: the data controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Firm {
    /// The firm's name, e.g. `Harbour & Vale Solicitors LLP`.
    pub name: String,
    /// Who to contact about data protection, e.g. `Data Protection Officer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The firm's email address for data protection questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The firm's telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The firm's postal address, one line per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<String>,
    /// The firm's website (`https://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// The privacy notice the client is pointed to (`https://`).
    pub privacy_notice_url: String,
}

/// A headed part of the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section's id (unique across the whole form).
    pub id: String,
    /// The section heading.
    pub title: String,
    /// Text shown under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The questions, in order.
    pub fields: Vec<Field>,
}

/// One question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "wire::RawField", into = "wire::RawField")]
pub struct Field {
    /// The field's id: the key of its answer, and its element id in the form. Unique across the whole form.
    pub id: String,
    /// The question or label shown to the client. Error messages are built from it ("Enter full name"), so a short
    /// noun phrase ("Full name") reads best; give an `error_message` for question-style labels.
    pub label: String,
    /// Help text shown under the label.
    pub hint: Option<String>,
    /// Whether an answer is needed (only ever when the field is shown).
    pub required: bool,
    /// The kind of personal data the answer is.
    pub category: DataCategory,
    /// Why the firm asks, shown to the client (data minimisation: no purpose, no question).
    pub purpose: String,
    /// Show the field only when an earlier answer has a given value.
    pub show_when: Option<Condition>,
    /// The message shown when a required answer is missing, instead of the one built from the label.
    pub error_message: Option<String>,
    /// What sort of answer the field takes, with its constraints.
    pub kind: FieldKind,
}

/// What sort of answer a field takes, with the constraints of that sort. In JSON, the field's `kind` member names
/// the variant and the constraints sit beside it.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    /// A one-line text answer.
    Text {
        /// The longest answer, in characters; [`Limits::max_text_length`] when not given.
        max_length: Option<u32>,
    },
    /// A multi-line text answer.
    Textarea {
        /// The longest answer, in characters; [`Limits::max_text_length`] when not given.
        max_length: Option<u32>,
    },
    /// An email address.
    Email,
    /// A telephone number.
    Tel,
    /// A calendar date, answered as `YYYY-MM-DD`.
    Date {
        /// Whether the date must be in the past or the future, counted from the day the form is filled in.
        must_be: Option<DateRule>,
        /// The earliest date allowed.
        not_before: Option<Date>,
        /// The latest date allowed.
        not_after: Option<Date>,
    },
    /// A number, answered as decimal text (commas between thousands allowed).
    Number {
        /// The smallest number allowed.
        min: Option<f64>,
        /// The largest number allowed.
        max: Option<f64>,
        /// Whether only whole numbers are allowed.
        integer: bool,
    },
    /// A drop-down list: one option.
    Select {
        /// The options, in order.
        options: Vec<Choice>,
    },
    /// Radio buttons: one option.
    Radio {
        /// The options, in order.
        options: Vec<Choice>,
    },
    /// A single tick box; the label is the text beside it.
    Checkbox,
    /// Tick boxes: any number of options.
    Checkboxes {
        /// The options, in order.
        options: Vec<Choice>,
        /// The fewest options that must be ticked, when any are.
        min_selected: Option<u32>,
        /// The most options that may be ticked.
        max_selected: Option<u32>,
    },
    /// File uploads. The files are not answers: they are the submission's attachments.
    File {
        /// The media types accepted, such as `application/pdf` or `image/*`.
        accept: Vec<String>,
        /// The largest file, in bytes; [`Limits::max_total_attachment_bytes`] when not given.
        max_size: Option<u64>,
        /// The most files (1 when not given).
        max_count: u32,
    },
    /// A repeatable group of questions, answered as rows (e.g. one row per other party). Groups do not nest and
    /// cannot hold file fields.
    Group {
        /// The questions in each row.
        fields: Vec<Field>,
        /// What one row is called, e.g. `Other party`.
        row_label: String,
        /// The fewest rows, when any are given (a required group needs at least one).
        min_rows: u32,
        /// The most rows ([`DEFAULT_MAX_ROWS`] when not given).
        max_rows: u32,
    },
}

/// One option of a select, radio or checkboxes field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The value recorded in the answer.
    pub value: String,
    /// The text shown.
    pub label: String,
    /// Help text shown under the option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The kind of data choosing this option discloses, when it differs from the field's (e.g. `yes` to "Does your
    /// matter involve your health?" discloses special category data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<DataCategory>,
}

/// When a field is shown: when the earlier field `field` has the answer `equals`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The id of the field the condition looks at: asked earlier, and outside any group unless both fields are in
    /// the same group.
    pub field: String,
    /// The answer that shows the field: an option value (for tick boxes, one of the ticked options), a text, or
    /// `true`/`false` for a single checkbox.
    pub equals: ConditionValue,
}

/// The answer a [`Condition`] waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConditionValue {
    /// A single checkbox ticked (`true`) or not (`false`).
    Flag(bool),
    /// An option value, or a text answer.
    Text(String),
}

/// The kinds of personal data a form collects, recorded in the consent record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// How to reach the client: email, telephone, address, contact preferences.
    Contact,
    /// Who the client is: name, date of birth.
    Identity,
    /// Money: income, the value of a claim.
    Financial,
    /// The legal matter itself and the people involved in it.
    Case,
    /// Special category data (UK GDPR Article 9: health, ethnicity, religion, sexuality, …) or criminal offence data
    /// (Article 10). Giving it makes a `when_special_category` consent required.
    SpecialCategory,
}

/// Whether a date must lie before or after the day the form is filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRule {
    /// Before today.
    Past,
    /// Today or before.
    PastOrToday,
    /// After today.
    Future,
    /// Today or after.
    FutureOrToday,
}

/// A statement the client is asked to agree to by ticking a box. Never ticked in advance: the schema has no way to
/// say so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentItem {
    /// The consent's id (unique across the whole form).
    pub id: String,
    /// The exact text beside the tick box; its SHA-256 is recorded in the consent record.
    pub text: String,
    /// Help text shown under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Whether the client must agree to send the form.
    pub required: ConsentRequirement,
    /// Why the firm asks, recorded in the consent record.
    pub purpose: String,
    /// The message shown when a required consent is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// When a consent must be given. In JSON: `true`, `false` or `"when_special_category"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentRequirement {
    /// Always (`true`).
    Always,
    /// Never: the client may leave it unticked (`false`).
    Optional,
    /// Only when the answers give special category data (`"when_special_category"`).
    WhenSpecialCategory,
}

/// A short text shown to the client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The notice's id (unique across the whole form).
    pub id: String,
    /// A heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text.
    pub text: String,
}

/// How long the firm keeps a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// In words, as shown to the client.
    pub text: String,
    /// The longest period, as an ISO 8601 duration (e.g. `P6Y`).
    pub duration: IsoDuration,
}

/// Limits on one submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The most bytes of attachments in total (25 MiB unless given).
    pub max_total_attachment_bytes: u64,
    /// The most attachments in total (10 unless given).
    pub max_files: u32,
    /// The longest text answer, in characters, for fields without their own `max_length` (10 000 unless given).
    pub max_text_length: u32,
}

/// Room in a bundle beyond the attachments' base64: the sealed answers, and the bundle's own JSON.
const BUNDLE_HEADROOM: u64 = 1024 * 1024;
/// Room per part (the submission and each attachment): its members and up to 16 wrapped keys of an 8192-bit RSA
/// key.
const PART_HEADROOM: u64 = 32 * 1024;

impl Limits {
    /// The largest bundle a submission within these limits can be, in bytes: the attachments' total in base64
    /// (4/3), plus room for the sealed answers and every part's JSON and wrapped keys. The receiver accepts no
    /// larger body, and the firm's CLI reads no larger file, unless told otherwise.
    pub fn max_bundle_bytes(&self) -> u64 {
        let base64 = self
            .max_total_attachment_bytes
            .saturating_mul(4)
            .div_ceil(3);
        let parts = u64::from(self.max_files).saturating_add(1);
        base64
            .saturating_add(BUNDLE_HEADROOM)
            .saturating_add(parts.saturating_mul(PART_HEADROOM))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_total_attachment_bytes: 25 * 1024 * 1024,
            max_files: 10,
            max_text_length: 10_000,
        }
    }
}

/// "10MB", "9.5MB", "500KB" or "900 bytes", as GOV.UK writes sizes (binary multiples, no space before the unit), for
/// a limit: rounded down, so a limit stated is never more than the real one. The one way sizes are written to the
/// client (limits in error messages, with [`picked_file_size`] for the files picked) and by the firm's tools.
pub fn file_size(bytes: u64) -> String {
    written_size(bytes, false)
}

/// A file's size written as [`file_size`] writes a limit, but rounded up: a file just over a limit never shows
/// the limit's own figure ("10.1MB" beside "must be smaller than 10MB", not "10MB").
pub fn picked_file_size(bytes: u64) -> String {
    written_size(bytes, true)
}

fn written_size(bytes: u64, round_up: bool) -> String {
    const KB: u128 = 1024;
    const MB: u128 = 1024 * 1024;
    let bytes = u128::from(bytes);
    let divide = |n: u128, d: u128| if round_up { n.div_ceil(d) } else { n / d };
    // Rounded up, anything over 1023KB is written in MB ("1MB", not "1024KB").
    if bytes >= MB || (round_up && bytes > MB - KB) {
        let tenths = divide(bytes * 10, MB);
        if tenths % 10 == 0 {
            format!("{}MB", tenths / 10)
        } else {
            format!("{}.{}MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= KB {
        format!("{}KB", divide(bytes, KB))
    } else {
        format!("{bytes} bytes")
    }
}

/// The firm's look, written into CSS custom properties; both values are checked so they cannot break out of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// The brand colour, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_colour: Option<HexColour>,
    /// The font family list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font_family: Option<FontFamily>,
}

/// A field and where it sits in the form.
#[derive(Clone, Copy, Debug)]
pub struct FieldRef<'a> {
    /// The section it is in.
    pub section: &'a Section,
    /// The group it is in, for the questions of a repeatable group.
    pub group: Option<&'a Field>,
    /// The field.
    pub field: &'a Field,
}

/// A form definition that may not have its recipients yet: what a firm starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    schema: FormSchema,
}

/// Why a form definition was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The file is not JSON, or its JSON does not have the shape of a form definition.
    #[error("{}", at(.path, .message))]
    Json {
        /// Where in the file, e.g. `sections[1].fields[3].kind` (empty for the whole file).
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// The file is written for a schema version this crate does not read.
    #[error("schema: this sealform reads form definitions with \"schema\": {SCHEMA_VERSION}, not {found}")]
    UnsupportedVersion {
        /// The version the file gives.
        found: u64,
    },
    /// The JSON has the right shape but breaks the rules of a form; every problem found is listed.
    #[error("{}", lines(.problems))]
    Invalid {
        /// The problems, in file order.
        problems: Vec<SchemaProblem>,
    },
}

/// One broken rule in a form definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaProblem {
    /// Where in the file, e.g. `sections[0].fields[2].show_when.field`.
    pub path: String,
    /// What is wrong there.
    pub problem: String,
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&at(&self.path, &self.problem))
    }
}

fn at(path: &str, message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{path}: {message}")
    }
}

fn lines(problems: &[SchemaProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(SchemaProblem::to_string).collect();
    lines.join("\n")
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and writing
// ---------------------------------------------------------------------------------------------------------------

impl FormSchema {
    /// Reads and checks a form definition; it must have at least one recipient.
    ///
    /// The caller computes the schema digest for [`FormRef`](crate::FormRef) from these same `bytes`, never from
    /// re-serialised JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SchemaError> {
        let schema = parse(bytes)?;
        finish(schema, true)
    }

    /// Every field in form order, each group's questions right after the group.
    pub fn fields(&self) -> impl Iterator<Item = FieldRef<'_>> + '_ {
        self.sections.iter().flat_map(|section| {
            section.fields.iter().flat_map(move |field| {
                let subfields = match &field.kind {
                    FieldKind::Group { fields, .. } => fields.as_slice(),
                    _ => &[],
                };
                std::iter::once(FieldRef {
                    section,
                    group: None,
                    field,
                })
                .chain(subfields.iter().map(move |sub| FieldRef {
                    section,
                    group: Some(field),
                    field: sub,
                }))
            })
        })
    }

    /// The field with this id, anywhere in the form.
    pub fn field(&self, id: &str) -> Option<FieldRef<'_>> {
        self.fields().find(|place| place.field.id == id)
    }

    /// The consent item with this id.
    pub fn consent(&self, id: &str) -> Option<&ConsentItem> {
        self.consents.iter().find(|item| item.id == id)
    }
}

impl Template {
    /// Reads and checks a form definition whose `recipients` may be empty, such as [`LEGAL_INTAKE_TEMPLATE`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, SchemaError> {
        let schema = parse(bytes)?;
        Ok(Self {
            schema: finish(schema, false)?,
        })
    }

    /// The definition as it stands (its `recipients` may be empty).
    pub fn schema(&self) -> &FormSchema {
        &self.schema
    }

    /// Adds `recipients` after any the template already lists and checks the result as a [`FormSchema`].
    pub fn with_recipients(
        self,
        recipients: impl IntoIterator<Item = Recipient>,
    ) -> Result<FormSchema, SchemaError> {
        let mut schema = self.schema;
        schema.recipients.extend(recipients);
        finish(schema, true)
    }
}

/// Reads the JSON strictly (core's one JSON reader), naming where the first thing that does not fit is.
fn parse(bytes: &[u8]) -> Result<FormSchema, SchemaError> {
    check_version(bytes)?;
    json::read(bytes).map_err(|problem| SchemaError::Json {
        path: problem.path.unwrap_or_default(),
        message: problem.message,
    })
}

/// Refuses another schema version before reading the rest, whose shape may differ in ways that would otherwise
/// produce a confusing first error.
fn check_version(bytes: &[u8]) -> Result<(), SchemaError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        schema: Option<u64>,
    }
    match serde_json::from_slice::<VersionOnly>(bytes) {
        Ok(VersionOnly {
            schema: Some(found),
        }) if found != u64::from(SCHEMA_VERSION) => Err(SchemaError::UnsupportedVersion { found }),
        // Anything else, including malformed JSON, is reported by the full parse with its path.
        _ => Ok(()),
    }
}

fn finish(schema: FormSchema, require_recipients: bool) -> Result<FormSchema, SchemaError> {
    let mut problems = check::check(&schema, require_recipients);
    problems.extend(translate::check(&schema, check::language_ok));
    if problems.is_empty() {
        Ok(schema)
    } else {
        Err(SchemaError::Invalid { problems })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Rules over the form alone (the rules that read answers, such as which fields are shown, are in `answers`)
// ---------------------------------------------------------------------------------------------------------------

impl FieldKind {
    /// The kind's name as written in the schema's `kind` member, e.g. `"checkboxes"`.
    pub fn name(&self) -> &'static str {
        wire::KindName::from(self).as_str()
    }

    /// The options of a select, radio or checkboxes field; empty for other kinds.
    pub fn options(&self) -> &[Choice] {
        match self {
            Self::Select { options }
            | Self::Radio { options }
            | Self::Checkboxes { options, .. } => options,
            _ => &[],
        }
    }
}

impl ConsentRequirement {
    /// Whether the consent must be given, knowing whether the answers give special category data. This is the one
    /// place the "required when special category data is given" rule lives.
    pub fn applies(self, special_category_given: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Optional => false,
            Self::WhenSpecialCategory => special_category_given,
        }
    }
}

impl ConsentItem {
    /// Whether this consent must be given, knowing whether the answers give special category data.
    pub fn is_required(&self, special_category_given: bool) -> bool {
        self.required.applies(special_category_given)
    }
}

impl FormSchema {
    /// Whether any field or option of the form could give special category data.
    pub fn may_collect_special_category(&self) -> bool {
        self.fields()
            .any(|place| place.field.may_give(DataCategory::SpecialCategory))
    }
}

impl Field {
    /// Whether some answer to this field itself could be of `category`: its own category or one of its options'. A
    /// group's questions are fields of their own ([`FormSchema::fields`] yields them), each asked on its own.
    pub fn may_give(&self, category: DataCategory) -> bool {
        self.category == category
            || self
                .kind
                .options()
                .iter()
                .any(|option| option.category == Some(category))
    }
}

// Test fixtures name the test keys, which need the private-key half to load.
#[cfg(test)]
#[cfg(feature = "open")]
pub(crate) mod test_support {
    //! Schemas for tests across the crate: the shipped template and one with every field kind, each with the firm's
    //! test key added.

    use super::*;

    /// A form using every field kind, with `"recipients": []`.
    pub(crate) const ALL_KINDS: &str = include_str!("../tests/data/schemas/all-kinds.json");

    /// `json` (a template) with the firm's test key added.
    pub(crate) fn with_firm_key(json: &str) -> FormSchema {
        Template::from_json(json.as_bytes())
            .and_then(|template| {
                template.with_recipients([crate::test_keys::firm().recipient().clone()])
            })
            .unwrap_or_else(|error| panic!("test schema is valid: {error}"))
    }

    /// The shipped template with the firm's test key.
    pub(crate) fn legal_intake() -> FormSchema {
        with_firm_key(LEGAL_INTAKE_TEMPLATE)
    }

    /// The every-kind schema with the firm's test key.
    pub(crate) fn all_kinds() -> FormSchema {
        with_firm_key(ALL_KINDS)
    }
}

#[cfg(test)]
#[cfg(feature = "open")]
mod tests;
