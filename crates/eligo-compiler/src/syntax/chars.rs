//! Characters refused anywhere in rule text, before it is parsed: the bidirectional controls
//! that make code read differently from how it runs (Trojan Source, CVE-2021-42574), and the
//! vertical white space that some editors show as a line break and others do not.

use crate::diagnostic::{Code, Diagnostic};
use crate::text;
use eligo_core::source::{FileId, Span};

/// At most this many are reported: one is enough to refuse the file, a few show a pattern.
const MAX_REPORTED: usize = 10;

/// One diagnostic per refused character, at its position (the first [`MAX_REPORTED`]).
pub fn check_characters(file: FileId, text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter_map(|(at, c)| refused(c).map(|why| (at, c, why)))
        .take(MAX_REPORTED)
        .map(|(at, c, why)| {
            let span = Span::new(file, at, at + c.len_utf8());
            let code = c as u32;
            let (message, help) = match why {
                Refused::Bidi(name) => (
                    text!(
                        "规则文字中不允许出现看不见的字符 U+{code:04X}（{name}）",
                        "the invisible character U+{code:04X} ({name}) is not allowed in rule text"
                    ),
                    text!(
                        "请删除它：它会改变文字显示的顺序，审核时看到的就不是实际执行的内容；从右向左的文字不需要控制字符",
                        "delete it: it changes the order in which the text is shown, so what is reviewed would not be what runs; write right-to-left text without controls"
                    ),
                ),
                Refused::VerticalSpace(name) => (
                    text!(
                        "U+{code:04X}（{name}）在规则文字中不算换行",
                        "U+{code:04X} ({name}) is not a line break in rule text"
                    ),
                    text!("把它换成普通的换行", "replace it with an ordinary line break"),
                ),
            };
            Diagnostic::new(Code::InvisibleCharacter, span, message)
                .with_label(text!("这里不允许", "refused here"))
                .with_help(help)
        })
        .collect()
}

enum Refused {
    Bidi(&'static str),
    VerticalSpace(&'static str),
}

fn refused(c: char) -> Option<Refused> {
    Some(match c {
        '\u{061C}' => Refused::Bidi("arabic letter mark"),
        '\u{200E}' => Refused::Bidi("left-to-right mark"),
        '\u{200F}' => Refused::Bidi("right-to-left mark"),
        '\u{202A}' => Refused::Bidi("left-to-right embedding"),
        '\u{202B}' => Refused::Bidi("right-to-left embedding"),
        '\u{202C}' => Refused::Bidi("pop directional formatting"),
        '\u{202D}' => Refused::Bidi("left-to-right override"),
        '\u{202E}' => Refused::Bidi("right-to-left override"),
        '\u{2066}' => Refused::Bidi("left-to-right isolate"),
        '\u{2067}' => Refused::Bidi("right-to-left isolate"),
        '\u{2068}' => Refused::Bidi("first strong isolate"),
        '\u{2069}' => Refused::Bidi("pop directional isolate"),
        '\u{000B}' => Refused::VerticalSpace("vertical tab"),
        '\u{000C}' => Refused::VerticalSpace("form feed"),
        '\u{0085}' => Refused::VerticalSpace("next line"),
        _ => return None,
    })
}
