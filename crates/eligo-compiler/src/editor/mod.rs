//! Editor services (the language server's, and later the playground's): plain functions over a
//! rule set's files and a position, giving data with byte spans and positions (1-based line, and
//! the UTF-16 column editors count). They read the very parse and check `compile` does, through
//! an [`Analysis`] made once per version of the files; no I/O, no protocol types.

mod complete;
mod edits;
mod hover;
mod index;

pub use complete::{completion, Completion, CompletionKind};
pub use edits::{code_actions, formatting, rename, CodeAction, Edit, RenameError};
pub use hover::{hover, Hover};
pub use index::{Key, Symbol, SymbolKind};

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::render::{position, ByteSpan, Positioned};
use eligo_core::program::Program;
use eligo_core::source::{FileId, Position, Sources, Span};
use eligo_core::vocabulary::Lang;
use serde::Serialize;

/// One compile of a rule set, with the index of its names that the services read.
pub struct Analysis {
    pub sources: Sources,
    files: Vec<ast::File>,
    diagnostics: Vec<Diagnostic>,
    /// The checked program when the rules have no errors (for the types of definitions).
    program: Option<Program>,
    index: index::Index,
}

/// A place in a file: its bytes and its start and end as editors count them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: FileId,
    pub span: ByteSpan,
    pub start: Position,
    pub end: Position,
}

impl Analysis {
    pub fn new(sources: Sources) -> Analysis {
        let (compiled, files) = crate::compile::compile_parsed(&sources, true);
        let index = index::Index::new(&files);
        Analysis { sources, files, diagnostics: compiled.diagnostics, program: compiled.program, index }
    }

    /// The diagnostics of one file, as `check` gives them, in `lang`.
    pub fn diagnostics(&self, file: FileId, lang: Lang) -> Vec<Positioned> {
        self.diagnostics.iter().filter(|d| d.span.file == file).map(|d| position(&self.sources, d, lang)).collect()
    }

    /// The byte offset of a 0-based line and 0-based UTF-16 column (the protocol's positions); none
    /// past the end of the line or of the file, or inside a character.
    pub fn offset(&self, file: FileId, line: usize, utf16_column: usize) -> Option<usize> {
        let source = self.sources.get(file)?;
        if line >= source.position(source.text.len()).line {
            return None;
        }
        let start = source.line_start(line);
        let mut units = 0;
        for (at, c) in source.line_text(line).char_indices() {
            if units == utf16_column {
                return Some(start + at);
            }
            units += c.len_utf16();
        }
        (units == utf16_column).then_some(start + source.line_text(line).len())
    }

    pub fn location(&self, span: Span) -> Location {
        let (start, end) = match self.sources.get(span.file) {
            Some(file) => (file.position(span.start as usize), file.position(span.end as usize)),
            None => {
                let nowhere = Position { line: 1, column: 1, utf16_column: 1 };
                (nowhere, nowhere)
            }
        };
        Location { file: span.file, span: ByteSpan { start: span.start, end: span.end }, start, end }
    }

    /// Where the name at `offset` is declared.
    pub fn definition(&self, file: FileId, offset: usize) -> Option<Location> {
        let key = &self.index.at(file, offset)?.key;
        self.index.declaration(key).map(|decl| self.location(decl.name))
    }

    /// Every use of the name at `offset`, and its declaration, in the order of the files.
    pub fn references(&self, file: FileId, offset: usize) -> Vec<Location> {
        let Some(found) = self.index.at(file, offset) else { return Vec::new() };
        self.index.occurrences(&found.key).map(|o| self.location(o.span)).collect()
    }

