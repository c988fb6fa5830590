//! Evaluation: program + facts + date → report. Definitions are computed once, each policy is
//! decided on its own (an error in one never stops the others), then exclusions and
//! highest-amount groups are settled, and the report is written.

pub mod expr;
mod policy;
mod relations;
mod report;

use crate::date::Date;
use crate::limits::MAX_REPORTED_MISSING;
use crate::program::{ListOp, Program};
pub use crate::report::money;
use crate::source::Span;
use crate::value::Value;
use crate::vocabulary::{Lang, Status, Text};
pub use expr::{OnDate, TableHit};
pub use policy::{money_range, Decided, MoneyRange, PolicyOutcome};
pub use report::{fact_path, location};

/// Why a policy could not be evaluated for this citizen, and where in the rules. Its message is
/// rendered in the report's language ([`EvalErrorKind::message`]).
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// Boxed: results of every expression carry this error type, and errors are rare.
    pub kind: Box<EvalErrorKind>,
    pub span: Span,
}

impl EvalError {
    pub fn new(kind: EvalErrorKind, span: Span) -> EvalError {
        EvalError { kind: Box::new(kind), span }
    }

    /// One of the engine's limits (a number too large to compute exactly, the step budget), not
    /// an answer of the language: the part it stopped may have settled whatever else failed.
    pub fn is_limit(&self) -> bool {
        matches!(
            *self.kind,
            EvalErrorKind::Overflow | EvalErrorKind::StepsExceeded { .. } | EvalErrorKind::SharedStepsExceeded { .. }
        )
    }

    /// Of two errors of parts that could settle each other (the sides of `and`, the branches of
    /// an `if`, the conditions of a policy), the one reported: the first in reading order, unless
    /// the later one is a limit, whose part, computed, might have settled the first away (found by
    /// the differential run: `1 / 0 == 1 and <overflow>` was reported as a division by zero,
    /// where the language may give false).
    pub fn or_limit(self, later: EvalError) -> EvalError {
        if later.is_limit() && !self.is_limit() {
            later
        } else {
            self
        }
    }

    /// `or_limit` into the first error kept so far.
    pub fn keep(first: &mut Option<EvalError>, error: EvalError) {
        *first = Some(match first.take() {
            Some(first) => first.or_limit(error),
            None => error,
        });
    }
}

/// The causes of an [`EvalError`], with what a message names.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalErrorKind {
    /// The evaluation date is before the parameter's first value.
    ParamNotYetInForce {
        param: String,
        date: Date,
        first: Date,
    },
    /// The evaluation date is after the parameter's last value ended.
    ParamEnded {
        param: String,
        date: Date,
    },
    /// The examples of a rule set, together, took more than their shared budget of steps.
    SharedStepsExceeded {
        limit: u64,
    },
    /// One citizen's evaluation took more than its budget of steps.
    StepsExceeded {
        limit: u64,
    },
    /// A field read outside a list operation (only in a program from damaged bytes).
    FieldOutsideList,
    /// A condition that is neither true, false nor unknown.
    NotABool {
        value: Value,
    },
    /// `min` or `max` of an empty list.
    EmptyList {
        op: ListOp,
    },
    /// No row of a table without `otherwise` matches the keys.
    NoTableRow {
        table: String,
        keys: Vec<(String, Value)>,
    },
    Overflow,
    NotNumbers,
    DivisionByZero,
    BuiltinArguments,
    DateOutOfRange,
    NotADate {
        year: i64,
        month: i64,
        day: i64,
    },
    DecimalPlaces,
    /// An output's value is not of the output's type.
    OutputType {
        output: String,
    },
    /// Two exceptions apply to an output and give different values.
    ExceptionsDisagree {
        first: Text,
        first_value: Value,
        second: Text,
        second_value: Value,
    },
    /// An amount, fee or waiver outside what it can be (see [`money_range`]), from the data.
    MoneyOutOfRange {
        output: String,
        value: Value,
        range: MoneyRange,
    },
    /// No exception applies and the output has no base definition.
    NoDefinition {
        output: String,
    },
    /// More missing facts than a report names in all.
    TooManyMissing {
        limit: usize,
    },
    /// An exclusion or group could not be settled within its work.
    Unsettled {
        relation: Relation,
    },
}

/// The relation an [`EvalErrorKind::Unsettled`] names.
#[derive(Clone, Debug, PartialEq)]
pub enum Relation {
    /// A highest-amount group, by name.
    Group(String),
    /// An exclusion, by the id of the policy that excludes.
    ExcludedBy(String),
}

/// What the caller wants in the report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub lang: Lang,
    /// Explanations cost time and bytes: ask for them when they are shown.
    pub trace: bool,
}

