//! The reference model of the rules language: what a rule set means, written to be read against
//! /work/shared/design/LANGUAGE.md ("LANGUAGE") and docs/language.md ("guide", by section) clause
//! by clause, not to be fast. A tree-walking interpreter over the checked AST: names are looked up
//! by string, definitions are recomputed where they are used (they are pure, so that is the same
//! value), numbers are exact big rationals (nothing overflows, nothing is rounded unless `round`
//! says so), dates are day numbers. It shares nothing with the engine's evaluator: only the
//! parser and checker (a rule set is interpreted only if it compiles) and the `Date` parser.
//!
//! The differential tests (tests/differential.rs, the `differential` fuzz target, the Node
//! comparison of the WebAssembly module) compare its answers with the engine's: see [`compare`].

mod candidates;
pub mod compare;
mod text;

pub use text::{decimal_text, money_text, show};

use eligo_compiler::ast::{
    self, BinaryOp, CellKind, ConditionKind, Expr, ExprKind, Item, LitKind, OutputName, Period, TypeExpr, UnaryOp,
};
use eligo_core::date::Date;
use eligo_core::program::{Program, Type};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde_json::Value as Json;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

pub use eligo_core::vocabulary::Status;

/// A known value. Numbers of every type (int, decimal, money, percentages) are one exact rational:
/// the types only decide what may be combined, and the checker has settled that.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Bool(bool),
    Num(BigRational),
    /// Days since 0000-03-01 (proleptic Gregorian), see [`days`].
    Date(i64),
    Text(String),
    List(Rc<Vec<Item_>>),
}

/// One item of a list input: its fields by name; a field absent is missing.
pub type Item_ = BTreeMap<String, V>;

/// Why the rules cannot be applied to this citizen (guide 2.13, "error").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorKind {
    DivisionByZero,
    /// A parameter asked for on a date without a value (LANGUAGE "Parameters"; guide 2.5).
    ParamNoValue,
    /// A key outside every row of a table (guide 2.7).
    NoTableRow,
    /// `min`/`max` of an empty list (guide 2.12).
    EmptyList,
    /// `date(y, m, d)` of an impossible date, or a date moved outside the years 1 to 9999.
    BadDate,
    /// `round(x, places)` with places outside 0 to 28 (guide errors.md: decimal places).
    DecimalPlaces,
    /// Two applicable exceptions that disagree (LANGUAGE "exceptions").
    ExceptionsDisagree,
    /// An output with no base and no applicable exception (LANGUAGE "exceptions").
    NoDefinition,
    /// An amount, fee or fixed-sum waiver below zero, or a share waived outside 0–100 % (guide
    /// "Money out of range": a payable below zero or above the fee has no meaning).
    MoneyOutOfRange,
}

/// The value of an expression under three-valued logic (LANGUAGE "Missing data"): known, unknown
/// (it depends on a missing fact), or an error.
#[derive(Clone, Debug, PartialEq)]
pub enum R {
    K(V),
    U,
    E(ErrorKind),
}
use R::{E, K, U};

/// The reference's answer for one policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub id: String,
    pub status: Status,
    /// The outputs (with `payable`) when eligible; computed for undetermined policies too (a group
    /// needs them), but only reported when eligible.
    pub outputs: BTreeMap<String, V>,
    pub error: Option<ErrorKind>,
    /// For `excludes` and groups: the policy granted instead.
    pub excluded_by: Option<String>,
}

/// What an evaluation met that the engine's numbers (64-bit whole numbers; decimals and ratios of
/// 128-bit parts) may not hold. Where the reference has a value the engine may then report an
/// overflow: the comparison skips such an evaluation (an accepted asymmetry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// A number of 2^63 or more in size: the engine may overflow (an accepted asymmetry).
    pub huge: bool,
}

/// A checked rule set, its declarations by name.
pub struct Reference {
    inputs: Vec<ast::InputDecl>,
    records: BTreeMap<String, ast::RecordDecl>,
    params: BTreeMap<String, ast::ParamDecl>,
    lets: BTreeMap<String, Expr>,
    tables: BTreeMap<String, ast::TableDecl>,
    policies: Vec<ast::PolicyDecl>,
    groups: Vec<ast::GroupDecl>,
    /// The policies whose waiver is a share of the fee.
    shares: std::collections::BTreeSet<String>,
}

impl Reference {
    /// The rule set of `files`, if it compiles (the checker's word decides what is a rule set).
    pub fn new<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Option<Reference> {
        let program = eligo_compiler::compile::compile_with(&sources(files), false).program?;
        Some(Reference::of_compiled(files, &program))
    }

