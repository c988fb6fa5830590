//! `eligo::batch`, natively: records encoded as cells exactly as js/boundary.js encodes them decide
//! as `Engine::decide` decides the same data, one by one and as one batch; invalid data, texts,
//! memory and amounts behave as the decider's contract says.

use eligo::batch::{status, tag, Batch, TooLarge};
use eligo::date::Date;
use eligo::{Decision, Engine};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

mod common;

use common::root;

const DATE: &str = "2025-09-01";

fn date() -> Date {
    Date::parse(DATE).expect("a date")
}

fn compile(files: &[(String, String)]) -> Engine {
    Engine::compile(files).unwrap_or_else(|error| panic!("the rules do not compile: {}", error.message))
}

/// A rule set small enough to read: an amount that is the pension given, a text, a whole number.
fn small() -> Engine {
    let rules = r#"
input age: int min 0 max 150
input city: text
input pension: money
policy grant "补贴" en "Grant"
  require age >= 60 "年满60周岁" en "Aged 60 or over"
  require city == "上海" "上海" en "Shanghai"
  amount monthly = pension
"#;
    compile(&[("small.rules".into(), rules.into())])
}

/// The demo profiles in rules/profiles/, by name.
fn profiles() -> Vec<(String, Json)> {
    let dir = root().join("rules/profiles");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension().is_some_and(|x| x == "json") && !path.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "the demo profiles: {paths:?}");
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let data = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(), data)
        })
        .collect()
}

/// The JavaScript half of the decider, in Rust: writes records into a batch's cells as
/// js/boundary.js does (texts interned once per input, lists and objects as values beside).
struct Encoder {
    texts: Vec<BTreeMap<String, usize>>,
    values: Vec<Json>,
}

impl Encoder {
    fn new(engine: &Engine) -> Encoder {
        Encoder { texts: vec![BTreeMap::new(); engine.program().inputs.len()], values: Vec::new() }
    }

    fn write(&mut self, engine: &Engine, batch: &mut Batch, records: &[Json]) {
        batch.reserve(records.len()).expect("room for the records");
        let program = engine.program();
        let width = batch.width();
        for (r, record) in records.iter().enumerate() {
            let Json::Object(record) = record else {
                batch.cells_mut().0[r * width] = tag::INVALID;
                continue;
            };
            for (i, input) in program.inputs.iter().enumerate() {
                let (tag, number) = match record.get(&input.name) {
                    None | Some(Json::Null) => (tag::MISSING, 0.0),
                    Some(Json::Number(n)) => (tag::NUMBER, n.as_f64().expect("a number")),
                    Some(Json::Bool(b)) => (tag::BOOL, f64::from(u8::from(*b))),
                    Some(Json::String(text)) => {
                        let id = match self.texts[i].get(text) {
                            Some(&id) => id,
                            None => {
                                let id = batch.intern(program, i, text.clone());
                                self.texts[i].insert(text.clone(), id);
                                id
                            }
                        };
                        (tag::TEXT, id as f64)
                    }
                    Some(other) => {
                        self.values.push(other.clone());
                        (tag::OTHER, (self.values.len() - 1) as f64)
                    }
                };
                let (tags, numbers) = batch.cells_mut();
                tags[r * width + i] = tag;
                numbers[r * width + i] = number;
            }
        }
    }

    /// Writes and decides `records`, as the decider's `decideMany` (or `decide`, with `strict`).
    fn run(&mut self, engine: &Engine, batch: &mut Batch, records: &[Json], strict: bool) -> Result<(), Vec<String>> {
        self.write(engine, batch, records);
        let values = std::mem::take(&mut self.values);
        batch
            .run(engine.program(), records.len(), &values, strict)
            .map_err(|problems| problems.into_iter().map(|p| format!("{}: {}", p.path, p.message)).collect())
    }
}

fn batch(engine: &Engine) -> Batch {
    Batch::new(engine.program(), engine.on(date()))
}

fn decide<'e>(engine: &'e Engine, data: &Json) -> Vec<Decision<'e>> {
    let facts = engine.facts(data).unwrap_or_else(|e| panic!("valid data: {e:?}"));
    engine.decide(&facts, date())
}

