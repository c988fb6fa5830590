//! The report: the contract between the engine, the CLI, the page and embedders. JSON, camelCase,
//! stable; documented in docs/report.md and by the JSON Schema in docs/report.schema.json.
//! Money and decimals are strings ("2175.00"), so JavaScript never turns them into floats.

use crate::date::Date;
use crate::program::{Citation, Type};
use crate::vocabulary::{Period, Status};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The evaluation date, YYYY-MM-DD.
    pub date: String,
    pub ruleset: String,
    pub lang: crate::vocabulary::Lang,
    pub policies: Vec<PolicyResult>,
    /// Missing facts, the one that settles the most undetermined policies first.
    pub ask_next: Vec<AskNext>,
    /// Data that was given but not used (unknown keys), never silently.
    pub warnings: Vec<FactProblem>,
    /// The rules that decided: set by the engine that holds them (`eligo::Engine`), absent only
    /// from a report written by the evaluator alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Rules>,
}

/// Which rules decided a report: the release, who signed it, and the code with which a clerk
/// re-runs the same answer (`eligo eval --code`).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Rules {
    /// The rule set id (the report's `ruleset`).
    pub id: String,
    /// Signed by a trusted issuer; false for rules compiled from text or loaded unsigned.
    pub signed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The date the bundle was issued, YYYY-MM-DD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    /// The program's SHA-512/256 hash, 64 hex digits: the same rules have the same hash, signed or not.
    pub hash: String,
    /// In a report: the first 8 hex digits of the hash and the evaluation date, "3F2A9C1B-20250901"
    /// (`bundle::verification_code`). Absent where there is no evaluation date (`Engine::rules`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_code: Option<String>,
}

impl Rules {
    /// The rules of `provenance` (a program with rule set id `ruleset`), with the verification
    /// code of an evaluation on `date` when there is one.
    pub fn of(provenance: &crate::bundle::Provenance, ruleset: &str, date: Option<crate::date::Date>) -> Rules {
        use crate::bundle::Provenance;
        let hash = provenance.hash();
        let verification_code = date.map(|date| crate::bundle::verification_code(hash, date));
        let signed = match provenance {
            Provenance::Signed(m) => Some(m),
            Provenance::Unsigned { .. } => None,
        };
        Rules {
            id: signed.map_or(ruleset, |m| &m.ruleset).to_string(),
            signed: signed.is_some(),
            version: signed.map(|m| m.version),
            issuer: signed.map(|m| m.issuer.clone()),
            key_id: signed.map(|m| m.key_id.to_string()),
            issued: signed.map(|m| m.issued.to_string()),
            hash: hash.to_string(),
            verification_code,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// `amount` and `period` ("month", "year", "once"), `fee`, `waiver`, `payable` and named
    /// outputs; present when eligible.
    pub outputs: Outputs,
    /// The missing facts that could change this answer (undetermined only).
    pub missing: Vec<String>,
    /// Labels of the conditions that are not met (ineligible only).
    pub failed: Vec<String>,
    /// The policy granted instead, when an exclusion or a highest-amount group took this one away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Citation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ReportError>,
    /// Present when the caller asked for explanations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportError {
    pub message: String,
    pub at: Location,
}

/// A place in a rule file.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AskNext {
    /// The fact's path: `birth_date`, `household[0].monthly_income`.
    pub input: String,
    /// How many undetermined policies it could settle.
    pub settles: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// A `require` condition.
    Require,
    /// An `unless` exclusion.
    Unless,
    /// How an output got its value.
    Output,
    /// An exclusion or highest-amount group between policies.
    Relation,
    /// The policy's effective period.
    Effective,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    pub kind: StepKind,
    pub label: String,
    /// The value of the condition (true, false, or null when unknown). For an `unless` exclusion,
    /// true means the exclusion applies.
    pub outcome: Option<bool>,
    /// Whether this step lets the policy be granted (null when unknown).
    pub met: Option<bool>,
    /// The named values the step read.
    pub values: Vec<TraceValue>,
    /// What decided an output: the exception, or the table row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Location>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TraceValue {
    pub name: String,
    /// null when missing.
    pub value: Value,
    /// For a parameter: the date its value has been in force from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

/// A problem with the citizen's data, at a JSON path.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FactProblem {
    pub path: String,
    pub message: String,
}

/// A value as a report shows it, by its type in the language: money and decimals are written as
/// strings, so that no float ever carries them; a list as its number of items.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    /// Written normalized: "1.5", not "1.50". The exact value when a decimal holds it; a value
    /// no decimal holds (1 / 3) as written: rounded half-up at as many places as fit (28 at most).
    Decimal(Decimal),
    /// Yuan with two decimals (分), rounded half-up when written: "2175.00". The exact amount when
    /// a decimal holds it; one no decimal holds (1000元 / 3) as written, at the fen.
    Money(Decimal),
    Date(Date),
    Text(Arc<str>),
    /// The period of an amount: "month", "year", "once".
    Period(Period),
    /// A list, by how many items it has.
    Count(usize),
    /// Not known (missing facts): null.
    Unknown,
}

