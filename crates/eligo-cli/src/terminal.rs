//! Text for a terminal: what came from data or rule files is shown, never obeyed.
//!
//! A key, value, name or line of a rule file may hold control characters (ESC starts the
//! terminal's escape sequences, CR rewrites the line, a newline forges one), bidirectional
//! controls (which reorder what is shown) or characters that show as nothing (NBSP, zero-width
//! marks). The text output writes each as `<U+001B>`, as diagnostics do (`eligo::render::shown`).

use std::borrow::Cow;

/// One line: every such character escaped but the tab (a newline too: data cannot forge a line).
pub fn escape(text: &str) -> Cow<'_, str> {
    eligo::render::for_terminal(text, &['\t'])
}

/// Lines of our own making (such as a rendered diagnostic): escaped but their line breaks.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    eligo::render::for_terminal(text, &['\t', '\n'])
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_lines};

    #[test]
    fn controls_are_shown_not_obeyed() {
        assert_eq!(escape("年龄 ok\t1　全角"), "年龄 ok\t1　全角");
        assert_eq!(escape("a\u{1b}[31mb"), "a<U+001B>[31mb");
        assert_eq!(escape("a\nb\rc\u{7f}\u{9b}"), "a<U+000A>b<U+000D>c<U+007F><U+009B>");
        assert_eq!(escape("\u{202E}abc\u{2066}\u{a0}"), "<U+202E>abc<U+2066><U+00A0>");
        assert_eq!(escape_lines("a\nb\u{1b}"), "a\nb<U+001B>");
    }
}