    /// The rule set of `files`, which compiled into `program` (not compiled again).
    pub fn of_compiled<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)], program: &Program) -> Reference {
        let sources = sources(files);
        // The one thing taken from the checked program: whether a waiver is a share (a decimal)
        // or a sum of money, a type the checker inferred.
        let shares = program
            .policies
            .iter()
            .filter(|p| p.outputs.iter().any(|o| o.name == OutputName::Waiver && o.ty == Type::Decimal))
            .map(|p| p.id.clone())
            .collect();
        let mut r = Reference {
            inputs: Vec::new(),
            records: BTreeMap::new(),
            params: BTreeMap::new(),
            lets: BTreeMap::new(),
            tables: BTreeMap::new(),
            policies: Vec::new(),
            groups: Vec::new(),
            shares,
        };
        for (id, file) in sources.files.iter().enumerate() {
            let (parsed, _) = eligo_compiler::syntax::parse_with(id as u32, &file.text, false);
            for item in parsed.items {
                match item {
                    Item::Input(d) => r.inputs.push(d),
                    Item::Record(d) => drop(r.records.insert(d.name.name.clone(), d)),
                    Item::Param(d) => drop(r.params.insert(d.name.name.clone(), d)),
                    Item::Let(d) => drop(r.lets.insert(d.name.name.clone(), d.value)),
                    Item::Table(d) => drop(r.tables.insert(d.name.name.clone(), d)),
                    Item::Policy(d) => r.policies.push(d),
                    Item::Group(d) => r.groups.push(d),
                    Item::Ruleset(_) | Item::Example(_) => {}
                }
            }
        }
        r
    }

    /// Evaluates every policy for `data` (a JSON object the engine accepted) on `date`.
    pub fn evaluate(&self, data: &serde_json::Map<String, Json>, date: Date) -> (Vec<Outcome>, Flags) {
        let facts = self.read_facts(data);
        let flags = Cell::new(Flags::default());
        let env = Env { r: self, facts: &facts, today: days(date), items: Vec::new(), flags: &flags };
        let mut outcomes: Vec<Outcome> = self.policies.iter().map(|p| env.policy(p)).collect();
        self.settle_groups(&mut outcomes);
        self.settle_exclusions(&mut outcomes);
        for o in &mut outcomes {
            if o.status != Status::Eligible {
                o.outputs.clear();
            }
        }
        (outcomes, flags.get())
    }

    // ── facts (LANGUAGE "Inputs": every input may be missing; missing is not zero) ──

    fn read_facts(&self, data: &serde_json::Map<String, Json>) -> BTreeMap<String, V> {
        let mut facts = BTreeMap::new();
        for input in &self.inputs {
            let value = data.get(&input.name.name).and_then(|json| self.read(&input.ty, json));
            if let Some(value) = value {
                facts.insert(input.name.name.clone(), value);
            }
        }
        facts
    }

    fn read(&self, ty: &TypeExpr, json: &Json) -> Option<V> {
        match (ty, json) {
            (_, Json::Null) => None,
            (TypeExpr::ListOf(record, _), Json::Array(items)) => {
                let fields = &self.records.get(&record.name)?.fields;
                let items = items
                    .iter()
                    .map(|item| {
                        fields
                            .iter()
                            .filter_map(|f| Some((f.name.name.clone(), self.read(&f.ty, item.get(&f.name.name)?)?)))
                            .collect()
                    })
                    .collect();
                Some(V::List(Rc::new(items)))
            }
            (_, Json::Bool(b)) => Some(V::Bool(*b)),
            (TypeExpr::Named(n), Json::String(s)) if n.name == "date" => Date::parse(s).map(|d| V::Date(days(d))),
            (TypeExpr::Named(n), Json::String(s)) if matches!(n.name.as_str(), "int" | "decimal" | "money") => {
                rational(s).map(V::Num)
            }
            (_, Json::String(s)) => Some(V::Text(s.clone())),
            (_, Json::Number(n)) => rational(&n.to_string()).map(V::Num),
            _ => None,
        }
    }

    // ── relations (guide 2.8 `excludes`, 2.9 groups): groups first, then exclusions ──

    fn index(&self, id: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.name.name == id)
    }

    /// Guide 2.9: of the eligible members only the highest yearly amount is granted (ties: the
    /// member listed first); an undetermined member that might pay more keeps the winner
    /// undetermined. Decided on the statuses before the group.
    fn settle_groups(&self, outcomes: &mut [Outcome]) {
        for group in &self.groups {
            // The members still in the running, in the order listed: (policy, status, yearly amount).
            let members: Vec<(usize, Status, Option<BigRational>)> = group
                .members
                .iter()
                .filter_map(|m| {
                    let i = self.index(&m.name)?;
                    let o = outcomes.get(i)?;
                    let live = matches!(o.status, Status::Eligible | Status::Undetermined);
                    live.then(|| (i, o.status, self.yearly(i, o)))
                })
                .collect();
            let mut decided = Vec::new();
            for (rank, (i, status, amount)) in members.iter().enumerate() {
                // The members that pay more, or may (an unknown amount might be higher).
                let rivals: Vec<&(usize, Status, Option<BigRational>)> = members
                    .iter()
                    .enumerate()
                    .filter(|(r, (_, _, other))| {
                        *r != rank
                            && match (other, amount) {
                                (Some(x), Some(y)) => x > y || (x == y && *r < rank),
                                _ => true,
                            }
                    })
                    .map(|(_, m)| m)
                    .collect();
                let winner = rivals.iter().find(|(_, s, a)| *s == Status::Eligible && a.is_some());
                let change = match (winner, amount) {
                    // Only an eligible member loses: an undetermined one may yet be an error,
                    // which loses no group ("of the eligible members").
                    (Some((w, ..)), Some(_)) if *status == Status::Eligible => {
                        Some((Status::Ineligible, self.policies.get(*w).map(|p| p.name.name.clone())))
                    }
                    _ if !rivals.is_empty() => Some((Status::Undetermined, None)),
                    _ => None,
                };
                decided.push((*i, change));
            }
            for (i, change) in decided {
                if let (Some(o), Some((status, by))) = (outcomes.get_mut(i), change) {
                    o.status = status;
                    o.excluded_by = by.or(o.excluded_by.take());
                }
            }
        }
    }

    /// The amount over a year: a monthly amount counts twelve times (guide 2.9).
    fn yearly(&self, i: usize, outcome: &Outcome) -> Option<BigRational> {
        let amount = match outcome.outputs.get("amount")? {
            V::Num(n) => n.clone(),
            _ => return None,
        };
        let monthly = self
            .policies
            .get(i)?
            .outputs
            .iter()
            .any(|o| o.name == OutputName::Amount && o.period == Some(Period::Monthly));
        Some(if monthly { amount * BigInt::from(12) } else { amount })
    }

    /// Guide 2.8: when an excluding policy is granted the excluded one is ineligible; when it is
    /// undetermined, so is the excluded one; that holds for an excluded policy that is an error too,
    /// which is not received either way (docs/report.md, "Missing facts and askNext"). A policy
    /// that was not granted excludes nothing, so
    /// each policy's final status is decided from its excluders' final statuses (no cycles: the
    /// checker rejects them; `depth` bounds the recursion all the same).
    fn settle_exclusions(&self, outcomes: &mut [Outcome]) {
        let before: Vec<Status> = outcomes.iter().map(|o| o.status).collect();
        let mut settled: Vec<Option<(Status, Option<String>)>> = vec![None; outcomes.len()];
        for (i, outcome) in outcomes.iter_mut().enumerate() {
            let (status, by) = self.excluded(i, &before, &mut settled, 0);
            if status != outcome.status && outcome.status == Status::Error {
                outcome.error = None;
            }
            outcome.status = status;
            outcome.excluded_by = by.or(outcome.excluded_by.take());
        }
    }

    fn excluded(
        &self,
        b: usize,
        before: &[Status],
        settled: &mut [Option<(Status, Option<String>)>],
        depth: usize,
    ) -> (Status, Option<String>) {
        if let Some(Some(done)) = settled.get(b) {
            return done.clone();
        }
        let (Some(&status), Some(policy)) = (before.get(b), self.policies.get(b)) else { return (Status::Error, None) };
        let mut result = (status, None);
        if matches!(status, Status::Eligible | Status::Undetermined | Status::Error) && depth <= self.policies.len() {
            let excluders: Vec<(usize, &str)> = (self.policies.iter().enumerate())
                .filter(|(_, a)| a.excludes.iter().any(|x| x.name == policy.name.name))
                .map(|(a, p)| (a, p.name.name.as_str()))
                .collect();
            let finals: Vec<(&str, Status)> =
                excluders.into_iter().map(|(a, id)| (id, self.excluded(a, before, settled, depth + 1).0)).collect();
            if let Some((a, _)) = finals.iter().find(|(_, s)| *s == Status::Eligible) {
                result = (Status::Ineligible, Some(a.to_string()));
            } else if finals.iter().any(|(_, s)| *s == Status::Undetermined) {
                result = (Status::Undetermined, None);
            }
        }
        if let Some(slot) = settled.get_mut(b) {
            *slot = Some(result.clone());
        }
        result
    }
}

