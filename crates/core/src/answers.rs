//! What the client typed — one [`Answer`] per field id, filled by the form, sealed, and validated again after
//! opening — and the rules that read it against the form: which fields are shown, which answers are sent, and the
//! kinds of personal data they give.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::attachment::AttachmentInfo;
use crate::schema::{
    Choice, Condition, ConditionValue, DataCategory, Field, FieldKind, FormSchema,
};

/// What joins ticked options (and other lists of values) when an answer is read as one line of text.
pub const READABLE_SEPARATOR: &str = "; ";

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

impl Answer {
    /// The answer as a person reads it: option values become their labels among `options` (the field's,
    /// [`FieldKind::options`]; a value not among them stays as it is), ticked options are joined by
    /// [`READABLE_SEPARATOR`], a tick box reads `yes` or `no`. Rows are read question by question by the caller; a
    /// row inside a row (never in a valid form) reads as its JSON, so nothing the client sent is hidden.
    pub fn readable(&self, options: &[Choice]) -> String {
        let label = |value: &str| {
            options
                .iter()
                .find(|choice| choice.value == value)
                .map_or_else(|| value.to_owned(), |choice| choice.label.clone())
        };
        match self {
            Self::Flag(true) => "yes".to_owned(),
            Self::Flag(false) => "no".to_owned(),
            Self::Text(text) => label(text),
            Self::Choices(values) => values
                .iter()
                .map(|value| label(value))
                .collect::<Vec<_>>()
                .join(READABLE_SEPARATOR),
            Self::Rows(_) => serde_json::to_string(self).unwrap_or_default(),
        }
    }
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

// ---------------------------------------------------------------------------------------------------------------
// Rules the form, validation and the consent record share
// ---------------------------------------------------------------------------------------------------------------

/// Whether `answer` says anything: blank text, an unticked box, no ticked options and no rows all count as no
/// answer, exactly as if the field were absent.
pub fn is_answered(answer: &Answer) -> bool {
    match answer {
        Answer::Flag(ticked) => *ticked,
        Answer::Text(text) => !text.trim().is_empty(),
        Answer::Choices(values) => !values.is_empty(),
        Answer::Rows(rows) => !rows.is_empty(),
    }
}

impl Condition {
    /// Whether `answer` (the watched field's answer, if any) shows the field.
    pub fn holds(&self, answer: Option<&Answer>) -> bool {
        match (&self.equals, answer) {
            (ConditionValue::Flag(wanted), Some(Answer::Flag(ticked))) => wanted == ticked,
            // An unticked box is usually simply absent.
            (ConditionValue::Flag(wanted), None) => !wanted,
            (ConditionValue::Text(wanted), Some(Answer::Text(text))) => text.trim() == wanted,
            (ConditionValue::Text(wanted), Some(Answer::Choices(values))) => {
                values.contains(wanted)
            }
            _ => false,
        }
    }
}

impl FormSchema {
    /// Whether the field `id` is shown, given the answers so far.
    ///
    /// A field is shown when its condition holds and the field its condition watches is itself shown, and, for a
    /// question in a repeatable group, when the group is shown. `row` is the answers of the group row being asked
    /// about; a condition on another question of the same group reads from it. Unknown ids are never shown.
    pub fn is_visible(
        &self,
        id: &str,
        answers: &Answers,
        row: Option<&BTreeMap<String, Answer>>,
    ) -> bool {
        let Some(place) = self.field(id) else {
            return false;
        };
        let group_shown = place
            .group
            .is_none_or(|group| self.conditions_hold(group, answers, None));
        group_shown && self.conditions_hold(place.field, answers, row)
    }

