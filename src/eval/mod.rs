//! Evaluation: program + facts + date → report. Definitions are computed once, each policy is
//! decided on its own (an error in one never stops the others), then exclusions and
//! highest-amount groups are settled, and the report is written.

pub mod expr;
mod policy;
mod relations;
mod report;
pub mod value;

use crate::ast::Status;
use crate::date::Date;
use crate::program::{Lang, Program};
use crate::source::Span;
pub use policy::{Decided, PolicyOutcome};
pub use report::{fact_path, location, money, to_json};
use value::Value;

/// Why a policy could not be evaluated for this citizen.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

/// What the caller wants in the report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub lang: Lang,
    /// Explanations cost time and bytes: ask for them when they are shown.
    pub trace: bool,
}

/// Decides every policy for one citizen: the lean result, before any report is written.
pub fn decide(program: &Program, facts: &[Value], date: Date) -> Vec<PolicyOutcome> {
    decide_in(&mut expr::Env::new(program, facts, date), false)
}

fn decide_in(env: &mut expr::Env, trace: bool) -> Vec<PolicyOutcome> {
    let program = env.program;
    let mut outcomes: Vec<PolicyOutcome> =
        program.policies.iter().map(|policy| policy::evaluate(env, policy, trace)).collect();
    relations::settle(program, &mut outcomes);
    outcomes
}

/// Evaluates one citizen into a full report.
pub fn evaluate(program: &Program, facts: &[Value], date: Date, options: Options) -> crate::report::Report {
    let mut env = expr::Env::new(program, facts, date);
    let outcomes = decide_in(&mut env, options.trace);
    report::write(&env, &outcomes, options)
}

/// A value as a person reads it in a message.
pub fn display(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Dec(d) => d.normalize().to_string(),
        Value::Date(d) => d.to_string(),
        Value::Text(t) => format!("\"{t}\""),
        Value::List(items) => format!("{} items", items.len()),
        Value::Unknown(_) => "unknown".into(),
    }
}

impl PolicyOutcome {
    pub fn status(&self) -> Status {
        self.status
    }
}
