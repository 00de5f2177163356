//! The consent record sealed with every submission: what the client was told and agreed to, in the shape of a
//! Kantara Initiative Consent Receipt (v1.1), so the firm can later show exactly what each client consented to.
//!
//! The record is built from the schema and the answers ([`ConsentRecord::new`]); after opening, the CLI rebuilds it
//! the same way and compares ([`ConsentRecord::verify_against`]), which catches any altered consent text.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::answers::Answers;
use crate::attachment::AttachmentInfo;
use crate::digest::Sha256Digest;
use crate::schema::{DataCategory, FormSchema, Retention};
use crate::validate::{FieldError, FieldErrorKind};

/// The Kantara Consent Receipt specification version the record follows.
pub const CONSENT_RECEIPT_VERSION: &str = "KI-CR-v1.1.0";

/// How consent is collected, as the record states it.
pub const COLLECTION_METHOD: &str = "web form (sealform)";

/// What the client was told and agreed to when submitting. Field names follow the Kantara Consent Receipt v1.1 in
/// snake case; the client is not identified in it (the answers do that), so `piiPrincipalId` is left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecord {
    /// Always [`CONSENT_RECEIPT_VERSION`].
    pub version: String,
    /// Where the firm is regulated (the schema's `jurisdiction`).
    pub jurisdiction: String,
    /// When the client submitted, RFC 3339, by the client's clock.
    pub consent_timestamp: String,
    /// Always [`COLLECTION_METHOD`].
    pub collection_method: String,
    /// The submission id.
    pub consent_receipt_id: String,
    /// The form's language (BCP 47).
    pub language: String,
    /// The data controller: the firm.
    pub pii_controllers: Vec<PiiController>,
    /// The privacy notice the client was pointed to.
    pub policy_url: String,
    /// One entry per consent item of the form, in form order, ticked or not.
    pub purposes: Vec<ConsentPurpose>,
    /// The kinds of personal data the answers and attachments actually give.
    pub pii_categories: BTreeSet<DataCategory>,
    /// Whether special category (or criminal offence) data was given.
    pub sensitive: bool,
    /// How long the firm keeps the submission.
    pub retention: Retention,
    /// How the client withdraws consent.
    pub withdrawal: String,
}

/// A data controller, as named in the consent record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiController {
    /// The firm's name.
    pub pii_controller: String,
    /// Who to contact about data protection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The postal address, one line per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<String>,
    /// The email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The firm's website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii_controller_url: Option<String>,
}

/// One consent item as the client saw it, and whether they agreed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPurpose {
    /// The consent item's id.
    pub id: String,
    /// The exact text beside the tick box.
    pub text: String,
    /// SHA-256 of `text` as UTF-8.
    pub text_sha256: Sha256Digest,
    /// Why the firm asks.
    pub purpose: String,
    /// Whether it had to be given, for these answers.
    pub required: bool,
    /// Whether the client ticked it.
    pub given: bool,
}

/// Why a consent record does not match the form and answers it claims to belong to.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsentError {
    /// The record follows another consent receipt version.
    #[error("consent record version \"{found}\" is not {CONSENT_RECEIPT_VERSION}")]
    UnsupportedVersion {
        /// The version the record gives.
        found: String,
    },
    /// A consent item of the form is not in the record.
    #[error("consent \"{id}\" is missing from the consent record")]
    MissingPurpose {
        /// The consent item's id.
        id: String,
    },
    /// The record lists a consent the form does not have, or lists the form's consents in another order.
    #[error("consent \"{id}\" in the consent record is not the form's consent at that place")]
    UnexpectedPurpose {
        /// The id in the record.
        id: String,
    },
    /// A consent's text or purpose differs from the form's.
    #[error("the text of consent \"{id}\" differs from the form's")]
    TextChanged {
        /// The consent item's id.
        id: String,
    },
    /// A consent's recorded digest is not the SHA-256 of its text.
    #[error("the digest of consent \"{id}\" does not match its text")]
    DigestMismatch {
        /// The consent item's id.
        id: String,
    },
    /// Whether a consent was required is recorded differently from what the form and answers say.
    #[error("consent \"{id}\" is recorded as {} but the form and answers make it {}", required_word(*.recorded), required_word(!*.recorded))]
    RequirementChanged {
        /// The consent item's id.
        id: String,
        /// Whether the record says it was required.
        recorded: bool,
    },
    /// A consent that was required was not given.
    #[error("required consent \"{id}\" was not given")]
    RequiredNotGiven {
        /// The consent item's id.
        id: String,
    },
    /// The recorded data categories, or the sensitive flag, do not match the answers.
    #[error("the data categories in the consent record do not match the answers")]
    CategoriesChanged,
    /// Some other part of the record differs from the form (controller, policy URL, language, retention, …).
    #[error("the consent record's {field} differs from the form's")]
    DetailsChanged {
        /// The record member that differs.
        field: &'static str,
    },
}

