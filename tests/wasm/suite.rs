//! The WebAssembly module as JavaScript sees it: run in Node (tests/wasm_node.rs) and in headless
//! Chromium (tests/wasm_browser.rs) by wasm-bindgen-test.

use ed25519_dalek::Signer;
use eligo::bundle::{seal, ProgramHash, SIGNED_MAGIC};
use eligo::date::Date;
use eligo::keys::{PublicKey, SecretKey};
use eligo_wasm::{check, format, version, Engine, Workspace};
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
        .expect_err("invalid data must throw");
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
        let error = engine.evaluate(data.clone(), json(r#"{"date": "2025-03-01"}"#)).expect_err("must throw");
        assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidFacts"));
        let error = engine.decide(data.clone(), "2025-03-01").expect_err("must throw");
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
    let error = engine().evaluate(json("{}"), json(r#"{"date": "2025-13-01"}"#)).expect_err("must throw");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidDate"));
    let error = engine().evaluate(json("{}"), json(r#"{"lang": "en"}"#)).expect_err("must throw");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("invalidOptions"));
}

#[wasm_bindgen_test]
fn check_never_throws_for_bad_rules() {
    let nested = format!("let x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let diagnostics = Array::from(&check(nested.into(), None).unwrap());
    assert_eq!(get(&diagnostics.get(0), "code").as_string().as_deref(), Some("E0104"));
    let garbage = Array::from(&check("policy policy policy ））（（ \u{0}".into(), None).unwrap());
    assert!(garbage.length() > 0);
    assert_eq!(
        Array::from(&check(ELDERLY.into(), None).unwrap())
            .iter()
            .filter(|d| get(d, "severity").as_string().as_deref() == Some("error"))
            .count(),
        0
    );
}

/// `check(files, { lang })` and `Engine.compile(files, { lang })`: the diagnostics in Chinese by
/// default, in English when asked; any other language is refused.
#[wasm_bindgen_test]
fn diagnostics_come_in_the_language_asked_for() {
    let rules = "input birth_date: date\nlet 年龄 = age(birth_dat, today)";
    let lang = |lang: &str| Some(json(&format!(r#"{{"lang": "{lang}"}}"#)).unchecked_into::<Object>());
    // The unknown name's error (the unused input's warning comes too, and may come first).
    let first = |diagnostics: JsValue| {
        Array::from(&diagnostics)
            .iter()
            .find(|d| get(d, "code").as_string().as_deref() == Some("E0201"))
            .unwrap_or(JsValue::UNDEFINED)
    };
    let help = |d: &JsValue| get(d, "help").as_string().unwrap_or_default();
    let rendered = |d: &JsValue| get(d, "rendered").as_string().unwrap_or_default();
    let zh = first(check(rules.into(), None).unwrap());
    assert_eq!(help(&zh), "是不是要写 `birth_date`？");
    assert!(rendered(&zh).starts_with("错误[E0201]："), "{}", rendered(&zh));
    assert_eq!(help(&first(check(rules.into(), lang("zh")).unwrap())), help(&zh));
    let en = first(check(rules.into(), lang("en")).unwrap());
    assert_eq!(help(&en), "did you mean `birth_date`?");
    assert!(rendered(&en).starts_with("error[E0201]: "), "{}", rendered(&en));
    let refused = check(rules.into(), lang("fr")).err().expect("an unknown language is refused");
    assert_eq!(get(&refused, "kind").as_string().as_deref(), Some("invalidOptions"));
    for (asked, said) in [(None, "是不是要写"), (lang("en"), "did you mean")] {
        let error = Engine::compile(rules.into(), asked).err().expect("does not compile");
        assert!(help(&first(get(&error, "diagnostics"))).starts_with(said));
    }
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

// ───────────────────────── signed bundles: the tamper suite ─────────────────────────

const ISSUER: &str = "上海市民政局";

/// An issuer's key from a fixed seed: the same bundles every run.
fn key(seed: u8) -> SecretKey {
    SecretKey::from_seed(ISSUER, [seed; 32]).expect("a valid issuer")
}

/// The elderly rules as `eligo build` writes them (unsigned), and their rule set id.
fn program() -> (Vec<u8>, String) {
    let engine = eligo::Engine::compile(&[("elderly.rules", ELDERLY)]).expect("the fixture compiles");
    (engine.to_bytes(), engine.program().id.clone())
}

/// The elderly rules signed by `key` as `version`, issued on 2025-08-01.
fn bundle(key: &SecretKey, version: u64) -> Vec<u8> {
    let (program, id) = program();
    let issued = Date::parse("2025-08-01").expect("a date");
    seal(&program, &id, version, issued, key).expect("the manifest holds the rule set")
}

/// `Engine.load` options trusting `keys` (their .pub files' text), with `extra` fields (JSON).
fn trusting(keys: &[&SecretKey], extra: &str) -> JsValue {
    let options = json(extra);
    let texts: Array = keys.iter().map(|key| JsValue::from(key.public().to_text())).collect();
    Reflect::set(&options, &"trustedKeys".into(), &texts).unwrap();
    options
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// The EligoError `Engine.load` throws for `bytes` under `options`.
fn refusal(bytes: &[u8], options: JsValue) -> JsValue {
    match Engine::load(bytes, options) {
        Ok(engine) => panic!("loaded, as {:?}", JSON::stringify(&engine.rules().unwrap()).ok()),
        Err(error) => error,
    }
}

/// Where the fields of a bundle are (bundle.rs): the key id after the magic, format and
/// algorithm; the signature's 64 bytes just before the program.
const KEY_ID_LENGTH_AT: usize = SIGNED_MAGIC.len() + 3;
fn signature_at(bundle: &[u8]) -> usize {
    bundle.len() - program().0.len() - 64
}

fn flipped(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    bytes[at] ^= 0x20;
    bytes
}

#[wasm_bindgen_test]
fn a_signed_bundle_loads_with_its_key_and_its_report_says_who_issued_it() {
    let signer = key(1);
    let engine = Engine::load(&bundle(&signer, 7), trusting(&[&signer], "{}")).expect("a signed bundle loads");
    let hash = ProgramHash::of(&program().0).to_string();
    let rules = engine.rules().unwrap();
    assert_eq!(get(&rules, "signed").as_bool(), Some(true));
    assert_eq!(get(&rules, "version").as_f64(), Some(7.0));
    assert_eq!(text(&rules, "issuer").as_deref(), Some(ISSUER));
    assert_eq!(text(&rules, "keyId"), Some(signer.public().id.to_string()));
    assert_eq!(text(&rules, "issued").as_deref(), Some("2025-08-01"));
    assert_eq!(text(&rules, "hash"), Some(hash.clone()));
    assert!(get(&rules, "verificationCode").is_undefined(), "no evaluation date, no code");

    let report = engine.evaluate(json(r#"{"hukou": "上海"}"#), json(r#"{"date": "2025-09-01"}"#)).unwrap();
    let rules = get(&report, "rules");
    assert_eq!(get(&rules, "signed").as_bool(), Some(true));
    assert_eq!(text(&rules, "issuer").as_deref(), Some(ISSUER));
    assert_eq!(get(&rules, "version").as_f64(), Some(7.0));
    assert_eq!(text(&rules, "hash"), Some(hash.clone()));
    let code = format!("{}-20250901", hash[..8].to_uppercase());
    assert_eq!(text(&rules, "verificationCode"), Some(code));
}

#[wasm_bindgen_test]
fn unsigned_rules_are_refused_unless_allowed_and_then_the_report_says_so() {
    let (program, _) = program();
    let error = refusal(&program, trusting(&[&key(1)], "{}"));
    assert_eq!(text(&error, "kind").as_deref(), Some("load"));
    assert_eq!(text(&error, "reason").as_deref(), Some("unsigned"));
    let engine = Engine::load(&program, json(r#"{"allowUnsigned": true}"#)).expect("allowed for development");
    let report = engine.evaluate(json("{}"), json(r#"{"date": "2025-09-01"}"#)).unwrap();
    let rules = get(&report, "rules");
    assert_eq!(get(&rules, "signed").as_bool(), Some(false));
    assert!(get(&rules, "issuer").is_undefined() && get(&rules, "version").is_undefined());
    // The same rules have the same hash, signed or not: a clerk's code matches either.
    assert_eq!(text(&rules, "hash"), Some(ProgramHash::of(&program).to_string()));
}

/// Each way a bundle can be wrong gives its own `reason`, with a message in both languages.
#[wasm_bindgen_test]
fn every_refusal_has_its_own_reason_in_both_languages() {
    let (a, b, c) = (key(1), key(2), key(3));
    let signed = bundle(&a, 3);
    let signature = signature_at(&signed);
    let issuer = signed.windows(ISSUER.len()).position(|w| w == ISSUER.as_bytes()).expect("the manifest names it");
    let stripped = [&signed[..signature - 1], &[0], &signed[signature + 64..]].concat();
    let cut_signature = [&signed[..signature - 1], &[32], &signed[signature..signature + 32], &program().0].concat();
    let without_key_id = [&signed[..KEY_ID_LENGTH_AT], &[0], &signed[KEY_ID_LENGTH_AT + 9..]].concat();
    // Naming A, signed by B (whose holder wrote A's id): both trusted, so the signer is found and
    // the false name is said.
    let by_b = b.key.sign(&signed[..signature - 1]).to_bytes();
    let named_a = [&signed[..signature], &by_b[..], &signed[signature + 64..]].concat();
    // A's key under another office's name: the bundle's issuer is not the key's.
    let renamed = PublicKey { issuer: "北京市民政局".into(), ..a.public() }.to_text();
    let renamed_trust = json("{}");
    Reflect::set(&renamed_trust, &"trustedKeys".into(), &Array::of1(&renamed.into())).unwrap();

    let only_a = || trusting(&[&a], "{}");
    let cases: Vec<(&str, Vec<u8>, JsValue, &str)> = vec![
        ("signed by a key not trusted", bundle(&c, 3), only_a(), "unknownKey"),
        ("no options: no key is trusted", signed.clone(), JsValue::UNDEFINED, "unknownKey"),
        ("a byte of the manifest altered", flipped(&signed, issuer), only_a(), "badSignature"),
        ("a byte of the program altered", flipped(&signed, signed.len() - 1), only_a(), "programAltered"),
        ("a byte of the signature altered", flipped(&signed, signature + 10), only_a(), "badSignature"),
        ("the signature stripped", stripped, only_a(), "signatureMissing"),
        ("everything after the manifest cut", signed[..signature - 1].to_vec(), only_a(), "signatureMissing"),
        ("the signature cut short", cut_signature, only_a(), "signatureTruncated"),
        ("the program cut short", signed[..signed.len() - 10].to_vec(), only_a(), "truncated"),
        ("the key id removed", without_key_id, only_a(), "keyIdMissing"),
        ("signed by B, naming A", named_a, trusting(&[&a, &b], "{}"), "keyIdMismatch"),
        ("older than accepted", signed.clone(), trusting(&[&a], r#"{"acceptedVersion": 4}"#), "olderVersion"),
        ("another issuer's name on the key", signed.clone(), renamed_trust, "issuerMismatch"),
    ];
    for (case, bytes, options, reason) in cases {
        let english = !options.is_undefined() && Reflect::set(&options, &"lang".into(), &"en".into()).is_ok();
        let error = refusal(&bytes, options);
        assert_eq!(text(&error, "name").as_deref(), Some("EligoError"), "{case}");
        assert_eq!(text(&error, "kind").as_deref(), Some("load"), "{case}");
        assert_eq!(text(&error, "reason").as_deref(), Some(reason), "{case}");
        let messages = get(&error, "messages");
        let (zh, en) = (text(&messages, "zh").unwrap_or_default(), text(&messages, "en").unwrap_or_default());
        assert!(!zh.is_empty() && !en.is_empty() && zh != en, "{case}: {zh} / {en}");
        assert_eq!(text(&error, "message"), Some(if english { en } else { zh }), "{case}: in the language asked for");
    }
}

#[wasm_bindgen_test]
fn a_version_not_older_than_accepted_loads() {
    let signer = key(1);
    for accepted in [0, 2, 3] {
        let options = trusting(&[&signer], &format!(r#"{{"acceptedVersion": {accepted}}}"#));
        assert!(Engine::load(&bundle(&signer, 3), options).is_ok(), "version 3, accepted {accepted}");
    }
}

#[wasm_bindgen_test]
fn key_rotation_trusts_several_keys_at_once() {
    let (old, new) = (key(1), key(2));
    for signer in [&old, &new] {
        let engine = Engine::load(&bundle(signer, 5), trusting(&[&old, &new], "{}")).expect("either key");
        assert_eq!(text(&engine.rules().unwrap(), "keyId"), Some(signer.public().id.to_string()));
    }
}

/// Options that are not right are refused before any byte is read, naming what is wrong in both
/// languages: a key that is not a public key's text (a secret key above all), a version that is
/// not one.
#[wasm_bindgen_test]
fn load_options_that_are_not_right_are_refused_with_their_reason() {
    let signed = bundle(&key(1), 3);
    let public = key(1).public().to_text();
    let with_keys = |keys: &[JsValue]| {
        let options = json(r#"{"lang": "en"}"#);
        Reflect::set(&options, &"trustedKeys".into(), &keys.iter().collect::<Array>()).unwrap();
        options
    };
    let key_cases = [
        (with_keys(&[public.clone().into(), "not a key".into()]), 1, "not `field: value`"),
        (with_keys(&[key(1).to_text().into()]), 0, "secret key"),
        (with_keys(&[public.replace("public-key: ", "public-key: 00").into()]), 0, "hexadecimal"),
        (with_keys(&[public.clone().into(), 5.into()]), 1, "not a text"),
    ];
    for (options, index, why) in key_cases {
        let error = refusal(&signed, options);
        assert_eq!(text(&error, "kind").as_deref(), Some("invalidOptions"));
        assert_eq!(text(&error, "reason").as_deref(), Some("invalidKey"), "{why}");
        assert_eq!(get(&error, "index").as_f64(), Some(f64::from(index)));
        let message = text(&error, "message").unwrap_or_default();
        assert!(message.contains(&format!("trustedKeys[{index}]")) && message.contains(why), "{message}");
        let zh = text(&get(&error, "messages"), "zh").unwrap_or_default();
        assert!(zh.contains(&format!("trustedKeys[{index}]")) && zh != message, "{zh}");
    }
    for version in ["-1", "1.5", "\"3\"", "9007199254740992", "true"] {
        let error = refusal(&signed, trusting(&[&key(1)], &format!(r#"{{"acceptedVersion": {version}}}"#)));
        assert_eq!(text(&error, "kind").as_deref(), Some("invalidOptions"));
        assert_eq!(text(&error, "reason").as_deref(), Some("invalidVersion"), "{version}");
    }
    for options in [r#"{"trustedKeys": "a key"}"#, r#"{"allowUnsigned": "yes"}"#, r#"{"lang": "fr"}"#, "5"] {
        let error = refusal(&signed, json(options));
        assert_eq!(text(&error, "reason").as_deref(), Some("invalidOption"), "{options}");
    }
}

// ---------------------------------------------------------------------------------------------
// The playground's editor services (`Workspace`, `format`): offsets in UTF-16 code units.

/// Two files: the astral 𝑥 (two UTF-16 units, four bytes) and Chinese text (one unit, three
/// bytes) before the names, so that every offset differs in bytes, characters and units.
const DECLARED: &str = "// 𝑥 年龄的定义\ninput 年龄: int label \"年龄\" en \"Age\"\n";
const USED: &str = "// 𝑥𝑦 用在这里\npolicy p \"补贴\" en \"Allowance\"\n  require 年龄 >= 65 \"年满65周岁\" en \"Aged 65 or over\"\n  amount monthly = 100\n";

fn workspace(files: &[(&str, &str)]) -> Workspace {
    let object = Object::new();
    for (name, text) in files {
        Reflect::set(&object, &(*name).into(), &(*text).into()).unwrap();
    }
    Workspace::new(object.into()).unwrap_or_else(|e| panic!("{:?}", get(&e, "message")))
}

/// The UTF-16 offset of the `nth` occurrence of `needle` in `text`.
fn units_at(text: &str, needle: &str, nth: usize) -> u32 {
    let bytes = text.match_indices(needle).nth(nth).map(|(at, _)| at).expect("the needle is in the text");
    text[..bytes].encode_utf16().count() as u32
}

fn units_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

fn number(value: &JsValue, key: &str) -> Option<u32> {
    get(value, key).as_f64().map(|n| n as u32)
}

/// `text` with the TextEdits of `file` applied, counting in UTF-16 as CodeMirror does.
fn apply(text: &str, file: &str, edits: &JsValue) -> String {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    let mut edits: Vec<JsValue> = Array::from(edits).iter().filter(|e| text_of(e, "file") == file).collect();
    edits.sort_by_key(|e| std::cmp::Reverse(number(e, "from")));
    for edit in edits {
        let (from, to) = (number(&edit, "from").unwrap() as usize, number(&edit, "to").unwrap() as usize);
        units.splice(from..to, text_of(&edit, "insert").encode_utf16());
    }
    String::from_utf16(&units).unwrap()
}

fn text_of(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
fn hover_and_definition_count_utf16_units_across_files() {
    let ws = workspace(&[("a.rules", DECLARED), ("b.rules", USED)]);
    let used = units_at(USED, "年龄", 0);
    // Every offset inside the name, and the one just after it, finds it.
    for offset in [used, used + 1, used + 2] {
        let hover = ws.hover("b.rules", offset, "en".into()).unwrap();
        assert_eq!((number(&hover, "from"), number(&hover, "to")), (Some(used), Some(used + 2)), "at {offset}");
        let markdown = text_of(&hover, "markdown");
        assert!(markdown.contains("input 年龄: int") && markdown.contains("年龄 — Age"), "{markdown}");
    }
    let declared = ws.definition("b.rules", used + 1).unwrap();
    assert_eq!(text_of(&declared, "file"), "a.rules");
    let at = units_at(DECLARED, "年龄", 1);
    assert_eq!((number(&declared, "from"), number(&declared, "to")), (Some(at), Some(at + 2)));
    let references = Array::from(&ws.references("a.rules", at).unwrap());
    let places: Vec<(String, Option<u32>)> =
        references.iter().map(|r| (text_of(&r, "file"), number(&r, "from"))).collect();
    assert_eq!(places, vec![("a.rules".into(), Some(at)), ("b.rules".into(), Some(used))]);
    // No name: null, not an error.
    assert!(ws.hover("b.rules", units_at(USED, "require", 0), JsValue::UNDEFINED).unwrap().is_null());
    assert!(ws.definition("b.rules", 0).unwrap().is_null());
}

#[wasm_bindgen_test]
fn a_byte_order_mark_counts_as_the_editor_counts_it() {
    let text = format!("\u{FEFF}{DECLARED}");
    let ws = workspace(&[("a.rules", &text)]);
    let at = units_at(&text, "年龄", 1);
    let hover = ws.hover("a.rules", at, JsValue::UNDEFINED).unwrap();
    assert_eq!(number(&hover, "from"), Some(at));
}

#[wasm_bindgen_test]
fn an_unknown_file_or_an_offset_past_the_end_or_inside_a_character_is_an_eligo_error() {
    let ws = workspace(&[("b.rules", USED)]);
    let refused = |result: Result<JsValue, JsValue>| {
        let error = result.expect_err("refused");
        assert_eq!(text_of(&error, "name"), "EligoError");
        assert_eq!(text_of(&error, "kind"), "invalidOptions");
        assert!(!text_of(&get(&error, "messages"), "en").is_empty());
        text_of(&error, "reason")
    };
    assert_eq!(refused(ws.hover("c.rules", 0, JsValue::UNDEFINED)), "unknownFile");
    assert_eq!(refused(ws.symbols("c.rules")), "unknownFile");
    let end = units_len(USED);
    assert!(ws.completion("b.rules", end).is_ok(), "the end itself is a place");
    for bad in [end + 1, u32::MAX] {
        assert_eq!(refused(ws.definition("b.rules", bad)), "invalidOffset");
        assert_eq!(refused(ws.code_actions("b.rules", 0, bad, JsValue::UNDEFINED)), "invalidOffset");
    }
    // Between the two halves of 𝑥 (units 3 and 4).
    assert_eq!(refused(ws.completion("b.rules", 4)), "invalidOffset");
    assert_eq!(refused(ws.hover("b.rules", 0, "fr".into())), "invalidLang");
}

#[wasm_bindgen_test]
fn completion_offers_the_names_in_scope_and_the_built_ins() {
    let ws = workspace(&[("a.rules", DECLARED), ("b.rules", USED)]);
    let items = Array::from(&ws.completion("b.rules", units_at(USED, "年龄", 0) + 1).unwrap());
    let find = |label: &str| items.iter().find(|c| text_of(c, "label") == label);
    let input = find("年龄").expect("the input");
    assert_eq!(text_of(&input, "kind"), "input");
    assert_eq!(text_of(&input, "detail"), "年龄 — Age");
    let age = find("age").expect("a built-in");
    assert_eq!(text_of(&age, "kind"), "function");
    assert_eq!(text_of(&age, "detail"), "age(date, date) → int");
}

#[wasm_bindgen_test]
fn quick_fixes_turn_a_misspelt_keyword_and_full_width_punctuation_into_the_right_text() {
    let both = format!("{DECLARED}{USED}");
    let cases = [(both.replace("require", "requir"), "requir", "require"), (both.replace(": int", "：int"), "：", ":")];
    for (text, wrong, right) in cases {
        let ws = workspace(&[("x.rules", &text)]);
        let at = units_at(&text, wrong, 0);
        let actions = Array::from(&ws.code_actions("x.rules", at, at, "en".into()).unwrap());
        assert_eq!(actions.length(), 1, "{wrong}");
        let action = actions.get(0);
        assert_eq!(text_of(&action, "fixes"), "E0101");
        assert_eq!(text_of(&action, "title"), format!("Replace `{wrong}` with `{right}`"));
        let edits = get(&action, "edits");
        let edit = Array::from(&edits).get(0);
        assert_eq!((number(&edit, "from"), number(&edit, "to")), (Some(at), Some(at + units_len(wrong))));
        let fixed = apply(&text, "x.rules", &edits);
        assert_eq!(fixed, text.replacen(wrong, right, 1));
        let diagnostics = Array::from(&check(fixed.as_str().into(), None).unwrap());
        assert!(!diagnostics.iter().any(|d| text_of(&d, "severity") == "error"), "{fixed}");
    }
}

#[wasm_bindgen_test]
fn rename_edits_every_file_and_refuses_with_a_reason() {
    let ws = workspace(&[("a.rules", DECLARED), ("b.rules", USED)]);
    let edits = ws.rename("b.rules", units_at(USED, "年龄", 0), "周岁", JsValue::UNDEFINED).unwrap();
    assert_eq!(apply(USED, "b.rules", &edits), USED.replace("require 年龄", "require 周岁"));
    assert_eq!(apply(DECLARED, "a.rules", &edits), DECLARED.replace("input 年龄", "input 周岁"));
    let error = ws.rename("b.rules", units_at(USED, "年龄", 0), "1岁", "en".into()).expect_err("not a name");
    assert_eq!((text_of(&error, "kind"), text_of(&error, "reason")), ("rename".into(), "notAName".into()));
    assert!(text_of(&error, "message").contains("not a valid name"));
    let error = ws.rename("b.rules", units_at(USED, "require", 0), "x", JsValue::UNDEFINED).expect_err("a keyword");
    assert_eq!(text_of(&error, "reason"), "nothingToRename");
}

#[wasm_bindgen_test]
fn symbols_outline_a_file() {
    let ws = workspace(&[("a.rules", DECLARED), ("b.rules", USED)]);
    let symbols = Array::from(&ws.symbols("b.rules").unwrap());
    let policy = symbols.get(0);
    assert_eq!((text_of(&policy, "name"), text_of(&policy, "kind")), ("p".into(), "policy".into()));
    let at = units_at(USED, "p \"", 0);
    assert_eq!(number(&get(&policy, "selection"), "from"), Some(at));
    assert_eq!(number(&get(&policy, "range"), "from"), Some(units_at(USED, "policy", 0)));
}

#[wasm_bindgen_test]
fn format_lays_a_file_out_or_says_why_not() {
    let text = "input   年龄:int label \"年龄\" en \"Age\"\n";
    assert_eq!(format(text, None).ok().as_deref(), Some("input 年龄: int\n  label \"年龄\" en \"Age\"\n"));
    let error = format("input 年龄：int\n", None).expect_err("does not parse");
    assert_eq!(text_of(&error, "kind"), "compile");
    let diagnostics = Array::from(&get(&error, "diagnostics"));
    assert_eq!(text_of(&diagnostics.get(0), "code"), "E0101");
}
