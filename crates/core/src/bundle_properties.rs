//! Whole-bundle properties: any submission survives seal → open for every recipient, and no damage to a sealed
//! bundle ever opens to anything but the exact original or one clean error.

use proptest::prelude::*;

use crate::answers::{Answer, Answers};
use crate::attachment::Attachment;
use crate::bundle::{open, seal, Opened};
use crate::error::OpenError;
use crate::key::{Identity, Recipient};
use crate::submission::Submission;
use crate::test_keys;
use crate::test_support::{sample_attachments, sample_submission};

/// The ways of damaging one byte that the matrix tries: a low bit (stays ASCII, so the JSON usually still parses
/// and the damage reaches the cryptography) and the high bit (invalid UTF-8). Each costs one or two RSA private-key
/// operations per byte, which is what bounds the list.
const FLIPS: [u8; 2] = [0x01, 0x80];

/// The byte flipped, how, and what opening the damaged bundle gave with each identity.
type Outcome = (usize, u8, Vec<Result<Opened, OpenError>>);

/// Opens `bundle` with each identity, for every single-byte flip, on all cores.
fn open_every_flip(bundle: &[u8], identities: &[Identity]) -> Vec<Outcome> {
    let positions: Vec<usize> = (0..bundle.len()).collect();
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    std::thread::scope(|scope| {
        let handles: Vec<_> = positions
            .chunks(bundle.len().div_ceil(workers))
            .map(|chunk| {
                scope.spawn(move || {
                    let mut results = Vec::new();
                    for &position in chunk {
                        for flip in FLIPS {
                            let mut damaged = bundle.to_vec();
                            damaged[position] ^= flip;
                            let opened = identities
                                .iter()
                                .map(|identity| open(std::slice::from_ref(identity), &damaged))
                                .collect();
                            results.push((position, flip, opened));
                        }
                    }
                    results
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect()
    })
}

/// `submission` listing `attachments`, as the form lists the files picked.
fn listing(submission: &Submission, attachments: &[Attachment]) -> Submission {
    let mut expected = submission.clone();
    expected.attachments = attachments.iter().map(Attachment::info).collect();
    expected
}

#[test]
fn tamper_matrix_single_recipient_every_flip_is_a_clean_error() {
    let firm = test_keys::firm();
    let attachments = vec![Attachment {
        bytes: b"short file".to_vec(),
        ..sample_attachments()[0].clone()
    }];
    let sealed = seal(
        &[firm.recipient().clone()],
        &listing(&sample_submission(), &attachments),
        &attachments,
    )
    .unwrap();
    let results = open_every_flip(&sealed.bytes, &[firm]);
    assert_eq!(results.len(), sealed.bytes.len() * FLIPS.len());
    for (position, flip, opened) in results {
        match &opened[0] {
            Ok(_) => panic!("flipping byte {position} with {flip:#04x} still opened"),
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
}

#[test]
fn tamper_matrix_two_recipients_never_yields_other_content() {
    let (firm, backup) = (test_keys::firm(), test_keys::backup());
    let recipients = [firm.recipient().clone(), backup.recipient().clone()];
    let attachments = vec![Attachment {
        bytes: vec![7; 40],
        ..sample_attachments()[1].clone()
    }];
    let original = listing(&sample_submission(), &attachments);
    let sealed = seal(&recipients, &original, &attachments).unwrap();
    for (position, flip, opened) in open_every_flip(&sealed.bytes, &[firm, backup]) {
        // A flip inside one recipient's entry leaves the other's intact: that key still opens the original (the
        // point of a backup key), but nobody ever gets different content.
        for result in opened.iter().flatten() {
            assert_eq!(
                result.submission, original,
                "byte {position} flip {flip:#04x}"
            );
            assert_eq!(
                result.attachments, attachments,
                "byte {position} flip {flip:#04x}"
            );
        }
        assert!(
            opened.iter().any(Result::is_err),
            "flipping byte {position} with {flip:#04x} went unnoticed by both keys"
        );
    }
}

fn answer() -> impl Strategy<Value = Answer> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Answer::Flag),
        any::<String>().prop_map(Answer::Text),
        prop::collection::vec(any::<String>(), 0..4).prop_map(Answer::Choices),
    ];
    prop_oneof![
        3 => leaf.clone(),
        1 => prop::collection::vec(prop::collection::btree_map("[a-z_]{1,8}", leaf, 1..3), 1..3)
            .prop_map(Answer::Rows),
    ]
}

fn submission() -> impl Strategy<Value = Submission> {
    (
        prop::collection::btree_map("[a-z_]{1,12}", answer(), 0..8),
        any::<String>(),
    )
        .prop_map(|(answers, id)| Submission {
            answers: Answers(answers),
            submission_id: id,
            ..sample_submission()
        })
}

fn attachments() -> impl Strategy<Value = Vec<Attachment>> {
    let attachment = (
        any::<String>(),
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..2048),
    )
        .prop_map(|(name, media_type, bytes)| Attachment {
            field: "documents".into(),
            name,
            media_type,
            bytes,
        });
    prop::collection::vec(attachment, 0..3)
}

/// A non-empty subset of the firm, backup and stranger keys, as a bit mask.
fn recipient_set() -> impl Strategy<Value = u8> {
    1u8..8
}

fn pick(mask: u8) -> (Vec<Identity>, Vec<Identity>) {
    let (mut inside, mut outside) = (Vec::new(), Vec::new());
    for (i, identity) in [
        test_keys::firm(),
        test_keys::backup(),
        test_keys::stranger(),
    ]
    .into_iter()
    .enumerate()
    {
        if mask & (1 << i) != 0 {
            inside.push(identity);
        } else {
            outside.push(identity);
        }
    }
    (inside, outside)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_submission_round_trips_for_every_recipient(
        submission in submission(),
        attachments in attachments(),
        mask in recipient_set(),
    ) {
        let (inside, outside) = pick(mask);
        let recipients: Vec<Recipient> = inside.iter().map(|id| id.recipient().clone()).collect();
        let original = listing(&submission, &attachments);
        let sealed = seal(&recipients, &original, &attachments).unwrap();
        for identity in inside {
            let opened = open(&[identity], &sealed.bytes).unwrap();
            prop_assert_eq!(&opened.submission, &original);
            prop_assert_eq!(&opened.attachments, &attachments);
            prop_assert_eq!(opened.receipt, sealed.receipt);
        }
        for identity in outside {
            let is_not_for_this_key = matches!(open(&[identity], &sealed.bytes), Err(OpenError::NotForThisKey { .. }));
            prop_assert!(is_not_for_this_key);
        }
    }
}
