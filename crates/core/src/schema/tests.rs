use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::test_support;
use super::*;

/// The template as JSON with the firm's test key added, ready to be broken one way per test. Without its
/// translations: a test that changes the form's questions would also find each translation out of step with them
/// (the shipped translations are checked as shipped by the template's own test).
fn template_value() -> Value {
    let mut value: Value = serde_json::from_str(LEGAL_INTAKE_TEMPLATE).unwrap();
    value["recipients"] = json!([firm_jwk()]);
    value.as_object_mut().unwrap().remove("translations");
    value
}

fn firm_jwk() -> Value {
    serde_json::from_str(&crate::test_keys::firm().recipient().to_jwk()).unwrap()
}

fn parse(value: &Value) -> Result<FormSchema, SchemaError> {
    FormSchema::from_json(&serde_json::to_vec(value).unwrap())
}

/// The single problem `value` has, as `path: problem`.
fn only_problem(value: &Value) -> String {
    match parse(value) {
        Err(SchemaError::Invalid { problems }) if problems.len() == 1 => problems[0].to_string(),
        other => panic!("expected exactly one problem, got {other:?}"),
    }
}

fn json_error(value: &Value) -> (String, String) {
    match parse(value) {
        Err(SchemaError::Json { path, message }) => (path, message),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn template_parses_without_recipients_but_is_not_a_form_until_it_has_one() {
    let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).unwrap();
    assert!(template.schema().recipients.is_empty());
    // Shipped in English, Spanish and Arabic, every translation complete (or reading it would have failed).
    assert_eq!(template.schema().languages(), ["en-GB", "ar", "es"]);
    match FormSchema::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()) {
        Err(SchemaError::Invalid { problems }) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].path, "recipients");
        }
        other => panic!("expected the missing recipient to be refused, got {other:?}"),
    }
    let firm = crate::test_keys::firm().recipient().clone();
    let schema = template.with_recipients([firm.clone()]).unwrap();
    assert_eq!(schema.recipients, [firm]);
}

#[test]
fn the_same_key_twice_is_refused() {
    let firm = crate::test_keys::firm().recipient().clone();
    let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).unwrap();
    let error = template.with_recipients([firm.clone(), firm]).unwrap_err();
    assert!(
        error.to_string().starts_with("recipients[1]: the key "),
        "{error}"
    );

    let mut value = template_value();
    value["recipients"] = json!([
        firm_jwk(),
        crate::test_keys::backup()
            .recipient()
            .to_jwk()
            .parse::<Value>()
            .unwrap()
    ]);
    assert_eq!(parse(&value).unwrap().recipients.len(), 2);
}

#[test]
fn a_short_or_private_key_is_refused_with_its_path() {
    use pkcs8::DecodePublicKey as _;
    use rsa::traits::PublicKeyParts as _;

    let small = rsa::RsaPublicKey::from_public_key_pem(include_str!(
        "../../tests/data/keys/small-1024.pub.pem"
    ))
    .unwrap();
    let mut value = template_value();
    value["recipients"] = json!([{
        "kty": "RSA",
        "n": crate::base64url::encode(&small.n().to_bytes_be()),
        "e": crate::base64url::encode(&small.e().to_bytes_be()),
    }]);
    let (path, message) = json_error(&value);
    assert_eq!(path, "recipients[0]");
    assert!(message.contains("1024"), "{message}");

    // A private JWK pasted by mistake.
    let mut value = template_value();
    value["recipients"][0]["d"] = json!("AQAB");
    let (path, message) = json_error(&value);
    assert_eq!(path, "recipients[0].d");
    assert!(message.starts_with("unknown field `d`"), "{message}");
}

#[test]
fn every_field_kind_is_covered_by_the_template_or_the_test_schema() {
    let mut kinds = BTreeSet::new();
    for schema in [test_support::legal_intake(), test_support::all_kinds()] {
        kinds.extend(schema.fields().map(|place| place.field.kind.name()));
    }
    let all = [
        "text",
        "textarea",
        "email",
        "tel",
        "date",
        "number",
        "select",
        "radio",
        "checkbox",
        "checkboxes",
        "file",
        "group",
    ];
    assert_eq!(kinds, BTreeSet::from(all));
}

