//! Hover: what a name is, in Markdown: its label in Chinese and English, its type, its citation,
//! a parameter's dated values, a table's rows, a built-in's signature and usage.

use super::{Analysis, Key, Location};
use crate::ast::{self, Item, Source, Text};
use crate::check::expr::{list_op_usage, type_name, LIST_OPERATIONS};
use eligo_core::builtins::{self, Signature};
use eligo_core::source::FileId;
use eligo_core::vocabulary::Lang;
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hover {
    pub markdown: String,
    /// The name hovered.
    pub location: Location,
}

/// At most this many rows of a table are shown in its hover.
const SHOWN_ROWS: usize = 12;

pub fn hover(analysis: &Analysis, file: FileId, offset: usize, lang: Lang) -> Option<Hover> {
    let found = analysis.index.at(file, offset)?;
    let markdown = match &found.key {
        Key::Builtin(name) => builtin(name, lang)?,
        key => {
            let decl = analysis.index.declaration(key)?;
            let item = analysis.files.get(decl.file)?.items.get(decl.item)?;
            Describe { analysis, lang, out: String::new() }.item(item, decl.field)
        }
    };
    Some(Hover { markdown, location: analysis.location(found.span) })
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn builtin(name: &str, lang: Lang) -> Option<String> {
    let list_op = LIST_OPERATIONS.iter().find(|(op, _)| *op == name).map(|(_, op)| *op);
    let (signature, usage) = match (list_op, builtins::by_name(name)) {
        (Some(op), _) => (
            pick(lang, "（列表，对每一项的表达式）", "(list, expression over each item)").to_string(),
            list_op_usage(op),
        ),
        (None, Some(def)) => (signature(def.signature), def.usage),
        (None, None) => return None,
    };
    Some(format!("```\n{name}{signature}\n```\n{}: `{usage}`", pick(lang, "用法", "Usage")))
}

/// A built-in's signature: `(date, date) → int`.
pub(super) fn signature(signature: Signature) -> String {
    match signature {
        Signature::Fixed(params, result) => {
            let params: Vec<String> = params.iter().map(|ty| type_name(&[], *ty)).collect();
            format!("({}) → {}", params.join(", "), type_name(&[], result))
        }
        Signature::Number { places: true } => "(number, places?) → number".into(),
        Signature::Number { places: false } => "(number) → number".into(),
        Signature::Extremum => "(a, b, …) → the type of a".into(),
    }
}

struct Describe<'a> {
    analysis: &'a Analysis,
    lang: Lang,
    out: String,
}

