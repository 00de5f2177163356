//! The readable summaries written beside each opened submission: `summary.md` and `summary.html`. Everything in
//! them that the client wrote is untrusted, so every value goes through [`markdown_text`] or [`html_text`] and
//! can never become a link, markup or a script, nor hide or reorder text.

use std::fmt::Write as _;

use sealform_core::bundle::Opened;

use crate::revalidate::Check;
use crate::terminal;
use crate::view::Entry;

/// What a summary shows about one opened submission.
#[derive(Debug)]
pub(crate) struct Summary<'a> {
    /// The opened bundle.
    pub(crate) opened: &'a Opened,
    /// Where it came from, for the record.
    pub(crate) source: &'a str,
    /// When the receiver got it, if known.
    pub(crate) received_at: Option<&'a str>,
    /// The answers, labelled, in form order.
    pub(crate) entries: &'a [Entry],
    /// The result of checking the answers again.
    pub(crate) check: &'a Check,
}

/// A labelled line of the summary's heading part.
type Fact = (&'static str, String);

impl Summary<'_> {
    fn facts(&self) -> Vec<Fact> {
        let submission = &self.opened.submission;
        let mut facts = vec![
            ("Receipt", self.opened.receipt.short()),
            ("Receipt id", self.opened.receipt.full()),
            (
                "Form",
                format!(
                    "{} (version {})",
                    submission.form.id, submission.form.version
                ),
            ),
            (
                "Form schema SHA-256",
                submission.form.schema_sha256.to_string(),
            ),
            (
                "Submitted at (client's clock)",
                submission.submitted_at.clone(),
            ),
        ];
        if let Some(received) = self.received_at {
            facts.push(("Received at", received.to_owned()));
        }
        facts.push(("Submission id", submission.submission_id.clone()));
        facts.push(("Opened from", self.source.to_owned()));
        facts.push(("Answers checked again", self.check.status()));
        facts
    }

    /// One line per consent: given or not, and its text.
    fn consents(&self) -> Vec<(bool, String)> {
        self.opened
            .submission
            .consent
            .purposes
            .iter()
            .map(|purpose| (purpose.given, purpose.text.clone()))
            .collect()
    }

    /// One line per attachment: original name, saved name, type and size.
    fn attachments(&self, saved_names: &[String]) -> Vec<[String; 4]> {
        self.opened
            .submission
            .attachments
            .iter()
            .zip(saved_names)
            .map(|(info, saved)| {
                [
                    info.name.clone(),
                    format!("attachments/{saved}"),
                    info.media_type.clone(),
                    format!("{} bytes", info.size),
                ]
            })
            .collect()
    }

    fn title(&self) -> String {
        format!("Submission {}", self.opened.receipt.short())
    }

    /// The summary as Markdown, safe to view in any Markdown renderer; `saved_names` are the attachments' names
    /// on disk, in bundle order.
    pub(crate) fn markdown(&self, saved_names: &[String]) -> String {
        let mut out = format!("# {}\n\n", markdown_text(&self.title()));
        for (label, value) in self.facts() {
            let _ = writeln!(out, "- **{label}:** {}", markdown_text(&value));
        }
        section(
            &mut out,
            "Problems found when checking the answers again",
            |out| {
                for warning in self.check.warnings() {
                    let _ = writeln!(out, "- {}", markdown_text(&warning));
                }
            },
        );
        section(&mut out, "Answers", |out| {
            if self.entries.is_empty() {
                out.push_str("No answers.\n");
            }
            for entry in self.entries {
                let _ = writeln!(
                    out,
                    "- **{}:** {}",
                    markdown_text(&entry.label),
                    markdown_text(&entry.shown)
                );
            }
        });
        section(&mut out, "Consent", |out| {
            for (given, text) in self.consents() {
                let mark = if given { "given" } else { "not given" };
                let _ = writeln!(out, "- **{mark}:** {}", markdown_text(&text));
            }
        });
        section(&mut out, "Attachments", |out| {
            if saved_names.is_empty() {
                out.push_str("None.\n");
            }
            for [name, saved, media_type, size] in self.attachments(saved_names) {
                let _ = writeln!(
                    out,
                    "- {} saved as {} ({}, {})",
                    markdown_text(&name),
                    markdown_text(&saved),
                    markdown_text(&media_type),
                    markdown_text(&size)
                );
            }
        });
        out
    }

    /// The summary as a standalone HTML page that runs nothing and loads nothing.
    pub(crate) fn html(&self, saved_names: &[String]) -> String {
        let title = html_text(&self.title());
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<dl>\n"
        );
        for (label, value) in self.facts() {
            let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", html_text(&value));
        }
        out.push_str("</dl>\n");
        let warnings = self.check.warnings();
        if !warnings.is_empty() {
            out.push_str("<h2>Problems found when checking the answers again</h2>\n<ul class=\"problems\">\n");
            for warning in warnings {
                let _ = writeln!(out, "<li>{}</li>", html_text(&warning));
            }
            out.push_str("</ul>\n");
        }
        out.push_str("<h2>Answers</h2>\n<dl>\n");
        for entry in self.entries {
            let _ = writeln!(
                out,
                "<dt>{}</dt><dd>{}</dd>",
                html_text(&entry.label),
                html_text(&entry.shown)
            );
        }
        out.push_str("</dl>\n<h2>Consent</h2>\n<ul>\n");
        for (given, text) in self.consents() {
            let mark = if given { "given" } else { "not given" };
            let _ = writeln!(
                out,
                "<li><strong>{mark}:</strong> {}</li>",
                html_text(&text)
            );
        }
        out.push_str("</ul>\n<h2>Attachments</h2>\n<ul>\n");
        for [name, saved, media_type, size] in self.attachments(saved_names) {
            let _ = writeln!(
                out,
                "<li>{} saved as <code>{}</code> ({}, {})</li>",
                html_text(&name),
                html_text(&saved),
                html_text(&media_type),
                html_text(&size)
            );
        }
        out.push_str("</ul>\n</body>\n</html>\n");
        out
    }
}

