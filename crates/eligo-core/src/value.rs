//! Values, and the unknown value that carries exactly which missing facts it depends on.

use crate::date::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// A citizen fact that may be missing: an input, or a field of one item of a list input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FactKey {
    pub input: u32,
    /// The item of a list input, or `NONE` for the input itself.
    pub item: u32,
    /// The field of that item (ignored for the input itself).
    pub field: u32,
}

impl FactKey {
    pub const NONE: u32 = u32::MAX;

    pub fn input(input: u32) -> FactKey {
        FactKey { input, item: FactKey::NONE, field: 0 }
    }

    pub fn field(input: u32, item: u32, field: u32) -> FactKey {
        FactKey { input, item, field }
    }
}

/// The missing facts an unknown value depends on: sorted, without duplicates. Supplying any one
/// of them may settle the value; supplying none cannot. Shared, not copied, as the unknown value
/// flows through an evaluation: only a union makes a new set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Missing(Option<Arc<[FactKey]>>);

impl Missing {
    pub fn one(key: FactKey) -> Missing {
        Missing(Some(Arc::from([key])))
    }

    pub fn keys(&self) -> &[FactKey] {
        self.0.as_deref().unwrap_or(&[])
    }

    pub fn union(mut self, other: &Missing) -> Missing {
        self.absorb(other);
        self
    }

    pub fn absorb(&mut self, other: &Missing) {
        if let (Some(mine), Some(theirs)) = (&self.0, &other.0) {
            if Arc::ptr_eq(mine, theirs) {
                return;
            }
        }
        let (mine, theirs) = (self.keys(), other.keys());
        if theirs.is_empty() {
            return;
        }
        if mine.is_empty() {
            self.0 = other.0.clone();
            return;
        }
        add_union_work(theirs.len());
        if theirs.iter().all(|key| mine.binary_search(key).is_ok()) {
            return;
        }
        add_union_work(mine.len());
        let mut merged = Vec::with_capacity(mine.len() + theirs.len());
        let (mut i, mut j) = (0, 0);
        while i < mine.len() || j < theirs.len() {
            let next = match (mine.get(i), theirs.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                    *a
                }
                (Some(a), Some(b)) if a < b => {
                    i += 1;
                    *a
                }
                (Some(a), None) => {
                    i += 1;
                    *a
                }
                (_, Some(b)) => {
                    j += 1;
                    *b
                }
                (None, None) => break,
            };
            merged.push(next);
        }
        self.0 = Some(Arc::from(merged));
    }
}

/// Stored as its keys; read back only sorted and without duplicates, as unions rely on it.
impl Serialize for Missing {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.keys().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Missing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Missing, D::Error> {
        let keys = Vec::<FactKey>::deserialize(d)?;
        if keys.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(serde::de::Error::custom("missing facts not sorted, or listed twice"));
        }
        Ok(Missing(if keys.is_empty() { None } else { Some(Arc::from(keys)) }))
    }
}

impl Missing {
    /// The union of many sets at once, sorted once: absorbing them one by one would copy the
    /// growing union each time, quadratic in a long list whose items all miss facts.
    pub fn union_all(sets: Vec<Missing>) -> Missing {
        if sets.len() <= 1 {
            return sets.into_iter().next().unwrap_or_default();
        }
        let mut keys: Vec<FactKey> = sets.iter().flat_map(|m| m.keys().iter().copied()).collect();
        add_union_work(keys.len());
        keys.sort_unstable();
        keys.dedup();
        Missing(if keys.is_empty() { None } else { Some(Arc::from(keys)) })
    }
}

thread_local! {
    /// Keys visited by unions of missing sets since the evaluator last took the count. A union
    /// costs the size of its sets, not one step: the evaluator charges this to its step budget,
    /// so that large missing sets cannot make one evaluation run on (docs/robustness.md).
    static UNION_WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn add_union_work(keys: usize) {
    UNION_WORK.with(|work| work.set(work.get() + keys as u64));
}

/// The union work done since the last call (and starts counting again).
pub fn take_union_work() -> u64 {
    UNION_WORK.with(|work| work.replace(0))
}

/// A list item: the values of its record's fields, in declaration order.
pub type Item = Arc<[Value]>;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    /// decimal and money (the type system keeps them apart; the arithmetic is the same).
    Dec(Decimal),
    /// A decimal or money value that no decimal holds exactly (1000 / 3): see [`crate::number`].
    Ratio(crate::number::Ratio),
    Date(Date),
    Text(Arc<str>),
    List(Arc<[Item]>),
    /// Not known: depends on these missing facts.
    Unknown(Missing),
}

impl Value {
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    /// The number as a decimal, exactly: `None` for a ratio (and anything not a number).
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(i) => Some(Decimal::from(*i)),
            Value::Dec(d) => Some(*d),
            _ => None,
        }
    }

    /// An amount as a report carries money: exactly, or for a ratio rounded half-up at the fen.
    pub fn as_money(&self) -> Option<Decimal> {
        match self {
            Value::Ratio(r) => Some(r.to_decimal(2)),
            other => other.as_decimal(),
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }
}

impl Value {
    /// The order of two known values of comparable types (numbers with numbers, dates with
    /// dates, texts with texts); `None` for anything else.
    pub fn compare(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Int(_) | Value::Dec(_) | Value::Ratio(_), Value::Int(_) | Value::Dec(_) | Value::Ratio(_)) => {
                crate::number::compare(self, other)
            }
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}
