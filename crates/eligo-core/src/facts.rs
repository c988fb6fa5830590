//! Citizen data (JSON) → facts, validated against the declared inputs. `null` or an absent key
//! means missing; wrong types, values outside the constraints and unknown options are errors with
//! the JSON path; keys the rules do not know are warnings, never silently used.

use crate::limits::{MAX_DATA_TEXT_CHARS, MAX_LIST_ITEMS, MAX_REPORTED_WARNINGS, MAX_SUGGESTED_KEYS};
use crate::program::{InputDef, Program, Type};
use crate::report::FactProblem;
use crate::suggest::did_you_mean;
use crate::value::{FactKey, Item, Missing, Value};
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Facts {
    /// One value per input, in declaration order; unknown when missing.
    pub values: Vec<Value>,
    pub warnings: Vec<FactProblem>,
}

/// Reads the citizen's data. Every problem is reported, not just the first.
pub fn from_json(program: &Program, data: &Json) -> Result<Facts, Vec<FactProblem>> {
    let mut reader = Reader { program, errors: Vec::new(), warnings: Vec::new(), unreported: 0 };
    let Json::Object(object) = data else {
        let message =
            format!("the data must be an object of facts, like {{\"birth_date\": \"1958-01-15\"}}; got {}", kind(data));
        return Err(vec![problem("", message)]);
    };
    let mut known = 0;
    let values = reader.inputs(program.inputs.iter().map(|input| {
        let value = object.get(&input.name);
        known += usize::from(value.is_some());
        value
    }));
    // Every key was an input's: no key to warn about, and no need to look for one.
    if known < object.len() {
        let names: Vec<&str> = program.inputs.iter().map(|i| i.name.as_str()).collect();
        reader.unknown_keys(object, &names, "");
    }
    reader.finish(values)
}

/// Reads the value of input number `slot` alone (null: missing), checked as `from_json` checks
/// it: for callers that hand values over one by one (a [`crate::batch::Batch`]'s cells and texts).
pub fn read_input(program: &Program, slot: usize, value: &Json) -> Result<Value, Vec<FactProblem>> {
    let Some(input) = program.inputs.get(slot) else {
        return Err(vec![problem("", format!("the rules have no input number {slot}"))]);
    };
    if value.is_null() {
        return Ok(program.unknown_inputs[slot].clone());
    }
    let mut reader = Reader { program, errors: Vec::new(), warnings: Vec::new(), unreported: 0 };
    let read = reader.value(input, value, &input.name, slot as u32);
    if reader.errors.is_empty() {
        Ok(read)
    } else {
        Err(reader.errors)
    }
}

/// Reads a JavaScript number as the value of input number `slot`, as `read_input` reads the JSON
/// number JavaScript would write for it. A whole number within the input's bounds (the usual case)
/// becomes its value directly; anything else is read by `read_input`, which says what is wrong.
pub fn read_number(program: &Program, slot: usize, n: f64) -> Result<Value, Vec<FactProblem>> {
    let direct = program.inputs.get(slot).zip(whole(n)).and_then(|(input, i)| {
        let value = match input.ty {
            Type::Int => Value::Int(i),
            Type::Decimal | Type::Money => Value::Dec(Decimal::from(i)),
            _ => return None,
        };
        (below_min(input, &value).is_none() && above_max(input, &value).is_none()).then_some(value)
    });
    direct.map_or_else(|| read_input(program, slot, &json_number(n)), Ok)
}

/// A JavaScript number as JSON: whole numbers stay whole (JavaScript has one kind of number: 67
/// means the int 67); NaN and the infinities, which JSON has no number for, become text that the
/// reader refuses with the input's path.
pub fn json_number(n: f64) -> Json {
    if let Some(i) = whole(n) {
        Json::from(i)
    } else {
        // (Spelled out so that Rust's float formatting is not linked into the WebAssembly module.)
        let not_a_number = if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        serde_json::Number::from_f64(n).map_or_else(|| Json::String(not_a_number.into()), Json::Number)
    }
}

struct Reader<'p> {
    program: &'p Program,
    errors: Vec<FactProblem>,
    warnings: Vec<FactProblem>,
    /// Unknown keys past the first [`MAX_REPORTED_WARNINGS`], told as one number.
    unreported: usize,
}

fn problem(path: &str, message: String) -> FactProblem {
    FactProblem { path: path.to_string(), message }
}

fn kind(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        // (A number is kept as written, and may be as long as the data.)
        Json::Number(n) => {
            let text = n.to_string();
            let shown: String = text.chars().take(40).collect();
            if shown.len() < text.len() {
                format!("{shown}…")
            } else {
                text
            }
        }
        Json::String(s) => {
            let shown: String = s.chars().take(40).collect();
            format!("\"{}\"{}", shown, if s.chars().count() > 40 { "…" } else { "" })
        }
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "an object".into(),
    }
}