#[test]
fn schema_round_trips_through_serialisation() {
    for schema in [test_support::legal_intake(), test_support::all_kinds()] {
        let bytes = serde_json::to_vec_pretty(&schema).unwrap();
        assert_eq!(FormSchema::from_json(&bytes).unwrap(), schema);
    }
}

#[test]
fn template_says_what_the_form_needs() {
    let schema = test_support::legal_intake();
    assert_eq!(schema.endpoint.as_str(), "/api/submissions");
    assert!(schema.endpoint.is_relative());
    assert_eq!(schema.limits.max_total_attachment_bytes, 26_214_400);
    assert!(schema.may_collect_special_category());
    let documents = schema.field("documents_upload").unwrap();
    assert_eq!(documents.section.id, "documents");
    assert!(matches!(
        documents.field.kind,
        FieldKind::File {
            max_size: Some(10_485_760),
            max_count: 5,
            ..
        }
    ));
    let party = schema.field("party_role").unwrap();
    assert_eq!(
        party.group.map(|group| group.id.as_str()),
        Some("other_parties")
    );
    // Every field says why it is asked.
    assert!(schema
        .fields()
        .all(|place| !place.field.purpose.trim().is_empty()));
    assert!(schema.field("nope").is_none());
}

#[test]
fn fields_come_in_form_order_with_group_questions_after_their_group() {
    let schema = test_support::all_kinds();
    let ids: Vec<&str> = schema
        .fields()
        .map(|place| place.field.id.as_str())
        .collect();
    let group = ids.iter().position(|id| *id == "parties").unwrap();
    assert_eq!(
        ids[group + 1..group + 5],
        [
            "party_name",
            "party_role",
            "party_role_other",
            "party_phone"
        ]
    );
    assert_eq!(ids[0], "name");
}

#[test]
fn shape_errors_name_their_exact_path() {
    let mut value = template_value();
    value["sections"][1]["fields"][3]["kind"] = json!("phone");
    let (path, message) = json_error(&value);
    assert_eq!(path, "sections[1].fields[3].kind");
    assert!(
        message.starts_with("unknown variant `phone`, expected one of `text`"),
        "{message}"
    );

    let mut value = template_value();
    value["firm"]["fax"] = json!("01632 960 002");
    let (path, message) = json_error(&value);
    assert_eq!(path, "firm.fax");
    assert!(message.starts_with("unknown field `fax`"), "{message}");

    let mut value = template_value();
    value["sections"][0]["fields"][0]["max_length"] = json!("200");
    assert_eq!(json_error(&value).0, "sections[0].fields[0].max_length");

    let mut value = template_value();
    value["sections"][2]["fields"][0]["options"][1]["colour"] = json!("red");
    assert_eq!(
        json_error(&value).0,
        "sections[2].fields[0].options[1].colour"
    );
}

#[test]
fn a_member_of_another_kind_is_refused() {
    let mut value = template_value();
    value["sections"][0]["fields"][0]["options"] = json!([{ "value": "a", "label": "A" }]);
    let (path, message) = json_error(&value);
    assert_eq!(path, "sections[0].fields[0]");
    // serde_json adds the position, which helps in a file a person edits.
    assert!(
        message.starts_with("`options` does not apply to a `text` field at line "),
        "{message}"
    );

    let mut value = template_value();
    value["sections"][2]["fields"][0]
        .as_object_mut()
        .unwrap()
        .remove("options");
    let (_, message) = json_error(&value);
    assert!(
        message.starts_with("a `select` field needs `options`"),
        "{message}"
    );
}

