//! The answer rules' tests, one per rule and message; past 700 lines because there are that many rules.

use time::macros::date;

use super::*;
use crate::contact::{is_email, is_tel};
use crate::schema::{test_support, Condition, ConditionValue};
use crate::Sha256Digest;

const TODAY: Date = date!(2026 - 06 - 15);

fn text(value: &str) -> Answer {
    Answer::Text(value.into())
}

fn row(pairs: &[(&str, &str)]) -> BTreeMap<String, Answer> {
    pairs
        .iter()
        .map(|(field, value)| ((*field).to_owned(), text(value)))
        .collect()
}

fn file(field: &str, name: &str, media_type: &str, size: u64) -> AttachmentInfo {
    AttachmentInfo {
        field: field.into(),
        name: name.into(),
        media_type: media_type.into(),
        size,
        sha256: Sha256Digest::of(name.as_bytes()),
    }
}

/// Answers to the every-kind schema that pass: only the required questions.
fn minimal() -> (Answers, Vec<AttachmentInfo>) {
    let mut answers = Answers::default();
    answers.insert("name", text("Sam Jones"));
    answers.insert("email", text("sam@example.com"));
    answers.insert("area", text("family"));
    answers.insert("contact_by", text("email"));
    answers.insert("agree_terms", Answer::Flag(true));
    answers.insert(
        "witnesses",
        Answer::Rows(vec![row(&[("witness_name", "Ann")])]),
    );
    (answers, vec![file("photo", "me.jpg", "image/jpeg", 2_000)])
}

fn errors(answers: &Answers, attachments: &[AttachmentInfo]) -> Vec<FieldError> {
    validate(&test_support::all_kinds(), answers, attachments, TODAY)
        .err()
        .unwrap_or_default()
}

/// The one error for `field` (panics unless there is exactly one error at all).
fn only_error(answers: &Answers, attachments: &[AttachmentInfo]) -> FieldError {
    let mut errors = errors(answers, attachments);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.remove(0)
}

/// The message of the single error after setting `field` to `answer`.
fn message_for(field: &str, answer: Answer) -> (FieldErrorKind, String) {
    let (mut answers, files) = minimal();
    answers.insert(field, answer);
    let error = only_error(&answers, &files);
    assert_eq!(error.field, field);
    (error.kind, error.message)
}

#[test]
fn minimal_answers_pass() {
    let (answers, files) = minimal();
    assert_eq!(errors(&answers, &files), []);
}

#[test]
fn required_answers_are_asked_for_by_label_or_own_message() {
    let errors = errors(&Answers::default(), &[]);
    let found: Vec<(&str, FieldErrorKind, &str)> = errors
        .iter()
        .map(|error| (error.field.as_str(), error.kind, error.message.as_str()))
        .collect();
    use FieldErrorKind::Required;
    assert_eq!(
        found,
        [
            ("name", Required, "Enter full name"),
            ("email", Required, "Enter email address"),
            ("area", Required, "Select area of law"),
            ("contact_by", Required, "Select contact method"),
            ("agree_terms", Required, "Select to agree to the terms"),
            ("photo", Required, "Select photo"),
            ("witnesses", Required, "Add at least one witness"),
        ]
    );
}

#[test]
fn blank_answers_count_as_missing() {
    let (mut answers, files) = minimal();
    answers.insert("name", text("   "));
    answers.insert("agree_terms", Answer::Flag(false));
    answers.insert("witnesses", Answer::Choices(vec![]));
    let fields: Vec<String> = errors(&answers, &files)
        .into_iter()
        .map(|error| error.field)
        .collect();
    assert_eq!(fields, ["name", "agree_terms", "witnesses"]);
}

#[test]
fn required_applies_only_when_shown() {
    let (mut answers, files) = minimal();
    answers.insert("contact_by", text("phone"));
    let error = only_error(&answers, &files);
    assert_eq!(
        (error.field.as_str(), error.message.as_str()),
        ("call_times", "Enter safe times to call")
    );
    answers.insert("call_times", text("Evenings"));
    assert_eq!(errors(&answers, &files), []);
}

