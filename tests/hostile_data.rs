//! Hostile citizen data against the real rule set (rules/): every problem is refused with its
//! path, all of them at once, by every entry point (`evaluate`, `evaluate_json`, `decide`,
//! `decide_many_json`, the CLI), and never turned into a partial report passed off as complete.
//! Wrong types at every level, duplicate keys, strings with NUL bytes, dates that are not in the
//! calendar. (The limits on data — list length, nesting, text length, numbers — are in
//! tests/limits.rs.)

#[allow(dead_code)]
mod common;
use common::root;
use eligo::{ffi::options, Engine, EvaluateError, InputSchema};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const DATE: &str = "2025-03-01";

fn rule_files(dir: &Path, found: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("rules/").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rule_files(&path, found);
        } else if path.extension().is_some_and(|x| x == "rules") {
            found.push((path.display().to_string(), std::fs::read_to_string(&path).expect("a rule file")));
        }
    }
}

fn engine() -> Engine {
    let mut files = Vec::new();
    rule_files(&root().join("rules"), &mut files);
    Engine::compile(&files).unwrap_or_else(|e| panic!("rules/ compiles: {}", e.message))
}

/// A value of the wrong type for an input of `kind`, and what makes it wrong.
fn wrong(kind: &str) -> Value {
    match kind {
        "bool" => json!("yes"),
        "int" => json!("12"),
        "decimal" | "money" => json!(true),
        "date" => json!(20250301),
        "text" => json!(12),
        "enum" => json!("not one of the options"),
        "list" => json!({"not": "a list"}),
        other => panic!("a new kind of input: {other}"),
    }
}

/// The problems of an evaluation that must fail, as (path, message).
fn problems(engine: &Engine, data: &Value) -> Vec<(String, String)> {
    match eligo::ffi::evaluate(engine, data, DATE, options(Some("en"), false)) {
        Err(EvaluateError::InvalidFacts { problems, message }) => {
            assert!(!message.is_empty());
            problems.into_iter().map(|p| (p.path, p.message)).collect()
        }
        other => panic!("expected invalid facts for {data}, got {other:?}"),
    }
}

fn paths(problems: &[(String, String)]) -> BTreeSet<String> {
    problems.iter().map(|(p, _)| p.clone()).collect()
}