/// Record `r` of the last run equals `expected`: statuses, cents and exact amounts.
fn assert_record(batch: &Batch, r: usize, expected: &[Decision], what: &str) {
    let policies = expected.len();
    for (p, decision) in expected.iter().enumerate() {
        let at = r * policies + p;
        assert_eq!(batch.statuses()[at], status::of(decision.status), "{what}: {}", decision.id);
        assert_eq!(batch.amount(at), decision.amount, "{what}: the amount of {}", decision.id);
        let cents = batch.amounts()[at];
        match &decision.amount {
            None => assert!(cents.is_nan(), "{what}: no amount for {}", decision.id),
            Some(amount) => assert_eq!(format!("{:.2}", cents / 100.0), *amount, "{what}: cents of {}", decision.id),
        }
    }
}

#[test]
fn every_profile_decides_as_engine_decide_one_by_one_and_as_one_batch() {
    let engine = compile(&common::rule_files(&root().join("rules")));
    let profiles = profiles();
    let mut one = batch(&engine);
    let mut encoder = Encoder::new(&engine);
    for (name, data) in &profiles {
        encoder.run(&engine, &mut one, std::slice::from_ref(data), true).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        assert_record(&one, 0, &decide(&engine, data), name);
    }
    let records: Vec<Json> = profiles.iter().map(|(_, data)| data.clone()).collect();
    let mut all = batch(&engine);
    let mut encoder = Encoder::new(&engine);
    encoder.run(&engine, &mut all, &records, false).expect("not strict");
    for (r, (name, data)) in profiles.iter().enumerate() {
        assert_record(&all, r, &decide(&engine, data), &format!("{name} in the batch"));
    }
}

#[test]
fn an_invalid_record_gives_255_in_its_place_and_strict_mode_returns_the_problems() {
    let engine = small();
    let mut batch = batch(&engine);
    let valid = json!({ "age": 70, "city": "上海", "pension": "75.5" });
    let records = [valid.clone(), json!(5), json!({ "age": "seventy" }), json!({ "age": -1, "city": ["上海"] })];
    Encoder::new(&engine).run(&engine, &mut batch, &records, false).expect("not strict");
    assert_eq!(batch.statuses()[..4], [status::ELIGIBLE, status::INVALID, status::INVALID, status::INVALID]);
    assert_eq!(batch.amount(0).as_deref(), Some("75.50"));
    assert!(batch.amounts()[1..].iter().all(|cents| cents.is_nan()) && batch.amount(3).is_none());
    assert_record(&batch, 0, &decide(&engine, &valid), "the valid record");
    // Strict: every problem of the record, at its path, as the JSON door words them.
    let problems = Encoder::new(&engine).run(&engine, &mut batch, &records[3..], true).expect_err("invalid");
    let expected = engine.facts(&records[3]).expect_err("invalid");
    let eligo::EvaluateError::InvalidFacts { problems: expected, .. } = expected else { panic!("{expected:?}") };
    assert_eq!(problems, expected.iter().map(|p| format!("{}: {}", p.path, p.message)).collect::<Vec<_>>());
    assert_eq!(problems.len(), 2, "{problems:?}");
    let problems = Encoder::new(&engine).run(&engine, &mut batch, &records[1..2], true).expect_err("not an object");
    assert_eq!(problems, [": the record is not an object of facts"]);
}

#[test]
fn a_text_is_read_once_and_stands_by_its_id() {
    let engine = small();
    let program = engine.program();
    let mut batch = batch(&engine);
    let city = program.inputs.iter().position(|i| i.name == "city").expect("city");
    let age = program.inputs.iter().position(|i| i.name == "age").expect("age");
    let shanghai = batch.intern(program, city, "上海".into());
    let beijing = batch.intern(program, city, "北京".into());
    // A text for a whole number is read (and refused) when interned, and refused wherever it is used.
    let wrong = batch.intern(program, age, "70".into());
    batch.reserve(3).expect("room");
    let width = batch.width();
    let (tags, numbers) = batch.cells_mut();
    for (r, (id, age_tag, age_number)) in
        [(shanghai, tag::NUMBER, 70.0), (beijing, tag::NUMBER, 70.0), (shanghai, tag::TEXT, wrong as f64)]
            .into_iter()
            .enumerate()
    {
        tags[r * width + city] = tag::TEXT;
        numbers[r * width + city] = id as f64;
        tags[r * width + age] = age_tag;
        numbers[r * width + age] = age_number;
    }
    batch.run(program, 3, &[], false).expect("not strict");
    assert_eq!(batch.statuses()[..3], [status::UNDETERMINED, status::INELIGIBLE, status::INVALID], "no pension yet");
    let problems = batch.run(program, 3, &[], true).expect_err("record 3 is invalid");
    assert_eq!(problems[0].path, "age");
    assert!(problems[0].message.contains("whole number"), "{problems:?}");
}

