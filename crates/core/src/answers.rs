//! What the client typed, as plain data: one [`Answer`] per field id.
//! The same type is filled by the form, sealed in the envelope, and validated again after opening.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The answers of one submission, keyed by field id. Fields the client never saw (hidden by a condition) or left
/// empty are absent. File fields have no entry here: their files are listed in
/// [`Submission::attachments`](crate::Submission::attachments).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<String, Answer>);

/// One field's value, in the shape its kind calls for.
///
/// Numbers and dates are kept as the text the client typed (dates as `YYYY-MM-DD`): validation checks them, and
/// keeping the text means nothing is lost or reformatted on the way to the firm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A single checkbox (ticked or not).
    Flag(bool),
    /// Text, email, telephone, date, number, select and radio fields.
    Text(String),
    /// A group of checkboxes: the values of the options ticked. An empty list is also an empty repeatable group.
    Choices(Vec<String>),
    /// A repeatable group: one map of sub-field id to answer per row.
    Rows(Vec<BTreeMap<String, Answer>>),
}

impl Answers {
    /// The answer to `field`, if the client gave one.
    pub fn get(&self, field: &str) -> Option<&Answer> {
        self.0.get(field)
    }

    /// Sets the answer to `field`, replacing any earlier one.
    pub fn insert(&mut self, field: impl Into<String>, answer: Answer) {
        self.0.insert(field.into(), answer);
    }
}
