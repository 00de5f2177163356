//! Recovery shares: a private key split with Shamir's secret sharing over GF(2^8) so that any m of its n shares
//! rebuild it and fewer tell nothing about it; each share a text sheet a person can print, type back and check.
//!
//! What is split is the key's secret prime ([`Identity::secret_prime`]); every share also carries the public key,
//! so that shares alone rebuild the whole key and its key id is checked. A share as bytes (version 1):
//!
//! ```text
//! "SFSH" 1 | m | n | number | set (8) | len(e) (1) e | len(n) (2) n | digest of each share (n × 8)
//!        | len(y) (2) y | checksum (8)
//! ```
//!
//! `set` is random per split, so shares of two splits are never mixed; each share's digest (SHA-256 over its set,
//! number and `y`, the first 8 bytes) is in every share, so a share the others do not vouch for is named; the
//! checksum is the first 8 bytes of SHA-256 over everything before it. As text, the bytes are base32 (RFC 4648,
//! no padding) in numbered lines, each with its own checksum, so a mistyped character is found on its line.

use std::fmt::Write as _;

use data_encoding::BASE32_NOPAD;
use sealform_core::key::{Identity, Kid, Recipient};
use sha2::{Digest as _, Sha256};
use vsss_rs::{Gf256, IdentifierGf256};
use zeroize::Zeroizing;

/// The most shares a key may be split into: more would be more sheets to keep than any firm needs.
pub(crate) const MAX_SHARES: u8 = 16;
/// What every share's bytes start with.
const MAGIC: &[u8; 4] = b"SFSH";
/// The version of the layout above.
const VERSION: u8 = 1;
/// Bytes in a set id, a share digest and the checksum.
const SET_LEN: usize = 8;
const DIGEST_LEN: usize = 8;
const CHECKSUM_LEN: usize = 8;
/// The first and last line of a share's data on its sheet.
pub(crate) const BEGIN: &str = "-----BEGIN SEALFORM RECOVERY SHARE-----";
pub(crate) const END: &str = "-----END SEALFORM RECOVERY SHARE-----";
/// What starts the one-line form of a share (the QR code's content): upper case, so the QR code can use its
/// compact alphanumeric mode.
pub(crate) const COMPACT_PREFIX: &str = "SEALFORM-SHARE:";
/// Base32 characters of data per line (35 bytes), in groups of 8, and of each line's checksum (20 bits).
const LINE_CHARS: usize = 56;
const GROUP_CHARS: usize = 8;
const LINE_CHECK_CHARS: usize = 4;

/// One recovery share, its checksum and layout checked.
pub(crate) struct Share {
    /// Any `threshold` shares of the set rebuild the key.
    pub(crate) threshold: u8,
    /// How many shares the set has.
    pub(crate) count: u8,
    /// This share's number, 1 to `count` (its x coordinate).
    pub(crate) number: u8,
    set: [u8; SET_LEN],
    /// The public half of the key the set rebuilds.
    pub(crate) recipient: Recipient,
    digests: Vec<[u8; DIGEST_LEN]>,
    y: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Share {
    // Never print the share's secret part.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Share({} of {}, threshold {}, key {})",
            self.number,
            self.count,
            self.threshold,
            self.recipient.kid()
        )
    }
}

/// What is wrong with a share's text or bytes; each names what a person can check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ShareError {
    /// Neither a share sheet nor the one-line form.
    #[error("it is not a sealform recovery share (no line \"{BEGIN}\")")]
    NotAShare,
    /// A line of the sheet does not match its checksum, or is not where its number says.
    #[error("line {line} is mistyped: {problem}")]
    Line {
        /// The line's number on the sheet.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The lines decode but the share's own checksum does not match: a line is missing, repeated or damaged.
    #[error("the share's checksum does not match: a line is missing, repeated or damaged")]
    Checksum,
    /// The bytes are not laid out as a version 1 share.
    #[error("the share is malformed: {0}")]
    Malformed(&'static str),
}

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
    let raw: Vec<Zeroizing<Vec<u8>>> = raw.into_iter().map(Zeroizing::new).collect();
    let digests: Vec<[u8; DIGEST_LEN]> = raw.iter().map(|r| digest(&set, r[0], &r[1..])).collect();
    Ok(raw
        .iter()
        .map(|r| Share {
            threshold,
            count,
            number: r[0],
            set,
            recipient: identity.recipient().clone(),
            digests: digests.clone(),
            y: Zeroizing::new(r[1..].to_vec()),
        })
        .collect())
}

