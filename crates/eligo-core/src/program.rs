//! The compiled program: every name resolved to a numbered slot, every type decided, tables
//! sorted, parameter timelines ordered. Evaluating a citizen touches slots by index only.

use crate::date::Date;
use crate::source::Span;
use crate::value::Value;
use crate::vocabulary::Text;
use crate::vocabulary::{ConditionKind, HitPolicy, OutputName, Period};
use serde::{Deserialize, Serialize};

/// The type of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Type {
    Bool,
    Int,
    Decimal,
    Money,
    Date,
    Text,
    /// One of a fixed set of texts (index into `Program::enums`).
    Enum(u32),
    /// A list of records.
    List(u32),
    /// The type of an expression that already has an error: accepted everywhere, so that one
    /// mistake is reported once.
    Error,
}

impl Type {
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Decimal | Type::Money)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumOption {
    pub value: String,
    pub en: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnumDef {
    pub options: Vec<EnumOption>,
}

/// An input, or a field of a record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InputDef {
    pub name: String,
    pub ty: Type,
    pub label: Option<Text>,
    pub question: Option<Text>,
    pub hint: Option<Text>,
    pub min: Option<Value>,
    pub max: Option<Value>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordDef {
    pub name: String,
    pub label: Option<Text>,
    pub fields: Vec<InputDef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub citation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A citation in the binary form of a program: every field, since the form has no names to leave
/// a missing one out by (the report's JSON leaves out a missing url).
mod citation {
    use super::Citation;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(source: &Option<Citation>, s: S) -> Result<S::Ok, S::Error> {
        source.as_ref().map(|c| (&c.citation, &c.url)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Citation>, D::Error> {
        Ok(Option::<(String, Option<String>)>::deserialize(d)?.map(|(citation, url)| Citation { citation, url }))
    }
}

/// One value of a parameter and the days it is in force (both ends included).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Dated {
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ParamDef {
    pub name: String,
    pub ty: Type,
    /// Ordered by `from`, oldest first.
    pub timeline: Vec<Dated>,
    pub label: Option<Text>,
    #[serde(with = "citation")]
    pub source: Option<Citation>,
    pub span: Span,
}

impl ParamDef {
    /// The entry in force on `date`, if any.
    pub fn at(&self, date: Date) -> Option<&Dated> {
        let after = self.timeline.partition_point(|d| d.from.is_none_or(|from| from <= date));
        let entry = self.timeline.get(after.checked_sub(1)?)?;
        entry.until.is_none_or(|until| date <= until).then_some(entry)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LetDef {
    pub name: String,
    pub ty: Type,
    pub expr: Expr,
    pub label: Option<Text>,
    pub span: Span,
}

/// What a table cell matches.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Match {
    Any,
    Equal(Value),
    /// `low..high` with `high` excluded when `high_open`.
    Band {
        low: Option<Value>,
        high: Option<Value>,
        high_open: bool,
    },
}

impl Match {
    /// Whether `value` matches: bands include both ends unless the upper one is open.
    pub fn contains(&self, value: &Value) -> bool {
        use std::cmp::Ordering;
        match self {
            Match::Any => true,
            Match::Equal(v) => value.compare(v) == Some(Ordering::Equal),
            Match::Band { low, high, high_open } => {
                let above_low = low.as_ref().is_none_or(|l| value.compare(l).is_some_and(|o| o != Ordering::Less));
                let below_high = high.as_ref().is_none_or(|h| match value.compare(h) {
                    Some(Ordering::Less) => true,
                    Some(Ordering::Equal) => !high_open,
                    _ => false,
                });
                above_low && below_high
            }
        }
    }

    /// Whether some value could match both (a `unique` table's rows may not overlap).
    pub fn overlaps(&self, other: &Match) -> bool {
        use std::cmp::Ordering;
        // Whether a band starting at `low` starts before a band ending at `high` ends.
        let below_end = |low: &Option<Value>, high: &Option<Value>, high_open: bool| match (low, high) {
            (Some(low), Some(high)) => match low.compare(high) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => !high_open,
                _ => false,
            },
            _ => true,
        };
        match (self, other) {
            (Match::Any, _) | (_, Match::Any) => true,
            (Match::Equal(x), Match::Equal(y)) => x.compare(y).map_or(x == y, |o| o == Ordering::Equal),
            (Match::Equal(v), band @ Match::Band { .. }) | (band @ Match::Band { .. }, Match::Equal(v)) => {
                band.contains(v)
            }
            (Match::Band { low: l1, high: h1, high_open: o1 }, Match::Band { low: l2, high: h2, high_open: o2 }) => {
                below_end(l2, h1, *o1) && below_end(l1, h2, *o2)
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RowDef {
    pub cells: Vec<Match>,
    pub value: Expr,
    /// The row as written, for traces: `65..69`.
    pub text: String,
    pub span: Span,
}

impl RowDef {
    /// Whether some key could match both rows.
    pub fn overlaps(&self, other: &RowDef) -> bool {
        self.cells.iter().zip(&other.cells).all(|(a, b)| a.overlaps(b))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableDef {
    pub name: String,
    pub keys: Vec<String>,
    pub key_types: Vec<Type>,
    pub result: Type,
    pub hit: HitPolicy,
    pub rows: Vec<RowDef>,
    pub otherwise: Option<RowDef>,
    pub label: Option<Text>,
    #[serde(with = "citation")]
    pub source: Option<Citation>,
    pub span: Span,
}

/// A name a condition or output reads, shown with its value in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NameRef {
    Input(u32),
    Param(u32),
    Let(u32),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConditionDef {
    pub kind: ConditionKind,
    pub expr: Expr,
    pub label: Text,
    pub reads: Vec<NameRef>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExceptionDef {
    pub label: Text,
    pub when: Expr,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutputDef {
    pub name: OutputName,
    pub ty: Type,
    pub period: Option<Period>,
    pub base: Option<Expr>,
    pub exceptions: Vec<ExceptionDef>,
    pub label: Option<Text>,
    pub reads: Vec<NameRef>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PolicyDef {
    pub id: String,
    pub title: Text,
    #[serde(with = "citation")]
    pub source: Option<Citation>,
    pub effective_from: Option<Date>,
    pub effective_until: Option<Date>,
    pub conditions: Vec<ConditionDef>,
    pub outputs: Vec<OutputDef>,
    /// Policies this one excludes: when this one is granted, they are not.
    pub excludes: Vec<u32>,
    pub span: Span,
}

impl PolicyDef {
    pub fn output(&self, name: &OutputName) -> Option<&OutputDef> {
        self.outputs.iter().find(|o| &o.name == name)
    }
}

/// Policies of which only the one with the highest amount is granted (就高不就低).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GroupDef {
    pub name: String,
    pub title: Option<Text>,
    pub members: Vec<u32>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ListOp {
    Count,
    Sum,
    Any,
    All,
    Filter,
    Min,
    Max,
}

/// A built-in function: its name, signature, usage text and evaluation are its entry in
/// [`crate::builtins::BUILTINS`], in the same order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Builtin {
    Age,
    MonthsBetween,
    CalendarMonths,
    DaysBetween,
    AddDays,
    AddMonths,
    AddYears,
    StartOfMonth,
    EndOfMonth,
    Year,
    Month,
    Day,
    MakeDate,
    Min,
    Max,
    Round,
    Floor,
    Ceil,
    Abs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// Deserialised in `precompiled`, where the depth of a tree read from bytes is bounded.
#[derive(Clone, Debug, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ExprKind {
    Const(Value),
    Input(u32),
    Param(u32),
    Let(u32),
    /// A field of the list item being visited (the innermost list operation).
    Field(u32),
    Today,
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Compare, Box<Expr>, Box<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Vec<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Builtin, Vec<Expr>),
    List(ListOp, Box<Expr>, Option<Box<Expr>>),
    Table(u32, Vec<Expr>),
}

/// A compiled rule set.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Program {
    pub id: String,
    pub title: Text,
    pub enums: Vec<EnumDef>,
    pub records: Vec<RecordDef>,
    pub inputs: Vec<InputDef>,
    /// Each input's value when it is missing, made once: reading a citizen with gaps then
    /// allocates nothing for them.
    pub unknown_inputs: Vec<Value>,
    pub params: Vec<ParamDef>,
    pub lets: Vec<LetDef>,
    /// The order in which definitions are evaluated: each after those it reads.
    pub let_order: Vec<u32>,
    pub tables: Vec<TableDef>,
    pub policies: Vec<PolicyDef>,
    pub groups: Vec<GroupDef>,
    /// The order in which exclusions and groups are settled: a policy after those that exclude it.
    pub relation_order: Vec<u32>,
    /// For each policy, the policies that exclude it (each once, in the order of the policies):
    /// gathered once here, not looked for among all policies on every evaluation.
    pub excluders: Vec<Vec<u32>>,
    pub sources: crate::source::Sources,
}

impl Program {
    pub fn name_of(&self, name: NameRef) -> &str {
        match name {
            NameRef::Input(i) => &self.inputs[i as usize].name,
            NameRef::Param(i) => &self.params[i as usize].name,
            NameRef::Let(i) => &self.lets[i as usize].name,
        }
    }

    pub fn policy_index(&self, id: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.id == id)
    }
}
