//! A recovery share as `sealform recover --share` and `open --share` read it: a sheet's text typed back by a
//! person, or a QR code's one line. Never a panic; whatever is accepted writes out, as a sheet and as one line, to
//! text that reads back as the same share, byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealform_core::share::Share;

fuzz_target!(|text: &str| {
    let Ok(share) = Share::parse(text) else {
        return;
    };
    let bytes = share.to_bytes();
    for written in [share.to_lines(), share.to_compact()] {
        let again = Share::parse(&written).expect("a share written out reads back");
        assert_eq!(again.to_bytes(), bytes);
    }
    assert!(share.number() >= 1 && share.number() <= share.count());
    assert!(share.threshold() >= 2 && share.threshold() <= share.count());
});
