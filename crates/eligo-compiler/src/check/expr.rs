//! Expressions: names resolved to slots, types decided, built-in functions and tables checked,
//! and every problem reported with its position and, where it helps, a suggestion.

use super::{Checker, Symbol};
use crate::ast::{self, BinaryOp, ExprKind as A, LitKind, UnaryOp};
use crate::diagnostic::{did_you_mean, Bilingual, Code, Diagnostic};
use crate::text;
use eligo_core::builtins::{self, BuiltinDef, Signature};
use eligo_core::program::{Arith, Compare, Expr, ExprKind, ListOp, NameRef, Type};
use eligo_core::source::Span;
use eligo_core::value::Value;
use eligo_core::vocabulary::Lang;

/// A checked expression with its type. `literal` marks numbers written directly (and arithmetic
/// on them), which may stand for money: `income < 3000`.
pub struct Typed {
    pub expr: Expr,
    pub ty: Type,
    pub literal: bool,
}

/// Where an expression is checked: inside a list operation the item's fields are in scope.
#[derive(Default)]
pub struct Scope {
    pub item: Option<u32>,
    /// Names the expression reads directly, for the trace.
    pub reads: Vec<NameRef>,
}

/// The list operations by name (besides `min` and `max` of a list, which share their names with
/// built-ins): they take an expression over the items, so they are not in the built-ins' table.
pub(crate) const LIST_OPERATIONS: &[(&str, ListOp)] = &[
    ("count", ListOp::Count),
    ("sum", ListOp::Sum),
    ("any", ListOp::Any),
    ("all", ListOp::All),
    ("filter", ListOp::Filter),
];

/// A type as people read it: `money`, `list of member`.
pub(crate) fn type_name(records: &[eligo_core::program::RecordDef], ty: Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Int => "int".into(),
        Type::Decimal => "decimal".into(),
        Type::Money => "money".into(),
        Type::Date => "date".into(),
        Type::Text => "text".into(),
        Type::Enum(_) => "one of …".into(),
        Type::List(r) => format!("list of {}", records.get(r as usize).map_or("records", |r| r.name.as_str())),
        Type::Error => "?".into(),
    }
}

/// How a list operation is called, for the checker's help and the editor's hover.
pub(crate) fn list_op_usage(op: ListOp) -> &'static str {
    match op {
        ListOp::Count => "count(household) or count(household, condition)",
        ListOp::Sum => "sum(household, monthly_income)",
        ListOp::Any => "any(household, condition)",
        ListOp::All => "all(household, condition)",
        ListOp::Filter => "filter(household, condition)",
        ListOp::Min => "min(household, value)",
        ListOp::Max => "max(household, value)",
    }
}

