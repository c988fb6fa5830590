//! The WebAssembly edge: a thin wasm-bindgen layer over the `eligo` façade, compiled only for
//! wasm32.
//! Two doors for data: a JS object of facts becomes JSON data and is read by the engine as the JSON
//! functions read it (`evaluate`, `evaluateMany`, `decide`, `decideMany`: the same problems and
//! warnings by every route); records to screen arrive as the cells of an `eligo::batch::Batch`,
//! written by js/boundary.js (the decider). Results cross as one JSON text parsed by the JS engine,
//! which measured faster than building objects from WebAssembly field by field. Dates are
//! "YYYY-MM-DD", money is strings.
//! Errors are JS `Error`s named "EligoError" with a `kind` and their details.
#![cfg(target_arch = "wasm32")]

use eligo::batch::Batch;
use eligo::eval::Options;
use eligo::facts::Facts;
use eligo::ffi;
use eligo::keys::{KeyError, PublicKey};
use eligo::report::FactProblem;
use eligo::vocabulary::Lang;
use eligo::{EvaluateError, Trust};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[cfg(feature = "compiler")]
mod workspace;
#[cfg(feature = "compiler")]
pub use workspace::{format, Workspace};

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
  /** With `trace: true` (the citation explains); `engine.policies()` lists every citation. */
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
  /** The rules that decided, with the verification code of this evaluation. */
  rules: RulesInfo & { verificationCode: string };
}

/** Options of `Engine.load`. Without them no key is trusted, so nothing loads (fails closed). */
export interface LoadOptions {
  /** The issuers' public keys the page trusts, each the text of an issuer.pub file; several while an office rotates its key. */
  trustedKeys?: string[];
  /** The last version of these rules this page accepted (kept by the page): an older bundle is refused. */
  acceptedVersion?: number;
  /** Development only: also load programs no key signed (`eligo build` without `--sign`); their reports say `signed: false`. */
  allowUnsigned?: boolean;
  /** The language of an error's `message`. Default "zh"; `messages` has both. */
  lang?: "zh" | "en";
}

