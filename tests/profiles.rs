//! The demo citizen profiles in rules/profiles/. Each profile is evaluated against the whole rule
//! set in rules/ (compiled exactly as the CLI and the web page load it) on a fixed date, and its
//! report must equal the committed `<name>.expected.json`: every status, amount, missing list and
//! the askNext order. A few explicit asserts per profile spell out what matters, so a reader does
//! not have to diff JSON to see the point of each profile.
//!
//! After an intended change to the rules, regenerate the expected reports and review the diff:
//!
//! ```sh
//! UPDATE_PROFILES=1 cargo test --test profiles
//! git diff rules/profiles/
//! ```

use eligo::{ffi::options, Engine};
use serde_json::Value;
use std::path::PathBuf;

mod common;

use common::root;

/// Every profile is evaluated on this date: after the Shanghai disability notice of 2025-08-07.
const DATE: &str = "2025-09-01";

const PROFILES: &[&str] = &[
    "shanghai_elder_67",
    "family_child_2024",
    "disabled_adult_dibao",
    "small_business_owner",
    "student_dibao_family",
    "no_data",
    "beijing_elder_82",
    "unemployed_parent_zhongshan",
];

fn engine() -> Engine {
    match Engine::compile(&common::rule_files(&root().join("rules"))) {
        Ok(engine) => engine,
        Err(error) => panic!("rules/ does not compile: {}", error.message),
    }
}

fn profile_path(name: &str, suffix: &str) -> PathBuf {
    root().join("rules").join("profiles").join(format!("{name}{suffix}"))
}

/// The report of one profile as JSON, checked against its expected file (or written to it when
/// UPDATE_PROFILES is set).
fn report(name: &str) -> Value {
    let text = std::fs::read_to_string(profile_path(name, ".json")).unwrap_or_else(|e| panic!("profile {name}: {e}"));
    let data: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("profile {name} is not JSON: {e}"));
    let report = eligo::ffi::evaluate(&engine(), &data, DATE, options(Some("zh"), false))
        .unwrap_or_else(|e| panic!("profile {name} could not be evaluated: {e:?}"));
    let mut actual = serde_json::to_value(&report).expect("a report is JSON");
    // The expected reports are answers: which rules gave them (their hash changes with any edit of
    // rules/) is tested with the signed bundles (tests/signed_bundles.rs).
    let rules = actual.as_object_mut().and_then(|report| report.remove("rules"));
    assert_eq!(rules.as_ref().map(|rules| &rules["signed"]), Some(&Value::Bool(false)), "profile {name}");
    // The WebAssembly module writes reports with its own JSON writer: the same text.
    let traced = eligo::ffi::evaluate(&engine(), &data, DATE, options(Some("en"), true)).expect("evaluates");
    for report in [&report, &traced] {
        assert_eq!(eligo::json_writer::to_string(report).ok(), serde_json::to_string(report).ok(), "profile {name}");
    }
    let expected_path = profile_path(name, ".expected.json");
    if std::env::var_os("UPDATE_PROFILES").is_some() {
        let text = serde_json::to_string_pretty(&actual).expect("JSON") + "\n";
        std::fs::write(&expected_path, text).expect("write the expected report");
    }
    let expected_text = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!("{}: {e} (run UPDATE_PROFILES=1 cargo test --test profiles)", expected_path.display())
    });
    let expected: Value = serde_json::from_str(&expected_text).expect("the expected report is JSON");
    if actual != expected {
        panic!(
            "profile {name}: the report differs from {}\n{}\nactual report:\n{}",
            expected_path.display(),
            first_difference(&expected, &actual, "$").unwrap_or_default(),
            serde_json::to_string_pretty(&actual).unwrap_or_default()
        );
    }
    assert!(
        actual["warnings"].as_array().is_some_and(Vec::is_empty),
        "profile {name} has keys the rules do not use: {}",
        actual["warnings"]
    );
    actual
}

/// Where two JSON values first differ, as a path and both values.
fn first_difference(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                first_difference(
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                )
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]")))
        }
        _ if expected == actual => None,
        _ => Some(format!("at {path}: expected {expected}, got {actual}")),
    }
}