#[test]
fn answers_to_hidden_questions_are_reported() {
    let (mut answers, files) = minimal();
    answers.insert("call_times", text("Evenings"));
    let error = only_error(&answers, &files);
    assert_eq!(error.field, "call_times");
    assert_eq!(error.kind, FieldErrorKind::NotAsked);
    assert_eq!(
        error.message,
        "Safe times to call was not asked, so it must not have an answer"
    );

    // A blank answer to a hidden question says nothing, so it is no problem.
    answers.insert("call_times", text(""));
    assert_eq!(errors(&answers, &files), []);
}

#[test]
fn answers_to_questions_the_form_does_not_have_are_reported() {
    let (mut answers, files) = minimal();
    answers.insert("favourite_colour", text("blue"));
    // A group's question is answered inside its rows, never at the top level.
    answers.insert("party_name", text("Acme Ltd"));
    let errors = errors(&answers, &files);
    let found: Vec<(&str, FieldErrorKind)> = errors
        .iter()
        .map(|error| (error.field.as_str(), error.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("favourite_colour", FieldErrorKind::UnknownField),
            ("party_name", FieldErrorKind::UnknownField)
        ]
    );
}

#[test]
fn answers_of_the_wrong_shape_are_reported() {
    for (field, answer) in [
        ("name", Answer::Choices(vec!["Sam".into()])),
        ("agree_terms", text("yes")),
        ("area", Answer::Flag(true)),
        ("languages", text("en")),
        ("witnesses", Answer::Choices(vec!["Ann".into()])),
        ("evidence", text("file.pdf")),
    ] {
        let (kind, message) = message_for(field, answer);
        assert_eq!(kind, FieldErrorKind::WrongShape, "{field}");
        assert!(message.starts_with("The answer to "), "{message}");
    }
}

#[test]
fn text_length_is_counted_in_characters() {
    assert_eq!(
        message_for("name", text("Sam Jonesss")),
        (
            FieldErrorKind::TooLong,
            "Full name must be 10 characters or less".into()
        )
    );
    // Ten characters, more than ten bytes.
    let (answers, files) = {
        let (mut answers, files) = minimal();
        answers.insert("name", text("Zoë Ñúñez王"));
        (answers, files)
    };
    assert_eq!(errors(&answers, &files), []);
    // Without its own limit, a field uses limits.max_text_length (100 in this schema).
    assert_eq!(
        message_for("story", text(&"a".repeat(101))),
        (
            FieldErrorKind::TooLong,
            "Your story must be 100 characters or less".into()
        )
    );
}

#[test]
fn email_addresses() {
    for good in [
        "name@example.com",
        "first.last+tag@sub.example.co.uk",
        "o'brien@example.ie",
        "zoë@example.com",
        "x@xn--bcher-kva.example",
    ] {
        assert!(is_email(good), "{good}");
    }
    for bad in [
        "",
        "name",
        "name@",
        "@example.com",
        "name@example",
        "name@@example.com",
        "name@example..com",
        ".name@example.com",
        "na..me@example.com",
        "name.@example.com",
        "name@-example.com",
        "name@example.com-",
        "name@exa mple.com",
        "na me@example.com",
        "name@example.123",
        "<name@example.com>",
        "name@example.com\n",
    ] {
        assert!(!is_email(bad), "{bad:?}");
    }
    assert!(!is_email(&format!("{}@example.com", "a".repeat(65))));
    assert_eq!(
        message_for("email", text("sam at example.com")),
        (
            FieldErrorKind::InvalidEmail,
            "Enter an email address in the correct format, like name@example.com".into()
        )
    );
}

#[test]
fn telephone_numbers() {
    for good in [
        "01632 960 001",
        "+44 7700 900 982",
        "(01632) 960-001",
        "07700900982",
        "+1 202.555.0143",
    ] {
        assert!(is_tel(good), "{good}");
    }
    for bad in [
        "",
        "12345",
        "call me",
        "01632 960 001 ext 4",
        "++44 7700 900 982",
        "0044 7700 900 982 123 45",
        "7700+900",
    ] {
        assert!(!is_tel(bad), "{bad}");
    }
    assert_eq!(
        message_for("phone", text("phone me")),
        (
            FieldErrorKind::InvalidTel,
            "Enter a telephone number, like 01632 960 001 or +44 7700 900 982".into()
        )
    );
}

