//! What the client has entered so far, as a plain struct with its rules: the view renders it and sends it events,
//! and nothing here touches the browser, so every rule is tested natively with ordinary `#[test]`s.

use std::collections::{BTreeMap, BTreeSet};

use sealform_core::answers::is_answered;
use sealform_core::consent::missing_consents;
use sealform_core::schema::{FieldKind, FormSchema};
use sealform_core::validate::row_key;
use sealform_core::{
    validate, Answer, Answers, AttachmentInfo, FieldError, Sha256Digest, Submission,
};
use time::Date;

use crate::file_bytes::FileBytes;

/// One row of a repeatable group: a stable id (so the view can key rows) and the row's answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// Stable across removals of other rows.
    pub id: u64,
    /// Sub-field id → answer.
    pub values: BTreeMap<String, Answer>,
}

/// A file the client picked, read into memory, with its description computed once.
#[derive(Clone, PartialEq, Eq)]
pub struct PickedFile {
    /// Stable id for the view's list.
    pub id: u64,
    /// Field, name, media type, size and SHA-256.
    pub info: AttachmentInfo,
    /// The file's bytes, shared and kept in the browser's memory: the view's file list and the submission take
    /// them without a copy (a 25 MB file copied on every keystroke would be felt).
    pub bytes: FileBytes,
}

impl std::fmt::Debug for PickedFile {
    // Never print the client's document.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PickedFile")
            .field("name", &self.info.name)
            .field("size", &self.info.size)
            .finish_non_exhaustive()
    }
}

impl PickedFile {
    /// Describes a file picked for `field`, whose SHA-256 the caller has taken (the page takes it with the
    /// browser's SubtleCrypto, many times faster than SHA-256 in wasm).
    pub fn new(
        id: u64,
        field: &str,
        name: &str,
        media_type: &str,
        bytes: FileBytes,
        sha256: Sha256Digest,
    ) -> Self {
        let info = AttachmentInfo {
            field: field.to_owned(),
            name: name.to_owned(),
            // Browsers give "" for types they do not know; say so rather than guess.
            media_type: if media_type.is_empty() {
                "application/octet-stream".to_owned()
            } else {
                media_type.to_owned()
            },
            size: bytes.len() as u64,
            sha256,
        };
        Self { id, info, bytes }
    }
}

/// Everything the client has entered, and the problems last found with it.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    values: BTreeMap<String, Answer>,
    rows: BTreeMap<String, Vec<Row>>,
    files: BTreeMap<String, Vec<PickedFile>>,
    consents: BTreeSet<String>,
    next_id: u64,
    /// Problems found by the last [`check`](Self::check), in page order.
    pub errors: Vec<FieldError>,
    /// Whether the client has tried to send: from then on, problems are re-checked as they type (GOV.UK: validate
    /// on submit, then live).
    pub attempted: bool,
}

impl FormState {
    /// The text of a text-like field (text, textarea, email, tel, date, number, select, radio).
    pub fn text(&self, field: &str) -> String {
        text_of(self.values.get(field))
    }

    /// Sets a text-like field's answer.
    pub fn set_text(&mut self, field: &str, value: String) {
        self.values.insert(field.to_owned(), Answer::Text(value));
    }

    /// Whether a single checkbox is ticked.
    pub fn flag(&self, field: &str) -> bool {
        matches!(self.values.get(field), Some(Answer::Flag(true)))
    }

    /// Ticks or unticks a single checkbox.
    pub fn set_flag(&mut self, field: &str, ticked: bool) {
        self.values.insert(field.to_owned(), Answer::Flag(ticked));
    }

    /// Whether option `value` of a tick-boxes field is ticked.
    pub fn chosen(&self, field: &str, value: &str) -> bool {
        matches!(self.values.get(field), Some(Answer::Choices(values)) if values.iter().any(|v| v == value))
    }

    /// Ticks or unticks option `value` of a tick-boxes field, keeping the options in `order` (the schema's).
    pub fn set_chosen(&mut self, field: &str, value: &str, ticked: bool, order: &[&str]) {
        let mut chosen: BTreeSet<String> = match self.values.get(field) {
            Some(Answer::Choices(values)) => values.iter().cloned().collect(),
            _ => BTreeSet::new(),
        };
        if ticked {
            chosen.insert(value.to_owned());
        } else {
            chosen.remove(value);
        }
        let ordered = order
            .iter()
            .filter(|option| chosen.contains(**option))
            .map(|option| (*option).to_owned())
            .collect();
        self.values
            .insert(field.to_owned(), Answer::Choices(ordered));
    }

