//! Where the client is in the form — one section's page, "Check your answers", or the consent step before Send —
//! and the moves between those pages, as a plain type: the view renders the page and calls the moves, the browser's
//! history stores [`Journey::number`], and nothing here touches the browser, so every move is tested natively.
//!
//! GOV.UK's "one thing per page" and "check answers" patterns: each page checks only its own questions; a Change link
//! on the check page goes back to the question and Continue from there returns to the check page.

use sealform_core::schema::Layout;
use sealform_core::{FieldError, FormSchema};

/// One page of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The section at this index in the schema.
    Section(usize),
    /// Every answer under its question, each with a Change link.
    CheckAnswers,
    /// How the firm uses the information, the consents, and Send.
    Declaration,
    /// The single-page layout: every section, the consents and Send at once.
    Whole,
}

/// Where the client is, and where Continue and Back lead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journey {
    /// The page shown.
    pub step: Step,
    /// Whether this section was reached by a Change link on the check page, so Continue and Back return there.
    pub returning: bool,
    /// How many sections the form has.
    sections: usize,
}

impl Journey {
    /// The first page of a form laid out as `layout`, with `sections` sections.
    pub fn start(layout: Layout, sections: usize) -> Self {
        let step = match layout {
            Layout::SinglePage => Step::Whole,
            Layout::Steps if sections == 0 => Step::CheckAnswers,
            Layout::Steps => Step::Section(0),
        };
        Self {
            step,
            returning: false,
            sections,
        }
    }

    /// Whether the form is laid out a page per section.
    pub fn stepped(&self) -> bool {
        self.step != Step::Whole
    }

    /// Where Continue leads once this page's answers pass: the next section (or the check page after the last,
    /// or straight back to it after a change), then the consent step. `None` where Continue is Send.
    pub fn next(&self) -> Option<Step> {
        match self.step {
            Step::Section(_) if self.returning => Some(Step::CheckAnswers),
            Step::Section(i) if i + 1 < self.sections => Some(Step::Section(i + 1)),
            Step::Section(_) => Some(Step::CheckAnswers),
            Step::CheckAnswers => Some(Step::Declaration),
            Step::Declaration | Step::Whole => None,
        }
    }

    /// Where the Back link leads; `None` on the first page.
    pub fn back(&self) -> Option<Step> {
        match self.step {
            Step::Section(_) if self.returning => Some(Step::CheckAnswers),
            Step::Section(0) | Step::Whole => None,
            Step::Section(i) => Some(Step::Section(i - 1)),
            Step::CheckAnswers => self.sections.checked_sub(1).map(Step::Section),
            Step::Declaration => Some(Step::CheckAnswers),
        }
    }

    /// Moves to `step`; `returning` says whether it came from a Change link (only sections keep it).
    pub fn go(&mut self, step: Step, returning: bool) {
        self.step = step;
        self.returning = returning && matches!(step, Step::Section(_));
    }

    /// "Section 2 of 6" as (2, 6), on a section's page.
    pub fn progress(&self) -> Option<(usize, usize)> {
        match self.step {
            Step::Section(i) => Some((i + 1, self.sections)),
            _ => None,
        }
    }

