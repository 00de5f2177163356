//! How `sealform` fails: an [`Error`] is a message for a person (what happened, which file, what to do) and the
//! exit code it ends the run with. Also the wording of core's bundle errors, shared by `inspect` and `open`.

use std::fmt;

use sealform_core::bundle::OpenError;
use sealform_core::key::Kid;

use crate::terminal;

/// How a run ends, as a process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: everything asked for was done.
    Success,
    /// 1: some files failed (each was named on standard error); the others were done.
    SomeFailed,
    /// 2: nothing was done: the command line, a key, a passphrase or a folder is wrong.
    Usage,
}

impl Exit {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::SomeFailed => 1,
            Self::Usage => 2,
        }
    }

    /// [`Exit::Success`] when no file failed, else [`Exit::SomeFailed`].
    pub(crate) fn from_failures(failures: usize) -> Self {
        if failures == 0 {
            Self::Success
        } else {
            Self::SomeFailed
        }
    }
}

/// A failure that ends the run, with a message that says what to do about it.
#[derive(Debug)]
pub(crate) struct Error {
    exit: Exit,
    message: String,
}

impl Error {
    /// Nothing was done because the command line or its setup is wrong (exit code 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// The work failed part-way (exit code 1).
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::SomeFailed,
            message: message.into(),
        }
    }

    /// The exit code this error ends the run with.
    pub(crate) fn exit(&self) -> Exit {
        self.exit
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Reports one file's failure on standard error; the run goes on with the next file. Like every line written to
/// the terminal, the message is escaped ([`terminal::escape`]): it can quote what a client wrote.
pub(crate) fn report(message: &str) {
    eprintln!("error: {}", terminal::escape(message));
}

/// Reports something the user should know about but that does not stop the work.
pub(crate) fn warn(message: &str) {
    eprintln!("warning: {}", terminal::escape(message));
}

/// Reports several problems with one thing as one warning: `headline` on the `warning:` line, then each item on
/// its own indented line (escaped one by one, so no item can start a line of its own or forge another).
pub(crate) fn warn_grouped(headline: &str, items: &[String]) {
    eprintln!("{}", grouped("warning", headline, items));
}

/// The text of [`warn_grouped`]: a colon ends the headline when items follow it.
fn grouped(kind: &str, headline: &str, items: &[String]) -> String {
    let mut text = format!("{kind}: {}", terminal::escape(headline));
    if !items.is_empty() {
        text.push(':');
    }
    for item in items {
        text.push_str("\n  - ");
        text.push_str(&terminal::escape(item));
    }
    text
}

/// Says how the work goes (a file opened, skipped, written) on standard error.
pub(crate) fn note(message: &str) {
    eprintln!("{}", terminal::escape(message));
}

/// Says what went wrong with the bundle `name`, and what to do about it.
pub(crate) fn describe_bundle_error(name: &str, error: &OpenError) -> String {
    const RESEND: &str = "ask the client to send it again or use the receiver's copy";
    match error {
        OpenError::NotForThisKey {
            sealed_for,
            you_hold,
        } => {
            let which = match sealed_for.as_slice() {
                [one] => format!("the key whose fingerprint is {one}"),
                _ => format!("a key whose fingerprint is one of {}", kids(sealed_for, "")),
            };
            format!(
                "{name} is sealed for {}; you gave {} — use {which}",
                kids(sealed_for, "kid"),
                kids(you_hold, "kid"),
            )
        }
        OpenError::DecryptionFailed => {
            format!("{name} is damaged or was tampered with: {RESEND}")
        }
        OpenError::AttachmentCount { .. } | OpenError::AttachmentAltered { .. } => {
            format!("{name} is damaged or was tampered with ({error}): {RESEND}")
        }
        OpenError::Malformed { .. } => format!(
            "{name}: {error}. Check that this is a bundle the sealform form produced; if it is, {RESEND}"
        ),
        // "unsupported format version …: update sealform" already says what to do.
        _ => format!("{name}: {error}"),
    }
}

/// `kid X` or `kids X, Y` (without the word when `noun` is empty).
fn kids(kids: &[Kid], noun: &str) -> String {
    let list = kids.iter().map(Kid::as_str).collect::<Vec<_>>().join(", ");
    match (noun, kids.len()) {
        ("", _) => list,
        (_, 0) => format!("no {noun}"),
        (_, 1) => format!("{noun} {list}"),
        _ => format!("{noun}s {list}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_a_headline_then_one_indented_line_per_item() {
        assert_eq!(
            grouped(
                "warning",
                "x.bundle (receipt AAAA-BBBB-CCCC-DDDD): the answers break 2 rules of their form",
                &["email: not an email address".into(), "a\nb\u{1b}[2K".into()]
            ),
            "warning: x.bundle (receipt AAAA-BBBB-CCCC-DDDD): the answers break 2 rules of their form:\n  \
             - email: not an email address\n  - a\\u{a}b\\u{1b}[2K"
        );
        assert_eq!(grouped("warning", "one line", &[]), "warning: one line");
    }
}
