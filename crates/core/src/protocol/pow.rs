//! Proof of work: the rule the form solves and the receiver checks — SHA-256 of `<challenge>.<solution>` must
//! start with N zero bits — and the header that carries it. Issuing and checking challenges stays in the receiver.
//!
//! About 2^N hashes for the client, one for the server: a flood of submissions costs the sender, not the firm. The
//! challenge is opaque here; the receiver signs it with a key only it holds (docs/RECEIVER.md).

use std::fmt;

use sha2::{Digest as _, Sha256};

/// The header a submission carries its solved challenge in, as a [`Token`]. Header names are case-insensitive;
/// this is how the form writes it.
pub const HEADER: &str = "Sealform-Pow";

/// The header on the form config's response (`GET /config.json`) by which a receiver that asks for a proof of
/// work says so, with its difficulty in bits. The form asks for a challenge only when it is there: a receiver
/// without proof of work has no challenge route, and asking it would put a 404 in every client's console.
pub const REQUIRED_HEADER: &str = "Sealform-Pow-Bits";

/// Whether a [`REQUIRED_HEADER`] value asks for a proof of work: a number of bits from 1 to 255. A missing or
/// unreadable value asks for none (the form still answers a 403 for a missing proof by solving one then).
pub fn required(value: Option<&str>) -> bool {
    value
        .and_then(|bits| bits.trim().parse::<u8>().ok())
        .is_some_and(|bits| bits > 0)
}

/// The longest solution a receiver accepts: a counter in any base fits easily.
pub const MAX_SOLUTION_LEN: usize = 64;

/// A solved challenge as the [`HEADER`] carries it: `<challenge>.<solution>` ([`Token::parse`], and
/// [`Display`](fmt::Display) to write it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The challenge as the receiver issued it (base64url, so it holds no `.`).
    pub challenge: &'a str,
    /// The client's solution: 1 to [`MAX_SOLUTION_LEN`] printable ASCII characters.
    pub solution: &'a str,
}

impl<'a> Token<'a> {
    /// Reads a header value; `None` unless it is a challenge, a `.`, and a solution of 1 to [`MAX_SOLUTION_LEN`]
    /// printable ASCII characters. Whether the challenge is a real one is for the receiver to say.
    pub fn parse(value: &'a str) -> Option<Self> {
        let (challenge, solution) = value.split_once('.')?;
        let well_formed = !solution.is_empty()
            && solution.len() <= MAX_SOLUTION_LEN
            && solution.bytes().all(|b| b.is_ascii_graphic());
        well_formed.then_some(Self {
            challenge,
            solution,
        })
    }

    /// Whether the solution solves the challenge at `bits`.
    pub fn meets(&self, bits: u8) -> bool {
        meets(self.challenge, self.solution, bits)
    }
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.challenge, self.solution)
    }
}

/// The number of leading zero bits of SHA-256(`challenge` `.` `solution`): the work a solution shows.
pub fn leading_zero_bits(challenge: &str, solution: &str) -> u32 {
    let digest = Sha256::new()
        .chain_update(challenge)
        .chain_update(".")
        .chain_update(solution)
        .finalize();
    zero_bits(&digest)
}

/// Whether `solution` solves `challenge` at `bits`: the receiver's check, and the solver's goal.
pub fn meets(challenge: &str, solution: &str, bits: u8) -> bool {
    leading_zero_bits(challenge, solution) >= u32::from(bits)
}

fn zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        bits += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    bits
}

/// A search for a solution, in steps, so a page can let other work run in between. It tries the counters 0, 1,
/// 2, … written in decimal, which any receiver accepts.
#[derive(Clone, Debug)]
pub struct Solver<'a> {
    challenge: &'a str,
    bits: u8,
    next: u64,
}

impl<'a> Solver<'a> {
    /// A search for a solution of `challenge` at `bits`, starting from 0.
    pub fn new(challenge: &'a str, bits: u8) -> Self {
        Self {
            challenge,
            bits,
            next: 0,
        }
    }

