//! Relations between policies, so that a report never promises two benefits the law says cannot
//! be combined: `excludes` (the excluding policy wins) and `highest of` groups (就高不就低).
//! Both follow the three-valued logic: when the winner is not yet known, neither is the loser.

use super::policy::PolicyOutcome;
use super::value::Value;
use crate::ast::{Period, Status};
use crate::program::{Program, Type};
use rust_decimal::Decimal;

pub fn settle(program: &Program, outcomes: &mut [PolicyOutcome]) {
    for &b in &program.relation_order {
        for (a, policy) in program.policies.iter().enumerate() {
            if policy.excludes.contains(&b) {
                yield_to(outcomes, a, b as usize);
            }
        }
    }
    for group in &program.groups {
        let yearly: Vec<(usize, Option<Decimal>)> = group
            .members
            .iter()
            .map(|&m| (m as usize, yearly_amount(program, &outcomes[m as usize], m as usize)))
            .collect();
        let winner = yearly
            .iter()
            .filter(|(m, amount)| outcomes[*m].status == Status::Eligible && amount.is_some())
            .max_by(|(i, x), (j, y)| x.cmp(y).then(j.cmp(i)))
            .map(|(m, _)| *m);
        let Some(winner) = winner else { continue };
        let best = yearly.iter().find(|(m, _)| *m == winner).and_then(|(_, a)| *a);
        for &(member, amount) in &yearly {
            if member == winner {
                continue;
            }
            match outcomes[member].status {
                Status::Eligible => {
                    outcomes[member].status = Status::Ineligible;
                    outcomes[member].excluded_by = Some(winner as u32);
                }
                // An undetermined member that might pay more leaves the winner undetermined too.
                Status::Undetermined if amount.is_none_or(|a| Some(a) > best) => {
                    let missing = outcomes[member].missing.clone();
                    let won = &mut outcomes[winner];
                    won.status = Status::Undetermined;
                    won.missing.absorb(&missing);
                }
                _ => {}
            }
        }
    }
}

/// `a` excludes `b`: b is not granted when a is, and not known when a is not known.
fn yield_to(outcomes: &mut [PolicyOutcome], a: usize, b: usize) {
    if outcomes[b].status != Status::Eligible && outcomes[b].status != Status::Undetermined {
        return;
    }
    match outcomes[a].status {
        Status::Eligible => {
            outcomes[b].status = Status::Ineligible;
            outcomes[b].excluded_by = Some(a as u32);
        }
        Status::Undetermined => {
            let missing = outcomes[a].missing.clone();
            outcomes[b].status = Status::Undetermined;
            outcomes[b].missing.absorb(&missing);
        }
        _ => {}
    }
}

/// The amount over a year, to compare monthly with yearly payments.
fn yearly_amount(program: &Program, outcome: &PolicyOutcome, policy: usize) -> Option<Decimal> {
    let def = &program.policies[policy];
    let output = def.outputs.iter().find(|o| o.name == crate::ast::OutputName::Amount)?;
    debug_assert_eq!(output.ty, Type::Money);
    let amount = match outcome.amount(def)? {
        Value::Unknown(_) => return None,
        value => value.as_decimal()?,
    };
    match output.period {
        Some(Period::Monthly) => amount.checked_mul(Decimal::from(12)),
        _ => Some(amount),
    }
}
