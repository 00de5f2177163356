//! One sealed part (a JWE in JSON): parsing never panics, and writing a parsed part then parsing it again gives
//! the same part and the same bytes (one accepted form per part, as `docs/FORMAT.md` promises).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealform_core::envelope::Jwe;

fuzz_target!(|json: &[u8]| {
    let Ok(part) = Jwe::from_json(json) else {
        return;
    };
    let written = part.to_json();
    let reread = Jwe::from_json(&written).expect("a written part parses");
    assert_eq!(reread, part);
    assert_eq!(reread.to_json(), written);
});
