//! Text on its way to a terminal or a summary: what a client wrote (field ids, answers, file names, and messages
//! quoting them) must not move the cursor, erase a line, ring, or reorder what is shown, so [`escape`] makes it seen.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` acts on a terminal or on how text is laid out rather than showing as itself: the C0 and C1 control
/// characters and DEL (escape sequences, carriage return, bell, …), the line and paragraph separators, and the
/// Unicode bidirectional formatting characters (UAX #9: embeddings and overrides U+202A–U+202E, isolates
/// U+2066–U+2069, and the marks U+200E, U+200F and U+061C), which can make `exe.pdf` show as `fdp.exe`.
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_hidden`] character, line breaks included, written as visible text in Rust's form,
/// `\u{1b}`: for one line on a terminal. Nothing else changes (a backslash stays one), so escaping twice is the
/// same as once.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    escape_unless(text, |_| false)
}

/// [`escape`], but line breaks stay: for text of several lines whose untrusted parts were escaped with [`escape`]
/// already, and for summaries, which show an answer's lines as lines.
pub(crate) fn escape_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_unless(text, |c| c == '\n')
}

/// JSON text (as serde_json writes it) with every [`is_hidden`] character that serde_json leaves as it is (DEL, the
/// C1 controls, the separators and direction marks) written as a JSON escape, `\u202e`: the same JSON value, safe
/// to print. Such a character can only be inside a string, where the escape means the same; the pretty printer's
/// line breaks, outside strings, stay.
pub(crate) fn escape_json(json: &str) -> Cow<'_, str> {
    escape_with(
        json,
        |c| c == '\n',
        |out, c| {
            // Every hidden character is in the Basic Multilingual Plane: one \uXXXX each.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        },
    )
}

fn escape_unless(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    escape_with(text, keep, |out, c| {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    })
}

/// `text` with each hidden character that `keep` does not keep written by `write`; borrowed when there is none.
fn escape_with(
    text: &str,
    keep: impl Fn(char) -> bool,
    write: impl Fn(&mut String, char),
) -> Cow<'_, str> {
    let needs = |c: char| is_hidden(c) && !keep(c);
    let Some(first) = text.find(needs) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if needs(c) {
            write(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_direction_marks_become_visible() {
        assert_eq!(
            escape("\u{1b}[2K\rOpened x into y\u{7}"),
            r"\u{1b}[2K\u{d}Opened x into y\u{7}"
        );
        assert_eq!(escape("a\nb\tc\u{7f}\u{9b}"), r"a\u{a}b\u{9}c\u{7f}\u{9b}");
        assert_eq!(
            escape(
                "invoice\u{202E}fdp.exe \u{2066}\u{2069}\u{61C}\u{200E}\u{200F}\u{2028}\u{2029}"
            ),
            r"invoice\u{202e}fdp.exe \u{2066}\u{2069}\u{61c}\u{200e}\u{200f}\u{2028}\u{2029}"
        );
        assert!(matches!(escape("Zoë 王 🙂 مرحبا C:\\x"), Cow::Borrowed(_)));
        let once = escape("\u{1b}]0;title\u{7}");
        assert_eq!(escape(&once), once);
    }

    #[test]
    fn lines_can_be_kept() {
        assert_eq!(
            escape_keeping_lines("line 1\nline\r2\u{202E}"),
            "line 1\nline\\u{d}2\\u{202e}"
        );
    }

    #[test]
    fn json_stays_the_same_value() {
        let value = serde_json::json!({ "a\u{202E}": "\u{1b}[2K\r\u{9b}\u{7f}\u{2028}x\ny" });
        let json = serde_json::to_string_pretty(&value).expect("JSON");
        let escaped = escape_json(&json);
        assert!(!escaped.contains(is_hidden_not_newline), "{escaped}");
        assert!(escaped.contains(r"\u202e"), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).expect("still JSON");
        assert_eq!(back, value);
    }

    fn is_hidden_not_newline(c: char) -> bool {
        is_hidden(c) && c != '\n'
    }
}