    /// The rows of a repeatable group.
    pub fn rows(&self, group: &str) -> &[Row] {
        self.rows.get(group).map_or(&[], Vec::as_slice)
    }

    /// Adds an empty row to a group and returns its id.
    pub fn add_row(&mut self, group: &str) -> u64 {
        let id = self.fresh_id();
        self.rows.entry(group.to_owned()).or_default().push(Row {
            id,
            values: BTreeMap::new(),
        });
        id
    }

    /// Removes the row with this id.
    pub fn remove_row(&mut self, group: &str, row: u64) {
        if let Some(rows) = self.rows.get_mut(group) {
            rows.retain(|r| r.id != row);
        }
    }

    /// The text of a question in a group row.
    pub fn row_text(&self, group: &str, row: u64, field: &str) -> String {
        text_of(self.row(group, row).and_then(|r| r.values.get(field)))
    }

    /// Sets the answer to a question in a group row.
    pub fn set_row_answer(&mut self, group: &str, row: u64, field: &str, answer: Answer) {
        if let Some(r) = self
            .rows
            .get_mut(group)
            .and_then(|rows| rows.iter_mut().find(|r| r.id == row))
        {
            r.values.insert(field.to_owned(), answer);
        }
    }

    /// The position (from 0) of a row in its group, which is what error keys count.
    pub fn row_index(&self, group: &str, row: u64) -> Option<usize> {
        self.rows(group).iter().position(|r| r.id == row)
    }

    fn row(&self, group: &str, row: u64) -> Option<&Row> {
        self.rows(group).iter().find(|r| r.id == row)
    }

    /// The files picked for a file field.
    pub fn files(&self, field: &str) -> &[PickedFile] {
        self.files.get(field).map_or(&[], Vec::as_slice)
    }

    /// Adds a picked file to a field; `sha256` is of `bytes`.
    pub fn add_file(
        &mut self,
        field: &str,
        name: &str,
        media_type: &str,
        bytes: FileBytes,
        sha256: Sha256Digest,
    ) {
        let id = self.fresh_id();
        let file = PickedFile::new(id, field, name, media_type, bytes, sha256);
        self.files.entry(field.to_owned()).or_default().push(file);
    }

    /// Removes a picked file.
    pub fn remove_file(&mut self, field: &str, id: u64) {
        if let Some(files) = self.files.get_mut(field) {
            files.retain(|f| f.id != id);
        }
    }

    /// Whether a consent is ticked.
    pub fn consented(&self, id: &str) -> bool {
        self.consents.contains(id)
    }

    /// Ticks or unticks a consent.
    pub fn set_consent(&mut self, id: &str, ticked: bool) {
        if ticked {
            self.consents.insert(id.to_owned());
        } else {
            self.consents.remove(id);
        }
    }

    /// Whether the client has entered anything at all (the unload guard warns only then).
    pub fn has_input(&self) -> bool {
        self.values.values().any(is_answered)
            || self.rows.values().any(|rows| !rows.is_empty())
            || self.files.values().any(|files| !files.is_empty())
            || !self.consents.is_empty()
    }

    /// Whether field `id` is shown, given `answers` (this state's [`answers`](Self::answers), computed once by the
    /// caller for every field it asks about) and, for a group row's question, that row.
    pub fn is_visible(
        &self,
        schema: &FormSchema,
        answers: &Answers,
        id: &str,
        row: Option<(&str, u64)>,
    ) -> bool {
        let row_values = row
            .and_then(|(group, row)| self.row(group, row))
            .map(|r| &r.values);
        schema.is_visible(id, answers, row_values)
    }

    /// The answers as they would be sealed: only fields that are shown and answered, group rows in order with their
    /// shown and answered questions ([`FormSchema::answers_to_send`], the one rule). Answers to fields hidden by a
    /// condition are kept here (the client may show them again) but never sent.
    pub fn answers(&self, schema: &FormSchema) -> Answers {
        schema.answers_to_send(self.entered())
    }

    /// The files of file fields that are shown, in form order.
    pub fn attachments(&self, schema: &FormSchema) -> Vec<&PickedFile> {
        let answers = self.answers(schema);
        schema
            .fields()
            .filter(|place| matches!(place.field.kind, FieldKind::File { .. }))
            .filter(|place| schema.is_visible(&place.field.id, &answers, None))
            .flat_map(|place| self.files(&place.field.id))
            .collect()
    }