/** Which rules an engine holds (`engine.rules()`, `report.rules`). */
export interface RulesInfo {
  /** The rule set id. */
  id: string;
  /** Verified against a trusted key; false for rules compiled from text or loaded with `allowUnsigned`. */
  signed: boolean;
  /** Signed bundles only: the release's version, which only grows. */
  version?: number;
  /** Signed bundles only: the office that issued the rules. */
  issuer?: string;
  /** Signed bundles only: the id of the key that signed, 16 hex digits. */
  keyId?: string;
  /** Signed bundles only: the issue date, "YYYY-MM-DD". */
  issued?: string;
  /** The program's SHA-512/256 hash, 64 hex digits: the same rules have the same hash, signed or not. */
  hash: string;
  /** In a report: the hash's first 8 hex digits and the evaluation date, "3F2A9C1B-20250901", with which a clerk re-runs the answer. */
  verificationCode?: string;
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

/**
 * Screening on one date, from `engine.decider(date)`: each policy's status as a byte, in the order
 * of `policies` (0 eligible, 1 ineligible, 2 undetermined, 3 not applicable, 4 error; in a batch,
 * 255 for a record whose data is invalid), and amounts on request.
 */
export interface Decider {
  /** The policies' ids, in the order of the status bytes. */
  readonly policies: string[];
  /** The inputs read from each record. */
  readonly inputs: string[];
  /**
   * One record: a status byte per policy. The array is reused by the next call on this decider
   * (copy it with `.slice()` to keep it). Throws an EligoError for invalid data.
   */
  decide(record: Record<string, unknown>): Uint8Array;
  /** The amount ("75.00") of policy number `policy` for record `record` (default 0) of the last call, when eligible. */
  amount(policy: number, record?: number): string | undefined;
  /** Many records: `records.length × policies.length` bytes, record by record (a new array). */
  decideMany(records: Record<string, unknown>[]): Uint8Array;
  /**
   * `count` records given as columns, one array per input (`Int32Array`, `Float64Array` or any
   * array; a missing value is null, or NaN in a typed array): the fastest way to screen many.
   */
  decideColumns(columns: Record<string, ArrayLike<unknown>>, count: number): Uint8Array;
  /** Frees the decider's memory in the module (also done when it is garbage-collected). */
  free(): void;
}

/** A range of a rule file, in UTF-16 code units (CodeMirror's and JavaScript's offsets). */
export interface Range { file: string; from: number; to: number; }
/** Replace `from..to` of `file` by `insert` (a CodeMirror change, with its file). */
export interface TextEdit { file: string; from: number; to: number; insert: string; }
/** What the name at an offset is, in Markdown (label in zh and en, type, citation, values, rows). */
export interface Hover { markdown: string; from: number; to: number; }
export interface Completion {
  label: string;
  kind: "keyword" | "input" | "param" | "let" | "table" | "field" | "function";
  /** A name's label, a built-in's signature. */
  detail: string | null;
  /** A built-in's usage. */
  documentation: string | null;
}
/** A quick fix of the diagnostic whose code is `fixes`. */
export interface CodeAction { title: string; fixes: string; edits: TextEdit[]; }
/** An entry of a file's outline: the whole declaration (`range`) and its name (`selection`). */
export interface DocumentSymbol {
  name: string;
  kind: "ruleset" | "record" | "input" | "param" | "let" | "table" | "policy" | "group" | "example";
  range: Range;
  selection: Range;
}
/** Why a `Workspace` call was refused: kind "invalidOptions" (a file or offset) or "rename". */
export type WorkspaceReason = "unknownFile" | "invalidOffset" | "invalidLang" | "nothingToRename" | "notAName" | "collides";

/** Why `Engine.load` refused the bytes (kind "load"). */
export type LoadErrorReason =
  | "unsigned" | "unknownKey" | "badSignature" | "signatureMissing" | "signatureTruncated"
  | "keyIdMissing" | "keyIdMismatch" | "olderVersion" | "programAltered" | "issuerMismatch"
  | "bundleFormat" | "algorithm" | "notAProgram" | "truncated" | "checksum" | "formatVersion"
  | "engineVersion" | "invalid";

/** Why the options of `Engine.load` were refused (kind "invalidOptions"). */
export type LoadOptionsReason = "invalidKey" | "invalidVersion" | "invalidOption";

/** Thrown by the engine: an Error whose name is "EligoError". */
export interface EligoError extends Error {
  name: "EligoError";
  kind: "compile" | "load" | "invalidFacts" | "invalidDate" | "invalidOptions" | "rename";
  /** kind "compile": every problem in the rules. */
  diagnostics?: Diagnostic[];
  /** kind "invalidFacts": every problem in the data, at its path. */
  problems?: FactProblem[];
  /** From `Engine.load`: why, as a word to compare. */
  reason?: LoadErrorReason | LoadOptionsReason | WorkspaceReason;
  /** From `Engine.load` and `Workspace`: the message in both languages (`message` is in the `lang` of the options). */
  messages?: { zh: string; en: string };
}
"#;

#[wasm_bindgen(start)]
fn start() {
    // A panic must reach the page as an Error with its message, not as an opaque trap.
    std::panic::set_hook(Box::new(|info| wasm_bindgen::throw_str(&format!("Eligo internal error: {info}"))));
}

/// Results cross as one JSON text that the engine's native JSON.parse turns into objects: measured
/// several times faster than building the objects property by property from WebAssembly. The text
/// crosses in UTF-16, JavaScript's own encoding (see `json_writer`).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    parse_utf16(&eligo::json_writer::to_utf16(value).map_err(|e| JsValue::from_str(&e.to_string()))?)
}

/// A JS value as JSON data: the one door for JS objects of facts. NaN and infinities become text,
/// which the facts reader rejects with the input's path.
fn json_of(value: &JsValue, depth: usize) -> Result<serde_json::Value, EvaluateError> {
    json_within(value, depth, &mut 0)
}

