//! Citizen data as JSON text, read strictly. `serde_json::from_str` keeps the last of two equal
//! keys silently and reports deep nesting as "recursion limit exceeded at line 1 column 129";
//! data from many systems needs both said plainly, with the path:
//!
//! - a key written twice in one object is a problem at its path (`household[0].income`), not a
//!   silent choice between the two values;
//! - data nested more than [`MAX_DATA_DEPTH`] levels is refused with a message that says so, before
//!   serde_json's own limit (128) is reached, so the stack stays shallow in WebAssembly too.
//!
//! Every such problem is collected (the whole text is still read, as far as it is JSON); the
//! caller refuses the data when there is any, so no report is made from data half understood.

use crate::limits::{MAX_DATA_BYTES, MAX_DATA_DEPTH, MAX_DATA_KEYS, MAX_OBJECT_KEYS};
use crate::report::FactProblem;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};
use std::cell::{Cell, RefCell};
use std::fmt;

/// Why data text could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum Unreadable {
    /// Not JSON at all: serde_json's message, with its line and column.
    Syntax(String),
    /// JSON, but with keys twice or nested too deeply: each problem at its path.
    Problems(Vec<FactProblem>),
}

/// How serde_json, with `arbitrary_precision`, hands a visitor a number that is not a 64-bit
/// integer (a map of this one key to the number's text: `1e16`, `0.1`), and serialises any
/// number (a struct of that name and field): kept digit for digit for the facts reader, and
/// written so by `json_writer` (`reads_numbers_as_written` and
/// `values_are_written_as_serde_json_writes_them` guard it).
pub(crate) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The message for data nested deeper than [`MAX_DATA_DEPTH`] (shared with the WebAssembly layer).
pub fn too_deep_message() -> String {
    format!("the data is nested more than {MAX_DATA_DEPTH} levels deep; facts are at most a list of records")
}

/// The message for an object with more than [`MAX_OBJECT_KEYS`] keys (shared with the
/// WebAssembly layer, which reads JS objects).
pub fn too_many_keys_message() -> String {
    format!("this object has more than {MAX_OBJECT_KEYS} keys")
}

/// The message for data with more than [`MAX_DATA_KEYS`] keys in all (shared likewise).
pub fn too_many_keys_in_all_message() -> String {
    format!("the data has more than {MAX_DATA_KEYS} keys in all")
}

/// Reads one citizen's data.
pub fn parse(text: &str) -> Result<Json, Unreadable> {
    // Robustness: one citizen's data is kilobytes; megabytes of it are refused before reading.
    if text.len() > MAX_DATA_BYTES {
        let message = format!("the data is longer than {MAX_DATA_BYTES} bytes; at most {MAX_DATA_BYTES} are accepted");
        return Err(Unreadable::Problems(vec![FactProblem { path: String::new(), message }]));
    }
    let (problems, keys) = (RefCell::new(Vec::new()), Cell::new(0));
    let seed = Seed { path: &Path::Root, depth: 0, problems: &problems, keys: &keys };
    let value = read(text, seed)?;
    let problems = problems.into_inner();
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(Unreadable::Problems(problems))
    }
}

/// Reads a JSON array of records, each on its own: a record with a key twice (or nested too
/// deeply) has its problems, the others are fine. `Err` only when the text is not JSON or not an
/// array.
pub fn parse_records(text: &str) -> Result<Vec<Result<Json, Vec<FactProblem>>>, Unreadable> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let records = de::Deserializer::deserialize_seq(&mut deserializer, RecordsVisitor).map_err(syntax)?;
    deserializer.end().map_err(syntax)?;
    Ok(records)
}

fn read(text: &str, seed: Seed) -> Result<Json, Unreadable> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = seed.deserialize(&mut deserializer).map_err(syntax)?;
    deserializer.end().map_err(syntax)?;
    Ok(value)
}

fn syntax(error: serde_json::Error) -> Unreadable {
    let text = error.to_string();
    // serde_json's own depth limit: only reached beyond MAX_DATA_DEPTH, where the content is skipped.
    if text.starts_with("recursion limit exceeded") {
        return Unreadable::Problems(vec![FactProblem { path: String::new(), message: too_deep_message() }]);
    }
    Unreadable::Syntax(text)
}

/// Where a value is, built on the stack while reading and written out only for a problem.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// `household[0].income`, the way the facts reader writes paths.
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(Path::Root, key) => (*key).to_string(),
            Path::Key(parent, key) => format!("{}.{key}", parent.render()),
            Path::Index(parent, index) => format!("{}[{index}]", parent.render()),
        }
    }
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    path: &'a Path<'a>,
    /// Objects and arrays around this value.
    depth: usize,
    problems: &'a RefCell<Vec<FactProblem>>,
    /// Keys read so far in the whole data.
    keys: &'a Cell<usize>,
}