fn required_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

impl ConsentRecord {
    /// Builds the record for a submission: `given` holds the ids of the consents the client ticked (ids the form
    /// does not have are ignored), `submission_id` becomes the receipt id, and `timestamp` is RFC 3339 (core has no
    /// clock).
    pub fn new(
        schema: &FormSchema,
        answers: &Answers,
        attachments: &[AttachmentInfo],
        given: &BTreeSet<String>,
        submission_id: &str,
        timestamp: &str,
    ) -> Self {
        let pii_categories = schema.categories_given(answers, attachments);
        let sensitive = pii_categories.contains(&DataCategory::SpecialCategory);
        let firm = &schema.firm;
        Self {
            version: CONSENT_RECEIPT_VERSION.to_owned(),
            jurisdiction: schema.jurisdiction.clone(),
            consent_timestamp: timestamp.to_owned(),
            collection_method: COLLECTION_METHOD.to_owned(),
            consent_receipt_id: submission_id.to_owned(),
            language: schema.language.clone(),
            pii_controllers: vec![PiiController {
                pii_controller: firm.name.clone(),
                contact: firm.contact.clone(),
                address: firm.address.clone(),
                email: firm.email.clone(),
                phone: firm.phone.clone(),
                pii_controller_url: firm.website.clone(),
            }],
            policy_url: firm.privacy_notice_url.clone(),
            purposes: schema
                .consents
                .iter()
                .map(|item| ConsentPurpose {
                    id: item.id.clone(),
                    text: item.text.clone(),
                    text_sha256: Sha256Digest::of(item.text.as_bytes()),
                    purpose: item.purpose.clone(),
                    required: item.is_required(sensitive),
                    given: given.contains(&item.id),
                })
                .collect(),
            pii_categories,
            sensitive,
            retention: schema.retention.clone(),
            withdrawal: schema.withdrawal.clone(),
        }
    }

    /// The ids of the consents the client ticked.
    pub fn given(&self) -> BTreeSet<String> {
        self.purposes
            .iter()
            .filter(|purpose| purpose.given)
            .map(|purpose| purpose.id.clone())
            .collect()
    }