#[test]
fn dates() {
    use FieldErrorKind::{DateOutOfRange, InvalidDate};
    let cases = [
        (
            "dob",
            "2026-02-30",
            InvalidDate,
            "Date of birth must be a real date",
        ),
        (
            "dob",
            "15/06/1990",
            InvalidDate,
            "Date of birth must be a real date",
        ),
        (
            "dob",
            "2026-06-15",
            DateOutOfRange,
            "Date of birth must be in the past",
        ),
        (
            "dob",
            "1899-12-31",
            DateOutOfRange,
            "Date of birth must be the same as or after 1 January 1900",
        ),
        (
            "hearing",
            "2026-06-14",
            DateOutOfRange,
            "Hearing date must be today or in the future",
        ),
        (
            "hearing",
            "2031-01-01",
            DateOutOfRange,
            "Hearing date must be the same as or before 31 December 2030",
        ),
    ];
    for (field, answer, kind, message) in cases {
        assert_eq!(
            message_for(field, text(answer)),
            (kind, message.into()),
            "{field} {answer}"
        );
    }
    let (mut answers, files) = minimal();
    answers.insert("dob", text("1990-06-15"));
    answers.insert("hearing", text("2026-06-15"));
    assert_eq!(errors(&answers, &files), []);
}

#[test]
fn numbers() {
    use FieldErrorKind::{NotANumber, NotWholeNumber, NumberOutOfRange};
    let cases = [
        ("amount", "twelve", NotANumber, "Amount must be a number"),
        ("amount", "1e5", NotANumber, "Amount must be a number"),
        ("amount", "NaN", NotANumber, "Amount must be a number"),
        ("amount", "1,00", NotANumber, "Amount must be a number"),
        ("amount", "£12", NotANumber, "Amount must be a number"),
        (
            "amount",
            "-5",
            NumberOutOfRange,
            "Amount must be between 0 and 1000000",
        ),
        (
            "amount",
            "1,000,000.01",
            NumberOutOfRange,
            "Amount must be between 0 and 1000000",
        ),
        (
            "children",
            "2.5",
            NotWholeNumber,
            "Number of children must be a whole number",
        ),
        (
            "children",
            "-1",
            NumberOutOfRange,
            "Number of children must be 0 or more",
        ),
    ];
    for (field, answer, kind, message) in cases {
        assert_eq!(
            message_for(field, text(answer)),
            (kind, message.into()),
            "{field} {answer}"
        );
    }
    for good in ["0", "12,500", "12500.50", "1,000,000", " 42 "] {
        let (mut answers, files) = minimal();
        answers.insert("amount", text(good));
        assert_eq!(errors(&answers, &files), [], "{good}");
    }
    assert_eq!(parse_number("-1,234.5"), Some((-1234.5, false)));
    assert_eq!(parse_number("1234,567"), None);
    assert_eq!(parse_number("1."), None);
    assert_eq!(parse_number(".5"), None);
    assert_eq!(parse_number(&"9".repeat(400)), None);
}

#[test]
fn choices_must_be_options() {
    let (kind, message) = message_for("area", text("tax"));
    assert_eq!(
        (kind, message.as_str()),
        (
            FieldErrorKind::UnknownOption,
            "Select area of law from the options given"
        )
    );
    let choices =
        |values: &[&str]| Answer::Choices(values.iter().map(|value| (*value).to_owned()).collect());
    assert_eq!(
        message_for("languages", choices(&["en", "xx"])).0,
        FieldErrorKind::UnknownOption
    );
    assert_eq!(
        message_for("languages", choices(&["en", "en"])).0,
        FieldErrorKind::UnknownOption
    );
    assert_eq!(
        message_for("languages", choices(&["en"])),
        (
            FieldErrorKind::TooFewSelected,
            "Select at least 2 options for languages you speak".into()
        )
    );
    assert_eq!(
        message_for("languages", choices(&["en", "cy", "pl", "ur"])),
        (
            FieldErrorKind::TooManySelected,
            "Select no more than 3 options for languages you speak".into()
        )
    );
    let (mut answers, files) = minimal();
    answers.insert("languages", choices(&["en", "cy"]));
    assert_eq!(errors(&answers, &files), []);
}

