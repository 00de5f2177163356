//! The readable summaries written beside each opened submission: `summary.md` and `summary.html`. Both are written
//! from one [`Document`], so they always say the same things in the same order. Everything in them that the
//! client wrote is untrusted: in Markdown every value goes through [`markdown_text`] or [`code_span`]; in HTML
//! maud escapes every value it is given. Neither can become a link, markup or a script, nor hide or reorder text.

use std::collections::BTreeMap;

use maud::{html, Markup, PreEscaped, DOCTYPE};
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
    /// Each consent's text in the language the firm asked for too (`--lang`), by id; empty when none.
    pub(crate) consents_also: &'a BTreeMap<String, String>,
    /// The result of checking the answers again.
    pub(crate) check: &'a Check,
}

/// A summary's content, before it is written as Markdown or HTML.
#[derive(Debug)]
struct Document {
    /// The receipt's short form, shown in the title.
    receipt: String,
    /// The blocks under the title, in order; the first has no heading.
    blocks: Vec<Block>,
}

/// A run of labelled or plain items, with an optional heading and lead sentence.
#[derive(Debug)]
struct Block {
    /// The `##` heading; `None` for the facts under the title.
    heading: Option<&'static str>,
    /// A sentence before the items.
    lead: Option<String>,
    /// Shown instead of the items when there are none; a block with neither items, lead nor this is left out.
    when_empty: Option<&'static str>,
    /// Whether the items are a list of name and value (`<dl>`) rather than a bulleted list (`<ul>`).
    definitions: bool,
    /// Whether the block reports problems (styled as a warning in HTML).
    warning: bool,
    items: Vec<Item>,
}

/// One item: an optional label and its value.
#[derive(Debug)]
struct Item {
    label: Option<String>,
    value: Vec<Part>,
}

/// A piece of a value.
#[derive(Debug)]
enum Part {
    /// An id, a digest, a time or a path: shown as code, exactly as it is.
    Code(String),
    /// Words.
    Words(String),
}

impl Block {
    fn new(heading: &'static str) -> Self {
        Self {
            heading: Some(heading),
            lead: None,
            when_empty: None,
            definitions: false,
            warning: false,
            items: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty() && self.lead.is_none() && self.when_empty.is_none()
    }
}

impl Item {
    fn labelled(label: impl Into<String>, value: Vec<Part>) -> Self {
        Self {
            label: Some(label.into()),
            value,
        }
    }

    fn plain(value: Vec<Part>) -> Self {
        Self { label: None, value }
    }
}

fn code(text: impl Into<String>) -> Part {
    Part::Code(text.into())
}

fn words(text: impl Into<String>) -> Part {
    Part::Words(text.into())
}

impl Summary<'_> {
    /// What the summary says; `saved_names` are the attachments' names on disk, in bundle order.
    fn document(&self, saved_names: &[String]) -> Document {
        Document {
            receipt: self.opened.receipt.short(),
            blocks: vec![
                self.facts(),
                self.problems(),
                self.answers(),
                self.consents(),
                self.attachments(saved_names),
            ],
        }
    }

    fn facts(&self) -> Block {
        let submission = &self.opened.submission;
        let mut facts = vec![
            Item::labelled("Receipt", vec![code(self.opened.receipt.short())]),
            Item::labelled("Receipt id", vec![code(self.opened.receipt.full())]),
            Item::labelled(
                "Form",
                vec![
                    code(&submission.form.id),
                    words(" (version "),
                    code(&submission.form.version),
                    words(")"),
                ],
            ),
            Item::labelled(
                "Form schema SHA-256",
                vec![code(submission.form.schema_sha256.to_string())],
            ),
            Item::labelled(
                "Submitted at (client's clock)",
                vec![code(&submission.submitted_at)],
            ),
        ];
        if let Some(received) = self.received_at {
            facts.push(Item::labelled("Received at", vec![code(received)]));
        }
        facts.push(Item::labelled(
            "Submission id",
            vec![code(&submission.submission_id)],
        ));
        facts.push(Item::labelled("Opened from", vec![code(self.source)]));
        facts.push(Item::labelled(
            "Answers checked again",
            vec![words(self.check.status())],
        ));
        Block {
            heading: None,
            definitions: true,
            items: facts,
            ..Block::new("")
        }
    }

    /// What checking the answers again found, if anything.
    fn problems(&self) -> Block {
        let mut block = Block {
            warning: true,
            ..Block::new("Problems found when checking the answers again")
        };
        if let Some(warning) = self.check.warning() {
            block.lead = Some(format!("{}.", capitalized(&warning.headline)));
            block.items = warning
                .problems
                .iter()
                .map(|problem| Item::plain(vec![words(problem)]))
                .collect();
        }
        block
    }

