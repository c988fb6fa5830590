//! The formatter: one layout for a rule file, the one docs/language.md teaches.
//!
//! - A declaration starts at the left margin; each of its clauses (and each table row, and a
//!   group's `highest of`) starts a line indented two spaces; a record field's clauses four.
//! - A clause is written on one line when it fits in [`WIDTH`] columns. A longer one keeps the
//!   line breaks its author wrote in it (so a long condition stays broken where it was), the rest
//!   of the clause indented two more (four under a declaration's first line). Spaces are one
//!   between words, none inside brackets or before `,` and `:`.
//! - The `=>` of a table's rows line up (in terminal columns: a Chinese character takes two).
//! - A comment on its own line stays on its own line, before the same construct, at its indent;
//!   a comment at the end of a line stays there, three spaces after the code. Comments indented
//!   under a declaration's last line, with no blank line before them, stay under it.
//! - Blank lines: at most one, where the author had one, before a declaration, a clause or a
//!   comment line. Lines end with LF, with no trailing spaces.
//!
//! It works on the parse tree and the text between its tokens (so every comment, text, number and
//! name is written exactly as it was), never on the AST, which keeps neither comments nor
//! spellings. A file that does not parse is not formatted: its syntax diagnostics are returned.

use crate::diagnostic::{Code, Diagnostic};
use crate::render::width;
use crate::syntax::{self, EligoParser, Rule};
use eligo_core::source::{is_line_break, Span};
use pest::iterators::Pairs;
use pest::Parser;

/// Formats one rule file, or returns why it cannot: the syntax errors `eligo check` reports
/// (warnings do not stop it).
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let errors: Vec<Diagnostic> = syntax::parse(0, text).1.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut reader = Reader::new(text);
    // The chunks `syntax::parse` parsed, so that what is formatted is what was checked.
    for (start, end) in syntax::declaration_chunks(text) {
        let parsed = text.get(start..end).map(|chunk| (chunk, EligoParser::parse(Rule::file, chunk)));
        let Some((chunk, Ok(pairs))) = parsed else {
            // Not reached: the chunk parsed without errors above.
            return Err(vec![Diagnostic::new(
                Code::Syntax,
                Span::new(0, start, start),
                crate::text!("这条声明无法解析", "this declaration does not parse"),
            )]);
        };
        reader.read(pairs, start, chunk.len());
    }
    Ok(layout(&reader.tokens))
}

/// What a token is, as far as spacing goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Comment,
    /// A name: a call or a table takes its `(` with no space.
    Name,
    /// The unary minus, written against its operand.
    Minus,
    Other,
}

/// The kind of line a token starts.
#[derive(Clone, Copy)]
struct Line {
    indent: usize,
    /// A declaration's or a field's first line: its clauses are indented under it.
    header: bool,
    /// A table row: its `=>` is aligned with the other rows'.
    row: bool,
}

impl Line {
    const DECLARATION: Line = Line { indent: 0, header: true, row: false };

    fn clause(indent: usize) -> Line {
        Line { indent, header: false, row: false }
    }

    /// Where the rest of a broken line goes: past the clauses of a header.
    fn continuation(self) -> usize {
        self.indent + if self.header { 4 } else { 2 }
    }
}

struct Token<'a> {
    text: &'a str,
    kind: Kind,
    /// Line breaks in the text between the token before and this one (2: a blank line).
    breaks: usize,
    /// The line this token starts, if it starts one whatever the author wrote.
    line: Option<Line>,
    /// A comment with white space before it on its line.
    indented: bool,
}

