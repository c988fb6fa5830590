//! The WebAssembly edge: a thin wasm-bindgen layer over `api`, compiled only for wasm32.
//! Values cross as JS objects (serde-wasm-bindgen); dates are "YYYY-MM-DD", money is strings.
//! Errors are JS `Error`s named "EligoError" with a `kind` and their details.

use crate::api;
use crate::eval::Options;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Rule files: one text, or file names mapped to texts. */
export type RuleFiles = string | Record<string, string>;

export interface EvaluateOptions {
  /** The evaluation date, "YYYY-MM-DD" (the page passes the device's date). */
  date: string;
  /** Language of titles, labels and questions. Default "zh". */
  lang?: "zh" | "en";
  /** Include each policy's trace ("why?"). Default false: traces cost time and bytes. */
  trace?: boolean;
}

export type Status = "eligible" | "ineligible" | "undetermined" | "not_applicable" | "error";

export interface Location { file: string; line: number; column: number; }
export interface Citation { citation: string; url?: string; }

export interface TraceValue {
  name: string;
  /** null when missing; money and decimals are strings. */
  value: string | number | boolean | null;
  /** For a parameter: the date its value is in force from. */
  since?: string;
}

export interface TraceStep {
  kind: "require" | "unless" | "output" | "relation" | "effective";
  label: string;
  outcome: boolean | null;
  met: boolean | null;
  values: TraceValue[];
  decidedBy?: string;
  at?: Location;
}

export interface PolicyResult {
  id: string;
  title: string;
  status: Status;
  /** amount and period ("month" | "year" | "once"), fee, waiver, payable, named outputs. Money is a string like "75.00". */
  outputs: Record<string, string | number | boolean>;
  /** Missing facts that could change this answer: "birth_date", "household[0].income". */
  missing: string[];
  /** Labels of the conditions not met. */
  failed: string[];
  /** The policy granted instead (exclusions and highest-amount groups). */
  excludedBy?: string;
  source?: Citation;
  error?: { message: string; at: Location };
  trace?: TraceStep[];
}

/** A policy's status and amount, from `decide` and `decideMany`. */
export interface Decision { id: string; status: Status; amount?: string; period?: "month" | "year" | "once"; }

export interface AskNext { input: string; settles: number; label?: string; question?: string; }
export interface FactProblem { path: string; message: string; }

export interface Report {
  date: string;
  ruleset: string;
  lang: "zh" | "en";
  policies: PolicyResult[];
  askNext: AskNext[];
  warnings: FactProblem[];
}

export interface Text { zh: string; en: string | null; }
export interface InputSchema {
  name: string;
  type: "bool" | "int" | "decimal" | "money" | "date" | "text" | "enum" | "list";
  label?: Text; question?: Text; hint?: Text;
  min?: string | number; max?: string | number;
  options?: { value: string; en: string | null }[];
  fields?: InputSchema[];
}
export interface Schema { ruleset: string; title: Text; inputs: InputSchema[]; }

export interface PolicyInfo {
  id: string; title: Text; source?: Citation;
  effectiveFrom?: string; effectiveUntil?: string; period?: "month" | "year" | "once";
}

export interface Position { line: number; column: number; utf16Column: number; }
export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  message: string;
  file: string;
  span: { start: number; end: number };
  start: Position;
  end: Position;
  label?: string;
  help?: string;
  notes: { message: string; file: string; start: Position }[];
  /** The diagnostic as the CLI prints it, with the source line and a caret. */
  rendered: string;
}

export interface ExampleResult {
  name: string; at: Location; passed: boolean;
  failures: { message: string; at: Location }[];
}

/** Thrown by Engine.compile and Engine.evaluate: an Error whose name is "EligoError". */
export interface EligoError extends Error {
  name: "EligoError";
  kind: "compile" | "invalidFacts" | "invalidDate" | "invalidOptions";
  /** kind "compile": every problem in the rules. */
  diagnostics?: Diagnostic[];
  /** kind "invalidFacts": every problem in the data, at its path. */
  problems?: FactProblem[];
}
"#;