    fn answers(&self) -> Block {
        Block {
            when_empty: Some("No answers."),
            definitions: true,
            items: self
                .entries
                .iter()
                .map(|entry| Item::labelled(&entry.label, vec![words(&entry.shown)]))
                .collect(),
            ..Block::new("Answers")
        }
    }

    /// One item per consent: given or not, and its text.
    fn consents(&self) -> Block {
        Block {
            when_empty: Some("None asked."),
            items: self
                .opened
                .submission
                .consent
                .purposes
                .iter()
                .map(|purpose| {
                    let mark = if purpose.given { "given" } else { "not given" };
                    let mut value = vec![words(&purpose.text)];
                    // What the client read comes first: it is what they agreed to; the firm's words follow.
                    if let Some(other) = self.consents_also.get(&purpose.id) {
                        if *other != purpose.text {
                            value.push(words(format!(" ({other})")));
                        }
                    }
                    Item::labelled(mark, value)
                })
                .collect(),
            ..Block::new("Consent")
        }
    }

    /// One item per attachment: original name, saved name, type and size.
    fn attachments(&self, saved_names: &[String]) -> Block {
        let items = self
            .opened
            .submission
            .attachments
            .iter()
            .zip(saved_names)
            .map(|(info, saved)| {
                let size = match info.size {
                    1 => "1 byte".to_owned(),
                    size => format!("{size} bytes"),
                };
                Item::plain(vec![
                    code(&info.name),
                    words(" saved as "),
                    code(format!("attachments/{saved}")),
                    words(" ("),
                    code(&info.media_type),
                    words(format!(", {size})")),
                ])
            })
            .collect();
        Block {
            when_empty: Some("None."),
            items,
            ..Block::new("Attachments")
        }
    }

    /// The summary as Markdown, safe to view in any Markdown renderer and plain to read as text; `saved_names` are
    /// the attachments' names on disk, in bundle order.
    pub(crate) fn markdown(&self, saved_names: &[String]) -> String {
        self.document(saved_names).markdown()
    }

    /// The summary as a standalone HTML page that runs nothing and loads nothing.
    pub(crate) fn html(&self, saved_names: &[String]) -> String {
        self.document(saved_names).html().into_string()
    }
}

impl Document {
    fn title(&self) -> String {
        format!("Submission {}", self.receipt)
    }

    fn markdown(&self) -> String {
        let mut out = format!("# Submission {}\n", code_span(&self.receipt));
        for block in self.blocks.iter().filter(|block| !block.is_empty()) {
            if let Some(heading) = block.heading {
                out.push_str(&format!("\n## {heading}\n"));
            }
            out.push('\n');
            if let Some(lead) = &block.lead {
                out.push_str(&markdown_text(lead, Place::LineStart));
                out.push_str(if block.items.is_empty() { "\n" } else { "\n\n" });
            }
            if let (true, Some(empty)) = (block.items.is_empty(), block.when_empty) {
                out.push_str(empty);
                out.push('\n');
            }
            for item in &block.items {
                out.push_str("- ");
                let place = match &item.label {
                    Some(label) => {
                        out.push_str(&format!("**{}:** ", markdown_text(label, Place::AfterText)));
                        Place::AfterText
                    }
                    None => Place::LineStart,
                };
                for (index, part) in item.value.iter().enumerate() {
                    let place = if index == 0 { place } else { Place::AfterText };
                    out.push_str(&part.markdown(place));
                }
                out.push('\n');
            }
        }
        out
    }

    fn html(&self) -> Markup {
        let title = self.title();
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'";
                    title { (shown(&title)) }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    h1 { (shown(&title)) }
                    @for block in self.blocks.iter().filter(|block| !block.is_empty()) {
                        (block.html())
                    }
                }
            }
        }
    }
}

impl Block {
    fn html(&self) -> Markup {
        let class = self.warning.then_some("problems");
        html! {
            @if let Some(heading) = self.heading {
                h2 { (heading) }
            }
            @if let Some(lead) = &self.lead {
                p class=[class] { (shown(lead)) }
            }
            @if self.items.is_empty() {
                @if let Some(empty) = self.when_empty {
                    p { (empty) }
                }
            } @else if self.definitions {
                dl {
                    @for item in &self.items {
                        dt { (shown(item.label.as_deref().unwrap_or_default())) }
                        dd { (parts_html(&item.value)) }
                    }
                }
            } @else {
                ul class=[class] {
                    @for item in &self.items {
                        li {
                            @if let Some(label) = &item.label {
                                strong { (shown(label)) ":" } " "
                            }
                            (parts_html(&item.value))
                        }
                    }
                }
            }
        }
    }
}