impl Seed<'_> {
    fn report(&self, path: String, message: String) {
        self.problems.borrow_mut().push(FactProblem { path, message });
    }

    /// Whether an object or array here is one level too many (reported once, at the root of the
    /// part that is too deep).
    fn too_deep(&self) -> bool {
        if self.depth < MAX_DATA_DEPTH {
            return false;
        }
        // A path-less problem: the whole data is refused, and the place is in the message.
        let at = self.path.render();
        let message = if at.is_empty() { too_deep_message() } else { format!("{} (at {at})", too_deep_message()) };
        self.report(String::new(), message);
        true
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON data")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        if self.too_deep() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Json::Null);
        }
        let mut items = Vec::new();
        loop {
            let path = Path::Index(self.path, items.len());
            let seed = Seed { path: &path, depth: self.depth + 1, problems: self.problems, keys: self.keys };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Json::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut next = map.next_key::<String>()?;
        // A number, not an object (and at no depth of its own).
        if next.as_deref() == Some(NUMBER_TOKEN) {
            // serde_json's reader scanned it as a number; its text is kept as written.
            let text: String = map.next_value()?;
            return match text.parse::<Number>() {
                Ok(_) => Ok(Json::Number(Number::from_string_unchecked(text))),
                Err(error) => Err(de::Error::custom(error)),
            };
        }
        if self.too_deep() {
            if next.is_some() {
                map.next_value::<IgnoredAny>()?;
            }
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Json::Null);
        }
        let mut object = Map::new();
        while let Some(key) = next {
            // Robustness: keys beyond the limits are skipped unread, the data refused.
            self.keys.set(self.keys.get() + 1);
            let all = self.keys.get();
            if object.len() >= MAX_OBJECT_KEYS || all > MAX_DATA_KEYS {
                if object.len() >= MAX_OBJECT_KEYS {
                    self.report(self.path.render(), too_many_keys_message());
                } else if all == MAX_DATA_KEYS + 1 {
                    self.report(self.path.render(), too_many_keys_in_all_message());
                }
                map.next_value::<IgnoredAny>()?;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(Json::Object(object));
            }
            let path = Path::Key(self.path, &key);
            let seed = Seed { path: &path, depth: self.depth + 1, problems: self.problems, keys: self.keys };
            let value = map.next_value_seed(seed)?;
            if object.contains_key(&key) {
                let message = "this key is written twice in the same object; which value is meant?".to_string();
                self.report(path.render(), message);
            } else {
                object.insert(key, value);
            }
            next = map.next_key::<String>()?;
        }
        Ok(Json::Object(object))
    }
}

/// The top-level array of `parse_records`: each record read with its own problems.
struct RecordsVisitor;

impl<'de> Visitor<'de> for RecordsVisitor {
    type Value = Vec<Result<Json, Vec<FactProblem>>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::new();
        loop {
            let (problems, keys) = (RefCell::new(Vec::new()), Cell::new(0));
            let seed = Seed { path: &Path::Root, depth: 0, problems: &problems, keys: &keys };
            match seq.next_element_seed(seed)? {
                Some(record) => {
                    let problems = problems.into_inner();
                    records.push(if problems.is_empty() { Ok(record) } else { Err(problems) });
                }
                None => return Ok(records),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(text: &str) -> Vec<(String, String)> {
        match parse(text) {
            Err(Unreadable::Problems(problems)) => problems.into_iter().map(|p| (p.path, p.message)).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#;
        assert_eq!(parse(text), Ok(serde_json::from_str::<Json>(text).unwrap()));
    }

    #[test]
    fn a_key_twice_is_a_problem_at_its_path() {
        let found = problems(r#"{"age": 1, "household": [{"income": 1}, {"income": 2, "income": 3}], "age": 2}"#);
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["household[1].income", "age"]);
    }

    #[test]
    fn deep_nesting_is_refused_plainly() {
        let deep = format!("{}{}", "[".repeat(MAX_DATA_DEPTH + 1), "]".repeat(MAX_DATA_DEPTH + 1));
        let found = problems(&deep);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "");
        assert!(found[0].1.starts_with(&too_deep_message()), "{found:?}");
        let ok = format!("{}{}", "[".repeat(MAX_DATA_DEPTH), "]".repeat(MAX_DATA_DEPTH));
        assert!(parse(&ok).is_ok());
        // Far deeper than serde_json's own limit: the same problem, never a stack overflow (the
        // part too deep is skipped by serde_json without recursion).
        let very = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(problems(&very)[0].1.starts_with(&too_deep_message()));
    }

    #[test]
    fn reads_numbers_as_written() {
        // Every notation kept as its text, however large or long (the facts reader decides what
        // fits), and a number at the greatest depth is a number, not an object too deep.
        // (serde_json writes the exponent's sign and a small `e`.)
        let numbers =
            [("1e16", "1e+16"), ("1E-7", "1e-7"), ("-0", "-0"), ("0.1e1", "0.1e+1"), ("12345e-2", "12345e-2")];
        let long = [("1e400", "1e+400"), ("0.10000000000000000000000000001", "0.10000000000000000000000000001")];
        for (number, text) in numbers.into_iter().chain(long) {
            let read = parse(&format!("[{number}]"));
            assert_eq!(read.map(|v| v[0].to_string()), Ok(text.to_string()), "{number}");
        }
        let deep = format!("{}1.5{}", "[".repeat(MAX_DATA_DEPTH), "]".repeat(MAX_DATA_DEPTH));
        assert!(parse(&deep).is_ok());
        assert!(matches!(parse(r#"{"a": 1e}"#), Err(Unreadable::Syntax(_))));
    }

    #[test]
    fn records_are_read_one_by_one() {
        let records = parse_records(r#"[{"a": 1}, {"a": 1, "a": 2}, 3]"#).unwrap();
        assert_eq!(records[0], Ok(json!({"a": 1})));
        assert_eq!(records[1].as_ref().unwrap_err()[0].path, "a");
        assert_eq!(records[2], Ok(json!(3)));
        assert!(matches!(parse_records("{}"), Err(Unreadable::Syntax(_))));
        assert!(matches!(parse_records("[1] x"), Err(Unreadable::Syntax(_))));
    }
}