#[test]
fn a_text_id_the_batch_does_not_know_is_invalid_data_not_a_panic() {
    let engine = small();
    let program = engine.program();
    let mut batch = batch(&engine);
    let city = program.inputs.iter().position(|i| i.name == "city").expect("city");
    let known = batch.intern(program, city, "上海".into());
    batch.reserve(4).expect("room");
    let width = batch.width();
    let ids = [known as f64, 7.0, -1.0, f64::NAN];
    for (r, id) in ids.into_iter().enumerate() {
        let (tags, numbers) = batch.cells_mut();
        tags[r * width + city] = tag::TEXT;
        numbers[r * width + city] = id;
    }
    // -1 and NaN read as id 0, the one text known; 7 is no text at all.
    batch.run(program, 4, &[], false).expect("not strict");
    assert_eq!(
        batch.statuses()[..4],
        [status::UNDETERMINED, status::INVALID, status::UNDETERMINED, status::UNDETERMINED]
    );
    let problems = batch.run(program, 2, &[], true).expect_err("unknown id");
    assert_eq!(
        (problems[0].path.as_str(), problems[0].message.as_str()),
        ("city", "a text this decider does not know")
    );
    // Forgotten texts are unknown too; a value index beyond those given likewise.
    batch.forget_texts();
    batch.run(program, 1, &[], false).expect("not strict");
    assert_eq!(batch.statuses()[0], status::INVALID);
    let (tags, numbers) = batch.cells_mut();
    (tags[city], numbers[city]) = (tag::OTHER, 3.0);
    let problems = batch.run(program, 1, &[json!("上海")], true).expect_err("no value 3");
    assert_eq!(problems[0].message, "a value this batch was not given");
    // Rules other than the batch's are refused, not misread.
    let other = compile(&common::rule_files(&root().join("rules")));
    assert!(batch.run(other.program(), 1, &[], false).is_err());
}

#[test]
fn a_batch_too_large_for_memory_is_an_error_and_the_batch_lives_on() {
    let engine = small();
    let mut batch = batch(&engine);
    Encoder::new(&engine).run(&engine, &mut batch, &[json!({ "age": 70 })], true).expect("valid");
    // Too many to count, and too many to allocate (beyond any address space): errors, not aborts.
    for records in [usize::MAX, 1 << 47] {
        assert_eq!(batch.reserve(records), Err(TooLarge { records }));
    }
    let data = json!({ "age": 70, "city": "上海", "pension": 100 });
    Encoder::new(&engine).run(&engine, &mut batch, std::slice::from_ref(&data), true).expect("valid");
    assert_record(&batch, 0, &decide(&engine, &data), "after the failure");
}

#[test]
fn amounts_beyond_2_pow_53_cents_come_back_exactly() {
    let engine = small();
    let mut batch = batch(&engine);
    let large = "123456789012345678.91";
    let data = json!({ "age": 70, "city": "上海", "pension": large });
    Encoder::new(&engine).run(&engine, &mut batch, std::slice::from_ref(&data), true).expect("valid");
    assert_eq!(batch.statuses()[0], status::ELIGIBLE);
    assert_eq!(batch.amounts()[0], f64::INFINITY, "not a safe integer: JS asks for the exact amount");
    assert_eq!(batch.amount(0).as_deref(), Some(large));
    assert_eq!(decide(&engine, &data)[0].amount.as_deref(), Some(large));
}

#[test]
fn cents_are_rounded_half_away_from_zero() {
    let engine = small();
    let mut batch = batch(&engine);
    // (A negative amount is an error of the policy, never a payment: no negative case here.)
    let records: Vec<Json> = ["0.125", "0.135", "0.124", "1450.5", "2.675"]
        .iter()
        .map(|pension| json!({ "age": 70, "city": "上海", "pension": pension }))
        .chain([json!({ "age": 70, "city": "上海", "pension": 1450.505 })])
        .collect();
    Encoder::new(&engine).run(&engine, &mut batch, &records, true).expect("valid");
    assert_eq!(batch.amounts()[..records.len()], [13.0, 14.0, 12.0, 145_050.0, 268.0, 145_051.0]);
    for (r, data) in records.iter().enumerate() {
        assert_record(&batch, r, &decide(&engine, data), &data.to_string());
    }
}