/// A share's digest, as every share of its set records it.
fn digest(set: &[u8; SET_LEN], number: u8, y: &[u8]) -> [u8; DIGEST_LEN] {
    let mut hash = Sha256::new();
    hash.update(b"sealform recovery share\0");
    hash.update(set);
    hash.update([number]);
    hash.update(y);
    let mut out = [0; DIGEST_LEN];
    out.copy_from_slice(&hash.finalize()[..DIGEST_LEN]);
    out
}

impl Share {
    /// The share as bytes (the layout in the module's docs).
    fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let (n, e) = self.recipient.rsa_parts();
        let mut out = Zeroizing::new(Vec::new());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[VERSION, self.threshold, self.count, self.number]);
        out.extend_from_slice(&self.set);
        // A JWK-valid exponent is at most a few bytes and a modulus at most MAX_KEY_BITS: both lengths fit.
        out.push(u8::try_from(e.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&e);
        out.extend_from_slice(&u16::try_from(n.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(&n);
        for digest in &self.digests {
            out.extend_from_slice(digest);
        }
        out.extend_from_slice(
            &u16::try_from(self.y.len())
                .unwrap_or(u16::MAX)
                .to_be_bytes(),
        );
        out.extend_from_slice(&self.y);
        let checksum = Sha256::digest(out.as_slice());
        out.extend_from_slice(&checksum[..CHECKSUM_LEN]);
        out
    }

    /// Reads a share's bytes, checking its checksum first.
    fn from_bytes(bytes: &[u8]) -> Result<Self, ShareError> {
        let (body, checksum) = bytes
            .split_last_chunk::<CHECKSUM_LEN>()
            .ok_or(ShareError::Checksum)?;
        if Sha256::digest(body)[..CHECKSUM_LEN] != checksum[..] {
            return Err(ShareError::Checksum);
        }
        let mut reader = Reader(body);
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(ShareError::Malformed("it does not start with SFSH"));
        }
        let [version, threshold, count, number] = reader.array::<4>()?;
        if version != VERSION {
            return Err(ShareError::Malformed(
                "it is a newer version than this sealform reads: update sealform",
            ));
        }
        if !(2..=count).contains(&threshold) || count > MAX_SHARES || !(1..=count).contains(&number)
        {
            return Err(ShareError::Malformed(
                "its threshold, count or number is impossible",
            ));
        }
        let set = reader.array::<SET_LEN>()?;
        let e_len = usize::from(reader.array::<1>()?[0]);
        let e = reader.take(e_len)?;
        let n_len = usize::from(u16::from_be_bytes(reader.array::<2>()?));
        let n = reader.take(n_len)?;
        let recipient = Recipient::from_rsa_parts(n, e)
            .map_err(|_| ShareError::Malformed("its public key is not a usable RSA key"))?;
        let digests = (0..count)
            .map(|_| reader.array::<DIGEST_LEN>())
            .collect::<Result<Vec<_>, _>>()?;
        let y_len = usize::from(u16::from_be_bytes(reader.array::<2>()?));
        let y = Zeroizing::new(reader.take(y_len)?.to_vec());
        if !reader.0.is_empty() {
            return Err(ShareError::Malformed("it has bytes after its end"));
        }
        Ok(Self {
            threshold,
            count,
            number,
            set,
            recipient,
            digests,
            y,
        })
    }

    /// The one-line form: what the sheet's QR code holds, and what `recover --share` also reads.
    pub(crate) fn to_compact(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{COMPACT_PREFIX}{}",
            BASE32_NOPAD.encode(&self.to_bytes())
        ))
    }

    /// The share's data as numbered lines, each `NN  GROUPS…  CHECK`, between [`BEGIN`] and [`END`].
    pub(crate) fn to_lines(&self) -> Zeroizing<String> {
        let data = Zeroizing::new(BASE32_NOPAD.encode(&self.to_bytes()));
        let mut out = Zeroizing::new(format!("{BEGIN}\n"));
        for (i, chunk) in data.as_bytes().chunks(LINE_CHARS).enumerate() {
            // Base32 is ASCII, so every chunk is text.
            let chunk = std::str::from_utf8(chunk).unwrap_or_default();
            let groups: Vec<&str> = chunk
                .as_bytes()
                .chunks(GROUP_CHARS)
                .map(|g| std::str::from_utf8(g).unwrap_or_default())
                .collect();
            let _ = writeln!(
                out,
                "{:02}  {:<width$}  {}",
                i + 1,
                groups.join(" "),
                line_check(i + 1, chunk),
                width = LINE_CHARS + LINE_CHARS / GROUP_CHARS - 1,
            );
        }
        out.push_str(END);
        out.push('\n');
        out
    }

    /// Reads a share from a sheet's text (only what is between [`BEGIN`] and [`END`] counts) or from its one-line
    /// form. Each line is checked against its own checksum first, so a typo is found on its line.
    pub(crate) fn parse(text: &str) -> Result<Self, ShareError> {
        let text = text.trim();
        if let Some(compact) = text.strip_prefix(COMPACT_PREFIX) {
            let bytes = Zeroizing::new(
                BASE32_NOPAD
                    .decode(normalise(compact).as_bytes())
                    .map_err(|_| ShareError::Checksum)?,
            );
            return Self::from_bytes(&bytes);
        }
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .skip_while(|line| *line != BEGIN)
            .skip(1)
            .take_while(|line| *line != END)
            .filter(|line| !line.is_empty())
            .collect();
        if lines.is_empty() {
            return Err(ShareError::NotAShare);
        }
        let mut data = Zeroizing::new(String::new());
        for (i, line) in lines.iter().enumerate() {
            data.push_str(&check_line(i + 1, line)?);
        }
        let bytes = Zeroizing::new(
            BASE32_NOPAD
                .decode(data.as_bytes())
                .map_err(|_| ShareError::Checksum)?,
        );
        Self::from_bytes(&bytes)
    }

    /// This share's own digest.
    fn digest(&self) -> [u8; DIGEST_LEN] {
        digest(&self.set, self.number, &self.y)
    }

    /// Whether two shares come from the same split of the same key.
    fn same_set(&self, other: &Self) -> bool {
        self.set == other.set
            && self.threshold == other.threshold
            && self.count == other.count
            && self.recipient == other.recipient
            && self.digests == other.digests
    }
}