    /// Tries the next `count` solutions; the whole [`HEADER`] value of the first that meets the bits, if any.
    pub fn step(&mut self, count: u64) -> Option<String> {
        let end = self.next.saturating_add(count);
        let found = (self.next..end).find(|n| meets(self.challenge, &n.to_string(), self.bits));
        self.next = end;
        found.map(|n| {
            Token {
                challenge: self.challenge,
                solution: &n.to_string(),
            }
            .to_string()
        })
    }
}

/// Finds a solution of `challenge` at `bits` in one go (about 2^bits hashes) and returns the whole [`HEADER`]
/// value. For tests and native clients; the form uses a [`Solver`] in slices so the page never stalls.
pub fn solve(challenge: &str, bits: u8) -> String {
    Solver::new(challenge, bits)
        .step(u64::MAX)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by brute force: the first decimal solution at 8 bits (its hash starts 0012c93c…, 11 zero bits), and
    /// at 12 bits (00087b5d…, exactly 12).
    const CHALLENGE: &str = "sealform-test-challenge";
    const AT_8: &str = "sealform-test-challenge.292";
    const AT_12: &str = "sealform-test-challenge.2528";

    #[test]
    fn counts_leading_zero_bits() {
        assert_eq!(zero_bits(&[0xff]), 0);
        assert_eq!(zero_bits(&[0x00, 0x10]), 11);
        assert_eq!(zero_bits(&[0, 0]), 16);
        assert_eq!(leading_zero_bits(CHALLENGE, "292"), 11);
        assert_eq!(leading_zero_bits(CHALLENGE, "2528"), 12);
        assert_eq!(leading_zero_bits(CHALLENGE, "3"), 3);
    }

    #[test]
    fn the_solver_finds_the_known_solutions() {
        assert_eq!(solve(CHALLENGE, 8), AT_8);
        assert_eq!(solve(CHALLENGE, 12), AT_12);
        // In slices, as the form runs it: none in the first two, then the same answer.
        let mut solver = Solver::new(CHALLENGE, 8);
        assert_eq!(solver.step(100), None);
        assert_eq!(solver.step(100), None);
        assert_eq!(solver.step(100).as_deref(), Some(AT_8));
    }

    #[test]
    fn the_verifier_accepts_the_known_solutions() {
        let token = Token::parse(AT_8).unwrap();
        assert_eq!(
            token,
            Token {
                challenge: CHALLENGE,
                solution: "292"
            }
        );
        assert!(token.meets(8));
        assert!(token.meets(11));
        assert!(!token.meets(12));
        assert!(Token::parse(AT_12).unwrap().meets(12));
        assert!(!Token::parse("sealform-test-challenge.293")
            .unwrap()
            .meets(8));
    }

    #[test]
    fn a_token_reads_back_as_written() {
        for text in [AT_8, "abc.1.2", "abc.ff", "x.~"] {
            assert_eq!(Token::parse(text).unwrap().to_string(), text);
        }
        let longest = format!("abc.{}", "9".repeat(MAX_SOLUTION_LEN));
        assert!(Token::parse(&longest).is_some());
    }

    #[test]
    fn the_config_says_whether_proof_of_work_is_asked_for() {
        assert!(required(Some("18")));
        assert!(required(Some(" 1 ")));
        for none in [
            None,
            Some(""),
            Some("0"),
            Some("-3"),
            Some("256"),
            Some("yes"),
        ] {
            assert!(!required(none), "{none:?}");
        }
    }

    #[test]
    fn malformed_tokens() {
        let too_long = format!("abc.{}", "9".repeat(MAX_SOLUTION_LEN + 1));
        for bad in ["nonsense", "abc.", "abc. 1", "abc.1 ", "abc.é", &too_long] {
            assert_eq!(Token::parse(bad), None, "{bad}");
        }
    }
}
