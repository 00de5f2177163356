//! What the receiver runs on every `POST /api/submissions` body before storing it: `inspect`, the strict reader
//! with no key (no RSA, so this target is fast where `bundle` is slow). Never a panic; and whatever it accepts
//! has one receipt for its exact bytes, no JSON escape, and a content id that other spellings share (the receiver
//! stores one sealing once, under its first receipt) and that is the receipt of the same parts as sealform's own
//! writer writes them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealform_core::bundle::{assemble, inspect, ReceiptId, Sealed};
use sealform_core::envelope::Jwe;

fuzz_target!(|bundle: &[u8]| {
    let Ok(inspection) = inspect(bundle) else {
        return;
    };
    assert_eq!(inspection.receipt, ReceiptId::of(bundle));
    assert_eq!(inspection.bundle_len, bundle.len());
    assert!(!bundle.contains(&b'\\'), "an escape was accepted");
    // base64url is 4 characters for 3 bytes: what the parts carry cannot outweigh the text that carries them.
    let carried: usize =
        inspection.attachment_lens.iter().sum::<usize>() + inspection.submission_len;
    assert!(carried <= bundle.len());
    // The same document with JSON whitespace around it: another receipt, the same sealing.
    let respelt = [b" ".as_slice(), bundle, b"\n"].concat();
    let again = inspect(&respelt).expect("whitespace around a bundle is still a bundle");
    assert_ne!(again.receipt, inspection.receipt);
    assert_eq!(again.content, inspection.content);
    assert_eq!(again.recipients, inspection.recipients);
    // The content id is the receipt of the same parts written out by sealform's own writer.
    let rewritten = rewrite(bundle);
    assert_eq!(inspection.content.digest(), rewritten.receipt.digest());
});

/// The bundle's parts, read one by one, assembled again by sealform's writer.
fn rewrite(bundle: &[u8]) -> Sealed {
    let value: serde_json::Value =
        serde_json::from_slice(bundle).expect("an accepted bundle is JSON");
    let part = |value: &serde_json::Value| {
        let json = serde_json::to_vec(value).expect("JSON writes out");
        Jwe::from_json(&json).expect("a part of an accepted bundle reads on its own")
    };
    let attachments: Vec<Jwe> = value["attachments"]
        .as_array()
        .expect("an accepted bundle has attachments")
        .iter()
        .map(part)
        .collect();
    assemble(&part(&value["submission"]), &attachments)
}
