//! The audit trail's hash chain, shared by the receiver's log of pickups and the firm's `audit.log` of openings:
//! each entry records what was done, by whom, to which receipts, and holds the SHA-256 of the entry before it, so an
//! edited, removed or reordered entry breaks the chain at a place [`verify`] names. Never any content.
//!
//! An entry is one line of JSON (JSON Lines); its `hash` is the SHA-256 of the same line without the `hash` member.
//!
//! ```
//! use sealform_core::audit::{verify, Chain};
//! let mut chain = Chain::new();
//! let first = chain.append("2026-11-30T10:00:00Z", "download", "token:1a2b3c4d", &[], &[]);
//! let second = chain.append("2026-11-30T10:00:01Z", "acknowledge", "token:1a2b3c4d", &[], &[]);
//! let log = format!("{}\n{}\n", first.to_line(), second.to_line());
//! assert_eq!(verify(&log)?.seq, 2);
//! # Ok::<(), sealform_core::audit::BrokenChain>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::bundle::ReceiptId;
use crate::digest::Sha256Digest;

/// What the first entry's `prev` holds: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What was done: the receiver writes the first five, `sealform open` the last.
pub mod action {
    /// A bundle was downloaded with a pickup token.
    pub const DOWNLOAD: &str = "download";
    /// Bundles were acknowledged as collected.
    pub const ACKNOWLEDGE: &str = "acknowledge";
    /// Collected bundles were deleted from the store (after the keep period, or by an operator's purge).
    pub const DELETE: &str = "delete";
    /// A request to the pickup API came with a missing or wrong token.
    pub const AUTH_FAILED: &str = "auth_failed";
    /// A pickup request came over plain HTTP from another machine and was refused (its token is exposed).
    pub const PLAIN_HTTP: &str = "plain_http_refused";
    /// Bundles were opened with the firm's private key (`sealform open --out`).
    pub const OPEN: &str = "open";
}

/// One entry. Its members are written in this order; that order is part of the hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// 1 for the first entry, then one more each time.
    pub seq: u64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// What was done: one of [`action`]'s names (others are read, for entries of later versions).
    pub action: String,
    /// Who: `token:<first 8 hex digits of its SHA-256>` on the receiver, `user:<name>` on the firm's machine,
    /// `ip:<address>` for a failed authentication.
    pub actor: String,
    /// The key ids used, for openings; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kids: Vec<String>,
    /// The receipts concerned; may be empty.
    pub receipts: Vec<ReceiptId>,
    /// The `hash` of the entry before (for the first, [`GENESIS`]).
    pub prev: String,
    /// The SHA-256 of this entry's line without this member.
    pub hash: String,
}

/// The members that are hashed: every one but `hash`, in the same order.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at: &'a str,
    action: &'a str,
    actor: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    kids: &'a [String],
    receipts: &'a [ReceiptId],
    prev: &'a str,
}

impl Entry {
    /// What this entry's `hash` must be.
    pub fn expected_hash(&self) -> String {
        let hashed = Hashed {
            seq: self.seq,
            at: &self.at,
            action: &self.action,
            actor: &self.actor,
            kids: &self.kids,
            receipts: &self.receipts,
            prev: &self.prev,
        };
        // Strings, numbers and lists of them: serialising cannot fail.
        let text = serde_json::to_vec(&hashed).unwrap_or_default();
        Sha256Digest::of(&text).to_string()
    }

    /// The entry as one line of JSON, without the newline.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Where the chain stands after this entry.
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// Where a chain stands: its last entry's number and hash. Kept by whoever wants to notice, later, that entries
/// were removed from the end or rewritten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The last entry's `seq` (0 for an empty chain).
    pub seq: u64,
    /// The last entry's `hash` ([`GENESIS`] for an empty chain).
    pub hash: String,
}

impl Head {
    /// The head of an empty chain.
    pub fn empty() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// A chain being written: makes each next entry.
#[derive(Clone, Debug)]
pub struct Chain {
    head: Head,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// An empty chain.
    pub fn new() -> Self {
        Self {
            head: Head::empty(),
        }
    }

    /// A chain that goes on after `head` (its last entry, as read back).
    pub fn resume(head: Head) -> Self {
        Self { head }
    }

