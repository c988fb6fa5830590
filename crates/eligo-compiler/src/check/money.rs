//! Amounts, fees and waivers that are known when the rules are checked (written from literals and
//! parameters only): one outside its range (a negative fee, a waiver of 150%) is an error here,
//! on every date a parameter it reads changes value. Those that come from the data are checked
//! on each evaluation (`eligo_core::eval::money_range`, the same rule).

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::text;
use eligo_core::date::Date;
use eligo_core::eval::expr::Env;
use eligo_core::eval::{display, display_share, money_range, MoneyRange, OnDate};
use eligo_core::limits::CONSTANT_MONEY_WORK;
use eligo_core::program::{Expr, ExprKind, Program};
use std::collections::BTreeMap;

impl Checker<'_> {
    pub(super) fn check_constant_money(&mut self) {
        // The definitions are not evaluated: a constant expression reads none.
        let probe = Program { lets: Vec::new(), let_order: Vec::new(), ..self.program.clone() };
        let mut days: BTreeMap<Date, OnDate> = BTreeMap::new();
        // Robustness: resolving the parameters on a date is work for every parameter; past the
        // budget, what is left is checked on each evaluation only.
        let mut work = 0usize;
        let mut found = Vec::new();
        for policy in &probe.policies {
            for output in &policy.outputs {
                let Some(range) = money_range(&output.name, output.ty) else { continue };
                let values = output.base.iter().chain(output.exceptions.iter().map(|e| &e.value));
                for expr in values {
                    let mut params = Vec::new();
                    if !constant(expr, &mut params) {
                        continue;
                    }
                    let mut dates: Vec<Option<Date>> = params
                        .iter()
                        .filter_map(|&p| probe.params.get(p as usize))
                        .flat_map(|p| p.timeline.iter().map(|d| d.from))
                        .collect();
                    dates.sort();
                    dates.dedup();
                    if dates.is_empty() {
                        dates.push(None);
                    }
                    for date in dates {
                        let day = date.unwrap_or(Date::EPOCH);
                        let on = match days.entry(day) {
                            std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
                            std::collections::btree_map::Entry::Vacant(new) => {
                                work += probe.params.len() + 1;
                                if work > CONSTANT_MONEY_WORK {
                                    break;
                                }
                                new.insert(OnDate::new(&probe, day))
                            }
                        };
                        let mut env = Env::new(&probe, on, &probe.unknown_inputs);
                        if let Ok(value) = env.eval(expr) {
                            if !range.holds(&value) {
                                let shown =
                                    if range == MoneyRange::Share { display_share(&value) } else { display(&value) };
                                // The parameter value that starts on that date, to show it.
                                let starting = params
                                    .iter()
                                    .filter_map(|&p| probe.params.get(p as usize))
                                    .flat_map(|p| &p.timeline)
                                    .find(|d| date.is_some() && d.from == date)
                                    .map(|d| d.span);
                                found.push((expr.span, output.name.as_str().to_string(), shown, date, starting, range));
                                break;
                            }
                        }
                    }
                }
            }
        }
        for (span, name, value, date, starting, range) in found {
            let (when_zh, when_en) = match date {
                Some(d) => (format!("从 {d} 起"), format!(" from {d}")),
                None => (String::new(), String::new()),
            };
            let (rule_zh, rule_en, help) = match range {
                MoneyRange::NotNegative => (
                    "小于零",
                    "below zero",
                    text!(
                        "金额、收费和按固定数额的减免都不会是负数；要少收，请写 `waiver`",
                        "an amount, a fee or a fixed-sum waiver is never negative; to charge less, write a `waiver`"
                    ),
                ),
                MoneyRange::Share => (
                    "超出了收费的 0%–100%",
                    "outside 0%–100% of the fee",
                    text!(
                        "把减免的比例写成 0% 到 100% 之间的百分比，例如 `waiver = 50%`",
                        "write the share of the fee waived as a percentage between 0% and 100%, like `waiver = 50%`"
                    ),
                ),
            };
            let message = text!("`{name}` {when_zh}为 {value}，{rule_zh}", "`{name}` is {value}{when_en}, {rule_en}");
            let mut diagnostic = Diagnostic::new(Code::MoneyOutOfRange, span, message)
                .with_label(text!("检查规则时即可确定", "known when the rules are checked"))
                .with_help(help);
            if let Some(starting) = starting {
                diagnostic = diagnostic
                    .with_note(starting, text!("参数从这个日期起的取值", "the parameter's value from this date"));
            }
            self.report(diagnostic);
        }
    }
}

/// Whether `expr` reads nothing of the citizen and nothing of the evaluation date but the
/// parameters' values (collected in `params`).
fn constant(expr: &Expr, params: &mut Vec<u32>) -> bool {
    let mut stack = vec![expr];
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            ExprKind::Const(_) => {}
            ExprKind::Param(p) => params.push(*p),
            ExprKind::Not(e) | ExprKind::Neg(e) => stack.push(e),
            ExprKind::And(a, b) | ExprKind::Or(a, b) | ExprKind::Compare(_, a, b) | ExprKind::Arith(_, a, b) => {
                stack.extend([&**a, &**b])
            }
            ExprKind::If(a, b, c) => stack.extend([&**a, &**b, &**c]),
            ExprKind::In(a, items) => {
                stack.push(a);
                stack.extend(items);
            }
            ExprKind::Call(_, args) => stack.extend(args),
            ExprKind::Input(_)
            | ExprKind::Let(_)
            | ExprKind::Field(_)
            | ExprKind::Today
            | ExprKind::List(..)
            | ExprKind::Table(..) => return false,
        }
    }
    true
}