/// Minimal print-friendly styling; inline because the page may load nothing.
const STYLE: &str =
    "body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;\
line-height:1.4}dt{font-weight:bold;margin-top:.6em}dd{margin-left:1.5em;white-space:pre-wrap}\
.problems{color:#b00}";

/// A `## heading` and its body, or nothing when the body is empty.
fn section(out: &mut String, heading: &str, body: impl FnOnce(&mut String)) {
    let mut text = String::new();
    body(&mut text);
    if !text.is_empty() {
        let _ = write!(out, "\n## {heading}\n\n{text}");
    }
}

/// `text` as HTML text or attribute content: the five characters with a meaning in HTML become references, so
/// no value can open a tag, end an attribute or start an entity; control and text-direction characters are shown
/// as `\u{202e}` (line breaks stay).
pub(crate) fn html_text(text: &str) -> String {
    let text = terminal::escape_keeping_lines(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `text` as literal Markdown text inside a list item. CommonMark lets any ASCII punctuation be escaped with a
/// backslash, so every one is: no emphasis, link, image, raw HTML, autolink, entity or code span can start, and
/// with `.` and `:` escaped neither do GitHub's bare `www.` and `https://` autolinks. Line breaks become hard
/// breaks indented into the list item, so a value cannot start a heading or end the list; other control and
/// text-direction characters are shown as `\u{202e}`.
pub(crate) fn markdown_text(text: &str) -> String {
    let text = terminal::escape_keeping_lines(text);
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\\n  "),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_cannot_be_injected() {
        assert_eq!(
            html_text(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(html_text("Zoë 王"), "Zoë 王");
    }

    #[test]
    fn hidden_characters_are_shown_not_obeyed() {
        // A right-to-left override (U+202E) before `fdp.exe` shows it as `exe.pdf`.
        assert_eq!(
            html_text("invoice\u{202E}fdp.exe\u{1b}[2K\nline 2"),
            "invoice\\u{202e}fdp.exe\\u{1b}[2K\nline 2"
        );
        assert_eq!(
            markdown_text("invoice\u{202E}fdp.exe\u{7}\u{2066}"),
            r"invoice\\u\{202e\}fdp\.exe\\u\{7\}\\u\{2066\}"
        );
    }

    #[test]
    fn markdown_cannot_make_links_or_markup() {
        assert_eq!(
            markdown_text("[click](https://evil.example) <img src=x>"),
            r"\[click\]\(https\:\/\/evil\.example\) \<img src\=x\>"
        );
        assert_eq!(
            markdown_text("**bold** _i_ `code`"),
            r"\*\*bold\*\* \_i\_ \`code\`"
        );
        assert_eq!(markdown_text("line\n# heading"), "line\\\n  \\# heading");
        assert_eq!(markdown_text("www.evil.com"), r"www\.evil\.com");
        assert_eq!(markdown_text("&amp; \u{7}"), r"\&amp\; \\u\{7\}");
        assert_eq!(markdown_text("Zoë 王"), "Zoë 王");
    }
}
