//! One policy for one citizen: effective period, conditions, outputs with their exceptions.

use super::expr::{arith, Env, Result, TableHit};
use super::{Depth, EvalError, EvalErrorKind};
use crate::program::{Arith, OutputDef, PolicyDef, Type};
use crate::value::{Missing, Value};
use crate::vocabulary::{ConditionKind, OutputName, Status};
use rust_decimal::Decimal;
use std::cmp::Ordering;

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
    /// The value of each exception's condition, in order, as far as evaluated (`None`: unknown;
    /// only when tracing).
    pub exceptions: Vec<Option<bool>>,
}

/// The decision for one policy, before it is written into a report.
#[derive(Clone, Debug)]
pub struct PolicyOutcome {
    pub status: Status,
    /// One per output of the policy, in order (empty when not decided that far).
    pub outputs: Vec<OutputValue>,
    pub payable: Option<Value>,
    pub missing: Missing,
    /// Those of `missing` that could change whether the policy is granted (not only what it
    /// pays): what a policy it excludes waits on.
    pub(crate) granted_missing: Missing,
    /// The value of each condition's expression (empty when not applicable).
    pub conditions: Vec<Result<Value>>,
    /// Table rows the conditions consulted (only when tracing).
    pub condition_hits: Vec<TableHit>,
    /// Whether, once its missing facts are given, the policy may be an error (see `Env::may_fail`).
    pub(crate) may_fail: bool,
    /// The lowest and highest an unknown amount may be (`None`: unbounded), for its group.
    pub(crate) amount_bounds: [Option<Value>; 2],
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
            granted_missing: Missing::default(),
            conditions: Vec::new(),
            condition_hits: Vec::new(),
            may_fail: false,
            amount_bounds: [None, None],
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

pub fn evaluate<'p>(env: &mut Env<'p>, policy: &'p PolicyDef, depth: Depth) -> PolicyOutcome {
    let lean = depth == Depth::Lean;
    let date = env.date;
    if policy.effective_from.is_some_and(|from| date < from) || policy.effective_until.is_some_and(|until| date > until)
    {
        return PolicyOutcome::new(Status::NotApplicable);
    }
    // Each policy has its own budget of steps: a costly policy cannot starve the others.
    env.reset_steps();
    let mut outcome = PolicyOutcome::new(Status::Eligible);
    let (mut any_false, mut first_error, mut missing) = (false, None, None::<Missing>);
    env.may_fail = false;
    let trace = depth == Depth::Traced;
    if trace {
        env.hits = Some(Vec::new());
    }
    for condition in &policy.conditions {
        let value = env.eval(&condition.expr);
        match (&value, condition.kind) {
            (Ok(Value::Bool(b)), kind) => any_false |= *b != (kind == ConditionKind::Require),
            (Ok(Value::Unknown(m)), _) => missing = Some(missing.unwrap_or_default().union(m)),
            (Ok(_), _) => {}
            (Err(e), _) => EvalError::keep(&mut first_error, e.clone()),
        }
        if lean {
            // One failed condition settles the status; the others matter only to a report.
            if any_false {
                break;
            }
        } else {
            outcome.conditions.push(value);
        }
    }
    if trace {
        outcome.condition_hits = env.hits.take().unwrap_or_default();
    }
    if any_false {
        outcome.status = Status::Ineligible;
        return outcome;
    }
    // The conditions hold together as `and` does: an error that a condition still unknown could
    // settle (were it false) is not yet an error, but undetermined (see `Env::junction`).
    // An error set aside (below) may be the answer once the facts are given.
    let conditions_fail = env.may_fail || first_error.is_some();
    if let Some(error) = first_error.filter(|_| missing.is_none() || env.out_of_steps()) {
        outcome.status = Status::Error;
        outcome.error = Some(error);
        return outcome;
    }
    // Outputs are computed for undetermined policies too: a highest-amount group needs to know
    // whether an undetermined member could pay more.
    let undetermined = missing.is_some();
    outcome.outputs.reserve_exact(policy.outputs.len());
    outcome.missing = missing.unwrap_or_default();
    outcome.granted_missing = outcome.missing.clone();
    env.may_fail = false;
    for output in &policy.outputs {
        // Every output is worked out, even when only the amount is wanted (lean): an output that
        // is unknown or fails decides the status too.
        match output_value(env, output, trace) {
            Ok(value) => {
                if value.value.is_unknown() && may_leave_range(env, output) == Some(true) {
                    env.may_fail = true;
                }
                outcome.outputs.push(value)
            }
            // An error set aside for an undetermined policy, but never the step budget running
            // out: that is work left undone, and the policy is an error (robustness).
            Err(error) if undetermined && !env.out_of_steps() => {
                env.may_fail = true;
                outcome.outputs.push(OutputValue {
                    value: Value::Unknown(Missing::default()),
                    decided: Decided::Base,
                    hits: Vec::new(),
                    exceptions: Vec::new(),
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
    match payable(policy, &outcome.outputs) {
        Ok(payable) => outcome.payable = payable,
        // As an output's error: set aside while the policy is undetermined, else its answer.
        Err(_) if undetermined && !env.out_of_steps() => {
            env.may_fail = true;
            outcome.payable = Some(Value::Unknown(Missing::default()));
        }
        Err(error) => {
            outcome.status = Status::Error;
            outcome.error = Some(error);
            outcome.outputs.clear();
            return outcome;
        }
    }
    let unknown_outputs = outcome.outputs.iter().map(|o| &o.value).chain(outcome.payable.as_ref());
    for value in unknown_outputs {
        if let Value::Unknown(m) = value {
            outcome.missing.absorb(m);
        }
    }
    // Outputs that cannot fail change only what the policy pays, not whether it is granted.
    if env.may_fail {
        outcome.granted_missing = outcome.missing.clone();
    }
    outcome.may_fail = conditions_fail || env.may_fail;
    let amount = policy.outputs.iter().zip(&outcome.outputs).find(|(def, _)| def.name == OutputName::Amount);
    if let Some((def, OutputValue { value: Value::Unknown(_), .. })) = amount {
        // Whichever of its definitions applies.
        let definitions = def.base.iter().chain(def.exceptions.iter().map(|e| &e.value));
        match env.hull(definitions) {
            Ok(bounds) => outcome.amount_bounds = bounds,
            Err(error) => {
                outcome.status = Status::Error;
                outcome.error = Some(error);
                outcome.outputs.clear();
                return outcome;
            }
        }
    }
    let any_unknown = undetermined || outcome.outputs.iter().any(|o| o.value.is_unknown());
    outcome.status = if any_unknown { Status::Undetermined } else { Status::Eligible };
    outcome
}

/// Whether an amount, fee or waiver not known yet may come out of its range once the facts are
/// given (`fee = i` with `i` unbounded may be negative): it may then be an error, so whether the
/// policy is granted waits on it too.
fn may_leave_range<'p>(env: &mut Env<'p>, output: &'p OutputDef) -> Option<bool> {
    let range = money_range(&output.name, output.ty)?;
    let definitions = output.base.iter().chain(output.exceptions.iter().map(|e| &e.value));
    let [low, high] = match env.hull(definitions) {
        Ok(bounds) => bounds,
        Err(_) => return Some(true),
    };
    let within = |bound: &Option<Value>| bound.as_ref().is_some_and(|b| range.holds(b));
    Some(!(within(&low) && (range == MoneyRange::NotNegative || within(&high))))
}

/// An output's value: the exception that applies, else the base definition. Two applicable
/// exceptions that disagree are an error naming both.
fn output_value<'p>(env: &mut Env<'p>, output: &'p OutputDef, trace: bool) -> Result<OutputValue> {
    if trace {
        env.hits = Some(Vec::new());
        env.exceptions = Some(Vec::new());
    }
    let result = decide_output(env, output).and_then(|(value, decided)| {
        // A checked program's outputs always have their type; a program loaded from crafted bytes
        // may not (found by fuzzing: an amount written as a bare number): an error, never a report
        // with an amount that is not money.
        if !of_type(&value, output.ty) {
            let kind = EvalErrorKind::OutputType { output: output.name.as_str().to_string() };
            Err(EvalError::new(kind, output.span))
        } else if let Some(range) = money_range(&output.name, output.ty).filter(|r| !r.holds(&value)) {
            let kind = EvalErrorKind::MoneyOutOfRange { output: output.name.as_str().to_string(), value, range };
            Err(EvalError::new(kind, output.span))
        } else {
            Ok((value, decided))
        }
    });
    let hits = env.hits.take().unwrap_or_default();
    let exceptions = env.exceptions.take().unwrap_or_default();
    result.map(|(value, decided)| OutputValue { value, decided, hits, exceptions })
}

/// What an amount, a fee or a waiver can be: a payable below zero or above the fee has no
/// meaning. A fixed-sum waiver larger than the fee waives all of it (the payable is zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoneyRange {
    /// An amount, a fee, a fixed-sum waiver: zero or more.
    NotNegative,
    /// A waiver that is a share of the fee: 0% to 100%.
    Share,
}

impl MoneyRange {
    /// Whether `value` is within the range (an unknown value may still be).
    pub fn holds(self, value: &Value) -> bool {
        // Exactly, a ratio as well as a decimal; `None` is a value that is not a number (unknown).
        let at_least = |bound: i64| value.compare(&Value::Int(bound)).is_none_or(|o| o != Ordering::Less);
        let at_most = |bound: i64| value.compare(&Value::Int(bound)).is_none_or(|o| o != Ordering::Greater);
        match self {
            MoneyRange::NotNegative => at_least(0),
            MoneyRange::Share => at_least(0) && at_most(1),
        }
    }
}

/// The range of an output of type `ty`: amounts, fees and waivers have one, other outputs none.
pub fn money_range(name: &OutputName, ty: Type) -> Option<MoneyRange> {
    match name {
        OutputName::Amount | OutputName::Fee => Some(MoneyRange::NotNegative),
        OutputName::Waiver if ty == Type::Decimal => Some(MoneyRange::Share),
        OutputName::Waiver => Some(MoneyRange::NotNegative),
        OutputName::Named(_) => None,
    }
}

/// Whether `value` is a value of type `ty` (or unknown).
fn of_type(value: &Value, ty: Type) -> bool {
    matches!(
        (value, ty),
        (Value::Unknown(_), _)
            | (_, Type::Error)
            | (Value::Int(_), Type::Int | Type::Decimal | Type::Money)
            | (Value::Dec(_) | Value::Ratio(_), Type::Decimal | Type::Money)
            | (Value::Bool(_), Type::Bool)
            | (Value::Date(_), Type::Date)
            | (Value::Text(_), Type::Text | Type::Enum(_))
            | (Value::List(_), Type::List(_))
    )
}

fn decide_output<'p>(env: &mut Env<'p>, output: &'p OutputDef) -> Result<(Value, Decided)> {
    let (decided, _) = env.watching(|env| decide_watched(env, output));
    decided
}

/// `decide_output`, with `env.may_fail` counting from false: what this output came upon.
fn decide_watched<'p>(env: &mut Env<'p>, output: &'p OutputDef) -> Result<(Value, Decided)> {
    let mut applicable: Vec<(usize, Value)> = Vec::new();
    // Facts that could change which definition applies, or the value of one that may apply.
    let mut missing: Option<Missing> = None;
    // The values of the exceptions whose conditions are unknown.
    let mut may_apply: Vec<Result<Value>> = Vec::new();
    for (i, exception) in output.exceptions.iter().enumerate() {
        let when = env.eval(&exception.when)?;
        if let Some(seen) = env.exceptions.as_mut() {
            seen.push(match when {
                Value::Bool(b) => Some(b),
                _ => None,
            });
        }
        match when {
            Value::Bool(true) => {
                let value = env.eval(&exception.value)?;
                absorb(&mut missing, &value);
                applicable.push((i, value));
            }
            when @ Value::Unknown(_) => {
                absorb(&mut missing, &when);
                // Should it apply, its value matters too.
                let value = env.eval(&exception.value);
                if let Ok(value) = &value {
                    absorb(&mut missing, value);
                }
                may_apply.push(value);
            }
            _ => {}
        }
    }
    if let Some(mut missing) = missing {
        // Every definition that may apply giving one known value settles it whichever applies
        // (an exception that only repeats the default): its condition cannot change the answer.
        let mut values: Vec<Result<Value>> = applicable.iter().map(|(_, v)| Ok(v.clone())).collect();
        values.append(&mut may_apply);
        let exceptions = values.len();
        if applicable.is_empty() {
            let base = output.base.as_ref().map(|base| env.eval(base));
            if let Some(Ok(Value::Unknown(m))) = &base {
                missing.absorb(m);
            }
            values.push(base.unwrap_or(Ok(Value::Unknown(Missing::default()))));
        }
        let agree = |values: &[Result<Value>]| match values.first() {
            Some(Ok(first)) if !first.is_unknown() => {
                values.iter().all(|v| v.as_ref().is_ok_and(|v| v.compare(first) == Some(std::cmp::Ordering::Equal)))
            }
            _ => false,
        };
        if let Some(Ok(value)) = values.first().filter(|_| !env.may_fail && agree(&values)) {
            let decided = applicable.first().map_or(Decided::Base, |(i, _)| Decided::Exception(*i));
            return Ok((value.clone(), decided));
        }
        // Once the facts are given, a definition that may apply may fail (the usual value among
        // them), two exceptions may apply and disagree, or none apply where there is no usual value.
        let fails = values.iter().any(|v| v.is_err());
        values.truncate(exceptions);
        let fails = fails || values.len() > 1 && !agree(&values);
        if fails || output.base.is_none() && applicable.is_empty() {
            env.may_fail = true;
        }
        return Ok((Value::Unknown(missing), Decided::Base));
    }
    if let [(first, first_value), rest @ ..] = applicable.as_slice() {
        if let Some((other, other_value)) =
            rest.iter().find(|(_, v)| v.compare(first_value) != Some(std::cmp::Ordering::Equal))
        {
            let (a, b) = (&output.exceptions[*first], &output.exceptions[*other]);
            let kind = EvalErrorKind::ExceptionsDisagree {
                first: a.label.clone(),
                first_value: first_value.clone(),
                second: b.label.clone(),
                second_value: other_value.clone(),
            };
            return Err(EvalError::new(kind, b.span));
        }
        return Ok((first_value.clone(), Decided::Exception(*first)));
    }
    match &output.base {
        Some(base) => Ok((env.eval(base)?, Decided::Base)),
        None => {
            Err(EvalError::new(EvalErrorKind::NoDefinition { output: output.name.as_str().to_string() }, output.span))
        }
    }
}