    /// Follows the chain of conditions from `field` back to a field that is always shown.
    fn conditions_hold(
        &self,
        field: &Field,
        answers: &Answers,
        row: Option<&BTreeMap<String, Answer>>,
    ) -> bool {
        let mut current = field;
        // A checked schema's conditions only point backwards, so the chain ends; the bound protects a schema built
        // by hand with a cycle.
        for _ in 0..=self.fields().count() {
            let Some(condition) = &current.show_when else {
                return true;
            };
            let Some(target) = self.field(&condition.field) else {
                return false;
            };
            let answer = if target.group.is_some() {
                row.and_then(|row| row.get(&condition.field))
            } else {
                answers.get(&condition.field)
            };
            if !condition.holds(answer) {
                return false;
            }
            current = target.field;
        }
        false
    }

    /// The kinds of personal data the answers and attachments actually give: only shown fields count, and a chosen
    /// option's own category counts instead of its field's.
    pub fn categories_given(
        &self,
        answers: &Answers,
        attachments: &[AttachmentInfo],
    ) -> BTreeSet<DataCategory> {
        let mut given = BTreeSet::new();
        for section in &self.sections {
            for field in &section.fields {
                if !self.is_visible(&field.id, answers, None) {
                    continue;
                }
                match (&field.kind, answers.get(&field.id)) {
                    (FieldKind::File { .. }, _) => {
                        if attachments.iter().any(|file| file.field == field.id) {
                            given.insert(field.category);
                        }
                    }
                    (FieldKind::Group { fields, .. }, Some(Answer::Rows(rows))) => {
                        if !rows.is_empty() {
                            given.insert(field.category);
                        }
                        for row in rows {
                            for sub in fields {
                                if let Some(answer) = row.get(&sub.id) {
                                    if self.is_visible(&sub.id, answers, Some(row)) {
                                        sub.add_categories(answer, &mut given);
                                    }
                                }
                            }
                        }
                    }
                    (_, Some(answer)) => field.add_categories(answer, &mut given),
                    (_, None) => {}
                }
            }
        }
        given
    }

    /// Whether the answers and attachments give special category data (and so `when_special_category` consents are
    /// required).
    pub fn special_category_given(
        &self,
        answers: &Answers,
        attachments: &[AttachmentInfo],
    ) -> bool {
        self.categories_given(answers, attachments)
            .contains(&DataCategory::SpecialCategory)
    }

    /// The answers as they are sealed, from everything the client `entered`: only fields that are shown and
    /// answered, and group rows in order with their shown and answered questions. The form keeps what the client
    /// typed into a field a condition hides (the client may show it again); this is the one place such an answer
    /// is left out, so it is never sent.
    pub fn answers_to_send(&self, entered: Answers) -> Answers {
        // Visibility depends on answers, and answers on visibility: start from everything answered, then drop what
        // is hidden. Conditions only point backwards, so one pass in form order settles it.
        let mut answers = Answers(
            entered
                .0
                .into_iter()
                .filter(|(_, answer)| is_answered(answer))
                .collect(),
        );
        for place in self.fields() {
            if place.group.is_some() {
                continue;
            }
            let id = &place.field.id;
            if !self.is_visible(id, &answers, None) {
                answers.0.remove(id);
            } else if let (FieldKind::Group { fields, .. }, Some(Answer::Rows(rows))) =
                (&place.field.kind, answers.0.get(id).cloned())
            {
                let kept = rows
                    .into_iter()
                    .map(|row| self.row_to_send(fields, &answers, &row))
                    .collect();
                answers.insert(id.clone(), Answer::Rows(kept));
            }
        }
        answers
    }