impl Reader<'_> {
    fn inputs<'j>(&mut self, values: impl Iterator<Item = Option<&'j Json>>) -> Vec<Value> {
        let program = self.program;
        program
            .inputs
            .iter()
            .zip(values.chain(std::iter::repeat(None)))
            .enumerate()
            .map(|(i, (input, value))| match value {
                None | Some(Json::Null) => program.unknown_inputs[i].clone(),
                Some(value) => self.value(input, value, &input.name, i as u32),
            })
            .collect()
    }

    fn finish(mut self, values: Vec<Value>) -> Result<Facts, Vec<FactProblem>> {
        if self.unreported > 0 {
            let message = format!("and {} more keys not used by these rules", self.unreported);
            self.warnings.push(problem("", message));
        }
        if self.errors.is_empty() {
            Ok(Facts { values, warnings: self.warnings })
        } else {
            Err(self.errors)
        }
    }

    fn unknown_keys(&mut self, object: &serde_json::Map<String, Json>, names: &[&str], prefix: &str) {
        // Robustness: data with a great many keys against rules with a great many inputs is
        // looked up in a set, not name by name; and only the first few unknown keys get a
        // "did you mean" (each compares the key with every name).
        let set: Option<std::collections::BTreeSet<&str>> =
            (names.len() * object.len() > 4096).then(|| names.iter().copied().collect());
        let known = |key: &str| set.as_ref().map_or_else(|| names.contains(&key), |set| set.contains(key));
        let mut suggestions = MAX_SUGGESTED_KEYS;
        for key in object.keys() {
            if !known(key) {
                // Robustness: millions of unknown keys are a few warnings and one count.
                if self.warnings.len() >= MAX_REPORTED_WARNINGS {
                    self.unreported += 1;
                    continue;
                }
                let mut message = "not used by these rules".to_string();
                if suggestions > 0 {
                    suggestions -= 1;
                    if let Some(close) = did_you_mean(key, names.iter().copied()) {
                        message.push_str(&format!("; did you mean `{close}`?"));
                    }
                }
                self.warnings.push(problem(&format!("{prefix}{key}"), message));
            }
        }
    }

    fn error(&mut self, path: &str, expected: &str, got: &Json) -> Value {
        self.errors.push(problem(path, format!("expected {expected}, got {}", kind(got))));
        Value::Unknown(Missing::default())
    }

    fn value(&mut self, input: &InputDef, value: &Json, path: &str, slot: u32) -> Value {
        match input.ty {
            Type::List(record) => self.list(record, value, path, slot),
            ty => {
                let read = self.scalar(ty, value, path);
                self.check_bounds(input, &read, path);
                read
            }
        }
    }

    fn scalar(&mut self, ty: Type, value: &Json, path: &str) -> Value {
        match (ty, value) {
            (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
            (Type::Bool, _) => self.error(path, "true or false", value),
            // A whole number written with a point (67.0, and -0, which JSON readers take for a
            // float) is the int it equals, as it is when it comes from JavaScript, which has
            // one kind of number: the same data gives the same answer by either door.
            (Type::Int, Json::Number(n)) => match n.as_i64().or_else(|| whole_decimal(&n.to_string())) {
                Some(i) => Value::Int(i),
                None => self.error(path, "a whole number", value),
            },
            (Type::Int, _) => self.error(path, "a whole number", value),
            // Read exactly from the text as written, in any notation (`1e16`, `12345e-2`): 0.1 is
            // 0.1, not the binary fraction nearest to it. What no decimal holds is refused.
            (Type::Decimal | Type::Money, Json::Number(n)) => {
                match n.as_i64().map(Decimal::from).or_else(|| crate::number::parse_decimal(&n.to_string())) {
                    Some(d) => Value::Dec(d),
                    None => self.error(path, OUT_OF_RANGE, value),
                }
            }
            (Type::Decimal | Type::Money, Json::String(s)) => match decimal(s) {
                Some(d) => Value::Dec(d),
                None => self.error(
                    path,
                    if ty == Type::Money { "money, like \"1450.50\"" } else { "a number, like \"1.5\"" },
                    value,
                ),
            },
            (Type::Decimal, _) => self.error(path, "a number", value),
            (Type::Money, _) => self.error(path, "money, like \"1450.50\"", value),
            (Type::Date, Json::String(s)) => match crate::date::Date::parse(s) {
                Some(d) => Value::Date(d),
                None => self.error(path, "a date in the calendar, like \"2025-03-01\"", value),
            },
            (Type::Date, _) => self.error(path, "a date, like \"2025-03-01\"", value),
            (Type::Text | Type::Enum(_), Json::String(s)) => {
                if s.chars().count() > MAX_DATA_TEXT_CHARS {
                    self.errors.push(problem(path, format!("text longer than {MAX_DATA_TEXT_CHARS} characters")));
                } else if s.contains('\0') {
                    self.errors.push(problem(path, "text contains a NUL character".into()));
                } else if let Type::Enum(e) = ty {
                    let options = &self.program.enums[e as usize].options;
                    if !options.iter().any(|o| o.value == *s) {
                        let listed: Vec<String> = options.iter().map(|o| format!("\"{}\"", o.value)).collect();
                        self.errors
                            .push(problem(path, format!("expected one of {}, got {}", listed.join(", "), kind(value))));
                    }
                }
                Value::text(s)
            }
            (Type::Text, _) => self.error(path, "a text", value),
            (Type::Enum(e), _) => {
                let listed: Vec<String> =
                    self.program.enums[e as usize].options.iter().map(|o| format!("\"{}\"", o.value)).collect();
                self.error(path, &format!("one of {}", listed.join(", ")), value)
            }
            (Type::List(_) | Type::Error, _) => self.error(path, "a single value", value),
        }
    }

    fn check_bounds(&mut self, input: &InputDef, value: &Value, path: &str) {
        if let Some(min) = below_min(input, value) {
            self.errors.push(problem(
                path,
                format!("{} is below the minimum {}", crate::eval::display(value), crate::eval::display(min)),
            ));
        }
        if let Some(max) = above_max(input, value) {
            self.errors.push(problem(
                path,
                format!("{} is above the maximum {}", crate::eval::display(value), crate::eval::display(max)),
            ));
        }
    }

    fn list(&mut self, record: u32, value: &Json, path: &str, slot: u32) -> Value {
        let Json::Array(items) = value else {
            return self.error(path, "a list", value);
        };
        if items.len() > MAX_LIST_ITEMS {
            self.errors
                .push(problem(path, format!("a list of {} items; at most {MAX_LIST_ITEMS} are accepted", items.len())));
            return Value::Unknown(Missing::default());
        }
        let fields = &self.program.records[record as usize].fields;
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        let mut read: Vec<Item> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            let Json::Object(object) = item else {
                self.error(&item_path, "an object", item);
                continue;
            };
            let values: Vec<Value> = fields
                .iter()
                .enumerate()
                .map(|(f, field)| match object.get(&field.name) {
                    None | Some(Json::Null) => {
                        Value::Unknown(Missing::one(FactKey::field(slot, index as u32, f as u32)))
                    }
                    Some(v) => self.value(field, v, &format!("{item_path}.{}", field.name), slot),
                })
                .collect();
            self.unknown_keys(object, &names, &format!("{item_path}."));
            read.push(Arc::from(values));
        }
        Value::List(Arc::from(read))
    }
}

