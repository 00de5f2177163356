//! Recovery shares of a private key: the format of one share as bytes and as text a person can print, type back
//! and check. Splitting and combining (Shamir's secret sharing over GF(2^8)) is the CLI's; this module holds what
//! every share says and checks it, so that any m of a set's n shares rebuild the key and a wrong one is named.
//!
//! What is split is the key's secret prime ([`Identity::secret_prime`](crate::key::Identity::secret_prime));
//! every share also carries the public key, so that shares alone rebuild the whole key and its key id is checked.
//! A share as bytes (version 1):
//!
//! ```text
//! "SFSH" 1 | m | n | number | set (8) | len(e) (1) e | len(n) (2) n | digest of each share (n × 8)
//!        | len(y) (2) y | checksum (8)
//! ```
//!
//! `set` is random per split, so shares of two splits are never mixed; each share's digest (SHA-256 over a fixed
//! prefix, its set, number and `y`, the first 8 bytes) is in every share, so a share the others do not vouch for
//! is named; the checksum is the first 8 bytes of SHA-256 over everything before it. As text, the bytes are base32
//! (RFC 4648, no padding) in numbered lines between [`BEGIN`] and [`END`], each line ending with its own checksum
//! (20 bits of SHA-256 over its number and data), so a mistyped character is found on its line; or on one line
//! after [`COMPACT_PREFIX`] (what a sheet's QR code holds). `docs/FORMAT.md` has the details.

use std::fmt::Write as _;

use data_encoding::BASE32_NOPAD;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::key::Recipient;

/// The most shares a key may be split into: more would be more sheets to keep than any firm needs.
pub const MAX_SHARES: u8 = 16;
/// What every share's bytes start with.
const MAGIC: &[u8; 4] = b"SFSH";
/// The version of the layout above.
const VERSION: u8 = 1;
/// Bytes in a set id (random for each split).
pub const SET_LEN: usize = 8;
/// Bytes in a share's digest and in its checksum.
const DIGEST_LEN: usize = 8;
const CHECKSUM_LEN: usize = 8;
/// The line before a share's data on its sheet.
pub const BEGIN: &str = "-----BEGIN SEALFORM RECOVERY SHARE-----";
/// The line after a share's data on its sheet.
pub const END: &str = "-----END SEALFORM RECOVERY SHARE-----";
/// What starts the one-line form of a share (the QR code's content): upper case, so the QR code can use its
/// compact alphanumeric mode.
pub const COMPACT_PREFIX: &str = "SEALFORM-SHARE:";
/// Base32 characters of data per line (35 bytes), in groups of 8, and of each line's checksum (20 bits).
const LINE_CHARS: usize = 56;
const GROUP_CHARS: usize = 8;
const LINE_CHECK_CHARS: usize = 4;

/// One recovery share, its checksum and layout checked.
pub struct Share {
    threshold: u8,
    count: u8,
    number: u8,
    set: [u8; SET_LEN],
    recipient: Recipient,
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
pub enum ShareError {
    /// Neither a share sheet (or its numbered lines) nor the one-line form.
    #[error(
        "it is not a sealform recovery share: it has no line \"{BEGIN}\" and no numbered lines"
    )]
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