/// How much of each policy's decision is worked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Status and amount only: stop at the first condition that fails; no condition kept for a report.
    Lean,
    /// Everything a report shows: each condition, every output, the missing facts.
    Full,
    /// `Full`, and the table rows behind each output and the conditions, and the value of each
    /// exception's condition: for the trace, and what `eligo test --coverage` counts.
    Traced,
}

/// Decides every policy for one citizen on `date`: the decisions, before any report is written.
pub fn decide(program: &Program, facts: &[Value], date: Date) -> Vec<PolicyOutcome> {
    let on = OnDate::new(program, date);
    decide_in(&mut expr::Env::new(program, &on, facts), Depth::Full)
}

/// `decide`, sharing one `MAX_EVALUATION_STEPS` with the evaluations before it, which took
/// `spent` steps (updated): the examples of a rule set run within one budget, so that a file of
/// hundreds of heavy examples cannot make `eligo test` or the playground hang (robustness).
pub fn decide_after(program: &Program, facts: &[Value], date: Date, spent: &mut u64) -> Vec<PolicyOutcome> {
    let on = OnDate::new(program, date);
    let mut env = expr::Env::after(program, &on, facts, *spent);
    let outcomes = decide_in(&mut env, Depth::Full);
    *spent = env.spent();
    outcomes
}

/// `decide_after` at `Depth::Traced`, with the table rows the definitions (`let`) reached: the
/// decisions `eligo test --coverage` counts what the examples reached from.
pub fn decide_traced_after(
    program: &Program,
    facts: &[Value],
    date: Date,
    spent: &mut u64,
) -> (Vec<PolicyOutcome>, Vec<TableHit>) {
    let on = OnDate::new(program, date);
    let mut env = expr::Env::traced(program, &on, facts, *spent);
    let outcomes = decide_in(&mut env, Depth::Traced);
    *spent = env.spent();
    (outcomes, std::mem::take(&mut env.let_hits))
}

/// Decides every policy for one citizen, on a date whose parameters are already resolved.
pub fn decide_on(program: &Program, on: &OnDate, facts: &[Value], depth: Depth) -> Vec<PolicyOutcome> {
    decide_in(&mut expr::Env::new(program, on, facts), depth)
}

/// `decide_on` into `outcomes` (emptied first): screening many citizens reuses one vector.
pub fn decide_into(program: &Program, on: &OnDate, facts: &[Value], depth: Depth, outcomes: &mut Vec<PolicyOutcome>) {
    outcomes.clear();
    decide_all(&mut expr::Env::new(program, on, facts), depth, outcomes);
}

fn decide_in(env: &mut expr::Env, depth: Depth) -> Vec<PolicyOutcome> {
    let mut outcomes = Vec::with_capacity(env.program.policies.len());
    decide_all(env, depth, &mut outcomes);
    outcomes
}

fn decide_all(env: &mut expr::Env, depth: Depth, outcomes: &mut Vec<PolicyOutcome>) {
    let program = env.program;
    outcomes.extend(program.policies.iter().map(|policy| policy::evaluate(env, policy, depth)));
    relations::settle(program, outcomes);
    let mut named = 0;
    for (policy, outcome) in program.policies.iter().zip(outcomes.iter_mut()) {
        if outcome.status != Status::Undetermined {
            continue;
        }
        named += outcome.missing.keys().len();
        if named > MAX_REPORTED_MISSING {
            outcome.status = Status::Error;
            outcome.missing = crate::value::Missing::default();
            outcome.error =
                Some(EvalError::new(EvalErrorKind::TooManyMissing { limit: MAX_REPORTED_MISSING }, policy.span));
        }
    }
}

/// Evaluates one citizen into a full report.
pub fn evaluate(program: &Program, facts: &[Value], date: Date, options: Options) -> crate::report::Report {
    let on = OnDate::new(program, date);
    let mut env = expr::Env::new(program, &on, facts);
    let outcomes = decide_in(&mut env, if options.trace { Depth::Traced } else { Depth::Full });
    report::write(&env, &outcomes, options)
}

/// A share (of a fee) as people write it: 1.5 is 150%.
pub fn display_share(value: &Value) -> String {
    match value.as_decimal().and_then(|d| d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED)) {
        Some(share) => format!("{}%", share.normalize()),
        None => display(value),
    }
}

/// A value as a person reads it in a message.
pub fn display(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Dec(d) => d.normalize().to_string(),
        // Rounded to what a decimal holds, marked as not the whole of it.
        Value::Ratio(r) => format!("{}…", r.to_decimal(crate::number::MAX_PLACES)),
        Value::Date(d) => d.to_string(),
        Value::Text(t) => format!("\"{t}\""),
        Value::List(items) => format!("{} items", items.len()),
        Value::Unknown(_) => "unknown".into(),
    }
}