/// The input's minimum, when `value` is below it.
fn below_min<'p>(input: &'p InputDef, value: &Value) -> Option<&'p Value> {
    input.min.as_ref().filter(|min| value.compare(min) == Some(Ordering::Less))
}

/// The input's maximum, when `value` is above it.
fn above_max<'p>(input: &'p InputDef, value: &Value) -> Option<&'p Value> {
    input.max.as_ref().filter(|max| value.compare(max) == Some(Ordering::Greater))
}

/// A float that is exactly a whole number an f64 holds without rounding (|n| < 2^53).
fn whole(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0).then_some(n as i64)
}

/// What a decimal or money number must be to be read exactly.
const OUT_OF_RANGE: &str =
    "a number within ±79,228,162,514,264,337,593,543,950,335 with at most 28 decimal places (it is not rounded)";

/// A JSON number written as a whole number in another notation (`67.0`, `1e3`, `-0`), exactly.
fn whole_decimal(text: &str) -> Option<i64> {
    let d = crate::number::parse_decimal(text)?;
    if d.fract().is_zero() {
        i64::try_from(d).ok()
    } else {
        None
    }
}

/// An exact decimal from text (money as `"1450.50"`): the digits of a JSON number, without an
/// exponent, which text does not take. `-0` is 0.
fn decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.contains(['e', 'E']) {
        return None;
    }
    crate::number::parse_decimal(text)
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals_are_exact_and_finite() {
        assert_eq!(decimal("1450.50").map(|d| d.to_string()), Some("1450.5".into()));
        assert_eq!(decimal("-0").map(|d| d.to_string()), Some("0".into()));
        assert!(decimal("1e400").is_none());
        assert!(decimal("NaN").is_none());
        assert!(decimal("inf").is_none());
        assert!(decimal("").is_none());
        assert!(decimal("99999999999999999999999999999999").is_none());
    }
}