/// Reads the bytes of a share in order.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], ShareError> {
        if self.0.len() < len {
            return Err(ShareError::Malformed("it ends too early"));
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ShareError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

/// A line's checksum: 20 bits of SHA-256 over its number and data, so a typo or a line in the wrong place shows.
fn line_check(number: usize, data: &str) -> String {
    let line = Zeroizing::new(format!("sealform share line {number}: {data}"));
    let hash = Sha256::digest(line.as_bytes());
    BASE32_NOPAD.encode(&hash[..3])[..LINE_CHECK_CHARS].to_owned()
}

/// Upper case without spaces, with the look-alikes base32 does not use read as the letters they resemble (0 as O,
/// 1 as I, 8 as B), so what a person typed from paper is read as meant.
fn normalise(text: &str) -> Zeroizing<String> {
    Zeroizing::new(
        text.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                c => c,
            })
            .collect(),
    )
}

/// Checks one sheet line, `NN  GROUPS…  CHECK`, and gives its data.
fn check_line(expected: usize, line: &str) -> Result<Zeroizing<String>, ShareError> {
    let bad = |problem: &str| ShareError::Line {
        line: expected,
        problem: problem.to_owned(),
    };
    let mut words: Vec<&str> = line.split_whitespace().collect();
    if words.len() < 3 {
        return Err(bad("it needs its number, its data and its checksum"));
    }
    let number: usize = words
        .remove(0)
        .parse()
        .map_err(|_| bad("it does not start with its number"))?;
    if number != expected {
        return Err(ShareError::Line {
            line: expected,
            problem: format!("it is numbered {number}: a line is missing or out of order"),
        });
    }
    let check = normalise(words.pop().unwrap_or_default());
    let data = normalise(&words.concat());
    if line_check(number, &data) != *check {
        return Err(bad(
            "its checksum (the last group) does not match: compare it with the sheet character by character",
        ));
    }
    Ok(data)
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
        if let Some((other, _)) = shares[..i].iter().find(|(_, s)| s.number == share.number) {
            return Err(CombineError::Repeated {
                name: other.clone(),
                other: name.clone(),
                number: share.number,
                threshold: share.threshold,
            });
        }
        if share.digests.get(usize::from(share.number) - 1) != Some(&share.digest()) {
            return Err(CombineError::Altered {
                name: name.clone(),
                number: share.number,
            });
        }
    }
    if shares.len() < usize::from(first.threshold) {
        return Err(CombineError::TooFew {
            given: shares.len(),
            threshold: first.threshold,
            count: first.count,
        });
    }
    let raw: Vec<Vec<u8>> = shares
        .iter()
        .map(|(_, s)| {
            let mut r = Vec::with_capacity(s.y.len() + 1);
            r.push(s.number);
            r.extend_from_slice(&s.y);
            r
        })
        .collect();
    let raw = Zeroizing::new(raw);
    let wrong_key = || CombineError::WrongKey {
        kid: first.recipient.kid().clone(),
    };
    let prime = Zeroizing::new(Gf256::combine_bytes(raw.as_slice()).map_err(|_| wrong_key())?);
    Identity::from_secret_prime(&first.recipient, &prime).map_err(|_| wrong_key())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The core crate's backup test key.
    fn backup() -> Identity {
        Identity::from_pkcs8_pem(include_str!("../../core/tests/data/keys/backup.pem"), None)
            .expect("test key")
    }

    fn named(shares: Vec<Share>) -> Vec<(String, Share)> {
        shares
            .into_iter()
            .map(|s| (format!("#{}", s.number), s))
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
    fn a_mistyped_character_is_found_on_its_line() {
        let share = split(&backup(), 2, 3).expect("split").remove(1);
        let text = share.to_lines();
        let lines: Vec<&str> = text.lines().collect();
        // Line 3 of the data: change one character of its second group.
        let line = lines[3];
        let at = 8;
        let typo = if &line[at..=at] == "A" { "B" } else { "A" };
        let damaged = text.replacen(
            line,
            &format!("{}{typo}{}", &line[..at], &line[at + 1..]),
            1,
        );
        match Share::parse(&damaged) {
            Err(ShareError::Line { line: 3, .. }) => {}
            other => panic!("expected line 3 to be named: {other:?}"),
        }
        // Two lines swapped, and a line left out, are named too.
        let swapped = text
            .replacen(lines[2], "SWAP", 1)
            .replacen(lines[3], lines[2], 1)
            .replacen("SWAP", lines[3], 1);
        assert!(matches!(
            Share::parse(&swapped),
            Err(ShareError::Line { line: 2, .. })
        ));
        let missing = text.replacen(&format!("{}\n", lines[2]), "", 1);
        assert!(matches!(
            Share::parse(&missing),
            Err(ShareError::Line { line: 2, .. })
        ));
        // Typed back in lower case, with 0 for O and 1 for I, it is the same share.
        let retyped = text
            .to_lowercase()
            .replace(
                "begin sealform recovery share",
                "BEGIN SEALFORM RECOVERY SHARE",
            )
            .replace("end sealform recovery share", "END SEALFORM RECOVERY SHARE")
            .replace('o', "0")
            .replace('i', "1");
        assert_eq!(
            Share::parse(&retyped).expect("retyped").digest(),
            share.digest()
        );
        assert_eq!(
            Share::parse(&share.to_compact()).expect("compact").digest(),
            share.digest()
        );
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
        let mut altered = parse(&first[1].1);
        altered.y[0] ^= 1;
        let altered = Share::parse(&altered.to_lines()).expect("checksums recomputed");
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
        // The share's public part: the header and the public key.
        let public = MAGIC.len() + 4 + SET_LEN + 1 + exponent.len() + 2 + modulus.len();
        let holds =
            |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
        for share in split(&identity, 2, 2).expect("split") {
            let bytes = share.to_bytes();
            for window in prime.windows(16) {
                assert!(
                    !holds(&bytes, window),
                    "share {} holds prime bytes",
                    share.number
                );
            }
            // Past the public key, no run of the private key's bytes.
            for window in der.windows(16) {
                assert!(
                    !holds(&bytes[public..], window),
                    "share {} holds key bytes",
                    share.number
                );
            }
        }
    }
}