impl<'a> Describe<'a> {
    fn snippet(&self, span: eligo_core::source::Span) -> &'a str {
        self.analysis.sources.snippet(span)
    }

    fn item(mut self, item: &Item, field: Option<usize>) -> String {
        match item {
            Item::Record(decl) => match field.and_then(|i| decl.fields.get(i)) {
                Some(field) => {
                    self.head("field", &field.name.name, Some(self.snippet(field.ty.span()).to_string()));
                    self.text(field.label.as_ref());
                    self.question(field);
                    let _ =
                        write!(self.out, "\n\n{} `{}`", pick(self.lang, "属于记录", "of the record"), decl.name.name);
                }
                None => {
                    self.head("record", &decl.name.name, None);
                    self.text(decl.label.as_ref());
                    let fields: Vec<&str> = decl.fields.iter().map(|f| f.name.name.as_str()).collect();
                    let _ = write!(self.out, "\n\n{}: {}", pick(self.lang, "字段", "Fields"), fields.join(", "));
                }
            },
            Item::Input(decl) => {
                self.head("input", &decl.name.name, Some(self.snippet(decl.ty.span()).to_string()));
                self.text(decl.label.as_ref());
                self.question(decl);
            }
            Item::Param(decl) => {
                self.head("param", &decl.name.name, Some(self.snippet(decl.ty.span()).to_string()));
                self.text(decl.label.as_ref());
                self.source(decl.source.as_ref());
                let _ = write!(self.out, "\n\n{}:", pick(self.lang, "取值", "Values"));
                for value in &decl.values {
                    let _ = write!(self.out, "\n- {}", self.snippet(value.value.span));
                    if let Some(from) = value.from {
                        let _ = write!(self.out, " {} {}", pick(self.lang, "自", "from"), from.date);
                    }
                    if let Some(until) = value.until {
                        let _ = write!(self.out, " {} {}", pick(self.lang, "至", "until"), until.date);
                    }
                }
            }
            Item::Let(decl) => {
                let written = decl.ty.as_ref().map(|ty| self.snippet(ty.span()).to_string());
                let program = self.analysis.program.as_ref();
                let checked = program.and_then(|p| {
                    p.lets.iter().find(|l| l.name == decl.name.name).map(|l| type_name(&p.records, l.ty))
                });
                self.head("let", &decl.name.name, written.or(checked));
                self.text(decl.label.as_ref());
                let _ = write!(self.out, "\n\n```\n{}\n```", self.snippet(decl.value.span));
            }
            Item::Table(decl) => self.table(decl),
            Item::Policy(decl) => {
                self.head("policy", &decl.name.name, None);
                self.text(Some(&decl.title));
                self.source(decl.source.as_ref());
                if let Some(effective) = &decl.effective {
                    let _ = write!(self.out, "\n\n{}", self.snippet(effective.span));
                }
            }
            Item::Group(decl) => {
                self.head("group", &decl.name.name, None);
                self.text(decl.title.as_ref());
                let members: Vec<&str> = decl.members.iter().map(|m| m.name.as_str()).collect();
                let _ = write!(self.out, "\n\n{}: {}", pick(self.lang, "成员", "Members"), members.join(", "));
            }
            Item::Ruleset(_) | Item::Example(_) => {}
        }
        self.out
    }

    fn table(&mut self, decl: &ast::TableDecl) {
        let keys: Vec<&str> = decl
            .keys
            .iter()
            .map(|k| self.snippet(k.name.span.to(k.ty.as_ref().map_or(k.name.span, |t| t.span()))))
            .collect();
        let ty = format!("({}) -> {}", keys.join(", "), self.snippet(decl.result.span()));
        self.head("table", &decl.name.name, Some(ty));
        self.text(decl.label.as_ref());
        self.source(decl.source.as_ref());
        let _ = write!(self.out, "\n\n```");
        for row in decl.rows.iter().take(SHOWN_ROWS) {
            let _ = write!(self.out, "\n{}", self.snippet(row.span).trim());
        }
        if decl.rows.len() > SHOWN_ROWS {
            let more = decl.rows.len() - SHOWN_ROWS;
            let _ = write!(self.out, "\n… {more} {}", pick(self.lang, "行未显示", "more rows"));
        }
        let _ = write!(self.out, "\n```");
    }

    /// `input 年龄: int`, as a code line.
    fn head(&mut self, keyword: &str, name: &str, ty: Option<String>) {
        let _ = write!(self.out, "```\n{keyword} {name}");
        if let Some(ty) = ty {
            let _ = write!(self.out, ": {ty}");
        }
        let _ = write!(self.out, "\n```");
    }

    /// The label, Chinese then English.
    fn text(&mut self, text: Option<&Text>) {
        if let Some(text) = text {
            let _ = write!(self.out, "\n\n{}", text.zh);
            if let Some(en) = &text.en {
                let _ = write!(self.out, " — {en}");
            }
        }
    }

    fn question(&mut self, input: &ast::InputDecl) {
        if let Some(question) = &input.question {
            let _ = write!(self.out, "\n\n{}: ", pick(self.lang, "问题", "Question"));
            self.text_inline(question);
        }
    }

    fn text_inline(&mut self, text: &Text) {
        let _ = write!(self.out, "{}", text.zh);
        if let Some(en) = &text.en {
            let _ = write!(self.out, " — {en}");
        }
    }

    fn source(&mut self, source: Option<&Source>) {
        if let Some(source) = source {
            let _ = write!(self.out, "\n\n{}: {}", pick(self.lang, "依据", "Source"), source.citation);
            if let Some(url) = &source.url {
                let _ = write!(self.out, " <{url}>");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::tests::{analyse, at, RULES};

    fn shown(text: &str, needle: &str, nth: usize, lang: Lang) -> String {
        hover(&analyse(text), 0, at(text, needle, nth), lang).map(|h| h.markdown).unwrap_or_default()
    }

    #[test]
    fn an_input_shows_its_type_and_both_labels() {
        assert_eq!(shown(RULES, "年龄 >=", 0, Lang::En), "```\ninput 年龄: int\n```\n\n年龄 — Age");
    }

    #[test]
    fn a_parameter_shows_its_citation_and_timeline() {
        assert_eq!(
            shown(RULES, "标准\n", 0, Lang::Zh),
            "```\nparam 标准: money\n```\n\n标准 — Standard\n\n依据: 某某文件\n\n取值:\n- 100 自 2024-01-01\n- 120 自 2025-01-01"
        );
    }

    #[test]
    fn a_definition_shows_its_checked_type_and_a_field_its_record() {
        let shown_let = shown(RULES, "收入合计 <", 0, Lang::En);
        assert!(shown_let.starts_with("```\nlet 收入合计: money\n```\n\n收入合计 — Total income"), "{shown_let}");
        let field = shown(RULES, "member_income)", 0, Lang::En);
        assert!(field.starts_with("```\nfield member_income: money\n```\n\n收入 — Income"), "{field}");
    }

    #[test]
    fn a_table_shows_its_rows() {
        let text = "input 年龄: int label \"年龄\" en \"Age\"\ntable 标准(年龄段: int) -> money\n  label \"标准\" en \"Standard\"\n  80..89 => 100\n  90.. => 500\nlet x = 标准(年龄)\n";
        assert_eq!(
            shown(text, "标准(年龄)", 0, Lang::En),
            "```\ntable 标准: (年龄段: int) -> money\n```\n\n标准 — Standard\n\n```\n80..89 => 100\n90.. => 500\n```"
        );
    }

    #[test]
    fn a_builtin_shows_its_signature_and_usage() {
        let text = "let x = age(2000-01-01, today)\n";
        assert_eq!(shown(text, "age", 0, Lang::En), "```\nage(date, date) → int\n```\nUsage: `age(birth_date, today)`");
        assert!(shown(RULES, "sum", 0, Lang::En).ends_with("Usage: `sum(household, monthly_income)`"));
    }
}
