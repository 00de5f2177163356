//! The JSON shape of a form definition where it differs from the types in [`super`]: a field's kind and its
//! constraints sit side by side in one object (`RawField`), and two values are either a boolean or a string
//! (`ConditionValue`, `ConsentRequirement`). Everything here is serde plumbing; the rules are in `check`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use super::text;
use super::{
    Choice, Condition, ConditionValue, ConsentRequirement, DataCategory, DateRule, Field,
    FieldKind, DEFAULT_MAX_ROWS,
};

/// The JSON shape of a field: every member any kind may have. [`Field`]'s conversion moves the members of the
/// field's kind into [`FieldKind`] and refuses any left over, so each kind accepts exactly its own constraints.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    id: String,
    kind: KindName,
    label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    required: bool,
    category: DataCategory,
    purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    show_when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    must_be: Option<DateRule>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "text::optional_date"
    )]
    not_before: Option<Date>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "text::optional_date"
    )]
    not_after: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    integer: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<Choice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_selected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_selected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accept: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<Field>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    row_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_rows: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_rows: Option<u32>,
}

pub(super) fn is_false(value: &bool) -> bool {
    !value
}

/// The `kind` member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum KindName {
    Text,
    Textarea,
    Email,
    Tel,
    Date,
    Number,
    Select,
    Radio,
    Checkbox,
    Checkboxes,
    File,
    Group,
}

impl TryFrom<RawField> for Field {
    type Error = String;

    fn try_from(mut raw: RawField) -> Result<Self, String> {
        let kind = take_kind(&mut raw)?;
        let leftovers = [
            ("max_length", raw.max_length.is_some()),
            ("must_be", raw.must_be.is_some()),
            ("not_before", raw.not_before.is_some()),
            ("not_after", raw.not_after.is_some()),
            ("min", raw.min.is_some()),
            ("max", raw.max.is_some()),
            ("integer", raw.integer.is_some()),
            ("options", raw.options.is_some()),
            ("min_selected", raw.min_selected.is_some()),
            ("max_selected", raw.max_selected.is_some()),
            ("accept", raw.accept.is_some()),
            ("max_size", raw.max_size.is_some()),
            ("max_count", raw.max_count.is_some()),
            ("fields", raw.fields.is_some()),
            ("row_label", raw.row_label.is_some()),
            ("min_rows", raw.min_rows.is_some()),
            ("max_rows", raw.max_rows.is_some()),
        ];
        if let Some((member, _)) = leftovers.iter().find(|(_, present)| *present) {
            return Err(format!(
                "`{member}` does not apply to a `{}` field",
                KindName::from(&kind).as_str()
            ));
        }
        Ok(Self {
            id: raw.id,
            label: raw.label,
            hint: raw.hint,
            required: raw.required,
            category: raw.category,
            purpose: raw.purpose,
            show_when: raw.show_when,
            error_message: raw.error_message,
            kind,
        })
    }
}

/// Moves the members that belong to `raw.kind` out of `raw` into a [`FieldKind`].
fn take_kind(raw: &mut RawField) -> Result<FieldKind, String> {
    let name = raw.kind;
    let needed = |member: &str| format!("a `{}` field needs `{member}`", name.as_str());
    Ok(match name {
        KindName::Text => FieldKind::Text {
            max_length: raw.max_length.take(),
        },
        KindName::Textarea => FieldKind::Textarea {
            max_length: raw.max_length.take(),
        },
        KindName::Email => FieldKind::Email,
        KindName::Tel => FieldKind::Tel,
        KindName::Date => FieldKind::Date {
            must_be: raw.must_be.take(),
            not_before: raw.not_before.take(),
            not_after: raw.not_after.take(),
        },
        KindName::Number => FieldKind::Number {
            min: raw.min.take(),
            max: raw.max.take(),
            integer: raw.integer.take().unwrap_or(false),
        },
        KindName::Select => FieldKind::Select {
            options: raw.options.take().ok_or_else(|| needed("options"))?,
        },
        KindName::Radio => FieldKind::Radio {
            options: raw.options.take().ok_or_else(|| needed("options"))?,
        },
        KindName::Checkbox => FieldKind::Checkbox,
        KindName::Checkboxes => FieldKind::Checkboxes {
            options: raw.options.take().ok_or_else(|| needed("options"))?,
            min_selected: raw.min_selected.take(),
            max_selected: raw.max_selected.take(),
        },
        KindName::File => FieldKind::File {
            accept: raw.accept.take().ok_or_else(|| needed("accept"))?,
            max_size: raw.max_size.take(),
            max_count: raw.max_count.take().unwrap_or(1),
        },
        KindName::Group => FieldKind::Group {
            fields: raw.fields.take().ok_or_else(|| needed("fields"))?,
            row_label: raw.row_label.take().ok_or_else(|| needed("row_label"))?,
            min_rows: raw.min_rows.take().unwrap_or(0),
            max_rows: raw.max_rows.take().unwrap_or(DEFAULT_MAX_ROWS),
        },
    })
}

