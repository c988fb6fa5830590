//! A guard for pest's own recursion: the nesting of brackets and `if`s, counted on the raw text
//! before pest sees it, because a recursive-descent parser overflows its stack long before it
//! could report 10,000 nested parentheses. The tree built afterwards is bounded by the lowering
//! (`Lowerer::nested`), which counts depth on the structure itself; this scan only has to be
//! conservative: it may count more than the parser nests, never less. So it reads characters with
//! the grammar's own classes (XID for words, the grammar's line breaks), not bytes.

use super::{CLAUSE_KEYWORDS, DECLARATION_KEYWORDS};
use crate::diagnostic::{Code, Diagnostic};
use crate::text;
use eligo_core::limits::MAX_NESTING;
use eligo_core::source::{is_line_break, FileId, Span};
use pest::unicode::{XID_CONTINUE, XID_START};

/// Finds the first place where nesting exceeds [`MAX_NESTING`], skipping strings and comments.
/// Brackets count while open; each `if` counts until a declaration or clause keyword that is not
/// a call (`fee(…)` may continue an `else` branch), since its `else` branch (which may hold the
/// next `if`) has no closing mark.
pub fn check_nesting(file: FileId, text: &str) -> Option<Diagnostic> {
    let (mut brackets, mut ifs) = (0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    // The character before the current one: a word starts only after a non-word character (or
    // after a digit, counted as a boundary to be safe: `1if` nests no deeper than `1 if`).
    let mut before = ' ';
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next_if(|(_, c)| *c != '"' && !is_line_break(*c)) {
                    if c == '\\' {
                        chars.next_if(|(_, c)| !is_line_break(*c));
                    }
                }
                chars.next_if(|(_, c)| *c == '"');
            }
            '“' => {
                while chars.next_if(|(_, c)| *c != '”' && !is_line_break(*c)).is_some() {}
                chars.next_if(|(_, c)| *c == '”');
            }
            '/' if text.get(i + 1..).is_some_and(|rest| rest.starts_with('/')) => {
                while chars.next_if(|(_, c)| !is_line_break(*c)).is_some() {}
            }
            '(' | '[' | '{' => brackets += 1,
            ')' | ']' | '}' => brackets = brackets.saturating_sub(1),
            _ if (XID_START(c) || c == '_') && (before.is_ascii_digit() || !XID_CONTINUE(before)) => {
                let mut end = i + c.len_utf8();
                while let Some((at, c)) = chars.next_if(|(_, c)| XID_CONTINUE(*c)) {
                    end = at + c.len_utf8();
                }
                let word = text.get(i..end).unwrap_or("");
                if word == "if" {
                    ifs += 1;
                } else if (DECLARATION_KEYWORDS.contains(&word) || CLAUSE_KEYWORDS.contains(&word))
                    && !called(text.get(end..).unwrap_or(""))
                {
                    // An `if` chain cannot continue past a new declaration or clause.
                    ifs = 0;
                }
                before = 'a';
                if brackets + ifs <= MAX_NESTING {
                    continue;
                }
            }
            _ => {}
        }
        before = c;
        if brackets + ifs > MAX_NESTING {
            return Some(
                Diagnostic::new(
                    Code::NestingTooDeep,
                    Span::new(file, i, i + c.len_utf8()),
                    text!("表达式嵌套超过了 {MAX_NESTING} 层", "expression nested more than {MAX_NESTING} levels deep"),
                )
                .with_label(text!("这里嵌套太深", "too deep here"))
                .with_help(text!(
                    "用 `let` 把表达式拆成几个有名称的定义；很长的 `else if` 链写成 `table` 更清楚",
                    "split the expression into named definitions with `let`; a long `else if` chain reads better as a `table`"
                )),
            );
        }
    }
    None
}

/// Whether `rest` (the text after a word) starts with `(` once white space and comments, as the
/// grammar skips them, are passed: then the word is a function's name.
fn called(mut rest: &str) -> bool {
    loop {
        let trimmed =
            rest.trim_start_matches(|c: char| matches!(c, ' ' | '\t' | '\u{3000}' | '\u{FEFF}') || is_line_break(c));
        match trimmed.strip_prefix("//") {
            Some(comment) => rest = comment.find(is_line_break).and_then(|end| comment.get(end..)).unwrap_or(""),
            None => return trimmed.starts_with('('),
        }
    }
}
