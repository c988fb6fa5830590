//! Completion: at the start of a line the keywords that may start a declaration (or, indented, a
//! clause); elsewhere the names in scope (inputs, parameters, definitions, tables, and the fields
//! of the items inside a list operation) and the built-ins with their signatures and usage.

use super::{Analysis, Key};
use crate::ast::{Item, Text};
use crate::check::expr::{list_op_usage, LIST_OPERATIONS};
use crate::syntax::{CLAUSE_KEYWORDS, DECLARATION_KEYWORDS};
use eligo_core::builtins::BUILTINS;
use eligo_core::source::FileId;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompletionKind {
    Keyword,
    Input,
    Param,
    Let,
    Table,
    Field,
    Function,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    /// A name's label, a built-in's signature.
    pub detail: Option<String>,
    /// A built-in's usage.
    pub documentation: Option<String>,
}

pub fn completion(analysis: &Analysis, file: FileId, offset: usize) -> Vec<Completion> {
    let Some(source) = analysis.sources.get(file) else { return Vec::new() };
    let line_start = source.line_start(source.line_index(offset));
    let before = source.text.get(line_start..offset).unwrap_or("");
    let word_start = before.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
    if word_start.trim().is_empty() {
        let keywords: &[&str] = if word_start.is_empty() { &DECLARATION_KEYWORDS } else { &CLAUSE_KEYWORDS };
        return keywords.iter().map(|k| plain(k, CompletionKind::Keyword, None)).collect();
    }
    let mut items = Vec::new();
    let scope = analysis
        .index
        .item_scopes
        .iter()
        .filter(|(span, _)| span.file == file && span.start as usize <= offset && offset <= span.end as usize)
        .min_by_key(|(span, _)| span.end - span.start);
    for (key, decl) in analysis.index.declarations() {
        let Some(item) = analysis.files.get(decl.file).and_then(|f| f.items.get(decl.item)) else { continue };
        let (kind, label) = match (key, item) {
            (Key::Value(_), Item::Input(d)) => (CompletionKind::Input, d.label.as_ref()),
            (Key::Value(_), Item::Param(d)) => (CompletionKind::Param, d.label.as_ref()),
            (Key::Value(_), Item::Let(d)) => (CompletionKind::Let, d.label.as_ref()),
            (Key::Value(_), Item::Table(d)) => (CompletionKind::Table, d.label.as_ref()),
            (Key::Field { record, .. }, Item::Record(d)) if scope.is_some_and(|(_, r)| r == record) => {
                (CompletionKind::Field, decl.field.and_then(|i| d.fields.get(i)).and_then(|f| f.label.as_ref()))
            }
            _ => continue,
        };
        items.push(plain(key.name(), kind, label.map(both)));
    }
    for def in BUILTINS {
        items.push(Completion {
            label: def.name.into(),
            kind: CompletionKind::Function,
            detail: Some(format!("{}{}", def.name, super::hover::signature(def.signature))),
            documentation: Some(def.usage.into()),
        });
    }
    for (name, op) in LIST_OPERATIONS {
        items.push(Completion {
            label: (*name).into(),
            kind: CompletionKind::Function,
            detail: None,
            documentation: Some(list_op_usage(*op).into()),
        });
    }
    items
}

fn plain(label: &str, kind: CompletionKind, detail: Option<String>) -> Completion {
    Completion { label: label.into(), kind, detail, documentation: None }
}

fn both(text: &Text) -> String {
    match &text.en {
        Some(en) => format!("{} — {en}", text.zh),
        None => text.zh.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::tests::{analyse, at, RULES};

    fn labels(text: &str, offset: usize, kind: CompletionKind) -> Vec<String> {
        completion(&analyse(text), 0, offset).into_iter().filter(|c| c.kind == kind).map(|c| c.label).collect()
    }

    #[test]
    fn keywords_start_lines() {
        let at_line = at(RULES, "\npolicy", 0) + 1;
        assert_eq!(labels(RULES, at_line, CompletionKind::Keyword), DECLARATION_KEYWORDS);
        let indented = at(RULES, "require", 0);
        assert_eq!(labels(RULES, indented, CompletionKind::Keyword), CLAUSE_KEYWORDS);
        assert_eq!(labels(RULES, indented, CompletionKind::Input), Vec::<String>::new());
    }

    #[test]
    fn names_in_scope_and_fields_inside_a_list_operation() {
        let in_condition = at(RULES, "年龄 >=", 0) + "年".len();
        assert_eq!(labels(RULES, in_condition, CompletionKind::Input), ["household", "年龄"]);
        assert_eq!(labels(RULES, in_condition, CompletionKind::Param), ["标准"]);
        assert_eq!(labels(RULES, in_condition, CompletionKind::Let), ["收入合计"]);
        assert_eq!(labels(RULES, in_condition, CompletionKind::Field), Vec::<String>::new());
        let in_sum = at(RULES, "member_income)", 0) + 3;
        assert_eq!(labels(RULES, in_sum, CompletionKind::Field), ["member_income"]);
        let age = completion(&analyse(RULES), 0, in_condition).into_iter().find(|c| c.label == "age");
        assert_eq!(age.and_then(|c| c.detail), Some("age(date, date) → int".into()));
    }
}