fn sources<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> eligo_core::source::Sources {
    let mut sources = eligo_core::source::Sources::new();
    for (name, text) in files {
        sources.add(name.as_ref(), text.as_ref());
    }
    sources
}

/// Evaluation of one citizen on one date.
struct Env<'r> {
    r: &'r Reference,
    facts: &'r BTreeMap<String, V>,
    today: i64,
    /// The items of the list operations we are inside, innermost last.
    items: Vec<Item_>,
    /// What this evaluation met that the engine's numbers cannot hold (see [`Flags`]).
    flags: &'r Cell<Flags>,
}

impl Env<'_> {
    // ── policies (LANGUAGE "Policies"; guide 2.8) ──

    fn policy(&self, p: &ast::PolicyDecl) -> Outcome {
        let mut outcome = Outcome {
            id: p.name.name.clone(),
            status: Status::Eligible,
            outputs: BTreeMap::new(),
            error: None,
            excluded_by: None,
        };
        // `effective from … until …`, both ends included; outside: not applicable.
        if let Some(e) = &p.effective {
            let outside =
                e.from.is_some_and(|f| self.today < days(f.date)) || e.until.is_some_and(|u| self.today > days(u.date));
            if outside {
                outcome.status = Status::NotApplicable;
                return outcome;
            }
        }
        // All conditions must hold, together as `and` does: `unless` holds when its condition
        // does not.
        let mut all = K(V::Bool(true));
        for c in &p.conditions {
            let value = self.eval(&c.expr);
            let holds = if c.kind == ConditionKind::Unless { not(value) } else { value };
            all = and(all, holds);
        }
        match all {
            K(V::Bool(false)) => {
                outcome.status = Status::Ineligible;
                return outcome;
            }
            E(kind) => {
                outcome.status = Status::Error;
                outcome.error = Some(kind);
                return outcome;
            }
            _ => {}
        }
        let undetermined = all == U;
        let mut unknown = undetermined;
        // The outputs: each one named by a definition or by an exception.
        let mut names: Vec<&OutputName> = p.outputs.iter().map(|o| &o.name).collect();
        names.extend(p.exceptions.iter().map(|e| &e.target));
        names.dedup();
        // In the order written: of two outputs that fail, the first is the policy's error.
        let mut values: Vec<(String, R)> = Vec::new();
        for name in names {
            if !values.iter().any(|(n, _)| n == name.as_str()) {
                values.push((name.as_str().to_string(), self.in_range(p, name, self.output(p, name))));
            }
        }
        if let Some(payable) = self.payable(p, &values) {
            values.push(("payable".into(), payable));
        }
        for (name, value) in values {
            match value {
                K(v) => drop(outcome.outputs.insert(name, v)),
                U => unknown = true,
                // An error in an output of a policy whose conditions are still unknown is set
                // aside: those facts may yet make the policy ineligible.
                E(_) if undetermined => {}
                E(kind) => {
                    outcome.status = Status::Error;
                    outcome.error = Some(kind);
                    outcome.outputs.clear();
                    return outcome;
                }
            }
        }
        outcome.status = if unknown { Status::Undetermined } else { Status::Eligible };
        outcome
    }

    /// An output's value: the exceptions that apply, else the base definition (LANGUAGE
    /// "exceptions"; guide 2.8 `exception`).
    fn output(&self, p: &ast::PolicyDecl, name: &OutputName) -> R {
        let mut applicable: Vec<V> = Vec::new();
        let mut may_apply = false;
        for e in p.exceptions.iter().filter(|e| &e.target == name) {
            match self.eval(&e.when) {
                K(V::Bool(true)) => match self.eval(&e.value) {
                    K(v) => applicable.push(v),
                    U => may_apply = true,
                    E(kind) => return E(kind),
                },
                // "When it is unknown whether an exception applies, the output is unknown."
                U => may_apply = true,
                E(kind) => return E(kind),
                K(_) => {}
            }
        }
        if may_apply {
            return U;
        }
        match applicable.split_first() {
            // "Two exceptions that both apply and disagree are an evaluation error."
            Some((first, rest)) if rest.iter().any(|v| !equal(v, first)) => E(ErrorKind::ExceptionsDisagree),
            Some((first, _)) => K(first.clone()),
            None => match p.outputs.iter().find(|o| &o.name == name) {
                Some(base) => self.eval(&base.value),
                // "No definition applying is also an error."
                None => E(ErrorKind::NoDefinition),
            },
        }
    }

    /// An amount, a fee or a waiver within its range (money: zero or more; a share: 0 to 1).
    fn in_range(&self, p: &ast::PolicyDecl, name: &OutputName, value: R) -> R {
        let K(V::Num(n)) = &value else { return value };
        let share = *name == OutputName::Waiver && self.r.shares.contains(&p.name.name);
        let within = match name {
            OutputName::Named(_) => true,
            _ if share => !n.is_negative() && *n <= BigRational::one(),
            _ => !n.is_negative(),
        };
        if within {
            value
        } else {
            E(ErrorKind::MoneyOutOfRange)
        }
    }

    /// `payable` = fee − waiver, never below zero; a decimal waiver is a share of the fee (guide
    /// 2.8 `fee` and `waiver`; docs/report.md "Outputs").
    fn payable(&self, p: &ast::PolicyDecl, values: &[(String, R)]) -> Option<R> {
        let get = |name: &str| values.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let fee = get("fee")?;
        let Some(waiver) = get("waiver") else { return Some(fee.clone()) };
        Some(match (fee, waiver) {
            (E(k), _) | (_, E(k)) => E(k.clone()),
            (U, _) | (_, U) => U,
            (K(V::Num(fee)), K(V::Num(waiver))) => {
                let reduction = if self.r.shares.contains(&p.name.name) { fee * waiver } else { waiver.clone() };
                let rest = fee - self.checked(Ok(V::Num(reduction))).ok().and_then(|v| num(&v))?;
                self.checked(Ok(V::Num(if rest.is_negative() { BigRational::zero() } else { rest }))).map_or_else(E, K)
            }
            _ => return None,
        })
    }

    /// Notes a computed number the engine cannot hold exactly (see [`Flags`]).
    fn checked(&self, result: Result<V, ErrorKind>) -> Result<V, ErrorKind> {
        if let Ok(V::Num(n)) = &result {
            let mut flags = self.flags.get();
            flags.huge |= n.abs() >= BigRational::from_integer(BigInt::from(i64::MAX));
            self.flags.set(flags);
        }
        result
    }

    // ── expressions (guide 2.11) ──

    fn eval(&self, e: &Expr) -> R {
        match &e.kind {
            ExprKind::Literal(lit) => K(literal(lit)),
            ExprKind::Today => K(V::Date(self.today)),
            ExprKind::Name(name) => self.name(name),
            ExprKind::Unary(UnaryOp::Not, a) => not(self.eval(a)),
            ExprKind::Unary(UnaryOp::Neg, a) => match self.eval(a) {
                K(V::Num(n)) => self.checked(Ok(V::Num(-n))).map_or_else(E, K),
                other => other,
            },
            ExprKind::Binary(BinaryOp::And, a, b) => and(self.eval(a), self.eval(b)),
            ExprKind::Binary(BinaryOp::Or, a, b) => not(and(not(self.eval(a)), not(self.eval(b)))),
            // `x in [a, b]` is `x == a or x == b`.
            ExprKind::Binary(BinaryOp::In, needle, list) => {
                let ExprKind::List(items) = &list.kind else { return U };
                let needle = self.eval(needle);
                items.iter().fold(K(V::Bool(false)), |found, item| {
                    let is =
                        strict(&[needle.clone(), self.eval(item)], |v| Ok(V::Bool(matches!(v, [a, b] if equal(a, b)))));
                    not(and(not(found), not(is)))
                })
            }
            ExprKind::Binary(op, a, b) => strict(&[self.eval(a), self.eval(b)], |v| match v {
                [a, b] => self.checked(binary(*op, a, b)),
                _ => Ok(V::Bool(false)),
            }),
            ExprKind::If(c, a, b) => {
                let (a_, b_) = (|| self.eval(a), || self.eval(b));
                match self.eval(c) {
                    K(V::Bool(true)) => a_(),
                    K(V::Bool(false)) => b_(),
                    // Unknown or failing condition: settled only by branches that agree; unknown
                    // while a missing fact could still make them agree (guide 2.11).
                    cond => match (a_(), b_()) {
                        (K(x), K(y)) if equal(&x, &y) => K(x),
                        // Both fail: the first error met, the condition's if it failed.
                        (E(k), E(_)) if cond == U => E(k),
                        (K(_), K(_)) if cond == U => U,
                        (E(_), _) | (_, E(_)) if cond == U => U,
                        (U, U) | (U, K(_)) | (K(_), U) => U,
                        _ => cond,
                    },
                }
            }
            ExprKind::Call(f, args) => self.call(&f.name, args),
            ExprKind::List(_) => U,
        }
    }

    /// Names: the current item's fields first (inside a list operation), then inputs,
    /// parameters, definitions (guide 2.1, 2.12).
    fn name(&self, name: &str) -> R {
        for item in self.items.iter().rev() {
            if self.is_field(name) {
                return item.get(name).cloned().map_or(U, K);
            }
        }
        if self.r.inputs.iter().any(|i| i.name.name == name) {
            return self.facts.get(name).cloned().map_or(U, K);
        }
        if let Some(param) = self.r.params.get(name) {
            return self.param(param);
        }
        match self.r.lets.get(name) {
            Some(value) => self.eval(value),
            None => U,
        }
    }

    fn is_field(&self, name: &str) -> bool {
        self.r.records.values().any(|r| r.fields.iter().any(|f| f.name.name == name))
    }

    /// The value in force on the evaluation date: the one with the latest start on or before
    /// it, unless it has ended; none is an error, never zero (LANGUAGE "Parameters"; guide 2.5).
    fn param(&self, p: &ast::ParamDecl) -> R {
        let started = p.values.iter().filter(|v| v.from.is_none_or(|f| days(f.date) <= self.today));
        let current = started.max_by_key(|v| v.from.map(|f| days(f.date)));
        match current {
            Some(v) if v.until.is_none_or(|u| self.today <= days(u.date)) => K(literal(&v.value.kind)),
            _ => E(ErrorKind::ParamNoValue),
        }
    }

    fn call(&self, f: &str, args: &[Expr]) -> R {
        if let Some(table) = self.r.tables.get(f) {
            let keys: Vec<R> = args.iter().map(|a| self.eval(a)).collect();
            return strict_r(&keys, |keys| self.lookup(table, keys));
        }
        // The list operations (guide 2.12); `min` and `max` are one when their first argument is a
        // list: a list input, or `filter(…)`, the only lists there are.
        let over_list = matches!(f, "count" | "sum" | "any" | "all" | "filter")
            || (matches!(f, "min" | "max") && args.first().is_some_and(|a| self.is_list(a)));
        if over_list {
            return match args.first().map(|list| self.eval(list)) {
                Some(K(V::List(items))) => self.list_op(f, &items, args.get(1)),
                Some(K(_)) | None => U,
                Some(other) => other,
            };
        }
        let values: Vec<R> = args.iter().map(|a| self.eval(a)).collect();
        strict(&values, |v| self.checked(builtin(f, v)))
    }

    fn is_list(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(n) => {
                let input = self.r.inputs.iter().any(|i| &i.name.name == n && matches!(i.ty, TypeExpr::ListOf(..)));
                input || self.r.lets.get(n).is_some_and(|e| self.is_list(e))
            }
            ExprKind::Call(f, _) => f.name == "filter",
            _ => false,
        }
    }

    /// A table lookup (guide 2.7): the first row whose cells all match (a `unique` table has at
    /// most one, the checker saw to that), else `otherwise`, else an error.
    fn lookup(&self, table: &ast::TableDecl, keys: &[V]) -> R {
        let matches = |row: &&ast::TableRow| {
            !row.otherwise && row.cells.iter().zip(keys).all(|(cell, key)| cell_matches(&cell.kind, key))
        };
        match table.rows.iter().find(matches).or_else(|| table.rows.iter().find(|r| r.otherwise)) {
            Some(row) => self.eval(&row.value),
            None => E(ErrorKind::NoTableRow),
        }
    }

    /// count, sum, any, all, filter, min, max over a list (guide 2.12, 2.11: over an unknown list
    /// unknown; `any` true on one true item and `all` false on one false item whatever the
    /// others; otherwise unknown if any item is).
    fn list_op(&self, f: &str, items: &Rc<Vec<Item_>>, body: Option<&Expr>) -> R {
        let Some(body) = body else { return K(V::Num(int(items.len() as i64))) };
        let values: Vec<R> = items
            .iter()
            .map(|item| {
                let mut inner = Env {
                    r: self.r,
                    facts: self.facts,
                    today: self.today,
                    items: self.items.clone(),
                    flags: self.flags,
                };
                inner.items.push(item.clone());
                inner.eval(body)
            })
            .collect();
        match f {
            "any" => values.into_iter().fold(K(V::Bool(false)), |a, b| not(and(not(a), not(b)))),
            "all" => values.into_iter().fold(K(V::Bool(true)), and),
            _ => strict_r(&values, |vs| match f {
                "count" => K(V::Num(int(vs.iter().filter(|v| **v == V::Bool(true)).count() as i64))),
                "filter" => K(V::List(Rc::new(
                    items.iter().zip(vs).filter(|(_, v)| **v == V::Bool(true)).map(|(i, _)| i.clone()).collect(),
                ))),
                "sum" => match vs.iter().try_fold(BigRational::zero(), |t, v| num(v).map(|n| t + n)) {
                    Some(total) => self.checked(Ok(V::Num(total))).map_or_else(E, K),
                    None => U,
                },
                // min, max: of an empty list an error (guide 2.12).
                _ => builtin(f, vs).map_or_else(E, K),
            }),
        }
    }
}

