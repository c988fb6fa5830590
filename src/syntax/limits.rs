//! Limits that keep a hostile or broken rule file from exhausting the parser: checked on the raw
//! text before pest sees it, because a recursive-descent parser overflows its stack long before
//! it could report 10,000 nested parentheses.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Largest rule file accepted (the largest real rule sets are a few hundred kilobytes).
pub const MAX_SOURCE_BYTES: usize = 2 * 1024 * 1024;
/// Deepest nesting of brackets and `if … then … else` in an expression.
pub const MAX_NESTING: usize = 48;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest text in quotes, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Most declarations in one rule set.
pub const MAX_DECLARATIONS: usize = 20_000;

/// Finds the first place where nesting exceeds [`MAX_NESTING`], skipping strings and comments.
pub fn check_nesting(file: FileId, text: &str) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
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
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ if is_word_start(bytes, i) => {
                let word_end = word_end(bytes, i);
                match &text[i..word_end] {
                    "if" => depth += 1,
                    "else" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i = word_end;
                continue;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return Some(
                Diagnostic::error(
                    Code::NestingTooDeep,
                    Span::new(file, i, i + 1),
                    format!("expression nested more than {MAX_NESTING} levels deep"),
                )
                .with_label("too deep here")
                .with_help("split the expression into named definitions with `let`"),
            );
        }
        i += 1;
    }
    None
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