fn parts_html(parts: &[Part]) -> Markup {
    html! {
        @for part in parts {
            @match part {
                Part::Code(text) => code { (shown(text)) },
                Part::Words(text) => (shown(text)),
            }
        }
    }
}

/// Minimal print-friendly styling; inline because the page may load nothing.
const STYLE: &str =
    "body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;\
line-height:1.4}dt{font-weight:bold;margin-top:.6em}dd{margin-left:1.5em;white-space:pre-wrap}\
.problems{color:#b00}";

/// `text` as it may be shown on a page: control and text-direction characters written as `\u{202e}` (line breaks
/// stay), so nothing hides or reorders what is around it. maud then escapes what has a meaning in HTML.
fn shown(text: &str) -> String {
    terminal::escape_keeping_lines(text).into_owned()
}

impl Part {
    fn markdown(&self, place: Place) -> String {
        match self {
            Self::Code(text) => code_span(text),
            Self::Words(text) => markdown_text(text, place),
        }
    }
}

/// `text` with its first letter upper-case, to start a sentence.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where a piece of Markdown text starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// At the start of a line or of a list item, where `#`, `>`, `-`, `+` or `1.` would start a block.
    LineStart,
    /// After other text on the same line (a label), where only inline syntax can act.
    AfterText,
}

/// `text` as literal Markdown text: a backslash goes only before what Markdown would otherwise read as syntax, so
/// ordinary sentences read in a text editor exactly as they were typed, and render the same. Inline: `` ` ``, `*`,
/// `[`, `]`, `|` (GFM tables), `~` (GFM strikethrough) always; `_` unless inside a word; `<` before what would open
/// a tag or autolink; `&` before what would be an entity; `\` before punctuation or a line end; the `:` of `://`
/// and the `.` of a `www.` that GFM would make a bare link. At the start of each line (every line after a break,
/// and the first when `place` says so): `#`, `>`, a list marker (`-`, `+`, `1.`, `1)`) and a `=` or `-` underline.
/// Line breaks become hard breaks indented into the list item, so a value cannot end the list; other control and
/// text-direction characters are shown as `\u{202e}`, and trailing blank lines, which would show nothing, go.
pub(crate) fn markdown_text(text: &str, place: Place) -> String {
    let text = terminal::escape_keeping_lines(text);
    // Blank lines at the end: without them the value shows the same, and a last line of spaces would end the item.
    let content = text.trim_end_matches(['\n', ' ']).len();
    let text = &text[..text[content..]
        .find('\n')
        .map_or(text.len(), |at| content + at)];
    let mut out = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push_str("\\\n  ");
        }
        escape_line(&mut out, line, index > 0 || place == Place::LineStart);
    }
    out
}

