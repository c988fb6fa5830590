//! The engine against the reference, field by field, on one citizen and date: every engine path
//! (the full report, the lean `decide`, the precompiled program) must give the reference's status
//! per policy, its outputs (money exactly and as printed at the fen), its errors (the same policies,
//! the same kind), and for an undetermined policy a `missing` list that holds every fact the
//! reference finds relevant (soundness), the same on every path.

use crate::{decimal, money_text, rational, ErrorKind, Outcome, Reference, Status, V};
use eligo::{ffi, Engine};
use eligo_core::report::{Report, Value as Shown};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Signed;
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;

/// Where the engine is known to differ from the language's semantics, fixed on other branches
/// (issue #13): each `true` here makes the comparison skip or tolerate that class. Remove an entry
/// once its fix is merged, and the differential tests hold the engine to it.
pub const KNOWN_DIVERGENCES: Known = Known {
    // The engine's `missing` may name facts that cannot change the answer (branch "missing").
    // Facts it omits are never tolerated: that is a finding whatever this says.
    extra_missing: true,
};

#[derive(Clone, Copy, Debug)]
pub struct Known {
    pub extra_missing: bool,
}

/// What one comparison found.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Why the case was not compared (the data refused, a known divergence, an engine limit).
    pub skipped: Option<&'static str>,
    /// Differences: each is a finding.
    pub differences: Vec<String>,
    /// Facts the engine lists as missing that no single value changed (reported, not failed,
    /// while `KNOWN_DIVERGENCES.extra_missing`).
    pub extra_missing: Vec<String>,
    /// Errors whose kind the engine reports before a missing fact is given, where giving it lets
    /// an earlier part fail first (docs/language.md 2.11: the status stays `error`, the kind may
    /// change): reported, not failed.
    pub unstable_error_kinds: Vec<String>,
}

impl Verdict {
    fn skip(why: &'static str) -> Verdict {
        Verdict { skipped: Some(why), ..Verdict::default() }
    }
}

