//! The WebAssembly edge: a thin wasm-bindgen layer over `api`, compiled only for wasm32.
//! Facts are read from JS objects property by property (only the declared inputs); results cross
//! as one JSON text parsed by the JS engine, which measured faster than building objects from
//! WebAssembly field by field. Dates are "YYYY-MM-DD", money is strings.
//! Errors are JS `Error`s named "EligoError" with a `kind` and their details.

use crate::api;
use crate::eval::value::Value;
use crate::eval::Options;
use crate::report::FactProblem;
use serde::Serialize;
use std::collections::BTreeMap;
use std::rc::Rc;
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

/// Results cross as one JSON text that the engine's native JSON.parse turns into objects: measured
/// several times faster than building the objects property by property from WebAssembly.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&text)
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
        return Ok(match number_json(n) {
            Json::Null => Json::String("NaN".into()),
            json => json,
        });
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
    let invalid =
        || eligo_error("invalidOptions", "rule files must be a text or an object of file names to texts", None);
    if !files.is_object() {
        return Err(invalid());
    }
    let mut map = BTreeMap::new();
    for entry in js_sys::Object::entries(files.unchecked_ref::<js_sys::Object>()).iter() {
        let pair = js_sys::Array::from(&entry);
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(name), Some(text)) => map.insert(name, text),
            _ => return Err(invalid()),
        };
    }
    Ok(map.into_iter().collect())
}