/// `json_of`, counting the keys read so far (`keys`): objects are bounded as JSON text is
/// (`MAX_OBJECT_KEYS` in one, `MAX_DATA_KEYS` in all).
fn json_within(value: &JsValue, depth: usize, keys: &mut usize) -> Result<serde_json::Value, EvaluateError> {
    use serde_json::Value as Json;
    let problem = |path: &str, message: String| {
        EvaluateError::invalid_facts(vec![FactProblem { path: path.to_string(), message }])
    };
    if depth > eligo::limits::MAX_DATA_DEPTH {
        return Err(problem("", eligo::json::too_deep_message()));
    }
    if let Some(n) = value.as_f64() {
        return Ok(eligo::facts::json_number(n));
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
        return array.iter().map(|item| json_within(&item, depth + 1, keys)).collect::<Result<_, _>>().map(Json::Array);
    }
    let mut map = serde_json::Map::new();
    let names = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>());
    *keys += names.length() as usize;
    if names.length() as usize > eligo::limits::MAX_OBJECT_KEYS {
        return Err(problem("", eligo::json::too_many_keys_message()));
    }
    if *keys > eligo::limits::MAX_DATA_KEYS {
        return Err(problem("", eligo::json::too_many_keys_in_all_message()));
    }
    for key in names.iter() {
        if let Some(name) = key.as_string() {
            // A getter or a proxy that throws: the data cannot be read there.
            let item = js_sys::Reflect::get(value, &key)
                .map_err(|_| problem(&name, "a property that cannot be read".into()))?;
            map.insert(name, json_within(&item, depth + 1, keys)?);
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

/// An EligoError said in both languages: `message` in `lang`, `messages` in each (a page switches
/// language without loading again), and `reason`, a word that programs compare.
fn eligo_error_in(
    kind: &str,
    reason: &str,
    lang: Lang,
    messages: impl Fn(Lang) -> String,
    detail: Option<(&str, JsValue)>,
) -> JsValue {
    let both = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&both, &"zh".into(), &messages(Lang::Zh).into());
    let _ = js_sys::Reflect::set(&both, &"en".into(), &messages(Lang::En).into());
    let error = eligo_error(kind, &messages(lang), Some(("messages", both.into())));
    let _ = js_sys::Reflect::set(&error, &"reason".into(), &reason.into());
    if let Some((key, value)) = detail {
        let _ = js_sys::Reflect::set(&error, &key.into(), &value);
    }
    error
}

#[cfg(feature = "compiler")]
fn rule_files(files: JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if let Some(text) = files.as_string() {
        return Ok(vec![("rules.rules".into(), text)]);
    }
    let invalid =
        || eligo_error("invalidOptions", "rule files must be a text or an object of file names to texts", None);
    if !files.is_object() {
        return Err(invalid());
    }
    let mut map = std::collections::BTreeMap::new();
    for entry in js_sys::Object::entries(files.unchecked_ref::<js_sys::Object>()).iter() {
        let pair = js_sys::Array::from(&entry);
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(name), Some(text)) => map.insert(name, text),
            _ => return Err(invalid()),
        };
    }
    Ok(map.into_iter().collect())
}

