//! Canaries: distinctive strings typed into the form, and every form they could take on the wire or in storage
//! (raw UTF-8, JSON `\u` escapes, percent-encoding, base64 at each alignment), so "no plaintext anywhere" is a
//! search rather than a hope.

use data_encoding::{BASE64, BASE64URL_NOPAD};

/// The ways `canary` could appear if it leaked.
pub fn needles(canary: &str) -> Vec<Vec<u8>> {
    let mut needles = vec![canary.as_bytes().to_vec()];
    let escaped = serde_json::to_string(canary).expect("json");
    needles.push(escaped.trim_matches('"').as_bytes().to_vec());
    let ascii_escaped: String = canary
        .encode_utf16()
        .map(|unit| {
            if unit < 0x80 {
                char::from(unit as u8).to_string()
            } else {
                format!("\\u{unit:04x}")
            }
        })
        .collect();
    needles.push(ascii_escaped.into_bytes());
    let percent: String = canary
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    needles.push(percent.into_bytes());
    // Base64 of the canary shifted by 0, 1 and 2 bytes: the middle of each encoding is fixed whatever precedes it.
    for shift in 0..3 {
        let mut shifted = vec![0u8; shift];
        shifted.extend_from_slice(canary.as_bytes());
        for encoded in [BASE64.encode(&shifted), BASE64URL_NOPAD.encode(&shifted)] {
            let skip = if shift == 0 { 0 } else { 4 };
            let keep = encoded.len().saturating_sub(4);
            if keep > skip + 8 {
                needles.push(encoded.as_bytes()[skip..keep].to_vec());
            }
        }
    }
    needles.sort();
    needles.dedup();
    needles
}

/// The first canary (with the form it took) found in `haystack`, if any.
pub fn find<'a>(canaries: &'a [String], haystack: &[u8]) -> Option<(&'a str, String)> {
    for canary in canaries {
        for needle in needles(canary) {
            if !needle.is_empty() && memchr::memmem::find(haystack, &needle).is_some() {
                return Some((canary, String::from_utf8_lossy(&needle).into_owned()));
            }
        }
    }
    None
}

/// Fails the test, saying where, if any canary is in `haystack`.
pub fn assert_absent(canaries: &[String], haystack: &[u8], place: &str) {
    if let Some((canary, form)) = find(canaries, haystack) {
        panic!("plaintext leaked into {place}: canary {canary:?} found as {form:?}");
    }
}

#[test]
fn needles_find_each_encoding() {
    let canaries = vec!["Zoë QX7 田中 🦊".to_owned()];
    let json = serde_json::to_string(&serde_json::json!({ "a": canaries[0] })).expect("json");
    assert!(find(&canaries, json.as_bytes()).is_some());
    let b64 = BASE64.encode(format!("xx{}yy", canaries[0]).as_bytes());
    assert!(find(&canaries, b64.as_bytes()).is_some());
    assert!(find(&canaries, b"nothing to see").is_none());
}