#[test]
fn consents_cannot_be_ticked_in_advance() {
    let mut value = template_value();
    value["consents"][2]["checked"] = json!(true);
    let (path, message) = json_error(&value);
    assert_eq!(path, "consents[2].checked");
    assert!(message.starts_with("unknown field `checked`"), "{message}");

    let mut value = template_value();
    value["consents"][2]["required"] = json!("sometimes");
    let (path, message) = json_error(&value);
    assert_eq!(path, "consents[2].required");
    assert!(
        message.contains(r#"true, false or "when_special_category""#),
        "{message}"
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let error = FormSchema::from_json(b"{\n  \"schema\": 1,\n  oops\n}").unwrap_err();
    assert!(
        matches!(&error, SchemaError::Json { path, .. } if path.is_empty()),
        "{error:?}"
    );
    assert!(error.to_string().contains("line 3 column 3"), "{error}");

    let error = FormSchema::from_json(
        format!("{} x", serde_json::to_string(&template_value()).unwrap()).as_bytes(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("trailing characters"), "{error}");
}

#[test]
fn another_schema_version_is_refused_first() {
    let mut value = template_value();
    value["schema"] = json!(2);
    value["sections"] = json!("written differently in version 2");
    assert!(matches!(
        parse(&value),
        Err(SchemaError::UnsupportedVersion { found: 2 })
    ));
}

#[test]
fn ids_must_be_unique_across_the_whole_form() {
    let mut value = template_value();
    value["sections"][0]["fields"][1]["id"] = json!("full_name");
    assert_eq!(
        only_problem(&value),
        "sections[0].fields[1].id: `full_name` is already used: ids must be unique across the whole form"
    );

    // A consent and a field share one namespace: both become element ids.
    let mut value = template_value();
    value["consents"][0]["id"] = json!("email");
    assert!(only_problem(&value).starts_with("consents[0].id: `email` is already used"));

    // Group questions too.
    let mut value = template_value();
    value["sections"][3]["fields"][0]["fields"][0]["id"] = json!("description");
    assert!(only_problem(&value)
        .starts_with("sections[3].fields[0].fields[0].id: `description` is already used"));

    let mut value = template_value();
    value["sections"][0]["fields"][0]["id"] = json!("Full Name");
    assert!(only_problem(&value)
        .starts_with("sections[0].fields[0].id: expected an id of lower-case letters"));
}

#[test]
fn conditions_must_point_backwards_at_real_answers() {
    let cases = [
        (
            json!({ "field": "heard_about", "equals": "other" }),
            "sections[1].fields[2].show_when.field: `heard_about` must be asked before this field",
        ),
        (
            json!({ "field": "nothing", "equals": "x" }),
            "sections[1].fields[2].show_when.field: there is no field `nothing`",
        ),
        (
            json!({ "field": "safe_call_times", "equals": "x" }),
            "sections[1].fields[2].show_when.field: a field cannot depend on itself",
        ),
        (
            json!({ "field": "preferred_contact", "equals": "fax" }),
            "sections[1].fields[2].show_when.equals: `fax` is not an option of `preferred_contact` (email, phone, post)",
        ),
        (
            json!({ "field": "preferred_contact", "equals": true }),
            "sections[1].fields[2].show_when.equals: `preferred_contact` is not a checkbox",
        ),
        (
            json!({ "field": "party_name", "equals": "x" }),
            "sections[1].fields[2].show_when.field: `party_name` must be asked before this field",
        ),
    ];
    for (condition, expected) in cases {
        let mut value = template_value();
        value["sections"][1]["fields"][2]["show_when"] = condition;
        let problem = only_problem(&value);
        assert!(
            problem.starts_with(expected),
            "{problem}\nexpected: {expected}"
        );
    }
}

#[test]
fn a_group_question_may_watch_an_earlier_question_or_its_own_group() {
    let schema = test_support::all_kinds();
    assert!(schema
        .field("party_role_other")
        .unwrap()
        .field
        .show_when
        .is_some());
    assert!(schema
        .field("party_phone")
        .unwrap()
        .field
        .show_when
        .is_some());

    let mut value = template_value();
    value["sections"][3]["fields"][0]["fields"][0]["show_when"] =
        json!({ "field": "party_role", "equals": "other" });
    assert!(only_problem(&value)
        .starts_with("sections[3].fields[0].fields[0].show_when.field: `party_role` must be"));

    let mut value = template_value();
    value["sections"][3]["fields"][0]["show_when"] =
        json!({ "field": "other_parties", "equals": "x" });
    assert!(only_problem(&value).contains("cannot depend on itself"));
}

#[test]
fn kind_constraints_are_checked() {
    let field = |section: usize, index: usize, member: &str, value: Value| {
        let mut schema = template_value();
        schema["sections"][section]["fields"][index][member] = value;
        only_problem(&schema)
    };
    assert_eq!(
        field(2, 7, "max", json!(-1)),
        "sections[2].fields[7].max: must not be less than `min`"
    );
    assert_eq!(
        field(0, 0, "max_length", json!(0)),
        "sections[0].fields[0].max_length: must be at least 1"
    );
    assert_eq!(
        field(0, 4, "not_after", json!("1899-12-31")),
        "sections[0].fields[4].not_after: must not be before `not_before`"
    );
    assert_eq!(
        field(2, 0, "options", json!([])),
        "sections[2].fields[0].options: add at least one option"
    );
    assert_eq!(
        field(
            1,
            1,
            "options",
            json!([{ "value": "a", "label": "A" }, { "value": "a", "label": "B" }])
        ),
        "sections[1].fields[1].options[1].value: `a` is used twice"
    );
    assert_eq!(
        field(5, 0, "accept", json!(["application/pdf", ".docx"])),
        "sections[5].fields[0].accept[1]: expected a lower-case media type, like application/pdf or image/*"
    );
    assert_eq!(
        field(5, 0, "max_count", json!(6)),
        "sections[5].fields[0].max_count: must not be more than `limits.max_files`"
    );
    assert_eq!(
        field(5, 0, "max_size", json!(30_000_000)),
        "sections[5].fields[0].max_size: must not be more than `limits.max_total_attachment_bytes`"
    );
    assert_eq!(
        field(3, 0, "min_rows", json!(11)),
        "sections[3].fields[0].min_rows: must not be more than `max_rows`"
    );
    assert_eq!(
        field(0, 0, "purpose", json!(" ")),
        "sections[0].fields[0].purpose: must not be empty"
    );
}

#[test]
fn dates_in_constraints_must_be_real() {
    let mut value = template_value();
    value["sections"][0]["fields"][4]["not_before"] = json!("1900-02-30");
    let (path, message) = json_error(&value);
    assert_eq!(path, "sections[0].fields[4].not_before");
    assert!(message.starts_with("expected a real date"), "{message}");
}

#[test]
fn groups_do_not_nest_or_hold_files() {
    let mut value = template_value();
    let file = value["sections"][5]["fields"][0].clone();
    value["sections"][3]["fields"][0]["fields"][2] = file;
    value["sections"][5]["fields"][0]["id"] = json!("other_upload");
    assert_eq!(
        only_problem(&value),
        "sections[3].fields[0].fields[2].kind: file fields cannot be inside a group"
    );

    let mut value = template_value();
    let mut inner = value["sections"][3]["fields"][0].clone();
    inner["id"] = json!("inner");
    for (k, sub) in inner["fields"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        sub["id"] = json!(format!("inner_{k}"));
    }
    inner["fields"][2]["show_when"]["field"] = json!("inner_1");
    value["sections"][3]["fields"][0]["fields"][2] = inner;
    assert_eq!(
        only_problem(&value),
        "sections[3].fields[0].fields[2].kind: groups cannot be nested inside groups"
    );
}

#[test]
fn special_category_data_needs_a_conditional_consent() {
    let mut value = template_value();
    value["consents"][1]["required"] = json!(true);
    assert_eq!(
        only_problem(&value),
        "consents: `practice_area` can give special category data, so one consent must have \"required\": \
         \"when_special_category\""
    );

    // Without any special category question, a conditional consent would never be asked for.
    let mut value = template_value();
    value["sections"][2]["fields"][0]["options"][6]
        .as_object_mut()
        .unwrap()
        .remove("category");
    value["sections"][2]["fields"][2]["options"][0]
        .as_object_mut()
        .unwrap()
        .remove("category");
    value["sections"][2]["fields"][3]["category"] = json!("case");
    assert!(only_problem(&value)
        .starts_with("consents[1].required: no field collects special category data"));
}

#[test]
fn top_level_values_are_checked() {
    let cases = [
        ("/endpoint", json!("//evil.example/x"), "endpoint"),
        ("/endpoint", json!("http://example.com/api"), "endpoint"),
        ("/theme/brand_colour", json!("red;}"), "theme.brand_colour"),
        (
            "/theme/font_family",
            json!("Arial;}body{display:none"),
            "theme.font_family",
        ),
        (
            "/retention/duration",
            json!("6 years"),
            "retention.duration",
        ),
    ];
    for (pointer, bad, path) in cases {
        let mut value = template_value();
        *value.pointer_mut(pointer).unwrap() = bad;
        assert_eq!(json_error(&value).0, path);
    }
    let cases = [
        (
            "/firm/privacy_notice_url",
            json!("http://example.com/privacy"),
            "firm.privacy_notice_url: expected",
        ),
        (
            "/firm/website",
            json!("example.com"),
            "firm.website: expected",
        ),
        (
            "/firm/email",
            json!("privacy at example.com"),
            "firm.email: expected",
        ),
        ("/firm/phone", json!("call us"), "firm.phone: expected"),
        ("/firm/name", json!(""), "firm.name: must not be empty"),
        ("/language", json!("English"), "language: expected"),
        ("/jurisdiction", json!("uk"), "jurisdiction: expected"),
        ("/id", json!("Legal Intake"), "id: expected"),
        (
            "/limits/max_files",
            json!(0),
            "limits.max_files: must be at least 1",
        ),
        ("/withdrawal", json!(""), "withdrawal: must not be empty"),
        ("/sections", json!([]), "sections: add at least one section"),
    ];
    for (pointer, bad, expected) in cases {
        let mut value = template_value();
        *value.pointer_mut(pointer).unwrap() = bad;
        let problems = match parse(&value) {
            Err(SchemaError::Invalid { problems }) => problems,
            other => panic!("{pointer}: expected a problem, got {other:?}"),
        };
        assert!(
            problems
                .iter()
                .any(|problem| problem.to_string().starts_with(expected)),
            "{pointer}: {problems:?}"
        );
    }
}

#[test]
fn every_problem_is_listed_at_once() {
    let mut value = template_value();
    value["title"] = json!("");
    value["withdrawal"] = json!("");
    value["sections"][0]["fields"][0]["label"] = json!("");
    let error = parse(&value).unwrap_err();
    assert_eq!(
        error.to_string(),
        "title: must not be empty\nsections[0].fields[0].label: must not be empty\nwithdrawal: must not be empty"
    );
}

#[test]
fn the_largest_bundle_is_the_attachments_in_base64_and_room_for_the_rest() {
    let limits = Limits {
        max_total_attachment_bytes: 300_000,
        max_files: 3,
        max_text_length: 10_000,
    };
    // 300 000 bytes as base64 (4/3), 1 MiB for the answers, 32 KiB for each of the four parts.
    assert_eq!(
        limits.max_bundle_bytes(),
        400_000 + 1024 * 1024 + 4 * 32 * 1024
    );
    let template = Template::from_json(LEGAL_INTAKE_TEMPLATE.as_bytes()).unwrap();
    assert_eq!(template.schema().limits.max_bundle_bytes(), 36_197_718);
    let unbounded = Limits {
        max_total_attachment_bytes: u64::MAX,
        ..limits
    };
    // No overflow: the arithmetic saturates.
    assert!(unbounded.max_bundle_bytes() > u64::MAX / 4);
}

#[test]
fn sizes_are_written_as_govuk_writes_them() {
    assert_eq!(file_size(10 * 1024 * 1024), "10MB");
    assert_eq!(file_size(26_214_400), "25MB");
    assert_eq!(file_size(10_000_000), "9.5MB");
    assert_eq!(file_size(512 * 1024), "512KB");
    assert_eq!(file_size(900), "900 bytes");
    // A file just over a limit never shows the limit's figure; one exactly at it does.
    assert_eq!(file_size(10 * 1024 * 1024 + 1), "10MB");
    assert_eq!(picked_file_size(10 * 1024 * 1024 + 1), "10.1MB");
    assert_eq!(picked_file_size(10 * 1024 * 1024), "10MB");
    assert_eq!(picked_file_size(1025), "2KB");
    assert_eq!(picked_file_size(1024 * 1024 - 1), "1MB");
    assert_eq!(picked_file_size(900), "900 bytes");
    assert_eq!(
        file_size(Limits::default().max_total_attachment_bytes),
        "25MB"
    );
}

/// The template with a made-up Spanish translation of every text ("ES: " and the English), as JSON.
fn translated_value() -> Value {
    let mut value = template_value();
    value["translations"] = json!({});
    let schema = parse(&value).unwrap();
    let spanish: serde_json::Map<String, Value> = schema
        .texts()
        .into_iter()
        .map(|(place, text)| (place, json!(format!("ES: {text}"))))
        .collect();
    value["translations"] = json!({ "es": spanish });
    value
}

#[test]
fn a_translated_form_reads_in_each_language_it_offers() {
    let schema = parse(&translated_value()).unwrap();
    assert_eq!(schema.languages(), ["en-GB", "es"]);
    let spanish = schema.in_language("es").unwrap();
    assert_eq!(spanish.language, "es");
    assert!(spanish.translations.is_empty());
    assert!(spanish.title.starts_with("ES: "));
    // Every text is translated (each place a test of its own would repeat this), and nothing else changes.
    for ((place, english), (same_place, translated)) in schema.texts().iter().zip(spanish.texts()) {
        assert_eq!(place, &same_place);
        assert_eq!(translated, format!("ES: {english}"), "{place}");
    }
    assert_eq!(spanish.sections.len(), schema.sections.len());
    assert_eq!(spanish.recipients, schema.recipients);
    let english = schema.in_language("en-GB").unwrap();
    assert_eq!(english.title, schema.title);
    assert!(schema.in_language("ar").is_none());
    assert!(
        schema.in_language("es-MX").is_none(),
        "spelt as the form spells it"
    );
    // Texts' places name what they are: an option by its value, a group's questions like any other.
    let places: BTreeSet<String> = schema.texts().into_iter().map(|(place, _)| place).collect();
    for place in ["title", "withdrawal", "retention.text"] {
        assert!(places.contains(place), "{place}");
    }
    assert!(places
        .iter()
        .any(|p| p.contains(".options.") && p.ends_with(".label")));
    assert!(places.iter().any(|p| p.ends_with(".row_label")));
    assert!(places
        .iter()
        .any(|p| p.starts_with("consents.") && p.ends_with(".text")));
}

#[test]
fn translations_round_trip_through_serialisation() {
    let schema = parse(&translated_value()).unwrap();
    let again = FormSchema::from_json(&serde_json::to_vec(&schema).unwrap()).unwrap();
    assert_eq!(again, schema);
}

#[test]
fn a_translation_must_cover_every_text_and_only_the_forms_texts() {
    let mut value = translated_value();
    value["translations"]["es"]
        .as_object_mut()
        .unwrap()
        .remove("title");
    assert_eq!(
        only_problem(&value),
        "translations.es: has no translation of title"
    );

    let mut value = translated_value();
    value["translations"]["es"]["fields.no_such_field.label"] = json!("Nombre");
    assert!(only_problem(&value)
        .starts_with("translations.es.fields.no_such_field.label: is not a text of this form"));

    let mut value = translated_value();
    value["translations"]["es"]["title"] = json!("  ");
    assert_eq!(
        only_problem(&value),
        "translations.es.title: must not be empty"
    );
}

#[test]
fn a_translation_must_be_in_a_language_sealform_speaks_other_than_the_forms_own() {
    let rename = |to: &str| {
        let mut value = translated_value();
        let spanish = value["translations"]["es"].take();
        value["translations"] = json!({ to: spanish });
        only_problem(&value)
    };
    assert!(rename("fr").starts_with("translations.fr: sealform's own words"));
    assert!(rename("en-US").starts_with("translations.en-US: is the form's own language"));
    assert!(rename("Spanish").starts_with("translations.Spanish: expected a BCP 47"));
    // Any spelling of a language sealform speaks is fine.
    let mut value = translated_value();
    let spanish = value["translations"]["es"].take();
    value["translations"] = json!({ "es-419": spanish });
    assert_eq!(parse(&value).unwrap().languages(), ["en-GB", "es-419"]);
}