/// Field `name` of an options object; undefined where it cannot be read.
fn field(options: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// A `lang` option: "zh", "en" or absent (`None`); `Err` for anything else.
fn lang_option(value: &JsValue) -> Result<Option<Lang>, ()> {
    match value.as_string().as_deref() {
        Some("zh") => Ok(Some(Lang::Zh)),
        Some("en") => Ok(Some(Lang::En)),
        None if absent(value) => Ok(None),
        _ => Err(()),
    }
}

/// A boolean option, false when absent; `Err` for anything else.
fn flag_option(value: &JsValue) -> Result<bool, ()> {
    match value.as_bool() {
        Some(flag) => Ok(flag),
        None if absent(value) => Ok(false),
        None => Err(()),
    }
}

fn options(value: JsValue) -> Result<(String, Options), JsValue> {
    let invalid = |what: &str| {
        let message =
            format!("options must be {{ date: \"YYYY-MM-DD\", lang?: \"zh\" | \"en\", trace?: boolean }}: {what}");
        eligo_error("invalidOptions", &message, None)
    };
    if !value.is_object() {
        return Err(invalid("not an object"));
    }
    let date = field(&value, "date").as_string().ok_or_else(|| invalid("`date` is missing or not a text"))?;
    let lang = lang_option(&field(&value, "lang")).map_err(|()| invalid("`lang` must be \"zh\" or \"en\""))?;
    let trace = flag_option(&field(&value, "trace")).map_err(|()| invalid("`trace` must be true or false"))?;
    Ok((date, Options { lang: lang.unwrap_or_default(), trace }))
}

/// What is wrong with the options of `Engine.load`; said in both languages, since the language
/// asked for may be what is wrong.
enum LoadOptionsError {
    /// The options, `trustedKeys`, `allowUnsigned` or `lang` are not of their type: `option` names
    /// which, `expected` says what it takes (the same in both languages: it is code).
    Invalid { option: &'static str, expected: &'static str },
    /// `trustedKeys[index]` is not a text, or not an issuer.pub file's (`error`).
    Key { index: u32, error: Option<KeyError> },
    /// `acceptedVersion` is not a whole number a bundle's version can be.
    Version { given: String },
}

impl LoadOptionsError {
    fn reason(&self) -> &'static str {
        match self {
            LoadOptionsError::Invalid { .. } => "invalidOption",
            LoadOptionsError::Key { .. } => "invalidKey",
            LoadOptionsError::Version { .. } => "invalidVersion",
        }
    }

    fn message(&self, lang: Lang) -> String {
        use LoadOptionsError as E;
        let max = eligo::bundle::MAX_VERSION;
        match (self, lang) {
            (E::Invalid { option, expected }, Lang::En) => format!("the load option `{option}` must be {expected}"),
            (E::Invalid { option, expected }, Lang::Zh) => format!("载入选项 `{option}` 应为 {expected}"),
            (E::Key { index, error: Some(error) }, Lang::En) => {
                format!("trustedKeys[{index}] is not an issuer's public key: {}", error.kind.message(lang))
            }
            (E::Key { index, error: Some(error) }, Lang::Zh) => {
                format!("trustedKeys[{index}] 不是发布机关的公钥：{}", error.kind.message(lang))
            }
            (E::Key { index, error: None }, Lang::En) => {
                format!("trustedKeys[{index}] is not a text: give the text of the issuer's .pub file")
            }
            (E::Key { index, error: None }, Lang::Zh) => {
                format!("trustedKeys[{index}] 不是文本：请提供发布机关 .pub 公钥文件的文本")
            }
            (E::Version { given }, Lang::En) => format!(
                "acceptedVersion must be a whole number from 0 to {max} (the last version this page accepted), got {given}"
            ),
            (E::Version { given }, Lang::Zh) => {
                format!("acceptedVersion 应为 0 到 {max} 之间的整数（此页面上次接受的版本），实际为 {given}")
            }
        }
    }
}

/// A JS value as an error message shows it: a number as JavaScript writes it (NaN, Infinity), else
/// its JSON, or its type where it has none (a BigInt, a function).
fn shown(value: &JsValue) -> String {
    let number = value.as_f64().and_then(|n| js_sys::Number::from(n).to_string_with_radix(10).ok());
    number
        .or_else(|| js_sys::JSON::stringify(value).ok())
        .and_then(|text| text.as_string())
        .or_else(|| value.js_typeof().as_string())
        .unwrap_or_default()
}

/// The options of `Engine.load` (`LoadOptions`): the trust they give and the language of errors.
/// None trusts no key: nothing but a bundle signed by a key the page names loads.
fn load_options(options: &JsValue) -> Result<(Trust, Lang), JsValue> {
    // Errors in the language asked for, when that much of the options is right.
    let lang = lang_option(&field(options, "lang")).ok().flatten().unwrap_or_default();
    read_load_options(options)
        .map_err(|error| {
            let index = match error {
                LoadOptionsError::Key { index, .. } => Some(("index", JsValue::from(index))),
                _ => None,
            };
            eligo_error_in("invalidOptions", error.reason(), lang, |lang| error.message(lang), index)
        })
        .map(|trust| (trust, lang))
}

