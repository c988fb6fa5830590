//! The engine over plain words and JSON text, for hosts that are not Rust (the WebAssembly
//! module, other bindings) and for the CLI's `--format json`: dates as `YYYY-MM-DD`, languages as
//! "zh" or "en", data and results as JSON. Each function reads its input strictly and returns a
//! result or an [`EvaluateError`], never a partial report.

use crate::date::Date;
use crate::eval::Options;
use crate::report::Report;
use crate::vocabulary::Lang;
use crate::{Decision, Engine, EvaluateError};
use serde::Serialize;

/// Options from the words callers use: `lang` "zh" or "en", `trace` true to explain.
pub fn options(lang: Option<&str>, trace: bool) -> Options {
    Options { lang: if lang == Some("en") { Lang::En } else { Lang::Zh }, trace }
}

/// A `YYYY-MM-DD` date in the calendar.
pub fn date(text: &str) -> Result<Date, EvaluateError> {
    Date::parse(text).ok_or_else(|| EvaluateError::InvalidDate {
        message: format!("the evaluation date must be a date in the calendar written YYYY-MM-DD, got \"{text}\""),
    })
}

/// Citizen data from JSON text, read strictly (see `json`): a key written twice in one object, or
/// data nested too deeply, is refused with its path, never resolved silently.
pub fn read_data(text: &str) -> Result<serde_json::Value, EvaluateError> {
    crate::json::parse(text).map_err(|unreadable| match unreadable {
        crate::json::Unreadable::Syntax(e) => {
            EvaluateError::InvalidJson { message: format!("the data is not valid JSON: {e}") }
        }
        crate::json::Unreadable::Problems(problems) => EvaluateError::invalid_facts(problems),
    })
}

/// One citizen's data (a JSON object) on `date` (`YYYY-MM-DD`) into a report.
pub fn evaluate(
    engine: &Engine,
    data: &serde_json::Value,
    date: &str,
    options: Options,
) -> Result<Report, EvaluateError> {
    let date = self::date(date)?;
    Ok(engine.evaluate(&engine.facts(data)?, date, &options))
}

/// `evaluate` with JSON text in and out: `{"ok": report}` or `{"error": …}`.
pub fn evaluate_json(engine: &Engine, data: &str, date: &str, options: Options) -> String {
    let result = read_data(data).and_then(|data| evaluate(engine, &data, date, options));
    to_json_result(&result)
}

/// The lean decisions (status and amount of each policy) for one citizen's data on `date`.
pub fn decide<'e>(
    engine: &'e Engine,
    data: &serde_json::Value,
    date: &str,
) -> Result<Vec<Decision<'e>>, EvaluateError> {
    let date = self::date(date)?;
    Ok(engine.decide(&engine.facts(data)?, date))
}

/// `decide` for many records on one date, as JSON text: `[[decision, …] | {"error": …}, …]`.
pub fn decide_many_json(engine: &Engine, records: &str, date: &str) -> Result<String, EvaluateError> {
    // Read strictly (robustness): a record with a key twice is an error in its place.
    let records = crate::json::parse_records(records).map_err(|unreadable| match unreadable {
        crate::json::Unreadable::Syntax(e) => {
            EvaluateError::InvalidJson { message: format!("records must be a JSON array of objects: {e}") }
        }
        crate::json::Unreadable::Problems(problems) => EvaluateError::invalid_facts(problems),
    })?;
    let on = engine.on(self::date(date)?);
    let results: Vec<serde_json::Value> = records
        .iter()
        .map(|data| {
            let decided = data
                .as_ref()
                .map_err(|problems| EvaluateError::invalid_facts(problems.clone()))
                .and_then(|data| engine.facts(data))
                .map(|facts| engine.decide_on(&on, &facts.values));
            match decided {
                Ok(decisions) => serde_json::to_value(decisions).unwrap_or_default(),
                Err(error) => serde_json::json!({ "error": error }),
            }
        })
        .collect();
    Ok(serde_json::Value::Array(results).to_string())
}

fn to_json_result<T: Serialize, E: Serialize>(result: &Result<T, E>) -> String {
    let value = match result {
        Ok(ok) => serde_json::json!({ "ok": ok }),
        Err(error) => serde_json::json!({ "error": error }),
    };
    value.to_string()
}
