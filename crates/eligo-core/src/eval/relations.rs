//! Relations between policies, so that a report never promises two benefits the law says cannot
//! be combined: `highest of` groups (就高不就低) and `excludes` (the excluding policy wins).
//! Both follow the three-valued logic: while the winner is not known, neither is the loser.
//!
//! Groups are settled first, then exclusions: a policy that loses its group is not granted, so it
//! excludes nothing.

use super::policy::PolicyOutcome;
use super::{EvalError, EvalErrorKind, Relation};
use crate::limits::MAX_RELATION_WORK;
use crate::program::{Arith, Program};
use crate::value::{Missing, Value};
use crate::vocabulary::{OutputName, Period, Status};
use std::cmp::Ordering;

pub fn settle(program: &Program, outcomes: &mut [PolicyOutcome]) {
    crate::value::take_union_work();
    let mut work: u64 = 0;
    for group in &program.groups {
        if work > MAX_RELATION_WORK {
            for &m in &group.members {
                unsettled(program, outcomes, m as usize, Relation::Group(group.name.clone()));
            }
            continue;
        }
        settle_group(program, &group.members, outcomes);
        work += (group.members.len() * group.members.len()) as u64 + crate::value::take_union_work();
    }
    // Who excludes each policy was gathered when the rules were checked: looking through every
    // policy for every policy here was quadratic, seconds for 20,000 policies (robustness).
    for &b in &program.relation_order {
        let by = program.excluders.get(b as usize).map_or(&[][..], Vec::as_slice);
        if by.is_empty() {
            continue;
        }
        if work > MAX_RELATION_WORK {
            let a = &program.policies[by[0] as usize].id;
            unsettled(program, outcomes, b as usize, Relation::ExcludedBy(a.clone()));
            continue;
        }
        for &a in by {
            yield_to(outcomes, a as usize, b as usize);
        }
        work += by.len() as u64 + crate::value::take_union_work();
    }
}

/// A policy whose relation could not be settled within `MAX_RELATION_WORK`: an error, so that
/// it is never reported as granted alongside a benefit it cannot be combined with.
fn unsettled(program: &Program, outcomes: &mut [PolicyOutcome], policy: usize, relation: Relation) {
    let outcome = &mut outcomes[policy];
    if matches!(outcome.status, Status::Eligible | Status::Undetermined) {
        outcome.status = Status::Error;
        outcome.missing = Missing::default();
        outcome.error = Some(EvalError::new(EvalErrorKind::Unsettled { relation }, program.policies[policy].span));
    }
}

/// In a group only the highest amount is granted; ties go to the member listed first.
fn settle_group(program: &Program, members: &[u32], outcomes: &mut [PolicyOutcome]) {
    // Decided on the statuses before the group, not on each other's changes.
    let before: Vec<(usize, Status, [Option<Yearly>; 2], Missing)> = members
        .iter()
        .map(|&m| {
            let m = m as usize;
            (m, outcomes[m].status, yearly_range(program, &outcomes[m], m), outcomes[m].missing.clone())
        })
        .filter(|(_, status, ..)| matches!(status, Status::Eligible | Status::Undetermined))
        .collect();
    // `x` is above `y` (`first`: or equal, and listed first); not known, not above.
    let above = |x: &Option<Yearly>, y: &Option<Yearly>, first: bool| match (x, y) {
        (Some(x), Some(y)) => match order(x, y) {
            Ordering::Equal => first,
            order => order == Ordering::Greater,
        },
        _ => false,
    };
    for (rank, (m, _, [low, high], _)) in before.iter().enumerate() {
        for (other_rank, (n, n_status, [n_low, n_high], n_missing)) in before.iter().enumerate() {
            if n == m {
                continue;
            }
            // An amount not known may be anything within its bounds (unbounded: anything).
            if above(low, n_high, rank < other_rank) {
                continue;
            }
            let outcome = &mut outcomes[*m];
            // `n` pays more whatever the amounts turn out to be. (Not over one that may yet be an
            // error: an error is not a lost group.)
            if *n_status == Status::Eligible && above(n_low, high, other_rank < rank) && !outcome.may_fail {
                outcome.status = Status::Ineligible;
                outcome.excluded_by = Some(*n as u32);
                outcome.missing = Missing::default();
                outcome.granted_missing = Missing::default();
                break;
            }
            // `n` might still be granted instead: this one waits on what `n` waits on, and
            // whether it is granted on its own amount and on `n`'s.
            outcome.status = Status::Undetermined;
            outcome.missing.absorb(n_missing);
            outcome.granted_missing = outcome.missing.clone();
        }
    }
}