fn read_load_options(options: &JsValue) -> Result<Trust, LoadOptionsError> {
    let invalid = |option, expected| LoadOptionsError::Invalid { option, expected };
    if absent(options) {
        return Ok(Trust::default());
    }
    if !options.is_object() {
        return Err(invalid(
            "options",
            "{ trustedKeys?: string[], acceptedVersion?: number, allowUnsigned?: boolean, lang?: \"zh\" | \"en\" }",
        ));
    }
    lang_option(&field(options, "lang")).map_err(|()| invalid("lang", "\"zh\" or \"en\""))?;
    let keys = field(options, "trustedKeys");
    let keys = if absent(&keys) {
        Vec::new()
    } else if js_sys::Array::is_array(&keys) {
        js_sys::Array::from(&keys)
            .iter()
            .zip(0..)
            .map(|(text, index)| {
                let text = text.as_string().ok_or(LoadOptionsError::Key { index, error: None })?;
                PublicKey::parse(&text).map_err(|error| LoadOptionsError::Key { index, error: Some(error) })
            })
            .collect::<Result<_, _>>()?
    } else {
        return Err(invalid("trustedKeys", "an array of texts, each an issuer.pub file's"));
    };
    let mut trust = Trust::keys(keys);
    let version = field(options, "acceptedVersion");
    if !absent(&version) {
        // A safe integer is one that every JavaScript number holds exactly: the range of versions.
        let accepted = version.as_f64().filter(|&v| js_sys::Number::is_safe_integer(&version) && v >= 0.0);
        let accepted = accepted.ok_or_else(|| LoadOptionsError::Version { given: shown(&version) })?;
        trust = trust.accepted_version(accepted as u64);
    }
    if flag_option(&field(options, "allowUnsigned")).map_err(|()| invalid("allowUnsigned", "true or false"))? {
        trust = trust.allow_unsigned();
    }
    Ok(trust)
}

fn evaluate_error(error: EvaluateError) -> JsValue {
    match error {
        EvaluateError::InvalidFacts { message, problems } => {
            eligo_error("invalidFacts", &message, to_js(&problems).ok().map(|p| ("problems", p)))
        }
        EvaluateError::InvalidDate { message } => eligo_error("invalidDate", &message, None),
        EvaluateError::InvalidJson { message } => eligo_error("invalidFacts", &message, None),
    }
}

/// A record's result in a batch of JS objects, or `{ error }` in its place.
#[derive(Serialize)]
#[serde(untagged)]
enum OrError<T> {
    Ok(T),
    Error { error: EvaluateError },
}

/// `each` of `records` (a JS array), in order: one record with invalid data does not stop the batch.
fn each_record<T: Serialize>(
    records: &JsValue,
    mut each: impl FnMut(&JsValue) -> Result<T, EvaluateError>,
) -> Result<JsValue, JsValue> {
    if !js_sys::Array::is_array(records) {
        return Err(eligo_error("invalidFacts", "records must be an array of objects", None));
    }
    let results: Vec<OrError<T>> = js_sys::Array::from(records)
        .iter()
        .map(|data| each(&data).map_or_else(|error| OrError::Error { error }, OrError::Ok))
        .collect();
    to_js(&results)
}

/// A compiled rule set.
#[wasm_bindgen]
pub struct Engine {
    inner: Rc<eligo::Engine>,
    /// The parameters of the last date asked for: a batch on one date resolves them once.
    on: std::cell::RefCell<Option<eligo::eval::OnDate>>,
}

impl Engine {
    fn new(inner: eligo::Engine) -> Engine {
        Engine { inner: Rc::new(inner), on: std::cell::RefCell::new(None) }
    }

    /// The parameters in force on `date`, from the cache when it is the same date.
    fn on(&self, date: &str) -> Result<eligo::eval::OnDate, JsValue> {
        let cached = self.on.borrow_mut().take();
        let on = match cached {
            Some(on) if eligo::date::Date::parse(date) == Some(on.date) => on,
            _ => self.inner.on(ffi::date(date).map_err(evaluate_error)?),
        };
        Ok(on)
    }

    fn keep(&self, on: eligo::eval::OnDate) {
        *self.on.borrow_mut() = Some(on);
    }

    /// The facts of a JS object, read as JSON data is: the same problems and warnings by every door.
    fn facts(&self, data: &JsValue) -> Result<Facts, EvaluateError> {
        self.inner.facts(&json_of(data, 0)?)
    }
}

#[wasm_bindgen]
impl Engine {
    /// Loads a rule set compiled ahead of time by `eligo build` (a `.eligo` file's bytes): no
    /// parsing or checking at run time. A signed bundle is verified against `options.trustedKeys`
    /// before anything in it is decoded; without options no key is trusted and nothing loads.
    /// Throws an EligoError: kind "load" with its `reason` for bytes refused (unsigned, altered, an
    /// unknown key, an older version, damaged, …), kind "invalidOptions" for options that are not
    /// right; each with `messages` in both languages.
    pub fn load(
        bytes: &[u8],
        #[wasm_bindgen(unchecked_optional_param_type = "LoadOptions")] options: JsValue,
    ) -> Result<Engine, JsValue> {
        let (trust, lang) = load_options(&options)?;
        eligo::Engine::load(bytes, &trust).map(Engine::new).map_err(|error| {
            let messages = |lang| error.kind.message(lang);
            eligo_error_in("load", error.kind.reason(), lang, messages, None)
        })
    }