impl Value {
    /// `value`, of type `ty`, as the report shows it.
    pub fn of(value: &crate::value::Value, ty: Type) -> Value {
        use crate::value::Value as V;
        match value {
            V::Bool(b) => Value::Bool(*b),
            V::Int(i) if ty == Type::Money => Value::Money(Decimal::from(*i)),
            V::Int(i) if ty == Type::Decimal => Value::Decimal(Decimal::from(*i)),
            V::Int(i) => Value::Int(*i),
            V::Dec(d) if ty == Type::Money => Value::Money(*d),
            V::Dec(d) => Value::Decimal(*d),
            // No decimal holds it exactly (1000 / 3): carried as printed, rounded half-up at the
            // fen for money, at as many places as a decimal holds (at most 28) otherwise.
            V::Ratio(r) if ty == Type::Money => Value::Money(r.to_decimal(2)),
            V::Ratio(r) => Value::Decimal(r.to_decimal(crate::number::MAX_PLACES)),
            V::Date(d) => Value::Date(*d),
            V::Text(t) => Value::Text(t.clone()),
            V::List(items) => Value::Count(items.len()),
            V::Unknown(_) => Value::Unknown,
        }
    }
}

/// Money in yuan with two decimals (分), half-up.
pub fn money(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    format!("{rounded:.2}")
}

/// As a person reads it in a trace: the JSON text without quotes, "?" when unknown.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(d) => write!(f, "{}", d.normalize()),
            Value::Money(m) => f.write_str(&money(*m)),
            Value::Date(d) => write!(f, "{d}"),
            Value::Text(t) => f.write_str(t),
            Value::Period(p) => f.write_str(p.as_str()),
            Value::Count(n) => write!(f, "{n}"),
            Value::Unknown => f.write_str("?"),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Count(n) => serializer.serialize_u64(*n as u64),
            Value::Text(t) => serializer.serialize_str(t),
            Value::Period(p) => serializer.serialize_str(p.as_str()),
            Value::Unknown => serializer.serialize_unit(),
            Value::Decimal(_) | Value::Money(_) | Value::Date(_) => serializer.collect_str(self),
        }
    }
}

/// A policy's outputs by name. Kept sorted by name: the order reports have always written them in
/// (a JSON object with sorted keys), whatever order the rules define them in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs(Vec<(String, Value)>);

impl Outputs {
    /// Sets `name` to `value`, replacing an earlier value of that name.
    pub fn insert(&mut self, name: &str, value: Value) {
        match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name.to_string(), value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        let i = self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)).ok()?;
        Some(&self.0[i].1)
    }

    /// The outputs, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Outputs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value as V;

    #[test]
    fn values_are_written_as_they_always_were_by_both_writers() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        let date = Date::from_ymd(2025, 9, 1).unwrap();
        let cases = [
            (V::Bool(true), Type::Bool, "true"),
            (V::Int(-7), Type::Int, "-7"),
            (V::Int(2175), Type::Money, "\"2175.00\""),
            (V::Int(3), Type::Decimal, "\"3\""),
            (V::Dec(dec("1087.505")), Type::Money, "\"1087.51\""),
            (V::Dec(dec("-2.345")), Type::Money, "\"-2.35\""),
            (V::Dec(dec("0.50")), Type::Decimal, "\"0.5\""),
            (V::Date(date), Type::Date, "\"2025-09-01\""),
            (V::text("上海\"x\""), Type::Text, "\"上海\\\"x\\\"\""),
            (V::List(Arc::from(Vec::new())), Type::List(0), "0"),
            (V::Unknown(crate::value::Missing::default()), Type::Money, "null"),
        ];
        for (value, ty, json) in cases {
            let shown = Value::of(&value, ty);
            assert_eq!(serde_json::to_string(&shown).unwrap(), json, "{value:?}");
            assert_eq!(crate::json_writer::to_string(&shown).unwrap(), json, "{value:?}");
        }
    }

    #[test]
    fn outputs_are_sorted_by_name_and_replaced_in_place() {
        let mut outputs = Outputs::default();
        outputs.insert("amount", Value::Money(Decimal::from(100)));
        outputs.insert("period", Value::Period(Period::Monthly));
        outputs.insert("fee", Value::Money(Decimal::from(5)));
        outputs.insert("period", Value::Period(Period::Yearly));
        let json = r#"{"amount":"100.00","fee":"5.00","period":"year"}"#;
        assert_eq!(serde_json::to_string(&outputs).unwrap(), json);
        assert_eq!(crate::json_writer::to_string(&outputs).unwrap(), json);
        assert_eq!(outputs.get("fee"), Some(&Value::Money(Decimal::from(5))));
        assert_eq!(outputs.len(), 3);
    }
}