impl Checker<'_> {
    pub(super) fn type_name(&self, ty: Type) -> String {
        type_name(&self.program.records, ty)
    }

    /// A type as a message names it: in backticks in Chinese, where it is a word of the code.
    fn type_words(&self, ty: Type) -> Bilingual {
        let name = self.type_name(ty);
        text!(" `{name}`", "{name}")
    }

    pub(super) fn check_expr(&mut self, expr: &ast::Expr, scope: &mut Scope) -> Typed {
        let span = expr.span;
        let typed = |kind: ExprKind, ty: Type| Typed { expr: Expr { kind, span }, ty, literal: false };
        match &expr.kind {
            A::Literal(lit) => {
                let (value, ty) = literal_value(lit);
                Typed {
                    expr: Expr { kind: ExprKind::Const(value), span },
                    ty,
                    literal: matches!(lit, LitKind::Int(_) | LitKind::Decimal(_) | LitKind::Percent(_)),
                }
            }
            A::Today => typed(ExprKind::Today, Type::Date),
            A::Name(name) => self.check_name(name, span, scope),
            A::Unary(UnaryOp::Not, operand) => {
                let operand = self.check_expr(operand, scope);
                self.expect_bool(&operand, text!("`not` 后面应是“是/否”的值", "`not` needs a true/false value"));
                typed(ExprKind::Not(Box::new(operand.expr)), Type::Bool)
            }
            A::Unary(UnaryOp::Neg, operand) => {
                let operand = self.check_expr(operand, scope);
                if !operand.ty.is_numeric() && operand.ty != Type::Error {
                    let ty = self.type_name(operand.ty);
                    self.mismatch(span, text!("`{ty}` 类型的值不能取负", "cannot negate a {ty}"), None);
                }
                Typed {
                    literal: operand.literal,
                    ty: operand.ty,
                    expr: Expr { kind: ExprKind::Neg(Box::new(operand.expr)), span },
                }
            }
            A::Binary(op, lhs, rhs) => self.check_binary(*op, lhs, rhs, span, scope),
            A::If(condition, then, otherwise) => {
                let condition = self.check_expr(condition, scope);
                self.expect_bool(
                    &condition,
                    text!("`if` 的条件必须是“是/否”的值", "the condition of `if` must be true/false"),
                );
                let then = self.check_expr(then, scope);
                let otherwise = self.check_expr(otherwise, scope);
                let ty = self.unify(&then, &otherwise).unwrap_or_else(|| {
                    let (a, b) = (self.type_name(then.ty), self.type_name(otherwise.ty));
                    self.mismatch(
                        span,
                        text!(
                            "`if` 的两个分支类型不同：`{a}` 和 `{b}`",
                            "the two branches of `if` have different types: {a} and {b}"
                        ),
                        Some(text!(
                            "`then` 和 `else` 必须给出同一种值",
                            "both `then` and `else` must give the same kind of value"
                        )),
                    );
                    Type::Error
                });
                Typed {
                    literal: then.literal && otherwise.literal,
                    ty,
                    expr: Expr {
                        kind: ExprKind::If(Box::new(condition.expr), Box::new(then.expr), Box::new(otherwise.expr)),
                        span,
                    },
                }
            }
            A::List(_) => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        text!("方括号里的列表只能写在 `in` 后面", "a list in brackets can only follow `in`"),
                    )
                    .with_help(text!("写成 `hukou in [\"上海\", \"北京\"]`", "write `hukou in [\"上海\", \"北京\"]`")),
                );
                typed(ExprKind::Const(Value::Bool(false)), Type::Error)
            }
            A::Call(name, args) => self.check_call(name, args, span, scope),
        }
    }

    fn check_name(&mut self, name: &str, span: Span, scope: &mut Scope) -> Typed {
        let typed = |kind: ExprKind, ty: Type| Typed { expr: Expr { kind, span }, ty, literal: false };
        if let Some(record) = scope.item {
            let fields = &self.program.records[record as usize].fields;
            if let Some(i) = fields.iter().position(|f| f.name == name) {
                return typed(ExprKind::Field(i as u32), fields[i].ty);
            }
        }
        match self.symbols.get(name).map(|s| s.0) {
            Some(Symbol::Input(i)) => {
                self.used_inputs[i as usize] = true;
                push_read(scope, NameRef::Input(i));
                typed(ExprKind::Input(i), self.program.inputs[i as usize].ty)
            }
            Some(Symbol::Param(i)) => {
                push_read(scope, NameRef::Param(i));
                typed(ExprKind::Param(i), self.program.params[i as usize].ty)
            }
            Some(Symbol::Let(i)) => {
                self.used_lets[i as usize] = true;
                push_read(scope, NameRef::Let(i));
                typed(ExprKind::Let(i), self.let_types[i as usize])
            }
            Some(Symbol::Table(_)) => {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        span,
                        text!(
                            "`{name}` 是一张表；用 `{name}(…)` 在表中查值",
                            "`{name}` is a table; look a value up in it with `{name}(…)`"
                        ),
                    )
                    .with_help(text!("写成 `{name}(key)`", "write `{name}(key)`")),
                );
                typed(ExprKind::Const(Value::Bool(false)), Type::Error)
            }
            None => {
                let mut candidates: Vec<&str> = self.symbols.keys().map(String::as_str).collect();
                if let Some(record) = scope.item {
                    candidates.extend(self.program.records[record as usize].fields.iter().map(|f| f.name.as_str()));
                }
                let mut diagnostic =
                    Diagnostic::new(Code::UnknownName, span, text!("未知的名称 `{name}`", "unknown name `{name}`"))
                        .with_label(text!("没有声明", "not declared"));
                diagnostic = match self.suggest(name, candidates) {
                    Some(close) => diagnostic.with_help(did_you_mean(close)),
                    None if self.field_owner(name).is_some() => {
                        let owner = self.field_owner(name).unwrap_or_default();
                        diagnostic.with_help(text!(
                            "`{name}` 是 `{owner}` 的字段：请在列表运算里使用它，例如 `sum(household, {name})`",
                            "`{name}` is a field of `{owner}`: use it inside a list operation, such as sum(household, {name})"
                        ))
                    }
                    None => diagnostic.with_help(text!(
                        "用 `input`、`param` 或 `let` 声明它，或者检查拼写",
                        "declare it with `input`, `param` or `let`, or check the spelling"
                    )),
                };
                self.report(diagnostic);
                typed(ExprKind::Const(Value::Bool(false)), Type::Error)
            }
        }
    }

    fn field_owner(&self, field: &str) -> Option<String> {
        self.program.records.iter().find(|r| r.fields.iter().any(|f| f.name == field)).map(|r| r.name.clone())
    }

    fn check_binary(&mut self, op: BinaryOp, lhs: &ast::Expr, rhs: &ast::Expr, span: Span, scope: &mut Scope) -> Typed {
        if op == BinaryOp::In {
            return self.check_in(lhs, rhs, span, scope);
        }
        let l = self.check_expr(lhs, scope);
        let r = self.check_expr(rhs, scope);
        let node = |kind: ExprKind, ty: Type, literal: bool| Typed { expr: Expr { kind, span }, ty, literal };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let symbol = op.symbol();
                let message = text!("`{symbol}` 连接的是“是/否”的值", "`{symbol}` joins true/false values");
                self.expect_bool(&l, message.clone());
                self.expect_bool(&r, message);
                let (a, b) = (Box::new(l.expr), Box::new(r.expr));
                node(if op == BinaryOp::And { ExprKind::And(a, b) } else { ExprKind::Or(a, b) }, Type::Bool, false)
            }
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let ordered = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                self.check_comparable(&l, &r, ordered, op.symbol(), span);
                let compare = match op {
                    BinaryOp::Eq => Compare::Eq,
                    BinaryOp::Ne => Compare::Ne,
                    BinaryOp::Lt => Compare::Lt,
                    BinaryOp::Le => Compare::Le,
                    BinaryOp::Gt => Compare::Gt,
                    _ => Compare::Ge,
                };
                node(ExprKind::Compare(compare, Box::new(l.expr), Box::new(r.expr)), Type::Bool, false)
            }
            _ => {
                let arith = match op {
                    BinaryOp::Add => Arith::Add,
                    BinaryOp::Sub => Arith::Sub,
                    BinaryOp::Mul => Arith::Mul,
                    _ => Arith::Div,
                };
                let ty = arith_type(arith, &l, &r).unwrap_or_else(|| {
                    let help = match (l.ty, r.ty) {
                        (Type::Date, _) | (_, Type::Date) => {
                            Some(text!(
                                "日期的推算用 `add_days`、`add_months` 或 `add_years`，两个日期之间的间隔用 `days_between` 或 `months_between`",
                                "use add_days, add_months or add_years to move a date, and days_between or months_between to measure between dates"
                            ))
                        }
                        (Type::Money, Type::Money) => Some(text!("金额乘金额没有意义；请用金额乘一个数或百分比", "money times money has no meaning; multiply money by a number or a percentage")),
                        (Type::Bool, _) | (_, Type::Bool) => Some(text!("“是/否”的值不能相加或相乘；请用 `and` / `or`", "true/false values cannot be added or multiplied; use `and` / `or`")),
                        (Type::Money, _) | (_, Type::Money) => Some(text!("要把一个数加到金额上，请把它写成金额，例如 `100元`", "to add a plain number to money, write it as money, e.g. `100元`")),
                        _ => None,
                    };
                    let (verb_zh, verb_en) = arith_verb(arith);
                    let (a, b) = (self.type_name(l.ty), self.type_name(r.ty));
                    self.mismatch(span, text!("`{a}` 和 `{b}` 不能{verb_zh}", "cannot {verb_en} {a} and {b}"), help);
                    Type::Error
                });
                node(ExprKind::Arith(arith, Box::new(l.expr), Box::new(r.expr)), ty, l.literal && r.literal)
            }
        }
    }

    /// `hukou in ["上海", "北京"]`
    fn check_in(&mut self, lhs: &ast::Expr, rhs: &ast::Expr, span: Span, scope: &mut Scope) -> Typed {
        let l = self.check_expr(lhs, scope);
        let A::List(items) = &rhs.kind else {
            self.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    rhs.span,
                    text!("`in` 后面应是方括号里的取值列表", "`in` needs a list of values in brackets"),
                )
                .with_help(text!("写成 `hukou in [\"上海\", \"北京\"]`", "write `hukou in [\"上海\", \"北京\"]`")),
            );
            return Typed {
                expr: Expr { kind: ExprKind::Const(Value::Bool(false)), span },
                ty: Type::Error,
                literal: false,
            };
        };
        let items: Vec<Expr> = items
            .iter()
            .map(|item| {
                let r = self.check_expr(item, scope);
                self.check_comparable(&l, &r, false, "in", item.span);
                r.expr
            })
            .collect();
        Typed { expr: Expr { kind: ExprKind::In(Box::new(l.expr), items), span }, ty: Type::Bool, literal: false }
    }

    /// Reports when `l` and `r` cannot be compared (`ordered`: with < or >).
    pub(super) fn check_comparable(&mut self, l: &Typed, r: &Typed, ordered: bool, op: &str, span: Span) {
        use Type::*;
        let ok = match (l.ty, r.ty) {
            (Error, _) | (_, Error) => true,
            (Int | Decimal, Int | Decimal) | (Money, Money) | (Date, Date) => true,
            (Money, Int | Decimal) => r.literal,
            (Int | Decimal, Money) => l.literal,
            (Text, Text) | (Bool, Bool) => !ordered,
            (Enum(a), Enum(b)) => a == b && !ordered,
            (Enum(e), Text) | (Text, Enum(e)) if !ordered => {
                let literal = if l.ty == Text { l } else { r };
                self.check_option(e, literal);
                true
            }
            _ => false,
        };
        if ok {
            return;
        }
        let (ln, rn) = (self.type_name(l.ty), self.type_name(r.ty));
        let (message, help) =
            if matches!(l.ty, Money) && r.ty.is_numeric() || matches!(r.ty, Money) && l.ty.is_numeric() {
                let other = if l.ty == Money { &rn } else { &ln };
                (
                    text!("金额不能和 `{other}` 比较", "cannot compare money with {other}"),
                    Some(text!(
                        "金额要和金额比较，或和写成金额的数比较，例如 `3000元`",
                        "compare money with money, or with an amount written as money such as `3000元`"
                    )),
                )
            } else if ordered && l.ty == r.ty {
                (
                    text!("`{op}` 不能比较 `{ln}` 类型的值的大小", "`{op}` cannot order {ln} values"),
                    Some(text!(
                        "只有数字、金额和日期有大小之分；请用 == 或 !=",
                        "only numbers, money and dates have an order; use == or !="
                    )),
                )
            } else {
                (text!("`{ln}` 不能和 `{rn}` 比较", "cannot compare {ln} with {rn}"), None)
            };
        self.mismatch(span, message, help);
    }

    /// A text literal compared with a one-of value must be one of its options.
    pub(super) fn check_option(&mut self, enumeration: u32, literal: &Typed) {
        let ExprKind::Const(Value::Text(text)) = &literal.expr.kind else { return };
        let options = &self.program.enums[enumeration as usize].options;
        if options.iter().any(|o| *o.value == **text) {
            return;
        }
        let listed: Vec<String> = options.iter().map(|o| format!("\"{}\"", o.value)).collect();
        let (listed_zh, listed_en) = (listed.join("、"), listed.join(", "));
        let suggestion = self.suggest(text, options.iter().map(|o| o.value.as_str()));
        let help = match suggestion {
            Some(close) => text!(
                "是不是要写 \"{close}\"？可选的取值有 {listed_zh}",
                "did you mean \"{close}\"? The options are {listed_en}"
            ),
            None => text!("可选的取值有 {listed_zh}", "the options are {listed_en}"),
        };
        self.report(
            Diagnostic::new(
                Code::UnknownOption,
                literal.expr.span,
                text!("\"{text}\" 不是可选的取值之一", "\"{text}\" is not one of the options"),
            )
            .with_help(help),
        );
    }

    /// The type both branches can take, if any.
    pub(super) fn unify(&self, a: &Typed, b: &Typed) -> Option<Type> {
        use Type::*;
        Some(match (a.ty, b.ty) {
            (Error, _) | (_, Error) => Error,
            (x, y) if x == y => x,
            (Int | Decimal, Int | Decimal) => Decimal,
            (Money, Int | Decimal) if b.literal => Money,
            (Int | Decimal, Money) if a.literal => Money,
            (Enum(_), Text) | (Text, Enum(_)) => Text,
            _ => return None,
        })
    }

    pub(super) fn expect_bool(&mut self, typed: &Typed, message: Bilingual) {
        if typed.ty != Type::Bool && typed.ty != Type::Error {
            let ty = self.type_name(typed.ty);
            let (zh, en) = (message.get(Lang::Zh), message.get(Lang::En));
            self.report(
                Diagnostic::new(
                    Code::NotACondition,
                    typed.expr.span,
                    text!("{zh}，但这里是 `{ty}`", "{en}, but this is {ty}"),
                )
                .with_help(text!(
                    "把它和某个值比较，例如 `年龄 >= 65`",
                    "compare it with something, for example `年龄 >= 65`"
                )),
            );
        }
    }

    pub(super) fn mismatch(&mut self, span: Span, message: Bilingual, help: Option<Bilingual>) {
        let diagnostic = Diagnostic::new(Code::TypeMismatch, span, message);
        self.report(match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        });
    }

    fn check_call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span, scope: &mut Scope) -> Typed {
        if let Some(Symbol::Table(t)) = self.symbols.get(&name.name).map(|s| s.0) {
            return self.check_table_call(t, args, span, scope);
        }
        let list_op = match name.name.as_str() {
            "min" | "max" if args.first().is_some_and(|a| self.is_list_expr(a, scope)) => {
                Some(if name.name == "min" { ListOp::Min } else { ListOp::Max })
            }
            other => LIST_OPERATIONS.iter().find(|(n, _)| *n == other).map(|(_, op)| *op),
        };
        if let Some(op) = list_op {
            return self.check_list_op(op, &name.name, args, span, scope);
        }
        let Some(def) = builtins::by_name(&name.name) else {
            let tables: Vec<&str> =
                self.symbols.iter().filter(|(_, s)| matches!(s.0, Symbol::Table(_))).map(|(n, _)| n.as_str()).collect();
            let functions =
                builtins::BUILTINS.iter().map(|def| def.name).chain(LIST_OPERATIONS.iter().map(|(n, _)| *n));
            let candidates = functions.chain(tables);
            let mut diagnostic = Diagnostic::new(
                Code::UnknownFunction,
                name.span,
                Bilingual::new(
                    format!("没有名为 `{}` 的函数或表", name.name),
                    format!("unknown function or table `{}`", name.name),
                ),
            );
            diagnostic = match self.suggest(&name.name, candidates) {
                Some(close) => diagnostic.with_help(did_you_mean(close)),
                None => diagnostic.with_help(text!(
                    "内置函数见 docs/language.zh.md；表用 `table` 声明",
                    "docs/language.md lists the built-in functions; tables are declared with `table`"
                )),
            };
            self.report(diagnostic);
            for arg in args {
                self.check_expr(arg, scope);
            }
            return Typed {
                expr: Expr { kind: ExprKind::Const(Value::Bool(false)), span },
                ty: Type::Error,
                literal: false,
            };
        };
        let typed_args: Vec<Typed> = args.iter().map(|a| self.check_expr(a, scope)).collect();
        let ty = self.builtin_type(def, &typed_args, span);
        // A built-in whose result is of its arguments' type keeps a number written in the rules
        // one that may stand for money: `min(income, 3000)`.
        let follows_arguments = matches!(def.signature, Signature::Number { .. } | Signature::Extremum);
        let literal = follows_arguments && typed_args.iter().all(|a| a.literal);
        Typed {
            expr: Expr { kind: ExprKind::Call(def.builtin, typed_args.into_iter().map(|a| a.expr).collect()), span },
            ty,
            literal,
        }
    }

    fn builtin_type(&mut self, def: &BuiltinDef, args: &[Typed], span: Span) -> Type {
        let name = def.name;
        if !def.signature.takes(args.len()) {
            self.argument_count(span, name, def.usage, args.len());
            // A fixed signature still gives its type, so the rest of the expression is checked.
            return match def.signature {
                Signature::Fixed(_, result) => result,
                Signature::Number { .. } | Signature::Extremum => Type::Error,
            };
        }
        match def.signature {
            Signature::Fixed(params, result) => {
                for (arg, param) in args.iter().zip(params) {
                    if arg.ty != *param && arg.ty != Type::Error {
                        self.argument_type(arg, name, self.type_words(*param));
                    }
                }
                result
            }
            Signature::Number { .. } => {
                if !args[0].ty.is_numeric() && args[0].ty != Type::Error {
                    self.argument_type(&args[0], name, text!("数字或金额", "a number or money"));
                }
                if let Some(places) = args.get(1) {
                    if places.ty != Type::Int && places.ty != Type::Error {
                        self.argument_type(
                            places,
                            name,
                            text!("表示小数位数的整数", "a whole number of decimal places"),
                        );
                    }
                }
                args[0].ty
            }
            Signature::Extremum => self.extremum_type(name, args),
        }
    }

    /// The type of `min` or `max` of two or more values.
    fn extremum_type(&mut self, name: &str, args: &[Typed]) -> Type {
        let mut ty = args[0].ty;
        let mut literal = args[0].literal;
        for arg in &args[1..] {
            let so_far = Typed { expr: arg.expr.clone(), ty, literal };
            match self.unify(&so_far, arg) {
                Some(t) if t.is_numeric() || t == Type::Date || t == Type::Error => {
                    ty = t;
                    literal &= arg.literal;
                }
                _ => {
                    let like = self.type_name(ty);
                    self.argument_type(
                        arg,
                        name,
                        text!("和其他参数一样的 `{like}`", "{like} like the other arguments"),
                    );
                    return Type::Error;
                }
            }
        }
        ty
    }

    fn argument_count(&mut self, span: Span, name: &str, usage: &str, got: usize) {
        self.report(
            Diagnostic::new(Code::ArgumentCount, span, {
                let plural = if got == 1 { "" } else { "s" };
                text!("`{name}` 收到了 {got} 个参数", "`{name}` was given {got} argument{plural}")
            })
            .with_help({
                let usage_zh = usage_in_chinese(usage);
                text!("写成 {usage_zh}", "write {usage}")
            }),
        );
    }

    fn argument_type(&mut self, arg: &Typed, name: &str, expected: Bilingual) {
        let got = self.type_name(arg.ty);
        let (expected_zh, expected_en) = (expected.get(Lang::Zh), expected.get(Lang::En));
        self.report(
            Diagnostic::new(
                Code::ArgumentType,
                arg.expr.span,
                text!("`{name}` 这里需要{expected_zh}，而不是 `{got}`", "`{name}` needs {expected_en} here, not {got}"),
            )
            .with_label(text!("这里是 `{got}`", "this is {got}")),
        );
    }

    fn is_list_expr(&mut self, expr: &ast::Expr, scope: &Scope) -> bool {
        self.list_record(expr, scope).is_some()
    }

    /// The record type of a list-valued expression (an input, or `filter(…)` of one), decided
    /// without reporting anything.
    pub(super) fn list_record(&self, expr: &ast::Expr, scope: &Scope) -> Option<u32> {
        match &expr.kind {
            A::Name(name) => {
                if let Some(record) = scope.item {
                    if self.program.records[record as usize].fields.iter().any(|f| &f.name == name) {
                        return None;
                    }
                }
                match self.symbols.get(name).map(|s| s.0) {
                    Some(Symbol::Input(i)) => match self.program.inputs[i as usize].ty {
                        Type::List(r) => Some(r),
                        _ => None,
                    },
                    Some(Symbol::Let(i)) => match self.let_types.get(i as usize) {
                        Some(Type::List(r)) => Some(*r),
                        _ => None,
                    },
                    _ => None,
                }
            }
            A::Call(name, args) if name.name == "filter" => args.first().and_then(|a| self.list_record(a, scope)),
            _ => None,
        }
    }

    fn check_list_op(&mut self, op: ListOp, name: &str, args: &[ast::Expr], span: Span, scope: &mut Scope) -> Typed {
        let error = |span| Typed {
            expr: Expr { kind: ExprKind::Const(Value::Bool(false)), span },
            ty: Type::Error,
            literal: false,
        };
        let usage = list_op_usage(op);
        let needs_item = op != ListOp::Count;
        if args.is_empty() || args.len() > 2 || (needs_item && args.len() != 2) {
            self.argument_count(span, name, usage, args.len());
            return error(span);
        }
        let list = self.check_expr(&args[0], scope);
        let record = match list.ty {
            Type::List(r) => r,
            Type::Error => return error(span),
            other => {
                let got = self.type_name(other);
                self.report(
                    Diagnostic::new(
                        Code::NotAList,
                        args[0].span,
                        text!(
                            "`{name}` 需要一个记录列表，而不是 `{got}`",
                            "`{name}` needs a list of records, not {got}"
                        ),
                    )
                    .with_help({
                        let usage_zh = usage_in_chinese(usage);
                        text!(
                            "写成 {usage_zh}，其中 `household` 是声明为 `list of …` 的输入项",
                            "write {usage}, where household is an input declared as `list of …`"
                        )
                    }),
                );
                return error(span);
            }
        };
        let mut inner = Scope { item: Some(record), reads: std::mem::take(&mut scope.reads) };
        let item = args.get(1).map(|a| self.check_expr(a, &mut inner));
        scope.reads = inner.reads;
        let ty = match (op, &item) {
            (ListOp::Count, _) => Type::Int,
            (ListOp::Any | ListOp::All, _) => Type::Bool,
            (ListOp::Filter, _) => Type::List(record),
            (ListOp::Sum | ListOp::Min | ListOp::Max, Some(item)) => {
                if !item.ty.is_numeric() && item.ty != Type::Error && !(op != ListOp::Sum && item.ty == Type::Date) {
                    self.argument_type(item, name, text!("每一项都是数字或金额", "a number or money for each item"));
                    Type::Error
                } else {
                    item.ty
                }
            }
            _ => Type::Error,
        };
        if let (ListOp::Count | ListOp::Any | ListOp::All | ListOp::Filter, Some(item)) = (op, &item) {
            self.expect_bool(
                item,
                text!(
                    "`{name}` 的条件对每一项都必须是“是/否”的值",
                    "the condition of `{name}` must be true/false for each item"
                ),
            );
        }
        let kind = ExprKind::List(op, Box::new(list.expr), item.map(|i| Box::new(i.expr)));
        Typed { expr: Expr { kind, span }, ty, literal: false }
    }

    fn check_table_call(&mut self, table: u32, args: &[ast::Expr], span: Span, scope: &mut Scope) -> Typed {
        let typed_args: Vec<Typed> = args.iter().map(|a| self.check_expr(a, scope)).collect();
        let def = &self.program.tables[table as usize];
        let (name, keys, key_types, result) = (def.name.clone(), def.keys.clone(), def.key_types.clone(), def.result);
        if typed_args.len() != keys.len() {
            let usage = format!("{name}({})", keys.join(", "));
            self.argument_count(span, &name, &usage, typed_args.len());
        } else {
            for (arg, key_type) in typed_args.iter().zip(&key_types) {
                let key = Typed { expr: arg.expr.clone(), ty: *key_type, literal: true };
                if self.unify(&key, arg).is_none() {
                    self.argument_type(arg, &name, self.type_words(*key_type));
                }
            }
        }
        Typed {
            expr: Expr { kind: ExprKind::Table(table, typed_args.into_iter().map(|a| a.expr).collect()), span },
            ty: result,
            literal: false,
        }
    }
}