#[test]
fn group_row_counts() {
    let parties = |rows: usize| {
        Answer::Rows(
            (0..rows)
                .map(|_| row(&[("party_name", "Acme Ltd"), ("party_role", "employer")]))
                .collect(),
        )
    };
    assert_eq!(
        message_for("parties", parties(1)),
        (
            FieldErrorKind::TooFewRows,
            "Add at least 2 entries to other parties".into()
        )
    );
    assert_eq!(
        message_for("parties", parties(4)),
        (
            FieldErrorKind::TooManyRows,
            "Other parties must have 3 entries or fewer".into()
        )
    );
    let (mut answers, files) = minimal();
    answers.insert("parties", parties(2));
    assert_eq!(errors(&answers, &files), []);
    // No rows at all is fine for an optional group, whatever its min_rows.
    answers.insert("parties", Answer::Choices(vec![]));
    assert_eq!(errors(&answers, &files), []);
}

#[test]
fn group_rows_are_validated_question_by_question() {
    let (mut answers, files) = minimal();
    answers.insert(
        "parties",
        Answer::Rows(vec![
            row(&[
                ("party_name", "A very long company name Ltd"),
                ("party_role", "employer"),
            ]),
            row(&[("party_role", "other")]),
            row(&[
                ("party_name", "Bea"),
                ("party_role", "employer"),
                ("party_role_other", "Agent"),
                ("nickname", "B"),
            ]),
        ]),
    );
    let errors = errors(&answers, &files);
    let found: Vec<(&str, FieldErrorKind, &str)> = errors
        .iter()
        .map(|error| (error.field.as_str(), error.kind, error.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "parties[1].party_name",
                FieldErrorKind::TooLong,
                "Name for other party 1 must be 20 characters or less"
            ),
            (
                "parties[2].party_name",
                FieldErrorKind::Required,
                "Enter name for other party 2"
            ),
            (
                "parties[2].party_role_other",
                FieldErrorKind::Required,
                "Enter other role for other party 2"
            ),
            (
                "parties[3].party_role_other",
                FieldErrorKind::NotAsked,
                "Other role for other party 3 was not asked, so it must not have an answer"
            ),
            (
                "parties[3].nickname",
                FieldErrorKind::UnknownField,
                "The form has no question \"nickname\" in other party"
            ),
        ]
    );
    // Rows count from 1 in keys as in messages, as the firm reads them in `sealform open`'s summary and export.
    assert_eq!(row_key("parties", 0, "party_name"), "parties[1].party_name");
}

#[test]
fn rows_of_a_hidden_group_are_not_asked() {
    let mut schema = test_support::all_kinds();
    schema.sections[2].fields[2].show_when = Some(Condition {
        field: "contact_by".into(),
        equals: ConditionValue::Text("phone".into()),
    });
    let (mut answers, files) = minimal();
    answers.insert(
        "parties",
        Answer::Rows(vec![row(&[("party_name", "Acme")])]),
    );
    let errors = validate(&schema, &answers, &files, TODAY).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].field.as_str(), errors[0].kind),
        ("parties", FieldErrorKind::NotAsked)
    );
}