/// `a` excludes `b`: b is not granted when a is, and not known when a is not known. That holds
/// for a `b` that is (or may yet be) an error too: it is not received either way, and so giving a
/// fact that makes `b` fail never changes its answer.
fn yield_to(outcomes: &mut [PolicyOutcome], a: usize, b: usize) {
    if !matches!(outcomes[b].status, Status::Eligible | Status::Undetermined | Status::Error) {
        return;
    }
    match outcomes[a].status {
        // Granted whatever its missing facts are (they change only what it pays): `b` is not.
        Status::Eligible | Status::Undetermined if outcomes[a].granted_missing.keys().is_empty() => {
            outcomes[b].status = Status::Ineligible;
            outcomes[b].excluded_by = Some(a as u32);
            outcomes[b].missing = Missing::default();
            outcomes[b].granted_missing = Missing::default();
            outcomes[b].error = None;
        }
        Status::Undetermined => {
            let missing = outcomes[a].granted_missing.clone();
            if outcomes[b].status == Status::Error {
                // Its error is its answer if `a` is not granted: it may yet be one.
                outcomes[b].may_fail = true;
                outcomes[b].error = None;
            }
            outcomes[b].status = Status::Undetermined;
            outcomes[b].missing.absorb(&missing);
            outcomes[b].granted_missing.absorb(&missing);
        }
        _ => {}
    }
}

/// An amount over a year, to compare monthly with yearly payments: (tier, amount). Twelve times a
/// monthly amount near the largest decimal does not fit in one (found by fuzzing: such a known
/// amount was taken for an unknown one, and the group was undetermined with nothing to ask): it is
/// above every yearly amount that fits (tier 1; amounts are never negative), and among its like,
/// ordered by the monthly amount.
type Yearly = (i8, Value);

/// The order of two yearly amounts: by tier, then exactly (a ratio as well as a decimal).
fn order(x: &Yearly, y: &Yearly) -> Ordering {
    x.0.cmp(&y.0).then_with(|| x.1.compare(&y.1).unwrap_or(Ordering::Equal))
}

/// The lowest and the highest yearly amount a member may pay: its amount, or the bounds of an
/// amount not known yet.
fn yearly_range(program: &Program, outcome: &PolicyOutcome, policy: usize) -> [Option<Yearly>; 2] {
    let def = &program.policies[policy];
    let (Some(output), Some(amount)) = (def.output(&OutputName::Amount), outcome.amount(def)) else {
        return [None, None];
    };
    let [low, high] = match amount {
        Value::Unknown(_) => &outcome.amount_bounds,
        known => &[Some(known.clone()), Some(known.clone())],
    };
    [low, high].map(|bound| yearly(output.period, bound.as_ref()?))
}

fn yearly(period: Option<Period>, amount: &Value) -> Option<Yearly> {
    if !matches!(amount, Value::Int(_) | Value::Dec(_) | Value::Ratio(_)) {
        return None;
    }
    Some(match period {
        Some(Period::Monthly) => match crate::number::arith(Arith::Mul, amount, &Value::Int(12)) {
            Some(yearly) => (0, yearly),
            None => (1, amount.clone()),
        },
        _ => (0, amount.clone()),
    })
}
