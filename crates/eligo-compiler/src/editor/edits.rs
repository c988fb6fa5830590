//! Edits: rename, and the quick fixes of diagnostics ("did you mean `x`?", full-width
//! punctuation typed by a Chinese input method).

use super::{Analysis, Key, Location};
use crate::ast::Item;
use crate::diagnostic::{Code, Diagnostic};
use eligo_core::source::{FileId, Span};
use eligo_core::vocabulary::Lang;
use serde::Serialize;

/// Replace the text at `location` by `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edit {
    pub location: Location,
    pub new_text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeAction {
    pub title: String,
    /// The code of the diagnostic it fixes.
    pub fixes: &'static str,
    pub edits: Vec<Edit>,
}

/// Why a rename was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    /// Nothing that can be renamed is at the position (a keyword, a number, a built-in).
    NothingToRename,
    /// The new name is not a name of the language (a keyword, a digit first, a space…).
    NotAName { name: String },
    /// Something in the same namespace already has the new name.
    Collides { name: String, declared: Location },
}

impl RenameError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (RenameError::NothingToRename, Lang::Zh) => "这里没有可以重命名的名称（关键字和内置函数不能重命名）".into(),
            (RenameError::NothingToRename, Lang::En) => {
                "there is no name to rename here (keywords and built-ins cannot be renamed)".into()
            }
            (RenameError::NotAName { name }, Lang::Zh) => {
                format!("`{name}` 不是合法的名称：名称由文字、数字和 _ 组成，不以数字开头，也不能是关键字")
            }
            (RenameError::NotAName { name }, Lang::En) => format!(
                "`{name}` is not a valid name: a name is letters, digits and _, does not start with a digit, and is not a keyword"
            ),
            (RenameError::Collides { name, declared }, Lang::Zh) => {
                format!("`{name}` 已在第 {} 行声明；请换一个名称", declared.start.line)
            }
            (RenameError::Collides { name, declared }, Lang::En) => {
                format!("`{name}` is already declared on line {}; choose another name", declared.start.line)
            }
        }
    }
}

/// The edits that rename the name at `offset`, its declaration and every use, to `new_name`.
pub fn rename(analysis: &Analysis, file: FileId, offset: usize, new_name: &str) -> Result<Vec<Edit>, RenameError> {
    let found = analysis.index.at(file, offset).filter(|o| !matches!(o.key, Key::Builtin(_)));
    let key = found.map(|o| &o.key).filter(|key| analysis.index.declaration(key).is_some());
    let Some(key) = key else { return Err(RenameError::NothingToRename) };
    if !is_name(new_name) {
        return Err(RenameError::NotAName { name: new_name.into() });
    }
    let renamed = match key {
        Key::Value(_) => Key::Value(new_name.into()),
        Key::Record(_) => Key::Record(new_name.into()),
        Key::Field { record, .. } => Key::Field { record: record.clone(), field: new_name.into() },
        Key::Policy(_) => Key::Policy(new_name.into()),
        Key::Builtin(_) => return Err(RenameError::NothingToRename),
    };
    if let Some(existing) = analysis.index.declaration(&renamed).filter(|_| &renamed != key) {
        return Err(RenameError::Collides { name: new_name.into(), declared: analysis.location(existing.name) });
    }
    Ok(analysis
        .index
        .occurrences(key)
        .map(|o| Edit { location: analysis.location(o.span), new_text: new_name.into() })
        .collect())
}

/// Whether the parser reads `name` as one name (the grammar decides, not a copy of its rules).
fn is_name(name: &str) -> bool {
    let (file, diagnostics) = crate::syntax::parse(0, &format!("let {name} = 1\n"));
    diagnostics.is_empty() && matches!(file.items.as_slice(), [Item::Let(decl)] if decl.name.name == name)
}

/// The edit that lays `file` out as `eligo fmt` does: the whole text replaced, or none when it
/// is laid out so already or does not parse (its syntax errors are then its diagnostics).
pub fn formatting(analysis: &Analysis, file: FileId) -> Option<Edit> {
    let text = &analysis.sources.get(file)?.text;
    let formatted = crate::format::format(text).ok().filter(|formatted| formatted != text)?;
    Some(Edit { location: analysis.location(Span::new(file, 0, text.len())), new_text: formatted })
}

/// The quick fixes of the diagnostics of `file` that overlap the bytes `start..=end`.
pub fn code_actions(analysis: &Analysis, file: FileId, start: usize, end: usize, lang: Lang) -> Vec<CodeAction> {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.span.file == file && d.span.start as usize <= end && start <= d.span.end as usize)
        .filter_map(|d| fix(analysis, d, lang))
        .collect()
}

fn fix(analysis: &Analysis, diagnostic: &Diagnostic, lang: Lang) -> Option<CodeAction> {
    let written = analysis.sources.snippet(diagnostic.span);
    let (span, replacement) = match suggested(diagnostic) {
        Some(suggestion) => (diagnostic.span, suggestion.to_string()),
        None if diagnostic.code == Code::Syntax => {
            let found = written.chars().next().or_else(|| {
                let source = analysis.sources.get(diagnostic.span.file)?;
                source.text.get(diagnostic.span.start as usize..)?.chars().next()
            })?;
            let ascii = crate::syntax::half_width(found.encode_utf8(&mut [0; 4]))?;
            let end = diagnostic.span.start as usize + found.len_utf8();
            (Span::new(diagnostic.span.file, diagnostic.span.start as usize, end), ascii.to_string())
        }
        None => return None,
    };
    let shown = analysis.sources.snippet(span);
    let title = match lang {
        Lang::Zh => format!("把 `{shown}` 改为 `{replacement}`"),
        Lang::En => format!("Replace `{shown}` with `{replacement}`"),
    };
    Some(CodeAction {
        title,
        fixes: diagnostic.code.as_str(),
        edits: vec![Edit { location: analysis.location(span), new_text: replacement }],
    })
}

