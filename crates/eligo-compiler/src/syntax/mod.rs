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
use crate::text;
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
            Diagnostic::new(Code::SourceTooLarge, Span::new(file, 0, 0), {
                let size = text.len();
                text!(
                    "文件大小为 {size} 字节，超过了 {MAX_SOURCE_BYTES} 字节的上限",
                    "the file is {size} bytes; the limit is {MAX_SOURCE_BYTES} bytes"
                )
            })
            .with_help(text!(
                "把规则集拆成几个文件，每个文件一个主题",
                "split the rule set into several files, one per topic"
            )),
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

/// Parses and lowers one declaration. A misspelt keyword at the start of a line (`requir`,
/// `polcy`, `labl`) is reported once and read as the keyword it is closest to, and the
/// declaration parsed again: what it declares is still there, so that nothing after it is
/// reported as unknown for want of it (one error for one mistake), and the rest is checked.
fn parse_chunk(
    file: FileId,
    start: usize,
    chunk: &str,
    more_follows: bool,
    items: &mut Vec<ast::Item>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut chunk = std::borrow::Cow::Borrowed(chunk);
    let mut edits = Edits::default();
    for _ in 0..=MAX_RECOVERIES {
        let err = match EligoParser::parse(Rule::file, &chunk) {
            Ok(mut pairs) => {
                let mut lowerer = lower::Lowerer::new(file, start, &edits, diagnostics);
                if let Some(file_pair) = pairs.next() {
                    items.extend(lowerer.lower_file(file_pair));
                }
                return;
            }
            Err(err) => err,
        };
        let readings = errors::misspelt_keyword(&err, &chunk);
        if let Some(first) = readings.first() {
            let word = first.at..first.at + first.word.len();
            let span = Span::new(file, start + edits.original(word.start), start + edits.original(word.end));
            let line = |text: &str| {
                errors::line_start(text, word.start)..word.start + line_length(text.get(word.start..).unwrap_or(""))
            };
            // The first reading with which the line parses; when none does (`hin` read as `min`
            // is `hint`), the line is left out: blanked, so that positions stay.
            let read = readings.iter().find_map(|misspelt| {
                let mut corrected = chunk.to_string();
                corrected.replace_range(word.clone(), misspelt.keyword);
                let on_line = line(&corrected);
                let fits = EligoParser::parse(Rule::file, &corrected)
                    .err()
                    .is_none_or(|again| !(on_line.start..=on_line.end).contains(&errors::error_at(&again)));
                fits.then_some((misspelt, corrected))
            });
            chunk = std::borrow::Cow::Owned(match read {
                Some((misspelt, corrected)) => {
                    diagnostics.push(misspelt.diagnostic(span, true));
                    edits.0.push(Edit { at: word.start, removed: word.len(), inserted: misspelt.keyword.len() });
                    corrected
                }
                None => {
                    diagnostics.push(first.diagnostic(span, false));
                    let line = line(&chunk);
                    let mut blanked = chunk.to_string();
                    blanked.replace_range(line.clone(), &" ".repeat(line.len()));
                    blanked
                }
            });
            continue;
        }
        let attempts = parse_attempts(&chunk);
        let mut diagnostic = errors::syntax_error(err, attempts, file, start, &chunk, more_follows);
        let place = |at: u32| start + edits.original((at as usize).saturating_sub(start));
        diagnostic.span = Span::new(file, place(diagnostic.span.start), place(diagnostic.span.end));
        diagnostics.push(diagnostic);
        return;
    }
}

/// The length in bytes of the first line of `text`, without its line break.
fn line_length(text: &str) -> usize {
    text.find(eligo_core::source::is_line_break).unwrap_or(text.len())
}

/// A misspelt keyword replaced by the keyword, in a chunk: at `at`, `removed` bytes became
/// `inserted` bytes.
struct Edit {
    at: usize,
    removed: usize,
    inserted: usize,
}

/// The replacements made in a chunk, in order, to map positions in the corrected text back to
/// the text as written (what diagnostics point at).
#[derive(Default)]
pub(crate) struct Edits(Vec<Edit>);

impl Edits {
    /// The position in the text as written of `pos` in the corrected text.
    pub(crate) fn original(&self, pos: usize) -> usize {
        self.0.iter().rev().fold(pos, |pos, edit| {
            if pos < edit.at {
                pos
            } else if pos >= edit.at + edit.inserted {
                pos - edit.inserted + edit.removed
            } else {
                edit.at + (pos - edit.at).min(edit.removed)
            }
        })
    }
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
pub(crate) const CLAUSE_KEYWORDS: [&str; 17] = [
    "field",
    "label",
    "question",
    "hint",
    "min",
    "max",
    "source",
    "effective",
    "require",
    "unless",
    "amount",
    "fee",
    "waiver",
    "output",
    "exception",
    "given",
    "expect",
];

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

    /// A keyword read in place of a misspelt one (longer, as `requir` → `require`, or shorter,
    /// as `requiree` → `require`) moves no position: what follows on its line and below is
    /// still found where it is written.
    #[test]
    fn positions_after_a_corrected_keyword_are_the_texts() {
        for typo in ["requir", "requiree", "reqire"] {
            let text =
                format!("policy p \"p\" en \"p\"\n  {typo} 年龄 >= 65 \"条件\" en \"c\"\n  amount monthly = 标准\n");
            let mut diagnostics = Vec::new();
            let mut items = Vec::new();
            parse_chunk(0, 0, &text, false, &mut items, &mut diagnostics);
            assert_eq!(diagnostics.len(), 1, "{typo}: {diagnostics:?}");
            let span_of = |s: &str| text.find(s).map(|at| (at, at + s.len())).unwrap_or_default();
            let at = |span: Span| (span.start as usize, span.end as usize);
            assert_eq!(at(diagnostics[0].span), span_of(typo));
            let [ast::Item::Policy(policy)] = items.as_slice() else { panic!("{typo}: {items:?}") };
            assert_eq!(at(policy.conditions[0].expr.span), span_of("年龄 >= 65"), "{typo}");
            let amount = policy.outputs.iter().map(|o| o.value.span).next().map(at);
            assert_eq!(amount, Some(span_of("标准")), "{typo}");
        }
    }

    #[test]
    fn parses_the_sample() {
        let text = include_str!("../../../../rules/shanghai/elderly.rules");
        let (file, diagnostics) = parse(0, text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(file.items.len(), 8);
    }
}