/// Compares `engine` (and `loaded`, the same rules through `to_bytes`/`load`) with `reference` on
/// `data` and `date`. With `relevance`, the soundness of `missing` is checked too (it costs one
/// reference evaluation per missing fact and value tried).
pub fn compare(
    engine: &Engine,
    loaded: &Engine,
    reference: &Reference,
    data: &Json,
    date: &str,
    relevance: bool,
) -> Verdict {
    let (Json::Object(map), Some(day)) = (data, eligo_core::date::Date::parse(date)) else {
        return Verdict::skip("not an object or not a date");
    };
    let Ok(report) = ffi::evaluate(engine, data, date, ffi::options(Some("en"), false)) else {
        return Verdict::skip("the engine refused the data");
    };
    let (outcomes, flags) = reference.evaluate(map, day);
    if flags.huge {
        return Verdict::skip("a number beyond 2^63: the engine may overflow (accepted)");
    }
    if report.policies.iter().any(|p| p.error.as_ref().is_some_and(|e| engine_limit(&e.message))) {
        return Verdict::skip("an engine limit (overflow, steps, relations)");
    }
    let mut verdict = Verdict::default();
    let mut verdict_notes = Vec::new();
    let d = &mut verdict.differences;
    if report.policies.len() != outcomes.len() {
        d.push(format!("{} policies in the report, {} in the reference", report.policies.len(), outcomes.len()));
        return verdict;
    }
    for (i, (p, o)) in report.policies.iter().zip(&outcomes).enumerate() {
        if p.id != o.id {
            d.push(format!("policy order: {} in the report where the reference has {}", p.id, o.id));
            continue;
        }
        // The engine settles more than Kleene's logic does (bounds, equal branches, relations:
        // docs/report.md, "Missing facts"): then every way of giving the missing facts must give
        // its answer.
        if o.status == Status::Undetermined && p.status != Status::Undetermined {
            // (Not the kind of an error: giving a fact may make an earlier part fail first.)
            if let Err(difference) = settled_every_way(engine, reference, map, day, i, p, false) {
                d.push(difference);
            }
            continue;
        }
        if p.status != o.status {
            d.push(format!("{}: the engine says {:?}, the reference {:?} ({:?})", p.id, p.status, o.status, o.error));
            continue;
        }
        if p.status == Status::Eligible {
            compare_outputs(&p.id, &p.outputs, o, d);
        }
        if let (Some(e), Some(kind)) = (&p.error, &o.error) {
            match error_kind(&e.message) {
                Some(k) if &k == kind => {}
                // Which error comes first (docs/language.md 2.11) may wait on a part the reference
                // leaves unknown and the engine settles (`0 * x` before a parameter without a
                // value): then every way of giving the missing facts must give the engine's error.
                // With no fact missing, the one way is the data itself.
                Some(_) if settled_every_way(engine, reference, map, day, i, p, true).is_ok() => {}
                Some(_) if !reference.candidates(map).is_empty() => verdict_notes
                    .push(format!("{}: the engine's error \"{}\", the reference's {kind:?}", p.id, e.message)),
                _ => d.push(format!("{}: the engine's error \"{}\", the reference's {kind:?}", p.id, e.message)),
            }
        }
    }
    // The lean path: the same status and amount as the report.
    match ffi::decide(engine, data, date) {
        Ok(decisions) => {
            for (decision, p) in decisions.iter().zip(&report.policies) {
                let amount = p.outputs.get("amount").map(|a| a.to_string());
                if decision.status != p.status || (p.status == Status::Eligible && decision.amount != amount) {
                    d.push(format!(
                        "{}: decide says {:?} {:?}, the report {:?} {:?}",
                        p.id, decision.status, decision.amount, p.status, amount
                    ));
                }
            }
        }
        Err(e) => d.push(format!("decide refused what evaluate took: {e:?}")),
    }
    // The precompiled program: the very same report.
    match ffi::evaluate(loaded, data, date, ffi::options(Some("en"), false)) {
        Ok(again) if again == report => {}
        Ok(again) => d.push(format!("the precompiled program's report differs:\n{report:?}\n{again:?}")),
        Err(e) => d.push(format!("the precompiled program refused the data: {e:?}")),
    }
    if relevance && report.policies.iter().any(|p| p.status == Status::Undetermined) {
        soundness(engine, reference, map, date, &report, &outcomes, &mut verdict);
    }
    verdict.unstable_error_kinds = verdict_notes;
    verdict
}

/// The engine's errors that are its limits, not the language's: where the reference has a value.
fn engine_limit(message: &str) -> bool {
    ["too large", "steps", "missing facts than a report names", "could not be settled", "excludes it", "group `"]
        .iter()
        .any(|m| message.contains(m))
}

/// The kind of an engine error, from its English message (the report carries no kind).
fn error_kind(message: &str) -> Option<ErrorKind> {
    let kinds = [
        ("division by zero", ErrorKind::DivisionByZero),
        ("has no value on", ErrorKind::ParamNoValue),
        ("no row of table", ErrorKind::NoTableRow),
        ("of an empty list", ErrorKind::EmptyList),
        ("outside the years 1 to 9999", ErrorKind::BadDate),
        ("is not a date in the calendar", ErrorKind::BadDate),
        ("decimal places", ErrorKind::DecimalPlaces),
        ("is never negative", ErrorKind::MoneyOutOfRange),
        ("between 0% and 100%", ErrorKind::MoneyOutOfRange),
        ("two exceptions apply and disagree", ErrorKind::ExceptionsDisagree),
        ("no definition of", ErrorKind::NoDefinition),
    ];
    kinds.into_iter().find(|(m, _)| message.contains(m)).map(|(_, k)| k)
}

