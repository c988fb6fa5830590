//! Expressions under three-valued logic. An unknown operand makes the result unknown, carrying
//! the union of the missing facts, except where the known operands already decide the answer
//! (`false and unknown` is false, `true or unknown` is true).

use super::{EvalError, EvalErrorKind};
use crate::date::Date;
use crate::limits::{MAX_EVALUATION_STEPS, MAX_STEPS};
use crate::program::{Arith, Compare, Expr, ExprKind, ListOp, Program, TableDef, Type};
use crate::source::Span;
use crate::value::{FactKey, Item, Missing, Value};
use crate::vocabulary::HitPolicy;
use std::cmp::Ordering;

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
    /// Which definitions came upon a value that may yet fail (see `may_fail`).
    lets_may_fail: Vec<bool>,
    items: Vec<Item>,
    steps: u64,
    /// The steps this policy may take: `MAX_STEPS`, or what is left of `MAX_EVALUATION_STEPS`.
    budget: u64,
    /// Steps taken by the policies before this one (and the definitions).
    spent: u64,
    /// Set while evaluating what a trace must explain.
    pub hits: Option<Vec<TableHit>>,
    /// Set with `hits` while an output is decided: the value of each exception's condition, in
    /// order, as far as they were evaluated (`None`: unknown).
    pub exceptions: Option<Vec<Option<bool>>>,
    /// The table rows the definitions (`let`) reached, when traced from the start (`Env::traced`).
    pub let_hits: Vec<TableHit>,
    /// Set when a value came out unknown that may yet fail once its facts are given (or an
    /// error was set aside): such an output's facts can change whether its policy is granted.
    pub(crate) may_fail: bool,
    /// Set for the operands of `+ - * /` and unary `-`: the top of such a chain checks, with its
    /// bounds, that none of it overflows, once for the whole chain (each node checking its own
    /// subtree was quadratic in a long sum).
    under_arith: bool,
    /// Set while working out bounds: what is evaluated then only gives bounds, and asks for no
    /// bounds itself (that was exponential in tables looking up tables).
    bounding: bool,
}