// ── three-valued logic (LANGUAGE "Missing data"; guide 2.11 tables) ──

fn not(a: R) -> R {
    match a {
        K(V::Bool(b)) => K(V::Bool(!b)),
        other => other,
    }
}

/// Kleene's `and`; an error is settled by a false other side, and is unknown while the other
/// side is unknown (guide 2.11: "While a missing fact could still settle the answer …").
fn and(a: R, b: R) -> R {
    match (a, b) {
        (K(V::Bool(false)), _) | (_, K(V::Bool(false))) => K(V::Bool(false)),
        (U, _) | (_, U) => U,
        (E(k), _) | (_, E(k)) => E(k),
        (K(V::Bool(true)), K(V::Bool(true))) => K(V::Bool(true)),
        _ => U,
    }
}

/// Every other operation: an error if a part fails (the first), unknown if a part is unknown.
fn strict(parts: &[R], f: impl FnOnce(&[V]) -> Result<V, ErrorKind>) -> R {
    strict_r(parts, |v| match f(v) {
        Ok(v) => K(v),
        Err(k) => E(k),
    })
}

fn strict_r(parts: &[R], f: impl FnOnce(&[V]) -> R) -> R {
    if let Some(E(k)) = parts.iter().find(|p| matches!(p, E(_))) {
        return E(k.clone());
    }
    if parts.contains(&U) {
        return U;
    }
    let known: Vec<V> = parts.iter().filter_map(|p| if let K(v) = p { Some(v.clone()) } else { None }).collect();
    f(&known)
}

