//! Real reports validate against docs/report.schema.json, and the JSON examples in docs/report.md
//! are real: they validate too, and the full reports shown there are what the engine produces.
//!
//! The validator below implements the part of JSON Schema (draft 2020-12) the schema uses: type,
//! properties, required, additionalProperties, items, enum, const, $ref (to "#" and "#/$defs/…"),
//! anyOf, oneOf, allOf, minItems, maxItems, maxProperties, minimum, boolean schemas, and the few
//! `pattern`s the schema contains (checked by hand, without a regex engine). Any other keyword
//! fails the test, so the schema cannot silently rely on something unchecked.

use eligo::{ffi::options, Engine};
use serde_json::{json, Value};

const SCHEMA: &str = include_str!("../docs/report.schema.json");
const REPORT_MD: &str = include_str!("../docs/report.md");

/// The sample of docs/report.md: rules/shanghai/elderly.rules with the header and the shared
/// inputs it uses, named as the CLI names them.
fn sample() -> Engine {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<(String, String)> =
        ["rules/ruleset.rules", "rules/common/inputs.rules", "rules/shanghai/elderly.rules"]
            .iter()
            .map(|f| (f.to_string(), std::fs::read_to_string(root.join(f)).unwrap()))
            .collect();
    Engine::compile(&files).unwrap_or_else(|e| panic!("{}", e.message))
}

// ───────────────────────────── A small JSON Schema validator ─────────────────────────────

struct Validator {
    root: Value,
}

/// Keywords that only annotate.
const ANNOTATIONS: &[&str] =
    &["$schema", "$id", "$defs", "$comment", "title", "description", "examples", "format", "default"];

impl Validator {
    fn new() -> Validator {
        Validator { root: serde_json::from_str(SCHEMA).expect("docs/report.schema.json is JSON") }
    }

    /// The problems of `value` against the definition `def` ("" for the whole schema).
    fn check(&self, def: &str, value: &Value) -> Vec<String> {
        let schema = if def.is_empty() { json!({ "$ref": "#" }) } else { json!({ "$ref": format!("#/$defs/{def}") }) };
        let mut errors = Vec::new();
        self.validate(&schema, value, "$", &mut errors);
        errors
    }

    fn assert_valid(&self, def: &str, value: &Value) {
        let errors = self.check(def, value);
        assert!(
            errors.is_empty(),
            "not valid against {}:\n  {}\n{value:#}",
            if def.is_empty() { "the report schema" } else { def },
            errors.join("\n  ")
        );
    }

    fn assert_invalid(&self, def: &str, value: &Value, why: &str) {
        assert!(!self.check(def, value).is_empty(), "accepted, but {why}:\n{value:#}");
    }