impl<'p> Env<'p> {
    /// Evaluates every definition for this citizen, each once, in dependency order.
    pub fn new(program: &'p Program, on: &'p OnDate, facts: &'p [Value]) -> Env<'p> {
        Env::after(program, on, facts, 0)
    }

    /// `new`, for an evaluation that shares its `MAX_EVALUATION_STEPS` with evaluations before it
    /// which took `spent` steps (the examples of a rule set, run together).
    pub fn after(program: &'p Program, on: &'p OnDate, facts: &'p [Value], spent: u64) -> Env<'p> {
        Env::start(program, on, facts, spent, false)
    }

    /// `after`, keeping the table rows the definitions reach (`let_hits`), for a traced evaluation.
    pub fn traced(program: &'p Program, on: &'p OnDate, facts: &'p [Value], spent: u64) -> Env<'p> {
        Env::start(program, on, facts, spent, true)
    }

    fn start(program: &'p Program, on: &'p OnDate, facts: &'p [Value], spent: u64, traced: bool) -> Env<'p> {
        let mut env = Env {
            program,
            facts,
            date: on.date,
            params: &on.params,
            lets: Vec::new(),
            lets_may_fail: Vec::new(),
            items: Vec::new(),
            steps: 0,
            budget: MAX_STEPS.min(MAX_EVALUATION_STEPS.saturating_sub(spent)),
            spent,
            hits: traced.then(Vec::new),
            exceptions: None,
            let_hits: Vec::new(),
            may_fail: false,
            under_arith: false,
            bounding: false,
        };
        crate::value::take_union_work();
        if !program.lets.is_empty() {
            env.lets = vec![Ok(Value::Bool(false)); program.lets.len()];
            env.lets_may_fail = vec![false; program.lets.len()];
            for &i in &program.let_order {
                let (value, fails) = env.watching(|env| env.eval(&program.lets[i as usize].expr));
                env.lets[i as usize] = value;
                env.lets_may_fail[i as usize] = fails;
            }
        }
        env.let_hits = env.hits.take().unwrap_or_default();
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
        // A known value stays what it is once more facts are given (three-valued logic is
        // monotonic), so it never fails later: what may have failed inside it was settled away
        // (`false and (x + 1 > y)`) and must not hold up its policy (found by the differential run).
        let before = self.may_fail;
        let value = self.eval_node(expr);
        if value.as_ref().is_ok_and(|v| !v.is_unknown()) {
            self.may_fail = before;
        }
        value
    }

    fn eval_node(&mut self, expr: &'p Expr) -> Result<Value> {
        let chained = std::mem::take(&mut self.under_arith);
        self.step(expr.span)?;
        let span = expr.span;
        match &expr.kind {
            ExprKind::Const(value) => Ok(value.clone()),
            ExprKind::Input(i) => Ok(self.facts[*i as usize].clone()),
            ExprKind::Param(i) => self.params[*i as usize].clone(),
            ExprKind::Let(i) => {
                self.may_fail |= self.lets_may_fail.get(*i as usize).is_some_and(|fails| *fails);
                self.lets[*i as usize].clone()
            }
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
            ExprKind::Neg(e) => {
                self.under_arith = true;
                match self.eval(e)? {
                    Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| overflow(span)),
                    Value::Dec(d) => Ok(Value::Dec(-d)),
                    Value::Ratio(r) => r.checked_neg().map(Value::Ratio).ok_or_else(|| overflow(span)),
                    other => self.unless_bounded(expr, other, chained),
                }
            }
            ExprKind::And(a, b) => self.junction(a, b, false),
            ExprKind::Or(a, b) => self.junction(a, b, true),
            ExprKind::Compare(op, a, b) => {
                // Most conditions compare a fact with a constant: both read in place, no copies.
                if let (Some(x), Some(y)) = (self.known_leaf(a), self.known_leaf(b)) {
                    self.charge(2, span)?;
                    return Ok(Value::Bool(compare(*op, x, y)));
                }
                let ((x, y), fails) = self.watching(|env| (env.eval(a), env.eval(b)));
                let (x, y) = (x?, y?);
                if let Some(unknown) = unknown_of(&[&x, &y]) {
                    // `min(household, income) < 100` with one income of 50 is true whatever the
                    // others are: the bounds of what the unknown side can still be settle it
                    // (unless a side may yet fail: an error is an answer too).
                    if fails || self.bounding {
                        return Ok(unknown);
                    }
                    return Ok(self.settle(*op, a, b)?.map_or(unknown, Value::Bool));
                }
                Ok(Value::Bool(compare(*op, &x, &y)))
            }
            ExprKind::Arith(op, a, b) => {
                if let (Some(x), Some(y)) = (self.known_leaf(a), self.known_leaf(b)) {
                    self.charge(2, span)?;
                    return arith(*op, x, y, span);
                }
                let ((x, y), fails) = self.watching(|env| {
                    env.under_arith = true;
                    let x = env.eval(a);
                    env.under_arith = true;
                    (x, env.eval(b))
                });
                let (x, y) = (x?, y?);
                if let Some(unknown) = unknown_of(&[&x, &y]) {
                    // Zero times anything is zero: the other side's facts cannot change it, unless
                    // they may make it fail (its own chain of arithmetic was left to this one).
                    let zero = [(&x, b), (&y, a)].into_iter().find(|(v, _)| compare(Compare::Eq, v, &Value::Int(0)));
                    if let Some((zero, other)) = zero.filter(|_| *op == Arith::Mul && !fails) {
                        if !self.may_overflow(other)? {
                            return arith(Arith::Mul, zero, zero, span);
                        }
                    }
                    return self.unless_bounded(expr, unknown, chained);
                }
                arith(*op, &x, &y, span)
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
                        Err(error) if !self.out_of_steps() => EvalError::keep(&mut failed, error),
                        Err(error) => return Err(error),
                    }
                }
                Ok(match (found, unknown, failed) {
                    (true, _, _) => Value::Bool(true),
                    (false, Some(missing), Some(_)) => self.fallible(Value::Unknown(missing)),
                    (false, Some(missing), None) => Value::Unknown(missing),
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
                        Ok(self.fallible(unknown_of(&[&a, &b]).unwrap_or(Value::Unknown(Missing::default()))))
                    }
                    // The condition's error, unless a branch met a limit (see `or_limit`).
                    (a, b) => Err([a, b].into_iter().filter_map(Result::err).fold(error, EvalError::or_limit)),
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
                            return Ok(self.fallible(Value::Unknown(missing)));
                        }
                        (Err(a), Err(b)) => return Err(a.or_limit(b)),
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
                    return Ok(if builtin.def().can_fail { self.fallible(unknown) } else { unknown });
                }
                (builtin.def().eval)(&values, span)
            }
            ExprKind::List(op, list, item) => match self.list_op(*op, list, item.as_deref(), span)? {
                // A sum may overflow, `min` and `max` find no item.
                unknown @ Value::Unknown(_) if matches!(op, ListOp::Sum | ListOp::Min | ListOp::Max) => {
                    self.unless_bounded(expr, unknown, chained)
                }
                value => Ok(value),
            },
            ExprKind::Table(t, args) => {
                let (keys, fails) = self.watching(|env| args.iter().map(|a| env.eval(a)).collect::<Result<Vec<_>>>());
                let keys = keys?;
                if let Some(Value::Unknown(mut missing)) = unknown_of(&keys.iter().collect::<Vec<_>>()) {
                    // Any row could be the one: the facts its value needs matter too. Rows that all
                    // give one known value, with `otherwise` among them, settle it whatever the keys.
                    let table = &self.program.tables[*t as usize];
                    let mut same: Option<Option<Value>> = table.otherwise.as_ref().filter(|_| !fails).map(|_| None);
                    for row in table.rows.iter().chain(&table.otherwise) {
                        match self.eval(&row.value) {
                            Ok(Value::Unknown(m)) => {
                                missing.absorb(&m);
                                same = None;
                            }
                            Ok(value) => {
                                if let Some(first) = &mut same {
                                    match first {
                                        Some(v) if !compare(Compare::Eq, v, &value) => same = None,
                                        Some(_) => {}
                                        None => *first = Some(value),
                                    }
                                }
                            }
                            Err(error) if self.out_of_steps() => return Err(error),
                            Err(_) => same = None,
                        }
                    }
                    // Unsettled, the keys may match no row, or one that fails.
                    return Ok(match same.flatten() {
                        Some(value) => value,
                        None => self.fallible(Value::Unknown(missing)),
                    });
                }
                self.lookup(*t, &keys, span)
            }
        }
    }