    /// Which rules this engine holds: the rule set id, signed or not, and for a signed bundle its
    /// version, issuer, key id and issue date; the program's hash. A report's `rules` adds the
    /// verification code of its evaluation date.
    #[wasm_bindgen(unchecked_return_type = "RulesInfo")]
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.rules())
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

    /// Evaluates one citizen's data. Throws an EligoError for invalid data or options.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] data: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EvaluateOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (date, options) = self::options(options)?;
        let report = json_of(&data, 0).and_then(|data| ffi::evaluate(&self.inner, &data, &date, options));
        to_js(&report.map_err(evaluate_error)?)
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
        each_record(&records, |data| {
            json_of(data, 0).and_then(|data| ffi::evaluate(&self.inner, &data, &date, options))
        })
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
        let decided = self.facts(&data).map(|facts| to_js(&self.inner.decide_on(&on, &facts.values)));
        self.keep(on);
        decided.map_err(evaluate_error)?
    }

    /// Lean decisions for many citizens on one date, in one crossing: one `Decision[]` per record,
    /// or `{ error }` in the place of a record with invalid data.
    #[wasm_bindgen(js_name = decideMany, unchecked_return_type = "(Decision[] | { error: { kind: string; message: string } })[]")]
    pub fn decide_many(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>[]")] records: JsValue,
        date: &str,
    ) -> Result<JsValue, JsValue> {
        let on = self.on(date)?;
        let decided =
            each_record(&records, |data| self.facts(data).map(|facts| self.inner.decide_on(&on, &facts.values)));
        self.keep(on);
        decided
    }
}

/// Compiling rule text: in the full module only (the evaluation-only one loads precompiled rules).
#[cfg(feature = "compiler")]
#[wasm_bindgen]
impl Engine {
    /// Compiles rule files; throws an EligoError (kind "compile") with every diagnostic.
    /// `{ examples: false }` leaves out the examples (tests) in the files: a page that only
    /// evaluates citizens starts faster. `lang` ("zh", the default, or "en") is the language of
    /// the diagnostics (the warnings, or the errors thrown).
    pub fn compile(
        #[wasm_bindgen(unchecked_param_type = "RuleFiles")] files: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ examples?: boolean; lang?: \"zh\" | \"en\" }")]
        options: Option<js_sys::Object>,
    ) -> Result<Engine, JsValue> {
        let files = rule_files(files)?;
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let examples = field(&options, "examples").as_bool().unwrap_or(true);
        let lang = diagnostics_lang(&options)?;
        eligo::Engine::compile_in(&files, examples, lang).map(Engine::new).map_err(|error| {
            eligo_error("compile", &error.message, to_js(&error.diagnostics).ok().map(|d| ("diagnostics", d)))
        })
    }

    /// Warnings found while compiling (the rules are valid).
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.warnings())
    }

    /// Runs the examples written in the rules.
    #[wasm_bindgen(js_name = runExamples, unchecked_return_type = "ExampleResult[]")]
    pub fn run_examples(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.run_examples())
    }
}

#[wasm_bindgen(module = "/js/boundary.js")]
extern "C" {
    /// JSON text (UTF-16) to JS values.
    #[wasm_bindgen(js_name = parseUtf16, catch)]
    fn parse_utf16(units: &[u16]) -> Result<JsValue, JsValue>;

    /// The JavaScript half of a decider.
    #[wasm_bindgen(js_name = wrapDecider)]
    fn wrap_decider(core: DeciderCore, memory: JsValue, inputs: Vec<String>, policies: Vec<String>) -> JsValue;
}