    /// One group row as it is sealed: its questions (`fields`) that are shown and answered.
    fn row_to_send(
        &self,
        fields: &[Field],
        answers: &Answers,
        row: &BTreeMap<String, Answer>,
    ) -> BTreeMap<String, Answer> {
        fields
            .iter()
            .filter(|sub| self.is_visible(&sub.id, answers, Some(row)))
            .filter_map(|sub| {
                row.get(&sub.id)
                    .filter(|answer| is_answered(answer))
                    .map(|answer| (sub.id.clone(), answer.clone()))
            })
            .collect()
    }
}

impl Field {
    /// Adds the categories `answer` gives to `given`. A group's rows are handled by the caller, which knows which
    /// of their questions are shown.
    fn add_categories(&self, answer: &Answer, given: &mut BTreeSet<DataCategory>) {
        if !is_answered(answer) {
            return;
        }
        let options = self.kind.options();
        let chosen: Vec<&str> = match answer {
            Answer::Text(value) if !options.is_empty() => vec![value.trim()],
            Answer::Choices(values) => values.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if chosen.is_empty() {
            given.insert(self.category);
        }
        for value in chosen {
            let option = options.iter().find(|option| option.value == value);
            given.insert(
                option
                    .and_then(|option| option.category)
                    .unwrap_or(self.category),
            );
        }
    }
}

// Test schemas name the test keys, which need the private-key half to load.
#[cfg(test)]
#[cfg(feature = "open")]
mod tests {
    use super::*;
    use crate::digest::Sha256Digest;
    use crate::schema::test_support;

    fn text(value: &str) -> Answer {
        Answer::Text(value.into())
    }

    #[test]
    fn visibility_follows_conditions_and_their_chains() {
        let schema = test_support::legal_intake();
        let mut answers = Answers::default();
        assert!(schema.is_visible("full_name", &answers, None));
        assert!(!schema.is_visible("safe_call_times", &answers, None));
        answers.insert("preferred_contact", text("phone"));
        assert!(schema.is_visible("safe_call_times", &answers, None));
        answers.insert("preferred_contact", text("email"));
        assert!(!schema.is_visible("safe_call_times", &answers, None));
        assert!(!schema.is_visible("no_such_field", &answers, None));
    }

    #[test]
    fn visibility_of_checkbox_and_checkboxes_conditions() {
        let schema = test_support::all_kinds();
        let mut answers = Answers::default();
        assert!(!schema.is_visible("health_details", &answers, None));
        answers.insert("has_health", Answer::Flag(true));
        assert!(schema.is_visible("health_details", &answers, None));
        answers.insert("has_health", Answer::Flag(false));
        assert!(!schema.is_visible("health_details", &answers, None));

        answers.insert("languages", Answer::Choices(vec!["en".into(), "pl".into()]));
        assert!(schema.is_visible("interpreter_for", &answers, None));
        answers.insert("languages", Answer::Choices(vec!["en".into(), "cy".into()]));
        assert!(!schema.is_visible("interpreter_for", &answers, None));
    }

    #[test]
    fn visibility_in_group_rows() {
        let schema = test_support::all_kinds();
        let mut answers = Answers::default();
        let mut row = BTreeMap::new();
        assert!(schema.is_visible("party_name", &answers, Some(&row)));
        assert!(!schema.is_visible("party_role_other", &answers, Some(&row)));
        row.insert("party_role".to_owned(), text("other"));
        assert!(schema.is_visible("party_role_other", &answers, Some(&row)));
        // A row question may watch an earlier question outside the group.
        assert!(!schema.is_visible("party_phone", &answers, Some(&row)));
        answers.insert("contact_by", text("phone"));
        assert!(schema.is_visible("party_phone", &answers, Some(&row)));
    }

    #[test]
    fn a_hidden_group_hides_its_questions() {
        let mut schema = test_support::all_kinds();
        let FieldKind::Group { .. } = &schema.sections[2].fields[2].kind else {
            panic!("parties is a group");
        };
        schema.sections[2].fields[2].show_when = Some(Condition {
            field: "contact_by".into(),
            equals: ConditionValue::Text("email".into()),
        });
        let row = BTreeMap::new();
        let mut answers = Answers::default();
        assert!(!schema.is_visible("party_name", &answers, Some(&row)));
        answers.insert("contact_by", text("email"));
        assert!(schema.is_visible("party_name", &answers, Some(&row)));
    }

    #[test]
    fn a_condition_cycle_in_a_hand_built_schema_ends() {
        let mut schema = test_support::all_kinds();
        schema.sections[0].fields[0].show_when = Some(Condition {
            field: "story".into(),
            equals: ConditionValue::Flag(false),
        });
        schema.sections[0].fields[1].show_when = Some(Condition {
            field: "name".into(),
            equals: ConditionValue::Flag(false),
        });
        assert!(!schema.is_visible("name", &Answers::default(), None));
    }