    /// Checks the record against the form it was filled against and the submission's answers: every consent text
    /// and digest is the form's, the categories and sensitive flag match the answers, and every required consent
    /// was given. Comparing the receipt id with the submission id is the caller's part.
    pub fn verify_against(
        &self,
        schema: &FormSchema,
        answers: &Answers,
        attachments: &[AttachmentInfo],
    ) -> Result<(), ConsentError> {
        if self.version != CONSENT_RECEIPT_VERSION {
            return Err(ConsentError::UnsupportedVersion {
                found: self.version.clone(),
            });
        }
        // The client read the form in the record's language: its texts are what was agreed to. A language the
        // form does not offer cannot have been shown.
        let Some(shown) = schema.in_language(&self.language) else {
            return Err(ConsentError::DetailsChanged { field: "language" });
        };
        // What this crate would have recorded for the same answers and ticks: any difference is a change.
        let expected = Self::new(
            &shown,
            answers,
            attachments,
            &self.given(),
            &self.consent_receipt_id,
            &self.consent_timestamp,
        );
        self.verify_purposes(&expected)?;
        if (&self.pii_categories, self.sensitive) != (&expected.pii_categories, expected.sensitive)
        {
            return Err(ConsentError::CategoriesChanged);
        }
        let details: [(&'static str, bool); 7] = [
            ("jurisdiction", self.jurisdiction == expected.jurisdiction),
            (
                "collection_method",
                self.collection_method == expected.collection_method,
            ),
            ("language", self.language == expected.language),
            (
                "pii_controllers",
                self.pii_controllers == expected.pii_controllers,
            ),
            ("policy_url", self.policy_url == expected.policy_url),
            ("retention", self.retention == expected.retention),
            ("withdrawal", self.withdrawal == expected.withdrawal),
        ];
        match details.iter().find(|(_, same)| !same) {
            Some((field, _)) => Err(ConsentError::DetailsChanged { field }),
            None => Ok(()),
        }
    }

    fn verify_purposes(&self, expected: &Self) -> Result<(), ConsentError> {
        for (index, wanted) in expected.purposes.iter().enumerate() {
            let Some(recorded) = self.purposes.get(index) else {
                return Err(ConsentError::MissingPurpose {
                    id: wanted.id.clone(),
                });
            };
            let id = || recorded.id.clone();
            if recorded.id != wanted.id {
                return Err(ConsentError::UnexpectedPurpose { id: id() });
            }
            if recorded.text_sha256 != Sha256Digest::of(recorded.text.as_bytes()) {
                return Err(ConsentError::DigestMismatch { id: id() });
            }
            if recorded.text != wanted.text || recorded.purpose != wanted.purpose {
                return Err(ConsentError::TextChanged { id: id() });
            }
            if recorded.required != wanted.required {
                return Err(ConsentError::RequirementChanged {
                    id: id(),
                    recorded: recorded.required,
                });
            }
            if recorded.required && !recorded.given {
                return Err(ConsentError::RequiredNotGiven { id: id() });
            }
        }
        match self.purposes.get(expected.purposes.len()) {
            Some(extra) => Err(ConsentError::UnexpectedPurpose {
                id: extra.id.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// The required consents the client has not ticked, in form order, as errors for the form's error summary.
/// `given` holds the ids of the ticked consents.
pub fn missing_consents(
    schema: &FormSchema,
    answers: &Answers,
    attachments: &[AttachmentInfo],
    given: &BTreeSet<String>,
) -> Vec<FieldError> {
    let sensitive = schema.special_category_given(answers, attachments);
    schema
        .consents
        .iter()
        .filter(|item| item.is_required(sensitive) && !given.contains(&item.id))
        .map(|item| FieldError {
            field: item.id.clone(),
            kind: FieldErrorKind::Required,
            message: item.error_message.clone().unwrap_or_else(|| {
                crate::i18n::texts(&schema.language)
                    .format("confirm-consent", &[("text", item.text.as_str().into())])
            }),
        })
        .collect()
}

#[cfg(test)]
#[cfg(feature = "open")]
mod tests {
    use super::*;
    use crate::answers::Answer;
    use crate::schema::test_support;

    fn ids(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|id| (*id).to_owned()).collect()
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let mut answers = Answers::default();
        for (field, value) in pairs {
            answers.insert(*field, Answer::Text((*value).to_owned()));
        }
        answers
    }

    /// An ordinary enquiry: no special category data.
    fn plain() -> Answers {
        answers(&[
            ("full_name", "Sam Jones"),
            ("email", "sam@example.com"),
            ("practice_area", "employment"),
            ("special_category_involved", "no"),
        ])
    }

    /// An enquiry that gives special category data.
    fn sensitive() -> Answers {
        answers(&[
            ("full_name", "Sam Jones"),
            ("email", "sam@example.com"),
            ("practice_area", "employment"),
            ("special_category_involved", "yes"),
            (
                "special_category_details",
                "My employer will not adjust my hours for my condition.",
            ),
        ])
    }

    #[test]
    fn record_lists_every_consent_with_its_digest() {
        let schema = test_support::legal_intake();
        let record = ConsentRecord::new(
            &schema,
            &plain(),
            &[],
            &ids(&["privacy_notice", "no_retainer"]),
            "7f1c0a52-7d5e-4a8e-9a47-0a3d1b7c2e11",
            "2026-11-22T10:15:00Z",
        );
        assert_eq!(record.version, "KI-CR-v1.1.0");
        assert_eq!(
            record.consent_receipt_id,
            "7f1c0a52-7d5e-4a8e-9a47-0a3d1b7c2e11"
        );
        assert_eq!(record.purposes.len(), schema.consents.len());
        for (purpose, item) in record.purposes.iter().zip(&schema.consents) {
            assert_eq!(purpose.id, item.id);
            assert_eq!(purpose.text_sha256, Sha256Digest::of(item.text.as_bytes()));
        }
        assert!(!record.sensitive);
        assert_eq!(
            record.pii_categories,
            BTreeSet::from([
                DataCategory::Contact,
                DataCategory::Identity,
                DataCategory::Case
            ])
        );
        assert_eq!(record.given(), ids(&["privacy_notice", "no_retainer"]));
        assert_eq!(record.verify_against(&schema, &plain(), &[]), Ok(()));
    }

    #[test]
    fn record_round_trips_through_json_and_refuses_unknown_members() {
        let schema = test_support::legal_intake();
        let record = ConsentRecord::new(
            &schema,
            &plain(),
            &[],
            &ids(&["privacy_notice"]),
            "id",
            "2026-11-22T10:15:00Z",
        );
        let json = serde_json::to_string(&record).unwrap();
        assert!(
            json.contains(r#""policy_url":"https://example.com/privacy""#),
            "{json}"
        );
        assert!(
            json.contains(r#""pii_categories":["contact","identity","case"]"#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<ConsentRecord>(&json).unwrap(),
            record
        );
        let extra = json.replacen('{', r#"{"piiPrincipalId":"x","#, 1);
        assert!(serde_json::from_str::<ConsentRecord>(&extra).is_err());
    }

    #[test]
    fn special_category_consent_is_required_only_when_that_data_is_given() {
        let schema = test_support::legal_intake();
        let ticked = ids(&["privacy_notice", "no_retainer"]);
        assert!(missing_consents(&schema, &plain(), &[], &ticked).is_empty());

        let missing = missing_consents(&schema, &sensitive(), &[], &ticked);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].field, "special_category_processing");
        assert_eq!(missing[0].kind, FieldErrorKind::Required);

        let record = ConsentRecord::new(
            &schema,
            &sensitive(),
            &[],
            &ticked,
            "id",
            "2026-11-22T10:15:00Z",
        );
        assert!(record.sensitive);
        assert!(record
            .pii_categories
            .contains(&DataCategory::SpecialCategory));
        assert_eq!(
            record.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::RequiredNotGiven {
                id: "special_category_processing".into()
            })
        );
    }

    #[test]
    fn choosing_a_special_category_option_counts_as_giving_that_data() {
        let schema = test_support::legal_intake();
        let criminal = answers(&[("practice_area", "criminal")]);
        assert!(schema.special_category_given(&criminal, &[]));
        assert!(!schema.special_category_given(&plain(), &[]));
    }

    #[test]
    fn missing_consents_use_the_items_own_message() {
        let schema = test_support::legal_intake();
        let missing = missing_consents(&schema, &plain(), &[], &BTreeSet::new());
        let fields: Vec<&str> = missing.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["privacy_notice", "no_retainer"]);
        assert_eq!(
            missing[0].message,
            "Confirm that you have read the privacy notice"
        );
    }

    #[test]
    fn missing_consent_without_a_message_quotes_the_text() {
        let mut schema = test_support::legal_intake();
        schema.consents[0].error_message = None;
        let missing = missing_consents(&schema, &plain(), &[], &BTreeSet::new());
        assert_eq!(
            missing[0].message,
            format!("Select the box to confirm: {}", schema.consents[0].text)
        );
    }

    fn valid_record() -> (FormSchema, ConsentRecord) {
        let schema = test_support::legal_intake();
        let record = ConsentRecord::new(
            &schema,
            &sensitive(),
            &[],
            &ids(&[
                "privacy_notice",
                "no_retainer",
                "special_category_processing",
            ]),
            "id",
            "2026-11-22T10:15:00Z",
        );
        (schema, record)
    }

    #[test]
    fn verify_detects_altered_text() {
        let (schema, mut record) = valid_record();
        record.purposes[0]
            .text
            .push_str(" (and I waive all my rights)");
        assert_eq!(
            record.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::DigestMismatch {
                id: "privacy_notice".into()
            })
        );
        record.purposes[0].text_sha256 = Sha256Digest::of(record.purposes[0].text.as_bytes());
        assert_eq!(
            record.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::TextChanged {
                id: "privacy_notice".into()
            })
        );
    }

    #[test]
    fn verify_detects_a_changed_schema_text() {
        let (mut schema, record) = valid_record();
        schema.consents[1].text = "Something else".into();
        assert!(matches!(
            record.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::TextChanged { .. })
        ));
    }

    #[test]
    fn verify_detects_missing_extra_and_reordered_purposes() {
        let (schema, record) = valid_record();
        let mut missing = record.clone();
        let last = missing.purposes.pop().unwrap();
        assert_eq!(
            missing.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::MissingPurpose { id: last.id })
        );
        let mut extra = record.clone();
        extra.purposes.push(extra.purposes[0].clone());
        assert!(matches!(
            extra.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::UnexpectedPurpose { .. })
        ));
        let mut swapped = record;
        swapped.purposes.swap(0, 1);
        assert!(matches!(
            swapped.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::UnexpectedPurpose { .. })
        ));
    }

    #[test]
    fn verify_detects_changed_requirement_categories_and_details() {
        let (schema, record) = valid_record();
        let mut downgraded = record.clone();
        downgraded.purposes[1].required = false;
        assert!(matches!(
            downgraded.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::RequirementChanged {
                recorded: false,
                ..
            })
        ));
        // The same record checked against answers without special category data: the categories no longer match.
        assert!(matches!(
            record.verify_against(&schema, &plain(), &[]),
            Err(ConsentError::RequirementChanged { .. })
        ));
        let mut hidden = record.clone();
        hidden.sensitive = false;
        assert_eq!(
            hidden.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::CategoriesChanged)
        );
        let mut moved = record.clone();
        moved.policy_url = "https://example.net/privacy".into();
        assert_eq!(
            moved.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::DetailsChanged {
                field: "policy_url"
            })
        );
        let mut old = record;
        old.version = "KI-CR-v1.0.0".into();
        assert!(matches!(
            old.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::UnsupportedVersion { .. })
        ));
    }

    #[test]
    fn a_record_made_in_a_translation_verifies_against_that_translations_texts() {
        let (mut schema, _) = valid_record();
        let spanish = schema
            .texts()
            .into_iter()
            .map(|(place, text)| (place, format!("ES: {text}")))
            .collect();
        schema.translations.insert("es".into(), spanish);
        let given = ids(&[
            "privacy_notice",
            "no_retainer",
            "special_category_processing",
        ]);
        let shown = schema.in_language("es").unwrap();
        let record = ConsentRecord::new(
            &shown,
            &sensitive(),
            &[],
            &given,
            "id",
            "2026-11-22T10:15:00Z",
        );
        assert_eq!(record.language, "es");
        assert!(record.purposes[0].text.starts_with("ES: "));
        assert_eq!(record.verify_against(&schema, &sensitive(), &[]), Ok(()));
        // The English texts under the Spanish name were not what a Spanish reader agreed to.
        let mut english = ConsentRecord::new(
            &schema,
            &sensitive(),
            &[],
            &given,
            "id",
            "2026-11-22T10:15:00Z",
        );
        english.language = "es".into();
        assert!(matches!(
            english.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::TextChanged { .. })
        ));
        // A language the form does not offer was never shown.
        let mut french = record;
        french.language = "fr".into();
        assert_eq!(
            french.verify_against(&schema, &sensitive(), &[]),
            Err(ConsentError::DetailsChanged { field: "language" })
        );
    }
}