// ── values ──

fn int(i: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(i))
}

fn num(v: &V) -> Option<BigRational> {
    if let V::Num(n) = v {
        Some(n.clone())
    } else {
        None
    }
}

/// The exact value of a decimal.
pub fn decimal(d: &rust_decimal::Decimal) -> BigRational {
    BigRational::new(BigInt::from(d.mantissa()), BigInt::from(10).pow(d.scale()))
}

/// A decimal number as written in data: `-12.50`, `3600`, `1e3`.
pub fn rational(text: &str) -> Option<BigRational> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: BigInt = format!("{whole}{fraction}").parse().ok()?;
    let scale = exponent - i32::try_from(fraction.len()).ok()?;
    let ten = BigInt::from(10);
    Some(if scale >= 0 {
        BigRational::from_integer(digits * ten.pow(scale.unsigned_abs()))
    } else {
        BigRational::new(digits, ten.pow(scale.unsigned_abs()))
    })
}

fn literal(lit: &LitKind) -> V {
    match lit {
        LitKind::Int(i) => V::Num(int(*i)),
        LitKind::Decimal(d) | LitKind::Money(d) | LitKind::Percent(d) => V::Num(decimal(d)),
        LitKind::Date(d) => V::Date(days(*d)),
        LitKind::Text(t) => V::Text(t.clone()),
        LitKind::Bool(b) => V::Bool(*b),
    }
}

