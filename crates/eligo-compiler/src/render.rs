//! Rendering diagnostics at the edges: a caret snippet for people (the CLI, the `rendered` field
//! for embedders) and positioned JSON for editors (line, column and UTF-16 column).

use crate::diagnostic::{Diagnostic, Lang, Severity};
use eligo_core::source::{Position, Sources, Span};
use serde::Serialize;
use std::fmt::Write;

/// A diagnostic with its positions resolved, as the JSON API and `--format json` give it; its
/// texts in the language it was positioned in.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Positioned {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub span: ByteSpan,
    pub start: Position,
    pub end: Position,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub notes: Vec<PositionedNote>,
    /// The same diagnostic as the CLI prints it.
    pub rendered: String,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct ByteSpan {
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PositionedNote {
    pub message: String,
    pub file: String,
    pub start: Position,
}

pub fn position(sources: &Sources, diagnostic: &Diagnostic, lang: Lang) -> Positioned {
    let (file, start, end) = locate(sources, diagnostic.span);
    let said = |text: &crate::diagnostic::Bilingual| shown(text.get(lang)).into_owned();
    Positioned {
        code: diagnostic.code.as_str(),
        severity: diagnostic.severity,
        message: said(&diagnostic.message),
        file,
        span: ByteSpan { start: diagnostic.span.start, end: diagnostic.span.end },
        start,
        end,
        label: diagnostic.label.as_ref().map(said),
        help: diagnostic.help.as_ref().map(said),
        notes: diagnostic
            .notes
            .iter()
            .map(|note| {
                let (file, start, _) = locate(sources, note.span);
                PositionedNote { message: said(&note.message), file, start }
            })
            .collect(),
        rendered: render(sources, diagnostic, lang),
    }
}

fn locate(sources: &Sources, span: Span) -> (String, Position, Position) {
    match sources.get(span.file) {
        Some(file) => (file.name.clone(), file.position(span.start as usize), file.position(span.end as usize)),
        None => {
            let nowhere = Position { line: 1, column: 1, utf16_column: 1 };
            (String::new(), nowhere, nowhere)
        }
    }
}

/// The diagnostic as a compiler prints it, in `lang` (in Chinese `错误`, `警告`, `建议`):
///
/// ```text
/// error[E0201]: unknown name `birth_dat`
///   --> rules/elderly.rules:13:18
///    |
/// 13 | let 年龄 = age(birth_dat, today)
///    |                ^^^^^^^^^ not declared
///    = help: did you mean `birth_date`?
/// ```
pub fn render(sources: &Sources, diagnostic: &Diagnostic, lang: Lang) -> String {
    let mut out = String::new();
    let severity = match (diagnostic.severity, lang) {
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Error, Lang::En) => "error",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Warning, Lang::En) => "warning",
    };
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let _ = writeln!(out, "{severity}[{}]{colon}{}", diagnostic.code, shown(diagnostic.message.get(lang)));
    let label = diagnostic.label.as_ref().map_or("", |label| label.get(lang));
    snippet(&mut out, sources, diagnostic.span, label, '^');
    for note in &diagnostic.notes {
        snippet(&mut out, sources, note.span, note.message.get(lang), '-');
    }
    if let Some(help) = &diagnostic.help {
        let help_word = match lang {
            Lang::Zh => "建议",
            Lang::En => "help",
        };
        let _ = writeln!(out, "   = {help_word}{colon}{}", shown(help.get(lang)));
    }
    out
}

fn snippet(out: &mut String, sources: &Sources, span: Span, label: &str, marker: char) {
    let Some(file) = sources.get(span.file) else { return };
    let start = file.position(span.start as usize);
    let line_index = start.line - 1;
    let text = file.line_text(line_index);
    let line_start = file.line_start(line_index);
    // Widths are counted, never given to `format!` as `{:width$}`: it panics past 65,535.
    let gutter = " ".repeat(start.line.to_string().len());
    let _ = writeln!(out, "{gutter}--> {}:{}:{}", shown(&file.name), start.line, start.column);
    let _ = writeln!(out, "{gutter} |");
    // Underline to the end of the span or of the line, whichever is first; at least one marker.
    let from = (span.start as usize).saturating_sub(line_start).min(text.len());
    let to = (span.end as usize).saturating_sub(line_start).clamp(from, text.len());
    // A long line is shown around the span, so that a thousand errors on one line of 1 MiB do
    // not print it a thousand times.
    let before = source_line(&tail(text.get(..from).unwrap_or(""), SHOWN_AROUND));
    let covered = source_line(&head(text.get(from..to).unwrap_or(""), SHOWN_COVERED));
    let after = source_line(&head(text.get(to..).unwrap_or(""), SHOWN_AROUND));
    let _ = writeln!(out, "{} | {before}{covered}{after}", start.line);
    let pad = " ".repeat(width(&before));
    let marks = marker.to_string().repeat(width(covered.trim_end()).max(1));
    let line = format!("{gutter} | {pad}{marks} {}", shown(label));
    let _ = writeln!(out, "{}", line.trim_end());
}

/// How many characters of a line are shown before and after a span, and of the span itself.
const SHOWN_AROUND: usize = 100;
const SHOWN_COVERED: usize = 200;

/// The first `n` characters of `text`, with `…` when there were more.
fn head(text: &str, n: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(n) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or("")).into(),
        None => text.into(),
    }
}

/// The last `n` characters of `text`, with `…` when there were more.
fn tail(text: &str, n: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().rev().nth(n) {
        Some((cut, c)) => format!("…{}", text.get(cut + c.len_utf8()..).unwrap_or("")).into(),
        None => text.into(),
    }
}

/// A line of source as shown under a diagnostic: tabs as spaces, invisible characters escaped.
fn source_line(text: &str) -> String {
    shown(&text.replace('\t', TAB)).into_owned()
}

/// Text quoted from the source, as shown to people: a character that shows as nothing (NBSP, a
/// control, a zero-width or direction mark) is written as `<U+00A0>`, so that two names that
/// differ only by one look different, and no terminal escape sequence written in a rule file
/// reaches the terminal. U+3000, the full-width space Chinese input methods type, shows as a space.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, invisible)
}

/// Output for a terminal (the CLI's reports quote data, labels and example names): as [`shown`],
/// but the characters in `kept` (the tab; the line break of text of several lines) written as
/// they are.
pub fn for_terminal<'t>(text: &'t str, kept: &[char]) -> std::borrow::Cow<'t, str> {
    escaped(text, |c| !kept.contains(&c) && invisible(c))
}

fn escaped(text: &str, escape: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&escape) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            let _ = write!(out, "<U+{:04X}>", c as u32);
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A character that shows as nothing, or that a terminal would obey.
pub(crate) fn invisible(c: char) -> bool {
    (c.is_control() || c.is_whitespace() || is_format(c)) && c != ' ' && c != '\u{3000}'
}

/// Unicode's format characters (general category Cf): they show as nothing.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2 | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD
        | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Tabs are shown as four spaces, so that the caret lines up whatever the terminal's tab stops.
const TAB: &str = "    ";

/// Terminal columns: East Asian wide characters take two.
pub(crate) fn width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if c == '\t' {
                TAB.len()
            } else if is_wide(c) {
                2
            } else {
                1
            }
        })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}