fn compare_outputs(id: &str, shown: &eligo_core::report::Outputs, o: &Outcome, d: &mut Vec<String>) {
    let names: BTreeSet<&str> = shown.iter().map(|(n, _)| n).filter(|n| *n != "period").collect();
    let expected: BTreeSet<&str> = o.outputs.keys().map(String::as_str).collect();
    if names != expected {
        d.push(format!("{id}: outputs {names:?}, the reference {expected:?}"));
        return;
    }
    for (name, value) in shown.iter().filter(|(n, _)| *n != "period") {
        let Some(reference) = o.outputs.get(name) else { continue };
        let same = match (value, reference) {
            // Money: the text at the fen, and the exact value where a decimal holds it (a report
            // carries a value no decimal holds, 1000/3, rounded: docs/report.md).
            (Shown::Money(m), V::Num(n)) => {
                eligo_core::report::money(*m) == money_text(n) && (!fits_decimal(n) || decimal(m) == *n)
            }
            (Shown::Decimal(x), V::Num(n)) => decimal(x) == *n || (!fits_decimal(n) && near(x, n)),
            (Shown::Int(i), V::Num(n)) => rational(&i.to_string()).as_ref() == Some(n),
            (Shown::Bool(a), V::Bool(b)) => a == b,
            (Shown::Text(a), V::Text(b)) => **a == **b,
            (Shown::Date(a), V::Date(b)) => crate::days(*a) == *b,
            _ => false,
        };
        if !same {
            d.push(format!("{id}: {name} = {value}, the reference {}", crate::show(reference)));
        }
    }
}

/// Whether `n` is a decimal of at most 28 places with a 96-bit mantissa: a value the report
/// carries exactly.
fn fits_decimal(n: &BigRational) -> bool {
    let mut scaled = n.clone();
    for _ in 0..=28 {
        if scaled.is_integer() {
            return scaled.to_integer().abs().bits() <= 96;
        }
        scaled *= BigInt::from(10);
    }
    false
}

/// Whether a decimal is `n` rounded at its last place: within half a unit of it.
fn near(x: &rust_decimal::Decimal, n: &BigRational) -> bool {
    let half = BigRational::new(BigInt::from(1), BigInt::from(2) * BigInt::from(10).pow(x.scale()));
    (decimal(x) - n).abs() <= half
}

/// Soundness of `missing`: a fact the engine does not list must not settle an undetermined
/// policy when given alone (for any value tried that the engine accepts). A fact listed that no
/// value tried settled is noted as possibly unneeded.
fn soundness(
    engine: &Engine,
    reference: &Reference,
    data: &Map<String, Json>,
    date: &str,
    report: &Report,
    outcomes: &[Outcome],
    verdict: &mut Verdict,
) {
    let Some(day) = eligo_core::date::Date::parse(date) else { return };
    // Per policy, the facts that settled it when given alone.
    let mut settled: Vec<BTreeSet<String>> = vec![BTreeSet::new(); outcomes.len()];
    // At most MAX_TRIES reference evaluations: the facts in order, a few values each (a long
    // list's later items add nothing the first ones do not).
    let tries = reference
        .candidates(data)
        .into_iter()
        .flat_map(|(path, values)| values.into_iter().take(MAX_VALUES).map(move |value| (path.clone(), value)));
    for (path, value) in tries.take(MAX_TRIES) {
        let Some(more) = with_fact(data, &path, value) else { continue };
        let more = Json::Object(more);
        if engine.facts(&more).is_err() {
            continue; // not a value the data may hold
        }
        let Json::Object(more) = more else { continue };
        let (after, flags) = reference.evaluate(&more, day);
        if flags.huge {
            continue;
        }
        for ((facts, before), after) in settled.iter_mut().zip(outcomes).zip(&after) {
            if before.status == Status::Undetermined && after.status != Status::Undetermined {
                facts.insert(path.clone());
            }
        }
    }
    let undetermined = settled
        .iter()
        .zip(outcomes)
        .zip(&report.policies)
        .filter(|((_, o), p)| o.status == Status::Undetermined && p.status == Status::Undetermined);
    for ((facts, o), p) in undetermined {
        let listed: BTreeSet<String> = p.missing.iter().cloned().collect();
        for path in facts.difference(&listed) {
            verdict.differences.push(format!(
                "{}: giving `{path}` alone settles it, but the engine's missing {listed:?} does not name it",
                o.id
            ));
        }
        for path in listed.difference(facts) {
            verdict.extra_missing.push(format!("{}: `{path}`", o.id));
        }
    }
    if !KNOWN_DIVERGENCES.extra_missing && !verdict.extra_missing.is_empty() {
        let extra = verdict.extra_missing.join(", ");
        verdict.differences.push(format!("missing facts that no value settles: {extra}"));
    }
}

