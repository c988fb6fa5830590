//! The WebAssembly module as JavaScript sees it: run in Node (tests/wasm_node.rs) and in headless
//! Chromium (tests/wasm_browser.rs) by wasm-bindgen-test.

use eligo_wasm::{check, version, Engine};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// The LANGUAGE.md sketch in final syntax, self-contained (rules/ splits it across files).
const ELDERLY: &str = include_str!("../fixtures/valid/elderly_allowance.rules");

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON is valid")
}

fn engine() -> Engine {
    let files = Object::new();
    Reflect::set(&files, &"elderly.rules".into(), &ELDERLY.into()).unwrap();
    Engine::compile(files.into(), None).unwrap_or_else(|e| panic!("compile failed: {:?}", get(&e, "message")))
}

#[wasm_bindgen_test]
fn evaluates_a_citizen_with_money_as_strings() {
    let report = engine()
        .evaluate(
            json(r#"{"birth_date": "1940-05-01", "hukou": "上海"}"#),
            json(r#"{"date": "2025-03-01", "lang": "en"}"#),
        )
        .unwrap();
    let policy = Array::from(&get(&report, "policies")).get(0);
    assert_eq!(get(&policy, "status").as_string().as_deref(), Some("eligible"));
    assert_eq!(get(&policy, "title").as_string().as_deref(), Some("Old-age allowance"));
    let outputs = get(&policy, "outputs");
    assert_eq!(get(&outputs, "amount").as_string().as_deref(), Some("180.00"));
    assert_eq!(get(&outputs, "period").as_string().as_deref(), Some("month"));
    assert!(get(&policy, "trace").is_undefined(), "no trace unless asked for");
}

#[wasm_bindgen_test]
fn explains_when_asked() {
    let report = engine()
        .evaluate(
            json(r#"{"birth_date": "1958-01-15", "hukou": "上海"}"#),
            json(r#"{"date": "2025-03-01", "trace": true}"#),
        )
        .unwrap();
    let policy = Array::from(&get(&report, "policies")).get(0);
    let trace = Array::from(&get(&policy, "trace"));
    assert_eq!(trace.length(), 3);
    let age = Array::from(&get(&trace.get(1), "values")).get(0);
    assert_eq!(get(&age, "name").as_string().as_deref(), Some("年龄"));
    assert_eq!(get(&age, "value").as_f64(), Some(67.0));
    assert!(get(&trace.get(2), "decidedBy").as_string().unwrap_or_default().contains("65..69"));
}

#[wasm_bindgen_test]
fn undetermined_names_the_missing_fact_and_asks_for_it() {
    let report = engine().evaluate(json(r#"{"hukou": "上海"}"#), json(r#"{"date": "2025-03-01"}"#)).unwrap();
    let policy = Array::from(&get(&report, "policies")).get(0);
    assert_eq!(get(&policy, "status").as_string().as_deref(), Some("undetermined"));
    assert_eq!(Array::from(&get(&policy, "missing")).get(0).as_string().as_deref(), Some("birth_date"));
    let ask = Array::from(&get(&report, "askNext")).get(0);
    assert_eq!(get(&ask, "input").as_string().as_deref(), Some("birth_date"));
    assert_eq!(get(&ask, "settles").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn compile_errors_are_eligo_errors_with_diagnostics() {
    let error = match Engine::compile("input birth_date: date\nlet 年龄 = age(birth_dat, today)".into(), None) {
        Ok(_) => panic!("should not compile"),
        Err(error) => error,
    };
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "name").as_string().as_deref(), Some("EligoError"));
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("compile"));
    let diagnostics = Array::from(&get(&error, "diagnostics"));
    let unknown = diagnostics.iter().find(|d| get(d, "code").as_string().as_deref() == Some("E0201")).expect("E0201");
    let start = get(&unknown, "start");
    assert_eq!(get(&start, "line").as_f64(), Some(2.0));
    assert_eq!(get(&start, "column").as_f64(), Some(14.0));
    assert_eq!(get(&start, "utf16Column").as_f64(), Some(14.0));
    assert!(get(&unknown, "help").as_string().unwrap_or_default().contains("birth_date"));
    assert!(get(&unknown, "rendered").as_string().unwrap_or_default().contains("^^^"));
}

#[wasm_bindgen_test]
fn invalid_data_is_an_eligo_error_with_paths() {
    let error = engine()
        .evaluate(json(r#"{"birth_date": "2025-02-30", "hukou": 7}"#), json(r#"{"date": "2025-03-01"}"#))
        .err()
        .expect("invalid data must throw");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidFacts"));
    let problems = Array::from(&get(&error, "problems"));
    let paths: Vec<String> = problems.iter().filter_map(|p| get(&p, "path").as_string()).collect();
    assert_eq!(paths, vec!["birth_date", "hukou"]);
}

/// Robustness (docs/robustness.md): a JS object nested deeper than the data limit, or one that
/// contains itself, is an EligoError, never a stack overflow that kills the module for the page.
#[wasm_bindgen_test]
fn deep_or_circular_data_is_an_eligo_error() {
    let deep = Object::new();
    let mut inner = deep.clone();
    for _ in 0..10_000 {
        let next = Object::new();
        Reflect::set(&inner, &"hukou".into(), &next).unwrap();
        inner = next;
    }
    let circular = Object::new();
    Reflect::set(&circular, &"birth_date".into(), &"1940-05-01".into()).unwrap();
    let household = Array::new();
    household.push(&circular);
    Reflect::set(&circular, &"hukou".into(), &household).unwrap();
    let engine = engine();
    for data in [deep, circular] {
        let data: JsValue = data.into();
        let error = engine.evaluate(data.clone(), json(r#"{"date": "2025-03-01"}"#)).err().expect("must throw");
        assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidFacts"));
        let error = engine.decide(data.clone(), "2025-03-01").err().expect("must throw");
        assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidFacts"));
        let records = Array::new();
        records.push(&json("{}"));
        records.push(&data);
        let reports = Array::from(&engine.evaluate_many(records.into(), json(r#"{"date": "2025-03-01"}"#)).unwrap());
        assert!(get(&reports.get(0), "error").is_undefined());
        assert_eq!(get(&get(&reports.get(1), "error"), "kind").as_string().as_deref(), Some("invalidFacts"));
    }
    // The module still works.
    assert!(engine.evaluate(json("{}"), json(r#"{"date": "2025-03-01"}"#)).is_ok());
}

#[wasm_bindgen_test]
fn a_bad_date_is_an_eligo_error() {
    let error = engine().evaluate(json("{}"), json(r#"{"date": "2025-13-01"}"#)).err().expect("must throw");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidDate"));
    let error = engine().evaluate(json("{}"), json(r#"{"lang": "en"}"#)).err().expect("must throw");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidOptions"));
}

#[wasm_bindgen_test]
fn check_never_throws_for_bad_rules() {
    let nested = format!("let x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let diagnostics = Array::from(&check(nested.into()).unwrap());
    assert_eq!(get(&diagnostics.get(0), "code").as_string().as_deref(), Some("E0104"));
    let garbage = Array::from(&check("policy policy policy ））（（ \u{0}".into()).unwrap());
    assert!(garbage.length() > 0);
    assert_eq!(
        Array::from(&check(ELDERLY.into()).unwrap())
            .iter()
            .filter(|d| get(d, "severity").as_string().as_deref() == Some("error"))
            .count(),
        0
    );
}

#[wasm_bindgen_test]
fn evaluates_many_records_and_isolates_bad_ones() {
    let reports = engine()
        .evaluate_many(
            json(r#"[{"birth_date": "1940-05-01", "hukou": "上海"}, {"birth_date": 5}, {}]"#),
            json(r#"{"date": "2025-03-01"}"#),
        )
        .unwrap();
    let reports = Array::from(&reports);
    assert_eq!(reports.length(), 3);
    let first = Array::from(&get(&reports.get(0), "policies")).get(0);
    assert_eq!(get(&first, "status").as_string().as_deref(), Some("eligible"));
    assert_eq!(get(&get(&reports.get(1), "error"), "kind").as_string().as_deref(), Some("invalidFacts"));
    let third = Array::from(&get(&reports.get(2), "policies")).get(0);
    assert_eq!(get(&third, "status").as_string().as_deref(), Some("undetermined"));
}

#[wasm_bindgen_test]
fn schema_policies_examples_and_version() {
    let engine = engine();
    let inputs = Array::from(&get(&engine.schema().unwrap(), "inputs"));
    let birth = inputs.get(0);
    assert_eq!(get(&birth, "type").as_string().as_deref(), Some("date"));
    assert_eq!(get(&get(&birth, "label"), "en").as_string().as_deref(), Some("Date of birth"));
    let policies = Array::from(&engine.policies().unwrap());
    assert_eq!(get(&policies.get(0), "period").as_string().as_deref(), Some("month"));
    let examples = Array::from(&engine.run_examples().unwrap());
    assert!(examples.length() >= 2);
    assert!(examples.iter().all(|e| get(&e, "passed").as_bool() == Some(true)));
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

/// Calls method `name` of a JS object (the decider is a JavaScript object: js/decider.js).
fn call(object: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let method: js_sys::Function = get(object, name).dyn_into().expect("a method");
    method.apply(object, &args.iter().collect::<Array>())
}

fn bytes(value: JsValue) -> Vec<u8> {
    js_sys::Uint8Array::new(&value).to_vec()
}

#[wasm_bindgen_test]
fn a_decider_screens_records_as_status_bytes() {
    let engine = engine();
    let decider = engine.decider("2025-03-01").unwrap();
    let decide = |record: &str| call(&decider, "decide", &[json(record)]).map(bytes);
    assert_eq!(decide(r#"{"birth_date": "1940-05-01", "hukou": "上海"}"#).unwrap(), vec![0]);
    assert_eq!(call(&decider, "amount", &[0.into()]).unwrap().as_string().as_deref(), Some("180.00"));
    assert_eq!(decide(r#"{"hukou": "上海"}"#).unwrap(), vec![2], "undetermined without a birth date");
    assert!(call(&decider, "amount", &[0.into()]).unwrap().is_undefined());
    // The same text again comes from the decider's table of texts: the same answer.
    assert_eq!(decide(r#"{"birth_date": "1940-05-01", "hukou": "上海"}"#).unwrap(), vec![0]);
    let error = decide(r#"{"birth_date": "1940-02-30", "hukou": 5}"#).unwrap_err();
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidFacts"));
    assert_eq!(Array::from(&get(&error, "problems")).length(), 2, "every problem, each at its path");

    let records = json(
        r#"[{"birth_date": "1940-05-01", "hukou": "上海"}, {"birth_date": "1990-01-01", "hukou": "上海"}, {"birth_date": 5}, 7]"#,
    );
    assert_eq!(bytes(call(&decider, "decideMany", &[records]).unwrap()), vec![0, 1, 255, 255]);
    assert_eq!(call(&decider, "amount", &[0.into(), 0.into()]).unwrap().as_string().as_deref(), Some("180.00"));
    let columns = json(r#"{"birth_date": ["1940-05-01", null, "1990-01-01"], "hukou": ["上海", "上海", "北京"]}"#);
    assert_eq!(bytes(call(&decider, "decideColumns", &[columns, 3.into()]).unwrap()), vec![0, 2, 1]);
    let short = json(r#"{"hukou": ["上海"]}"#);
    assert!(call(&decider, "decideColumns", &[short, 3.into()]).is_err(), "a column shorter than the count");
}

#[wasm_bindgen_test]
fn a_page_can_leave_the_examples_out() {
    let options = json(r#"{"examples": false}"#);
    let engine = Engine::compile(ELDERLY.into(), Some(options.unchecked_into())).unwrap();
    assert_eq!(Array::from(&engine.run_examples().unwrap()).length(), 0);
    let report = engine.evaluate(json(r#"{"hukou": "上海"}"#), json(r#"{"date": "2025-03-01"}"#)).unwrap();
    assert_eq!(Array::from(&get(&report, "policies")).length(), 1);
}