fn absorb(missing: &mut Option<Missing>, value: &Value) {
    if let Value::Unknown(m) = value {
        missing.get_or_insert_with(Missing::default).absorb(m);
    }
}

/// What remains to pay after the waiver: a share of the fee, or a fixed sum, never below zero.
/// `None` for a policy without a fee; an error when it cannot be computed exactly (never a report
/// without its payable).
fn payable(policy: &PolicyDef, outputs: &[OutputValue]) -> Result<Option<Value>> {
    let find = |name: OutputName| {
        let i = policy.outputs.iter().position(|o| o.name == name)?;
        Some((&policy.outputs[i], &outputs.get(i)?.value))
    };
    let Some((_, fee)) = find(OutputName::Fee) else { return Ok(None) };
    let Some((waiver_def, waiver)) = find(OutputName::Waiver) else { return Ok(Some(fee.clone())) };
    if let Value::Unknown(m) = fee {
        let mut m = m.clone();
        if let Value::Unknown(w) = waiver {
            m.absorb(w);
        }
        return Ok(Some(Value::Unknown(m)));
    }
    if waiver.is_unknown() {
        return Ok(Some(waiver.clone()));
    }
    let reduction =
        if waiver_def.ty == Type::Decimal { arith(Arith::Mul, fee, waiver, waiver_def.span)? } else { waiver.clone() };
    let rest = arith(Arith::Sub, fee, &reduction, waiver_def.span)?;
    Ok(Some(match rest.compare(&Value::Int(0)) {
        Some(std::cmp::Ordering::Less) => Value::Dec(Decimal::ZERO),
        _ => rest,
    }))
}