fn equal(a: &V, b: &V) -> bool {
    a == b
}

fn cell_matches(cell: &CellKind, key: &V) -> bool {
    match cell {
        CellKind::Any => true,
        CellKind::Value(lit) => equal(&literal(&lit.kind), key),
        CellKind::Band { low, high, high_open } => {
            let above = low.as_ref().is_none_or(|l| order(&literal(&l.kind), key).is_some_and(|o| o.is_le()));
            let below = high.as_ref().is_none_or(|h| {
                order(key, &literal(&h.kind)).is_some_and(|o| if *high_open { o.is_lt() } else { o.is_le() })
            });
            above && below
        }
    }
}

fn order(a: &V, b: &V) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (V::Num(x), V::Num(y)) => Some(x.cmp(y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn binary(op: BinaryOp, a: &V, b: &V) -> Result<V, ErrorKind> {
    use BinaryOp as B;
    let o = order(a, b);
    Ok(match (op, a, b) {
        (B::Eq, ..) => V::Bool(equal(a, b)),
        (B::Ne, ..) => V::Bool(!equal(a, b)),
        (B::Lt, ..) => V::Bool(o.is_some_and(|o| o.is_lt())),
        (B::Le, ..) => V::Bool(o.is_some_and(|o| o.is_le())),
        (B::Gt, ..) => V::Bool(o.is_some_and(|o| o.is_gt())),
        (B::Ge, ..) => V::Bool(o.is_some_and(|o| o.is_ge())),
        (B::Add, V::Num(x), V::Num(y)) => V::Num(x + y),
        (B::Sub, V::Num(x), V::Num(y)) => V::Num(x - y),
        (B::Mul, V::Num(x), V::Num(y)) => V::Num(x * y),
        (B::Div, V::Num(_), V::Num(y)) if y.is_zero() => return Err(ErrorKind::DivisionByZero),
        (B::Div, V::Num(x), V::Num(y)) => V::Num(x / y),
        // The checker admits nothing else.
        _ => V::Bool(false),
    })
}

// ── built-in functions (guide 2.12) ──

fn builtin(f: &str, v: &[V]) -> Result<V, ErrorKind> {
    let n = |i: usize| v.get(i).and_then(num).unwrap_or_else(BigRational::zero);
    let d = |i: usize| match v.get(i) {
        Some(V::Date(d)) => *d,
        _ => 0,
    };
    let whole = |i: usize| n(i).to_integer().to_i64().unwrap_or(i64::MAX);
    let date = |days: Option<i64>| days.filter(|d| in_calendar(*d)).map(V::Date).ok_or(ErrorKind::BadDate);
    let count = |x: i64| Ok(V::Num(int(x)));
    match f {
        "age" => count(age(d(0), d(1))),
        "months_between" => count(months_between(d(0), d(1))),
        "calendar_months" => count(calendar_months(d(0), d(1))),
        "days_between" => count(d(1) - d(0)),
        "add_days" => date(d(0).checked_add(whole(1))),
        "add_months" => date(add_months(d(0), whole(1))),
        "add_years" => date(whole(1).checked_mul(12).and_then(|m| add_months(d(0), m))),
        "start_of_month" => {
            let (y, m, _) = civil(d(0));
            date(Some(from_civil(y, m, 1)))
        }
        "end_of_month" => {
            let (y, m, _) = civil(d(0));
            date(Some(from_civil(y, m, month_length(y, m))))
        }
        "year" => count(civil(d(0)).0),
        "month" => count(civil(d(0)).1),
        "day" => count(civil(d(0)).2),
        "date" => {
            let (y, m, dd) = (whole(0), whole(1), whole(2));
            let real = (1..=12).contains(&m) && dd >= 1 && (1..=9999).contains(&y) && dd <= month_length(y, m);
            if real {
                date(Some(from_civil(y, m, dd)))
            } else {
                Err(ErrorKind::BadDate)
            }
        }
        "min" | "max" => {
            let mut best = v.first().ok_or(ErrorKind::EmptyList)?;
            for x in v {
                let better = order(x, best).is_some_and(|o| if f == "min" { o.is_lt() } else { o.is_gt() });
                if better {
                    best = x;
                }
            }
            Ok(best.clone())
        }
        "abs" => Ok(V::Num(n(0).abs())),
        "round" | "floor" | "ceil" => {
            let places = if v.len() > 1 { whole(1) } else { 0 };
            if !(0..=28).contains(&places) {
                return Err(ErrorKind::DecimalPlaces);
            }
            let scale = BigRational::from_integer(BigInt::from(10).pow(places as u32));
            let x = n(0) * &scale;
            // Half away from zero for `round` (guide 2.12: 2.345 → 2.35; −2.5 → −3).
            let rounded = match f {
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                _ => x.round(),
            };
            Ok(V::Num(rounded / scale))
        }
        _ => Ok(V::Bool(false)),
    }
}

// ── the calendar (LANGUAGE "Time"; guide 2.12), proleptic Gregorian, days since 0000-03-01 ──

/// The day number of a date.
pub fn days(date: Date) -> i64 {
    from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day()))
}