#[wasm_bindgen(start)]
fn start() {
    // A panic must reach the page as an Error with its message, not as an opaque trap.
    std::panic::set_hook(Box::new(|info| wasm_bindgen::throw_str(&format!("Eligo internal error: {info}"))));
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(JsValue::from)
}

/// The facts the rules declare, read from a JS object: one property read per input, so that a
/// portal's large profile object costs no more than the facts the rules use.
fn declared_facts(program: &crate::program::Program, data: &JsValue) -> Result<serde_json::Value, JsValue> {
    if !data.is_object() || js_sys::Array::is_array(data) {
        return Err(eligo_error("invalidFacts", "the data must be a plain object of facts", None));
    }
    let mut facts = serde_json::Map::new();
    for input in &program.inputs {
        let value = js_sys::Reflect::get(data, &JsValue::from_str(&input.name))?;
        if !value.is_undefined() {
            facts.insert(input.name.clone(), json_of(&value, 0)?);
        }
    }
    Ok(serde_json::Value::Object(facts))
}

/// A JS value as JSON data. NaN and infinities become text, which the facts reader rejects with
/// the input's path.
fn json_of(value: &JsValue, depth: usize) -> Result<serde_json::Value, JsValue> {
    use serde_json::Value as Json;
    if depth > crate::facts::MAX_DEPTH {
        return Err(eligo_error("invalidFacts", "the data is nested too deeply", None));
    }
    if let Some(n) = value.as_f64() {
        // Whole numbers stay whole (JavaScript has one number type; 67 means the int 67).
        if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            return Ok(Json::from(n as i64));
        }
        return Ok(serde_json::Number::from_f64(n).map_or_else(|| Json::String(n.to_string()), Json::Number));
    }
    if let Some(text) = value.as_string() {
        return Ok(Json::String(text));
    }
    if let Some(b) = value.as_bool() {
        return Ok(Json::Bool(b));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Json::Null);
    }
    if js_sys::Array::is_array(value) {
        let array = js_sys::Array::from(value);
        return array.iter().map(|item| json_of(&item, depth + 1)).collect::<Result<_, _>>().map(Json::Array);
    }
    let mut map = serde_json::Map::new();
    for key in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter() {
        let item = js_sys::Reflect::get(value, &key)?;
        if let Some(key) = key.as_string() {
            map.insert(key, json_of(&item, depth + 1)?);
        }
    }
    Ok(Json::Object(map))
}

fn to_js_json<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
}

fn eligo_error(kind: &str, message: &str, detail: Option<(&str, JsValue)>) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("EligoError");
    let _ = js_sys::Reflect::set(&error, &"kind".into(), &kind.into());
    if let Some((key, value)) = detail {
        let _ = js_sys::Reflect::set(&error, &key.into(), &value);
    }
    error.into()
}

fn rule_files(files: JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if let Some(text) = files.as_string() {
        return Ok(vec![("rules.rules".into(), text)]);
    }
    let map: BTreeMap<String, String> = serde_wasm_bindgen::from_value(files).map_err(|e| {
        eligo_error(
            "invalidOptions",
            &format!("rule files must be a text or an object of file names to texts: {e}"),
            None,
        )
    })?;
    Ok(map.into_iter().collect())
}

#[derive(Deserialize)]
struct EvaluateOptions {
    date: String,
    lang: Option<String>,
    trace: Option<bool>,
}

fn options(value: JsValue) -> Result<(String, Options), JsValue> {
    let parsed: EvaluateOptions = serde_wasm_bindgen::from_value(value).map_err(|e| {
        eligo_error(
            "invalidOptions",
            &format!("options must be {{ date: \"YYYY-MM-DD\", lang?: \"zh\" | \"en\", trace?: boolean }}: {e}"),
            None,
        )
    })?;
    Ok((parsed.date, api::options(parsed.lang.as_deref(), parsed.trace.unwrap_or(false))))
}

fn evaluate_error(error: api::EvaluateError) -> JsValue {
    match error {
        api::EvaluateError::InvalidFacts { message, problems } => {
            eligo_error("invalidFacts", &message, to_js(&problems).ok().map(|p| ("problems", p)))
        }
        api::EvaluateError::InvalidDate { message } => eligo_error("invalidDate", &message, None),
        api::EvaluateError::InvalidJson { message } => eligo_error("invalidFacts", &message, None),
    }
}