/// Values tried per missing fact, and reference evaluations per comparison, for `missing`.
const MAX_VALUES: usize = 4;
const MAX_TRIES: usize = 16;

/// Ways of giving the missing facts tried for a policy the engine settles and the reference
/// does not.
const MAX_COMPLETIONS: u64 = 48;

/// Whether the engine's answer for policy `i` (its status and outputs; with `kinds`, its kind of
/// error too), settled where the reference's three-valued logic is not, is the reference's for
/// every way tried of giving the missing facts (the candidates'
/// values, combined in a fixed pseudo-random way; the first way takes every fact's first value).
fn settled_every_way(
    engine: &Engine,
    reference: &Reference,
    data: &Map<String, Json>,
    day: eligo_core::date::Date,
    i: usize,
    settled: &eligo_core::report::PolicyResult,
    kinds: bool,
) -> Result<(), String> {
    let candidates = reference.candidates(data);
    for k in 0..MAX_COMPLETIONS {
        let mut more = data.clone();
        for (j, (path, values)) in candidates.iter().enumerate() {
            let pick = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (j as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9)) >> 7;
            let pick = if k == 0 { 0 } else { pick as usize % values.len().max(1) };
            if let Some(value) = values.get(pick) {
                more = with_fact(&more, path, value.clone()).unwrap_or(more);
            }
        }
        if engine.facts(&Json::Object(more.clone())).is_err() {
            continue; // not data the rules accept
        }
        let (after, flags) = reference.evaluate(&more, day);
        let Some(o) = after.get(i).filter(|o| o.status != Status::Undetermined && !flags.huge) else { continue };
        let mut d = Vec::new();
        if o.status != settled.status {
            d.push(format!("the reference says {:?} ({:?})", o.status, o.error));
        } else if o.status == Status::Eligible {
            compare_outputs(&settled.id, &settled.outputs, o, &mut d);
        } else if let (Some(e), Some(kind), true) = (&settled.error, &o.error, kinds) {
            if error_kind(&e.message).as_ref() != Some(kind) {
                d.push(format!("the reference's error is {kind:?}, the engine's \"{}\"", e.message));
            }
        }
        if !d.is_empty() {
            return Err(format!(
                "{}: the engine settles it as {:?} with facts missing, but with {} {}",
                settled.id,
                settled.status,
                Json::Object(more),
                d.join("; ")
            ));
        }
    }
    Ok(())
}

/// `data` with the fact at `path` (`name` or `list[i].field`) set to `value`.
fn with_fact(data: &Map<String, Json>, path: &str, value: Json) -> Option<Map<String, Json>> {
    let mut data = data.clone();
    match path.split_once('[') {
        None => drop(data.insert(path.to_string(), value)),
        Some((list, rest)) => {
            let (index, field) = rest.split_once("].")?;
            let item = data.get_mut(list)?.get_mut(index.parse::<usize>().ok()?)?.as_object_mut()?;
            item.insert(field.to_string(), value);
        }
    }
    Some(data)
}