fn from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Years start on 1 March, so that the leap day is the year's last.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
}

/// (year, month, day) of a day number.
pub fn civil(days: i64) -> (i64, i64, i64) {
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn month_length(y: i64, m: i64) -> i64 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn in_calendar(days: i64) -> bool {
    (1..=9999).contains(&civil(days).0)
}

/// Completed years (周岁): the birthday counts on the day itself; 29 February counts on 1 March
/// in common years, which is what comparing (month, day) pairs gives.
fn age(birth: i64, on: i64) -> i64 {
    let ((by, bm, bd), (y, m, d)) = (civil(birth), civil(on));
    y - by - i64::from((m, d) < (bm, bd))
}

/// Whole months from `start` to `end`: complete on the same day of the month, or on the last day
/// of a shorter month; negative if `end` is earlier.
fn months_between(start: i64, end: i64) -> i64 {
    if end < start {
        return -months_between(end, start);
    }
    let ((sy, sm, sd), (ey, em, ed)) = (civil(start), civil(end));
    let months = (ey - sy) * 12 + em - sm;
    let complete = ed >= sd || ed == month_length(ey, em);
    months - i64::from(!complete)
}

/// Calendar months from the month of `first` through the month of `last`, both included; 0 if
/// `first` is later.
fn calendar_months(first: i64, last: i64) -> i64 {
    let ((fy, fm, _), (ly, lm, _)) = (civil(first), civil(last));
    ((ly * 12 + lm) - (fy * 12 + fm) + 1).max(0)
}

/// The date `n` months on; a day that does not exist in the target month becomes its last day.
fn add_months(date: i64, n: i64) -> Option<i64> {
    let (y, m, d) = civil(date);
    let index = (y * 12 + m - 1).checked_add(n)?;
    let (y, m) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    if !(1..=9999).contains(&y) {
        return None;
    }
    Some(from_civil(y, m, d.min(month_length(y, m))))
}
