//! The request headers the receiver reads before any body: the pickup token of `Authorization: Bearer TOKEN`,
//! the `HEX[:SCOPE]` form the firm allows tokens in (`--pickup-token-sha256`), and the proof of work of
//! `Sealform-Pow: CHALLENGE.SOLUTION`. Never a panic; each accepted text has exactly one written form, and the
//! proof of work is counted over the header's exact bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sealform_core::protocol::pickup::{AllowedToken, PickupToken};
use sealform_core::protocol::pow::{self, Token};
use sealform_core::Sha256Digest;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else {
        // Header values are bytes; the receiver refuses what is not UTF-8 before parsing.
        return;
    };
    if let Ok(token) = PickupToken::parse(text) {
        assert_eq!(token.expose(), text.trim());
        let again = PickupToken::parse(token.expose()).expect("a token's own text parses");
        assert_eq!(again.hash(), token.hash());
    }
    if let Ok(allowed) = text.parse::<AllowedToken>() {
        let again: AllowedToken = allowed
            .to_string()
            .parse()
            .expect("a written allowed token parses");
        assert_eq!(again, allowed);
    }
    if let Some(token) = Token::parse(text) {
        assert_eq!(token.to_string(), text);
        assert!(token.solution.len() <= pow::MAX_SOLUTION_LEN);
        // The work is counted over the header's exact bytes, and only over them.
        let digest = Sha256Digest::of(text.as_bytes());
        let zeros = digest
            .as_bytes()
            .iter()
            .position(|&byte| byte != 0)
            .map_or(256, |at| {
                at as u32 * 8 + digest.as_bytes()[at].leading_zeros()
            });
        assert_eq!(
            pow::leading_zero_bits(token.challenge, token.solution),
            zeros
        );
        assert!(token.meets(0));
    }
});