    fn resolve(&self, reference: &str) -> &Value {
        if reference == "#" {
            return &self.root;
        }
        let name = reference.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("unsupported $ref {reference}"));
        self.root["$defs"].get(name).unwrap_or_else(|| panic!("no $defs/{name} in the schema"))
    }

    fn validate(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = match schema {
            Value::Bool(true) => return,
            Value::Bool(false) => return errors.push(format!("{at}: not allowed")),
            Value::Object(schema) => schema,
            other => panic!("a schema must be an object or a boolean, got {other}"),
        };
        for (keyword, arg) in schema {
            match keyword.as_str() {
                k if ANNOTATIONS.contains(&k) => {}
                "$ref" => self.validate(self.resolve(arg.as_str().unwrap()), value, at, errors),
                "type" => {
                    let types: Vec<&str> = match arg {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
                        _ => panic!("bad type {arg}"),
                    };
                    if !types.iter().any(|t| has_type(value, t)) {
                        errors.push(format!("{at}: expected {}, got {value}", types.join(" or ")));
                    }
                }
                "enum" => {
                    if !arg.as_array().unwrap().contains(value) {
                        errors.push(format!("{at}: {value} is not one of {arg}"));
                    }
                }
                "const" => {
                    if arg != value {
                        errors.push(format!("{at}: expected {arg}, got {value}"));
                    }
                }
                "properties" | "required" | "additionalProperties" | "maxProperties" => {
                    let Value::Object(object) = value else { continue };
                    match keyword.as_str() {
                        "properties" => {
                            for (name, sub) in arg.as_object().unwrap() {
                                if let Some(v) = object.get(name) {
                                    self.validate(sub, v, &format!("{at}.{name}"), errors);
                                }
                            }
                        }
                        "required" => {
                            for name in arg.as_array().unwrap() {
                                if !object.contains_key(name.as_str().unwrap()) {
                                    errors.push(format!("{at}: missing required {name}"));
                                }
                            }
                        }
                        "additionalProperties" => {
                            let declared = schema.get("properties").and_then(Value::as_object);
                            for (name, v) in object {
                                if !declared.is_some_and(|d| d.contains_key(name)) {
                                    self.validate(arg, v, &format!("{at}.{name}"), errors);
                                }
                            }
                        }
                        _ => {
                            if object.len() as u64 > arg.as_u64().unwrap() {
                                errors.push(format!("{at}: more than {arg} properties"));
                            }
                        }
                    }
                }
                "items" | "minItems" | "maxItems" => {
                    let Value::Array(items) = value else { continue };
                    match keyword.as_str() {
                        "items" => {
                            for (i, item) in items.iter().enumerate() {
                                self.validate(arg, item, &format!("{at}[{i}]"), errors);
                            }
                        }
                        "minItems" if (items.len() as u64) < arg.as_u64().unwrap() => {
                            errors.push(format!("{at}: fewer than {arg} items"))
                        }
                        "maxItems" if items.len() as u64 > arg.as_u64().unwrap() => {
                            errors.push(format!("{at}: more than {arg} items"))
                        }
                        _ => {}
                    }
                }
                "minimum" => {
                    if let Some(n) = value.as_f64() {
                        if n < arg.as_f64().unwrap() {
                            errors.push(format!("{at}: {n} is below the minimum {arg}"));
                        }
                    }
                }
                "pattern" => {
                    if let Value::String(s) = value {
                        if !matches_pattern(arg.as_str().unwrap(), s) {
                            errors.push(format!("{at}: {s:?} does not match {arg}"));
                        }
                    }
                }
                "anyOf" | "oneOf" | "allOf" => {
                    let results: Vec<Vec<String>> = arg
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|sub| {
                            let mut sub_errors = Vec::new();
                            self.validate(sub, value, at, &mut sub_errors);
                            sub_errors
                        })
                        .collect();
                    let passed = results.iter().filter(|e| e.is_empty()).count();
                    let ok = match keyword.as_str() {
                        "anyOf" => passed >= 1,
                        "oneOf" => passed == 1,
                        _ => passed == results.len(),
                    };
                    if !ok {
                        let detail: Vec<String> = results.into_iter().flatten().collect();
                        errors.push(format!(
                            "{at}: {keyword} failed ({passed} of the schemas passed): {}",
                            detail.join("; ")
                        ));
                    }
                }
                other => panic!("the schema uses `{other}`, which this validator does not implement"),
            }
        }
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("unknown type {other}"),
    }
}

/// The schema's patterns, checked by hand.
fn matches_pattern(pattern: &str, s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let unsigned = |t: &str| t.strip_prefix('-').unwrap_or(t).to_string();
    let no_brackets = |t: &str| !t.is_empty() && !t.contains(['[', ']']);
    match pattern {
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" => {
            let parts: Vec<&str> = s.split('-').collect();
            parts.len() == 3
                && parts[0].len() == 4
                && parts[1].len() == 2
                && parts[2].len() == 2
                && parts.iter().all(|p| digits(p))
        }
        r"^[0-9a-f]{16}$" | r"^[0-9a-f]{64}$" => {
            let length = if pattern.contains("16") { 16 } else { 64 };
            s.len() == length && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        }
        r"^[0-9A-F]{8}-[0-9]{8}$" => matches!(s.split_once('-'), Some((hash, date))
            if hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
                && date.len() == 8 && digits(date)),
        r"^-?[0-9]+\.[0-9]{2}$" => {
            let t = unsigned(s);
            matches!(t.split_once('.'), Some((whole, cents)) if digits(whole) && cents.len() == 2 && digits(cents))
        }
        r"^-?[0-9]+(\.[0-9]+)?$" => {
            let t = unsigned(s);
            match t.split_once('.') {
                Some((whole, fraction)) => digits(whole) && digits(fraction),
                None => digits(&t),
            }
        }
        r"^[^\[\]]+(\[[0-9]+\]\.[^\[\]]+)?$" => match s.split_once('[') {
            None => no_brackets(s),
            Some((list, rest)) => {
                no_brackets(list)
                    && matches!(rest.split_once("]."), Some((index, field)) if digits(index) && no_brackets(field))
            }
        },
        other => panic!("the schema uses the pattern {other:?}, which this test does not check"),
    }
}

