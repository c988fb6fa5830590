//! Text for a terminal: what came from data or rule files is shown, never obeyed.
//!
//! A key, value, name or line of a rule file may hold control characters (ESC starts the
//! terminal's escape sequences, CR rewrites the line, a newline forges one) or bidirectional
//! controls (which reorder what is shown). The text output shows each as `\u{…}`.

use std::borrow::Cow;

/// `text` with every control character (C0 but the tab, DEL, C1) and bidirectional control
/// written as `\u{…}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Lines of our own making (such as a rendered diagnostic), each escaped.
pub fn escape_lines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn controls_are_shown_not_obeyed() {
        assert_eq!(escape("年龄 ok\t1"), "年龄 ok\t1");
        assert_eq!(escape("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("a\nb\rc\u{7f}\u{9b}"), "a\\u{a}b\\u{d}c\\u{7f}\\u{9b}");
        assert_eq!(escape("\u{202E}abc\u{2066}"), "\\u{202e}abc\\u{2066}");
    }
}