impl KindName {
    /// The name as written in the `kind` member, e.g. `"checkboxes"`: the one spelling of a kind's name.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Textarea => "textarea",
            Self::Email => "email",
            Self::Tel => "tel",
            Self::Date => "date",
            Self::Number => "number",
            Self::Select => "select",
            Self::Radio => "radio",
            Self::Checkbox => "checkbox",
            Self::Checkboxes => "checkboxes",
            Self::File => "file",
            Self::Group => "group",
        }
    }
}

impl From<&FieldKind> for KindName {
    fn from(kind: &FieldKind) -> Self {
        match kind {
            FieldKind::Text { .. } => Self::Text,
            FieldKind::Textarea { .. } => Self::Textarea,
            FieldKind::Email => Self::Email,
            FieldKind::Tel => Self::Tel,
            FieldKind::Date { .. } => Self::Date,
            FieldKind::Number { .. } => Self::Number,
            FieldKind::Select { .. } => Self::Select,
            FieldKind::Radio { .. } => Self::Radio,
            FieldKind::Checkbox => Self::Checkbox,
            FieldKind::Checkboxes { .. } => Self::Checkboxes,
            FieldKind::File { .. } => Self::File,
            FieldKind::Group { .. } => Self::Group,
        }
    }
}

impl From<Field> for RawField {
    fn from(field: Field) -> Self {
        let mut raw = RawField {
            id: field.id,
            kind: KindName::from(&field.kind),
            label: field.label,
            hint: field.hint,
            required: field.required,
            category: field.category,
            purpose: field.purpose,
            show_when: field.show_when,
            error_message: field.error_message,
            max_length: None,
            must_be: None,
            not_before: None,
            not_after: None,
            min: None,
            max: None,
            integer: None,
            options: None,
            min_selected: None,
            max_selected: None,
            accept: None,
            max_size: None,
            max_count: None,
            fields: None,
            row_label: None,
            min_rows: None,
            max_rows: None,
        };
        match field.kind {
            FieldKind::Text { max_length } | FieldKind::Textarea { max_length } => {
                raw.max_length = max_length
            }
            FieldKind::Email | FieldKind::Tel | FieldKind::Checkbox => {}
            FieldKind::Date {
                must_be,
                not_before,
                not_after,
            } => {
                raw.must_be = must_be;
                raw.not_before = not_before;
                raw.not_after = not_after;
            }
            FieldKind::Number { min, max, integer } => {
                raw.min = min;
                raw.max = max;
                raw.integer = integer.then_some(true);
            }
            FieldKind::Select { options } | FieldKind::Radio { options } => {
                raw.options = Some(options)
            }
            FieldKind::Checkboxes {
                options,
                min_selected,
                max_selected,
            } => {
                raw.options = Some(options);
                raw.min_selected = min_selected;
                raw.max_selected = max_selected;
            }
            FieldKind::File {
                accept,
                max_size,
                max_count,
            } => {
                raw.accept = Some(accept);
                raw.max_size = max_size;
                raw.max_count = Some(max_count);
            }
            FieldKind::Group {
                fields,
                row_label,
                min_rows,
                max_rows,
            } => {
                raw.fields = Some(fields);
                raw.row_label = Some(row_label);
                raw.min_rows = Some(min_rows);
                raw.max_rows = Some(max_rows);
            }
        }
        raw
    }
}

impl Serialize for ConditionValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Flag(flag) => serializer.serialize_bool(*flag),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for ConditionValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ConditionValueVisitor;

        impl Visitor<'_> for ConditionValueVisitor {
            type Value = ConditionValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an option value as a string, or true or false for a checkbox")
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<ConditionValue, E> {
                Ok(ConditionValue::Flag(value))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<ConditionValue, E> {
                Ok(ConditionValue::Text(value.to_owned()))
            }
        }

        deserializer.deserialize_any(ConditionValueVisitor)
    }
}

/// The JSON text of the one requirement that is not a boolean.
const WHEN_SPECIAL_CATEGORY: &str = "when_special_category";

impl Serialize for ConsentRequirement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Always => serializer.serialize_bool(true),
            Self::Optional => serializer.serialize_bool(false),
            Self::WhenSpecialCategory => serializer.serialize_str(WHEN_SPECIAL_CATEGORY),
        }
    }
}

impl<'de> Deserialize<'de> for ConsentRequirement {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RequirementVisitor;

        impl Visitor<'_> for RequirementVisitor {
            type Value = ConsentRequirement;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "true, false or \"{WHEN_SPECIAL_CATEGORY}\"")
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<ConsentRequirement, E> {
                Ok(if value {
                    ConsentRequirement::Always
                } else {
                    ConsentRequirement::Optional
                })
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<ConsentRequirement, E> {
                if value == WHEN_SPECIAL_CATEGORY {
                    Ok(ConsentRequirement::WhenSpecialCategory)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(value), &self))
                }
            }
        }

        deserializer.deserialize_any(RequirementVisitor)
    }
}