#[test]
fn the_pattern_checks_agree_with_the_patterns() {
    let date = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    assert!(matches_pattern(date, "2025-03-01"));
    assert!(
        !matches_pattern(date, "2025-3-01")
            && !matches_pattern(date, "2025-03-01x")
            && !matches_pattern(date, "20250301")
    );
    let money = r"^-?[0-9]+\.[0-9]{2}$";
    assert!(matches_pattern(money, "75.00") && matches_pattern(money, "-0.10"));
    assert!(
        !matches_pattern(money, "75")
            && !matches_pattern(money, "75.0")
            && !matches_pattern(money, "1e3")
            && !matches_pattern(money, ".50")
    );
    let decimal = r"^-?[0-9]+(\.[0-9]+)?$";
    assert!(matches_pattern(decimal, "0.5") && matches_pattern(decimal, "2175") && matches_pattern(decimal, "-2.35"));
    assert!(!matches_pattern(decimal, "0.") && !matches_pattern(decimal, "1e3") && !matches_pattern(decimal, "--1"));
    let path = r"^[^\[\]]+(\[[0-9]+\]\.[^\[\]]+)?$";
    assert!(
        matches_pattern(path, "birth_date")
            && matches_pattern(path, "household[12].monthly_income")
            && matches_pattern(path, "家庭[0].收入")
    );
    assert!(
        !matches_pattern(path, "household[0]")
            && !matches_pattern(path, "household[x].a")
            && !matches_pattern(path, "")
    );
}

// ───────────────────────────── Reports to validate ─────────────────────────────

const VARIETY: &str = r#"
ruleset variety "各种情况" en "Every case"

record member label "家庭成员" en "Household member"
  field monthly_income: money label "月收入" en "Monthly income" min 0
  field age: int label "年龄" en "Age"

input household: list of member label "家庭成员" en "Household members" question "家里有哪些人？" en "Who lives in your household?"
input a: bool label "甲" en "A"
input grade: int label "残疾等级" en "Disability grade"
input kind: one of "视力" en "visual", "听力" en "hearing" label "类别" en "Kind"
input start: date label "开始日期" en "Start date"
input rate: decimal label "比率" en "Rate"

param 标准: money = 1450 from 2024-07-01, 1320 from 2022-07-01 label "低保标准" en "Standard"

let 人数 = count(household) label "人数" en "Members"

table 档次(grade: int) -> money label "档次表" en "Bands"
  1..2 => 300
  3..4 => 100
  otherwise => 0

policy outputs_of_every_type "各种输出" en "Every output type"
  source "某办法 第一条" url "https://example.org/1"
  require a "甲" en "A"
  unless grade == 0 "零级除外" en "Except grade 0"
  amount monthly = 档次(grade)
  exception "一级" en "Grade 1" when grade == 1 then amount = 350
  output members = 人数
  output flag = a
  output since = start
  output kind_out = kind
  output ratio = rate * 2
  output standard = 标准
  output label_text = "文字"

policy special "特困供养" en "Special care"
  require a "甲" en "A"
  amount monthly = 2000
  excludes dibao

policy dibao "低保" en "Subsistence"
  require sum(household, monthly_income) < 标准 "收入低于标准" en "Income below the standard"
  amount monthly = 标准 - sum(household, monthly_income)

policy tuition "学费" en "Tuition"
  require count(household, age < 18) >= 1 "有子女" en "A child"
  fee = 400
  waiver = 50%

policy fixed_fee "定额" en "Fixed"
  fee = 400
  waiver = 150

policy per_head "人均" en "Per head"
  output share = 1200元 / 人数

policy later "将来" en "Later"
  effective from 2030-01-01 until 2030-12-31
  require a "甲" en "A"

policy m1 "按月" en "Monthly"
  require grade >= 1 "有等级" en "Has a grade"
  amount monthly = 100
policy y1 "按年" en "Yearly"
  require a "甲" en "A"
  amount yearly = 1000
group 择高 "就高不就低" en "Only the highest" highest of m1, y1
"#;

