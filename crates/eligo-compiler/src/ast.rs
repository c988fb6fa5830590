//! The abstract syntax tree of rule files. Every node carries its span; no pest type appears here.

use eligo_core::date::Date;
use eligo_core::source::Span;
/// The vocabulary the AST shares with the runtime.
pub use eligo_core::vocabulary::{ConditionKind, HitPolicy, OutputName, Period, Status};
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A text in Chinese with its optional English: `"年满65周岁" en "Aged 65 or over"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub zh: String,
    pub en: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Ruleset(RulesetDecl),
    Record(RecordDecl),
    Input(InputDecl),
    Param(ParamDecl),
    Let(LetDecl),
    Table(TableDecl),
    Policy(PolicyDecl),
    Group(GroupDecl),
    Example(ExampleDecl),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RulesetDecl {
    pub name: Ident,
    pub title: Text,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `int`, `money`, … or the name of a record.
    Named(Ident),
    /// `list of member`
    ListOf(Ident, Span),
    /// `one of "视力" en "visual", "听力" en "hearing"`
    OneOf(Vec<EnumOption>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(id) => id.span,
            TypeExpr::ListOf(_, span) | TypeExpr::OneOf(_, span) => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumOption {
    pub value: String,
    pub en: Option<String>,
    pub span: Span,
}

/// An input, or a field of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct InputDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub label: Option<Text>,
    pub question: Option<Text>,
    pub hint: Option<Text>,
    pub min: Option<Literal>,
    pub max: Option<Literal>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    pub name: Ident,
    pub label: Option<Text>,
    pub fields: Vec<InputDecl>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub citation: String,
    pub url: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub values: Vec<ParamValue>,
    pub label: Option<Text>,
    pub source: Option<Source>,
    pub span: Span,
}

/// `1450 from 2024-07-01`, `30% from 2023-01-01 until 2025-12-31`, or a plain `5.5%`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamValue {
    pub value: Literal,
    pub from: Option<DateLit>,
    pub until: Option<DateLit>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DateLit {
    pub date: Date,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub label: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableDecl {
    pub name: Ident,
    pub keys: Vec<TableKey>,
    pub result: TypeExpr,
    pub hit: HitPolicy,
    pub label: Option<Text>,
    pub source: Option<Source>,
    pub rows: Vec<TableRow>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableKey {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// Empty for the `otherwise` row.
    pub cells: Vec<Cell>,
    pub otherwise: bool,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub kind: CellKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CellKind {
    /// `_`: any value.
    Any,
    /// `"低保"`, `1`
    Value(Literal),
    /// `65..69` (both ends in), `100..`, `..64`, `0..<1.5` (upper end out)
    Band { low: Option<Literal>, high: Option<Literal>, high_open: bool },
}

#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDecl {
    pub name: Ident,
    pub title: Text,
    pub source: Option<Source>,
    pub effective: Option<Effective>,
    pub conditions: Vec<Condition>,
    pub outputs: Vec<OutputDef>,
    pub exceptions: Vec<Exception>,
    pub excludes: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    pub from: Option<DateLit>,
    pub until: Option<DateLit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub kind: ConditionKind,
    pub expr: Expr,
    pub label: Text,
    pub span: Span,
}

/// `amount monthly = …`, `fee = …`, `waiver = …`, `output 月数 = …`
#[derive(Clone, Debug, PartialEq)]
pub struct OutputDef {
    pub name: OutputName,
    pub name_span: Span,
    pub period: Option<Period>,
    pub value: Expr,
    pub label: Option<Text>,
    pub span: Span,
}

/// `exception "一级残疾" when 残疾等级 == 1 then amount = 350`
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    pub label: Text,
    pub when: Expr,
    pub target: OutputName,
    pub target_span: Span,
    pub value: Expr,
    pub span: Span,
}

/// `group 择高 "就高不就低" highest of a, b`
#[derive(Clone, Debug, PartialEq)]
pub struct GroupDecl {
    pub name: Ident,
    pub title: Option<Text>,
    pub members: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExampleDecl {
    pub name: String,
    pub date: DateLit,
    pub given: Vec<Binding>,
    pub expects: Vec<Expectation>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: Ident,
    pub value: DataValue,
    pub span: Span,
}

/// Citizen data written in an example.
#[derive(Clone, Debug, PartialEq)]
pub enum DataValue {
    Literal(Literal),
    List(Vec<DataValue>, Span),
    Record(Vec<Binding>, Span),
    Missing(Span),
}

impl DataValue {
    pub fn span(&self) -> Span {
        match self {
            DataValue::Literal(lit) => lit.span,
            DataValue::List(_, span) | DataValue::Record(_, span) | DataValue::Missing(span) => *span,
        }
    }
}

/// `expect elderly_allowance eligible, amount = 75`
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub policy: Ident,
    pub status: Status,
    pub checks: Vec<Check>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    Missing(Vec<FactPath>, Span),
    Payable(Literal),
    Output(OutputName, Span, Literal),
}

/// `birth_date` or `household[0].monthly_income`
#[derive(Clone, Debug, PartialEq)]
pub struct FactPath {
    pub input: Ident,
    pub item: Option<(u32, Ident)>,
    pub span: Span,
}

impl FactPath {
    pub fn render(&self) -> String {
        match &self.item {
            None => self.input.name.clone(),
            Some((index, field)) => format!("{}[{}].{}", self.input.name, index, field.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LitKind {
    Int(i64),
    Decimal(Decimal),
    /// `1450元`
    Money(Decimal),
    /// `30%`, kept as the fraction 0.30.
    Percent(Decimal),
    Date(Date),
    Text(String),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(LitKind),
    Name(String),
    Today,
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Ident, Vec<Expr>),
    List(Vec<Expr>),
}

impl Expr {
    /// The depth of the tree, measured without recursion.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1)];
        while let Some((expr, depth)) = stack.pop() {
            deepest = deepest.max(depth);
            match &expr.kind {
                ExprKind::Unary(_, e) => stack.push((e, depth + 1)),
                ExprKind::Binary(_, a, b) => stack.extend([(&**a, depth + 1), (&**b, depth + 1)]),
                ExprKind::If(a, b, c) => stack.extend([(&**a, depth + 1), (&**b, depth + 1), (&**c, depth + 1)]),
                ExprKind::Call(_, args) | ExprKind::List(args) => stack.extend(args.iter().map(|a| (a, depth + 1))),
                ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Today => {}
            }
        }
        deepest
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}
impl From<&Text> for eligo_core::vocabulary::Text {
    fn from(text: &Text) -> eligo_core::vocabulary::Text {
        eligo_core::vocabulary::Text { zh: text.zh.clone(), en: text.en.clone() }
    }
}