fn options(value: JsValue) -> Result<(String, Options), JsValue> {
    let field = |name: &str| js_sys::Reflect::get(&value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let invalid = |what: &str| {
        let message =
            format!("options must be {{ date: \"YYYY-MM-DD\", lang?: \"zh\" | \"en\", trace?: boolean }}: {what}");
        eligo_error("invalidOptions", &message, None)
    };
    if !value.is_object() {
        return Err(invalid("not an object"));
    }
    let date = field("date").as_string().ok_or_else(|| invalid("`date` is missing or not a text"))?;
    let lang = field("lang");
    let lang = match lang.as_string() {
        Some(lang) if lang == "zh" || lang == "en" => Some(lang),
        None if lang.is_undefined() || lang.is_null() => None,
        _ => return Err(invalid("`lang` must be \"zh\" or \"en\"")),
    };
    let trace = field("trace");
    let trace = match trace.as_bool() {
        Some(trace) => trace,
        None if trace.is_undefined() || trace.is_null() => false,
        None => return Err(invalid("`trace` must be true or false")),
    };
    Ok((date, api::options(lang.as_deref(), trace)))
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
    inner: Rc<api::Engine>,
    /// The inputs' names as JS strings, made once: reading a fact is then one property lookup.
    keys: Rc<Vec<JsValue>>,
    /// The parameters of the last date asked for: a batch on one date resolves them once.
    on: std::cell::RefCell<Option<crate::eval::OnDate>>,
}

impl Engine {
    fn new(inner: api::Engine) -> Engine {
        let keys = Rc::new(inner.program().inputs.iter().map(|input| JsValue::from_str(&input.name)).collect());
        Engine { inner: Rc::new(inner), keys, on: std::cell::RefCell::new(None) }
    }

    /// The parameters in force on `date`, from the cache when it is the same date.
    fn on(&self, date: &str) -> Result<crate::eval::OnDate, JsValue> {
        let cached = self.on.borrow_mut().take();
        let on = match cached {
            Some(on) if crate::date::Date::parse(date) == Some(on.date) => on,
            _ => self.inner.on(date).map_err(evaluate_error)?,
        };
        Ok(on)
    }

    fn keep(&self, on: crate::eval::OnDate) {
        *self.on.borrow_mut() = Some(on);
    }

    fn facts(&self, data: &JsValue) -> Result<Vec<Value>, JsValue> {
        declared_facts(&self.inner, &self.keys, data)?
            .map_err(|problems| evaluate_error(api::EvaluateError::invalid_facts(problems)))
    }
}

/// The declared facts of a JS object, read by property (one lookup per input): a portal's large
/// profile costs no more than the facts the rules use. Unknown keys are not looked at.
fn declared_facts(
    engine: &api::Engine,
    keys: &[JsValue],
    data: &JsValue,
) -> Result<Result<Vec<Value>, Vec<FactProblem>>, JsValue> {
    if !data.is_object() || js_sys::Array::is_array(data) {
        return Err(eligo_error("invalidFacts", "the data must be a plain object of facts", None));
    }
    let mut values = Vec::with_capacity(keys.len());
    for key in keys {
        let value = js_sys::Reflect::get(data, key)?;
        values.push(if value.is_undefined() { None } else { Some(json_of(&value, 0)?) });
    }
    Ok(crate::facts::from_inputs(engine.program(), values.iter().map(Option::as_ref)).map(|facts| facts.values))
}

#[wasm_bindgen]
impl Engine {
    /// Compiles rule files; throws an EligoError (kind "compile") with every diagnostic.
    /// `{ examples: false }` leaves out the examples (tests) in the files: a page that only
    /// evaluates citizens starts faster.
    pub fn compile(
        #[wasm_bindgen(unchecked_param_type = "RuleFiles")] files: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ examples?: boolean }")] options: Option<js_sys::Object>,
    ) -> Result<Engine, JsValue> {
        let files = rule_files(files)?;
        let examples = options
            .and_then(|o| js_sys::Reflect::get(&o, &JsValue::from_str("examples")).ok())
            .and_then(|e| e.as_bool())
            .unwrap_or(true);
        api::Engine::compile_with(&files, examples).map(Engine::new).map_err(|error| {
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
        let data = json_of(&data, 0)?;
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
        if !js_sys::Array::is_array(&records) {
            return Err(eligo_error("invalidFacts", "records must be an array of objects", None));
        }
        let results: Vec<serde_json::Value> = js_sys::Array::from(&records)
            .iter()
            .map(|data| {
                let report = json_of(&data, 0).map(|data| self.inner.evaluate(&data, &date, options));
                match report {
                    Ok(Ok(report)) => serde_json::to_value(&report).unwrap_or_default(),
                    Ok(Err(error)) => serde_json::json!({ "error": error }),
                    Err(_) => serde_json::json!({ "error": { "kind": "invalidFacts", "message": "the data is nested too deeply" } }),
                }
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
        let on = self.on(date)?;
        let decided = self.facts(&data).map(|facts| to_js(&self.inner.decide_facts(&on, &facts)));
        self.keep(on);
        decided?
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

/// Status codes of `Decider`: one byte per policy, in the order of `engine.policies()`.
const ELIGIBLE: u8 = 0;
const INELIGIBLE: u8 = 1;
const UNDETERMINED: u8 = 2;
const NOT_APPLICABLE: u8 = 3;
const ERROR: u8 = 4;
/// The record's data does not fit the inputs (`decideMany`, `decideColumns`).
const INVALID: u8 = 255;

fn code(status: crate::ast::Status) -> u8 {
    use crate::ast::Status;
    match status {
        Status::Eligible => ELIGIBLE,
        Status::Ineligible => INELIGIBLE,
        Status::Undetermined => UNDETERMINED,
        Status::NotApplicable => NOT_APPLICABLE,
        Status::Error => ERROR,
    }
}

/// Screening on one date, as fast as the boundary allows: statuses come back as bytes, one per
/// policy (0 eligible, 1 ineligible, 2 undetermined, 3 not applicable, 4 error, 255 invalid data),
/// and amounts are made into strings only when asked for.
#[wasm_bindgen]
pub struct Decider {
    engine: Rc<api::Engine>,
    keys: Rc<Vec<JsValue>>,
    on: crate::eval::OnDate,
    /// The amounts of the last record decided, as money.
    amounts: Vec<Option<rust_decimal::Decimal>>,
}

#[wasm_bindgen]
impl Engine {
    /// A decider for `date` ("YYYY-MM-DD"): its parameters are resolved once.
    pub fn decider(&self, date: &str) -> Result<Decider, JsValue> {
        Ok(Decider {
            engine: self.inner.clone(),
            keys: self.keys.clone(),
            on: self.inner.on(date).map_err(evaluate_error)?,
            amounts: Vec::new(),
        })
    }
}

impl Decider {
    fn decide_values(&self, values: &[Value], out: &mut Vec<u8>) -> Vec<Option<rust_decimal::Decimal>> {
        let program = self.engine.program();
        let outcomes = crate::eval::decide_on(program, &self.on, values, crate::eval::Depth::Lean);
        let mut amounts = Vec::with_capacity(outcomes.len());
        for (policy, outcome) in program.policies.iter().zip(&outcomes) {
            out.push(code(outcome.status));
            let eligible = outcome.status == crate::ast::Status::Eligible;
            amounts.push(outcome.amount(policy).and_then(Value::as_decimal).filter(|_| eligible));
        }
        amounts
    }
}

#[wasm_bindgen]
impl Decider {
    /// The status of every policy for one record: a byte each. Throws an EligoError for invalid data.
    pub fn decide(&mut self, record: JsValue) -> Result<js_sys::Uint8Array, JsValue> {
        let values = declared_facts(&self.engine, &self.keys, &record)?
            .map_err(|problems| evaluate_error(api::EvaluateError::invalid_facts(problems)))?;
        let mut codes = Vec::with_capacity(self.engine.program().policies.len());
        self.amounts = self.decide_values(&values, &mut codes);
        Ok(js_sys::Uint8Array::from(codes.as_slice()))
    }

    /// The amount ("75.00") of policy number `policy` for the last record `decide`d, when eligible.
    pub fn amount(&self, policy: usize) -> Option<String> {
        self.amounts.get(policy).copied().flatten().map(crate::eval::money)
    }

    /// Statuses for many records in one crossing: `records.length × policies` bytes, record by
    /// record. A record whose data is invalid gets 255 for every policy.
    #[wasm_bindgen(js_name = decideMany)]
    pub fn decide_many(&mut self, records: JsValue) -> Result<js_sys::Uint8Array, JsValue> {
        let text: String = js_sys::JSON::stringify(&records)?.into();
        let records: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&text)
            .map_err(|e| eligo_error("invalidFacts", &format!("records must be an array of objects: {e}"), None))?;
        let program = self.engine.program();
        let per_record = program.policies.len();
        let mut codes = Vec::with_capacity(records.len() * per_record);
        for record in &records {
            let values = program.inputs.iter().map(|input| record.get(&input.name));
            match crate::facts::from_inputs(program, values) {
                Ok(facts) => {
                    self.decide_values(&facts.values, &mut codes);
                }
                Err(_) => codes.extend(std::iter::repeat_n(INVALID, per_record)),
            }
        }
        Ok(js_sys::Uint8Array::from(codes.as_slice()))
    }

    /// Statuses for `count` records given as columns: `{ age: Int32Array | number[], hukou:
    /// string[], … }`, one array per input (a missing input: no array; a missing value: null, or
    /// NaN in a typed array). The fastest way to screen many records.
    #[wasm_bindgen(js_name = decideColumns)]
    pub fn decide_columns(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, ArrayLike<unknown>>")] columns: JsValue,
        count: usize,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let program = self.engine.program();
        let mut read: Vec<Vec<serde_json::Value>> = Vec::with_capacity(program.inputs.len());
        for key in self.keys.iter() {
            read.push(column(&js_sys::Reflect::get(&columns, key)?, count)?);
        }
        let per_record = program.policies.len();
        let mut codes = Vec::with_capacity(count * per_record);
        for record in 0..count {
            let values = read.iter().map(|column| column.get(record));
            match crate::facts::from_inputs(program, values) {
                Ok(facts) => {
                    self.decide_values(&facts.values, &mut codes);
                }
                Err(_) => codes.extend(std::iter::repeat_n(INVALID, per_record)),
            }
        }
        Ok(js_sys::Uint8Array::from(codes.as_slice()))
    }
}

/// One column of values: a typed array is copied in one go (NaN is missing); any other array
/// crosses as one JSON text.
fn column(value: &JsValue, count: usize) -> Result<Vec<serde_json::Value>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let numbers = if let Some(typed) = value.dyn_ref::<js_sys::Float64Array>() {
        Some(typed.to_vec())
    } else if let Some(typed) = value.dyn_ref::<js_sys::Int32Array>() {
        Some(typed.to_vec().into_iter().map(f64::from).collect())
    } else {
        None
    };
    let read: Vec<serde_json::Value> = match numbers {
        Some(numbers) => numbers.into_iter().map(number_json).collect(),
        None => {
            let text: String = js_sys::JSON::stringify(value)?.into();
            serde_json::from_str(&text)
                .map_err(|e| eligo_error("invalidFacts", &format!("a column must be an array of values: {e}"), None))?
        }
    };
    if read.len() < count {
        return Err(eligo_error(
            "invalidFacts",
            &format!("a column has {} values for {count} records", read.len()),
            None,
        ));
    }
    Ok(read)
}

/// A JS number as JSON: whole numbers stay whole, NaN is missing, infinities are rejected later.
fn number_json(n: f64) -> serde_json::Value {
    if n.is_nan() {
        serde_json::Value::Null
    } else if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        serde_json::Value::from(n as i64)
    } else {
        // Infinities have no JSON number: as text they are rejected by the facts reader with their
        // path. (Spelled out so that Rust's float formatting is not linked into the module.)
        let infinite = if n > 0.0 { "Infinity" } else { "-Infinity" };
        serde_json::Number::from_f64(n)
            .map_or_else(|| serde_json::Value::String(infinite.into()), serde_json::Value::Number)
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