fn datasets() -> Vec<Value> {
    vec![
        json!({}),
        json!({ "household": [] }),
        json!({ "household": [{ "monthly_income": "300", "age": 10 }, { "age": 40 }], "a": true, "grade": 1 }),
        json!({
            "household": [{ "monthly_income": "300", "age": 10 }, { "monthly_income": 200, "age": 40 }],
            "a": true, "grade": 3, "kind": "听力", "start": "2024-02-29", "rate": "0.125", "unused": [1, 2]
        }),
        json!({ "household": [{ "monthly_income": "3000", "age": 30 }], "a": false, "grade": 0, "kind": "视力", "start": "2020-01-01", "rate": 1 }),
    ]
}

fn all_reports() -> Vec<Value> {
    let mut reports = Vec::new();
    let variety = Engine::compile(&[("variety.rules", VARIETY)]).unwrap();
    let elderly = sample();
    for date in ["2025-03-01", "2022-06-30", "2030-01-01"] {
        for lang in [Some("en"), None] {
            for trace in [true, false] {
                for data in datasets() {
                    let report = eligo::ffi::evaluate(&variety, &data, date, options(lang, trace)).unwrap();
                    reports.push(serde_json::to_value(&report).unwrap());
                }
                for data in [
                    json!({ "birth_date": "1958-01-15", "hukou": "上海", "phone": "138" }),
                    json!({ "hukou": "上海" }),
                    json!({ "birth_date": "1990-01-01" }),
                    json!({ "birth_date": "1940-02-29", "hukou": "北京" }),
                ] {
                    for date in [date, "2016-03-31"] {
                        reports.push(
                            serde_json::to_value(
                                eligo::ffi::evaluate(&elderly, &data, date, options(lang, trace)).unwrap(),
                            )
                            .unwrap(),
                        );
                    }
                }
            }
        }
    }
    reports
}

#[test]
fn real_reports_validate_against_the_schema() {
    let validator = Validator::new();
    let reports = all_reports();
    for report in &reports {
        validator.assert_valid("", report);
    }
    // The reports cover every status, with and without trace, every step kind and optional field.
    let mut seen = std::collections::BTreeSet::new();
    for report in &reports {
        for policy in report["policies"].as_array().unwrap() {
            seen.insert(format!("status {}", policy["status"].as_str().unwrap()));
            seen.insert(format!("trace {}", policy.get("trace").is_some()));
            for field in ["excludedBy", "error", "source"] {
                if policy.get(field).is_some() {
                    seen.insert(format!("field {field}"));
                }
            }
            for step in policy.get("trace").and_then(Value::as_array).into_iter().flatten() {
                seen.insert(format!("step {}", step["kind"].as_str().unwrap()));
                if step.get("decidedBy").is_some() {
                    seen.insert("step decidedBy".into());
                }
                for value in step["values"].as_array().unwrap() {
                    if value.get("since").is_some() {
                        seen.insert("value since".into());
                    }
                }
            }
            for key in ["fee", "waiver", "payable"] {
                if policy["outputs"].get(key).is_some() {
                    seen.insert(format!("output {key}"));
                }
            }
        }
        if !report["warnings"].as_array().unwrap().is_empty() {
            seen.insert("warnings".into());
        }
        if !report["askNext"].as_array().unwrap().is_empty() {
            seen.insert("askNext".into());
        }
    }
    for expected in [
        "status eligible",
        "status ineligible",
        "status undetermined",
        "status not_applicable",
        "status error",
        "trace true",
        "trace false",
        "field excludedBy",
        "field error",
        "field source",
        "step require",
        "step unless",
        "step output",
        "step relation",
        "step effective",
        "step decidedBy",
        "value since",
        "output fee",
        "output waiver",
        "output payable",
        "warnings",
        "askNext",
    ] {
        assert!(seen.contains(expected), "no report has {expected}: {seen:?}");
    }
}

