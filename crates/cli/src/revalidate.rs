//! Checking an opened submission again against the form it says it was given to: the browser checked the answers
//! before sealing, but a modified page or another sealing program need not have, so the firm's side checks too.
//! Forms are found by the SHA-256 of their exact file bytes, which every submission records.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use sealform_core::consent::missing_consents;
use sealform_core::schema::{Template, LEGAL_INTAKE_TEMPLATE};
use sealform_core::{validate, FormSchema, Sha256Digest, Submission};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::error::Error;

/// The form definitions answers can be checked against, by the SHA-256 of their file bytes.
#[derive(Debug)]
pub(crate) struct Schemas {
    by_digest: HashMap<Sha256Digest, FormSchema>,
}

/// What checking a submission again found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// The answers and consent record keep every rule of their form.
    Passed,
    /// The problems found, one sentence each; the submission is kept all the same.
    Problems(Vec<String>),
    /// The form the submission names is not one we have, so nothing was checked.
    SchemaUnknown(Sha256Digest),
}

impl Schemas {
    /// The built-in legal-intake template and every `--schema` file. A file that is not a form definition stops
    /// the run before anything is opened: a firm that names its form expects it to be used.
    pub(crate) fn load(paths: &[PathBuf]) -> Result<Self, Error> {
        let mut by_digest = HashMap::new();
        let builtin = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).map_err(|e| {
            Error::failed(format!(
                "the built-in legal-intake template does not read: {e}"
            ))
        })?;
        by_digest.insert(
            Sha256Digest::of(LEGAL_INTAKE_TEMPLATE.as_bytes()),
            builtin.schema().clone(),
        );
        for path in paths {
            let bytes = fs::read(path).map_err(|e| {
                Error::usage(format!(
                    "could not read the form config {}: {e}; check the path given to --schema",
                    path.display()
                ))
            })?;
            // A firm's config has its recipients; a template may not yet. Either identifies its submissions.
            let template = Template::from_json(&bytes).map_err(|e| {
                Error::usage(format!(
                    "{} (given to --schema) is not a form config sealform reads:\n{e}",
                    path.display()
                ))
            })?;
            by_digest.insert(Sha256Digest::of(&bytes), template.schema().clone());
        }
        Ok(Self { by_digest })
    }

    /// Adds configs found beside the bundles (an inbox's `configs/`, the store's served configs), each already
    /// checked to be the bytes its digest names. One that is not a form config is skipped with a warning, returned.
    pub(crate) fn add_found(
        &mut self,
        where_: &str,
        configs: Vec<(Sha256Digest, Vec<u8>)>,
    ) -> Vec<String> {
        let mut warnings = Vec::new();
        for (digest, bytes) in configs {
            if self.by_digest.contains_key(&digest) {
                continue;
            }
            match Template::from_json(&bytes) {
                Ok(template) => {
                    self.by_digest.insert(digest, template.schema().clone());
                }
                Err(e) => warnings.push(format!(
                    "form config {digest} in {where_} is not one sealform reads ({e}): answers filled in with it                      are not re-validated"
                )),
            }
        }
        warnings
    }

    /// The largest bundle any of these forms' limits allows, in bytes.
    pub(crate) fn max_bundle_bytes(&self) -> u64 {
        self.by_digest
            .values()
            .map(|schema| schema.limits.max_bundle_bytes())
            .max()
            .unwrap_or(0)
    }

    /// The form with this digest, if known.
    pub(crate) fn get(&self, digest: &Sha256Digest) -> Option<&FormSchema> {
        self.by_digest.get(digest)
    }

    /// Checks `submission` against the form it names: the answers and attachments ([`validate`]), the required
    /// consents, the consent record's texts and ids, and the form's id and version.
    pub(crate) fn check(&self, submission: &Submission) -> Check {
        let Some(schema) = self.get(&submission.form.schema_sha256) else {
            return Check::SchemaUnknown(submission.form.schema_sha256);
        };
        let mut problems = Vec::new();
        let today = submission_date(&submission.submitted_at).unwrap_or_else(|| {
            problems.push(format!(
                "submitted_at {:?} is not an RFC 3339 time; date rules were checked against today",
                submission.submitted_at
            ));
            OffsetDateTime::now_utc().date()
        });
        if let Err(errors) = validate(schema, &submission.answers, &submission.attachments, today) {
            problems.extend(errors.iter().map(ToString::to_string));
        }
        problems.extend(form_mismatch(schema, submission));
        problems.extend(consent_problems(schema, submission));
        if problems.is_empty() {
            Check::Passed
        } else {
            Check::Problems(problems)
        }
    }
}