/// A compiled rule set.
#[wasm_bindgen]
pub struct Engine {
    inner: api::Engine,
}

#[wasm_bindgen]
impl Engine {
    /// Compiles rule files; throws an EligoError (kind "compile") with every diagnostic.
    pub fn compile(#[wasm_bindgen(unchecked_param_type = "RuleFiles")] files: JsValue) -> Result<Engine, JsValue> {
        let files = rule_files(files)?;
        api::Engine::compile(&files).map(|inner| Engine { inner }).map_err(|error| {
            eligo_error("compile", &error.message, to_js(&error.diagnostics).ok().map(|d| ("diagnostics", d)))
        })
    }

    /// The inputs a form asks for: types, zh/en labels, questions, constraints.
    #[wasm_bindgen(unchecked_return_type = "Schema")]
    pub fn schema(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.schema())
    }

    /// The policies with their metadata.
    #[wasm_bindgen(unchecked_return_type = "PolicyInfo[]")]
    pub fn policies(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.policies())
    }

    /// Warnings found while compiling (the rules are valid).
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.warnings())
    }

    /// Evaluates one citizen's data. Throws an EligoError for invalid data or options.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] data: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EvaluateOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (date, options) = self::options(options)?;
        let data: serde_json::Value = serde_wasm_bindgen::from_value(data)
            .map_err(|e| eligo_error("invalidFacts", &format!("the data must be an object of facts: {e}"), None))?;
        let report = self.inner.evaluate(&data, &date, options).map_err(evaluate_error)?;
        to_js(&report)
    }

    /// Evaluates many citizens on one date: one report each, in order. A record with invalid data
    /// gives `{ error: { kind, message, problems } }` in its place instead of stopping the batch.
    #[wasm_bindgen(js_name = evaluateMany, unchecked_return_type = "(Report | { error: { kind: string; message: string; problems?: FactProblem[] } })[]")]
    pub fn evaluate_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>[]")] records: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EvaluateOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (date, options) = self::options(options)?;
        let records: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(records)
            .map_err(|e| eligo_error("invalidFacts", &format!("records must be an array of objects: {e}"), None))?;
        let results: Vec<serde_json::Value> = records
            .iter()
            .map(|data| match self.inner.evaluate(data, &date, options) {
                Ok(report) => serde_json::to_value(&report).unwrap_or_default(),
                Err(error) => serde_json::json!({ "error": error }),
            })
            .collect();
        to_js(&results)
    }

    /// Lean decisions for one citizen on `date`: each policy's status and amount, nothing else.
    /// The fast path for lists and screening; `evaluate` gives the full report.
    #[wasm_bindgen(unchecked_return_type = "Decision[]")]
    pub fn decide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] data: JsValue,
        date: &str,
    ) -> Result<JsValue, JsValue> {
        let data = declared_facts(self.inner.program(), &data)?;
        let decisions = self.inner.decide(&data, date).map_err(evaluate_error)?;
        to_js_json(&decisions)
    }

    /// Lean decisions for many citizens on one date, in one crossing: one `Decision[]` per record,
    /// or `{ error }` in the place of a record with invalid data.
    #[wasm_bindgen(js_name = decideMany, unchecked_return_type = "(Decision[] | { error: { kind: string; message: string } })[]")]
    pub fn decide_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>[]")] records: JsValue,
        date: &str,
    ) -> Result<JsValue, JsValue> {
        let text: String = js_sys::JSON::stringify(&records)?.into();
        let out = self.inner.decide_many_json(&text, date).map_err(evaluate_error)?;
        js_sys::JSON::parse(&out)
    }

    /// Runs the examples written in the rules.
    #[wasm_bindgen(js_name = runExamples, unchecked_return_type = "ExampleResult[]")]
    pub fn run_examples(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.run_examples())
    }
}

/// Every problem in rule files, for editors. Never throws for bad rules.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn check(#[wasm_bindgen(unchecked_param_type = "RuleFiles")] files: JsValue) -> Result<JsValue, JsValue> {
    let files = rule_files(files)?;
    to_js(&api::check(&files))
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