    /// Runs every rule (core's, the same the firm's CLI runs after opening) and the required consents; stores and
    /// returns whether all is well.
    pub fn check(&mut self, schema: &FormSchema, today: Date) -> bool {
        let answers = self.answers(schema);
        let infos: Vec<AttachmentInfo> = self
            .attachments(schema)
            .into_iter()
            .map(|f| f.info.clone())
            .collect();
        let mut errors = validate(schema, &answers, &infos, today)
            .err()
            .unwrap_or_default();
        errors.extend(missing_consents(schema, &answers, &infos, &self.consents));
        self.errors = errors;
        self.errors.is_empty()
    }

    /// Runs every rule, as [`check`](Self::check) does, and keeps only the problems `shown` selects (those of the
    /// page on screen, [`crate::journey::Journey::shows`]); returns whether that page has none.
    pub fn check_page(
        &mut self,
        schema: &FormSchema,
        today: Date,
        shown: impl Fn(&str) -> bool,
    ) -> bool {
        self.check(schema, today);
        self.errors.retain(|error| shown(&error.field));
        self.errors.is_empty()
    }

    /// Forgets the problems shown, for a page the client has just arrived at (GOV.UK: a page shows problems only
    /// once the client has tried to go on from it).
    pub fn arrive(&mut self) {
        self.errors.clear();
        self.attempted = false;
    }

