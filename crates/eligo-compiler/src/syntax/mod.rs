//! Syntax: rule text → typed AST. pest parses, `lower` turns pairs into AST nodes (one
//! `lower_<rule>` per grammar rule), `expr` holds the operator table.
//!
//! Recovery: a file is cut into declarations at lines that start with a declaration keyword, and
//! each declaration is parsed on its own, so one typo does not hide the errors after it.

mod chars;
mod confusable;
mod errors;
mod expr;
mod lower;
mod nesting;

use crate::ast;
use crate::diagnostic::{Code, Diagnostic};
pub use confusable::confusable_names;
use eligo_core::limits::MAX_SOURCE_BYTES;
use eligo_core::source::{lines_inclusive, FileId, Span};
pub(crate) use errors::half_width;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../../../grammar/eligo.pest"]
pub(crate) struct EligoParser;

/// Parses one rule file. Returns what could be parsed and every problem found.
pub fn parse(file: FileId, text: &str) -> (ast::File, Vec<Diagnostic>) {
    parse_with(file, text, true)
}

/// `parse`, leaving out the examples when `examples` is false: a page that only evaluates
/// citizens does not need the tests, and they are a large part of a rule file. They are left out
/// of the parsed tree, never out of the text, so that what is built is what was tested: a
/// declaration written on an example's line is parsed either way.
pub fn parse_with(file: FileId, text: &str, examples: bool) -> (ast::File, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut items = Vec::new();
    if text.len() > MAX_SOURCE_BYTES {
        diagnostics.push(
            Diagnostic::new(
                Code::SourceTooLarge,
                Span::new(file, 0, 0),
                format!("the file is {} bytes; the limit is {} bytes", text.len(), MAX_SOURCE_BYTES),
            )
            .with_help("split the rule set into several files, one per topic"),
        );
        return (ast::File { items }, diagnostics);
    }
    diagnostics.extend(chars::check_characters(file, text));
    if let Some(too_deep) = nesting::check_nesting(file, text) {
        diagnostics.push(too_deep);
        return (ast::File { items }, diagnostics);
    }
    for (start, end) in declaration_chunks(text) {
        let Some(chunk) = text.get(start..end) else { continue };
        parse_chunk(file, start, chunk, end < text.len(), &mut items, &mut diagnostics);
    }
    if !examples {
        items.retain(|item| !matches!(item, ast::Item::Example(_)));
    }
    (ast::File { items }, diagnostics)
}

/// At most this many misspelt keywords are stepped over in one declaration.
const MAX_RECOVERIES: usize = 8;

/// Parses and lowers one declaration. A misspelt keyword at the start of a line (`requir`) is
/// reported once and its clause blanked out, and the declaration parsed again, so that the rest
/// of it is still read and checked rather than lost with errors that follow from its loss.
fn parse_chunk(
    file: FileId,
    start: usize,
    chunk: &str,
    more_follows: bool,
    items: &mut Vec<ast::Item>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut chunk = std::borrow::Cow::Borrowed(chunk);
    for _ in 0..=MAX_RECOVERIES {
        let err = match EligoParser::parse(Rule::file, &chunk) {
            Ok(mut pairs) => {
                let mut lowerer = lower::Lowerer::new(file, start, diagnostics);
                if let Some(file_pair) = pairs.next() {
                    items.extend(lowerer.lower_file(file_pair));
                }
                return;
            }
            Err(err) => err,
        };
        if let Some((blank, misspelt)) = errors::misspelt_keyword(&err, file, start, &chunk) {
            diagnostics.push(misspelt);
            chunk = std::borrow::Cow::Owned(blanked(&chunk, blank));
            continue;
        }
        let attempts = parse_attempts(&chunk);
        diagnostics.push(errors::syntax_error(err, attempts, file, start, &chunk, more_follows));
        return;
    }
}

/// `text` with the characters of `range` replaced by spaces of the same length in bytes (line
/// breaks kept), so that every position after it stays where it was.
fn blanked(text: &str, range: std::ops::Range<usize>) -> String {
    text.char_indices()
        .flat_map(|(at, c)| {
            let blank = range.contains(&at) && !eligo_core::source::is_line_break(c);
            let (c, n) = if blank { (' ', c.len_utf8()) } else { (c, 1) };
            std::iter::repeat_n(c, n)
        })
        .collect()
}

/// What pest tried at the furthest point, from a second parse with its error detail on (off for
/// the first parse, which is then faster).
fn parse_attempts(chunk: &str) -> Option<errors::Attempts> {
    pest::set_error_detail(true);
    let attempts =
        EligoParser::parse(Rule::file, chunk).err().and_then(|e| e.parse_attempts()).map(|attempts| errors::Attempts {
            max_position: attempts.max_position,
            punctuation: attempts
                .expected_tokens()
                .iter()
                .map(ToString::to_string)
                .filter(|token| !token.is_empty() && token.chars().all(|c| c.is_ascii_punctuation()))
                .collect(),
        });
    pest::set_error_detail(false);
    attempts
}

/// Words that start a declaration.
pub(crate) const DECLARATION_KEYWORDS: [&str; 9] =
    ["ruleset", "record", "input", "param", "let", "table", "policy", "group", "example"];

/// Words that start a clause inside a declaration.
pub(crate) const CLAUSE_KEYWORDS: [&str; 11] =
    ["field", "source", "effective", "require", "unless", "amount", "fee", "waiver", "output", "exception", "expect"];

/// Byte ranges of the declarations: each starts at a line whose first word is a declaration
/// keyword. Text before the first one (comments) belongs to the first chunk.
pub(crate) fn declaration_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = vec![0];
    let mut line_start = 0;
    for line in lines_inclusive(text) {
        let trimmed = line.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']);
        let word: &str = trimmed.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
        if line_start > 0 && DECLARATION_KEYWORDS.contains(&word) {
            starts.push(line_start);
        }
        line_start += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain(std::iter::once(text.len()));
    starts.iter().copied().zip(ends).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_can_be_left_out() {
        let text = "input x: int label \"x\" en \"x\"\n// a test\nexample \"e\" on 2025-01-01\n  given x = 1\n  expect p eligible\n";
        assert_eq!(parse_with(0, text, true).0.items.len(), 2);
        assert_eq!(parse_with(0, text, false).0.items.len(), 1);
    }

    #[test]
    fn parses_the_sample() {
        let text = include_str!("../../../../rules/shanghai/elderly.rules");
        let (file, diagnostics) = parse(0, text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(file.items.len(), 8);
    }
}
