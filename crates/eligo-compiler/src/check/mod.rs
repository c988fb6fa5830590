//! Check: names, types, dates, tables, cycles and examples → diagnostics and a checked program.
//!
//! The checker reports every problem it finds, not just the first: each declaration is checked
//! on its own, and an expression that already has an error takes the type `Type::Error`, which
//! every later check accepts silently.

mod examples;
pub(crate) mod expr;
mod money;
mod order;
mod tables;

use crate::ast::{self, Item, OutputName, Period, TypeExpr};
use crate::diagnostic::{did_you_mean, Bilingual, Code, Diagnostic};
use crate::examples::ExampleDef;
use crate::text;
use eligo_core::limits::{
    MAX_DECLARATIONS, MAX_GROUP_MEMBERS, MAX_TABLE_DEPTH, RULE_SET_SUGGESTION_WORK, SUGGESTION_WORK,
};
use eligo_core::program::*;
use eligo_core::source::{Sources, Span};
use eligo_core::value::Value;
use eligo_core::vocabulary::Text;
use expr::{literal_value, Scope, Typed};
use std::collections::BTreeMap;

/// What a name in the shared namespace of inputs, parameters, definitions and tables denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Symbol {
    Input(u32),
    Param(u32),
    Let(u32),
    Table(u32),
}

pub(crate) struct Checker<'a> {
    sources: &'a Sources,
    diagnostics: Vec<Diagnostic>,
    program: Program,
    examples: Vec<ExampleDef>,
    symbols: BTreeMap<String, (Symbol, Span)>,
    records: BTreeMap<String, u32>,
    policies: BTreeMap<String, u32>,
    /// The group each policy is in, with where it is named there.
    grouped: BTreeMap<u32, (String, Span)>,
    let_types: Vec<Type>,
    used_inputs: Vec<bool>,
    used_lets: Vec<bool>,
    /// Work left for "did you mean …?" in this rule set (see `suggest`).
    suggestion_budget: std::cell::Cell<usize>,
}

/// A rule set that checked: its program and the examples written in it.
#[derive(Debug)]
pub struct Checked {
    pub program: Program,
    pub examples: Vec<ExampleDef>,
}

/// Checks parsed files together as one rule set. The program is returned only when there are no
/// errors (warnings allowed).
pub fn check(sources: &Sources, files: &[ast::File]) -> (Option<Checked>, Vec<Diagnostic>) {
    let mut checker = Checker {
        sources,
        diagnostics: Vec::new(),
        program: Program {
            id: String::new(),
            title: Text::default(),
            enums: Vec::new(),
            records: Vec::new(),
            inputs: Vec::new(),
            unknown_inputs: Vec::new(),
            params: Vec::new(),
            lets: Vec::new(),
            let_order: Vec::new(),
            tables: Vec::new(),
            policies: Vec::new(),
            groups: Vec::new(),
            relation_order: Vec::new(),
            excluders: Vec::new(),
            sources: sources.clone(),
        },
        examples: Vec::new(),
        symbols: BTreeMap::new(),
        records: BTreeMap::new(),
        policies: BTreeMap::new(),
        grouped: BTreeMap::new(),
        let_types: Vec::new(),
        used_inputs: Vec::new(),
        used_lets: Vec::new(),
        suggestion_budget: std::cell::Cell::new(RULE_SET_SUGGESTION_WORK),
    };
    let items: Vec<&Item> = files.iter().flat_map(|f| &f.items).collect();
    if items.len() > MAX_DECLARATIONS {
        let span = items.get(MAX_DECLARATIONS).map_or(Span::default(), |item| item_span(item));
        checker.report(
            Diagnostic::new(
                Code::TooManyDeclarations,
                span,
                text!(
                    "一个规则集中的声明超过了 {MAX_DECLARATIONS} 个",
                    "more than {MAX_DECLARATIONS} declarations in one rule set"
                ),
            )
            .with_help(text!("把规则拆成几个规则集", "split the rules into several rule sets")),
        );
        return (None, checker.diagnostics);
    }
    checker.check_items(&items);
    checker.diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.code));
    let has_errors = checker.diagnostics.iter().any(Diagnostic::is_error);
    let Checker { program, examples, diagnostics, .. } = checker;
    (if has_errors { None } else { Some(Checked { program, examples }) }, diagnostics)
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Ruleset(d) => d.span,
        Item::Record(d) => d.span,
        Item::Input(d) => d.span,
        Item::Param(d) => d.span,
        Item::Let(d) => d.span,
        Item::Table(d) => d.span,
        Item::Policy(d) => d.span,
        Item::Group(d) => d.span,
        Item::Example(d) => d.span,
    }
}

macro_rules! each {
    ($items:expr, $variant:ident) => {
        $items.iter().filter_map(|item| match item {
            Item::$variant(decl) => Some(decl),
            _ => None,
        })
    };
}