    /// The outline of a file: its declarations and examples, in order.
    pub fn symbols(&self, file: FileId) -> Vec<Symbol> {
        index::symbols(self.files.get(file as usize), |span| self.location(span))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The analysis of one file.
    pub(crate) fn analyse(text: &str) -> Analysis {
        let mut sources = Sources::new();
        sources.add("a.rules", text);
        Analysis::new(sources)
    }

    /// The offset of the `nth` (0-based) occurrence of `needle`.
    pub(crate) fn at(text: &str, needle: &str, nth: usize) -> usize {
        text.match_indices(needle).nth(nth).map_or(usize::MAX, |(i, _)| i)
    }

    pub(crate) const RULES: &str = "record member label \"成员\" en \"Member\"\n  field member_income: money label \"收入\" en \"Income\"\n\ninput household: list of member label \"家庭成员\" en \"Household\"\ninput 年龄: int label \"年龄\" en \"Age\"\n\nparam 标准: money = 100 from 2024-01-01, 120 from 2025-01-01\n  label \"标准\" en \"Standard\"\n  source \"某某文件\"\n\nlet 收入合计 = sum(household, member_income)\n  label \"收入合计\" en \"Total income\"\n\npolicy p \"补贴\" en \"Allowance\"\n  require 年龄 >= 65 \"年满65周岁\" en \"Aged 65 or over\"\n  require 收入合计 < 标准 \"收入低\" en \"Low income\"\n  amount monthly = 标准\n\nexample \"e\" on 2025-02-01\n  given 年龄 = 70, household = [{member_income = 10}]\n  expect p eligible, amount = 120\n";

    #[test]
    fn the_sample_checks() {
        assert_eq!(analyse(RULES).diagnostics(0, Lang::En), vec![]);
    }

    #[test]
    fn offsets_count_utf16_units_and_refuse_what_is_past_the_end() {
        let analysis = analyse("let 𝑥 = 1\nlet y = 2");
        assert_eq!(analysis.offset(0, 0, 4), Some(4));
        // 𝑥 is two UTF-16 units and four bytes: the `=` after it is at unit 7, byte 9.
        assert_eq!(analysis.offset(0, 0, 7), Some(9));
        assert_eq!(analysis.offset(0, 0, 5), None, "inside 𝑥");
        assert_eq!(analysis.offset(0, 1, 9), Some(analysis.sources.files[0].text.len()));
        assert_eq!(analysis.offset(0, 1, 10), None);
        assert_eq!(analysis.offset(0, 2, 0), None);
        assert_eq!(analysis.offset(1, 0, 0), None);
    }

    #[test]
    fn definition_and_references_cover_every_kind_of_use() {
        let analysis = analyse(RULES);
        let line_of = |offset| analysis.definition(0, offset).map(|l| l.start.line);
        // An input in a condition and in an example's given; a field inside a list operation and
        // in an example's record; a parameter; a definition; a policy in an expectation.
        assert_eq!(line_of(at(RULES, "年龄 >=", 0)), Some(5));
        assert_eq!(line_of(at(RULES, "年龄 = 70", 0)), Some(5));
        assert_eq!(line_of(at(RULES, "member_income)", 0)), Some(2));
        assert_eq!(line_of(at(RULES, "member_income = 10", 0)), Some(2));
        assert_eq!(line_of(at(RULES, "标准\n", 0)), Some(7));
        assert_eq!(line_of(at(RULES, "收入合计 <", 0)), Some(11));
        assert_eq!(line_of(at(RULES, "p eligible", 0)), Some(14));
        assert_eq!(line_of(at(RULES, "of member", 0) + 3), Some(1));
        // Declaration first, then every use in order.
        let lines: Vec<usize> = analysis.references(0, at(RULES, "标准", 0)).iter().map(|l| l.start.line).collect();
        assert_eq!(lines, vec![7, 16, 17]);
        let columns: Vec<usize> = analysis.references(0, at(RULES, "年龄", 0)).iter().map(|l| l.start.column).collect();
        assert_eq!(columns, vec![7, 11, 9]);
        // A keyword is no name.
        assert_eq!(analysis.definition(0, at(RULES, "require", 0)), None);
    }

    #[test]
    fn the_outline_lists_each_declaration() {
        let analysis = analyse(RULES);
        let outline: Vec<(String, SymbolKind, usize)> =
            analysis.symbols(0).into_iter().map(|s| (s.name, s.kind, s.selection.start.line)).collect();
        assert_eq!(
            outline,
            vec![
                ("member".into(), SymbolKind::Record, 1),
                ("household".into(), SymbolKind::Input, 4),
                ("年龄".into(), SymbolKind::Input, 5),
                ("标准".into(), SymbolKind::Param, 7),
                ("收入合计".into(), SymbolKind::Let, 11),
                ("p".into(), SymbolKind::Policy, 14),
                ("e".into(), SymbolKind::Example, 19),
            ]
        );
    }

    /// The rule files of rules/, in a fixed order.
    fn rules() -> Sources {
        let mut paths = Vec::new();
        let mut folders = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules"))];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rules") {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        let mut sources = Sources::new();
        for path in paths {
            sources.add(path.display().to_string(), std::fs::read_to_string(&path).unwrap_or_default());
        }
        sources
    }

    #[test]
    fn every_name_in_the_rules_resolves_to_its_declaration() {
        let analysis = Analysis::new(rules());
        assert!(analysis.sources.files.len() > 10);
        assert!(analysis.diagnostics.iter().all(|d| !d.is_error()), "rules/ checks");
        let mut resolved = 0;
        for occurrence in &analysis.index.occurrences {
            if matches!(occurrence.key, Key::Builtin(_)) {
                continue;
            }
            let name = analysis.sources.snippet(occurrence.span);
            let found = analysis.definition(occurrence.span.file, occurrence.span.start as usize);
            let declared = found.map(|l| {
                analysis.sources.snippet(Span { file: l.file, start: l.span.start, end: l.span.end }).to_string()
            });
            assert_eq!(declared.as_deref(), Some(name), "{name} at {:?}", analysis.location(occurrence.span));
            resolved += 1;
        }
        assert!(resolved > 300, "{resolved} names");
    }

    #[test]
    fn renaming_each_definition_of_the_rules_checks_as_before() {
        let sources = rules();
        let analysis = Analysis::new(sources.clone());
        let before: Vec<_> = analysis.diagnostics.iter().map(|d| d.code).collect();
        let lets: Vec<(u32, usize, String)> = analysis
            .index
            .declarations()
            .filter(|(key, decl)| {
                matches!(key, Key::Value(_))
                    && matches!(analysis.files[decl.file].items[decl.item], ast::Item::Let(_) | ast::Item::Param(_))
            })
            .map(|(key, decl)| (decl.name.file, decl.name.start as usize, key.name().to_string()))
            .collect();
        assert!(lets.len() > 20);
        for (file, offset, name) in lets {
            let new_name = format!("{name}_新");
            let edits = rename(&analysis, file, offset, &new_name).unwrap_or_default();
            assert!(edits.len() >= 2, "{name}: declared and used");
            let mut renamed = sources.clone();
            for (id, source) in renamed.files.iter_mut().enumerate() {
                let mut text = source.text.clone();
                let mut mine: Vec<&Edit> = edits.iter().filter(|e| e.location.file == id as u32).collect();
                mine.sort_by_key(|e| std::cmp::Reverse(e.location.span.start));
                for edit in mine {
                    text.replace_range(
                        edit.location.span.start as usize..edit.location.span.end as usize,
                        &edit.new_text,
                    );
                }
                *source = eligo_core::source::SourceFile::new(source.name.clone(), text);
            }
            let after = Analysis::new(renamed);
            let codes: Vec<_> = after.diagnostics.iter().map(|d| d.code).collect();
            assert_eq!(codes, before, "renaming {name}");
            assert!(after.index.declaration(&Key::Value(new_name)).is_some());
        }
    }
}