    /// The message for the field or consent with this error key, if it has a problem.
    pub fn error_for(&self, key: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == key)
            .map(|e| e.message.as_str())
    }

    /// The error key of a question in a group row ([`row_key`]), or `None` if the row is gone.
    pub fn row_error_key(&self, group: &str, row: u64, field: &str) -> Option<String> {
        self.row_index(group, row).map(|i| row_key(group, i, field))
    }

    /// The submission document, and its attachments' bytes in the order it lists them, as they will be sealed.
    pub fn submission(
        &self,
        schema: &FormSchema,
        schema_sha256: Sha256Digest,
        submission_id: &str,
        submitted_at: &str,
    ) -> (Submission, Vec<FileBytes>) {
        let files = self.attachments(schema);
        let infos = files.iter().map(|f| f.info.clone()).collect();
        let attachments = files.iter().map(|f| f.bytes.clone()).collect();
        let submission = Submission::new(
            schema,
            schema_sha256,
            self.answers(schema),
            infos,
            &self.consents,
            submission_id,
            submitted_at,
        );
        (submission, attachments)
    }

    /// Forgets everything entered (after a successful send).
    pub fn clear(&mut self) {
        *self = Self {
            next_id: self.next_id,
            ..Self::default()
        };
    }

    /// Every answer entered, shown or not, group rows as [`Answer::Rows`]: what a saved draft keeps, so a
    /// question hidden by a condition keeps its answer across a save as it does on the page.
    pub fn entered(&self) -> Answers {
        let mut entered = Answers::default();
        for (id, answer) in &self.values {
            entered.insert(id.clone(), answer.clone());
        }
        for (group, rows) in &self.rows {
            if !rows.is_empty() {
                let rows = rows.iter().map(|r| r.values.clone()).collect();
                entered.insert(group.clone(), Answer::Rows(rows));
            }
        }
        entered
    }

    /// Puts back the answers of a saved draft, in place of what is entered now. Only questions this form still
    /// asks are taken, each in its question's shape (a form changed since the draft was saved loses what no longer
    /// fits, never the rest); files and consents are never in a draft, so the client picks and gives them again.
    /// Returns how many answers were dropped.
    pub fn restore(&mut self, schema: &FormSchema, answers: &Answers) -> usize {
        self.clear();
        let mut dropped = 0;
        for (id, answer) in &answers.0 {
            let kind = schema
                .sections
                .iter()
                .flat_map(|section| &section.fields)
                .find(|field| &field.id == id)
                .map(|field| &field.kind);
            match (kind, answer) {
                (Some(FieldKind::Group { .. }), Answer::Rows(rows)) => {
                    for values in rows {
                        let row = self.add_row(id);
                        for (field, answer) in values {
                            self.set_row_answer(id, row, field, answer.clone());
                        }
                    }
                }
                (Some(FieldKind::Group { .. } | FieldKind::File { .. }) | None, _)
                | (Some(_), Answer::Rows(_)) => dropped += 1,
                (Some(_), answer) => {
                    self.values.insert(id.clone(), answer.clone());
                }
            }
        }
        dropped
    }

    /// The files picked so far, by name and size: what a draft says the client must pick again.
    pub fn named_files(&self) -> Vec<(String, String, u64)> {
        self.files
            .iter()
            .flat_map(|(field, files)| {
                files
                    .iter()
                    .map(move |f| (field.clone(), f.info.name.clone(), f.info.size))
            })
            .collect()
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

fn text_of(answer: Option<&Answer>) -> String {
    match answer {
        Some(Answer::Text(text)) => text.clone(),
        _ => String::new(),
    }
}

/// The element id of the input an error key points at: the field's own id, or `group-ROW-field` for a question in a
/// group row (ROW counted from 1, as the client sees it and as the key already counts).
pub fn element_id(key: &str) -> String {
    match key.split_once('[') {
        Some((group, rest)) => {
            let (row, field) = rest.split_once("].").unwrap_or((rest, ""));
            let row = row.parse::<usize>().unwrap_or(0);
            format!("{group}-{row}-{field}")
        }
        None => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::key::Identity;
    use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
    use sealform_core::validate::FieldErrorKind;

    fn schema() -> FormSchema {
        let firm = Identity::from_pkcs8_pem(
            include_str!("../crates/core/tests/data/keys/firm.pem"),
            None,
        )
        .unwrap();
        Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes())
            .unwrap()
            .with_recipients([firm.recipient().clone()])
            .unwrap()
    }

    fn today() -> Date {
        Date::from_calendar_date(2026, time::Month::November, 23).unwrap()
    }

    fn filled() -> FormState {
        let mut state = FormState::default();
        for (id, value) in [
            ("full_name", "Zoë Adeyemi"),
            ("email", "zoe@example.com"),
            ("preferred_contact", "email"),
            ("safe_voicemail", "no"),
            ("safe_email", "yes"),
            ("practice_area", "employment"),
            ("description", "Dismissed after raising a grievance."),
            ("special_category_involved", "no"),
            ("has_deadline", "no"),
        ] {
            state.set_text(id, value.to_owned());
        }
        for id in ["privacy_notice", "no_retainer"] {
            state.set_consent(id, true);
        }
        state
    }

    #[test]
    fn an_empty_form_lists_every_required_field_and_consent_in_page_order() {
        let schema = schema();
        let mut state = FormState::default();
        assert!(!state.check(&schema, today()));
        let keys: Vec<_> = state.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(keys.first(), Some(&"full_name"));
        assert!(keys.contains(&"privacy_notice"), "{keys:?}");
        assert!(keys.contains(&"no_retainer"), "{keys:?}");
        assert!(
            !keys.contains(&"contact_updates"),
            "optional consent: {keys:?}"
        );
        let name = state.error_for("full_name").unwrap();
        assert!(name.starts_with("Enter"), "{name}");
    }

    #[test]
    fn a_complete_form_passes_and_its_submission_holds_what_was_typed() {
        let schema = schema();
        let mut state = filled();
        assert!(state.check(&schema, today()), "{:?}", state.errors);
        let digest = Sha256Digest::of(b"schema");
        let (submission, attachments) =
            state.submission(&schema, digest, "id-1", "2026-11-23T10:00:00Z");
        assert_eq!(
            submission.answers.get("full_name"),
            Some(&Answer::Text("Zoë Adeyemi".into()))
        );
        assert!(attachments.is_empty());
        let agreed: Vec<_> = submission
            .consent
            .purposes
            .iter()
            .filter(|p| p.given)
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(agreed, ["privacy_notice", "no_retainer"]);
    }

    #[test]
    fn answers_to_hidden_fields_are_kept_but_never_sent() {
        let schema = schema();
        let mut state = filled();
        state.set_text("has_deadline", "yes".into());
        state.set_text("deadline_details", "Tribunal claim".into());
        assert!(state.answers(&schema).get("deadline_details").is_some());
        state.set_text("has_deadline", "no".into());
        assert!(state.answers(&schema).get("deadline_details").is_none());
        assert_eq!(state.text("deadline_details"), "Tribunal claim");
        assert!(state.check(&schema, today()), "{:?}", state.errors);
    }

    #[test]
    fn special_category_data_makes_its_consent_required() {
        let schema = schema();
        let mut state = filled();
        state.set_text("special_category_involved", "yes".into());
        state.check(&schema, today());
        assert!(state.error_for("special_category_processing").is_some());
        state.set_consent("special_category_processing", true);
        assert!(state.check(&schema, today()), "{:?}", state.errors);
    }

    #[test]
    fn group_rows_keep_their_ids_and_errors_name_their_position() {
        let schema = schema();
        let mut state = filled();
        let first = state.add_row("other_parties");
        let second = state.add_row("other_parties");
        state.remove_row("other_parties", first);
        assert_eq!(state.row_index("other_parties", second), Some(0));
        state.check(&schema, today());
        let key = state
            .row_error_key("other_parties", second, "party_name")
            .unwrap();
        assert_eq!(key, "other_parties[1].party_name");
        assert!(state.error_for(&key).is_some(), "{:?}", state.errors);
        assert_eq!(element_id(&key), "other_parties-1-party_name");
    }

    /// Picks a file for the documents field, as the page does (its SHA-256 taken beforehand).
    fn add_file(state: &mut FormState, name: &str, media_type: &str, bytes: &[u8]) {
        let digest = Sha256Digest::of(bytes);
        state.add_file(
            "documents_upload",
            name,
            media_type,
            FileBytes::from_vec(bytes.to_vec()),
            digest,
        );
    }

    #[test]
    fn files_are_checked_and_sealed_in_form_order() {
        let schema = schema();
        let mut state = filled();
        add_file(&mut state, "letter.pdf", "application/pdf", b"%PDF-1.7");
        assert!(state.check(&schema, today()), "{:?}", state.errors);
        add_file(&mut state, "virus.exe", "application/x-msdownload", b"MZ");
        state.check(&schema, today());
        assert!(state
            .errors
            .iter()
            .any(|e| e.kind == FieldErrorKind::FileTypeNotAccepted));
        let id = state.files("documents_upload")[1].id;
        state.remove_file("documents_upload", id);
        let (submission, attachments) =
            state.submission(&schema, Sha256Digest::of(b""), "id", "2026-11-23T10:00:00Z");
        assert_eq!(attachments.len(), 1);
        assert_eq!(submission.attachments[0].name, "letter.pdf");
        assert_eq!(attachments[0].as_slice(), Some(&b"%PDF-1.7"[..]));
        assert_eq!(
            submission.attachments[0].sha256,
            Sha256Digest::of(b"%PDF-1.7")
        );
    }

    #[test]
    fn tick_boxes_keep_the_schema_order() {
        let mut state = FormState::default();
        let order = ["a", "b", "c"];
        state.set_chosen("f", "c", true, &order);
        state.set_chosen("f", "a", true, &order);
        assert!(state.chosen("f", "a"));
        state.set_chosen("f", "b", true, &order);
        state.set_chosen("f", "b", false, &order);
        assert_eq!(
            state.values.get("f"),
            Some(&Answer::Choices(vec!["a".into(), "c".into()]))
        );
    }

    #[test]
    fn clearing_forgets_everything() {
        let schema = schema();
        let mut state = filled();
        add_file(&mut state, "a.txt", "text/plain", b"x");
        assert!(state.has_input());
        state.clear();
        assert!(!state.has_input());
        assert!(state.answers(&schema).0.is_empty());
    }

    #[test]
    fn a_draft_puts_back_what_was_entered_and_drops_what_no_longer_fits() {
        let schema = schema();
        let mut state = filled();
        let row = state.add_row("other_parties");
        state.set_row_answer(
            "other_parties",
            row,
            "party_name",
            Answer::Text("Acme Ltd".into()),
        );
        let entered = state.entered();
        let mut restored = FormState::default();
        assert_eq!(restored.restore(&schema, &entered), 0);
        assert_eq!(restored.entered(), entered);
        assert_eq!(restored.text("full_name"), "Zoë Adeyemi");
        // Consents are given again when sending, never restored.
        assert!(!restored.consented("privacy_notice"));
        let mut changed = entered.clone();
        changed.insert("a_question_since_removed", Answer::Text("x".into()));
        changed.insert("full_name", Answer::Rows(Vec::new()));
        let mut again = FormState::default();
        assert_eq!(again.restore(&schema, &changed), 2);
        assert_eq!(again.text("full_name"), "");
        assert_eq!(again.rows("other_parties").len(), 1);
    }
}