    /// `f`'s result, and whether it came upon a value that may yet fail (see `may_fail`, which
    /// keeps counting for the evaluation around).
    pub(crate) fn watching<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> (T, bool) {
        let before = std::mem::take(&mut self.may_fail);
        let result = f(self);
        let fails = self.may_fail;
        self.may_fail |= before;
        (result, fails)
    }

    /// A list operation over a list not known yet: unknown, and one that may fail if its body may
    /// fail for some item (a parameter with no value on the date, a division by a field), which is
    /// asked of an item whose every field is unknown (found by the differential run: `any(hh, p)`
    /// with `hh` missing and `p` out of force settled an exception that fails once `hh` is given).
    fn unknown_list(&mut self, list: Value, item: Option<&'p Expr>) -> Result<Value> {
        let (Some(body), Value::Unknown(_)) = (item, &list) else { return Ok(list) };
        let width = self.program.records.iter().map(|r| r.fields.len()).max().unwrap_or(0);
        self.items.push(vec![Value::Unknown(Missing::default()); width].into());
        let (value, fails) = self.watching(|env| env.eval(body));
        self.items.pop();
        match value {
            Err(error) if self.out_of_steps() => Err(error),
            Err(_) => Ok(self.fallible(list)),
            Ok(_) if fails => Ok(self.fallible(list)),
            Ok(_) => Ok(list),
        }
    }

    /// `value`, noting that it may yet fail (see `may_fail`).
    fn fallible(&mut self, value: Value) -> Value {
        self.may_fail = true;
        value
    }

    /// Whether `expr`, arithmetic (or a sum, `min` or `max`) whose value is unknown, may fail once
    /// its facts are given: it is not bounded.
    fn may_overflow(&mut self, expr: &'p Expr) -> Result<bool> {
        if !matches!(expr.kind, ExprKind::Arith(..) | ExprKind::Neg(_) | ExprKind::List(..)) {
            return Ok(false);
        }
        let bounds = self.bounds(expr)?;
        Ok(bounds.low.is_none() || bounds.high.is_none())
    }