/// Writes one line of [`markdown_text`] (no line break in it).
fn escape_line(out: &mut String, line: &str, at_line_start: bool) {
    let chars: Vec<char> = line.chars().collect();
    let marker = if at_line_start {
        block_marker(&chars)
    } else {
        None
    };
    for (index, &c) in chars.iter().enumerate() {
        if marker == Some(index) || is_inline_syntax(&chars, index) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The index of the character that would make `line`, at the start of a line, a block of its own (a heading, a
/// quote, a list item, a setext underline or a thematic break), if any. Backticks, tildes, `*`, `_`, `<` and `[`,
/// which also start blocks, are escaped wherever they could act inline.
fn block_marker(line: &[char]) -> Option<usize> {
    let start = line.iter().position(|&c| c != ' ')?;
    let rest = &line[start..];
    let only = |mark: char| rest.iter().all(|&c| c == mark || c == ' ');
    let then_space = |at: usize| rest.get(at).is_none_or(|&c| c == ' ');
    match rest[0] {
        '#' | '>' => Some(start),
        '-' if then_space(1) || only('-') => Some(start),
        '+' if then_space(1) => Some(start),
        '=' if only('=') => Some(start),
        c if c.is_ascii_digit() => {
            // An ordered list item: up to nine digits, then `.` or `)` and a space (or nothing).
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            let after = rest.get(digits).copied();
            (digits <= 9 && matches!(after, Some('.' | ')')) && then_space(digits + 1))
                .then_some(start + digits)
        }
        _ => None,
    }
}

/// Whether the character at `index` of `line` could act as Markdown syntax inside a line.
fn is_inline_syntax(line: &[char], index: usize) -> bool {
    let before = index.checked_sub(1).map(|at| line[at]);
    let after = line.get(index + 1).copied();
    let rest = &line[index + 1..];
    match line[index] {
        '`' | '*' | '[' | ']' | '|' | '~' => true,
        // An underscore between two letters or digits can neither open nor close emphasis (`snake_case`).
        '_' => {
            !(before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric))
        }
        '<' => after.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')),
        '&' => looks_like_entity(rest),
        // Before punctuation a backslash escapes it; at a line's end it would be a hard break.
        '\\' => after.is_none_or(|c| c.is_ascii_punctuation()),
        ':' => rest.starts_with(&['/', '/']),
        '.' => is_www(&line[..index]),
        _ => false,
    }
}

/// Whether `rest` (what follows a `&`) would make it an entity or character reference: `#` and digits, or a
/// name, then `;`.
fn looks_like_entity(rest: &[char]) -> bool {
    let rest = rest.strip_prefix(&['#']).unwrap_or(rest);
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

/// Whether `before` ends in a word `www`, which with the `.` after it GFM makes a link.
fn is_www(before: &[char]) -> bool {
    let Some(start) = before.len().checked_sub(3) else {
        return false;
    };
    let word_start = start == 0 || !before[start - 1].is_alphanumeric();
    word_start && before[start..].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
}

/// `text` as a Markdown code span: shown exactly as it is, since nothing inside a code span is syntax, between
/// fences one backtick longer than the longest run inside it (CommonMark 6.1), padded with a space when it starts
/// or ends with a backtick or with spaces at both ends (which a renderer strips one of). Line breaks, control and
/// text-direction characters are shown as `\u{a}`, so the span stays on its line; empty text is `(empty)`.
pub(crate) fn code_span(text: &str) -> String {
    let text = terminal::escape(text);
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.contains(|c| c != ' '));
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_cannot_be_injected() {
        let value = [
            words(r#"<script>alert("x")</script> & 'y'"#),
            code("</code><b>"),
        ];
        assert_eq!(
            parts_html(&value).into_string(),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'y'<code>&lt;/code&gt;&lt;b&gt;</code>"
        );
        assert_eq!(parts_html(&[words("Zoë 王")]).into_string(), "Zoë 王");
    }

    /// What a Markdown renderer makes of `markdown`: the text of each list item (hard breaks as line breaks, code
    /// spans as their text), and every event that is neither text nor the document's own structure (a list, its
    /// items, their paragraphs and the bold labels `- **Label:**`).
    fn render(markdown: &str) -> (Vec<String>, Vec<String>) {
        use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
        // GitHub's extensions too: tables, strikethrough, task lists, footnotes, alerts.
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_GFM;
        let (mut items, mut other) = (Vec::new(), Vec::new());
        let mut depth = 0;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Start(Tag::List(None)) | Event::End(TagEnd::List(false)) if depth <= 1 => {}
                Event::Start(Tag::Item) if depth == 0 => {
                    depth = 1;
                    items.push(String::new());
                }
                Event::End(TagEnd::Item) if depth == 1 => depth = 0,
                Event::Start(Tag::Paragraph | Tag::Strong)
                | Event::End(TagEnd::Paragraph | TagEnd::Strong) => {}
                Event::Text(text) | Event::Code(text) if depth == 1 => {
                    items.last_mut().expect("in an item").push_str(&text);
                }
                Event::HardBreak if depth == 1 => items.last_mut().expect("in an item").push('\n'),
                other_event => other.push(format!("{other_event:?}")),
            }
        }
        (items, other)
    }

    /// Hostile answers: each must render as exactly the text typed.
    const HOSTILE: &[&str] = &[
        "[click me](https://evil.example) ![pixel](https://evil.example/p.png) [ref]",
        "<img src=x onerror=alert(1)> <script>alert(1)</script> <!-- hidden --> <https://evil.example>",
        "line 1\n# Not a heading\n## Nor this\n> not a quote\n- not a list\n+ nor this\n* nor this",
        "1. not a list\n2) nor this\n\nafter a blank line",
        "Setext\n===\nand\n---\n***\n___\n- - -",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "**bold** __bold__ *em* _em_ `code` ``code`` ~~struck~~ ~struck~",
        "```\nfenced\n```\n~~~\nfenced\n~~~",
        "&amp; &#60; &#x3C; &copy;",
        "trailing backslash \\\nand \\*escaped\\* \\",
        "[^1] and\n[^1]: a footnote\n[x]: https://evil.example",
        "- [ ] task\n- [x] done",
        "<div>\nblock html\n</div>",
        "www.evil.example and https://evil.example/path",
        "invoice\u{202E}fdp.exe\u{1b}[2K\u{7}",
    ];

    #[test]
    fn hostile_answers_render_as_the_text_typed() {
        for value in HOSTILE {
            for place in [Place::AfterText, Place::LineStart] {
                let markdown = match place {
                    Place::AfterText => format!("- **Label:** {}\n", markdown_text(value, place)),
                    Place::LineStart => format!("- {}\n", markdown_text(value, place)),
                };
                let (items, other) = render(&markdown);
                let expected = match place {
                    Place::AfterText => format!("Label: {}", terminal::escape_keeping_lines(value)),
                    Place::LineStart => terminal::escape_keeping_lines(value).into_owned(),
                };
                assert_eq!(items, [expected], "{markdown}");
                assert!(other.is_empty(), "{markdown}\nrendered as {other:#?}");
            }
        }
    }

    #[test]
    fn ordinary_text_is_written_as_typed() {
        for value in [
            "My landlord kept the deposit.",
            "Harbour & Vale, AT&T, 50% off - not 100%!",
            "2 < 3 and 5 > 4; (see above) \"quoted\" it's #1 + 1 = 2",
            "jane_doe@example.com, snake_case, C:\\Users\\zoe",
            "Zoë Ñúñez-王 🙂 مرحبا",
            "2026-11-30T21:01:57Z",
            "line 1\nline 2",
        ] {
            let written = markdown_text(value, Place::AfterText);
            assert_eq!(written, value.replace('\n', "\\\n  "), "{value}");
        }
        assert_eq!(markdown_text("answer\n\n \n", Place::AfterText), "answer");
        assert_eq!(markdown_text(" (version ", Place::AfterText), " (version ");
        assert_eq!(markdown_text("a  \n  \n", Place::AfterText), "a  ");
    }

    #[test]
    fn syntax_is_escaped_only_where_it_acts() {
        assert_eq!(markdown_text("# x", Place::AfterText), "# x");
        assert_eq!(markdown_text("# x", Place::LineStart), r"\# x");
        assert_eq!(markdown_text("-5 and 1.5", Place::LineStart), "-5 and 1.5");
        assert_eq!(
            markdown_text("a\n- b\n12) c", Place::AfterText),
            "a\\\n  \\- b\\\n  12\\) c"
        );
        assert_eq!(markdown_text("a_b _c_", Place::AfterText), r"a_b \_c\_");
        assert_eq!(
            markdown_text("&amp; & &x", Place::AfterText),
            r"\&amp; & &x"
        );
        assert_eq!(markdown_text(r"\a \* \", Place::AfterText), r"\a \\\* \\");
        assert_eq!(
            markdown_text("www.a.example https://b.example", Place::AfterText),
            r"www\.a.example https\://b.example"
        );
    }

    #[test]
    fn hidden_characters_are_shown_not_obeyed() {
        // A right-to-left override (U+202E) before `fdp.exe` shows it as `exe.pdf`.
        assert_eq!(
            shown("invoice\u{202E}fdp.exe\u{1b}[2K\nline 2"),
            "invoice\\u{202e}fdp.exe\\u{1b}[2K\nline 2"
        );
        assert_eq!(
            markdown_text("invoice\u{202E}fdp.exe\u{7}\u{2066}", Place::AfterText),
            r"invoice\u{202e}fdp.exe\u{7}\u{2066}"
        );
        assert_eq!(code_span("a\nb\u{202E}"), r"`a\u{a}b\u{202e}`");
    }

    #[test]
    fn code_spans_show_any_text_exactly() {
        assert_eq!(code_span("IDWJ-CT7C-SD5L-XF2C"), "`IDWJ-CT7C-SD5L-XF2C`");
        assert_eq!(code_span("2026-11-30T21:01:57Z"), "`2026-11-30T21:01:57Z`");
        assert_eq!(code_span(""), "(empty)");
        for value in [
            "a`b",
            "``double`` and `single`",
            "`starts",
            "ends`",
            "`",
            " both ",
            "   ",
            " `x` ",
            "<b>*not bold*</b> [x](y) &amp; \\",
        ] {
            let markdown = format!("- {}\n", code_span(value));
            let (items, other) = render(&markdown);
            assert_eq!(items, [value], "{markdown}");
            assert!(other.is_empty(), "{markdown}\nrendered as {other:#?}");
        }
    }
}