    /// Where the chain stands.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Makes the next entry and moves the head to it.
    pub fn append(
        &mut self,
        at: &str,
        action: &str,
        actor: &str,
        kids: &[String],
        receipts: &[ReceiptId],
    ) -> Entry {
        let mut entry = Entry {
            seq: self.head.seq + 1,
            at: at.to_owned(),
            action: action.to_owned(),
            actor: actor.to_owned(),
            kids: kids.to_vec(),
            receipts: receipts.to_vec(),
            prev: self.head.hash.clone(),
            hash: String::new(),
        };
        entry.hash = entry.expected_hash();
        self.head = entry.head();
        entry
    }
}

/// Where and why a chain is broken: the first bad link, by line and entry number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {reason}", entry_label(*.seq))]
pub struct BrokenChain {
    /// The line of the text (from 1) where the chain breaks.
    pub line: usize,
    /// The entry's `seq`, when the line could be read.
    pub seq: Option<u64>,
    /// What is wrong there.
    pub reason: Broken,
}

fn entry_label(seq: Option<u64>) -> String {
    seq.map(|seq| format!(" (entry {seq})")).unwrap_or_default()
}

/// What is wrong at a broken link.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Broken {
    /// The line is not an audit entry.
    #[error("not an audit entry ({0})")]
    Unreadable(String),
    /// The entry's number is not one more than the entry before's: entries were removed, added or reordered.
    #[error("its number should be {expected}: entries before it were removed, added or reordered")]
    Sequence {
        /// The number it should have.
        expected: u64,
    },
    /// The entry's `prev` is not the entry before's hash: an entry was removed or replaced.
    #[error("it does not follow the entry before it (its prev is not that entry's hash): an entry was removed or replaced")]
    Link,
    /// The entry's hash does not match its contents.
    #[error("its contents do not match its hash: this entry was edited")]
    Edited,
    /// The chain no longer holds an entry seen before (given as the head to check against).
    #[error("entry {seq} seen earlier (hash {hash}) is no longer there as it was: the trail was cut short or rewritten")]
    Rewritten {
        /// The number of the entry seen earlier.
        seq: u64,
        /// Its hash then.
        hash: String,
    },
}

/// Checks every link of a chain written as JSON Lines (blank lines are ignored) and returns its head.
pub fn verify(text: &str) -> Result<Head, BrokenChain> {
    verify_against(text, None)
}

/// As [`verify`], and also checks that the chain still holds `seen`, the head of the same chain read earlier: a
/// trail whose end was cut off, or that was rewritten from some entry on, fails here even if every link holds.
pub fn verify_against(text: &str, seen: Option<&Head>) -> Result<Head, BrokenChain> {
    let mut head = Head::empty();
    let mut found_seen = seen.is_none_or(|seen| seen.seq == 0);
    let mut last_line = 0;
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        last_line = line_no;
        let broken = |seq, reason| BrokenChain {
            line: line_no,
            seq,
            reason,
        };
        let entry: Entry = serde_json::from_str(line)
            .map_err(|e| broken(None, Broken::Unreadable(e.to_string())))?;
        let seq = Some(entry.seq);
        if entry.seq != head.seq + 1 {
            return Err(broken(
                seq,
                Broken::Sequence {
                    expected: head.seq + 1,
                },
            ));
        }
        if entry.hash != entry.expected_hash() {
            return Err(broken(seq, Broken::Edited));
        }
        if entry.prev != head.hash {
            return Err(broken(seq, Broken::Link));
        }
        if let Some(seen) = seen {
            if seen.seq == entry.seq {
                if seen.hash != entry.hash {
                    return Err(broken(seq, rewritten(seen)));
                }
                found_seen = true;
            }
        }
        head = entry.head();
    }
    match seen {
        Some(seen) if !found_seen => Err(BrokenChain {
            line: last_line + 1,
            seq: None,
            reason: rewritten(seen),
        }),
        _ => Ok(head),
    }
}

