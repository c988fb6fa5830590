//! Many records on one date → a status byte and an amount per policy: screening without reports.
//!
//! Records arrive as cells, one per input, record after record: a [`tag`] byte and a number beside
//! it. The encoding is a contract with the JavaScript half of the decider
//! (crates/eligo-wasm/js/boundary.js), which writes the cells straight into the buffers of a
//! [`Batch`] and reads the statuses and amounts back in place: records never cross the boundary as
//! objects. A text crosses once ([`Batch::intern`]) and is read once; lists and objects (rare) come
//! as JSON values beside the batch. Each method takes the [`Program`] the batch was made for (a
//! borrow could not cross the WebAssembly boundary).

use crate::eval::{self, Depth, OnDate, PolicyOutcome};
use crate::facts;
use crate::program::Program;
use crate::report::FactProblem;
use crate::value::Value;
use crate::vocabulary::Status;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value as Json;

/// How one input of one record is encoded: a tag, and a number beside it.
pub mod tag {
    pub const MISSING: u8 = 0;
    /// The number is the value.
    pub const NUMBER: u8 = 1;
    /// The number is 1 for true, 0 for false.
    pub const BOOL: u8 = 2;
    /// The number is the id of a text handed over before ([`super::Batch::intern`]).
    pub const TEXT: u8 = 3;
    /// The number indexes the values passed with the batch (lists, objects).
    pub const OTHER: u8 = 4;
    /// (In the record's first cell) the record is not an object.
    pub const INVALID: u8 = 5;
}

/// Status bytes: one per policy, in the order of the program's policies.
pub mod status {
    use crate::vocabulary::Status;

    pub const ELIGIBLE: u8 = 0;
    pub const INELIGIBLE: u8 = 1;
    pub const UNDETERMINED: u8 = 2;
    pub const NOT_APPLICABLE: u8 = 3;
    pub const ERROR: u8 = 4;
    /// The record's data does not fit the inputs.
    pub const INVALID: u8 = 255;

    pub fn of(status: Status) -> u8 {
        match status {
            Status::Eligible => ELIGIBLE,
            Status::Ineligible => INELIGIBLE,
            Status::Undetermined => UNDETERMINED,
            Status::NotApplicable => NOT_APPLICABLE,
            Status::Error => ERROR,
        }
    }
}

/// A batch of `records` records does not fit in memory at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    pub records: usize,
}

/// The buffers of a decider on one date, reused from batch to batch.
#[derive(Debug)]
pub struct Batch {
    on: OnDate,
    /// Cells per record: the inputs, and at least one (to mark a record invalid).
    width: usize,
    policies: usize,
    /// Records the buffers hold.
    capacity: usize,
    /// Each text handed over, read once as the value of its input (or the problems with it).
    texts: Vec<Result<Value, Vec<FactProblem>>>,
    tags: Vec<u8>,
    numbers: Vec<f64>,
    /// Records × policies.
    statuses: Vec<u8>,
    /// Amounts in cents (NaN: none; infinite beyond 2^53 cents, where `exact` holds them).
    amounts: Vec<f64>,
    exact: Vec<Option<Decimal>>,
    /// Scratch for one record's facts and decisions.
    facts: Vec<Value>,
    outcomes: Vec<PolicyOutcome>,
}

impl Batch {
    /// An empty batch for `program` on the date `on` was resolved for.
    pub fn new(program: &Program, on: OnDate) -> Batch {
        Batch {
            on,
            width: program.inputs.len().max(1),
            policies: program.policies.len(),
            capacity: 0,
            texts: Vec::new(),
            tags: Vec::new(),
            numbers: Vec::new(),
            statuses: Vec::new(),
            amounts: Vec::new(),
            exact: Vec::new(),
            facts: Vec::with_capacity(program.inputs.len()),
            outcomes: Vec::with_capacity(program.policies.len()),
        }
    }

    /// Cells per record.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Room for `records` records (the buffers may move). Memory is taken fallibly: a batch too
    /// large is an error, not an allocation failure, which would abort (and end a WebAssembly
    /// module for the whole page). On failure the buffers are as they were.
    pub fn reserve(&mut self, records: usize) -> Result<(), TooLarge> {
        let too_large = TooLarge { records };
        let cells = records.checked_mul(self.width).ok_or(too_large)?;
        let outcomes = records.checked_mul(self.policies).ok_or(too_large)?;
        fn grow<T: Clone>(vec: &mut Vec<T>, len: usize, fill: T) -> Result<(), std::collections::TryReserveError> {
            vec.try_reserve_exact(len.saturating_sub(vec.len()))?;
            vec.resize(len, fill);
            Ok(())
        }
        let (had_cells, had_outcomes) = (self.tags.len(), self.statuses.len());
        let grown = grow(&mut self.tags, cells, tag::MISSING)
            .and_then(|()| grow(&mut self.numbers, cells, 0.0))
            .and_then(|()| grow(&mut self.statuses, outcomes, status::INVALID))
            .and_then(|()| grow(&mut self.amounts, outcomes, f64::NAN))
            .and_then(|()| grow(&mut self.exact, outcomes, None));
        if grown.is_err() {
            // Give back what was taken before the failure.
            fn shrink<T>(vec: &mut Vec<T>, len: usize) {
                vec.truncate(len);
                vec.shrink_to_fit();
            }
            shrink(&mut self.tags, had_cells);
            shrink(&mut self.numbers, had_cells);
            shrink(&mut self.statuses, had_outcomes);
            shrink(&mut self.amounts, had_outcomes);
            shrink(&mut self.exact, had_outcomes);
            return Err(too_large);
        }
        self.capacity = records;
        Ok(())
    }