/// Every entry point refuses `text` (JSON) with the same problems; none makes a report.
fn refused_everywhere(engine: &Engine, text: &str) -> BTreeSet<String> {
    let out: Value =
        serde_json::from_str(&eligo::ffi::evaluate_json(engine, text, DATE, options(None, true))).expect("JSON");
    assert!(out.get("ok").is_none(), "a report from invalid data: {out}");
    assert_eq!(out["error"]["kind"], "invalidFacts", "{out}");
    let found: BTreeSet<String> = out["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].as_str().expect("a path").to_string())
        .collect();
    let batch: Value =
        serde_json::from_str(&eligo::ffi::decide_many_json(engine, &format!("[{{}}, {text}]"), DATE).expect("a batch"))
            .expect("JSON");
    assert!(batch[0].is_array(), "the good record is decided: {batch}");
    assert_eq!(batch[1]["error"]["kind"], "invalidFacts", "the bad record is refused in its place: {batch}");
    if let Ok(data) = eligo::ffi::read_data(text) {
        assert!(eligo::ffi::decide(engine, &data, DATE).is_err(), "decide refuses it too");
    }
    found
}

#[test]
fn wrong_types_at_every_level_all_reported_with_their_paths() {
    let engine = engine();
    let schema = engine.schema();
    let mut data = Map::new();
    let mut expected = BTreeSet::new();
    let lists: Vec<&InputSchema> = schema.inputs.iter().filter(|i| i.kind == "list").collect();
    assert!(!lists.is_empty(), "rules/ has a list input");
    for input in &schema.inputs {
        data.insert(input.name.clone(), wrong(input.kind));
        expected.insert(input.name.clone());
    }
    // The data as a whole: not an object.
    for not_an_object in [json!([]), json!("x"), json!(1), json!(null), json!(true)] {
        assert_eq!(paths(&problems(&engine, &not_an_object)), BTreeSet::from([String::new()]));
    }
    // Every input wrong at once: every path reported, not only the first.
    assert_eq!(paths(&problems(&engine, &Value::Object(data))), expected);
    // Inside a list: an item that is not an object, and each field of the wrong type.
    for list in lists {
        let fields = list.fields.as_ref().expect("fields");
        let mut item = Map::new();
        let mut expected = BTreeSet::from([format!("{}[0]", list.name)]);
        for field in fields {
            item.insert(field.name.clone(), wrong(field.kind));
            expected.insert(format!("{}[1].{}", list.name, field.name));
        }
        let data = json!({ &list.name: [7, item, {}] });
        assert_eq!(paths(&problems(&engine, &data)), expected, "{data}");
        assert_eq!(refused_everywhere(&engine, &data.to_string()), expected);
    }
}

#[test]
fn duplicate_keys_are_refused_with_their_paths() {
    let engine = engine();
    let profile = std::fs::read_to_string(root().join("rules/profiles/student_dibao_family.json")).expect("a profile");
    // The same key twice at the top (the last value would win silently in serde_json).
    let twice = profile.replacen("\"hukou\": \"北京\",", "\"hukou\": \"北京\", \"hukou\": \"上海\",", 1);
    assert_ne!(twice, profile);
    assert_eq!(refused_everywhere(&engine, &twice), BTreeSet::from(["hukou".to_string()]));
    // Inside a list item.
    let nested =
        profile.replacen("\"member_income\": \"1500\"", "\"member_income\": \"1500\", \"member_income\": \"0\"", 1);
    assert_ne!(nested, profile);
    assert_eq!(refused_everywhere(&engine, &nested), BTreeSet::from(["household[0].member_income".to_string()]));
    // The profile itself is fine.
    let out: Value =
        serde_json::from_str(&eligo::ffi::evaluate_json(&engine, &profile, DATE, options(None, false))).expect("JSON");
    assert!(out.get("ok").is_some(), "{out}");
}

#[test]
fn nul_bytes_in_strings_are_refused() {
    let engine = engine();
    let cases = [
        (r#"{"hukou": "北\u0000京"}"#, "hukou"),
        (r#"{"assistance_status": "低保\u0000"}"#, "assistance_status"),
        (r#"{"birth_date": "2005-03-10\u0000"}"#, "birth_date"),
        (r#"{"monthly_income": "1500\u0000"}"#, "monthly_income"),
        (r#"{"household": [{"member_income": "\u00001500"}]}"#, "household[0].member_income"),
    ];
    for (text, path) in cases {
        assert_eq!(refused_everywhere(&engine, text), BTreeSet::from([path.to_string()]), "{text}");
    }
    // A key with a NUL is a key these rules do not know: warned about, never used.
    let out: Value = serde_json::from_str(&eligo::ffi::evaluate_json(
        &engine,
        r#"{"hukou\u0000": "北京"}"#,
        DATE,
        options(None, false),
    ))
    .expect("JSON");
    assert_eq!(out["ok"]["warnings"][0]["path"], "hukou\u{0}", "{out}");
}

#[test]
fn dates_not_in_the_calendar_are_refused() {
    let engine = engine();
    for date in [
        "2025-02-30",
        "2023-02-29",
        "2025-13-01",
        "2025-00-10",
        "0000-01-01",
        "2025-3-1",
        "２０２５-03-01",
        "2025-03-01 ",
    ] {
        let text = json!({"birth_date": date, "household": [{"member_birth_date": date}]}).to_string();
        let expected = BTreeSet::from(["birth_date".to_string(), "household[0].member_birth_date".to_string()]);
        assert_eq!(refused_everywhere(&engine, &text), expected, "{date}");
        // And as the evaluation date.
        let out: Value =
            serde_json::from_str(&eligo::ffi::evaluate_json(&engine, "{}", date, options(None, false))).expect("JSON");
        assert_eq!(out["error"]["kind"], "invalidDate", "{date}: {out}");
    }
    // 29 February in a leap year is a date.
    let out: Value = serde_json::from_str(&eligo::ffi::evaluate_json(
        &engine,
        r#"{"birth_date": "2024-02-29"}"#,
        "2024-02-29",
        options(None, false),
    ))
    .expect("JSON");
    assert!(out.get("ok").is_some(), "{out}");
}

#[test]
fn text_that_is_not_json_is_refused_plainly() {
    let engine = engine();
    for text in ["", "{", "{\"a\": }", "{'hukou': '北京'}", "{\"a\": NaN}", "{\"a\": 1} {}", "\u{FEFF}{}", "null x"] {
        let out: Value =
            serde_json::from_str(&eligo::ffi::evaluate_json(&engine, text, DATE, options(None, false))).expect("JSON");
        assert_eq!(out["error"]["kind"], "invalidJson", "{text:?}: {out}");
        assert!(out["error"]["message"].as_str().is_some_and(|m| m.contains("line")), "{out}");
    }
}

#[test]
fn the_cli_refuses_duplicate_keys_with_their_path() {
    let dir = std::env::temp_dir().join(format!("eligo-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let data = dir.join("twice.json");
    std::fs::write(
        &data,
        r#"{"hukou": "北京", "household": [{"member_income": "1", "member_income": "2"}], "hukou": "上海"}"#,
    )
    .expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_eligo"))
        .args(["eval", "rules/", "--data", data.to_str().expect("a path"), "--date", DATE])
        .current_dir(root())
        .output()
        .expect("run eligo");
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("household[0].member_income") && err.contains("hukou"), "{err}");
    assert!(err.contains("twice"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The WebAssembly decider reads a JavaScript number straight into a value when it plainly fits
/// the input: exactly as the facts reader reads the JSON number JavaScript would write, for every
/// input of rules/ and numbers inside and outside their bounds, whole or not, NaN and infinite.
#[test]
fn numbers_read_directly_are_read_as_the_facts_reader_reads_them() {
    let engine = engine();
    let program = engine.program();
    let numbers = [0.0, -0.0, 1.0, -1.0, 17.0, 60.0, 150.0, 151.0, 2999.0, 1e15, 9007199254740993.0, 0.5, -2.25, 1e300];
    let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    for slot in 0..program.inputs.len() {
        for n in numbers.into_iter().chain(specials) {
            let direct = eligo::facts::read_number(program, slot, n);
            let read = eligo::facts::read_input(program, slot, &eligo::facts::json_number(n));
            assert_eq!(format!("{direct:?}"), format!("{read:?}"), "{} = {n}", program.inputs[slot].name);
        }
    }
    // NaN is refused with the input's path (a missing value is null, or no value at all).
    let int = program.inputs.iter().position(|i| i.ty == eligo::program::Type::Int).expect("an int input");
    let money = program.inputs.iter().position(|i| i.ty == eligo::program::Type::Money).expect("a money input");
    for slot in [int, money] {
        let problems = eligo::facts::read_number(program, slot, f64::NAN).expect_err("NaN is not a number");
        assert_eq!(problems[0].path, program.inputs[slot].name);
    }
}
