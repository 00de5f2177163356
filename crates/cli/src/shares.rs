//! Splitting a private key into recovery shares and rebuilding it from them: Shamir's secret sharing over GF(2^8)
//! (vsss-rs) of the key's secret prime. The shares' format, and the checks on one share, are core's
//! [`sealform_core::share`]; the checks on shares taken together are here.

use sealform_core::key::{Identity, Kid};
use sealform_core::share::SET_LEN;
pub(crate) use sealform_core::share::{Share, MAX_SHARES};
use vsss_rs::{Gf256, IdentifierGf256};
use zeroize::Zeroizing;

/// Splits `identity`'s secret prime into `count` shares, any `threshold` of which rebuild it.
pub(crate) fn split(identity: &Identity, threshold: u8, count: u8) -> Result<Vec<Share>, String> {
    if !(2..=count).contains(&threshold) || count > MAX_SHARES {
        return Err(format!(
            "cannot split into {count} shares with a threshold of {threshold}"
        ));
    }
    let prime = identity.secret_prime();
    let mut set = [0u8; SET_LEN];
    getrandom::fill(&mut set).map_err(|e| format!("no random numbers from the system: {e}"))?;
    let ids = (1..=count).map(|x| IdentifierGf256(Gf256(x)));
    let raw = Gf256::split_bytes_with_participant_ids_iter(
        usize::from(threshold),
        usize::from(count),
        prime.as_slice(),
        // vsss-rs takes a rand_core 0.10 generator, as getrandom's is; it fails only if the system's does.
        getrandom::rand_core::UnwrapErr(getrandom::SysRng),
        ids,
    )
    .map_err(|e| format!("could not split the key: {e}"))?;
    // vsss-rs gives each share as its x coordinate followed by its y bytes.
    let values = raw
        .into_iter()
        .map(|r| {
            let r = Zeroizing::new(r);
            (r[0], Zeroizing::new(r[1..].to_vec()))
        })
        .collect();
    Share::set_of(threshold, set, identity.recipient(), values).map_err(|e| e.to_string())
}

/// What is wrong with a collection of shares taken together; each names the share at fault where it can.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CombineError {
    /// Fewer distinct shares than the set's threshold.
    #[error("{given} of the {threshold} shares needed were given: any {threshold} of the {count} shares rebuild the key")]
    TooFew {
        /// Distinct shares given.
        given: usize,
        /// Shares needed.
        threshold: u8,
        /// Shares in the set.
        count: u8,
    },
    /// A share comes from another split, or is for another key.
    #[error("share {name} is not from the same set as share {other}: it was made for another key or at another time")]
    OtherSet {
        /// The share that does not belong (as the person named it).
        name: String,
        /// A share it was compared with.
        other: String,
    },
    /// The same share was given twice.
    #[error(
        "{name} and {other} are the same share (number {number}): give {threshold} different ones"
    )]
    Repeated {
        /// One of them.
        name: String,
        /// The other.
        other: String,
        /// Its number.
        number: u8,
        /// Shares needed.
        threshold: u8,
    },
    /// A share's data is not what the other shares record for its number.
    #[error("share {name} (number {number}) is not the share the others record for its number: it was altered")]
    Altered {
        /// The share at fault.
        name: String,
        /// Its number.
        number: u8,
    },
    /// The shares agree but do not rebuild the key their public half names (not expected after the checks above).
    #[error("the shares do not rebuild key {kid}: no key was made")]
    WrongKey {
        /// The key they name.
        kid: Kid,
    },
}

/// Rebuilds the private key from shares, each with the name to give it in messages (its file). Never gives a key
/// other than the one the shares name: what does not check out is an error naming the share at fault.
pub(crate) fn combine(shares: &[(String, Share)]) -> Result<Identity, CombineError> {
    let Some((first_name, first)) = shares.first() else {
        return Err(CombineError::TooFew {
            given: 0,
            threshold: 2,
            count: 2,
        });
    };
    // The set most shares agree on is the one to rebuild; a share outside it is named.
    let majority = shares
        .iter()
        .max_by_key(|(_, s)| shares.iter().filter(|(_, o)| o.same_set(s)).count())
        .map_or(first, |(_, s)| s);
    if let Some((name, _)) = shares.iter().find(|(_, s)| !s.same_set(majority)) {
        let other = shares
            .iter()
            .find(|(_, s)| s.same_set(majority))
            .map_or(first_name, |(n, _)| n);
        return Err(CombineError::OtherSet {
            name: name.clone(),
            other: other.clone(),
        });
    }
    for (i, (name, share)) in shares.iter().enumerate() {
        if let Some((other, _)) = shares[..i]
            .iter()
            .find(|(_, s)| s.number() == share.number())
        {
            return Err(CombineError::Repeated {
                name: other.clone(),
                other: name.clone(),
                number: share.number(),
                threshold: share.threshold(),
            });
        }
        if !share.is_vouched_for() {
            return Err(CombineError::Altered {
                name: name.clone(),
                number: share.number(),
            });
        }
    }
    if shares.len() < usize::from(first.threshold()) {
        return Err(CombineError::TooFew {
            given: shares.len(),
            threshold: first.threshold(),
            count: first.count(),
        });
    }
    let raw: Vec<Vec<u8>> = shares
        .iter()
        .map(|(_, s)| {
            let mut r = Vec::with_capacity(s.value().len() + 1);
            r.push(s.number());
            r.extend_from_slice(s.value());
            r
        })
        .collect();
    let raw = Zeroizing::new(raw);
    let wrong_key = || CombineError::WrongKey {
        kid: first.recipient().kid().clone(),
    };
    let prime = Zeroizing::new(Gf256::combine_bytes(raw.as_slice()).map_err(|_| wrong_key())?);
    Identity::from_secret_prime(first.recipient(), &prime).map_err(|_| wrong_key())
}

