use super::*;
use crate::test_keys;
use crate::test_support::{sample_attachments, sample_submission, sample_submission_with};

fn recipients() -> Vec<Recipient> {
    vec![
        test_keys::firm().recipient().clone(),
        test_keys::backup().recipient().clone(),
    ]
}

#[test]
fn seal_then_open_gives_back_everything() {
    let attachments = sample_attachments();
    let submission = sample_submission_with(&attachments);
    let sealed = seal(&recipients(), &submission, &attachments).unwrap();
    assert_eq!(sealed.receipt, ReceiptId::of(&sealed.bytes));
    for identity in [test_keys::firm(), test_keys::backup()] {
        let opened = open(&[identity], &sealed.bytes).unwrap();
        assert_eq!(opened.receipt, sealed.receipt);
        assert_eq!(opened.attachments, attachments);
        assert_eq!(opened.submission, submission);
    }
}

#[test]
fn the_bundle_is_the_plain_serialisation() {
    let recipients = recipients();
    let attachments = sample_attachments();
    let part = |bytes: &[u8]| seal_part(&recipients, bytes, &mut OsRng).unwrap();
    let submission_part = part(b"{\"version\":1}");
    let mut attachment_parts: Vec<Jwe> = attachments.iter().map(|a| part(&a.bytes)).collect();
    attachment_parts.push(part(&[7u8; 1000]));
    // The plain serde_json serialisation the format is specified by.
    let expected = serde_json::to_vec(&BundleDocument {
        version: BUNDLE_VERSION,
        submission: submission_part.clone(),
        attachments: attachment_parts.clone(),
    })
    .unwrap();
    let sealed = assemble(&submission_part, &attachment_parts);
    assert_eq!(sealed.bytes, expected);
    assert_eq!(
        sealed.receipt,
        ReceiptId::from_digest(Sha256Digest::of(&expected))
    );
}

#[test]
fn the_frame_with_its_ciphertexts_gives_exactly_the_bundle() {
    let recipients = recipients();
    let part = |bytes: &[u8]| seal_part(&recipients, bytes, &mut OsRng).unwrap();
    let submission_part = part(b"{\"version\":1}");
    let attachment_parts = vec![part(&[1u8; 1]), part(&[2u8; 2]), part(&[3u8; 300])];
    let expected = assemble(&submission_part, &attachment_parts).bytes;

    let frame = BundleFrame::new(&submission_part, &attachment_parts);
    let ciphertexts: Vec<Vec<u8>> = std::iter::once(&submission_part)
        .chain(&attachment_parts)
        .map(|part| part.ciphertext().to_vec())
        .collect();
    assert_eq!(frame.texts().len(), ciphertexts.len() + 1);
    assert_eq!(
        frame.bundle_len(ciphertexts.iter().map(Vec::len)),
        expected.len()
    );
    for slice in [3_usize, 6, 297, 300, 3 << 20] {
        assert!(slice.is_multiple_of(CIPHERTEXT_SLICE_MULTIPLE));
        let mut joined = frame.texts()[0].clone().into_bytes();
        for (ciphertext, text) in ciphertexts.iter().zip(&frame.texts()[1..]) {
            for piece in ciphertext.chunks(slice) {
                encode_ciphertext(piece, &mut joined);
            }
            joined.extend_from_slice(text.as_bytes());
        }
        assert_eq!(joined, expected, "slices of {slice}");
    }

    // Parts whose ciphertext is held elsewhere (finished with an empty one) frame identically.
    let detached = |jwe: &Jwe| {
        let mut value: serde_json::Value = serde_json::from_slice(&jwe.to_json()).unwrap();
        value["ciphertext"] = "".into();
        Jwe::from_json(value.to_string().as_bytes()).unwrap()
    };
    let attachments: Vec<Jwe> = attachment_parts.iter().map(detached).collect();
    assert_eq!(
        BundleFrame::new(&detached(&submission_part), &attachments),
        frame
    );
}