fn push_read(scope: &mut Scope, name: NameRef) {
    if !scope.reads.contains(&name) {
        scope.reads.push(name);
    }
}

/// The value and type of a literal; percentages are decimals.
pub fn literal_value(lit: &LitKind) -> (Value, Type) {
    match lit {
        LitKind::Int(i) => (Value::Int(*i), Type::Int),
        LitKind::Decimal(d) | LitKind::Percent(d) => (Value::Dec(*d), Type::Decimal),
        LitKind::Money(d) => (Value::Dec(*d), Type::Money),
        LitKind::Date(d) => (Value::Date(*d), Type::Date),
        LitKind::Text(t) => (Value::text(t), Type::Text),
        LitKind::Bool(b) => (Value::Bool(*b), Type::Bool),
    }
}

/// A built-in's usage as Chinese help quotes it: in backticks, its forms joined by 或, not `or`
/// (`round(x) or round(x, places)`).
fn usage_in_chinese(usage: &str) -> String {
    format!("`{}`", usage.replace(" or ", "` 或 `"))
}

fn arith_verb(op: Arith) -> (&'static str, &'static str) {
    match op {
        Arith::Add => ("相加", "add"),
        Arith::Sub => ("相减", "subtract"),
        Arith::Mul => ("相乘", "multiply"),
        Arith::Div => ("相除", "divide"),
    }
}

/// The type of `l op r`, if the operation has a meaning.
fn arith_type(op: Arith, l: &Typed, r: &Typed) -> Option<Type> {
    use Type::*;
    Some(match (op, l.ty, r.ty) {
        (_, Error, _) | (_, _, Error) => Error,
        (Arith::Add | Arith::Sub | Arith::Mul, Int, Int) => Int,
        (Arith::Add | Arith::Sub | Arith::Mul | Arith::Div, Int | Decimal, Int | Decimal) => Decimal,
        (Arith::Add | Arith::Sub, Money, Money) => Money,
        (Arith::Add | Arith::Sub, Money, Int | Decimal) if r.literal => Money,
        (Arith::Add | Arith::Sub, Int | Decimal, Money) if l.literal => Money,
        (Arith::Mul, Money, Int | Decimal) | (Arith::Mul, Int | Decimal, Money) => Money,
        (Arith::Div, Money, Int | Decimal) => Money,
        (Arith::Div, Money, Money) => Decimal,
        _ => return None,
    })
}