    /// The cells to write records into: tags and numbers, `width` per record.
    pub fn cells_mut(&mut self) -> (&mut [u8], &mut [f64]) {
        (&mut self.tags, &mut self.numbers)
    }

    /// The status bytes of the last run, `policies` per record.
    pub fn statuses(&self) -> &[u8] {
        &self.statuses
    }

    /// The amounts of the last run in cents, `policies` per record: NaN when there is none,
    /// infinite beyond 2^53 cents (read [`Batch::amount`] then).
    pub fn amounts(&self) -> &[f64] {
        &self.amounts
    }

    /// The amount at `index` (record × policies + policy) as money, exact at any size.
    pub fn amount(&self, index: usize) -> Option<String> {
        self.exact.get(index).copied().flatten().map(eval::money)
    }

    /// Reads `text` once as the value of input number `input`; the id returned stands for it in
    /// cells tagged [`tag::TEXT`].
    pub fn intern(&mut self, program: &Program, input: usize, text: String) -> usize {
        self.texts.push(facts::read_input(program, input, &Json::String(text)));
        self.texts.len() - 1
    }

    /// Forgets every text interned (the ids no longer stand for anything).
    pub fn forget_texts(&mut self) {
        self.texts.clear();
    }

    /// Decides the first `records` records written. `values` are those that cells tagged
    /// [`tag::OTHER`] index. A record whose data is invalid gets [`status::INVALID`] for every
    /// policy; with `strict`, its problems are returned instead, and the run stops there.
    pub fn run(
        &mut self,
        program: &Program,
        records: usize,
        values: &[Json],
        strict: bool,
    ) -> Result<(), Vec<FactProblem>> {
        if program.inputs.len().max(1) != self.width || program.policies.len() != self.policies {
            let message = "the batch was made for other rules".to_string();
            return Err(vec![FactProblem { path: String::new(), message }]);
        }
        for record in 0..records.min(self.capacity) {
            let read = self.read(program, record, values);
            let out = record * self.policies..(record + 1) * self.policies;
            if let Err(problems) = read {
                if strict {
                    return Err(problems);
                }
                self.statuses[out.clone()].fill(status::INVALID);
                self.amounts[out.clone()].fill(f64::NAN);
                self.exact[out].fill(None);
                continue;
            }
            eval::decide_into(program, &self.on, &self.facts, Depth::Lean, &mut self.outcomes);
            for ((policy, outcome), at) in program.policies.iter().zip(&self.outcomes).zip(out) {
                self.statuses[at] = status::of(outcome.status);
                let amount =
                    outcome.amount(policy).and_then(Value::as_money).filter(|_| outcome.status == Status::Eligible);
                self.exact[at] = amount;
                self.amounts[at] = amount.map_or(f64::NAN, cents);
            }
        }
        Ok(())
    }

    /// Reads one encoded record into `self.facts`: every problem with it, or none.
    fn read(&mut self, program: &Program, record: usize, values: &[Json]) -> Result<(), Vec<FactProblem>> {
        let cells = record * self.width..(record + 1) * self.width;
        let (tags, numbers) = (&self.tags[cells.clone()], &self.numbers[cells]);
        if tags[0] == tag::INVALID {
            let message = "the record is not an object of facts".to_string();
            return Err(vec![FactProblem { path: String::new(), message }]);
        }
        self.facts.clear();
        let mut problems = Vec::new();
        for (slot, (input, (&tag, &number))) in program.inputs.iter().zip(tags.iter().zip(numbers)).enumerate() {
            let unknown = |what: &str| Err(vec![FactProblem { path: input.name.clone(), message: what.to_string() }]);
            // (`as usize` saturates: NaN and negative numbers are 0, never out of bounds.)
            let read = match tag {
                tag::NUMBER => facts::read_number(program, slot, number),
                tag::BOOL => facts::read_input(program, slot, &Json::Bool(number != 0.0)),
                tag::TEXT => self
                    .texts
                    .get(number as usize)
                    .cloned()
                    .unwrap_or_else(|| unknown("a text this decider does not know")),
                tag::OTHER => match values.get(number as usize) {
                    Some(value) => facts::read_input(program, slot, value),
                    None => unknown("a value this batch was not given"),
                },
                _ => facts::read_input(program, slot, &Json::Null),
            };
            match read {
                Ok(value) => self.facts.push(value),
                Err(mut more) => problems.append(&mut more),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Money in cents as a JS number, rounded half away from zero as money is shown: exact up to
/// 2^53 cents, infinite beyond (the caller reads [`Batch::amount`] then).
fn cents(amount: Decimal) -> f64 {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let cents = rounded.checked_mul(Decimal::ONE_HUNDRED).and_then(|c| i64::try_from(c).ok());
    match cents {
        Some(c) if c.unsigned_abs() < 1 << 53 => c as f64,
        _ => f64::INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::cents;
    use rust_decimal::Decimal;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap_or_default()
    }

    #[test]
    fn cents_round_half_away_from_zero() {
        assert_eq!(cents(dec("75")), 7500.0);
        assert_eq!(cents(dec("0.125")), 13.0);
        assert_eq!(cents(dec("-0.125")), -13.0);
        assert_eq!(cents(dec("0.124")), 12.0);
        assert_eq!(cents(dec("-2.345")), -235.0);
    }

    #[test]
    fn cents_beyond_2_pow_53_are_infinite() {
        assert_eq!(cents(dec("90071992547409.91")), 9_007_199_254_740_991.0);
        assert_eq!(cents(dec("90071992547409.92")), f64::INFINITY);
        assert_eq!(cents(Decimal::MAX), f64::INFINITY);
    }
}
