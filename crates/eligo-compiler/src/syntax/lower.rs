//! pest pairs → AST. One `lower_<rule>` per grammar rule; each takes the pair of its rule.
//! The grammar fixes the shape of every pair, so lowering walks children by rule and never
//! indexes blindly; values that the grammar cannot check (dates, number ranges, lengths) are
//! checked here and reported as diagnostics.

use super::expr::{binary_op, PRATT};
use super::Rule;
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::text;
use eligo_core::date::Date;
use eligo_core::limits::{MAX_EXPR_DEPTH, MAX_NAME_CHARS, MAX_NESTING, MAX_RULE_TEXT_CHARS};
use eligo_core::source::{FileId, Span};
use pest::iterators::Pair;
use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

pub struct Lowerer<'d> {
    file: FileId,
    /// Where the parsed chunk starts in the file.
    offset: usize,
    /// The misspelt keywords corrected in the chunk, whose positions are the corrected text's.
    edits: &'d super::Edits,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// How many brackets, calls, lists and `if`s enclose the pair being lowered.
    depth: usize,
}

type P<'i> = Pair<'i, Rule>;

impl<'d> Lowerer<'d> {
    pub fn new(
        file: FileId,
        offset: usize,
        edits: &'d super::Edits,
        diagnostics: &'d mut Vec<Diagnostic>,
    ) -> Lowerer<'d> {
        Lowerer { file, offset, edits, diagnostics, depth: 0 }
    }

    /// Lowers a construct one level deeper, or refuses it past [`MAX_NESTING`] and gives
    /// `fallback`: counted on the tree being built, this is the bound every later stage (checker,
    /// compiler, evaluator) relies on, whatever the scan before parsing counted.
    fn nested<T>(&mut self, span: Span, fallback: T, lower: impl FnOnce(&mut Self) -> T) -> T {
        if self.depth >= MAX_NESTING {
            self.report(
                Diagnostic::new(
                    Code::NestingTooDeep,
                    span,
                    text!(
                        "表达式嵌套超过了 {MAX_NESTING} 层",
                        "expression nested more than {MAX_NESTING} levels deep"
                    ),
                )
                .with_label(text!("这里嵌套太深", "too deep here"))
                .with_help(text!(
                    "用 `let` 把表达式拆成几个有名称的定义；很长的 `else if` 链写成 `table` 更清楚",
                    "split the expression into named definitions with `let`; a long `else if` chain reads better as a `table`"
                )),
            );
            return fallback;
        }
        self.depth += 1;
        let lowered = lower(self);
        self.depth -= 1;
        lowered
    }

    fn span(&self, pair: &P) -> Span {
        let span = pair.as_span();
        let place = |at: usize| self.offset + self.edits.original(at);
        Span::new(self.file, place(span.start()), place(span.end()))
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Fills a clause that a declaration has at most once; a second one is an error naming both
    /// (the last one written must not silently win).
    fn once<T: Placed>(&mut self, slot: &mut Option<T>, value: Option<T>, clause: &str, of: (&str, &str)) {
        let Some(value) = value else { return };
        match slot {
            Some(first) => self.report(
                Diagnostic::new(
                    Code::DuplicateClause,
                    value.place(),
                    text!("`{clause}` 写了两次", "`{clause}` is written twice"),
                )
                .with_label(text!("这里又写了一次", "written again here"))
                .with_note(first.place(), text!("第一次写在这里", "first written here"))
                .with_help({
                    let (of_zh, of_en) = of;
                    text!(
                        "一个{of_zh}只有一个 `{clause}`：保留正确的那个，删除另一个",
                        "{of_en} has one `{clause}`: keep the right one and remove the other"
                    )
                }),
            ),
            None => *slot = Some(value),
        }
    }

    pub fn lower_file(&mut self, pair: P) -> Vec<Item> {
        pair.into_inner().filter_map(|item| self.lower_item(item)).collect()
    }

    fn lower_item(&mut self, pair: P) -> Option<Item> {
        Some(match pair.as_rule() {
            Rule::ruleset_decl => Item::Ruleset(self.lower_ruleset_decl(pair)),
            Rule::record_decl => Item::Record(self.lower_record_decl(pair)),
            Rule::input_decl => Item::Input(self.lower_input_decl(pair)),
            Rule::param_decl => Item::Param(self.lower_param_decl(pair)),
            Rule::let_decl => Item::Let(self.lower_let_decl(pair)?),
            Rule::table_decl => Item::Table(self.lower_table_decl(pair)?),
            Rule::policy_decl => Item::Policy(self.lower_policy_decl(pair)?),
            Rule::group_decl => Item::Group(self.lower_group_decl(pair)),
            Rule::example_decl => Item::Example(self.lower_example_decl(pair)?),
            _ => return None, // EOI
        })
    }

    // ── Lexical ──

    /// `年龄`, in Unicode's composed form (NFC): the NFD spelling of a name is the same name, and
    /// the program and its schema carry the NFC one.
    fn lower_ident(&mut self, pair: P) -> Ident {
        let span = self.span(&pair);
        let name: String = pair.as_str().nfc().collect();
        if name.chars().count() > MAX_NAME_CHARS {
            self.report(
                Diagnostic::new(
                    Code::NameTooLong,
                    span,
                    text!(
                        "这个名称超过了 {MAX_NAME_CHARS} 个字符",
                        "this name is longer than {MAX_NAME_CHARS} characters"
                    ),
                )
                .with_help(text!(
                    "换一个短一些的名称，把完整的说法写在它的标签里",
                    "use a shorter name and put the full wording in its label"
                )),
            );
        }
        Ident { name, span }
    }

    /// `"年满65周岁"`, with `\"`, `\\`, `\n` and `\t` escapes.
    fn lower_string(&mut self, pair: P) -> String {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map_or("", |inner| inner.as_str());
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        if out.chars().count() > MAX_RULE_TEXT_CHARS {
            self.report(
                Diagnostic::new(
                    Code::TextTooLong,
                    span,
                    text!(
                        "这段文字超过了 {MAX_RULE_TEXT_CHARS} 个字符",
                        "this text is longer than {MAX_RULE_TEXT_CHARS} characters"
                    ),
                )
                .with_help(text!(
                    "请缩短它；政策原文的全文用 `source` 注明出处",
                    "shorten it; cite the full policy text with `source` instead"
                )),
            );
        }
        out
    }

    /// `"年满65周岁" en "Aged 65 or over"`
    fn lower_text(&mut self, pair: P) -> Text {
        let span = self.span(&pair);
        let mut strings = pair.into_inner();
        let zh = strings.next().map(|s| self.lower_string(s)).unwrap_or_default();
        let en = strings.next().map(|s| self.lower_string(s));
        Text { zh, en, span }
    }

    /// A date literal; `None` (reported) when there is no such day, so that no later check
    /// reasons about a date the author did not write.
    fn lower_date(&mut self, pair: P) -> Option<DateLit> {
        let span = self.span(&pair);
        let date = Date::parse(pair.as_str());
        if date.is_none() {
            self.report(
                Diagnostic::new(Code::InvalidDate, span, {
                    let date = pair.as_str();
                    text!("日历上没有 {date} 这一天", "{date} is not a date in the calendar")
                })
                .with_label(text!("没有这一天", "no such day"))
                .with_help(text!(
                    "按 YYYY-MM-DD 写一个真实的日期，例如 2025-02-28",
                    "write a real date as YYYY-MM-DD, for example 2025-02-28"
                )),
            );
        }
        date.map(|date| DateLit { date, span })
    }

    /// Any literal rule, or `signed_literal` (a literal with an optional `-`).
    fn lower_literal(&mut self, pair: P) -> Literal {
        let span = self.span(&pair);
        if pair.as_rule() == Rule::signed_literal || pair.as_rule() == Rule::band_bound {
            let mut negative = false;
            let mut literal = None;
            for inner in pair.into_inner() {
                match inner.as_rule() {
                    Rule::neg_sign => negative = true,
                    Rule::signed_literal => return self.lower_literal(inner),
                    _ => literal = Some(self.lower_literal(inner)),
                }
            }
            let mut literal = literal.unwrap_or(Literal { kind: LitKind::Int(0), span });
            literal.span = span;
            if negative {
                literal.kind = match literal.kind {
                    LitKind::Int(i) => LitKind::Int(-i),
                    LitKind::Decimal(d) => LitKind::Decimal(-d),
                    LitKind::Money(d) => LitKind::Money(-d),
                    LitKind::Percent(d) => LitKind::Percent(-d),
                    other => {
                        self.report(Diagnostic::new(
                            Code::Syntax,
                            span,
                            text!("只有数字可以是负的", "only numbers can be negative"),
                        ));
                        other
                    }
                };
            }
            return literal;
        }
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::int => match text.replace('_', "").parse::<i64>() {
                Ok(i) => LitKind::Int(i),
                Err(_) => self.number_out_of_range(span, LitKind::Int(0)),
            },
            Rule::decimal => self.decimal(span, text).map_or(LitKind::Decimal(Decimal::ZERO), LitKind::Decimal),
            Rule::money => {
                let digits = text.trim_end_matches("元").trim_end_matches("yuan").trim_end();
                self.decimal(span, digits).map_or(LitKind::Money(Decimal::ZERO), LitKind::Money)
            }
            Rule::percent => {
                let digits = text.trim_end_matches(['%', '％']);
                self.decimal(span, digits)
                    .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED))
                    .map_or(LitKind::Percent(Decimal::ZERO), LitKind::Percent)
            }
            Rule::date => LitKind::Date(self.lower_date(pair).map_or(Date::EPOCH, |d| d.date)),
            Rule::boolean => LitKind::Bool(text.starts_with("true")),
            Rule::string => LitKind::Text(self.lower_string(pair)),
            _ => LitKind::Int(0),
        };
        Literal { kind, span }
    }

    fn decimal(&mut self, span: Span, text: &str) -> Option<Decimal> {
        match Decimal::from_str_exact(&text.replace('_', "")) {
            Ok(d) => Some(d),
            Err(_) => {
                self.number_out_of_range(span, LitKind::Int(0));
                None
            }
        }
    }

    fn number_out_of_range(&mut self, span: Span, fallback: LitKind) -> LitKind {
        self.report(
            Diagnostic::new(
                Code::NumberOutOfRange,
                span,
                text!("这个数太大或位数太多", "this number is too large or too precise"),
            )
            .with_help(text!(
                "数字最多 28 位有效数字；整数必须在 64 位整数的范围内",
                "numbers may have at most 28 significant digits; whole numbers must fit in 64 bits"
            )),
        );
        fallback
    }

    // ── Declarations ──

    fn lower_ruleset_decl(&mut self, pair: P) -> RulesetDecl {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = self.next_ident(&mut inner, span);
        let title = inner.next().map(|t| self.lower_text(t)).unwrap_or_else(|| empty_text(span));
        RulesetDecl { name, title, span }
    }

    fn next_ident(&mut self, inner: &mut pest::iterators::Pairs<Rule>, span: Span) -> Ident {
        match inner.next() {
            Some(pair) => self.lower_ident(pair),
            None => Ident { name: String::new(), span },
        }
    }

    fn lower_type_expr(&mut self, pair: P) -> TypeExpr {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return TypeExpr::Named(Ident { name: String::new(), span });
        };
        match inner.as_rule() {
            Rule::list_type => {
                let mut parts = inner.into_inner();
                TypeExpr::ListOf(self.next_ident(&mut parts, span), span)
            }
            Rule::enum_type => {
                let options = inner
                    .into_inner()
                    .map(|option| {
                        let span = self.span(&option);
                        let mut strings = option.into_inner();
                        let value = strings.next().map(|s| self.lower_string(s)).unwrap_or_default();
                        let en = strings.next().map(|s| self.lower_string(s));
                        EnumOption { value, en, span }
                    })
                    .collect();
                TypeExpr::OneOf(options, span)
            }
            _ => TypeExpr::Named(self.lower_ident(inner)),
        }
    }

    /// `input birth_date: date label "出生日期" en "Date of birth"` (also `field …` of a record).
    fn lower_input_decl(&mut self, pair: P) -> InputDecl {
        let span = self.span(&pair);
        let mut input = InputDecl {
            name: Ident { name: String::new(), span },
            ty: TypeExpr::Named(Ident { name: String::new(), span }),
            label: None,
            question: None,
            hint: None,
            min: None,
            max: None,
            span,
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => input.name = self.lower_ident(inner),
                Rule::type_expr => input.ty = self.lower_type_expr(inner),
                Rule::label_clause => {
                    let text = self.clause_text(inner);
                    self.once(&mut input.label, text, "label", ("输入项", "an input"))
                }
                Rule::question_clause => {
                    let text = self.clause_text(inner);
                    self.once(&mut input.question, text, "question", ("输入项", "an input"))
                }
                Rule::hint_clause => {
                    let text = self.clause_text(inner);
                    self.once(&mut input.hint, text, "hint", ("输入项", "an input"))
                }
                Rule::min_clause => {
                    let min = inner.into_inner().next().map(|l| self.lower_literal(l));
                    self.once(&mut input.min, min, "min", ("输入项", "an input"))
                }
                Rule::max_clause => {
                    let max = inner.into_inner().next().map(|l| self.lower_literal(l));
                    self.once(&mut input.max, max, "max", ("输入项", "an input"))
                }
                _ => {}
            }
        }
        input
    }

    /// The text of `label …`, `question …` or `hint …`.
    fn clause_text(&mut self, pair: P) -> Option<Text> {
        pair.into_inner().next().map(|t| self.lower_text(t))
    }

    fn lower_record_decl(&mut self, pair: P) -> RecordDecl {
        let span = self.span(&pair);
        let mut record =
            RecordDecl { name: Ident { name: String::new(), span }, label: None, fields: Vec::new(), span };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => record.name = self.lower_ident(inner),
                Rule::label_clause => record.label = self.clause_text(inner),
                Rule::field_decl => record.fields.push(self.lower_input_decl(inner)),
                _ => {}
            }
        }
        record
    }

    fn lower_source_clause(&mut self, pair: P) -> Source {
        let span = self.span(&pair);
        let mut strings = pair.into_inner();
        let citation = strings.next().map(|s| self.lower_string(s)).unwrap_or_default();
        let url = strings.next().map(|s| self.lower_string(s));
        Source { citation, url, span }
    }

    fn lower_param_decl(&mut self, pair: P) -> ParamDecl {
        let span = self.span(&pair);
        let mut param = ParamDecl {
            name: Ident { name: String::new(), span },
            ty: TypeExpr::Named(Ident { name: String::new(), span }),
            values: Vec::new(),
            label: None,
            source: None,
            span,
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => param.name = self.lower_ident(inner),
                Rule::type_expr => param.ty = self.lower_type_expr(inner),
                Rule::param_value => param.values.extend(self.lower_param_value(inner)),
                Rule::label_clause => {
                    let text = self.clause_text(inner);
                    self.once(&mut param.label, text, "label", ("参数", "a parameter"))
                }
                Rule::source_clause => {
                    let source = Some(self.lower_source_clause(inner));
                    self.once(&mut param.source, source, "source", ("参数", "a parameter"))
                }
                _ => {}
            }
        }
        param
    }

    /// `1450 from 2024-07-01 until 2025-06-30`; `None` when a date is not a real day (reported),
    /// so that the value is left out rather than read as undated.
    fn lower_param_value(&mut self, pair: P) -> Option<ParamValue> {
        let span = self.span(&pair);
        let mut value = Literal { kind: LitKind::Int(0), span };
        let (mut from, mut until) = (None, None);
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::signed_literal => value = self.lower_literal(inner),
                Rule::value_from => from = Some(self.lower_dated(inner)?),
                Rule::value_until => until = Some(self.lower_dated(inner)?),
                _ => {}
            }
        }
        Some(ParamValue { value, from, until, span })
    }

    /// The date of `from DATE` or `until DATE`; `None` when it is not a real date (reported).
    fn lower_dated(&mut self, pair: P) -> Option<DateLit> {
        pair.into_inner().next().and_then(|d| self.lower_date(d))
    }

    fn lower_let_decl(&mut self, pair: P) -> Option<LetDecl> {
        let span = self.span(&pair);
        let mut name = Ident { name: String::new(), span };
        let (mut ty, mut value, mut label) = (None, None, None);
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => name = self.lower_ident(inner),
                Rule::type_expr => ty = Some(self.lower_type_expr(inner)),
                Rule::expr => value = Some(self.lower_expr(inner)),
                Rule::label_clause => label = self.clause_text(inner),
                _ => {}
            }
        }
        Some(LetDecl { name, ty, value: value?, label, span })
    }

    fn lower_table_decl(&mut self, pair: P) -> Option<TableDecl> {
        let span = self.span(&pair);
        let mut name = None;
        let mut table = TableDecl {
            name: Ident { name: String::new(), span },
            keys: Vec::new(),
            result: TypeExpr::Named(Ident { name: String::new(), span }),
            hit: HitPolicy::Unique,
            label: None,
            source: None,
            rows: Vec::new(),
            span,
        };
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident if name.is_none() => name = Some(self.lower_ident(inner)),
                Rule::table_key => {
                    let mut parts = inner.into_inner();
                    let key_name = self.next_ident(&mut parts, span);
                    let ty = parts.next().map(|t| self.lower_type_expr(t));
                    table.keys.push(TableKey { name: key_name, ty });
                }
                Rule::type_expr => table.result = self.lower_type_expr(inner),
                Rule::hit_policy => {
                    table.hit = if inner.as_str() == "first" { HitPolicy::First } else { HitPolicy::Unique }
                }
                Rule::label_clause => {
                    let text = self.clause_text(inner);
                    self.once(&mut table.label, text, "label", ("表", "a table"))
                }
                Rule::source_clause => {
                    let source = Some(self.lower_source_clause(inner));
                    self.once(&mut table.source, source, "source", ("表", "a table"))
                }
                Rule::table_row => table.rows.push(self.lower_table_row(inner)?),
                _ => {}
            }
        }
        table.name = name?;
        Some(table)
    }

    /// `65..69 => 75`, `"低保", 1..2 => 400`, `otherwise => 0`
    fn lower_table_row(&mut self, pair: P) -> Option<TableRow> {
        let span = self.span(&pair);
        let (mut cells, mut otherwise, mut value) = (Vec::new(), false, None);
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::otherwise => otherwise = true,
                Rule::cell => cells.push(self.lower_cell(inner)),
                Rule::expr => value = Some(self.lower_expr(inner)),
                _ => {}
            }
        }
        Some(TableRow { cells, otherwise, value: value?, span })
    }

    fn lower_cell(&mut self, pair: P) -> Cell {
        let span = self.span(&pair);
        let kind = match pair.into_inner().next() {
            Some(band) if band.as_rule() == Rule::band => {
                let (mut low, mut high, mut high_open, mut seen_dots) = (None, None, false, false);
                let dots = band.as_str().find("..").unwrap_or(0);
                let band_start = band.as_span().start();
                for bound in band.into_inner() {
                    match bound.as_rule() {
                        Rule::band_open => high_open = true,
                        Rule::band_bound => {
                            seen_dots |= bound.as_span().start() - band_start > dots;
                            let literal = self.lower_literal(bound);
                            if seen_dots {
                                high = Some(literal);
                            } else {
                                low = Some(literal);
                            }
                        }
                        _ => {}
                    }
                }
                CellKind::Band { low, high, high_open }
            }
            Some(any) if any.as_rule() == Rule::any_cell => CellKind::Any,
            Some(literal) => CellKind::Value(self.lower_literal(literal)),
            None => CellKind::Any,
        };
        Cell { kind, span }
    }

    fn lower_policy_decl(&mut self, pair: P) -> Option<PolicyDecl> {
        let span = self.span(&pair);
        let mut name = None;
        let mut policy = PolicyDecl {
            name: Ident { name: String::new(), span },
            title: empty_text(span),
            source: None,
            effective: None,
            conditions: Vec::new(),
            outputs: Vec::new(),
            exceptions: Vec::new(),
            excludes: Vec::new(),
            span,
        };
        for inner in pair.into_inner() {
            let clause_span = self.span(&inner);
            match inner.as_rule() {
                Rule::ident => name = Some(self.lower_ident(inner)),
                Rule::text => policy.title = self.lower_text(inner),
                Rule::source_clause => {
                    let source = Some(self.lower_source_clause(inner));
                    self.once(&mut policy.source, source, "source", ("政策", "a policy"))
                }
                Rule::effective_clause => {
                    let effective = Some(self.lower_effective_clause(inner));
                    self.once(&mut policy.effective, effective, "effective", ("政策", "a policy"))
                }
                Rule::require_clause | Rule::unless_clause => {
                    let kind = if inner.as_rule() == Rule::require_clause {
                        ConditionKind::Require
                    } else {
                        ConditionKind::Unless
                    };
                    let mut parts = inner.into_inner();
                    let expr = self.lower_expr(parts.next()?);
                    let label = parts.next().map(|t| self.lower_text(t)).unwrap_or_else(|| empty_text(clause_span));
                    policy.conditions.push(Condition { kind, expr, label, span: clause_span });
                }
                Rule::amount_clause => {
                    let mut parts = inner.into_inner();
                    let period = match parts.next()?.as_str() {
                        "monthly" => Period::Monthly,
                        "yearly" => Period::Yearly,
                        _ => Period::Once,
                    };
                    let value = self.lower_expr(parts.next()?);
                    policy.outputs.push(OutputDef {
                        name: OutputName::Amount,
                        name_span: clause_span,
                        period: Some(period),
                        value,
                        label: None,
                        span: clause_span,
                    });
                }
                Rule::fee_clause | Rule::waiver_clause => {
                    let name = if inner.as_rule() == Rule::fee_clause { OutputName::Fee } else { OutputName::Waiver };
                    let value = self.lower_expr(inner.into_inner().next()?);
                    policy.outputs.push(OutputDef {
                        name,
                        name_span: clause_span,
                        period: None,
                        value,
                        label: None,
                        span: clause_span,
                    });
                }
                Rule::output_clause => {
                    let mut parts = inner.into_inner();
                    let output_name = self.lower_ident(parts.next()?);
                    let value = self.lower_expr(parts.next()?);
                    let label = parts.next().and_then(|l| self.clause_text(l));
                    policy.outputs.push(OutputDef {
                        name: OutputName::Named(output_name.name),
                        name_span: output_name.span,
                        period: None,
                        value,
                        label,
                        span: clause_span,
                    });
                }
                Rule::exception_clause => policy.exceptions.push(self.lower_exception_clause(inner)?),
                Rule::excludes_clause => {
                    policy.excludes.extend(inner.into_inner().map(|id| self.lower_ident(id)));
                }
                _ => {}
            }
        }
        policy.name = name?;
        Some(policy)
    }

    fn lower_effective_clause(&mut self, pair: P) -> Effective {
        let span = self.span(&pair);
        let (mut from, mut until) = (None, None);
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::value_from => from = self.lower_dated(inner),
                _ => until = self.lower_dated(inner),
            }
        }
        Effective { from, until, span }
    }

    /// `amount`, `fee`, `waiver` or an output's name.
    fn lower_output_ref(&mut self, pair: P) -> (OutputName, Span) {
        let span = self.span(&pair);
        let name = match pair.into_inner().next() {
            Some(inner) => match inner.as_rule() {
                Rule::amount_kw => OutputName::Amount,
                Rule::fee_kw => OutputName::Fee,
                Rule::waiver_kw => OutputName::Waiver,
                _ => OutputName::Named(self.lower_ident(inner).name),
            },
            None => OutputName::Amount,
        };
        (name, span)
    }

    fn lower_exception_clause(&mut self, pair: P) -> Option<Exception> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let label = self.lower_text(parts.next()?);
        let when = self.lower_expr(parts.next()?);
        let (target, target_span) = self.lower_output_ref(parts.next()?);
        let value = self.lower_expr(parts.next()?);
        Some(Exception { label, when, target, target_span, value, span })
    }

    fn lower_group_decl(&mut self, pair: P) -> GroupDecl {
        let span = self.span(&pair);
        let mut group = GroupDecl { name: Ident { name: String::new(), span }, title: None, members: Vec::new(), span };
        let mut named = false;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident if !named => {
                    group.name = self.lower_ident(inner);
                    named = true;
                }
                Rule::ident => group.members.push(self.lower_ident(inner)),
                Rule::text => group.title = Some(self.lower_text(inner)),
                _ => {}
            }
        }
        group
    }

    fn lower_example_decl(&mut self, pair: P) -> Option<ExampleDecl> {
        let span = self.span(&pair);
        let (mut name, mut date, mut given, mut expects) = (String::new(), None, Vec::new(), Vec::new());
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::string => name = self.lower_string(inner),
                Rule::date => date = self.lower_date(inner),
                Rule::given_clause => given.extend(inner.into_inner().map(|b| self.lower_binding(b))),
                Rule::expect_clause => expects.push(self.lower_expect_clause(inner)?),
                _ => {}
            }
        }
        Some(ExampleDecl { name, date: date?, given, expects, span })
    }

    /// `hukou = "上海"`
    fn lower_binding(&mut self, pair: P) -> Binding {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let name = self.next_ident(&mut parts, span);
        let value = parts.next().map_or(DataValue::Missing(span), |v| self.lower_data_value(v));
        Binding { name, value, span }
    }

    fn lower_data_value(&mut self, pair: P) -> DataValue {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else { return DataValue::Missing(span) };
        match inner.as_rule() {
            Rule::data_list => self.nested(span, DataValue::Missing(span), |this| {
                DataValue::List(inner.into_inner().map(|v| this.lower_data_value(v)).collect(), span)
            }),
            Rule::data_record => self.nested(span, DataValue::Missing(span), |this| {
                DataValue::Record(inner.into_inner().map(|b| this.lower_binding(b)).collect(), span)
            }),
            Rule::missing_kw => DataValue::Missing(span),
            _ => DataValue::Literal(self.lower_literal(inner)),
        }
    }

    fn lower_expect_clause(&mut self, pair: P) -> Option<Expectation> {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let policy = self.lower_ident(parts.next()?);
        let status = match parts.next()?.as_str() {
            "eligible" => Status::Eligible,
            "ineligible" => Status::Ineligible,
            "undetermined" => Status::Undetermined,
            "not_applicable" => Status::NotApplicable,
            _ => Status::Error,
        };
        let mut checks = Vec::new();
        for expectation in parts {
            let Some(check) = expectation.into_inner().next() else { continue };
            let check_span = self.span(&check);
            match check.as_rule() {
                Rule::missing_expectation => {
                    let paths = check.into_inner().map(|p| self.lower_fact_path(p)).collect();
                    checks.push(Check::Missing(paths, check_span));
                }
                Rule::payable_expectation => {
                    let literal = self.lower_literal(check.into_inner().next()?);
                    checks.push(Check::Payable(literal));
                }
                _ => {
                    let mut inner = check.into_inner();
                    let (name, name_span) = self.lower_output_ref(inner.next()?);
                    let literal = self.lower_literal(inner.next()?);
                    checks.push(Check::Output(name, name_span, literal));
                }
            }
        }
        Some(Expectation { policy, status, checks, span })
    }

    /// `household[0].income`
    fn lower_fact_path(&mut self, pair: P) -> FactPath {
        let span = self.span(&pair);
        let mut parts = pair.into_inner();
        let input = self.next_ident(&mut parts, span);
        let item = match (parts.next(), parts.next()) {
            (Some(index), Some(field)) => {
                // Refused rather than wrapped or saturated: `hh[99999999999999999999]` is not
                // `hh[4294967295]`.
                let index = match index.as_str().replace('_', "").parse::<u32>() {
                    Ok(index) => index,
                    Err(_) => {
                        let index_span = self.span(&index);
                        self.report(
                            Diagnostic::new(
                                Code::NumberOutOfRange,
                                index_span,
                                text!("列表中的这个位置太大", "this position in the list is too large"),
                            )
                            .with_help({
                                let last = u32::MAX;
                                text!("位置从 0（第一项）到 {last}", "positions go from 0 (the first item) to {last}")
                            }),
                        );
                        u32::MAX
                    }
                };
                Some((index, self.lower_ident(field)))
            }
            _ => None,
        };
        FactPath { input, item, span }
    }

    // ── Expressions ──

    pub fn lower_expr(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        // The Pratt closures cannot borrow `self` mutably more than once, so operands are lowered
        // first and the tree is built from the lowered operands.
        let mut operands = Vec::new();
        let mut shape = Vec::new();
        let mut deepest = 0;
        for inner in pair.into_inner() {
            if inner.as_rule() == Rule::unary {
                shape.push(inner.clone());
                let operand = self.lower_unary(inner);
                deepest = deepest.max(operand.depth());
                operands.push(Some(operand));
            } else {
                shape.push(inner);
            }
        }
        // A chain of n operators is at most n deep: refuse it before building it, since a tree
        // too deep to check is also too deep to drop.
        if deepest + operands.len() > MAX_EXPR_DEPTH + 1 {
            self.report(too_deep(span));
            return Expr { kind: ExprKind::Literal(LitKind::Int(0)), span };
        }
        let mut next_operand = operands.into_iter();
        PRATT
            .map_primary(|_| {
                next_operand.next().flatten().unwrap_or(Expr { kind: ExprKind::Literal(LitKind::Int(0)), span })
            })
            .map_infix(|lhs, op, rhs| {
                let op = binary_op(op.as_rule()).unwrap_or(BinaryOp::Eq);
                let span = lhs.span.to(rhs.span);
                Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span }
            })
            .parse(shape.into_iter())
    }

    /// `not x`, `-x`: prefixes are applied innermost first, in a loop rather than by recursion.
    fn lower_unary(&mut self, pair: P) -> Expr {
        let mut prefixes = Vec::new();
        let mut operand = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::not_op => prefixes.push((UnaryOp::Not, self.span(&inner))),
                Rule::neg_op => prefixes.push((UnaryOp::Neg, self.span(&inner))),
                _ => operand = Some(self.lower_primary(inner)),
            }
        }
        let mut expr = operand.unwrap_or(Expr { kind: ExprKind::Literal(LitKind::Int(0)), span: Span::default() });
        let depth = expr.depth();
        if prefixes.len() + depth > MAX_EXPR_DEPTH {
            let span = prefixes.first().map_or(expr.span, |(_, s)| s.to(expr.span));
            // Deep because of the prefixes, or because of what they apply to (`sum(h, a + b + …)`
            // with a hundred terms has no prefix at all: found while testing the limits).
            let diagnostic = if prefixes.len() > depth {
                Diagnostic::new(Code::NestingTooDeep, span, {
                    let count = prefixes.len();
                    text!(
                        "这个表达式超过了 {MAX_EXPR_DEPTH} 层：连续写了 {count} 个 `not` 或 `-`",
                        "this expression is more than {MAX_EXPR_DEPTH} levels deep: {count} `not` or `-` in a row"
                    )
                })
                .with_help(text!("两个 `not` 互相抵消：成对删去", "two `not`s cancel out: remove them in pairs"))
            } else {
                too_deep(span)
            };
            self.report(diagnostic);
            return Expr { kind: ExprKind::Literal(LitKind::Int(0)), span };
        }
        for (op, op_span) in prefixes.into_iter().rev() {
            // Fold `-65` into a literal so that tables and traces show the number itself.
            expr = match (op, expr.kind) {
                (UnaryOp::Neg, ExprKind::Literal(LitKind::Int(i))) => {
                    Expr { kind: ExprKind::Literal(LitKind::Int(-i)), span: op_span.to(expr.span) }
                }
                (_, kind) => {
                    let inner = Expr { kind, span: expr.span };
                    Expr { span: op_span.to(inner.span), kind: ExprKind::Unary(op, Box::new(inner)) }
                }
            };
        }
        expr
    }

    fn lower_primary(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::expr | Rule::if_expr | Rule::call | Rule::list_expr => {
                let zero = Expr { kind: ExprKind::Literal(LitKind::Int(0)), span };
                self.nested(span, zero, |this| this.lower_nested(pair))
            }
            _ => self.lower_leaf(pair),
        }
    }

    /// `(…)`, `if … then … else …`, `f(…)`, `[…]`: what nests.
    fn lower_nested(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.lower_expr(pair),
            Rule::if_expr => {
                let mut parts: Vec<Expr> = pair.into_inner().map(|e| self.lower_expr(e)).collect();
                let (Some(otherwise), Some(then), Some(condition)) = (parts.pop(), parts.pop(), parts.pop()) else {
                    return Expr { kind: ExprKind::Literal(LitKind::Int(0)), span };
                };
                ExprKind::If(Box::new(condition), Box::new(then), Box::new(otherwise))
            }
            Rule::call => {
                let mut parts = pair.into_inner();
                let name = self.next_ident(&mut parts, span);
                ExprKind::Call(name, parts.map(|e| self.lower_expr(e)).collect())
            }
            _ => ExprKind::List(pair.into_inner().map(|e| self.lower_expr(e)).collect()),
        };
        Expr { kind, span }
    }

    /// A name, `today` or a literal.
    fn lower_leaf(&mut self, pair: P) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::today => ExprKind::Today,
            Rule::ident => ExprKind::Name(self.lower_ident(pair).name),
            _ => ExprKind::Literal(self.lower_literal(pair).kind),
        };
        Expr { kind, span }
    }
}

/// A clause's place in the file, for `Lowerer::once`.
trait Placed {
    fn place(&self) -> Span;
}

macro_rules! placed {
    ($($t:ty),*) => {
        $(impl Placed for $t {
            fn place(&self) -> Span {
                self.span
            }
        })*
    };
}

placed!(Text, Literal, Source, Effective);

fn empty_text(span: Span) -> Text {
    Text { zh: String::new(), en: None, span }
}

/// An expression nested deeper than `MAX_EXPR_DEPTH`, and how to make it shallower.
fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        span,
        text!("这个表达式超过了 {MAX_EXPR_DEPTH} 层", "this expression is more than {MAX_EXPR_DEPTH} levels deep"),
    )
    .with_help(text!(
        "用 `let` 把它拆成几个有名称的定义，或对列表使用 `sum(…)`",
        "split it into named definitions with `let`, or use `sum(…)` over a list"
    ))
}