    /// `unknown`, noted as one that may yet fail (see `may_fail`) unless `expr` is bounded: then
    /// its arithmetic cannot overflow (the bounds were worked out in the order it adds, without
    /// overflowing), and `min` or `max` has an item.
    /// `chained`: `expr` is an operand of arithmetic, whose top checks for it.
    fn unless_bounded(&mut self, expr: &'p Expr, unknown: Value, chained: bool) -> Result<Value> {
        if chained || self.bounding {
            return Ok(unknown);
        }
        if self.may_overflow(expr)? {
            self.may_fail = true;
        }
        Ok(unknown)
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
                return Ok(self.fallible(Value::Unknown(m)))
            }
            (Err(left), Err(right)) => return Err(left.or_limit(right)),
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
        let (members, fails) = self.watching(|env| env.members(list));
        let members = match members? {
            Ok(members) => members,
            Err(other) => return self.unknown_list(other, item),
        };
        // A filter whose condition may yet fail for an item that may be in it fails, once its
        // facts are given, whatever the other items give: nothing is settled by leaving such an
        // item out (found by the differential run: `any(filter(h, p), false)` was false, with a `p`
        // that fails).
        let unsettled: Vec<Missing> =
            if fails { members.iter().filter_map(|(_, membership)| membership.clone()).collect() } else { Vec::new() };
        let value = self.over_members(op, members, item, span);
        match value {
            Ok(value) if !unsettled.is_empty() => {
                let mut missing = Missing::union_all(unsettled);
                if let Value::Unknown(m) = &value {
                    missing.absorb(m);
                }
                Ok(self.fallible(Value::Unknown(missing)))
            }
            value => value,
        }
    }

    /// `list_op` over the items that may be in its list.
    fn over_members(&mut self, op: ListOp, members: Vec<Member>, item: Option<&'p Expr>, span: Span) -> Result<Value> {
        let Some(item_expr) = item else {
            // count(list): each item that may or may not be in it can change the count.
            return Ok(match Missing::union_all(members.iter().filter_map(|(_, m)| m.clone()).collect()) {
                maybe if maybe.keys().is_empty() => Value::Int(members.len() as i64),
                maybe => Value::Unknown(maybe),
            });
        };
        if op == ListOp::Filter {
            return Ok(filtered(self.filter(members, item_expr)?));
        }
        // Merged once at the end (see `Missing::union_all`).
        let mut unknowns: Vec<Missing> = Vec::new();
        // Items that may be in the list (a filter waits on them) with a known value: they matter
        // only if that value could change the answer, known once every item is looked at.
        let mut maybes: Vec<(Missing, Value)> = Vec::new();
        let (mut count, mut any, mut all) = (0i64, false, true);
        let mut total = Value::Int(0);
        let mut best: Option<Value> = None;
        let mut failed: Option<EvalError> = None;
        // Whether an item that may be in the list failed.
        let mut may_fail = false;
        for (entry, membership) in members {
            self.items.push(entry);
            let value = self.eval(item_expr);
            self.items.pop();
            let value = match value {
                Ok(value) => value,
                // An item that may not be in the list fails it only if it is in: until its
                // membership is known, unknown (found by the differential run: `all(filter(h,
                // p), <error>)` was an error where `p` could leave every item out).
                Err(_) if membership.is_some() && !self.out_of_steps() => {
                    unknowns.extend(membership);
                    may_fail = true;
                    continue;
                }
                // One true item settles `any` (one false item `all`) whatever the others give,
                // an error as well as an unknown (see `junction`).
                Err(error) if matches!(op, ListOp::Any | ListOp::All) && !self.out_of_steps() => {
                    EvalError::keep(&mut failed, error);
                    continue;
                }
                Err(error) => return Err(error),
            };
            match (value, membership) {
                (Value::Unknown(m), membership) => unknowns.push(either(membership, m)),
                (value, Some(membership)) => maybes.push((membership, value)),
                (Value::Bool(b), None) => {
                    count += i64::from(b);
                    any |= b;
                    all &= b;
                }
                (value, None) => match op {
                    ListOp::Sum => total = arith(Arith::Add, &total, &value, span)?,
                    _ => {
                        if better(op, &value, best.as_ref()) {
                            best = Some(value);
                        }
                    }
                },
            }
        }
        // An item that may be in the list matters only if its value would count: a true item for
        // `any` and `count`, a false one for `all`, a non-zero one for `sum`, and for `min` and
        // `max` one that beats the best of the items surely in.
        for (membership, value) in maybes {
            let counts = match op {
                ListOp::Any | ListOp::Count => value == Value::Bool(true),
                ListOp::All => value == Value::Bool(false),
                ListOp::Sum => !compare(Compare::Eq, &value, &Value::Int(0)),
                _ => better(op, &value, best.as_ref()),
            };
            if counts {
                unknowns.push(membership);
            }
        }
        let had_error = failed.is_some() || may_fail;
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
            // An item set aside may fail.
            (_, Some(missing)) if had_error => Ok(self.fallible(Value::Unknown(missing))),
            (_, Some(missing)) => Ok(Value::Unknown(missing)),
            (ListOp::Count, None) => Ok(Value::Int(count)),
            (ListOp::Any, None) => Ok(Value::Bool(any)),
            (ListOp::All, None) => Ok(Value::Bool(all)),
            (ListOp::Sum, None) => Ok(total),
            // (A filter was returned above.)
            (ListOp::Min | ListOp::Max | ListOp::Filter, None) => {
                best.ok_or_else(|| EvalError::new(EvalErrorKind::EmptyList { op }, span))
            }
        }
    }

    /// The items a list expression may have, each with the missing facts its membership waits on
    /// (`None`: surely in), or the value that is not a list (unknown). A filter is looked through,
    /// and a definition that is one: `sum(filter(household, works), income)` waits on the
    /// incomes of the members who may work as well as on whether they do, which the unknown
    /// value of the filter alone could not say.
    fn members(&mut self, list: &'p Expr) -> Result<std::result::Result<Vec<Member>, Value>> {
        match &list.kind {
            ExprKind::List(ListOp::Filter, inner, Some(predicate)) => {
                self.step(list.span)?;
                Ok(match self.members(inner)? {
                    Ok(members) => Ok(self.filter(members, predicate)?),
                    Err(other) => Err(self.unknown_list(other, Some(predicate))?),
                })
            }
            ExprKind::Let(i) if self.lets.get(*i as usize).is_some_and(|v| matches!(v, Ok(Value::Unknown(_)))) => {
                let program = self.program;
                match program.lets.get(*i as usize) {
                    Some(def) => self.members(&def.expr),
                    None => Ok(Err(Value::Unknown(Missing::default()))),
                }
            }
            _ => Ok(match self.eval(list)? {
                Value::List(items) => Ok(items.iter().map(|item| (item.clone(), None)).collect()),
                other => Err(other),
            }),
        }
    }

    /// The members for which `predicate` may hold, each waiting also on the predicate's facts.
    fn filter(&mut self, members: Vec<Member>, predicate: &'p Expr) -> Result<Vec<Member>> {
        let mut kept = Vec::with_capacity(members.len());
        for (entry, membership) in members {
            self.items.push(entry.clone());
            let value = self.eval(predicate);
            self.items.pop();
            match value? {
                Value::Bool(true) => kept.push((entry, membership)),
                Value::Unknown(m) => kept.push((entry, Some(either(membership, m)))),
                _ => {}
            }
        }
        Ok(kept)
    }

    /// The bounds of `expr` (see [`Bounds`]): declared `min`/`max` of missing inputs and fields,
    /// through arithmetic, `if`, definitions and `min`/`max`/`sum`/`count` over the items known
    /// so far. A step of work per node, as evaluating it is; only running out of steps fails.
    fn bounds(&mut self, expr: &'p Expr) -> Result<Bounds> {
        let outer = std::mem::replace(&mut self.bounding, true);
        let bounds = self.bounds_of(expr);
        self.bounding = outer;
        bounds
    }

    fn bounds_of(&mut self, expr: &'p Expr) -> Result<Bounds> {
        let program = self.program;
        let bounds = match &expr.kind {
            ExprKind::Input(i) => match (self.facts.get(*i as usize), program.inputs.get(*i as usize)) {
                (Some(Value::Unknown(_)), Some(def)) => Bounds { low: def.min.clone(), high: def.max.clone() },
                (Some(value), _) => Bounds::exactly(value.clone()),
                _ => Bounds::default(),
            },
            ExprKind::Field(_) => match self.eval(expr) {
                Ok(Value::Unknown(m)) => match m.keys() {
                    [key] => declared(program, *key),
                    _ => Bounds::default(),
                },
                Ok(value) => Bounds::exactly(value),
                Err(error) => return self.no_bounds(error),
            },
            ExprKind::Neg(e) => {
                let b = self.bounds(e)?;
                let zero = Some(Value::Int(0));
                Bounds { low: bound(Arith::Sub, &zero, &b.high), high: bound(Arith::Sub, &zero, &b.low) }
            }
            ExprKind::Arith(op @ (Arith::Add | Arith::Sub | Arith::Mul), a, b) => {
                let (a, b) = (self.bounds(a)?, self.bounds(b)?);
                match op {
                    Arith::Add => Bounds { low: bound(*op, &a.low, &b.low), high: bound(*op, &a.high, &b.high) },
                    Arith::Sub => Bounds { low: bound(*op, &a.low, &b.high), high: bound(*op, &a.high, &b.low) },
                    _ => {
                        let corners = [(&a.low, &b.low), (&a.low, &b.high), (&a.high, &b.low), (&a.high, &b.high)];
                        let products = corners.map(|(x, y)| bound(Arith::Mul, x, y));
                        let all = || products.iter().cloned();
                        Bounds {
                            low: all().reduce(|x, y| pick(x, y, Ordering::Less)).flatten(),
                            high: all().reduce(|x, y| pick(x, y, Ordering::Greater)).flatten(),
                        }
                    }
                }
            }
            // Conditions, for `count(list, condition)` and `if`: known when settled.
            ExprKind::Compare(op, a, b) => match self.settle(*op, a, b)? {
                Some(b) => Bounds::exactly(Value::Bool(b)),
                None => Bounds::default(),
            },
            ExprKind::Not(e) => match self.known(e)? {
                Some(b) => Bounds::exactly(Value::Bool(!b)),
                None => Bounds::default(),
            },
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_or = matches!(expr.kind, ExprKind::Or(..));
                match (self.known(a)?, self.known(b)?) {
                    (Some(x), _) | (_, Some(x)) if x == is_or => Bounds::exactly(Value::Bool(x)),
                    (Some(x), Some(_)) => Bounds::exactly(Value::Bool(x)),
                    _ => Bounds::default(),
                }
            }
            // Not through `eval`, which asks for the bounds of an unknown quotient.
            ExprKind::Arith(Arith::Div, a, b) => match (self.eval(a), self.eval(b)) {
                (Err(error), _) | (_, Err(error)) => return self.no_bounds(error),
                (Ok(x), Ok(y)) if !x.is_unknown() && !y.is_unknown() => {
                    arith(Arith::Div, &x, &y, expr.span).map_or_else(|_| Bounds::default(), Bounds::exactly)
                }
                _ => Bounds::default(),
            },
            ExprKind::If(condition, then, otherwise) => match self.known(condition)? {
                Some(true) => self.bounds(then)?,
                Some(false) => self.bounds(otherwise)?,
                None => self.bounds(then)?.hull(self.bounds(otherwise)?),
            },
            ExprKind::Let(i) => match (self.lets.get(*i as usize), program.lets.get(*i as usize)) {
                (Some(Ok(Value::Unknown(_))), Some(def)) => self.bounds(&def.expr)?,
                (Some(Ok(value)), _) => Bounds::exactly(value.clone()),
                _ => Bounds::default(),
            },
            ExprKind::List(op @ (ListOp::Min | ListOp::Max | ListOp::Sum | ListOp::Count), list, item) => {
                self.step(expr.span)?;
                let members = match self.members(list) {
                    Ok(Ok(members)) => members,
                    Ok(Err(_)) => return Ok(Bounds::default()),
                    Err(error) => return self.no_bounds(error),
                };
                self.list_bounds(*op, members, item.as_deref())?
            }
            _ => match self.eval(expr) {
                Ok(value) if !value.is_unknown() => Bounds::exactly(value),
                Ok(_) => Bounds::default(),
                Err(error) => return self.no_bounds(error),
            },
        };
        Ok(bounds)
    }

    /// `a op b` if it is the same whatever the missing facts are: by the bounds of each side, and
    /// for an `if` whose condition is unknown, by each branch (bounds of `if b then 0 else 2` also
    /// hold 1). Nested `if`s double the work, as many steps as evaluating each way.
    fn settle(&mut self, op: Compare, a: &'p Expr, b: &'p Expr) -> Result<Option<bool>> {
        for (side, flipped) in [(a, false), (b, true)] {
            let ExprKind::If(condition, then, otherwise) = &side.kind else { continue };
            if !matches!(self.eval(condition), Ok(Value::Unknown(_))) {
                continue;
            }
            let (one, two) = if flipped {
                (self.settle(op, a, then)?, self.settle(op, a, otherwise)?)
            } else {
                (self.settle(op, then, b)?, self.settle(op, otherwise, b)?)
            };
            return Ok(one.filter(|_| one == two));
        }
        Ok(settle(op, &self.bounds(a)?, &self.bounds(b)?))
    }

    /// The value of a condition if it is known, or settled by bounds.
    fn known(&mut self, condition: &'p Expr) -> Result<Option<bool>> {
        Ok(match self.bounds(condition)? {
            Bounds { low: Some(Value::Bool(b)), high: Some(Value::Bool(c)) } if b == c => Some(b),
            _ => None,
        })
    }

    /// The lowest and highest any of `exprs` may be (`None`: unbounded).
    pub(crate) fn hull(&mut self, exprs: impl Iterator<Item = &'p Expr>) -> Result<[Option<Value>; 2]> {
        let mut hull: Option<Bounds> = None;
        for expr in exprs {
            let bounds = self.bounds(expr)?;
            hull = Some(match hull {
                Some(hull) => hull.hull(bounds),
                None => bounds,
            });
        }
        Ok(hull.map_or([None, None], |b| [b.low, b.high]))
    }

    /// No bounds for an expression that fails, unless the steps ran out (that stops everything).
    fn no_bounds(&self, error: EvalError) -> Result<Bounds> {
        if self.out_of_steps() {
            return Err(error);
        }
        Ok(Bounds::default())
    }

    /// Bounds of `min`, `max`, `sum` or `count` over items that may be in the list: an item that
    /// may be left out can still reach past the others' `min` (or `max`) but cannot hold it back,
    /// and adds between nothing and its bounds to a `sum` or a `count`.
    fn list_bounds(&mut self, op: ListOp, members: Vec<Member>, item: Option<&'p Expr>) -> Result<Bounds> {
        let zero = Some(Value::Int(0));
        let mut sum = Bounds::exactly(Value::Int(0));
        // For `min` (`max` mirrored): the lowest any item may be, and the lowest of the highest
        // that items surely in may be; none of these, and the list may be empty: no bounds.
        let (mut reach, mut sure): (Option<Option<Value>>, Option<Option<Value>>) = (None, None);
        let toward = if op == ListOp::Max { Ordering::Greater } else { Ordering::Less };
        for (entry, membership) in members {
            let b = match item {
                Some(item) => {
                    self.items.push(entry);
                    let b = self.bounds(item);
                    self.items.pop();
                    b?
                }
                None => Bounds::exactly(Value::Bool(true)),
            };
            let b = match op {
                // An item counts 1 when its condition holds.
                ListOp::Count => {
                    let one = |v: &Option<Value>| Some(Value::Int(i64::from(*v == Some(Value::Bool(true)))));
                    Bounds { low: one(&b.low), high: Some(Value::Int(i64::from(b.high != Some(Value::Bool(false))))) }
                }
                _ => b,
            };
            if matches!(op, ListOp::Sum | ListOp::Count) {
                let (low, high) = match membership {
                    Some(_) => {
                        (pick(b.low, zero.clone(), Ordering::Less), pick(b.high, zero.clone(), Ordering::Greater))
                    }
                    None => (b.low, b.high),
                };
                sum = Bounds { low: bound(Arith::Add, &sum.low, &low), high: bound(Arith::Add, &sum.high, &high) };
                continue;
            }
            let (near, far) = if op == ListOp::Max { (b.high, b.low) } else { (b.low, b.high) };
            // Unbounded reach is unbounded; an unbounded item surely in bounds nothing.
            reach = Some(match reach {
                Some(r) => pick(r, near, toward),
                None => near,
            });
            if membership.is_none() {
                sure = Some(match sure.flatten() {
                    Some(s) => Some(pick(Some(s.clone()), far, toward).unwrap_or(s)),
                    None => far,
                });
            }
        }
        Ok(match op {
            ListOp::Sum | ListOp::Count => sum,
            _ => match (reach, sure) {
                (Some(reach), Some(sure)) if op == ListOp::Max => Bounds { low: sure, high: reach },
                (Some(reach), Some(sure)) => Bounds { low: reach, high: sure },
                _ => Bounds::default(),
            },
        })
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

/// A list item and the missing facts its being in the list waits on (`None`: surely in).
type Member = (Item, Option<Missing>);

/// The facts of a membership that waits on `membership` (if anything) and on `m`.
fn either(membership: Option<Missing>, m: Missing) -> Missing {
    match membership {
        Some(membership) => membership.union(&m),
        None => m,
    }
}

/// Whether `value` replaces `best` as the `min` (or `max`) so far.
fn better(op: ListOp, value: &Value, best: Option<&Value>) -> bool {
    best.is_none_or(|b| value.compare(b) == Some(if op == ListOp::Min { Ordering::Less } else { Ordering::Greater }))
}

/// The value of a filter: the list, or unknown while some item may or may not be in it. What
/// reads an unknown list cannot be told apart here, so it waits on every missing field of every
/// item that may be in it as well (list operations look through the filter and need less: see
/// `Env::members`).
fn filtered(members: Vec<Member>) -> Value {
    if members.iter().all(|(_, membership)| membership.is_none()) {
        return Value::List(members.into_iter().map(|(item, _)| item).collect());
    }
    let mut sets = Vec::new();
    for (item, membership) in members {
        sets.extend(membership);
        sets.extend(item.iter().filter_map(|field| match field {
            Value::Unknown(m) => Some(m.clone()),
            _ => None,
        }));
    }
    Value::Unknown(Missing::union_all(sets))
}

/// Inclusive bounds of the values an expression may take once its missing facts are given
/// (`None`: no bound known). Only the unknown side of a comparison asks for them.
#[derive(Clone, Debug, Default)]
struct Bounds {
    low: Option<Value>,
    high: Option<Value>,
}

impl Bounds {
    fn exactly(value: Value) -> Bounds {
        Bounds { low: Some(value.clone()), high: Some(value) }
    }

    /// The bounds of a value that is one of two (`if` with its condition unknown).
    fn hull(self, other: Bounds) -> Bounds {
        Bounds { low: pick(self.low, other.low, Ordering::Less), high: pick(self.high, other.high, Ordering::Greater) }
    }
}

/// The lower (`Less`) or higher (`Greater`) of two bounds; unbounded if either is.
fn pick(a: Option<Value>, b: Option<Value>, keep: Ordering) -> Option<Value> {
    let (a, b) = (a?, b?);
    match b.compare(&a) {
        Some(order) if order == keep => Some(b),
        Some(_) => Some(a),
        None => None,
    }
}

/// The declared bounds of a missing fact.
fn declared(program: &Program, key: FactKey) -> Bounds {
    let input = program.inputs.get(key.input as usize);
    let def = match input.map(|input| input.ty) {
        Some(Type::List(r)) if key.item != FactKey::NONE => {
            program.records.get(r as usize).and_then(|record| record.fields.get(key.field as usize))
        }
        _ => input,
    };
    def.map_or_else(Bounds::default, |def| Bounds { low: def.min.clone(), high: def.max.clone() })
}

/// `a op b` on bounds, `None` (unbounded) where it overflows.
fn bound(op: Arith, a: &Option<Value>, b: &Option<Value>) -> Option<Value> {
    arith(op, a.as_ref()?, b.as_ref()?, Span::default()).ok()
}

/// What a comparison is whatever values in `a` and `b` its sides take, if that is settled.
fn settle(op: Compare, a: &Bounds, b: &Bounds) -> Option<bool> {
    let order = |x: &Option<Value>, y: &Option<Value>| x.as_ref().zip(y.as_ref()).and_then(|(x, y)| x.compare(y));
    let (below, above) = (order(&a.high, &b.low), order(&a.low, &b.high));
    let lt = below == Some(Ordering::Less);
    let le = matches!(below, Some(Ordering::Less | Ordering::Equal));
    let gt = above == Some(Ordering::Greater);
    let ge = matches!(above, Some(Ordering::Greater | Ordering::Equal));
    let decide = |yes: bool, no: bool| (yes || no).then_some(yes);
    match op {
        Compare::Lt => decide(lt, ge),
        Compare::Le => decide(le, gt),
        Compare::Gt => decide(gt, le),
        Compare::Ge => decide(ge, lt),
        Compare::Eq => decide(le && ge, lt || gt),
        Compare::Ne => decide(lt || gt, le && ge),
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