impl Share {
    /// The shares of one split: `values` holds each share's number and secret value, as a Shamir split of a
    /// [`Identity::secret_prime`](crate::key::Identity::secret_prime) over GF(2^8) gives them; `set` is random
    /// and new for each split. Every share records the digest of every other.
    pub fn set_of(
        threshold: u8,
        set: [u8; SET_LEN],
        recipient: &Recipient,
        values: Vec<(u8, Zeroizing<Vec<u8>>)>,
    ) -> Result<Vec<Self>, ShareError> {
        let count = u8::try_from(values.len()).unwrap_or(u8::MAX);
        let numbered = values
            .iter()
            .enumerate()
            .all(|(i, (number, _))| usize::from(*number) == i + 1);
        if !(2..=count).contains(&threshold) || count > MAX_SHARES || !numbered {
            return Err(ShareError::Malformed(
                "its threshold, count or number is impossible",
            ));
        }
        let digests: Vec<[u8; DIGEST_LEN]> = values
            .iter()
            .map(|(number, y)| digest(&set, *number, y))
            .collect();
        Ok(values
            .into_iter()
            .map(|(number, y)| Self {
                threshold,
                count,
                number,
                set,
                recipient: recipient.clone(),
                digests: digests.clone(),
                y,
            })
            .collect())
    }
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
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
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
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ShareError> {
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
    pub fn to_compact(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{COMPACT_PREFIX}{}",
            BASE32_NOPAD.encode(&self.to_bytes())
        ))
    }

    /// The share's data as numbered lines, each `NN  GROUPS…  CHECK`, between [`BEGIN`] and [`END`].
    pub fn to_lines(&self) -> Zeroizing<String> {
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
    pub fn parse(text: &str) -> Result<Self, ShareError> {
        let text = text.trim();
        if let Some(compact) = text.strip_prefix(COMPACT_PREFIX) {
            let bytes = Zeroizing::new(
                BASE32_NOPAD
                    .decode(normalise(compact).as_bytes())
                    .map_err(|_| ShareError::Checksum)?,
            );
            return Self::from_bytes(&bytes);
        }
        let all: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        let marker = |line: &&str, marker: &str| line.eq_ignore_ascii_case(marker);
        let lines: Vec<&str> = if all.iter().any(|line| marker(line, BEGIN)) {
            all.into_iter()
                .skip_while(|line| !marker(line, BEGIN))
                .skip(1)
                .take_while(|line| !marker(line, END))
                .collect()
        } else {
            // Typed back without the marker lines: every line is one of the share's.
            all.into_iter().filter(|line| !marker(line, END)).collect()
        };
        if !lines
            .first()
            .is_some_and(|line| line.starts_with(|c: char| c.is_ascii_digit()))
        {
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

    /// Whether this share is the one every share of its set records for its number: `false` for a share whose
    /// value was changed, even with its checksums made again.
    pub fn is_vouched_for(&self) -> bool {
        self.digests.get(usize::from(self.number) - 1) == Some(&self.digest())
    }

    /// Any this many shares of the set rebuild the key.
    pub fn threshold(&self) -> u8 {
        self.threshold
    }

    /// How many shares the set has.
    pub fn count(&self) -> u8 {
        self.count
    }

    /// This share's number, 1 to [`Share::count`]: its x coordinate.
    pub fn number(&self) -> u8 {
        self.number
    }

    /// The public half of the key the set rebuilds.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// The share's secret value: its y coordinate for each byte of the split secret.
    pub fn value(&self) -> &[u8] {
        &self.y
    }

    /// Whether two shares come from the same split of the same key.
    pub fn same_set(&self, other: &Self) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A set of three shares of made-up values for the firm's test key (the format does not care what they are).
    fn shares() -> Vec<Share> {
        let recipient = crate::test_keys::firm().recipient().clone();
        let values = (1..=3)
            .map(|i: u8| (i, Zeroizing::new(vec![i.wrapping_mul(37); 128])))
            .collect();
        Share::set_of(2, [9; SET_LEN], &recipient, values).expect("a set")
    }

    #[test]
    fn a_mistyped_character_is_found_on_its_line() {
        let share = shares().remove(1);
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
        // Typed back in lower case, and only the numbered lines, with 0 for O and 1 for I: the same share.
        let retyped: String = text
            .lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_digit()))
            .map(|line| {
                format!(
                    "{}\n",
                    line.to_lowercase().replace('o', "0").replace('i', "1")
                )
            })
            .collect();
        assert_eq!(
            Share::parse(&retyped).expect("retyped").digest(),
            share.digest()
        );
        assert_eq!(
            Share::parse(&text.to_lowercase())
                .expect("lower case")
                .digest(),
            share.digest()
        );
        assert_eq!(
            Share::parse(&share.to_compact()).expect("compact").digest(),
            share.digest()
        );
    }

    #[test]
    fn a_changed_value_is_caught_by_the_checksum_or_else_by_the_set() {
        let mut share = shares().remove(0);
        let mut bytes = share.to_bytes();
        let at = bytes.len() - CHECKSUM_LEN - 1;
        bytes[at] ^= 1;
        assert!(matches!(
            Share::from_bytes(&bytes),
            Err(ShareError::Checksum)
        ));
        assert!(share.is_vouched_for());
        // Changed and its checksums made again: the digests every share holds no longer vouch for it.
        share.y[0] ^= 1;
        let again = Share::parse(&share.to_lines()).expect("checksums recomputed");
        assert!(!again.is_vouched_for());
        assert!(again.same_set(&shares()[1]));
    }

    #[test]
    fn what_is_not_a_share_is_refused() {
        assert!(matches!(
            Share::parse("Dear Sir or Madam"),
            Err(ShareError::NotAShare)
        ));
        assert!(Share::parse(&format!("{COMPACT_PREFIX}AAAA")).is_err());
        assert!(Share::from_bytes(&[]).is_err());
        let mut bytes = shares()[0].to_bytes().to_vec();
        bytes.truncate(40);
        assert!(Share::from_bytes(&bytes).is_err());
        assert!(Share::set_of(4, [0; SET_LEN], shares()[0].recipient(), vec![]).is_err());
    }
}
