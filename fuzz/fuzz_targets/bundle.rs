//! Bundles come from anyone who can reach the receiver: `inspect` and `open` must never panic on them, and must
//! agree — both read the structure the same strict way, so whatever `inspect` refuses `open` refuses for the same
//! reason, and whatever `open` accepts `inspect` accepts with the same receipt id.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use sealform_core::bundle::{inspect, open, ReceiptId};
use sealform_core::key::Identity;

/// The firm's test key: the seed corpus is sealed to it, so mutations get past decryption into the sealed
/// submission's own checks.
static FIRM: LazyLock<[Identity; 1]> = LazyLock::new(|| {
    let pem = include_str!("../../crates/core/tests/data/keys/firm.pem");
    [Identity::from_pkcs8_pem(pem, None).expect("the firm test key parses")]
});

fuzz_target!(|bundle: &[u8]| {
    let inspected = inspect(bundle);
    let opened = open(&*FIRM, bundle);
    match (&inspected, &opened) {
        (Ok(inspection), Ok(opened)) => {
            assert_eq!(inspection.receipt, opened.receipt);
            assert_eq!(opened.receipt, ReceiptId::of(bundle));
            assert_eq!(inspection.bundle_len, bundle.len());
            assert!(inspection.recipients.contains(FIRM[0].kid()));
            // Every part unwrapped with the firm's key: each of its wrapped keys is as long as its modulus.
            let firm = FIRM[0].recipient();
            assert!(inspection
                .wrapped_key_lens
                .iter()
                .filter(|(kid, _)| kid == firm.kid())
                .all(|(_, len)| *len == firm.modulus_len()));
            assert_eq!(inspection.attachment_lens.len(), opened.attachments.len());
            for (len, attachment) in inspection.attachment_lens.iter().zip(&opened.attachments) {
                assert_eq!(*len, attachment.bytes.len(), "GCM does not pad");
            }
        }
        (Ok(_), Err(_)) => {} // Well-formed but not for this key, damaged, or inconsistent inside.
        (Err(refused), Ok(_)) => panic!("open accepted a bundle inspect refuses: {refused}"),
        (Err(inspect_error), Err(open_error)) => {
            assert_eq!(
                inspect_error.to_string(),
                open_error.to_string(),
                "refused for different reasons"
            );
        }
    }
});
