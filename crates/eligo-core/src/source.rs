//! Source files, byte spans, and the mapping from byte offsets to the positions people and
//! editors use: 1-based line and column (in characters) and the UTF-16 column of browser editors.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The line breaks of rule text, the one definition every crate uses (the grammar's `line_break`
/// is the same list): LF, CR, U+2028 and U+2029, with CRLF counted as one break. A lone CR that
/// did not end a `//` comment hid the code after it on the same visual line.
pub const LINE_BREAKS: [char; 4] = ['\n', '\r', '\u{2028}', '\u{2029}'];

pub fn is_line_break(c: char) -> bool {
    LINE_BREAKS.contains(&c)
}

/// The lines of `text`, each with its line break (CRLF is one break).
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = match rest.char_indices().find(|(_, c)| is_line_break(*c)) {
            Some((i, '\r')) if rest[i + 1..].starts_with('\n') => i + 2,
            Some((i, c)) => i + c.len_utf8(),
            None => rest.len(),
        };
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// A line without its line break.
pub fn trim_line_break(line: &str) -> &str {
    line.strip_suffix("\r\n").unwrap_or_else(|| line.strip_suffix(LINE_BREAKS).unwrap_or(line))
}

/// Index of a file in a [`Sources`] set.
pub type FileId = u32;

/// A byte range in one source file. Every AST node carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        // Sources are limited to MAX_SOURCE_BYTES, far below u32::MAX.
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// One rule file: its name as the user gave it, and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// Every [`CHECKPOINT`] bytes or so: (byte offset, characters and UTF-16 units before it), so
    /// that a column is counted from the nearest checkpoint, not from the start of its line: a
    /// thousand errors on one line of 1 MiB would otherwise count the line a thousand times.
    checkpoints: Vec<(usize, usize, usize)>,
}

/// How far apart the checkpoints of [`SourceFile`] are, in bytes.
const CHECKPOINT: usize = 4096;

/// A position in a file, in every unit a consumer needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode scalar values (what a person counts).
    pub column: usize,
    /// 1-based column in UTF-16 code units (what JavaScript editors such as CodeMirror count).
    pub utf16_column: usize,
}

impl SourceFile {
    /// A file's text; a leading byte-order mark (Windows Notepad writes one) is dropped.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let mut text: String = text.into();
        if text.starts_with('\u{FEFF}') {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        let mut line_starts = vec![0];
        let mut end = 0;
        for line in lines_inclusive(&text) {
            end += line.len();
            if trim_line_break(line).len() < line.len() {
                line_starts.push(end);
            }
        }
        let mut checkpoints = vec![(0, 0, 0)];
        let (mut chars, mut units) = (0, 0);
        for (at, c) in text.char_indices() {
            if at >= checkpoints.last().map_or(0, |last| last.0) + CHECKPOINT {
                checkpoints.push((at, chars, units));
            }
            chars += 1;
            units += c.len_utf16();
        }
        SourceFile { name: name.into(), text, line_starts, checkpoints }
    }

    /// 0-based index of the line containing `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The byte offset where a 0-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The text of a 0-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.text.len());
        trim_line_break(self.text.get(start..end.max(start)).unwrap_or(""))
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_index(offset);
        let (line_chars, line_units) = self.counts_before(self.line_start(line));
        let (chars, units) = self.counts_before(offset);
        Position { line: line + 1, column: chars - line_chars + 1, utf16_column: units - line_units + 1 }
    }

    /// The characters and UTF-16 units before `offset` (a character boundary).
    fn counts_before(&self, offset: usize) -> (usize, usize) {
        let nearest = match self.checkpoints.binary_search_by_key(&offset, |c| c.0) {
            Ok(i) => i,
            Err(next) => next.saturating_sub(1),
        };
        let (at, chars, units) = self.checkpoints.get(nearest).copied().unwrap_or((0, 0, 0));
        let between = self.text.get(at..offset).unwrap_or("");
        (chars + between.chars().count(), units + between.encode_utf16().count())
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// A file is stored as its name and text: the line starts are rebuilt from the text on load, so
/// they always match it.
impl Serialize for SourceFile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.name, &self.text).serialize(s)
    }
}

impl<'de> Deserialize<'de> for SourceFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SourceFile, D::Error> {
        let (name, text) = <(String, String)>::deserialize(d)?;
        Ok(SourceFile::new(name, text))
    }
}

/// The files of one rule set, compiled together.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name, text));
        (self.files.len() - 1) as FileId
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id as usize)
    }

    /// The source text a span covers ("" for a span that does not fit).
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).and_then(|f| f.text.get(span.start as usize..span.end as usize)).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_utf16_units() {
        let file = SourceFile::new("a.rules", "let 年龄 = 1\nlet 𝑥 = 2\n");
        assert_eq!(file.position(0), Position { line: 1, column: 1, utf16_column: 1 });
        // After "let 年龄 " (4 ASCII bytes + 2×3 bytes + 1).
        let eq = file.text.find('=').unwrap_or_default();
        assert_eq!(file.position(eq), Position { line: 1, column: 8, utf16_column: 8 });
        // 𝑥 is one character but two UTF-16 units.
        let eq2 = file.text.rfind('=').unwrap_or_default();
        assert_eq!(file.position(eq2), Position { line: 2, column: 7, utf16_column: 8 });
        assert_eq!(file.line_text(1), "let 𝑥 = 2");
    }

    #[test]
    fn every_line_break_starts_a_line() {
        for (i, break_) in ["\n", "\r\n", "\r", "\u{2028}", "\u{2029}"].into_iter().enumerate() {
            let file = SourceFile::new("a", format!("ab{break_}cd{break_}{break_}e"));
            let e = file.text.len() - 1;
            assert_eq!(file.position(e), Position { line: 4, column: 1, utf16_column: 1 }, "break {i}");
            assert_eq!((file.line_text(0), file.line_text(1), file.line_text(2)), ("ab", "cd", ""), "break {i}");
        }
        // Vertical tab, form feed and NEL are not line breaks (the compiler refuses them).
        assert_eq!(lines_inclusive("a\u{b}b\u{c}c\u{85}d").count(), 1);
    }

    #[test]
    fn columns_far_into_a_long_line_count_from_checkpoints() {
        let line = "年𝑥a".repeat(5000);
        let file = SourceFile::new("a", format!("b\n{line}\n"));
        for chars in [0, 1, 2, 3, 1365, 1366, 4096, 14_999] {
            let offset = 2 + line.char_indices().nth(chars).map_or(line.len(), |(i, _)| i);
            let before = &line[..offset - 2];
            let expected = Position { line: 2, column: chars + 1, utf16_column: before.encode_utf16().count() + 1 };
            assert_eq!(file.position(offset), expected, "{chars}");
        }
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let file = SourceFile::new("a", "年龄");
        assert_eq!(file.position(1).column, 1);
        assert_eq!(file.position(99).column, 3);
    }
}