impl<'a> Checker<'a> {
    /// "did you mean …?" within the rule set's budget (`RULE_SET_SUGGESTION_WORK`).
    pub(crate) fn suggest<'c>(&self, name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
        let left = self.suggestion_budget.get();
        if left == 0 {
            return None;
        }
        let budget = left.min(SUGGESTION_WORK);
        let (found, work) = eligo_core::suggest::did_you_mean_within(name, candidates, budget);
        self.suggestion_budget.set(left.saturating_sub(work));
        found
    }

    pub(crate) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn line_of(&self, span: Span) -> usize {
        self.sources.get(span.file).map_or(0, |f| f.position(span.start as usize).line)
    }

    fn check_items(&mut self, items: &[&Item]) {
        self.check_rulesets(items);
        for record in each!(items, Record) {
            self.declare_record(record);
        }
        for record in each!(items, Record) {
            self.check_record(record);
        }
        for input in each!(items, Input) {
            self.declare_input(input);
        }
        self.program.unknown_inputs = (0..self.program.inputs.len() as u32)
            .map(|i| Value::Unknown(eligo_core::value::Missing::one(eligo_core::value::FactKey::input(i))))
            .collect();
        for param in each!(items, Param) {
            self.declare_param(param);
        }
        let tables: Vec<&ast::TableDecl> = each!(items, Table).collect();
        for table in &tables {
            self.declare_table(table);
        }
        let lets: Vec<&ast::LetDecl> = each!(items, Let).collect();
        self.check_lets(&lets, &tables);
        for table in &tables {
            self.check_table_rows(table);
        }
        let policies: Vec<&ast::PolicyDecl> = each!(items, Policy).collect();
        for policy in &policies {
            self.declare_policy(policy);
        }
        for (i, policy) in policies.iter().enumerate() {
            self.check_policy(i, policy);
        }
        for group in each!(items, Group) {
            self.check_group(group);
        }
        self.order_relations(&policies);
        // On a program without errors only: its expressions are then all well typed.
        if !self.diagnostics.iter().any(Diagnostic::is_error) {
            self.check_constant_money();
        }
        let examples: Vec<&ast::ExampleDecl> = each!(items, Example).collect();
        for example in &examples {
            self.check_example(example);
        }
        self.warn_unused_and_untested(&lets, &policies, &examples);
    }

    fn check_rulesets(&mut self, items: &[&Item]) {
        let mut first: Option<&ast::RulesetDecl> = None;
        for ruleset in each!(items, Ruleset) {
            match first {
                None => {
                    self.program.id = ruleset.name.name.clone();
                    self.program.title = Text::from(&ruleset.title);
                    self.warn_if_no_english(&ruleset.title);
                    first = Some(ruleset);
                }
                Some(first) => self.report(
                    Diagnostic::new(
                        Code::DuplicateRuleset,
                        ruleset.span,
                        text!("一个规则集只有一个 `ruleset` 开头", "a rule set has one `ruleset` header"),
                    )
                    .with_note(first.span, text!("第一个开头在这里", "the first header is here"))
                    .with_help(text!(
                        "只在规则集的一个文件里保留开头，删除其他的",
                        "keep the header in one file of the rule set and remove the others"
                    )),
                ),
            }
        }
        if first.is_none() {
            self.program.id = "rules".into();
        }
    }

    fn declare(&mut self, name: &ast::Ident, symbol: Symbol) -> bool {
        if let Some((_, previous)) = self.symbols.get(&name.name) {
            let previous = *previous;
            self.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    name.span,
                    Bilingual::new(format!("`{}` 声明了两次", name.name), format!("`{}` is declared twice", name.name)),
                )
                .with_label(text!("这里又声明了一次", "declared again here"))
                .with_note(
                    previous,
                    Bilingual::new(
                        format!("第一次在这里声明，第 {} 行", self.line_of(previous)),
                        format!("first declared here, on line {}", self.line_of(previous)),
                    ),
                )
                .with_help(text!(
                    "输入项、参数、定义和表共用一套名称：请给其中一个改名",
                    "inputs, parameters, definitions and tables share one set of names: rename one of them"
                )),
            );
            return false;
        }
        self.symbols.insert(name.name.clone(), (symbol, name.span));
        true
    }

    /// Resolves a written type. Records are allowed only as the item of a list.
    fn resolve_type(&mut self, ty: &TypeExpr) -> Type {
        match ty {
            TypeExpr::Named(name) => match name.name.as_str() {
                "bool" => Type::Bool,
                "int" => Type::Int,
                "decimal" => Type::Decimal,
                "money" => Type::Money,
                "date" => Type::Date,
                "text" => Type::Text,
                other if self.records.contains_key(other) => {
                    self.report(
                        Diagnostic::new(
                            Code::UnknownType,
                            name.span,
                            text!(
                                "`{other}` 是记录：输入项只能是记录的列表",
                                "`{other}` is a record: inputs hold lists of records"
                            ),
                        )
                        .with_help(text!("写成 `list of {other}`", "write `list of {other}`")),
                    );
                    Type::Error
                }
                other => {
                    let builtins = ["bool", "int", "decimal", "money", "date", "text"];
                    let candidates = builtins.into_iter().chain(self.records.keys().map(String::as_str));
                    let help = match self.suggest(other, candidates) {
                        Some(close) => did_you_mean(close),
                        None => text!(
                            "类型有 `bool`、`int`、`decimal`、`money`、`date`、`text`、`one of \"a\", \"b\"` 和 `list of RECORD`",
                            "the types are bool, int, decimal, money, date, text, `one of \"a\", \"b\"` and `list of RECORD`"
                        ),
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UnknownType,
                            name.span,
                            text!("未知的类型 `{other}`", "unknown type `{other}`"),
                        )
                        .with_help(help),
                    );
                    Type::Error
                }
            },
            TypeExpr::ListOf(record, _) => match self.records.get(&record.name) {
                Some(r) => Type::List(*r),
                None => {
                    let help = match self.suggest(&record.name, self.records.keys().map(String::as_str)) {
                        Some(close) => did_you_mean(close),
                        None => {
                            let name = &record.name;
                            text!("先声明它：`record {name} … field …`", "declare it first: record {name} … field …")
                        }
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UnknownType,
                            record.span,
                            Bilingual::new(
                                format!("未知的记录 `{}`", record.name),
                                format!("unknown record `{}`", record.name),
                            ),
                        )
                        .with_help(help),
                    );
                    Type::Error
                }
            },
            TypeExpr::OneOf(options, _) => {
                let mut seen: Vec<&str> = Vec::new();
                for option in options {
                    if seen.contains(&option.value.as_str()) {
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateName,
                                option.span,
                                Bilingual::new(
                                    format!("\"{}\" 列了两次", option.value),
                                    format!("\"{}\" is listed twice", option.value),
                                ),
                            )
                            .with_help(text!("删去第二个", "remove the second one")),
                        );
                    }
                    seen.push(&option.value);
                }
                self.program.enums.push(EnumDef {
                    options: options.iter().map(|o| EnumOption { value: o.value.clone(), en: o.en.clone() }).collect(),
                });
                Type::Enum(self.program.enums.len() as u32 - 1)
            }
        }
    }

    fn declare_record(&mut self, record: &ast::RecordDecl) {
        if let Some(&previous) = self.records.get(&record.name.name) {
            let previous_span = self.program.records[previous as usize].fields.first().map_or(record.span, |f| f.span);
            self.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    record.name.span,
                    Bilingual::new(
                        format!("记录 `{}` 声明了两次", record.name.name),
                        format!("record `{}` is declared twice", record.name.name),
                    ),
                )
                .with_note(
                    previous_span,
                    text!("第一次声明的字段从这里开始", "the first declaration's fields start here"),
                )
                .with_help(text!("给其中一个改名", "rename one of them")),
            );
            return;
        }
        self.records.insert(record.name.name.clone(), self.program.records.len() as u32);
        self.program.records.push(RecordDef {
            name: record.name.name.clone(),
            label: record.label.as_ref().map(Text::from),
            fields: Vec::new(),
        });
    }

    fn check_record(&mut self, record: &ast::RecordDecl) {
        let Some(&index) = self.records.get(&record.name.name) else { return };
        if !self.program.records[index as usize].fields.is_empty() {
            return; // the duplicate, already reported
        }
        let mut fields: Vec<InputDef> = Vec::new();
        for field in &record.fields {
            if fields.iter().any(|f| f.name == field.name.name) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateName,
                        field.name.span,
                        Bilingual::new(
                            format!("字段 `{}` 声明了两次", field.name.name),
                            format!("field `{}` is declared twice", field.name.name),
                        ),
                    )
                    .with_help(text!("给其中一个改名，或删去一个", "rename or remove one of them")),
                );
                continue;
            }
            let def = self.input_def(field);
            if matches!(def.ty, Type::List(_)) {
                self.report(
                    Diagnostic::new(
                        Code::UnknownType,
                        field.ty.span(),
                        text!("字段只能是单个取值，不能是列表", "a field holds a single value, not a list"),
                    )
                    .with_help(text!("把这个列表单独声明为一个输入项", "declare the list as an input of its own")),
                );
            }
            fields.push(def);
        }
        self.program.records[index as usize].fields = fields;
    }

    fn input_def(&mut self, input: &ast::InputDecl) -> InputDef {
        let ty = self.resolve_type(&input.ty);
        let mut bound = |literal: &Option<ast::Literal>, which: &str| -> Option<Value> {
            let literal = literal.as_ref()?;
            let (value, literal_type) = literal_value(&literal.kind);
            let fits = matches!(
                (ty, literal_type),
                (Type::Error, _)
                    | (Type::Int, Type::Int)
                    | (Type::Date, Type::Date)
                    | (Type::Decimal | Type::Money, Type::Int | Type::Decimal | Type::Money)
            );
            if !fits {
                self.report(
                    Diagnostic::new(
                        Code::ConstraintType,
                        literal.span,
                        text!("`{which}` 必须是该输入项类型的值", "`{which}` must be a value of the input's type"),
                    )
                    .with_help(text!(
                        "`min` 和 `max` 只适用于数字、金额和日期",
                        "`min` and `max` apply to numbers, money and dates"
                    )),
                );
            }
            Some(value)
        };
        let min = bound(&input.min, "min");
        let max = bound(&input.max, "max");
        if let (Some(low), Some(high), Some(min_lit), Some(max_lit)) = (&min, &max, &input.min, &input.max) {
            if low.compare(high) == Some(std::cmp::Ordering::Greater) {
                self.report(
                    Diagnostic::new(
                        Code::EmptyBand,
                        max_lit.span,
                        Bilingual::new(
                            format!("`max` 小于 `min`：`{}` 没有任何取值能满足", input.name.name),
                            format!("`max` is below `min`: no value of `{}` fits", input.name.name),
                        ),
                    )
                    .with_label(text!("允许的最大值", "the largest value allowed"))
                    .with_note(min_lit.span, text!("允许的最小值", "the smallest value allowed"))
                    .with_help(text!("把两者对调，或改正写错的那个", "swap the two, or correct the one that is wrong")),
                );
            }
        }
        if let Some(label) = &input.label {
            self.warn_if_no_english(label);
        }
        InputDef {
            name: input.name.name.clone(),
            ty,
            label: input.label.as_ref().map(Text::from),
            question: input.question.as_ref().map(Text::from),
            hint: input.hint.as_ref().map(Text::from),
            min,
            max,
            span: input.span,
        }
    }

    fn declare_input(&mut self, input: &ast::InputDecl) {
        let def = self.input_def(input);
        if self.declare(&input.name, Symbol::Input(self.program.inputs.len() as u32)) {
            self.program.inputs.push(def);
            self.used_inputs.push(false);
        }
    }

    fn declare_param(&mut self, param: &ast::ParamDecl) {
        let ty = self.resolve_type(&param.ty);
        let mut timeline = Vec::new();
        for entry in &param.values {
            let value = self.constant_of_type(&entry.value, ty, ("参数值", "parameter"));
            if let (Some(from), Some(until)) = (entry.from, entry.until) {
                if until.date < from.date {
                    self.report(
                        Diagnostic::new(
                            Code::EmptyPeriod,
                            until.span,
                            Bilingual::new(
                                format!("这个取值的结束日期（{}）早于开始日期（{}）", until.date, from.date),
                                format!("this value ends ({}) before it starts ({})", until.date, from.date),
                            ),
                        )
                        .with_help(text!(
                            "把两个日期对调，或改正写错的那个",
                            "swap the dates, or correct the one that is wrong"
                        )),
                    );
                }
            }
            timeline.push(Dated {
                from: entry.from.map(|d| d.date),
                until: entry.until.map(|d| d.date),
                value,
                span: entry.span,
            });
        }
        self.check_timeline(param);
        self.check_value_overlaps(param);
        timeline.sort_by_key(|d| d.from);
        if self.declare(&param.name, Symbol::Param(self.program.params.len() as u32)) {
            self.program.params.push(ParamDef {
                name: param.name.name.clone(),
                ty,
                timeline,
                label: param.label.as_ref().map(Text::from),
                source: param.source.as_ref().map(citation),
                span: param.span,
            });
        }
    }

    /// Dated values must be listed in one direction (newest first or oldest first), each date once,
    /// and only one value may be undated.
    fn check_timeline(&mut self, param: &ast::ParamDecl) {
        let dated: Vec<&ast::DateLit> = param.values.iter().filter_map(|v| v.from.as_ref()).collect();
        let undated = param.values.iter().filter(|v| v.from.is_none()).count();
        if undated > 1 || (undated == 1 && !dated.is_empty()) {
            let span = param
                .values
                .iter()
                .filter(|v| v.from.is_none())
                .nth(if dated.is_empty() { 1 } else { 0 })
                .map_or(param.span, |v| v.span);
            self.report(
                Diagnostic::new(
                    Code::UnsortedDates,
                    span,
                    text!(
                        "这个取值没有 `from` 日期，不清楚从何时起适用",
                        "this value has no `from` date, so it is unclear when it applies"
                    ),
                )
                .with_help(text!(
                    "带日期的参数，每个取值都要写明起始日期：`1450 from 2024-07-01`",
                    "give every value of a dated parameter its start: `1450 from 2024-07-01`"
                )),
            );
        }
        for pair in dated.windows(2) {
            if pair[0].date == pair[1].date {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateDate,
                        pair[1].span,
                        Bilingual::new(
                            format!("{} 写了两次", pair[1].date),
                            format!("{} is given twice", pair[1].date),
                        ),
                    )
                    .with_note(pair[0].span, text!("第一次在这里给出", "first given here"))
                    .with_help(text!(
                        "每个日期只能开始一个取值；删去或改正其中一个",
                        "each date may start only one value; remove or correct one of them"
                    )),
                );
            }
        }
        let ascending = dated.windows(2).all(|p| p[0].date <= p[1].date);
        let descending = dated.windows(2).all(|p| p[0].date >= p[1].date);
        if !ascending && !descending {
            // The first date that breaks the direction set by the first two.
            let up = dated[0].date < dated[1].date;
            let bad = dated.windows(2).find(|p| (p[0].date < p[1].date) != up && p[0].date != p[1].date).map(|p| p[1]);
            if let Some(bad) = bad {
                self.report(
                    Diagnostic::new(
                        Code::UnsortedDates,
                        bad.span,
                        Bilingual::new(format!("{} 的顺序不对", bad.date), format!("{} is out of order", bad.date)),
                    )
                    .with_help(text!(
                        "所有取值统一按从新到旧（或从旧到新）排列",
                        "list the values newest first (or oldest first) throughout"
                    )),
                );
            }
        }
    }

    /// A value lasts from its `from` to its `until`, or (without `until`) until the next value
    /// starts: two values whose periods share a day would leave the choice between them to the
    /// order they are written in.
    fn check_value_overlaps(&mut self, param: &ast::ParamDecl) {
        let mut dated: Vec<(&ast::DateLit, &ast::DateLit)> =
            param.values.iter().filter_map(|v| Some((v.from.as_ref()?, v.until.as_ref()?))).collect();
        dated.sort_by_key(|(from, _)| from.date);
        // Sorted, so that the next start is found by halving (a parameter may have thousands).
        let mut starts: Vec<&ast::DateLit> = param.values.iter().filter_map(|v| v.from.as_ref()).collect();
        starts.sort_by_key(|s| s.date);
        for (from, until) in dated {
            let Some(next) = starts.get(starts.partition_point(|s| s.date <= from.date)) else { continue };
            if until.date >= next.date {
                self.report(
                    Diagnostic::new(
                        Code::OverlappingValues,
                        next.span,
                        Bilingual::new(
                            format!(
                                "这个取值开始时（{}），从 {} 起的取值仍然有效（到 {} 为止）",
                                next.date, from.date, until.date
                            ),
                            format!(
                                "this value starts ({}) while the value from {} still applies (until {})",
                                next.date, from.date, until.date
                            ),
                        ),
                    )
                    .with_label(text!("从这里开始", "starts here"))
                    .with_note(
                        until.span,
                        text!("另一个取值到这一天仍然有效", "the other value still applies until this day"),
                    )
                    .with_help(Bilingual::new(
                        format!(
                            "每一天只适用一个取值：让前一个取值在前一天结束，写 `until {}`",
                            next.date.add_days(-1).map_or_else(|| next.date.to_string(), |d| d.to_string())
                        ),
                        format!(
                            "on each day one value applies: end the earlier one the day before, `until {}`",
                            next.date.add_days(-1).map_or_else(|| next.date.to_string(), |d| d.to_string())
                        ),
                    )),
                );
            }
        }
    }

    /// A literal as a value of `ty`, reporting when it does not fit.
    /// `what`: the constant, in Chinese and in English.
    fn constant_of_type(&mut self, literal: &ast::Literal, ty: Type, what: (&str, &str)) -> Value {
        let (value, literal_type) = literal_value(&literal.kind);
        let typed = Typed {
            expr: Expr { kind: ExprKind::Const(value.clone()), span: literal.span },
            ty: literal_type,
            literal: true,
        };
        if !self.assignable(&typed, ty) {
            self.report(
                Diagnostic::new(Code::ValueType, literal.span, {
                    let (what_zh, what_en) = what;
                    let (got, needed) = (self.type_name(literal_type), self.type_name(ty));
                    text!(
                        "这个{what_zh}是 `{got}`，但这里需要 `{needed}` 类型的值",
                        "this {what_en} is {got}, but a value of type {needed} is needed"
                    )
                })
                .with_help(type_example(ty)),
            );
        } else if let Type::Enum(e) = ty {
            self.check_option(e, &typed);
        }
        value
    }

    /// Whether a value of `from` can be used where `to` is needed. Plain numbers stand for money
    /// (amounts are in yuan); money never stands for a plain number.
    fn assignable(&self, from: &Typed, to: Type) -> bool {
        use Type::*;
        match (from.ty, to) {
            (Error, _) | (_, Error) => true,
            (a, b) if a == b => true,
            (Int, Decimal) => true,
            (Int | Decimal, Money) => true,
            (Text, Enum(_)) => true,
            _ => false,
        }
    }

    fn declare_table(&mut self, table: &ast::TableDecl) {
        // A table is looked up like a function, so one named `age` would replace `age(…)` in every
        // file of the rule set.
        if let Some(builtin) = eligo_core::builtins::by_name(&table.name.name) {
            self.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    table.name.span,
                    Bilingual::new(
                        format!("`{}` 是内置函数的名称", table.name.name),
                        format!("`{}` is the name of a built-in function", table.name.name),
                    ),
                )
                .with_label(text!("用这个名称的表会把它遮住", "a table of this name would hide it"))
                .with_help(Bilingual::new(
                    format!("在整个规则集里 `{}` 都指内置函数；请按表给出的内容给表命名", builtin.usage),
                    format!(
                        "`{}` means the built-in everywhere in the rule set; name the table after what it gives",
                        builtin.usage
                    ),
                )),
            );
            return;
        }
        let index = self.program.tables.len() as u32;
        let def = self.table_header(table);
        if self.declare(&table.name, Symbol::Table(index)) {
            self.program.tables.push(def);
        }
    }

    fn check_lets(&mut self, lets: &[&ast::LetDecl], tables: &[&ast::TableDecl]) {
        let mut indices = BTreeMap::new();
        for (i, decl) in lets.iter().enumerate() {
            if self.declare(&decl.name, Symbol::Let(i as u32)) {
                indices.insert(decl.name.name.clone(), i as u32);
            }
        }
        let table_rows: BTreeMap<&str, &ast::TableDecl> = tables.iter().map(|t| (t.name.name.as_str(), *t)).collect();
        let edges: order::Edges = lets
            .iter()
            .map(|decl| {
                let mut deps = Vec::new();
                self.let_dependencies(&decl.value, &indices, &table_rows, &mut Vec::new(), &mut deps);
                deps
            })
            .collect();
        let (let_order, cycles) = order::topological(&edges);
        let words = order::CycleWords {
            what: ("定义互相依赖", "definitions depend on each other"),
            verb: ("用到", "uses"),
            help: text!(
                "定义不能用到它自己，经由别的定义或表也不行；请改为由输入项计算其中一个",
                "a definition cannot use itself, even through others or through a table; compute one of them from inputs instead"
            ),
            reversed: false,
        };
        let in_table = |at: Span| {
            tables
                .iter()
                .find(|t| t.span.file == at.file && t.span.start <= at.start && at.end <= t.span.end)
                .map(|t| t.name.name.clone())
        };
        for cycle in &cycles {
            let diagnostic = order::cycle_diagnostic(
                Code::Cycle,
                cycle,
                |i| lets[i as usize].name.name.clone(),
                |i| lets[i as usize].name.span,
                in_table,
                &words,
            );
            self.report(diagnostic);
        }
        self.check_table_cycles(tables);
        self.let_types = vec![Type::Error; lets.len()];
        self.used_lets = vec![false; lets.len()];
        self.program.lets = lets
            .iter()
            .map(|decl| LetDef {
                name: decl.name.name.clone(),
                ty: Type::Error,
                expr: Expr { kind: ExprKind::Const(Value::Bool(false)), span: decl.span },
                label: decl.label.as_ref().map(Text::from),
                span: decl.span,
            })
            .collect();
        // In dependency order, so that each definition's type is known before it is read.
        for &i in &let_order {
            let decl = lets[i as usize];
            let mut scope = Scope::default();
            let typed = self.check_expr(&decl.value, &mut scope);
            let ty = match &decl.ty {
                Some(written) => {
                    let written_type = self.resolve_type(written);
                    if !self.assignable(&typed, written_type) {
                        let (name, declared, computes) =
                            (&decl.name.name, self.type_name(written_type), self.type_name(typed.ty));
                        let message = text!(
                            "`{name}` 声明为 `{declared}`，计算出的却是 `{computes}`",
                            "`{name}` is declared {declared} but computes {computes}"
                        );
                        self.mismatch(decl.value.span, message, None);
                    }
                    written_type
                }
                None => typed.ty,
            };
            self.let_types[i as usize] = ty;
            let def = &mut self.program.lets[i as usize];
            def.ty = ty;
            def.expr = typed.expr;
        }
        // Definitions on a cycle are checked too (their types stay unknown), so that their other
        // mistakes are reported.
        for (i, decl) in lets.iter().enumerate() {
            if !let_order.contains(&(i as u32)) {
                self.check_expr(&decl.value, &mut Scope::default());
            }
        }
        self.program.let_order = let_order;
    }

    /// Tables whose rows look up each other (or themselves) would never finish.
    fn check_table_cycles(&mut self, tables: &[&ast::TableDecl]) {
        let index: BTreeMap<&str, u32> =
            tables.iter().enumerate().map(|(i, t)| (t.name.name.as_str(), i as u32)).collect();
        let edges: order::Edges = tables
            .iter()
            .map(|table| {
                let mut calls = Vec::new();
                for row in &table.rows {
                    let mut stack = vec![&row.value];
                    while let Some(expr) = stack.pop() {
                        use ast::ExprKind as A;
                        match &expr.kind {
                            A::Call(name, args) => {
                                if let Some(&t) = index.get(name.name.as_str()) {
                                    calls.push((t, name.span));
                                }
                                stack.extend(args);
                            }
                            A::Unary(_, e) => stack.push(e),
                            A::Binary(_, a, b) => stack.extend([&**a, &**b]),
                            A::If(a, b, c) => stack.extend([&**a, &**b, &**c]),
                            A::List(items) => stack.extend(items),
                            A::Literal(_) | A::Name(_) | A::Today => {}
                        }
                    }
                }
                calls
            })
            .collect();
        let words = order::CycleWords {
            what: ("表互相查找", "tables look each other up"),
            verb: ("查找", "looks up"),
            help: text!(
                "表的行不能查这张表自己，经由别的表也不行",
                "a table's rows cannot look up the table itself, even through other tables"
            ),
            reversed: false,
        };
        let (order, cycles) = order::topological(&edges);
        for cycle in cycles {
            let diagnostic = order::cycle_diagnostic(
                Code::Cycle,
                &cycle,
                |i| tables[i as usize].name.name.clone(),
                |i| tables[i as usize].name.span,
                |_| None,
                &words,
            );
            self.report(diagnostic);
        }
        // Robustness: a lookup evaluates the row, which may look up another table, and so on;
        // each level is a frame of the evaluator's stack (a chain of 12,000 tables overflowed it,
        // and WebAssembly's stack is smaller). The rows' depths along a chain add up to at most
        // MAX_TABLE_DEPTH.
        let mut depth = vec![0usize; tables.len()];
        for &t in &order {
            let t = t as usize;
            let rows = tables[t].rows.iter().map(|row| row.value.depth()).max().unwrap_or(0);
            let deepest = edges[t].iter().max_by_key(|(callee, _)| depth[*callee as usize]);
            depth[t] = rows + deepest.map_or(0, |(callee, _)| depth[*callee as usize]);
            let callee_within = deepest.is_none_or(|(callee, _)| depth[*callee as usize] <= MAX_TABLE_DEPTH);
            if depth[t] > MAX_TABLE_DEPTH && callee_within {
                let mut diagnostic = Diagnostic::new(
                    Code::NestingTooDeep,
                    tables[t].name.span,
                    Bilingual::new(
                        format!("表 `{}` 逐层查表，总共超过了 {MAX_TABLE_DEPTH} 层", tables[t].name.name),
                        format!(
                            "table `{}` looks up tables more than {MAX_TABLE_DEPTH} levels deep in all",
                            tables[t].name.name
                        ),
                    ),
                )
                .with_label(text!(
                    "它的行查别的表，那些表的行又查表……",
                    "its rows look up tables, whose rows look up tables…"
                ))
                .with_help(text!(
                    "用更少的步骤查值：一张有两个键的表可以代替层层嵌套的表",
                    "look the values up in fewer steps: a table with two keys can replace a table of tables"
                ));
                if let Some((callee, span)) = deepest {
                    diagnostic = diagnostic.with_note(
                        *span,
                        Bilingual::new(
                            format!("它在这里查 `{}`", tables[*callee as usize].name.name),
                            format!("it looks up `{}` here", tables[*callee as usize].name.name),
                        ),
                    );
                }
                self.report(diagnostic);
            }
        }
    }

    /// The definitions an expression reads, directly or through the rows of the tables it calls.
    fn let_dependencies<'t>(
        &self,
        expr: &ast::Expr,
        lets: &BTreeMap<String, u32>,
        tables: &BTreeMap<&'t str, &'t ast::TableDecl>,
        visited_tables: &mut Vec<&'t str>,
        deps: &mut Vec<(u32, Span)>,
    ) {
        use ast::ExprKind as A;
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match &expr.kind {
                A::Name(name) => {
                    if let Some(&i) = lets.get(name) {
                        if !deps.iter().any(|(d, _)| *d == i) {
                            deps.push((i, expr.span));
                        }
                    }
                }
                A::Unary(_, e) => stack.push(e),
                A::Binary(_, a, b) => stack.extend([&**a, &**b]),
                A::If(a, b, c) => stack.extend([&**a, &**b, &**c]),
                A::List(items) => stack.extend(items),
                A::Call(name, args) => {
                    stack.extend(args);
                    if let Some((table_name, table)) = tables.get_key_value(name.name.as_str()) {
                        if !visited_tables.contains(table_name) {
                            visited_tables.push(table_name);
                            for row in &table.rows {
                                self.let_dependencies(&row.value, lets, tables, visited_tables, deps);
                            }
                        }
                    }
                }
                A::Literal(_) | A::Today => {}
            }
        }
    }

    fn declare_policy(&mut self, policy: &ast::PolicyDecl) {
        if let Some(&previous) = self.policies.get(&policy.name.name) {
            let previous_span = self.program.policies[previous as usize].span;
            self.report(
                Diagnostic::new(
                    Code::DuplicateName,
                    policy.name.span,
                    Bilingual::new(
                        format!("政策 `{}` 声明了两次", policy.name.name),
                        format!("policy `{}` is declared twice", policy.name.name),
                    ),
                )
                .with_note(
                    previous_span,
                    Bilingual::new(
                        format!("第一次在这里声明，第 {} 行", self.line_of(previous_span)),
                        format!("first declared here, on line {}", self.line_of(previous_span)),
                    ),
                )
                .with_help(text!("每项政策用各自的标识", "give each policy its own id")),
            );
        } else {
            self.policies.insert(policy.name.name.clone(), self.program.policies.len() as u32);
        }
        self.program.policies.push(PolicyDef {
            id: policy.name.name.clone(),
            title: Text::from(&policy.title),
            source: policy.source.as_ref().map(citation),
            effective_from: policy.effective.as_ref().and_then(|e| e.from.map(|d| d.date)),
            effective_until: policy.effective.as_ref().and_then(|e| e.until.map(|d| d.date)),
            conditions: Vec::new(),
            outputs: Vec::new(),
            excludes: Vec::new(),
            span: policy.span,
        });
    }

    fn check_policy(&mut self, index: usize, policy: &ast::PolicyDecl) {
        self.warn_if_no_english(&policy.title);
        if let Some(effective) = &policy.effective {
            if let (Some(from), Some(until)) = (effective.from, effective.until) {
                if until.date < from.date {
                    self.report(
                        Diagnostic::new(
                            Code::EmptyPeriod,
                            until.span,
                            Bilingual::new(
                                format!("政策的结束日期（{}）早于开始日期（{}）", until.date, from.date),
                                format!("the policy ends ({}) before it starts ({})", until.date, from.date),
                            ),
                        )
                        .with_note(from.span, text!("它从这里开始", "it starts here"))
                        .with_help(text!(
                            "对照政策原文核对日期；`until` 是政策有效的最后一天",
                            "check the dates against the policy document; `until` is the last day it is in force"
                        )),
                    );
                }
            }
        }
        let mut conditions = Vec::new();
        for condition in &policy.conditions {
            self.warn_if_no_english(&condition.label);
            let mut scope = Scope::default();
            let typed = self.check_expr(&condition.expr, &mut scope);
            let message = match condition.kind {
                ast::ConditionKind::Require => {
                    text!("`require` 条件必须是“是/否”的值", "a `require` condition must be true or false")
                }
                ast::ConditionKind::Unless => {
                    text!("`unless` 排除条件必须是“是/否”的值", "an `unless` exclusion must be true or false")
                }
            };
            self.expect_bool(&typed, message);
            conditions.push(ConditionDef {
                kind: condition.kind,
                expr: typed.expr,
                label: Text::from(&condition.label),
                reads: scope.reads,
                span: condition.span,
            });
        }
        let outputs = self.check_outputs(policy);
        let excludes = policy.excludes.iter().filter_map(|other| self.policy_ref(other)).collect::<Vec<_>>();
        for (other, name) in excludes.iter().zip(&policy.excludes) {
            if *other as usize == index {
                self.report(
                    Diagnostic::new(
                        Code::RelationCycle,
                        name.span,
                        text!("政策不能排除它自己", "a policy cannot exclude itself"),
                    )
                    .with_help(text!("把这个名称从 `excludes` 中删去", "remove this name from `excludes`")),
                );
            }
        }
        let def = &mut self.program.policies[index];
        def.conditions = conditions;
        def.outputs = outputs;
        def.excludes = excludes;
    }

    fn check_outputs(&mut self, policy: &ast::PolicyDecl) -> Vec<OutputDef> {
        let mut outputs: Vec<OutputDef> = Vec::new();
        for output in &policy.outputs {
            if let Some(previous) = outputs.iter().find(|o| o.name == output.name) {
                let previous = previous.span;
                self.report(
                    Diagnostic::new(
                        Code::DuplicateOutput,
                        output.name_span,
                        Bilingual::new(
                            format!("`{}` 定义了两次", output.name.as_str()),
                            format!("`{}` is defined twice", output.name.as_str()),
                        ),
                    )
                    .with_note(previous, text!("第一次在这里定义", "first defined here"))
                    .with_help(text!(
                        "要在某种情况下给出不同的值，请写 `exception … when … then …`",
                        "to give a different value under a condition, write an `exception … when … then …`"
                    )),
                );
                continue;
            }
            if output.name == OutputName::Named("period".into()) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateOutput,
                        output.name_span,
                        text!(
                            "`period` 是报告中表示金额周期的名称",
                            "`period` is the name the report gives the amount's period"
                        ),
                    )
                    .with_help(text!("给这项输出换一个名称", "choose another name for this output")),
                );
                continue;
            }
            let mut scope = Scope::default();
            let typed = self.check_expr(&output.value, &mut scope);
            let ty = self.output_type(&output.name, &typed);
            if let Some(label) = &output.label {
                self.warn_if_no_english(label);
            }
            outputs.push(OutputDef {
                name: output.name.clone(),
                ty,
                period: output.period,
                base: Some(typed.expr),
                exceptions: Vec::new(),
                label: output.label.as_ref().map(Text::from),
                reads: scope.reads,
                span: output.span,
            });
        }
        if outputs.iter().any(|o| o.name == OutputName::Waiver) && !outputs.iter().any(|o| o.name == OutputName::Fee) {
            let span = outputs.iter().find(|o| o.name == OutputName::Waiver).map_or(policy.span, |o| o.span);
            self.report(
                Diagnostic::new(
                    Code::UnknownOutput,
                    span,
                    text!("减免（waiver）需要有它所减免的收费（fee）", "a waiver needs the fee it reduces"),
                )
                .with_help(text!("给政策加上 `fee = …`", "add `fee = …` to the policy")),
            );
        }
        for exception in &policy.exceptions {
            self.warn_if_no_english(&exception.label);
            let mut scope = Scope::default();
            let when = self.check_expr(&exception.when, &mut scope);
            self.expect_bool(
                &when,
                text!("例外的 `when` 必须是“是/否”的值", "the `when` of an exception must be true or false"),
            );
            let value = self.check_expr(&exception.value, &mut scope);
            let Some(position) = outputs.iter().position(|o| o.name == exception.target) else {
                let defined: Vec<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
                let help = match (&exception.target, self.suggest(exception.target.as_str(), defined.iter().copied())) {
                    (_, Some(close)) => did_you_mean(close),
                    (OutputName::Amount, None) => text!(
                        "先写出通常的金额，例如 `amount monthly = 180`；例外替换的是它",
                        "define the usual amount first, e.g. `amount monthly = 180`; exceptions replace it"
                    ),
                    _ => {
                        let target = exception.target.as_str();
                        text!(
                            "先定义 `{target}`；例外替换的是输出通常的值",
                            "define `{target}` first; exceptions replace an output's usual value"
                        )
                    }
                };
                self.report(
                    Diagnostic::new(
                        Code::UnknownOutput,
                        exception.target_span,
                        Bilingual::new(
                            format!("政策没有可由这个例外替换的 `{}`", exception.target.as_str()),
                            format!("the policy has no `{}` for this exception to replace", exception.target.as_str()),
                        ),
                    )
                    .with_help(help),
                );
                continue;
            };
            // An exception replaces the output's value, so it gives a value of the output's type:
            // a waiver stays a share or a sum, as its base is.
            let (ty, target) = (self.output_type(&exception.target, &value), outputs[position].ty);
            let fits = match exception.target {
                OutputName::Waiver => ty == target,
                _ => self.assignable(&value, target),
            };
            if !fits && value.ty != Type::Error {
                self.report(
                    Diagnostic::new(
                        Code::OutputType,
                        value.expr.span,
                        {
                            let (gives, name, is) =
                                (self.type_name(value.ty), exception.target.as_str(), self.type_name(target));
                            text!(
                                "这个例外给出的是 `{gives}`，但 `{name}` 是 `{is}`",
                                "this exception gives {gives}, but `{name}` is {is}"
                            )
                        },
                    )
                    .with_help(match exception.target {
                        OutputName::Waiver => text!(
                            "减免是收费的一个比例（`100%`）或一笔金额（`50`），在例外中和通常的值里都一样",
                            "a waiver is a share of the fee (`100%`) or a sum (`50`), in its exceptions as in its usual value"
                        ),
                        _ => text!(
                            "例外替换的是输出通常的值：请给出同一类型的值",
                            "an exception replaces the output's usual value: give a value of the same type"
                        ),
                    }),
                );
            }
            let output = &mut outputs[position];
            for read in scope.reads {
                if !output.reads.contains(&read) {
                    output.reads.push(read);
                }
            }
            output.exceptions.push(ExceptionDef {
                label: Text::from(&exception.label),
                when: when.expr,
                value: value.expr,
                span: exception.span,
            });
        }
        outputs
    }

    /// The type an output takes, reporting a value that does not fit it.
    fn output_type(&mut self, name: &OutputName, value: &Typed) -> Type {
        let (ok, ty, expected) = match name {
            OutputName::Amount | OutputName::Fee => {
                (self.assignable(value, Type::Money), Type::Money, ("金额（`money`）", "money"))
            }
            OutputName::Waiver => (
                matches!(value.ty, Type::Money | Type::Decimal | Type::Int | Type::Error),
                if value.ty == Type::Decimal { Type::Decimal } else { Type::Money },
                ("百分比或金额", "a percentage or money"),
            ),
            OutputName::Named(_) => (!matches!(value.ty, Type::List(_)), value.ty, ("单个的值", "a single value")),
        };
        if !ok {
            self.report(
                Diagnostic::new(Code::OutputType, value.expr.span, {
                    let ((expected_zh, expected_en), output, got) = (expected, name.as_str(), self.type_name(value.ty));
                    text!(
                        "`{output}` 必须是{expected_zh}，但这里是 `{got}`",
                        "`{output}` must be {expected_en}, but this is {got}"
                    )
                })
                .with_help(match name {
                    OutputName::Waiver => text!(
                        "写收费的一个比例（`waiver = 100%`）或一笔金额（`waiver = 50`）",
                        "write a share of the fee (`waiver = 100%`) or a sum (`waiver = 50`)"
                    ),
                    _ => text!("金额和收费都是 `money`：多少元", "amounts and fees are money: a number of yuan"),
                }),
            );
        }
        ty
    }

    fn policy_ref(&mut self, name: &ast::Ident) -> Option<u32> {
        if let Some(&i) = self.policies.get(&name.name) {
            return Some(i);
        }
        let help = match self.suggest(&name.name, self.policies.keys().map(String::as_str)) {
            Some(close) => did_you_mean(close),
            None => {
                text!("写本规则集中用 `policy` 声明的政策", "name a policy declared with `policy` in this rule set")
            }
        };
        self.report(
            Diagnostic::new(
                Code::UnknownPolicy,
                name.span,
                Bilingual::new(format!("未知的政策 `{}`", name.name), format!("unknown policy `{}`", name.name)),
            )
            .with_help(help),
        );
        None
    }

    fn check_group(&mut self, group: &ast::GroupDecl) {
        // Robustness: members are compared with each other on every evaluation, so a group has at
        // most MAX_GROUP_MEMBERS of them (E0110), and each once (E0202).
        if group.members.len() > MAX_GROUP_MEMBERS {
            let span = group.members[MAX_GROUP_MEMBERS].span;
            self.report(
                Diagnostic::new(
                    Code::TooManyRows,
                    span,
                    Bilingual::new(
                        format!("组 `{}` 的成员超过了 {MAX_GROUP_MEMBERS} 个", group.name.name),
                        format!("group `{}` has more than {MAX_GROUP_MEMBERS} members", group.name.name),
                    ),
                )
                .with_label(text!("多出的成员", "one member too many"))
                .with_help(text!(
                    "`highest of` 组比较的是不能同时领取的待遇；请按主题拆分",
                    "a `highest of` group compares benefits that cannot be received together; split it by topic"
                )),
            );
            return;
        }
        for (i, member) in group.members.iter().enumerate() {
            if let Some(first) = group.members[..i].iter().find(|m| m.name == member.name) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateName,
                        member.span,
                        Bilingual::new(
                            format!("`{}` 在组 `{}` 中写了两次", member.name, group.name.name),
                            format!("`{}` is named twice in group `{}`", member.name, group.name.name),
                        ),
                    )
                    .with_note(first.span, text!("第一次写在这里", "named here first"))
                    .with_help(text!("每项政策只写一次", "name each policy once")),
                );
            }
        }
        let members: Vec<u32> = group.members.iter().filter_map(|m| self.policy_ref(m)).collect();
        // Groups are settled one after the other: a policy in two of them would be paid or not
        // depending on which group came first (renaming a file changed who was paid).
        for (&member, name) in members.iter().zip(&group.members) {
            match self.grouped.get(&member) {
                Some((other, at)) if *other != group.name.name => {
                    let (other, at) = (other.clone(), *at);
                    self.report(
                        Diagnostic::new(
                            Code::PolicyInTwoGroups,
                            name.span,
                            Bilingual::new(format!("`{}` 已经在组 `{other}` 中", name.name), format!("`{}` is in group `{other}` already", name.name)),
                        )
                        .with_label(text!("又写进了第二个组", "named in a second group"))
                        .with_note(at, text!("它在这里属于组 `{other}`", "it is in group `{other}` here"))
                        .with_help(
                            text!("一项政策只能在一个 `highest of` 组中比较：如果这些政策只能领取其中一项，请把它们列在同一个组里", "a policy is compared in one `highest of` group: when only one of all these may be paid, list them in one group"),
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    self.grouped.insert(member, (group.name.name.clone(), name.span));
                }
            }
        }
        let mut periods: Vec<(Period, Span)> = Vec::new();
        for (&member, name) in members.iter().zip(&group.members) {
            let policy = &self.program.policies[member as usize];
            match policy.output(&OutputName::Amount).and_then(|o| o.period) {
                Some(period) => periods.push((period, name.span)),
                None => {
                    let id = policy.id.clone();
                    self.report(
                        Diagnostic::new(
                            Code::MissingAmount,
                            name.span,
                            text!(
                                "`{id}` 没有金额，无法在 `highest of` 组中比较",
                                "`{id}` has no amount, so it cannot be compared in a `highest of` group"
                            ),
                        )
                        .with_help(text!(
                            "给它写上 `amount monthly = …`（或 yearly、once），或者把它移出这个组",
                            "give it `amount monthly = …` (or yearly, once), or take it out of the group"
                        )),
                    );
                }
            }
        }
        let once = periods.iter().find(|(p, _)| *p == Period::Once);
        let recurring = periods.iter().find(|(p, _)| *p != Period::Once);
        if let (Some(once), Some(recurring)) = (once, recurring) {
            self.report(
                Diagnostic::new(
                    Code::GroupPeriod,
                    once.1,
                    text!(
                        "一次性发放的金额不能和按月或按年发放的金额比较",
                        "a one-off amount cannot be compared with a monthly or yearly one"
                    ),
                )
                .with_note(recurring.1, text!("这个成员定期发放", "this member pays regularly"))
                .with_help(text!(
                    "只把发放周期可比的政策放在一组",
                    "group only policies that pay over comparable periods"
                )),
            );
        }
        if let Some(title) = &group.title {
            self.warn_if_no_english(title);
        }
        self.program.groups.push(GroupDef {
            name: group.name.name.clone(),
            title: group.title.as_ref().map(Text::from),
            members,
            span: group.span,
        });
    }

    /// `A excludes B` settles A before B; a cycle of exclusions has no meaning.
    fn order_relations(&mut self, policies: &[&ast::PolicyDecl]) {
        // Each policy's excluders, in the order of the policies, each once with the place of its
        // first `excludes`: gathered from the exclusions themselves, since looking through every
        // policy for every policy is seconds of work in a large rule set (robustness).
        let mut edges: order::Edges = vec![Vec::new(); self.program.policies.len()];
        for (a, policy) in policies.iter().enumerate().take(self.program.policies.len()) {
            for excluded in &policy.excludes {
                let Some(&b) = self.policies.get(&excluded.name) else { continue };
                let b = b as usize;
                if b == a || edges[b].last().is_some_and(|(x, _)| *x == a as u32) {
                    continue;
                }
                edges[b].push((a as u32, excluded.span));
            }
        }
        let (order, cycles) = order::topological(&edges);
        let words = order::CycleWords {
            what: ("政策互相排除", "policies exclude each other"),
            verb: ("排除", "excludes"),
            help: text!(
                "两项政策不能同时领取、又可以任选其一时，把它们放进一个组：`group NAME highest of a, b`",
                "when two policies cannot be received together and either may be chosen, put them in a group: `group NAME highest of a, b`"
            ),
            reversed: true,
        };
        for cycle in &cycles {
            let diagnostic = order::cycle_diagnostic(
                Code::RelationCycle,
                cycle,
                |i| policies[i as usize].name.name.clone(),
                |i| policies[i as usize].name.span,
                |_| None,
                &words,
            );
            self.report(diagnostic);
        }
        self.program.relation_order = order;
        self.program.excluders = edges.iter().map(|by| by.iter().map(|(a, _)| *a).collect()).collect();
    }

    fn warn_if_no_english(&mut self, text: &ast::Text) {
        if text.en.is_none() && !text.zh.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::MissingEnglish,
                    text.span,
                    text!("这段文字没有英文版本", "this text has no English version"),
                )
                .with_help(Bilingual::new(
                    format!("在中文后面加上英文：\"{}\" en \"…\"", text.zh),
                    format!("add it after the Chinese: \"{}\" en \"…\"", text.zh),
                )),
            );
        }
    }

    fn warn_unused_and_untested(
        &mut self,
        lets: &[&ast::LetDecl],
        policies: &[&ast::PolicyDecl],
        examples: &[&ast::ExampleDecl],
    ) {
        let unused_inputs: Vec<(String, Span)> = self
            .program
            .inputs
            .iter()
            .zip(&self.used_inputs)
            .filter(|(_, used)| !**used)
            .map(|(input, _)| (input.name.clone(), input.span))
            .collect();
        for (name, span) in unused_inputs {
            let name_span = self.symbols.get(&name).map_or(span, |(_, declared)| *declared);
            self.report(
                Diagnostic::new(
                    Code::UnusedInput,
                    name_span,
                    text!("输入项 `{name}` 没有被任何规则用到", "input `{name}` is not used by any rule"),
                )
                .with_help(text!(
                    "删去它，或在条件中用到它；表单会向群众询问每一个用得到的输入项",
                    "remove it, or use it in a condition; the form asks citizens for every input that matters"
                )),
            );
        }
        for (decl, used) in lets.iter().zip(self.used_lets.clone()) {
            if !used {
                self.report(
                    Diagnostic::new(
                        Code::UnusedDefinition,
                        decl.name.span,
                        Bilingual::new(
                            format!("定义 `{}` 没有被用到", decl.name.name),
                            format!("definition `{}` is not used", decl.name.name),
                        ),
                    )
                    .with_help(text!(
                        "删去它，或在条件或输出中用到它",
                        "remove it, or use it in a condition or an output"
                    )),
                );
            }
        }
        if examples.is_empty() {
            return;
        }
        for policy in policies {
            if !examples.iter().any(|e| e.expects.iter().any(|x| x.policy.name == policy.name.name)) {
                self.report(
                    Diagnostic::new(
                        Code::NoExamples,
                        policy.name.span,
                        Bilingual::new(
                            format!("政策 `{}` 没有示例", policy.name.name),
                            format!("policy `{}` has no example", policy.name.name),
                        ),
                    )
                    .with_help(text!(
                        "加一个预期它结果的 `example`，让 `eligo test` 检查它",
                        "add an `example` that expects it, so that `eligo test` checks it"
                    )),
                );
            }
        }
    }
}

fn citation(source: &ast::Source) -> Citation {
    Citation { citation: source.citation.clone(), url: source.url.clone() }
}

fn type_example(ty: Type) -> Bilingual {
    match ty {
        Type::Bool => text!("写 `true` 或 `false`", "write true or false"),
        Type::Int => text!("写一个整数，例如 65", "write a whole number, like 65"),
        Type::Decimal => text!("写一个数，例如 1.5 或 30%", "write a number, like 1.5 or 30%"),
        Type::Money => text!("写一个金额，例如 1450 或 1450.50", "write an amount, like 1450 or 1450.50"),
        Type::Date => text!("写一个日期，例如 2025-01-01", "write a date, like 2025-01-01"),
        Type::Text | Type::Enum(_) => {
            text!("写一段带引号的文字，例如 \"上海\"", "write a text in quotes, like \"上海\"")
        }
        Type::List(_) => {
            text!("写一个记录列表，例如 [{{income = 1000}}]", "write a list of records, like [{{income = 1000}}]")
        }
        Type::Error => text!("", ""),
    }
}