/// What checking a submission again found, as one warning: a headline, and the problems it is about, one sentence
/// each (none when the headline says it all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Warning {
    /// What went wrong, in a few words: `the answers break 2 rules of their form`.
    pub(crate) headline: String,
    /// The problems, one sentence each, in the order they were found.
    pub(crate) problems: Vec<String>,
}

impl Check {
    /// The one warning to give on standard error and in the summary; none when the check passed.
    pub(crate) fn warning(&self) -> Option<Warning> {
        match self {
            Self::Passed => None,
            Self::Problems(problems) => Some(Warning {
                headline: match problems.len() {
                    1 => "the answers break 1 rule of their form".to_owned(),
                    n => format!("the answers break {n} rules of their form"),
                },
                problems: problems.clone(),
            }),
            Self::SchemaUnknown(digest) => Some(Warning {
                headline: format!(
                    "schema {digest} not available; answers not re-validated (give it with --schema)"
                ),
                problems: Vec::new(),
            }),
        }
    }

    /// One line for the summary and the export: `passed`, `N problems` or `not re-validated`.
    pub(crate) fn status(&self) -> String {
        match self {
            Self::Passed => "passed".to_owned(),
            Self::Problems(problems) if problems.len() == 1 => "1 problem".to_owned(),
            Self::Problems(problems) => format!("{} problems", problems.len()),
            Self::SchemaUnknown(_) => "not re-validated".to_owned(),
        }
    }
}

/// The client's calendar date when submitting (in the client's own offset), as the form's date rules used it.
pub(crate) fn submission_date(submitted_at: &str) -> Option<Date> {
    OffsetDateTime::parse(submitted_at, &Rfc3339)
        .ok()
        .map(OffsetDateTime::date)
}

/// The form id and version the submission records must be those of the form its digest names.
fn form_mismatch(schema: &FormSchema, submission: &Submission) -> Option<String> {
    let form = &submission.form;
    (form.id != schema.id || form.version != schema.version).then(|| {
        format!(
            "the submission names form {:?} version {:?}, but its schema digest is that of form {:?} version {:?}",
            form.id, form.version, schema.id, schema.version
        )
    })
}

/// Required consents not given, and a consent record that is not the one the form would have made.
fn consent_problems(schema: &FormSchema, submission: &Submission) -> Vec<String> {
    let consent = &submission.consent;
    let mut problems: Vec<String> = missing_consents(
        schema,
        &submission.answers,
        &submission.attachments,
        &consent.given(),
    )
    .iter()
    .map(|missing| format!("consent {} was required but not given", missing.field))
    .collect();
    // A missing required consent is reported just above; the record check would say it again.
    if problems.is_empty() {
        if let Err(e) = consent.verify_against(schema, &submission.answers, &submission.attachments)
        {
            problems.push(format!("consent record: {e}"));
        }
    }
    if consent.consent_receipt_id != submission.submission_id {
        problems.push(format!(
            "consent record: its receipt id {:?} is not the submission id {:?}",
            consent.consent_receipt_id, submission.submission_id
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_the_clients_own() {
        assert_eq!(
            submission_date("2026-11-22T23:30:00-05:00").map(|d| d.to_string()),
            Some("2026-11-22".to_owned())
        );
        assert_eq!(submission_date("yesterday"), None);
    }

    #[test]
    fn an_unknown_schema_says_how_to_give_it() {
        let digest = Sha256Digest::of(b"another form");
        let warning = Check::SchemaUnknown(digest).warning().expect("a warning");
        assert_eq!(
            warning.headline,
            format!(
                "schema {digest} not available; answers not re-validated (give it with --schema)"
            )
        );
        assert!(warning.problems.is_empty());
        assert_eq!(Check::Passed.warning(), None);
        assert_eq!(Check::Problems(vec!["a".into()]).status(), "1 problem");
    }

    #[test]
    fn problems_are_one_warning() {
        let check = Check::Problems(vec!["email: not an email".into(), "phone: too long".into()]);
        assert_eq!(
            check.warning(),
            Some(Warning {
                headline: "the answers break 2 rules of their form".to_owned(),
                problems: vec!["email: not an email".into(), "phone: too long".into()],
            })
        );
        let one = Check::Problems(vec!["email: not an email".into()]).warning();
        assert_eq!(
            one.map(|warning| warning.headline).as_deref(),
            Some("the answers break 1 rule of their form")
        );
    }
}