#[wasm_bindgen]
impl Engine {
    /// A decider for `date` ("YYYY-MM-DD"): statuses and amounts of every policy for records, the
    /// fastest way to screen (its parameters are resolved once).
    #[wasm_bindgen(unchecked_return_type = "Decider")]
    pub fn decider(&self, date: &str) -> Result<JsValue, JsValue> {
        let program = self.inner.program();
        let on = self.inner.on(ffi::date(date).map_err(evaluate_error)?);
        let core = DeciderCore { engine: self.inner.clone(), batch: Batch::new(program, on) };
        let inputs = program.inputs.iter().map(|input| input.name.clone()).collect();
        let policies = program.policies.iter().map(|policy| policy.id.clone()).collect();
        Ok(wrap_decider(core, wasm_bindgen::memory(), inputs, policies))
    }
}

/// The WebAssembly half of a decider: an `eligo::batch::Batch` whose buffers js/boundary.js writes
/// records into and reads statuses and amounts from, in place. Used through js/boundary.js only.
#[wasm_bindgen]
pub struct DeciderCore {
    engine: Rc<eligo::Engine>,
    batch: Batch,
}

#[wasm_bindgen]
impl DeciderCore {
    /// Room for `records` records. A batch too large for the module's memory is an EligoError, not
    /// an allocation failure, which would end the module for the whole page.
    pub fn reserve(&mut self, records: usize) -> Result<(), JsValue> {
        self.batch.reserve(records).map_err(|too_large| {
            let message =
                format!("{} records do not fit in memory at once: decide them in smaller batches", too_large.records);
            eligo_error("invalidFacts", &message, None)
        })
    }

    pub fn tags(&mut self) -> *mut u8 {
        self.batch.cells_mut().0.as_mut_ptr()
    }

    pub fn numbers(&mut self) -> *mut f64 {
        self.batch.cells_mut().1.as_mut_ptr()
    }

    pub fn statuses(&self) -> *const u8 {
        self.batch.statuses().as_ptr()
    }

    pub fn amounts(&self) -> *const f64 {
        self.batch.amounts().as_ptr()
    }

    /// Reads `text` once as the value of input number `input`; the id stands for it afterwards.
    pub fn intern(&mut self, input: usize, text: String) -> usize {
        self.batch.intern(self.engine.program(), input, text)
    }

    #[wasm_bindgen(js_name = forgetTexts)]
    pub fn forget_texts(&mut self) {
        self.batch.forget_texts();
    }

    /// The amount at `index` (record × policies + policy) as money, for amounts beyond 2^53 cents.
    pub fn amount(&self, index: usize) -> Option<String> {
        self.batch.amount(index)
    }

    /// Decides the first `records` records encoded. `values` (or undefined) are the JS values that
    /// cells tagged OTHER index. Invalid data: `strict` throws an EligoError with its problems;
    /// otherwise the record's statuses are 255.
    pub fn run(&mut self, records: usize, values: JsValue, strict: bool) -> Result<(), JsValue> {
        let values: Vec<serde_json::Value> = if values.is_undefined() {
            Vec::new()
        } else {
            let values = js_sys::Array::from(&values);
            values.iter().map(|value| json_of(&value, 1)).collect::<Result<_, _>>().map_err(evaluate_error)?
        };
        let run = self.batch.run(self.engine.program(), records, &values, strict);
        run.map_err(|problems| evaluate_error(EvaluateError::invalid_facts(problems)))
    }
}

/// Every problem in rule files, for editors, in `lang` ("zh", the default, or "en"). Never
/// throws for bad rules.
#[cfg(feature = "compiler")]
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn check(
    #[wasm_bindgen(unchecked_param_type = "RuleFiles")] files: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ lang?: \"zh\" | \"en\" }")] options: Option<js_sys::Object>,
) -> Result<JsValue, JsValue> {
    let files = rule_files(files)?;
    let lang = diagnostics_lang(&options.map_or(JsValue::UNDEFINED, Into::into))?;
    to_js(&eligo::check_in(&files, lang))
}

/// The `lang` option of `check` and `Engine.compile`: Chinese when absent.
#[cfg(feature = "compiler")]
fn diagnostics_lang(options: &JsValue) -> Result<Lang, JsValue> {
    let lang = if absent(options) { Ok(None) } else { lang_option(&field(options, "lang")) };
    lang.map(Option::unwrap_or_default).map_err(|()| {
        eligo_error(
            "invalidOptions",
            "options.lang must be \"zh\" or \"en\" / options.lang 只能是 \"zh\" 或 \"en\"",
            None,
        )
    })
}

/// The engine's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
