//! One policy for one citizen: effective period, conditions, outputs with their exceptions.

use super::expr::{arith, Env, Result, TableHit};
use super::value::{Missing, Value};
use super::EvalError;
use crate::ast::{ConditionKind, OutputName, Status};
use crate::program::{Arith, OutputDef, PolicyDef, Type};
use rust_decimal::Decimal;

/// What gave an output its value.
#[derive(Clone, Debug)]
pub enum Decided {
    Base,
    Exception(usize),
}

#[derive(Clone, Debug)]
pub struct OutputValue {
    pub value: Value,
    pub decided: Decided,
    /// Table rows consulted (only when tracing).
    pub hits: Vec<TableHit>,
}

/// The decision for one policy, before it is written into a report.
#[derive(Clone, Debug)]
pub struct PolicyOutcome {
    pub status: Status,
    /// One per output of the policy, in order (empty when not decided that far).
    pub outputs: Vec<OutputValue>,
    pub payable: Option<Value>,
    pub missing: Missing,
    /// The value of each condition's expression (empty when not applicable).
    pub conditions: Vec<Result<Value>>,
    /// The policy granted instead of this one.
    pub excluded_by: Option<u32>,
    pub error: Option<EvalError>,
}

impl PolicyOutcome {
    fn new(status: Status) -> PolicyOutcome {
        PolicyOutcome {
            status,
            outputs: Vec::new(),
            payable: None,
            missing: Missing::default(),
            conditions: Vec::new(),
            excluded_by: None,
            error: None,
        }
    }

    /// The value of the `amount` output, if decided.
    pub fn amount(&self, policy: &PolicyDef) -> Option<&Value> {
        let index = policy.outputs.iter().position(|o| o.name == OutputName::Amount)?;
        self.outputs.get(index).map(|o| &o.value)
    }
}

pub fn evaluate(env: &mut Env, policy: &PolicyDef, trace: bool) -> PolicyOutcome {
    let date = env.date;
    if policy.effective_from.is_some_and(|from| date < from) || policy.effective_until.is_some_and(|until| date > until)
    {
        return PolicyOutcome::new(Status::NotApplicable);
    }
    let mut outcome = PolicyOutcome::new(Status::Eligible);
    let (mut any_false, mut first_error, mut missing) = (false, None, None::<Missing>);
    for condition in &policy.conditions {
        let value = env.eval(&condition.expr);
        match (&value, condition.kind) {
            (Ok(Value::Bool(b)), kind) => any_false |= *b != (kind == ConditionKind::Require),
            (Ok(Value::Unknown(m)), _) => missing = Some(missing.unwrap_or_default().union(m)),
            (Ok(_), _) => {}
            (Err(e), _) => {
                first_error.get_or_insert_with(|| e.clone());
            }
        }
        outcome.conditions.push(value);
    }
    if any_false {
        outcome.status = Status::Ineligible;
        return outcome;
    }
    if let Some(error) = first_error {
        outcome.status = Status::Error;
        outcome.error = Some(error);
        return outcome;
    }
    // Outputs are computed for undetermined policies too: a highest-amount group needs to know
    // whether an undetermined member could pay more.
    let undetermined = missing.is_some();
    outcome.missing = missing.unwrap_or_default();
    for output in &policy.outputs {
        match output_value(env, output, trace) {
            Ok(value) => outcome.outputs.push(value),
            Err(error) if undetermined => {
                outcome.outputs.push(OutputValue {
                    value: Value::Unknown(Missing::default()),
                    decided: Decided::Base,
                    hits: Vec::new(),
                });
                let _ = error;
            }
            Err(error) => {
                outcome.status = Status::Error;
                outcome.error = Some(error);
                outcome.outputs.clear();
                return outcome;
            }
        }
    }
    outcome.payable = payable(policy, &outcome.outputs);
    let unknown_outputs = outcome.outputs.iter().map(|o| &o.value).chain(outcome.payable.as_ref());
    for value in unknown_outputs {
        if let Value::Unknown(m) = value {
            outcome.missing.absorb(m);
        }
    }
    let any_unknown = undetermined || outcome.outputs.iter().any(|o| o.value.is_unknown());
    outcome.status = if any_unknown { Status::Undetermined } else { Status::Eligible };
    outcome
}

/// An output's value: the exception that applies, else the base definition. Two applicable
/// exceptions that disagree are an error naming both.
fn output_value(env: &mut Env, output: &OutputDef, trace: bool) -> Result<OutputValue> {
    if trace {
        env.hits = Some(Vec::new());
    }
    let result = decide_output(env, output);
    let hits = env.hits.take().unwrap_or_default();
    result.map(|(value, decided)| OutputValue { value, decided, hits })
}

fn decide_output(env: &mut Env, output: &OutputDef) -> Result<(Value, Decided)> {
    let mut applicable: Vec<(usize, Value)> = Vec::new();
    let mut unknown: Option<Missing> = None;
    for (i, exception) in output.exceptions.iter().enumerate() {
        match env.eval(&exception.when)? {
            Value::Bool(true) => {
                let value = env.eval(&exception.value)?;
                if let Some((first, first_value)) = applicable.first() {
                    if value.compare(first_value) != Some(std::cmp::Ordering::Equal) && !value.is_unknown() {
                        let a = &output.exceptions[*first];
                        return Err(EvalError {
                            message: format!(
                                "two exceptions apply and disagree: \"{}\" gives {} but \"{}\" gives {}",
                                a.label.zh,
                                super::display(first_value),
                                exception.label.zh,
                                super::display(&value)
                            ),
                            span: exception.span,
                        });
                    }
                }
                applicable.push((i, value));
            }
            Value::Unknown(m) => unknown = Some(unknown.unwrap_or_default().union(&m)),
            _ => {}
        }
    }
    if let Some(missing) = unknown {
        return Ok((Value::Unknown(missing), Decided::Base));
    }
    if let Some((i, value)) = applicable.into_iter().next() {
        return Ok((value, Decided::Exception(i)));
    }
    match &output.base {
        Some(base) => Ok((env.eval(base)?, Decided::Base)),
        None => Err(EvalError {
            message: format!("no definition of `{}` applies", output.name.as_str()),
            span: output.span,
        }),
    }
}

/// What remains to pay after the waiver: a share of the fee, or a fixed sum, never below zero.
fn payable(policy: &PolicyDef, outputs: &[OutputValue]) -> Option<Value> {
    let find = |name: OutputName| {
        let i = policy.outputs.iter().position(|o| o.name == name)?;
        Some((&policy.outputs[i], &outputs.get(i)?.value))
    };
    let (_, fee) = find(OutputName::Fee)?;
    let Some((waiver_def, waiver)) = find(OutputName::Waiver) else { return Some(fee.clone()) };
    if let Value::Unknown(m) = fee {
        let mut m = m.clone();
        if let Value::Unknown(w) = waiver {
            m.absorb(w);
        }
        return Some(Value::Unknown(m));
    }
    if waiver.is_unknown() {
        return Some(waiver.clone());
    }
    let reduction = if waiver_def.ty == Type::Decimal {
        arith(Arith::Mul, fee, waiver, waiver_def.span).ok()?
    } else {
        waiver.clone()
    };
    let rest = arith(Arith::Sub, fee, &reduction, waiver_def.span).ok()?;
    Some(match rest.as_decimal() {
        Some(d) if d < Decimal::ZERO => Value::Dec(Decimal::ZERO),
        _ => rest,
    })
}
