//! Base64url without padding (RFC 4648 §5), the only binary-to-text encoding JWE uses (RFC 7515 §2).
//! Decoding is strict: padding, whitespace, other alphabets and non-canonical trailing bits are all refused, so
//! every byte string has exactly one accepted text form and a flipped character can never decode to the same bytes.

use base64ct::{Base64UrlUnpadded, Encoding};

/// The text is not canonical unpadded base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not canonical base64url (RFC 4648 §5, without padding)")]
pub(crate) struct NotBase64Url;

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The length of the unpadded base64url of `n` bytes.
pub(crate) fn encoded_len(n: usize) -> usize {
    n / 3 * 4 + [0, 2, 3][n % 3]
}

/// Appends the unpadded base64url of `bytes` to `out`. Encoding consecutive slices whose lengths (all but the last)
/// are multiples of 3 gives exactly the encoding of the whole.
///
/// Only for ciphertext, which is public (it is what goes over the wire): this uses the `base64` crate's encoder,
/// which is not constant-time but is the fastest found in wasm for a 25 MB attachment (in Chromium, 1.3–1.6×
/// data-encoding's and many times constant-time base64ct's; docs/BENCHMARKS.md). The output is the same canonical
/// text ([`encode`]'s), which the tests check.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    use base64::Engine as _;
    let start = out.len();
    out.resize(start + encoded_len(bytes.len()), 0);
    let written = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode_slice(bytes, &mut out[start..])
        .unwrap_or_default();
    // `encoded_len` is exactly the unpadded length, so the encoder always fits and fills it.
    debug_assert_eq!(written, out.len() - start);
}

/// Decodes canonical unpadded base64url.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, NotBase64Url> {
    // base64ct is constant-time and already refuses padding and non-zero trailing bits; the length check covers
    // the one shape it would otherwise accept (a lone trailing character cannot encode a byte).
    if text.len() % 4 == 1 {
        return Err(NotBase64Url);
    }
    Base64UrlUnpadded::decode_vec(text).map_err(|_| NotBase64Url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(decode(&encode(&bytes)), Ok(bytes.clone()));
            assert_eq!(encoded_len(len), encode(&bytes).len());
            // Encoded in 3-byte-aligned slices, the pieces join up to the whole.
            for slice in [3, 6, 9, 30] {
                let mut joined = Vec::new();
                for chunk in bytes.chunks(slice) {
                    encode_into(chunk, &mut joined);
                }
                assert_eq!(
                    joined,
                    encode(&bytes).into_bytes(),
                    "len {len}, slices of {slice}"
                );
            }
        }
    }

    #[test]
    fn refuses_non_canonical_text() {
        // "QQ" is the canonical form of b"A"; "QR" has non-zero trailing bits that decode to the same byte in lax
        // decoders.
        assert_eq!(decode("QQ"), Ok(b"A".to_vec()));
        for bad in ["QR", "QQ==", "QQ=", "Q", "Q Q", "QQ\n", "+/8", "Q\u{00e9}"] {
            assert_eq!(decode(bad), Err(NotBase64Url), "{bad:?}");
        }
        assert_eq!(decode("-_8"), Ok(vec![0xfb, 0xff]));
    }
}