    /// The step's number in the browser's history: sections from 0, then the check page, then the consent step.
    pub fn number(&self, step: Step) -> u32 {
        let n = match step {
            Step::Section(i) => i,
            Step::CheckAnswers => self.sections,
            Step::Declaration => self.sections + 1,
            Step::Whole => 0,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The step a history entry's number stands for; `None` for one this form does not have.
    pub fn step_numbered(&self, number: u32) -> Option<Step> {
        let n = usize::try_from(number).ok()?;
        match n {
            _ if !self.stepped() => None,
            n if n < self.sections => Some(Step::Section(n)),
            n if n == self.sections => Some(Step::CheckAnswers),
            n if n == self.sections + 1 => Some(Step::Declaration),
            _ => None,
        }
    }

    /// Whether the problem with this error key is one this page shows: a question of its section, a consent on the
    /// consent step, everything on a single page. The check page has no inputs, so no problem of its own.
    pub fn shows(&self, schema: &FormSchema, key: &str) -> bool {
        match self.step {
            Step::Whole => true,
            Step::Section(i) => section_of(schema, key) == Some(i),
            Step::Declaration => section_of(schema, key).is_none(),
            Step::CheckAnswers => false,
        }
    }

    /// Where a full check's problems send the client: the first section with a problem, else the consent step
    /// when only consents are missing; `None` when there is none.
    pub fn first_problem(&self, schema: &FormSchema, errors: &[FieldError]) -> Option<Step> {
        if !self.stepped() {
            return (!errors.is_empty()).then_some(Step::Whole);
        }
        let sections = errors.iter().map(|e| section_of(schema, &e.field));
        let first = sections.clone().flatten().min();
        match first {
            Some(i) => Some(Step::Section(i)),
            None if sections.count() > 0 => Some(Step::Declaration),
            None => None,
        }
    }
}

/// The section whose questions an error key names (`field` or `group[N].field`); `None` for a consent.
pub fn section_of(schema: &FormSchema, key: &str) -> Option<usize> {
    let top = key.split('[').next().unwrap_or(key);
    schema
        .sections
        .iter()
        .position(|section| section.fields.iter().any(|field| field.id == top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sealform_core::validate::FieldErrorKind;

    fn schema() -> FormSchema {
        sealform_testkit::legal_intake_schema()
    }

    fn error(field: &str) -> FieldError {
        FieldError {
            field: field.to_owned(),
            kind: FieldErrorKind::Required,
            message: format!("Enter {field}"),
        }
    }

    #[test]
    fn continue_walks_the_sections_then_checks_answers_then_asks_for_consent() {
        let mut journey = Journey::start(Layout::Steps, 3);
        assert_eq!(journey.step, Step::Section(0));
        assert_eq!(journey.back(), None);
        let mut seen = vec![journey.step];
        while let Some(next) = journey.next() {
            journey.go(next, false);
            seen.push(next);
        }
        assert_eq!(
            seen,
            [
                Step::Section(0),
                Step::Section(1),
                Step::Section(2),
                Step::CheckAnswers,
                Step::Declaration
            ]
        );
        assert_eq!(journey.back(), Some(Step::CheckAnswers));
        journey.go(Step::CheckAnswers, false);
        assert_eq!(journey.back(), Some(Step::Section(2)));
        journey.go(Step::Section(1), false);
        assert_eq!(journey.progress(), Some((2, 3)));
    }

    #[test]
    fn a_change_from_the_check_page_returns_to_it() {
        let mut journey = Journey::start(Layout::Steps, 4);
        journey.go(Step::CheckAnswers, false);
        journey.go(Step::Section(1), true);
        assert!(journey.returning);
        assert_eq!(journey.next(), Some(Step::CheckAnswers));
        assert_eq!(journey.back(), Some(Step::CheckAnswers));
        journey.go(Step::CheckAnswers, true);
        assert!(!journey.returning, "only a section keeps the way back");
        journey.go(Step::Section(1), false);
        assert_eq!(journey.next(), Some(Step::Section(2)));
    }

    #[test]
    fn history_numbers_name_each_page_once() {
        let journey = Journey::start(Layout::Steps, 2);
        for step in [
            Step::Section(0),
            Step::Section(1),
            Step::CheckAnswers,
            Step::Declaration,
        ] {
            assert_eq!(journey.step_numbered(journey.number(step)), Some(step));
        }
        assert_eq!(journey.step_numbered(4), None);
        let whole = Journey::start(Layout::SinglePage, 2);
        assert_eq!(
            whole.step_numbered(0),
            None,
            "one page has no history of its own"
        );
    }

    #[test]
    fn a_page_shows_only_its_own_problems() {
        let schema = schema();
        let first = schema.sections[0].fields[0].id.clone();
        let group = schema
            .sections
            .iter()
            .position(|s| s.fields.iter().any(|f| f.id == "other_parties"))
            .expect("the sample has a group");
        let mut journey = Journey::start(Layout::Steps, schema.sections.len());
        assert!(journey.shows(&schema, &first));
        assert!(!journey.shows(&schema, "other_parties[1].party_name"));
        assert!(!journey.shows(&schema, "privacy_notice"));
        journey.go(Step::Section(group), false);
        assert!(journey.shows(&schema, "other_parties[1].party_name"));
        journey.go(Step::Declaration, false);
        assert!(journey.shows(&schema, "privacy_notice"));
        assert!(!journey.shows(&schema, &first));
        journey.go(Step::CheckAnswers, false);
        assert!(!journey.shows(&schema, &first));
        let whole = Journey::start(Layout::SinglePage, schema.sections.len());
        assert!(whole.shows(&schema, &first) && whole.shows(&schema, "privacy_notice"));
    }

    #[test]
    fn a_full_check_sends_the_client_to_the_first_page_with_a_problem() {
        let schema = schema();
        let journey = Journey::start(Layout::Steps, schema.sections.len());
        let group_section = section_of(&schema, "other_parties").expect("group");
        let errors = [
            error("privacy_notice"),
            error("other_parties[2].party_name"),
        ];
        assert_eq!(
            journey.first_problem(&schema, &errors),
            Some(Step::Section(group_section))
        );
        assert_eq!(
            journey.first_problem(&schema, &[error("privacy_notice")]),
            Some(Step::Declaration)
        );
        assert_eq!(journey.first_problem(&schema, &[]), None);
        let whole = Journey::start(Layout::SinglePage, schema.sections.len());
        assert_eq!(
            whole.first_problem(&schema, &[error("privacy_notice")]),
            Some(Step::Whole)
        );
    }

    #[test]
    fn a_form_with_one_section_still_checks_answers() {
        let mut journey = Journey::start(Layout::Steps, 1);
        assert_eq!(journey.next(), Some(Step::CheckAnswers));
        journey.go(Step::CheckAnswers, false);
        assert_eq!(journey.back(), Some(Step::Section(0)));
    }
}