#[test]
fn files_are_checked_against_their_field() {
    let (answers, _) = minimal();
    let photo =
        |name: &str, media_type: &str, size: u64| vec![file("photo", name, media_type, size)];
    let one = |files: Vec<AttachmentInfo>| {
        let error = only_error(&answers, &files);
        (error.field, error.kind, error.message)
    };
    use FieldErrorKind::{EmptyFile, FileTooLarge, FileTypeNotAccepted, TooManyFiles};
    assert_eq!(
        one(photo("me.gif", "image/gif", 10)),
        (
            "photo".into(),
            FileTypeNotAccepted,
            "The selected file must be a JPG or PNG".into()
        )
    );
    assert_eq!(
        one(photo("me.jpg", "image/jpeg", 0)),
        (
            "photo".into(),
            EmptyFile,
            "The selected file is empty".into()
        )
    );
    assert_eq!(
        one(photo("me.jpg", "image/jpeg", 2_097_153)),
        (
            "photo".into(),
            FileTooLarge,
            "The selected file must be smaller than 2MB".into()
        )
    );
    let two_photos = [
        photo("a.jpg", "image/jpeg", 1),
        photo("b.jpg", "image/jpeg", 1),
    ]
    .concat();
    assert_eq!(
        one(two_photos),
        (
            "photo".into(),
            TooManyFiles,
            "You can only select 1 file".into()
        )
    );

    // With several files allowed, the message names the file.
    let with_evidence =
        |evidence: Vec<AttachmentInfo>| [photo("me.jpg", "image/jpeg", 10), evidence].concat();
    assert_eq!(
        one(with_evidence(vec![file(
            "evidence",
            "virus.exe",
            "application/x-msdownload",
            10
        )])),
        (
            "evidence".into(),
            FileTypeNotAccepted,
            "virus.exe must be a PDF or image".into()
        )
    );
    assert_eq!(
        one(with_evidence(vec![file(
            "evidence",
            "big.pdf",
            "application/pdf",
            1_048_577
        )])),
        (
            "evidence".into(),
            FileTooLarge,
            "big.pdf must be smaller than 1MB".into()
        )
    );
    assert_eq!(
        one(with_evidence(vec![
            file("evidence", "a.pdf", "application/pdf", 1),
            file("evidence", "b.pdf", "application/pdf", 1),
            file("evidence", "c.pdf", "application/pdf", 1),
        ])),
        (
            "evidence".into(),
            TooManyFiles,
            "You can only select up to 2 files".into()
        )
    );
    // Media types are compared without parameters or case; image/* takes any image.
    let fine = with_evidence(vec![
        file("evidence", "scan.PDF", "Application/PDF; name=scan.PDF", 10),
        file("evidence", "photo.webp", "image/webp", 10),
    ]);
    assert_eq!(errors(&answers, &fine), []);
}

#[test]
fn limits_on_all_files_together() {
    let (answers, _) = minimal();
    // Each file is within its field's limit; together they are over the form's 2 MiB.
    let files = vec![
        file("photo", "me.jpg", "image/jpeg", 1_000_000),
        file("evidence", "a.pdf", "application/pdf", 1_000_000),
        file("evidence", "b.pdf", "application/pdf", 1_000_000),
    ];
    let error = only_error(&answers, &files);
    assert_eq!(
        (error.field.as_str(), error.kind, error.message.as_str()),
        (
            "evidence",
            FieldErrorKind::FileTooLarge,
            "The selected files must be smaller than 2MB in total"
        )
    );

    let mut schema = test_support::all_kinds();
    schema.limits.max_files = 2;
    let files = vec![
        file("photo", "me.jpg", "image/jpeg", 10),
        file("evidence", "a.pdf", "application/pdf", 10),
        file("evidence", "b.pdf", "application/pdf", 10),
    ];
    let errors = validate(&schema, &answers, &files, TODAY).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message,
        "You can only select up to 2 files in total"
    );
}

#[test]
fn files_for_fields_that_are_not_file_uploads_are_reported() {
    let mut schema = test_support::all_kinds();
    schema.limits.max_files = 10;
    let (answers, mut files) = minimal();
    files.push(file("name", "x.pdf", "application/pdf", 1));
    files.push(file("nowhere", "y.pdf", "application/pdf", 1));
    files.push(file("nowhere", "z.pdf", "application/pdf", 1));
    let errors = validate(&schema, &answers, &files, TODAY).unwrap_err();
    let found: Vec<(&str, FieldErrorKind)> = errors
        .iter()
        .map(|error| (error.field.as_str(), error.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("name", FieldErrorKind::UnknownField),
            ("nowhere", FieldErrorKind::UnknownField)
        ]
    );
}

#[test]
fn files_for_a_hidden_upload_are_reported() {
    let mut schema = test_support::all_kinds();
    schema.sections[2].fields[0].show_when = Some(Condition {
        field: "contact_by".into(),
        equals: ConditionValue::Text("phone".into()),
    });
    let (answers, mut files) = minimal();
    files.push(file("evidence", "a.pdf", "application/pdf", 10));
    let errors = validate(&schema, &answers, &files, TODAY).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].field.as_str(), errors[0].kind),
        ("evidence", FieldErrorKind::NotAsked)
    );
}