/// Reads the tokens of the text: the leaves of the parse tree, and the keywords, punctuation and
/// comments between them.
struct Reader<'a> {
    text: &'a str,
    tokens: Vec<Token<'a>>,
    /// Where the text not read yet starts.
    at: usize,
    breaks: usize,
    spaced: bool,
    /// The line the next keyword or leaf starts (set on entering a clause).
    pending: Option<Line>,
    in_group: bool,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader { text, tokens: Vec::new(), at: 0, breaks: 0, spaced: false, pending: None, in_group: false }
    }

    /// Reads one chunk's parse tree, without recursion (depth follows the nesting of the text).
    fn read(&mut self, file: Pairs<'a, Rule>, offset: usize, len: usize) {
        let mut stack: Vec<(Pairs<'a, Rule>, Rule)> = file.map(|pair| (pair.into_inner(), Rule::file)).collect();
        while let Some((pairs, parent)) = stack.last_mut() {
            let parent = *parent;
            let Some(pair) = pairs.next() else {
                stack.pop();
                continue;
            };
            let (rule, span) = (pair.as_rule(), pair.as_span());
            self.between(offset + span.start());
            if let Some(line) = line_of(rule, parent) {
                self.pending = Some(line);
                if parent == Rule::file {
                    self.in_group = rule == Rule::group_decl;
                }
            }
            match kind_of(rule) {
                Some(kind) => {
                    self.push(pair.as_str(), kind);
                    self.at = offset + span.end();
                }
                None => stack.push((pair.into_inner(), rule)),
            }
        }
        self.between(offset + len);
    }

    /// Reads the text from `self.at` to `end`, outside every leaf: white space, comments, and the
    /// grammar's literal keywords and punctuation.
    fn between(&mut self, end: usize) {
        let Some(gap) = self.text.get(self.at..end) else { return };
        let mut chars = gap.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let next = chars.peek().map(|&(_, c)| c);
            if is_line_break(c) {
                if c == '\r' && next == Some('\n') {
                    chars.next();
                }
                self.breaks += 1;
                self.spaced = false;
                continue;
            }
            if matches!(c, ' ' | '\t' | '\u{3000}' | '\u{FEFF}') {
                self.spaced = true;
                continue;
            }
            let mut stop = i + c.len_utf8();
            let kind = if c == '/' && next == Some('/') {
                while let Some((j, c)) = chars.next_if(|&(_, c)| !is_line_break(c)) {
                    stop = j + c.len_utf8();
                }
                Kind::Comment
            } else if is_word(c) {
                while let Some((j, c)) = chars.next_if(|&(_, c)| is_word(c)) {
                    stop = j + c.len_utf8();
                }
                Kind::Other
            } else {
                if matches!(c, '-' | '=') && next == Some('>') {
                    chars.next();
                    stop += 1;
                }
                Kind::Other
            };
            let text = gap.get(i..stop).unwrap_or_default();
            if self.in_group && text == "highest" {
                self.pending = Some(Line::clause(2));
            }
            self.push(text, kind);
        }
        self.at = end;
    }

    fn push(&mut self, text: &'a str, kind: Kind) {
        let line = if kind == Kind::Comment { None } else { self.pending.take() };
        let indented = self.spaced;
        self.tokens.push(Token { text, kind, breaks: self.breaks, line, indented });
        self.breaks = 0;
        self.spaced = false;
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The leaves of the tree: rules whose text is one token, written as it is. `None` for the
/// others, whose children are read.
fn kind_of(rule: Rule) -> Option<Kind> {
    use Rule::*;
    match rule {
        ident | word => Some(Kind::Name),
        neg_op => Some(Kind::Minus),
        string | date | percent | money | decimal | int | boolean | signed_literal | hit_policy | otherwise
        | any_cell | band | period | amount_kw | fee_kw | waiver_kw | missing_kw | status | fact_path | or_op
        | and_op | eq_op | ne_op | le_op | ge_op | lt_op | gt_op | in_op | add_op | sub_op | mul_op | div_op
        | not_op | today => Some(Kind::Other),
        _ => None,
    }
}

/// The line a construct starts, from its rule and its parent's.
fn line_of(rule: Rule, parent: Rule) -> Option<Line> {
    use Rule::*;
    match (parent, rule) {
        (file, EOI) => None,
        (file, _) => Some(Line::DECLARATION),
        (record_decl, field_decl) => Some(Line { indent: 2, header: true, row: false }),
        (field_decl, label_clause | question_clause | hint_clause | min_clause | max_clause) => Some(Line::clause(4)),
        (table_decl, table_row) => Some(Line { indent: 2, header: false, row: true }),
        // A record's label is on its first line; an output's on the output's line.
        (input_decl | param_decl | let_decl | table_decl | policy_decl | example_decl, _) => match rule {
            label_clause | question_clause | hint_clause | min_clause | max_clause | source_clause
            | effective_clause | require_clause | unless_clause | amount_clause | fee_clause | waiver_clause
            | output_clause | exception_clause | excludes_clause | given_clause | expect_clause => {
                Some(Line::clause(2))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The widest clause written on one line, in terminal columns with its indent.
pub const WIDTH: usize = 100;

/// One line of the output.
struct OutLine<'a> {
    indent: usize,
    words: Vec<(&'a str, Kind)>,
    trailing: Option<&'a str>,
    blank_before: bool,
    row: bool,
    shape: Shape,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A declaration, a clause or a row.
    Start,
    /// The rest of a clause after a line break its author wrote.
    Broken,
    /// The rest of a clause after a comment.
    AfterComment,
    Comment,
}

/// The white space the grammar skips, which a comment may end with.
const SPACES: [char; 4] = [' ', '\t', '\u{3000}', '\u{FEFF}'];

fn layout(tokens: &[Token]) -> String {
    // For each token, the line the next code token starts (None: it continues a line, or the end).
    let mut next_code: Vec<Option<Option<Line>>> = vec![None; tokens.len()];
    let mut following = None;
    for (slot, token) in next_code.iter_mut().zip(tokens).rev() {
        *slot = following;
        if token.kind != Kind::Comment {
            following = Some(token.line);
        }
    }
    let mut lines: Vec<OutLine> = Vec::new();
    let mut current = Line::DECLARATION;
    // The last code line's indent, for the comments kept under it.
    let mut last_indent = 0;
    let mut broken = false;
    let mut attached = false;
    for (token, next) in tokens.iter().zip(next_code) {
        let blank_before = token.breaks >= 2 && !lines.is_empty();
        if token.kind == Kind::Comment {
            let text = token.text.trim_end_matches(SPACES);
            let last_is_code = lines.last().is_some_and(|l| l.trailing.is_none() && l.shape != Shape::Comment);
            if token.breaks == 0 && last_is_code {
                if let Some(last) = lines.last_mut() {
                    last.trailing = Some(text);
                }
            } else {
                let indent = match next {
                    Some(Some(line)) if line.indent > 0 => line.indent,
                    Some(None) => current.continuation(),
                    // Before a declaration or at the end: under the one before, or at the margin.
                    _ => {
                        attached = attached && token.indented && !blank_before;
                        if attached {
                            last_indent.max(2)
                        } else {
                            0
                        }
                    }
                };
                let words = vec![(text, Kind::Comment)];
                lines.push(OutLine { indent, words, trailing: None, blank_before, row: false, shape: Shape::Comment });
            }
            broken = true;
            continue;
        }
        attached = true;
        let closing = matches!(token.text, "," | ")" | "]" | "}");
        let last = lines.last_mut().filter(|_| token.line.is_none() && !broken && (token.breaks == 0 || closing));
        match last {
            Some(last) => last.words.push((token.text, token.kind)),
            None => {
                let (indent, row, shape) = match token.line {
                    Some(line) => {
                        current = line;
                        (line.indent, line.row, Shape::Start)
                    }
                    None => (current.continuation(), false, if broken { Shape::AfterComment } else { Shape::Broken }),
                };
                last_indent = indent;
                let blank_before = blank_before && token.line.is_some();
                let words = vec![(token.text, token.kind)];
                lines.push(OutLine { indent, words, trailing: None, blank_before, row, shape });
            }
        }
        broken = false;
    }
    render(&joined(lines))
}

/// The lines with each clause that was broken by its author alone, and fits in [`WIDTH`],
/// joined into one.
fn joined(lines: Vec<OutLine>) -> Vec<OutLine> {
    let mut out: Vec<OutLine> = Vec::with_capacity(lines.len());
    let mut lines = lines.into_iter().peekable();
    while let Some(mut line) = lines.next() {
        if line.shape == Shape::Start {
            let mut rest = Vec::new();
            while let Some(next) = lines.next_if(|next| next.shape == Shape::Broken) {
                rest.push(next);
            }
            let quiet = line.trailing.is_none() && rest.iter().rev().skip(1).all(|l| l.trailing.is_none());
            let words = || line.words.iter().chain(rest.iter().flat_map(|l| &l.words)).copied().collect::<Vec<_>>();
            if !rest.is_empty() && quiet && line.indent + width(&join(&words())) <= WIDTH {
                line.words = words();
                line.trailing = rest.last().and_then(|l| l.trailing);
                rest.clear();
            }
            out.push(line);
            out.extend(rest);
        } else {
            out.push(line);
        }
    }
    out
}

fn render(lines: &[OutLine]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        // A run of table rows (comment lines may stand between them) and the column of its `=>`.
        let run_end = if line.row {
            lines.iter().skip(i).position(|l| !l.row && l.shape != Shape::Comment).map_or(lines.len(), |n| i + n)
        } else {
            i + 1
        };
        let run = lines.get(i..run_end).unwrap_or_default();
        let column = run.iter().filter(|l| l.row).filter_map(|l| cells(l).map(|c| width(&join(c)))).max();
        for line in run {
            if line.blank_before {
                out.push('\n');
            }
            out.extend(std::iter::repeat_n(' ', line.indent));
            match (line.row.then(|| cells(line)).flatten(), column) {
                (Some(cells), Some(column)) => {
                    let cells = join(cells);
                    let pad = column.saturating_sub(width(&cells)) + 1;
                    out.push_str(&cells);
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(&join(line.words.get(cells_len(line)..).unwrap_or_default()));
                }
                _ => out.push_str(&join(&line.words)),
            }
            if let Some(comment) = line.trailing {
                out.push_str("   ");
                out.push_str(comment);
            }
            out.push('\n');
        }
        i = run_end;
    }
    out
}

/// A row's cells: its words before `=>`, when the `=>` is on the row's first line.
fn cells<'l, 'a>(line: &'l OutLine<'a>) -> Option<&'l [(&'a str, Kind)]> {
    line.words.get(..cells_len(line)).filter(|_| line.words.iter().any(|w| w.0 == "=>"))
}

fn cells_len(line: &OutLine) -> usize {
    line.words.iter().position(|w| w.0 == "=>").unwrap_or(0)
}

/// Words written with the spacing of the layout.
fn join(words: &[(&str, Kind)]) -> String {
    let mut out = String::new();
    let mut before: Option<(&str, Kind)> = None;
    for &(text, kind) in words {
        if let Some((prev, prev_kind)) = before {
            let tight = matches!(text, "," | ":" | ")" | "]" | "}")
                || matches!(prev, "(" | "[" | "{")
                || (text == "(" && prev_kind == Kind::Name)
                || prev_kind == Kind::Minus;
            if !tight {
                out.push(' ');
            }
        }
        out.push_str(text);
        before = Some((text, kind));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn comments_and_spellings_stay() {
        let text = "// head\r\ninput  x :int   label \"年龄\"  en \"Age\" // why\n\n\n\nlet y=x*0.10 label \"y\"\n";
        let formatted = format(text).ok();
        assert_eq!(
            formatted.as_deref(),
            Some("// head\ninput x: int\n  label \"年龄\" en \"Age\"   // why\n\nlet y = x * 0.10\n  label \"y\"\n")
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_refused() {
        assert!(format("input x int\n").is_err());
    }
}
