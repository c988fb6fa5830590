//! Expressions under three-valued logic. An unknown operand makes the result unknown, carrying
//! the union of the missing facts, except where the known operands already decide the answer
//! (`false and unknown` is false, `true or unknown` is true).

use super::{EvalError, EvalErrorKind};
use crate::date::Date;
use crate::limits::{MAX_EVALUATION_STEPS, MAX_STEPS};
use crate::program::{Arith, Compare, Expr, ExprKind, ListOp, Program, TableDef};
use crate::source::Span;
use crate::value::{Item, Missing, Value};
use crate::vocabulary::HitPolicy;
use std::cmp::Ordering;
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, EvalError>;

/// A table row that decided a value, for the trace.
#[derive(Clone, Debug)]
pub struct TableHit {
    pub table: u32,
    /// The row's index, or `None` for the `otherwise` row.
    pub row: Option<usize>,
}

/// The parameters in force on one date: resolved once, shared by every citizen evaluated on it.
#[derive(Clone, Debug)]
pub struct OnDate {
    pub date: Date,
    pub params: Vec<Result<Value>>,
}

impl OnDate {
    pub fn new(program: &Program, date: Date) -> OnDate {
        let params = program
            .params
            .iter()
            .map(|param| match param.at(date) {
                Some(entry) => Ok(entry.value.clone()),
                None => {
                    let kind = match param.timeline.first().and_then(|d| d.from) {
                        Some(first) if date < first => {
                            EvalErrorKind::ParamNotYetInForce { param: param.name.clone(), date, first }
                        }
                        _ => EvalErrorKind::ParamEnded { param: param.name.clone(), date },
                    };
                    Err(EvalError::new(kind, param.span))
                }
            })
            .collect();
        OnDate { date, params }
    }
}

/// Everything an expression can read during one evaluation.
pub struct Env<'p> {
    pub program: &'p Program,
    pub facts: &'p [Value],
    pub date: Date,
    pub params: &'p [Result<Value>],
    pub lets: Vec<Result<Value>>,
    items: Vec<Item>,
    steps: u64,
    /// The steps this policy may take: `MAX_STEPS`, or what is left of `MAX_EVALUATION_STEPS`.
    budget: u64,
    /// Steps taken by the policies before this one (and the definitions).
    spent: u64,
    /// Set while evaluating what a trace must explain.
    pub hits: Option<Vec<TableHit>>,
}