#[cfg(test)]
mod tests {
    use sha2::{Digest as _, Sha256};

    use super::*;

    /// The core crate's backup test key.
    fn backup() -> Identity {
        Identity::from_pkcs8_pem(include_str!("../../core/tests/data/keys/backup.pem"), None)
            .expect("test key")
    }

    fn named(shares: Vec<Share>) -> Vec<(String, Share)> {
        shares
            .into_iter()
            .map(|s| (format!("#{}", s.number()), s))
            .collect()
    }

    #[test]
    fn every_threshold_subset_rebuilds_the_key_and_one_fewer_does_not() {
        let identity = backup();
        let shares = split(&identity, 3, 5).expect("split");
        let texts: Vec<_> = shares.iter().map(Share::to_lines).collect();
        for a in 0..5 {
            for b in a + 1..5 {
                let pair = || {
                    named(vec![
                        Share::parse(&texts[a]).unwrap(),
                        Share::parse(&texts[b]).unwrap(),
                    ])
                };
                assert!(matches!(
                    combine(&pair()),
                    Err(CombineError::TooFew { given: 2, .. })
                ));
                for text in &texts[b + 1..] {
                    let mut three = pair();
                    three.extend(named(vec![Share::parse(text).unwrap()]));
                    let rebuilt = combine(&three).expect("any three rebuild");
                    assert_eq!(rebuilt.kid(), identity.kid());
                    assert_eq!(
                        rebuilt.to_pkcs8_der().unwrap().as_slice(),
                        identity.to_pkcs8_der().unwrap().as_slice()
                    );
                }
            }
        }
    }

    #[test]
    fn the_field_is_the_aes_field_of_fips_197() {
        // FIPS 197 §4.2 and §4.2.1 publish products in GF(2^8) mod x^8+x^4+x^3+x+1: {57}•{83} = {c1},
        // {57}•{13} = {fe}, {57}•{02} = {ae}, {57}•{04} = {47}, {57}•{10} = {07}. Shares of a secret s on the
        // polynomials s + {57}x and s + {57}x + {57}x^2 follow from them alone; the crate must give s back.
        for s in [0x00u8, 0x42, 0xff] {
            let line = vec![vec![0x83, s ^ 0xc1], vec![0x13, s ^ 0xfe]];
            assert_eq!(Gf256::combine_bytes(&line).unwrap(), vec![s]);
            // x = {01}: s ^ {57} ^ {57}; x = {02}: s ^ {ae} ^ {57}•{04}; x = {04}: s ^ {47} ^ {57}•{10}.
            let parabola = vec![
                vec![0x01, s],
                vec![0x02, s ^ 0xae ^ 0x47],
                vec![0x04, s ^ 0x47 ^ 0x07],
            ];
            assert_eq!(Gf256::combine_bytes(&parabola).unwrap(), vec![s]);
        }
    }

    #[test]
    fn a_share_from_another_set_or_altered_is_named() {
        let identity = backup();
        let first = named(split(&identity, 2, 3).expect("split"));
        let second = named(split(&identity, 2, 3).expect("split"));
        let parse = |s: &Share| Share::parse(&s.to_lines()).expect("parses");
        let mixed = vec![
            ("a".to_owned(), parse(&first[0].1)),
            ("b".to_owned(), parse(&first[1].1)),
            ("c".to_owned(), parse(&second[2].1)),
        ];
        match combine(&mixed) {
            Err(CombineError::OtherSet { name, .. }) => assert_eq!(name, "c"),
            other => panic!("{other:?}"),
        }
        // A share whose data was changed and its checksums made again: the others' record of it names it.
        let mut bytes = first[1].1.to_bytes();
        let checksum_at = bytes.len() - 8;
        bytes[checksum_at - 1] ^= 1;
        let checksum = Sha256::digest(&bytes[..checksum_at]);
        bytes[checksum_at..].copy_from_slice(&checksum[..8]);
        let altered = Share::from_bytes(&bytes).expect("checksum recomputed");
        let shares = vec![
            ("a".to_owned(), parse(&first[0].1)),
            ("b".to_owned(), altered),
        ];
        match combine(&shares) {
            Err(CombineError::Altered { name, number: 2 }) => assert_eq!(name, "b"),
            other => panic!("{other:?}"),
        }
        let twice = vec![
            ("a".to_owned(), parse(&first[0].1)),
            ("a2".to_owned(), parse(&first[0].1)),
        ];
        assert!(matches!(
            combine(&twice),
            Err(CombineError::Repeated { number: 1, .. })
        ));
    }

    #[test]
    fn a_share_never_holds_the_key_or_its_prime() {
        let identity = backup();
        let der = identity.to_pkcs8_der().expect("der");
        let prime = identity.secret_prime();
        let (modulus, exponent) = identity.recipient().rsa_parts();
        // The share's public part: the header ("SFSH", version, m, n, number, set) and the public key.
        let public = 4 + 4 + SET_LEN + 1 + exponent.len() + 2 + modulus.len();
        let holds =
            |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
        for share in split(&identity, 2, 2).expect("split") {
            let bytes = share.to_bytes();
            for window in prime.windows(16) {
                assert!(
                    !holds(&bytes, window),
                    "share {} holds prime bytes",
                    share.number()
                );
            }
            // Past the public key, no run of the private key's bytes.
            for window in der.windows(16) {
                assert!(
                    !holds(&bytes[public..], window),
                    "share {} holds key bytes",
                    share.number()
                );
            }
        }
    }
}
