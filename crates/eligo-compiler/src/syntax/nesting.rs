//! The nesting of brackets and `if`s, counted on the raw text before pest sees it, because a
//! recursive-descent parser overflows its stack long before it could report 10,000 nested
//! parentheses.

use super::{CLAUSE_KEYWORDS, DECLARATION_KEYWORDS};
use crate::diagnostic::{Code, Diagnostic};
use eligo_core::limits::MAX_NESTING;
use eligo_core::source::{FileId, Span};

/// Finds the first place where nesting exceeds [`MAX_NESTING`], skipping strings and comments.
/// Brackets count while open; each `if` counts until the next declaration or clause, since its
/// `else` branch (which may hold the next `if`) has no closing mark.
pub fn check_nesting(file: FileId, text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let (mut brackets, mut ifs) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            // “…”, as the grammar reads it: to the closing ” or the end of the line. (Found while
            // testing the limits: a `"` inside “"” was taken for the start of a text, and the
            // brackets after it were not counted, so 1,000 of them overflowed the parser's stack.)
            _ if bytes[i..].starts_with("“".as_bytes()) => {
                i += "“".len();
                while i < bytes.len() && !bytes[i..].starts_with("”".as_bytes()) && bytes[i] != b'\n' {
                    i += 1;
                }
                if i < bytes.len() && bytes[i] != b'\n' {
                    i += "”".len();
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => brackets += 1,
            b')' | b']' | b'}' => brackets = brackets.saturating_sub(1),
            _ if is_word_start(bytes, i) => {
                let word_end = word_end(bytes, i);
                let word = &text[i..word_end];
                if word == "if" {
                    ifs += 1;
                } else if (DECLARATION_KEYWORDS.contains(&word) || CLAUSE_KEYWORDS.contains(&word))
                    && starts_line(bytes, i)
                {
                    // An `if` chain cannot continue past a new declaration or clause.
                    ifs = 0;
                }
                if brackets + ifs <= MAX_NESTING {
                    i = word_end;
                    continue;
                }
            }
            _ => {}
        }
        if brackets + ifs > MAX_NESTING {
            return Some(
                Diagnostic::new(
                    Code::NestingTooDeep,
                    Span::new(file, i, i + 1),
                    format!("expression nested more than {MAX_NESTING} levels deep"),
                )
                .with_label("too deep here")
                .with_help("split the expression into named definitions with `let`; a long `else if` chain reads better as a `table`"),
            );
        }
        i += 1;
    }
    None
}

fn starts_line(bytes: &[u8], i: usize) -> bool {
    bytes[..i].iter().rev().take_while(|b| **b != b'\n').all(|b| b.is_ascii_whitespace())
}

fn is_word_start(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_alphabetic() && (i == 0 || !is_word_byte(bytes[i - 1]))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_word_byte(bytes[i]) {
        i += 1;
    }
    i
}