impl<'p> Env<'p> {
    /// Evaluates every definition for this citizen, each once, in dependency order.
    pub fn new(program: &'p Program, on: &'p OnDate, facts: &'p [Value]) -> Env<'p> {
        Env::after(program, on, facts, 0)
    }

    /// `new`, for an evaluation that shares its `MAX_EVALUATION_STEPS` with evaluations before it
    /// which took `spent` steps (the examples of a rule set, run together).
    pub fn after(program: &'p Program, on: &'p OnDate, facts: &'p [Value], spent: u64) -> Env<'p> {
        let mut env = Env {
            program,
            facts,
            date: on.date,
            params: &on.params,
            lets: Vec::new(),
            items: Vec::new(),
            steps: 0,
            budget: MAX_STEPS.min(MAX_EVALUATION_STEPS.saturating_sub(spent)),
            spent,
            hits: None,
        };
        crate::value::take_union_work();
        if !program.lets.is_empty() {
            env.lets = vec![Ok(Value::Bool(false)); program.lets.len()];
            for &i in &program.let_order {
                let value = env.eval(&program.lets[i as usize].expr);
                env.lets[i as usize] = value;
            }
        }
        env
    }

    pub fn reset_steps(&mut self) {
        self.spent += self.steps + crate::value::take_union_work();
        self.steps = 0;
        self.budget = MAX_STEPS.min(MAX_EVALUATION_STEPS.saturating_sub(self.spent));
    }

    /// The steps taken so far, with those of the evaluations before (see `after`).
    pub fn spent(&self) -> u64 {
        self.spent + self.steps + crate::value::take_union_work()
    }

    /// Whether the step budget ran out: such an error is never set aside (an undetermined
    /// policy's output that fails otherwise is), so no report is made of work left undone.
    pub fn out_of_steps(&self) -> bool {
        self.steps > self.budget
    }

    fn step(&mut self, span: Span) -> Result<()> {
        self.charge(1, span)
    }

    /// Counts `n` steps (and the union work since the last step) against the budget.
    fn charge(&mut self, n: u64, span: Span) -> Result<()> {
        self.steps += n + crate::value::take_union_work();
        if self.steps > self.budget {
            let kind = if self.budget < MAX_STEPS {
                EvalErrorKind::SharedStepsExceeded { limit: MAX_EVALUATION_STEPS }
            } else {
                EvalErrorKind::StepsExceeded { limit: MAX_STEPS }
            };
            return Err(EvalError::new(kind, span));
        }
        Ok(())
    }

    pub fn eval(&mut self, expr: &'p Expr) -> Result<Value> {
        self.step(expr.span)?;
        let span = expr.span;
        match &expr.kind {
            ExprKind::Const(value) => Ok(value.clone()),
            ExprKind::Input(i) => Ok(self.facts[*i as usize].clone()),
            ExprKind::Param(i) => self.params[*i as usize].clone(),
            ExprKind::Let(i) => self.lets[*i as usize].clone(),
            // (A checked program reads fields inside list operations only, and each item has every
            // field of its record: this is for a program loaded from damaged bytes.)
            ExprKind::Field(f) => self
                .items
                .last()
                .and_then(|item| item.get(*f as usize))
                .cloned()
                .ok_or_else(|| EvalError::new(EvalErrorKind::FieldOutsideList, span)),
            ExprKind::Today => Ok(Value::Date(self.date)),
            ExprKind::Not(e) => Ok(match self.eval(e)? {
                Value::Bool(b) => Value::Bool(!b),
                other => other,
            }),
            ExprKind::Neg(e) => match self.eval(e)? {
                Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| overflow(span)),
                Value::Dec(d) => Ok(Value::Dec(-d)),
                Value::Ratio(r) => r.checked_neg().map(Value::Ratio).ok_or_else(|| overflow(span)),
                other => Ok(other),
            },
            ExprKind::And(a, b) => self.junction(a, b, false),
            ExprKind::Or(a, b) => self.junction(a, b, true),
            ExprKind::Compare(op, a, b) => {
                // Most conditions compare a fact with a constant: both read in place, no copies.
                if let (Some(x), Some(y)) = (self.known_leaf(a), self.known_leaf(b)) {
                    self.charge(2, span)?;
                    return Ok(Value::Bool(compare(*op, x, y)));
                }
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                if let Some(unknown) = unknown_of(&[&a, &b]) {
                    return Ok(unknown);
                }
                Ok(Value::Bool(compare(*op, &a, &b)))
            }
            ExprKind::Arith(op, a, b) => {
                if let (Some(x), Some(y)) = (self.known_leaf(a), self.known_leaf(b)) {
                    self.charge(2, span)?;
                    return arith(*op, x, y, span);
                }
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                if let Some(unknown) = unknown_of(&[&a, &b]) {
                    return Ok(unknown);
                }
                arith(*op, &a, &b, span)
            }
            ExprKind::In(needle, haystack) => {
                let needle = self.eval(needle)?;
                let mut unknown: Option<Missing> = match &needle {
                    Value::Unknown(m) => Some(m.clone()),
                    _ => None,
                };
                let mut found = false;
                // `x in [a, b]` is `x == a or x == b`: an item that fails is settled like an
                // unknown one (see `junction`).
                let mut failed = None;
                for item in haystack {
                    match self.eval(item) {
                        Ok(Value::Unknown(m)) => unknown = Some(unknown.unwrap_or_default().union(&m)),
                        Ok(value) => found |= !needle.is_unknown() && compare(Compare::Eq, &needle, &value),
                        Err(error) if !self.out_of_steps() => {
                            failed.get_or_insert(error);
                        }
                        Err(error) => return Err(error),
                    }
                }
                Ok(match (found, unknown, failed) {
                    (true, _, _) => Value::Bool(true),
                    (false, Some(missing), _) => Value::Unknown(missing),
                    (false, None, Some(error)) => return Err(error),
                    (false, None, None) => Value::Bool(false),
                })
            }
            ExprKind::If(condition, then, otherwise) => match self.eval(condition) {
                // Both branches agreeing settle the value whatever the condition, an error as well
                // as an unknown (found by fuzzing: a fact supplied turned a settled policy into an
                // error, as with `junction`).
                Err(error) if !self.out_of_steps() => match (self.eval(then), self.eval(otherwise)) {
                    (Ok(a), Ok(b)) if !a.is_unknown() && compare(Compare::Eq, &a, &b) => Ok(a),
                    // Branches that may yet agree, once their missing facts are given: unknown.
                    (Ok(a), Ok(b)) if a.is_unknown() || b.is_unknown() => {
                        Ok(unknown_of(&[&a, &b]).unwrap_or(Value::Unknown(Missing::default())))
                    }
                    _ => Err(error),
                },
                Err(error) => Err(error),
                Ok(Value::Bool(true)) => self.eval(then),
                Ok(Value::Bool(false)) => self.eval(otherwise),
                Ok(Value::Unknown(missing)) => {
                    // Both branches agreeing settles the value whatever the condition. One branch
                    // failing is an error only if the condition, once known, takes it: unknown.
                    let (a, b) = match (self.eval(then), self.eval(otherwise)) {
                        (Ok(a), Ok(b)) => (a, b),
                        (Err(_), Ok(other)) | (Ok(other), Err(_)) if !self.out_of_steps() => {
                            let mut missing = missing;
                            if let Value::Unknown(m) = &other {
                                missing.absorb(m);
                            }
                            return Ok(Value::Unknown(missing));
                        }
                        (Err(error), _) | (_, Err(error)) => return Err(error),
                    };
                    if !a.is_unknown() && compare(Compare::Eq, &a, &b) {
                        return Ok(a);
                    }
                    let mut missing = missing;
                    for branch in [&a, &b] {
                        if let Value::Unknown(m) = branch {
                            missing.absorb(m);
                        }
                    }
                    Ok(Value::Unknown(missing))
                }
                Ok(other) => Err(EvalError::new(EvalErrorKind::NotABool { value: other }, span)),
            },
            ExprKind::Call(builtin, args) => {
                let values = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>>>()?;
                if let Some(unknown) = unknown_of(&values.iter().collect::<Vec<_>>()) {
                    return Ok(unknown);
                }
                (builtin.def().eval)(&values, span)
            }
            ExprKind::List(op, list, item) => self.list_op(*op, list, item.as_deref(), span),
            ExprKind::Table(t, args) => {
                let keys = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>>>()?;
                if let Some(Value::Unknown(mut missing)) = unknown_of(&keys.iter().collect::<Vec<_>>()) {
                    // Any row could be the one: the facts its value needs matter too.
                    let table = &self.program.tables[*t as usize];
                    for row in table.rows.iter().chain(&table.otherwise) {
                        if let Ok(Value::Unknown(m)) = self.eval(&row.value) {
                            missing.absorb(&m);
                        }
                    }
                    return Ok(Value::Unknown(missing));
                }
                self.lookup(*t, &keys, span)
            }
        }
    }

    /// The known value of a constant, an input or a parameter, read where it lies (these outlive
    /// the evaluation): what `eval` would give for it, without the copy. `None` for anything else
    /// and for unknown values, which take the general path.
    fn known_leaf(&self, expr: &'p Expr) -> Option<&'p Value> {
        let value = match &expr.kind {
            ExprKind::Const(value) => value,
            ExprKind::Input(i) => self.facts.get(*i as usize)?,
            ExprKind::Param(i) => self.params.get(*i as usize)?.as_ref().ok()?,
            _ => return None,
        };
        (!value.is_unknown()).then_some(value)
    }

    /// `and` (`is_or == false`) and `or` under Kleene's rules.
    /// Errors follow the three-valued logic too (found by fuzzing): an error on one side is
    /// settled by the other side, as an unknown is (`error or true` is true like `true or error`:
    /// the order of the operands never matters); and an error the other side could still settle
    /// once its missing facts are given (`error or unknown`) is unknown, not yet an error, so that
    /// giving a fact never turns a settled answer into another.
    fn junction(&mut self, a: &'p Expr, b: &'p Expr, is_or: bool) -> Result<Value> {
        let left = self.eval(a);
        if left.as_ref().is_ok_and(|left| *left == Value::Bool(is_or)) {
            return left;
        }
        let right = self.eval(b);
        let (left, right) = match (left, right) {
            (_, Ok(Value::Bool(b))) if b == is_or => return Ok(Value::Bool(b)),
            (Err(_), Ok(Value::Unknown(m))) | (Ok(Value::Unknown(m)), Err(_)) if !self.out_of_steps() => {
                return Ok(Value::Unknown(m))
            }
            (Err(error), _) | (_, Err(error)) => return Err(error),
            (Ok(left), Ok(right)) => (left, right),
        };
        Ok(match (left, right) {
            (_, Value::Bool(b)) if b == is_or => Value::Bool(b),
            (Value::Unknown(m1), Value::Unknown(m2)) => Value::Unknown(m1.union(&m2)),
            (Value::Unknown(m), _) | (_, Value::Unknown(m)) => Value::Unknown(m),
            (_, right) => right,
        })
    }

    fn list_op(&mut self, op: ListOp, list: &'p Expr, item: Option<&'p Expr>, span: Span) -> Result<Value> {
        let items = match self.eval(list)? {
            Value::List(items) => items,
            other => return Ok(other),
        };
        let Some(item_expr) = item else {
            return Ok(Value::Int(items.len() as i64)); // count(list)
        };
        // Merged once at the end (see `Missing::union_all`).
        let mut unknowns: Vec<Missing> = Vec::new();
        let mut kept: Vec<Item> = Vec::new();
        let (mut count, mut any, mut all) = (0i64, false, true);
        let mut total = Value::Int(0);
        let mut best: Option<Value> = None;
        let mut failed: Option<EvalError> = None;
        for entry in items.iter() {
            self.items.push(entry.clone());
            let value = self.eval(item_expr);
            self.items.pop();
            let value = match value {
                Ok(value) => value,
                // One true item settles `any` (one false item `all`) whatever the others give,
                // an error as well as an unknown (see `junction`).
                Err(error) if matches!(op, ListOp::Any | ListOp::All) && !self.out_of_steps() => {
                    failed.get_or_insert(error);
                    continue;
                }
                Err(error) => return Err(error),
            };
            match value {
                Value::Unknown(m) => unknowns.push(m),
                Value::Bool(b) => {
                    count += i64::from(b);
                    any |= b;
                    all &= b;
                    if b {
                        kept.push(entry.clone());
                    }
                }
                value => match op {
                    ListOp::Sum => total = arith(Arith::Add, &total, &value, span)?,
                    _ => {
                        let better = best.as_ref().is_none_or(|b| {
                            let order = value.compare(b);
                            if op == ListOp::Min {
                                order == Some(Ordering::Less)
                            } else {
                                order == Some(Ordering::Greater)
                            }
                        });
                        if better {
                            best = Some(value);
                        }
                    }
                },
            }
        }
        if let Some(error) = failed {
            // Settled by another item, or still to be settled by an unknown one: not an error.
            if !(op == ListOp::Any && any || op == ListOp::All && !all) && unknowns.is_empty() {
                return Err(error);
            }
        }
        let unknown = (!unknowns.is_empty()).then(|| Missing::union_all(unknowns));
        // `any` is settled by one true item, `all` by one false item, whatever is unknown.
        match (op, unknown) {
            (ListOp::Any, _) if any => Ok(Value::Bool(true)),
            (ListOp::All, _) if !all => Ok(Value::Bool(false)),
            (_, Some(missing)) => Ok(Value::Unknown(missing)),
            (ListOp::Count, None) => Ok(Value::Int(count)),
            (ListOp::Any, None) => Ok(Value::Bool(any)),
            (ListOp::All, None) => Ok(Value::Bool(all)),
            (ListOp::Filter, None) => Ok(Value::List(Arc::from(kept))),
            (ListOp::Sum, None) => Ok(total),
            (ListOp::Min | ListOp::Max, None) => {
                best.ok_or_else(|| EvalError::new(EvalErrorKind::EmptyList { op }, span))
            }
        }
    }

    fn lookup(&mut self, t: u32, keys: &[Value], span: Span) -> Result<Value> {
        let table: &TableDef = &self.program.tables[t as usize];
        let matches = |row: &crate::program::RowDef| row.cells.iter().zip(keys).all(|(cell, key)| cell.contains(key));
        let found = table.rows.iter().position(matches);
        // Each row looked at is a step: a long table looked up for every item of a list is work.
        self.charge(found.map_or(table.rows.len(), |i| i + 1) as u64, span)?;
        debug_assert!(table.hit == HitPolicy::First || table.rows.iter().filter(|r| matches(r)).count() <= 1);
        let (row_index, row) = match (found, &table.otherwise) {
            (Some(i), _) => (Some(i), &table.rows[i]),
            (None, Some(otherwise)) => (None, otherwise),
            (None, None) => {
                let keys = table.keys.iter().zip(keys).map(|(k, v)| (k.clone(), v.clone())).collect();
                return Err(EvalError::new(EvalErrorKind::NoTableRow { table: table.name.clone(), keys }, span));
            }
        };
        if let Some(hits) = self.hits.as_mut() {
            hits.push(TableHit { table: t, row: row_index });
        }
        self.eval(&row.value)
    }
}

/// The unknown among `values`, with their missing facts together, if any is unknown.
fn unknown_of(values: &[&Value]) -> Option<Value> {
    let mut missing: Option<Missing> = None;
    for value in values {
        if let Value::Unknown(m) = value {
            missing = Some(missing.unwrap_or_default().union(m));
        }
    }
    missing.map(Value::Unknown)
}

fn compare(op: Compare, a: &Value, b: &Value) -> bool {
    let order = a.compare(b);
    match op {
        Compare::Eq => order == Some(Ordering::Equal),
        Compare::Ne => order != Some(Ordering::Equal),
        Compare::Lt => order == Some(Ordering::Less),
        Compare::Le => matches!(order, Some(Ordering::Less | Ordering::Equal)),
        Compare::Gt => order == Some(Ordering::Greater),
        Compare::Ge => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
    }
}

pub(crate) fn overflow(span: Span) -> EvalError {
    EvalError::new(EvalErrorKind::Overflow, span)
}

/// Exact arithmetic (see [`crate::number`]): whole numbers stay whole (except under division),
/// everything else is an exact decimal or ratio; a result beyond the decimal range is `Overflow`.
pub fn arith(op: Arith, a: &Value, b: &Value, span: Span) -> Result<Value> {
    if let (Value::Int(x), Value::Int(y), Arith::Add | Arith::Sub | Arith::Mul) = (a, b, op) {
        let result = match op {
            Arith::Add => x.checked_add(*y),
            Arith::Sub => x.checked_sub(*y),
            _ => x.checked_mul(*y),
        };
        return result.map(Value::Int).ok_or_else(|| overflow(span));
    }
    let zero = match (a, b) {
        (Value::Int(_) | Value::Dec(_) | Value::Ratio(_), Value::Int(i)) => *i == 0,
        (Value::Int(_) | Value::Dec(_) | Value::Ratio(_), Value::Dec(d)) => d.is_zero(),
        // (Zero has a decimal form: a ratio is never zero.)
        (Value::Int(_) | Value::Dec(_) | Value::Ratio(_), Value::Ratio(_)) => false,
        _ => return Err(EvalError::new(EvalErrorKind::NotNumbers, span)),
    };
    if op == Arith::Div && zero {
        return Err(EvalError::new(EvalErrorKind::DivisionByZero, span));
    }
    crate::number::arith(op, a, b).ok_or_else(|| overflow(span))
}