/// The `x` of a "did you mean `x`?" (`diagnostic::did_you_mean`) in a diagnostic's help or
/// message, read in English, whatever language the editor shows.
fn suggested(diagnostic: &Diagnostic) -> Option<&str> {
    let help = diagnostic.help.as_ref().map(|help| help.get(Lang::En));
    [help, Some(diagnostic.message.get(Lang::En))].into_iter().flatten().find_map(|text| {
        let (_, rest) = text.split_once("did you mean `")?;
        rest.split_once("`?").map(|(word, _)| word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::tests::{analyse, at, RULES};

    /// `text` with the edits applied.
    fn applied(text: &str, mut edits: Vec<Edit>) -> String {
        edits.sort_by_key(|e| std::cmp::Reverse(e.location.span.start));
        let mut out = text.to_string();
        for edit in edits {
            out.replace_range(edit.location.span.start as usize..edit.location.span.end as usize, &edit.new_text);
        }
        out
    }

    #[test]
    fn rename_changes_every_occurrence_and_nothing_else() {
        let analysis = analyse(RULES);
        let cases = [
            ("年龄", 0, "周岁", 3),
            ("标准", 0, "补贴标准", 3),
            ("member_income", 2, "收入", 3),
            ("p eligible", 0, "q", 2),
        ];
        for (needle, nth, new, occurrences) in cases {
            let edits = rename(&analysis, 0, at(RULES, needle, nth), new);
            let renamed = applied(RULES, edits.clone().unwrap_or_default());
            let after = analyse(&renamed);
            assert_eq!(after.diagnostics(0, Lang::En), vec![], "{needle} → {new}:\n{renamed}");
            assert_eq!(edits.map(|e| e.len()).ok(), Some(occurrences), "{needle}");
        }
    }

    #[test]
    fn rename_refuses_what_is_not_a_name_or_collides() {
        let analysis = analyse(RULES);
        let age = at(RULES, "年龄", 0);
        for bad in ["", "policy", "1年龄", "a b", "a\nlet b"] {
            assert_eq!(rename(&analysis, 0, age, bad), Err(RenameError::NotAName { name: bad.into() }), "{bad:?}");
        }
        assert!(matches!(rename(&analysis, 0, age, "标准"), Err(RenameError::Collides { .. })));
        assert_eq!(rename(&analysis, 0, at(RULES, "sum", 0), "总和"), Err(RenameError::NothingToRename));
        assert_eq!(rename(&analysis, 0, at(RULES, "require", 0), "x"), Err(RenameError::NothingToRename));
    }

    #[test]
    fn formatting_replaces_the_whole_text_once() {
        let text = "input   年龄:int label \"年龄\" en \"Age\"\n";
        let edit = formatting(&analyse(text), 0);
        let formatted = applied(text, edit.clone().into_iter().collect());
        assert_eq!(formatted, "input 年龄: int\n  label \"年龄\" en \"Age\"\n");
        assert_eq!(edit.map(|e| (e.location.start.line, e.location.end.line, e.location.end.column)), Some((1, 2, 1)));
        assert_eq!(formatting(&analyse(&formatted), 0), None, "formatted already");
        assert_eq!(formatting(&analyse("input 年龄：int\n"), 0), None, "does not parse");
    }

    #[test]
    fn did_you_mean_becomes_a_fix() {
        let text = RULES.replace("require 年龄 >=", "require 年令 >=");
        let analysis = analyse(&text);
        let at_typo = at(&text, "年令", 0);
        let actions = code_actions(&analysis, 0, at_typo, at_typo, Lang::En);
        assert_eq!(actions.len(), 1, "{actions:?}");
        assert_eq!(actions[0].title, "Replace `年令` with `年龄`");
        assert_eq!(analyse(&applied(&text, actions[0].edits.clone())).diagnostics(0, Lang::En), vec![]);
    }

    #[test]
    fn full_width_punctuation_becomes_its_ascii_character() {
        for name in ["colon", "comma", "parenthesis"] {
            let path =
                format!("{}/../../tests/fixtures/invalid/E0101_fullwidth_{name}.rules", env!("CARGO_MANIFEST_DIR"));
            let mut fixed = std::fs::read_to_string(&path).unwrap_or_default();
            // One diagnostic per mistake: the closing parenthesis is reported once the opening
            // one is fixed.
            for _ in 0..2 {
                let analysis = analyse(&fixed);
                let actions = code_actions(&analysis, 0, 0, fixed.len(), Lang::Zh);
                let Some(action) = actions.first() else { break };
                assert_eq!(action.fixes, "E0101", "{name}");
                fixed = applied(&fixed, action.edits.clone());
            }
            assert!(!analyse(&fixed).diagnostics(0, Lang::En).iter().any(|d| d.code == "E0101"), "{name}:\n{fixed}");
        }
    }
}