fn rewritten(seen: &Head) -> Broken {
    Broken::Rewritten {
        seq: seen.seq,
        hash: seen.hash.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: u64) -> (Vec<Entry>, String) {
        let mut chain = Chain::new();
        let receipt = ReceiptId::of(b"bundle");
        let entries: Vec<Entry> = (0..n)
            .map(|i| {
                chain.append(
                    &format!("2026-11-30T10:00:{i:02}Z"),
                    action::DOWNLOAD,
                    "token:1a2b3c4d",
                    &[],
                    &[receipt],
                )
            })
            .collect();
        let text = entries.iter().map(|e| e.to_line() + "\n").collect();
        (entries, text)
    }

    #[test]
    fn a_chain_verifies_to_its_head() {
        let (entries, text) = sample(5);
        assert_eq!(verify(&text).unwrap(), entries[4].head());
        assert_eq!(verify("").unwrap(), Head::empty());
        assert_eq!(entries[0].prev, GENESIS);
        assert_eq!(entries[1].prev, entries[0].hash);
    }

    #[test]
    fn the_hash_is_over_the_line_without_it() {
        let (entries, _) = sample(1);
        let line = entries[0].to_line();
        let without = line.replace(&format!(r#","hash":"{}""#, entries[0].hash), "");
        assert_eq!(
            Sha256Digest::of(without.as_bytes()).to_string(),
            entries[0].hash
        );
    }

    #[test]
    fn an_edited_entry_is_named() {
        let (_, text) = sample(5);
        let edited = text.replacen("10:00:02Z", "10:00:09Z", 1);
        let error = verify(&edited).unwrap_err();
        assert_eq!(
            (error.line, error.seq, error.reason.clone()),
            (3, Some(3), Broken::Edited)
        );
        assert!(error.to_string().contains("entry 3"), "{error}");
    }

    #[test]
    fn a_removed_or_replaced_entry_is_named() {
        let (entries, text) = sample(5);
        let lines: Vec<&str> = text.lines().collect();
        let removed = [lines[0], lines[1], lines[3], lines[4]].join("\n");
        let error = verify(&removed).unwrap_err();
        assert_eq!(error.reason, Broken::Sequence { expected: 3 });

        // Entry 3 rewritten with a good hash of its own: entry 3 itself verifies, entry 4 no longer follows.
        let mut forged = entries[2].clone();
        forged.actor = "token:ffffffff".into();
        forged.hash = forged.expected_hash();
        let replaced = [lines[0], lines[1], &forged.to_line(), lines[3], lines[4]].join("\n");
        let error = verify(&replaced).unwrap_err();
        assert_eq!((error.seq, error.reason), (Some(4), Broken::Link));
    }

    #[test]
    fn a_trail_cut_short_is_caught_by_the_head_seen_before() {
        let (entries, text) = sample(5);
        let seen = entries[4].head();
        assert!(verify_against(&text, Some(&seen)).is_ok());
        let cut: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert!(verify(&cut).is_ok(), "every link of what is left holds");
        let error = verify_against(&cut, Some(&seen)).unwrap_err();
        assert!(
            matches!(error.reason, Broken::Rewritten { seq: 5, .. }),
            "{error}"
        );

        // Rewritten from entry 2 on, consistently: the links hold but entry 5 is not the one seen.
        let mut chain = Chain::resume(entries[0].head());
        let rewritten: String = std::iter::once(entries[0].to_line())
            .chain((0..4).map(|i| {
                chain
                    .append(
                        &format!("2026-12-01T00:00:0{i}Z"),
                        action::DELETE,
                        "x",
                        &[],
                        &[],
                    )
                    .to_line()
            }))
            .map(|l| l + "\n")
            .collect();
        assert!(verify(&rewritten).is_ok());
        let error = verify_against(&rewritten, Some(&seen)).unwrap_err();
        assert_eq!(error.seq, Some(5));
    }

    #[test]
    fn unknown_members_and_garbage_are_unreadable() {
        let (entries, _) = sample(1);
        let extra = entries[0].to_line().replacen('{', r#"{"note":"x","#, 1);
        assert!(matches!(
            verify(&extra).unwrap_err().reason,
            Broken::Unreadable(_)
        ));
        assert!(matches!(
            verify("not json").unwrap_err().reason,
            Broken::Unreadable(_)
        ));
    }
}