#[test]
fn a_full_answer_to_the_shipped_template_passes() {
    let schema = test_support::legal_intake();
    let mut answers = Answers::default();
    for (field, value) in [
        ("full_name", "Sam Jones"),
        ("email", "sam@example.com"),
        ("phone", "07700 900 982"),
        ("date_of_birth", "1985-03-27"),
        ("preferred_contact", "phone"),
        ("safe_voicemail", "no"),
        ("safe_call_times", "Weekdays after 6pm"),
        ("safe_email", "yes"),
        ("practice_area", "employment"),
        (
            "description",
            "I was dismissed after asking for adjustments.",
        ),
        ("special_category_involved", "yes"),
        (
            "special_category_details",
            "I have a long-term health condition.",
        ),
        ("has_deadline", "yes"),
        ("deadline_date", "2026-07-01"),
        ("deadline_details", "Tribunal claim deadline"),
        ("estimated_value", "12,500"),
        ("heard_about", "other"),
        ("heard_about_other", "A friend's blog"),
    ] {
        answers.insert(field, text(value));
    }
    answers.insert(
        "other_parties",
        Answer::Rows(vec![row(&[
            ("party_name", "Acme Widgets Ltd"),
            ("party_role", "employer"),
        ])]),
    );
    let files = [file(
        "documents_upload",
        "dismissal-letter.pdf",
        "application/pdf",
        250_000,
    )];
    assert_eq!(validate(&schema, &answers, &files, TODAY), Ok(()));

    let wrong_type = [file(
        "documents_upload",
        "notes.odt",
        "application/vnd.oasis.opendocument.text",
        10,
    )];
    let errors = validate(&schema, &answers, &wrong_type, TODAY).unwrap_err();
    assert_eq!(
        errors[0].message,
        "notes.odt must be a PDF, JPG, PNG, DOCX or TXT"
    );
}

#[test]
fn message_helpers() {
    assert_eq!(lower_first("Full name"), "full name");
    assert_eq!(lower_first("UK address"), "UK address");
    assert_eq!(lower_first("I agree"), "I agree");
    assert_eq!(lower_first("Énergie"), "énergie");
    assert_eq!(lower_first(""), "");
    let english = i18n::texts("en");
    let list = |types: &[&str]| {
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        file_type_message(english, "It", &types)
    };
    assert_eq!(
        list(&["application/pdf", "image/jpeg", "image/png"]),
        "It must be a PDF, JPG or PNG"
    );
    assert_eq!(list(&["image/*"]), "It must be an image");
    assert_eq!(list(&["application/rtf"]), "It must be an RTF");
    assert_eq!(
        list(&["application/x-bar", "application/x-bar"]),
        "It must be a BAR"
    );
    assert_eq!(
        long_date(english, date!(2030 - 12 - 31)),
        "31 December 2030"
    );
    assert_eq!(
        long_date(i18n::texts("es"), date!(2030 - 12 - 31)),
        "31 de diciembre de 2030"
    );
    let spanish_types = ["application/pdf".to_owned(), "image/png".to_owned()];
    assert_eq!(
        file_type_message(i18n::texts("es"), "El archivo", &spanish_types),
        "El archivo debe ser un archivo PDF o PNG"
    );
    let error = FieldError {
        field: "email".into(),
        kind: FieldErrorKind::InvalidEmail,
        message: "Enter an email address".into(),
    };
    assert_eq!(error.to_string(), "email: Enter an email address");
}

#[test]
fn messages_are_in_the_language_the_form_is_shown_in() {
    let (mut answers, files) = minimal();
    answers.0.remove("email");
    answers.insert("name", text(&"x".repeat(100_000)));
    let in_language = |language: &str| {
        let mut schema = test_support::all_kinds();
        schema.language = language.to_owned();
        let errors = validate(&schema, &answers, &files, TODAY).unwrap_err();
        errors.into_iter().map(|e| e.message).collect::<Vec<_>>()
    };
    let english = in_language("en-GB");
    let spanish = in_language("es");
    let arabic = in_language("ar");
    assert_eq!(english.len(), 2);
    assert!(english[1].starts_with("Enter "), "{english:?}");
    assert!(spanish[0].contains(" caracteres o menos"), "{spanish:?}");
    assert!(spanish[1].starts_with("Introduzca "), "{spanish:?}");
    assert!(arabic[1].starts_with("أدخل "), "{arabic:?}");
    // A language sealform has no texts for reads in English rather than as message ids.
    assert_eq!(in_language("cy"), english);
}