#[test]
fn evaluate_json_results_validate_against_the_schema() {
    let validator = Validator::new();
    let engine = Engine::compile(&[("variety.rules", VARIETY)]).unwrap();
    let results = [
        eligo::ffi::evaluate_json(&engine, r#"{"a": true, "household": []}"#, "2025-03-01", options(Some("en"), true)),
        eligo::ffi::evaluate_json(
            &engine,
            r#"{"a": "yes", "household": [{"monthly_income": "abc"}]}"#,
            "2025-03-01",
            options(None, false),
        ),
        eligo::ffi::evaluate_json(&engine, "{not json", "2025-03-01", options(None, false)),
        eligo::ffi::evaluate_json(&engine, "[]", "2025-03-01", options(None, false)),
        eligo::ffi::evaluate_json(&engine, "{}", "2025-02-30", options(None, false)),
    ];
    let mut kinds = Vec::new();
    for text in &results {
        let result: Value = serde_json::from_str(text).unwrap();
        validator.assert_valid("evaluateResult", &result);
        if let Some(error) = result.get("error") {
            validator.assert_valid("evaluateError", error);
            kinds.push(error["kind"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(kinds, ["invalidFacts", "invalidJson", "invalidFacts", "invalidDate"]);
}

#[test]
fn the_schema_rejects_what_the_contract_forbids() {
    let validator = Validator::new();
    let elderly = sample();
    let eligible = serde_json::to_value(
        eligo::ffi::evaluate(
            &elderly,
            &json!({ "birth_date": "1958-01-15", "hukou": "上海" }),
            "2025-03-01",
            options(Some("en"), true),
        )
        .unwrap(),
    )
    .unwrap();
    // Which rules decided: a signed report names its release, an unsigned one names none.
    let mut signed = eligible["rules"].clone();
    for (field, value) in
        [("version", json!(3)), ("issuer", json!("上海市民政局")), ("keyId", json!("5c1f0e2a9b7d3468"))]
    {
        signed[field] = value;
    }
    signed["issued"] = json!("2026-12-01");
    signed["signed"] = json!(true);
    validator.assert_valid("rules", &signed);
    let mut no_issuer = signed.clone();
    no_issuer.as_object_mut().unwrap().remove("issuer");
    validator.assert_invalid("rules", &no_issuer, "a signed report names its issuer");
    let mut unsigned_version = eligible["rules"].clone();
    unsigned_version["version"] = json!(3);
    validator.assert_invalid("rules", &unsigned_version, "unsigned rules have no version");
    let mut short_hash = eligible["rules"].clone();
    short_hash["hash"] = json!("4165af36");
    validator.assert_invalid("rules", &short_hash, "a hash has 64 hex digits");
    let mut no_rules = eligible.clone();
    no_rules.as_object_mut().unwrap().remove("rules");
    validator.assert_invalid("", &no_rules, "every report says which rules decided");
    let undetermined = serde_json::to_value(
        eligo::ffi::evaluate(&elderly, &json!({ "hukou": "上海" }), "2025-03-01", options(Some("en"), true)).unwrap(),
    )
    .unwrap();
    validator.assert_valid("", &eligible);
    validator.assert_valid("", &undetermined);

    let mutate = |report: &Value, change: &dyn Fn(&mut Value)| {
        let mut report = report.clone();
        change(&mut report);
        report
    };
    let cases: Vec<(Value, &str)> = vec![
        (mutate(&eligible, &|r| r["policies"][0]["outputs"]["amount"] = json!(75.0)), "money is a number"),
        (mutate(&eligible, &|r| r["policies"][0]["outputs"]["amount"] = json!("75")), "money without cents"),
        (mutate(&eligible, &|r| r["policies"][0]["outputs"]["period"] = json!("week")), "an unknown period"),
        (mutate(&eligible, &|r| r["policies"][0]["outputs"]["extra"] = json!(1.5)), "a named output is a float"),
        (mutate(&eligible, &|r| r["extra"] = json!(1)), "an unknown top-level field"),
        (
            mutate(&eligible, &|r| {
                r.as_object_mut().unwrap().remove("askNext");
            }),
            "askNext is missing",
        ),
        (mutate(&eligible, &|r| r["ask_next"] = json!([])), "a snake_case field"),
        (mutate(&eligible, &|r| r["policies"][0]["status"] = json!("granted")), "an unknown status"),
        (
            mutate(&eligible, &|r| r["policies"][0]["missing"] = json!(["birth_date"])),
            "an eligible policy lists missing facts",
        ),
        (
            mutate(&eligible, &|r| {
                r["policies"][0]["error"] = json!({ "message": "x", "at": { "file": "f", "line": 1, "column": 1 } })
            }),
            "an eligible policy has an error",
        ),
        (mutate(&eligible, &|r| r["policies"][0]["status"] = json!("error")), "an error without its error"),
        (mutate(&eligible, &|r| r["policies"][0]["trace"][0]["kind"] = json!("maybe")), "an unknown step kind"),
        (
            mutate(&eligible, &|r| {
                r["policies"][0]["trace"][0].as_object_mut().unwrap().remove("met");
            }),
            "a step without met",
        ),
        (
            mutate(&eligible, &|r| r["policies"][0]["trace"][0]["values"][0]["value"] = json!(1.5)),
            "a traced value is a float",
        ),
        (mutate(&eligible, &|r| r["policies"][0]["trace"][0]["at"]["line"] = json!(0)), "line 0"),
        (mutate(&eligible, &|r| r["date"] = json!("01/03/2025")), "a date not written YYYY-MM-DD"),
        (mutate(&eligible, &|r| r["lang"] = json!("fr")), "an unknown language"),
        (
            mutate(&undetermined, &|r| r["policies"][0]["missing"] = json!([])),
            "an undetermined policy lists nothing missing",
        ),
        (
            mutate(&undetermined, &|r| r["policies"][0]["missing"] = json!(["household[0]"])),
            "a missing path without a field",
        ),
        (
            mutate(&undetermined, &|r| r["policies"][0]["outputs"] = json!({ "amount": "75.00" })),
            "an undetermined policy has outputs",
        ),
        (mutate(&undetermined, &|r| r["askNext"][0]["settles"] = json!(0)), "askNext settles nothing"),
        (mutate(&undetermined, &|r| r["askNext"][0]["extra"] = json!("x")), "an unknown askNext field"),
    ];
    for (report, why) in &cases {
        validator.assert_invalid("", report, why);
    }
    validator.assert_invalid(
        "evaluateError",
        &json!({ "kind": "invalidFacts", "message": "x" }),
        "problems are missing",
    );
    validator.assert_invalid("evaluateError", &json!({ "kind": "oops", "message": "x" }), "an unknown kind");
    validator.assert_invalid("evaluateResult", &json!({ "ok": {}, "error": {} }), "both ok and error");
}

// ───────────────────────────── docs/report.md ─────────────────────────────

/// The ```json blocks of docs/report.md.
fn json_blocks() -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut lines = REPORT_MD.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```json" {
            let text: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            let text = text.join("\n");
            blocks.push(
                serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("a json block in docs/report.md is not JSON ({e}):\n{text}")),
            );
        }
    }
    blocks
}

#[test]
fn the_examples_in_report_md_validate() {
    let validator = Validator::new();
    let blocks = json_blocks();
    assert!(blocks.len() >= 5, "docs/report.md has {} json blocks", blocks.len());
    for block in &blocks {
        let def = if block.get("policies").is_some() {
            ""
        } else if block.get("ok").is_some() || (block.get("error").is_some() && block.as_object().unwrap().len() == 1) {
            "evaluateResult"
        } else if block.get("status").is_some() {
            "policyResult"
        } else if block.get("verificationCode").is_some() {
            "rules"
        } else if block.get("kind").is_some() && block.get("label").is_some() {
            "traceStep"
        } else if block.get("kind").is_some() {
            "evaluateError"
        } else {
            panic!("docs/report.md has a json block of no known kind:\n{block:#}")
        };
        validator.assert_valid(def, block);
    }
}

#[test]
fn the_sample_reports_in_report_md_are_what_the_engine_produces() {
    let elderly = sample();
    // The commands shown in docs/report.md, through the API (the CLI prints the same report).
    let produced = [
        eligo::ffi::evaluate(
            &elderly,
            &json!({ "birth_date": "1958-01-15", "hukou": "上海", "phone": "13800000000" }),
            "2025-03-01",
            options(Some("en"), true),
        ),
        eligo::ffi::evaluate(&elderly, &json!({ "hukou": "上海" }), "2025-03-01", options(Some("zh"), false)),
    ]
    .map(|r| serde_json::to_value(r.unwrap()).unwrap());
    let shown: Vec<Value> = json_blocks()
        .into_iter()
        .filter(|b| {
            b.get("policies")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["id"] == "elderly_allowance"))
        })
        .collect();
    assert_eq!(shown.len(), produced.len(), "docs/report.md should show both sample reports in full");
    for (shown, produced) in shown.iter().zip(&produced) {
        assert_eq!(
            shown, produced,
            "docs/report.md is out of date: regenerate the sample report with the command shown there"
        );
    }
}