#[test]
fn receipt_forms() {
    let receipt = ReceiptId::of(b"abc");
    assert_eq!(
        receipt.full(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(receipt.short(), "XJ4B-NP4P-AHH6-UQKB");
    assert!(receipt.matches_short("xj4b np4p ahh6 uqkb"));
    assert!(!receipt.matches_short("XJ4B-NP4P-AHH6-UQKC"));
    assert_eq!(receipt.full().parse::<ReceiptId>().unwrap(), receipt);
}

#[test]
fn inspect_shows_only_what_is_public() {
    let sealed = seal(
        &recipients(),
        &sample_submission_with(&sample_attachments()),
        &sample_attachments(),
    )
    .unwrap();
    let seen = inspect(&sealed.bytes).unwrap();
    assert_eq!(seen.receipt, sealed.receipt);
    assert_eq!(seen.version, BUNDLE_VERSION);
    assert_eq!(
        seen.recipients,
        vec![
            test_keys::firm().kid().clone(),
            test_keys::backup().kid().clone()
        ]
    );
    assert_eq!(seen.attachment_lens, vec![21, 3000]);
    // Both test keys are RSA-2048.
    let mut wrapped: Vec<(Kid, usize)> = recipients()
        .iter()
        .map(|r| (r.kid().clone(), r.modulus_len()))
        .collect();
    wrapped.sort();
    assert_eq!(seen.wrapped_key_lens, wrapped);
    assert!(wrapped.iter().all(|(_, len)| *len == 256));
    assert!(seen.canonical_headers);
}

/// `json` with the first character after the first `after` written as a JSON `\u` escape instead.
fn escape_after(json: &str, after: &str) -> String {
    let at = json.find(after).expect("the text to escape after") + after.len();
    let c = json[at..].chars().next().expect("a character to escape");
    format!(
        "{}\\u{:04x}{}",
        &json[..at],
        c as u32,
        &json[at + c.len_utf8()..]
    )
}

#[test]
fn each_string_has_one_accepted_spelling() {
    let sealed = seal(
        &recipients(),
        &sample_submission_with(&sample_attachments()),
        &sample_attachments(),
    )
    .unwrap();
    let json = String::from_utf8(sealed.bytes).unwrap();
    // The same sealing with one character escaped: each would be another receipt for it.
    for (after, path) in [
        (r#""ciphertext":""#, "submission.ciphertext"),
        (r#""iv":""#, "submission.iv"),
        (r#""tag":""#, "submission.tag"),
        (r#""protected":""#, "submission.protected"),
        (
            r#""encrypted_key":""#,
            "submission.recipients[0].encrypted_key",
        ),
        (r#""kid":""#, "submission.recipients[0].header.kid"),
    ] {
        let error = inspect(escape_after(&json, after).as_bytes()).unwrap_err();
        let OpenError::Malformed {
            path: found,
            problem,
        } = error
        else {
            panic!("{after}: {error}");
        };
        assert_eq!(found, path);
        assert!(problem.contains("JSON escape"), "{after}: {problem}");
    }
    // Names and the algorithm are no base64url, but the same holds for them.
    for after in [r#"{""#, r#""alg":""#, r#"",""#] {
        let error = inspect(escape_after(&json, after).as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("JSON escape"),
            "{after}: {error}"
        );
    }
    // A line break or a space inside the base64url, escaped or not, is no base64url character either.
    for inside in ["\\n", "\\r\\n", " ", "\\t"] {
        let broken = json.replacen(
            r#""ciphertext":""#,
            &format!(r#""ciphertext":"{inside}"#),
            1,
        );
        let error = inspect(broken.as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("base64url"),
            "{inside:?}: {error}"
        );
    }
}

#[test]
fn every_spelling_of_one_sealing_has_its_content_id() {
    let sealed = seal(
        &recipients(),
        &sample_submission_with(&sample_attachments()),
        &sample_attachments(),
    )
    .unwrap();
    let first = inspect(&sealed.bytes).unwrap();
    let json = String::from_utf8(sealed.bytes.clone()).unwrap();
    // What another JOSE library may write: whitespace around and between tokens, other member orders.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let spellings = [
        format!(" {json}\n"),
        serde_json::to_string_pretty(&value).unwrap(),
        json.replacen(r#"{"version":1,"#, r#"{ "version" : 1 , "#, 1),
        json.replacen(r#"{"version":1,"submission":"#, r#"{"submission":"#, 1)
            .replacen(
                r#"},"attachments":["#,
                r#"},"version":1,"attachments":["#,
                1,
            ),
    ];
    for spelling in &spellings {
        let seen = inspect(spelling.as_bytes()).unwrap();
        assert_ne!(seen.receipt, first.receipt, "{spelling:.60}");
        assert_eq!(seen.content, first.content, "{spelling:.60}");
    }
    // As sealform writes a bundle, its content id is its receipt's digest.
    assert_eq!(first.content.digest(), first.receipt.digest());
    // A new sealing of the very same answers is another submission.
    let again = seal(
        &recipients(),
        &sample_submission_with(&sample_attachments()),
        &sample_attachments(),
    )
    .unwrap();
    assert_ne!(inspect(&again.bytes).unwrap().content, first.content);
    // So is the same sealing with any value changed, even where no key can tell (a wrapped key, an
    // attachment part): a copy altered on the way must not take the place of the client's own.
    for pointer in [
        "/submission/recipients/0/encrypted_key",
        "/attachments/1/ciphertext",
        "/attachments/0/tag",
    ] {
        let mut altered = value.clone();
        let text = altered
            .pointer(pointer)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        let mut bytes = base64url::decode(&text).unwrap();
        bytes[0] ^= 1;
        *altered.pointer_mut(pointer).unwrap() = base64url::encode(&bytes).into();
        let altered = inspect(&serde_json::to_vec(&altered).unwrap()).unwrap();
        assert_ne!(altered.content, first.content, "{pointer}");
    }
}

#[test]
fn inspect_shows_wrapped_key_lengths_and_headers_of_every_part() {
    let sealed = seal(
        &recipients(),
        &sample_submission_with(&sample_attachments()),
        &sample_attachments(),
    )
    .unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&sealed.bytes).unwrap();
    let firm = test_keys::firm().kid().clone();
    // Only the last attachment is changed: a short wrapped key and a header with a space.
    let last = &mut value["attachments"][1];
    last["recipients"][0]["encrypted_key"] = base64url::encode(&[1; 255]).into();
    last["protected"] = base64url::encode(br#"{"enc":"A256GCM" }"#).into();
    let seen = inspect(&serde_json::to_vec(&value).unwrap()).unwrap();
    assert!(seen.wrapped_key_lens.contains(&(firm.clone(), 255)));
    assert!(seen.wrapped_key_lens.contains(&(firm, 256)));
    assert_eq!(seen.wrapped_key_lens.len(), 3);
    assert!(!seen.canonical_headers);
}

#[test]
fn a_stranger_is_told_who_it_is_for() {
    let sealed = seal(&recipients(), &sample_submission(), &[]).unwrap();
    let error = open(&[test_keys::stranger()], &sealed.bytes).unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("not sealed for this key (sealed for: "),
        "{text}"
    );
    assert!(text.contains(test_keys::firm().kid().as_str()), "{text}");
    assert!(
        text.contains(test_keys::stranger().kid().as_str()),
        "{text}"
    );
}

#[test]
fn newer_versions_are_named() {
    let sealed = seal(&recipients(), &sample_submission(), &[]).unwrap();
    let newer = String::from_utf8(sealed.bytes).unwrap().replacen(
        r#"{"version":1,"#,
        r#"{"version":2,"#,
        1,
    );
    assert!(matches!(
        open(&[test_keys::firm()], newer.as_bytes()),
        Err(OpenError::UnsupportedVersion { found }) if found == "2"
    ));
}

#[test]
fn swapped_dropped_and_foreign_attachments_are_caught() {
    let firm = test_keys::firm();
    let attachments = sample_attachments();
    let submission = sample_submission_with(&attachments);
    let sealed = seal(&recipients(), &submission, &attachments).unwrap();
    let mut document: serde_json::Value = serde_json::from_slice(&sealed.bytes).unwrap();
    let parts = document["attachments"].as_array().unwrap().clone();

    document["attachments"] = serde_json::json!([parts[1], parts[0]]);
    let swapped = document.to_string();
    assert!(matches!(
        open(std::slice::from_ref(&firm), swapped.as_bytes()),
        Err(OpenError::AttachmentAltered { index: 0, .. })
    ));

    document["attachments"] = serde_json::json!([parts[0]]);
    let dropped = document.to_string();
    assert!(matches!(
        open(std::slice::from_ref(&firm), dropped.as_bytes()),
        Err(OpenError::AttachmentCount {
            listed: 2,
            carried: 1
        })
    ));

    // A part from another submission, sealed to the same keys, with other content.
    let other_files = [Attachment {
        bytes: b"other".to_vec(),
        ..attachments[0].clone()
    }];
    let other = seal(
        &recipients(),
        &sample_submission_with(&other_files),
        &other_files,
    )
    .unwrap();
    let other: serde_json::Value = serde_json::from_slice(&other.bytes).unwrap();
    document["attachments"] = serde_json::json!([other["attachments"][0], parts[1]]);
    assert!(matches!(
        open(std::slice::from_ref(&firm), document.to_string().as_bytes()),
        Err(OpenError::AttachmentAltered { index: 0, .. })
    ));

    // A part sealed to other keys.
    let foreign = seal(
        &[test_keys::stranger().recipient().clone()],
        &submission,
        &attachments,
    )
    .unwrap();
    let foreign: serde_json::Value = serde_json::from_slice(&foreign.bytes).unwrap();
    document["attachments"] = serde_json::json!([foreign["attachments"][0], parts[1]]);
    match open(std::slice::from_ref(&firm), document.to_string().as_bytes()) {
        Err(OpenError::Malformed { path, .. }) => assert_eq!(path, "attachments[0].recipients"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_submission_listing_other_attachments_is_refused() {
    let attachments = sample_attachments();
    // Listed none, one too few, one of another size, and one renamed: each refused before anything is sealed.
    let mut renamed = sample_submission_with(&attachments);
    renamed.attachments[1].name = "other.pdf".into();
    for submission in [
        sample_submission(),
        sample_submission_with(&attachments[..1]),
        sample_submission_with(&[
            Attachment {
                bytes: vec![0; 3],
                ..attachments[0].clone()
            },
            attachments[1].clone(),
        ]),
        renamed,
    ] {
        assert!(matches!(
            seal(&recipients(), &submission, &attachments),
            Err(SealError::AttachmentsDisagree)
        ));
    }
    let listed = sample_submission_with(&attachments);
    let lens = attachments.iter().map(|a| a.bytes.len());
    assert_eq!(
        prepare(&listed, lens).unwrap().json(),
        serde_json::to_vec(&listed).unwrap()
    );
    assert!(matches!(
        prepare(&listed, [1_usize, 2].into_iter()),
        Err(SealError::AttachmentsDisagree)
    ));
}

#[test]
fn refuses_bad_recipient_lists() {
    let submission = sample_submission();
    assert!(matches!(
        seal(&[], &submission, &[]),
        Err(SealError::NoRecipients)
    ));
    let firm = test_keys::firm().recipient().clone();
    assert!(matches!(
        seal(&[firm.clone(), firm], &submission, &[]),
        Err(SealError::DuplicateRecipient { .. })
    ));
}