    #[test]
    fn categories_given_count_only_shown_answers_and_chosen_options() {
        let schema = test_support::all_kinds();
        let mut answers = Answers::default();
        answers.insert("name", text("Sam"));
        answers.insert("area", text("family"));
        // Blank answers say nothing.
        answers.insert("amount", text("  "));
        // Hidden: call_times is shown only when contact_by is phone.
        answers.insert("call_times", text("evenings"));
        assert_eq!(
            schema.categories_given(&answers, &[]),
            BTreeSet::from([DataCategory::Identity, DataCategory::Case])
        );
        answers.insert("area", text("crime"));
        assert!(schema.special_category_given(&answers, &[]));
        let categories = schema.categories_given(&answers, &[]);
        assert!(!categories.contains(&DataCategory::Case));

        let mut answers = Answers::default();
        let mut row = BTreeMap::new();
        row.insert("party_phone".to_owned(), text("01632 960 001"));
        answers.insert("parties", Answer::Rows(vec![row]));
        // party_phone is hidden unless contact_by is phone; the group itself still counts.
        assert_eq!(
            schema.categories_given(&answers, &[]),
            BTreeSet::from([DataCategory::Case])
        );
        answers.insert("contact_by", text("phone"));
        assert!(schema
            .categories_given(&answers, &[])
            .contains(&DataCategory::Contact));

        let photo = AttachmentInfo {
            field: "photo".into(),
            name: "me.jpg".into(),
            media_type: "image/jpeg".into(),
            size: 10,
            sha256: Sha256Digest::of(b"0123456789"),
        };
        assert!(schema
            .categories_given(&Answers::default(), &[photo])
            .contains(&DataCategory::Identity));
    }

    #[test]
    fn only_shown_and_answered_answers_are_sent() {
        let schema = test_support::all_kinds();
        let mut entered = Answers::default();
        entered.insert("name", text("Sam"));
        entered.insert("story", text("   "));
        entered.insert("agree_terms", Answer::Flag(false));
        entered.insert("contact_by", text("email"));
        // Typed while contact_by was phone, then hidden when the client changed it.
        entered.insert("call_times", text("evenings"));
        entered.insert("has_health", Answer::Flag(false));
        entered.insert("health_details", text("asthma"));
        entered.insert("witnesses", Answer::Rows(vec![]));
        let mut row = BTreeMap::new();
        row.insert("party_name".to_owned(), text("Alex"));
        row.insert("party_role".to_owned(), text("witness"));
        // Hidden in the row: party_role is not "other", and contact_by is not "phone".
        row.insert("party_role_other".to_owned(), text("neighbour"));
        row.insert("party_phone".to_owned(), text("01632 960 001"));
        let mut blank_row = BTreeMap::new();
        blank_row.insert("party_name".to_owned(), text(""));
        entered.insert("parties", Answer::Rows(vec![row, blank_row]));

        let mut sent_row = BTreeMap::new();
        sent_row.insert("party_name".to_owned(), text("Alex"));
        sent_row.insert("party_role".to_owned(), text("witness"));
        let mut expected = Answers::default();
        expected.insert("name", text("Sam"));
        expected.insert("contact_by", text("email"));
        expected.insert(
            "parties",
            Answer::Rows(vec![sent_row.clone(), BTreeMap::new()]),
        );
        assert_eq!(schema.answers_to_send(entered.clone()), expected);

        // Shown again, the same answers are sent.
        entered.insert("contact_by", text("phone"));
        let sent = schema.answers_to_send(entered);
        assert_eq!(sent.get("call_times"), Some(&text("evenings")));
        sent_row.insert("party_phone".to_owned(), text("01632 960 001"));
        assert_eq!(
            sent.get("parties"),
            Some(&Answer::Rows(vec![sent_row, BTreeMap::new()]))
        );
        assert_eq!(sent.get("health_details"), None);
    }
}