fn policy<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["policies"]
        .as_array()
        .and_then(|policies| policies.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("no policy `{id}` in the report"))
}

fn status(report: &Value, id: &str) -> String {
    policy(report, id)["status"].as_str().unwrap_or_default().to_string()
}

fn output(report: &Value, id: &str, name: &str) -> Value {
    policy(report, id)["outputs"][name].clone()
}

fn missing(report: &Value, id: &str) -> Vec<String> {
    strings(&policy(report, id)["missing"])
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// The askNext inputs in order, each with how many policies it settles.
fn ask_next(report: &Value) -> Vec<(String, u64)> {
    report["askNext"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|q| (q["input"].as_str().unwrap_or_default().to_string(), q["settles"].as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

fn with_status(report: &Value, wanted: &str) -> Vec<String> {
    report["policies"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|p| p["status"] == wanted)
                .map(|p| p["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn asks(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(input, n)| (input.to_string(), *n)).collect()
}

#[test]
fn the_rule_set_compiles_without_warnings_and_its_examples_pass() {
    let engine = engine();
    let warnings: Vec<String> =
        engine.warnings().iter().map(|w| format!("{}:{}: {}", w.file, w.start.line, w.message)).collect();
    assert!(warnings.is_empty(), "warnings in rules/:\n{}", warnings.join("\n"));
    let results = engine.run_examples();
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "{}:{} {}: {}",
                r.at.file,
                r.at.line,
                r.name,
                r.failures.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ")
            )
        })
        .collect();
    assert!(failed.is_empty(), "examples that fail:\n{}", failed.join("\n"));
    assert!(results.len() >= 60, "only {} examples", results.len());
    assert!(engine.policies().len() >= 12, "only {} policies", engine.policies().len());
    for policy in engine.policies() {
        assert!(policy.source.is_some(), "policy {} cites no source", policy.id);
    }
}

#[test]
fn every_profile_has_an_expected_report_and_is_tested() {
    let dir = root().join("rules").join("profiles");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("rules/profiles exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    found.sort();
    let mut listed: Vec<String> = PROFILES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "the profiles in rules/profiles/ and the PROFILES list differ");
    for name in PROFILES {
        assert!(profile_path(name, ".expected.json").exists(), "{name} has no expected report");
    }
}

#[test]
fn shanghai_resident_aged_67() {
    let r = report("shanghai_elder_67");
    assert_eq!(with_status(&r, "eligible"), ["elderly_allowance"]);
    assert_eq!(output(&r, "elderly_allowance", "amount"), "75.00");
    assert_eq!(output(&r, "elderly_allowance", "period"), "month");
    // Not a Beijing, Dalian or Zhongshan resident: those allowances and concessions do not apply.
    for id in [
        "beijing_longevity_allowance",
        "beijing_elderly_bus",
        "dalian_elderly_transport",
        "zhongshan_longevity_allowance",
    ] {
        assert_eq!(status(&r, id), "ineligible", "{id}");
    }
    // The disability certificate is not known: the two Shanghai disability subsidies wait for it.
    assert_eq!(
        with_status(&r, "undetermined"),
        ["shanghai_disability_living_allowance", "shanghai_disability_nursing_subsidy"]
    );
    assert_eq!(
        missing(&r, "shanghai_disability_nursing_subsidy"),
        [
            "has_disability_certificate",
            "disability_grade",
            "disability_type",
            "needs_long_term_care",
            "receives_work_injury_care"
        ]
    );
    assert_eq!(
        ask_next(&r),
        asks(&[
            ("has_disability_certificate", 2),
            ("disability_grade", 2),
            ("disability_type", 2),
            ("assistance_status", 1),
            ("needs_long_term_care", 1),
            ("employed", 1),
            ("receives_work_injury_care", 1),
        ])
    );
}

#[test]
fn family_with_a_child_born_in_2024() {
    let r = report("family_child_2024");
    // Born May 2024: January 2025 through May 2027, 29 months at 300 元.
    assert_eq!(status(&r, "childcare_subsidy"), "eligible");
    assert_eq!(output(&r, "childcare_subsidy", "amount"), "8700.00");
    assert_eq!(output(&r, "childcare_subsidy", "months"), 29);
    assert_eq!(output(&r, "childcare_subsidy", "period"), "once");
    // 17,000 元 for three people is far above the Beijing dibao lines.
    assert_eq!(status(&r, "beijing_dibao"), "ineligible");
    assert_eq!(status(&r, "beijing_dibao_edge"), "ineligible");
    assert_eq!(with_status(&r, "eligible"), ["childcare_subsidy"]);
    assert!(ask_next(&r).is_empty());
}

#[test]
fn disabled_adult_in_a_dibao_household() {
    let r = report("disabled_adult_dibao");
    // Grade 1, dibao household, Shanghai: both subsidies, at the 2025 amounts, together.
    assert_eq!(output(&r, "shanghai_disability_living_allowance", "amount"), "450.00");
    assert_eq!(output(&r, "shanghai_disability_nursing_subsidy", "amount"), "350.00");
    assert_eq!(
        with_status(&r, "eligible"),
        ["shanghai_disability_living_allowance", "shanghai_disability_nursing_subsidy"]
    );
    assert!(with_status(&r, "undetermined").is_empty());
    assert!(ask_next(&r).is_empty());
}

#[test]
fn small_business_owner_in_shanghai() {
    let r = report("small_business_owner");
    // Sales of 120,000 are above the exemption: 1% instead of 3%.
    assert_eq!(output(&r, "small_scale_vat_relief", "fee"), "3600.00");
    assert_eq!(output(&r, "small_scale_vat_relief", "waiver"), "2400.00");
    assert_eq!(output(&r, "small_scale_vat_relief", "payable"), "1200.00");
    assert_eq!(output(&r, "six_taxes_two_fees_halved", "payable"), "1200.00");
    assert_eq!(output(&r, "shanghai_startup_e_seal", "payable"), "0.00");
    // Eight months of contributions: not yet the 12 the refund needs. Not a Hubei enterprise.
    assert_eq!(status(&r, "job_stabilisation_refund"), "ineligible");
    assert_eq!(status(&r, "hubei_zero_cost_startup"), "ineligible");
    // Nothing personal is known beyond age and hukou: the household and disability questions remain.
    assert_eq!(
        with_status(&r, "undetermined"),
        ["childcare_subsidy", "shanghai_disability_living_allowance", "shanghai_disability_nursing_subsidy"]
    );
    assert_eq!(missing(&r, "childcare_subsidy"), ["household"]);
    assert_eq!(
        ask_next(&r),
        asks(&[
            ("has_disability_certificate", 2),
            ("disability_grade", 2),
            ("disability_type", 2),
            ("household", 1),
            ("assistance_status", 1),
            ("needs_long_term_care", 1),
            ("employed", 1),
            ("receives_work_injury_care", 1),
        ])
    );
}

#[test]
fn university_student_from_a_dibao_family() {
    let r = report("student_dibao_family");
    // Three people, 1,500 元 in all: 500 each, under the 1,450 standard; top-up 1450 × 3 − 1500.
    assert_eq!(output(&r, "beijing_dibao", "amount"), "2850.00");
    assert_eq!(status(&r, "beijing_dibao_edge"), "ineligible");
    assert_eq!(policy(&r, "beijing_dibao_edge")["excludedBy"], "beijing_dibao");
    // A dibao family counts as financially difficult without the school's recognition (not given).
    assert_eq!(output(&r, "national_grant", "amount"), "3700.00");
    assert_eq!(output(&r, "national_grant", "period"), "year");
    assert_eq!(output(&r, "inspirational_scholarship", "amount"), "6000.00");
    assert_eq!(status(&r, "national_scholarship"), "ineligible");
    assert_eq!(with_status(&r, "eligible"), ["beijing_dibao", "national_grant", "inspirational_scholarship"]);
    assert!(ask_next(&r).is_empty());
}

#[test]
fn person_with_no_data_at_all() {
    let r = report("no_data");
    let policies = r["policies"].as_array().expect("policies");
    // Every policy is in force on the date, and every one of them needs facts.
    assert_eq!(with_status(&r, "undetermined").len(), policies.len());
    assert_eq!(missing(&r, "elderly_allowance"), ["birth_date", "hukou"]);
    assert_eq!(missing(&r, "childcare_subsidy"), ["household"]);
    assert_eq!(missing(&r, "beijing_dibao"), ["hukou", "monthly_income", "household", "assets_within_limits"]);
    // The hukou settles the most policies, then the date of birth, then whether one runs a business.
    let ask = ask_next(&r);
    assert_eq!(
        ask[..5],
        asks(&[("hukou", 11), ("birth_date", 6), ("runs_business", 5), ("household", 4), ("monthly_income", 3)])[..]
    );
    let counts: Vec<u64> = ask.iter().map(|(_, n)| *n).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "askNext is ranked: {counts:?}");
}

#[test]
fn beijing_resident_aged_82_living_alone() {
    let r = report("beijing_elder_82");
    assert_eq!(output(&r, "beijing_longevity_allowance", "amount"), "100.00");
    // A 1,200 元 pension alone: 250 元 tops it up to the 1,450 standard.
    assert_eq!(output(&r, "beijing_dibao", "amount"), "250.00");
    assert_eq!(policy(&r, "beijing_dibao_edge")["excludedBy"], "beijing_dibao");
    assert_eq!(output(&r, "beijing_elderly_bus", "payable"), "0.00");
    assert_eq!(output(&r, "beijing_elderly_parks", "fee"), "50.00");
    assert_eq!(output(&r, "beijing_elderly_parks", "payable"), "0.00");
    assert_eq!(
        with_status(&r, "eligible"),
        ["beijing_dibao", "beijing_longevity_allowance", "beijing_elderly_bus", "beijing_elderly_parks"]
    );
    assert!(ask_next(&r).is_empty());
}

#[test]
fn unemployed_parent_in_zhongshan() {
    let r = report("unemployed_parent_zhongshan");
    // Seven years of contributions: the 5-to-10-year band, 18 months.
    assert_eq!(status(&r, "unemployment_insurance_benefit"), "eligible");
    assert_eq!(output(&r, "unemployment_insurance_benefit", "months"), 18);
    // Born February 2025: March 2025 through February 2028, 36 months.
    assert_eq!(output(&r, "childcare_subsidy", "amount"), "10800.00");
    assert_eq!(output(&r, "childcare_subsidy", "months"), 36);
    assert_eq!(status(&r, "zhongshan_longevity_allowance"), "ineligible");
    assert_eq!(with_status(&r, "eligible"), ["childcare_subsidy", "unemployment_insurance_benefit"]);
    assert!(ask_next(&r).is_empty());
}

/// One compiled program serves many threads (screening shares it): a report made on another
/// thread is the same as one made here, for every profile at once.
#[test]
fn one_engine_serves_many_threads() {
    fn shared<T: Send + Sync>(value: &T) -> &T {
        value
    }
    let engine = engine();
    let data: Vec<Value> = PROFILES
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(profile_path(name, ".json")).expect("profile");
            serde_json::from_str(&text).expect("JSON")
        })
        .collect();
    let alone: Vec<Value> = data
        .iter()
        .map(|d| serde_json::to_value(eligo::ffi::evaluate(&engine, d, DATE, options(None, true)).expect("evaluates")))
        .map(|r| r.expect("JSON"))
        .collect();
    let engine = shared(&engine);
    let together: Vec<Value> = std::thread::scope(|scope| {
        let threads: Vec<_> = data
            .iter()
            .map(|d| {
                scope.spawn(move || eligo::ffi::evaluate(engine, d, DATE, options(None, true)).expect("evaluates"))
            })
            .collect();
        threads.into_iter().map(|t| serde_json::to_value(t.join().expect("no panic")).expect("JSON")).collect()
    });
    assert_eq!(together, alone);
}
