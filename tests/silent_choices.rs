//! No silent choices (issue #13): whatever the rules could mean in two ways is a compile error
//! that shows both places, or has one meaning that does not depend on the order of files or
//! declarations. Each test covers a class: every clause written twice, every empty range, every
//! overlap of dated values, every built-in's name, and the order and names of the files.

use eligo::diagnostic::Severity;
use eligo::{ffi::options, Engine};
use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::{root, rule_files};

/// The errors of `rules`, as `code` and the number of places shown (the problem and its notes).
fn errors(rules: &str) -> Vec<(&'static str, usize)> {
    eligo::check(&[("t.rules", rules)])
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code, 1 + d.notes.len()))
        .collect()
}

fn assert_error(rules: &str, code: &str, places: usize) {
    let found = errors(rules);
    assert!(found.contains(&(code, places)), "expected {code} with {places} places in:\n{rules}\nfound {found:?}");
}

fn assert_valid(rules: &str) {
    assert_eq!(errors(rules), [], "{rules}");
}

const INPUT: &str = "input x: int label \"x\" en \"x\"\n";
const POLICY: &str = "policy p \"p\" en \"p\"\n  require x > 1 \"l\" en \"l\"\n";

// ───────────────────────────── (a) clauses written twice ─────────────────────────────

/// Each clause of the grammar that a declaration has at most once, with a declaration that has
/// it twice. `tests/silent_choices.rs` is checked against grammar/eligo.pest: a new clause must be
/// listed here or in `REPEATABLE`.
const ONCE: &[(&str, &str)] = &[
    ("label_clause", "input a: int label \"a\" en \"a\" label \"b\" en \"b\"\n"),
    ("question_clause", "input a: int label \"a\" en \"a\" question \"q\" en \"q\" question \"r\" en \"r\"\n"),
    ("hint_clause", "input a: int label \"a\" en \"a\" hint \"h\" en \"h\" hint \"i\" en \"i\"\n"),
    ("min_clause", "input a: int label \"a\" en \"a\" min 1 min 2\n"),
    ("max_clause", "input a: int label \"a\" en \"a\" max 1 max 2\n"),
    (
        "source_clause",
        "param s: money = 1 label \"s\" en \"s\" source \"a\" source \"b\"\npolicy q \"q\" en \"q\"\n  amount once = s\n",
    ),
    ("effective_clause", "policy q \"q\" en \"q\"\n  effective from 2020-01-01\n  effective from 2021-01-01\n"),
    ("amount_clause", "policy q \"q\" en \"q\"\n  amount monthly = 1\n  amount yearly = 2\n"),
    ("fee_clause", "policy q \"q\" en \"q\"\n  fee = 1\n  fee = 2\n"),
    ("waiver_clause", "policy q \"q\" en \"q\"\n  fee = 10\n  waiver = 1\n  waiver = 2\n"),
    ("output_clause", "policy q \"q\" en \"q\"\n  output n = 1\n  output n = 2\n"),
];

/// Clauses a declaration may have many of, each with its own meaning.
const REPEATABLE: &[&str] = &[
    "require_clause",   // every condition must hold
    "unless_clause",    // every exclusion is checked
    "exception_clause", // two that apply and disagree are an evaluation error naming both
    "excludes_clause",  // each names policies excluded
    "given_clause",     // at most one by the grammar; a fact given twice is E0202
    "expect_clause",    // each expectation is checked
];

#[test]
fn every_clause_the_grammar_has_is_listed() {
    let grammar = std::fs::read_to_string(root().join("grammar/eligo.pest")).expect("the grammar");
    for line in grammar.lines() {
        let Some((name, _)) = line.split_once(" = ") else { continue };
        // (input_clause, param_clause, … are the alternatives of the clauses they list.)
        let alternatives = ["input_clause", "param_clause", "table_clause", "policy_clause"];
        if name.ends_with("_clause") && !alternatives.contains(&name) {
            let listed = ONCE.iter().any(|(c, _)| *c == name) || REPEATABLE.contains(&name);
            assert!(listed, "{name}: add it to ONCE (with a test) or REPEATABLE in tests/silent_choices.rs");
        }
    }
}

#[test]
fn a_clause_written_twice_is_an_error_at_both() {
    for (clause, rules) in ONCE {
        let found = errors(rules);
        let twice = found.iter().any(|(code, places)| ["E0210", "E0701"].contains(code) && *places == 2);
        assert!(twice, "{clause} written twice: {found:?}\n{rules}");
    }
    // In every kind of declaration that has the clause.
    for rules in [
        "record m\n  field a: int label \"a\" en \"a\" label \"b\" en \"b\"\n",
        "param s: money = 1 label \"a\" en \"a\" label \"b\" en \"b\"\n",
        "table t(k: int) -> money label \"a\" en \"a\" label \"b\" en \"b\"\n  0.. => 1\n",
        "table t(k: int) -> money source \"a\" source \"b\"\n  0.. => 1\n",
        "policy q \"q\" en \"q\"\n  source \"a\"\n  source \"b\"\n",
    ] {
        assert_error(rules, "E0210", 2);
    }
    // A fact given twice in an example, or a key twice in one of its records.
    let example =
        |given: &str| format!("{INPUT}{POLICY}example \"e\" on 2025-01-01\n  given {given}\n  expect p eligible\n");
    assert_error(&example("x = 1, x = 2"), "E0202", 2);
    let household = "record m\n  field a: int label \"a\" en \"a\"\ninput h: list of m label \"h\" en \"h\"\n\
                     policy p \"p\" en \"p\"\n  require count(h) > 0 \"l\" en \"l\"\n\
                     example \"e\" on 2025-01-01\n  given h = [{a = 1}, {a = 2, a = 3}]\n  expect p eligible\n";
    assert_error(household, "E0202", 2);
}

// ───────────────────────────── (b) empty and inverted ranges ─────────────────────────────

#[test]
fn an_empty_range_is_an_error() {
    for (min, max, ty) in [("10", "5", "int"), ("10", "5", "money"), ("2025-01-02", "2025-01-01", "date")] {
        assert_error(&format!("input a: {ty} label \"a\" en \"a\" min {min} max {max}\n"), "E0504", 2);
        assert_error(&format!("record m\n  field a: {ty} label \"a\" en \"a\" min {min} max {max}\n"), "E0504", 2);
        assert_valid(&format!("{INPUT}input a: {ty} label \"a\" en \"a\" min {max} max {max}\n{POLICY}"));
    }
    assert_error("policy q \"q\" en \"q\"\n  effective from 2025-01-02 until 2025-01-01\n", "E0603", 2);
    assert_error("param s: money = 1 from 2025-01-02 until 2025-01-01\n", "E0603", 1);
    assert_error("table t(k: int) -> money\n  9..5 => 1\n", "E0504", 1);
    // Bounds of the wrong type.
    assert_error("input a: int label \"a\" en \"a\" min \"x\"\n", "E0308", 1);
    assert_error("input a: text label \"a\" en \"a\" max 5\n", "E0308", 1);
    assert!(!errors("table t(k: int) -> money\n  2025-01-01.. => 1\n").is_empty());
}

// ───────────────────────────── (c) dated values ─────────────────────────────

#[test]
fn dated_values_that_overlap_are_an_error_at_both() {
    let param = |values: &str| format!("param s: money = {values} label \"s\" en \"s\"\n");
    for values in [
        "1 from 2024-01-01 until 2025-06-30, 2 from 2025-01-01",
        "2 from 2025-01-01, 1 from 2024-01-01 until 2025-06-30",
        "1 from 2024-01-01 until 2025-01-01, 2 from 2025-01-01 until 2026-01-01",
        "1 from 2020-01-01 until 2030-01-01, 2 from 2022-01-01 until 2023-01-01, 3 from 2024-01-01",
    ] {
        assert_error(&param(values), "E0604", 2);
    }
    // One meaning each: a value without `until` lasts until the next one starts; one undated
    // value is the value on every day; an undated value among dated ones, or two undated, are
    // errors (which would apply when?).
    for values in ["1 from 2024-01-01, 2 from 2025-01-01", "1 from 2024-01-01 until 2024-12-31, 2 from 2025-01-01", "5"]
    {
        assert!(errors(&param(values)).is_empty(), "{values}");
    }
    for values in ["1, 2", "1, 2 from 2025-01-01"] {
        assert!(errors(&param(values)).iter().any(|(c, _)| *c == "E0601"), "{values}");
    }
}

/// Robustness: the overlaps of a parameter with thousands of dated values are found in a moment.
#[test]
fn many_dated_values_are_checked_quickly() {
    let start = eligo::date::Date::from_ymd(1900, 1, 1).expect("a date");
    let values: Vec<String> = (0..40_000i64)
        .map(|d| {
            let from = start.add_days(2 * d).expect("a date");
            format!("{d} from {from} until {}", from.add_days(1).expect("a date"))
        })
        .collect();
    let rules = format!("param s: money = {} label \"s\" en \"s\"\n", values.join(", "));
    let began = std::time::Instant::now();
    assert_eq!(errors(&rules), []);
    assert!(began.elapsed() < std::time::Duration::from_secs(20), "{:?}", began.elapsed());
}

// ───────────────────────────── (d) names of built-ins ─────────────────────────────

#[test]
fn no_table_takes_the_name_of_a_built_in() {
    for builtin in eligo::builtins::BUILTINS {
        let rules = format!("table {}(k: int) -> money label \"t\" en \"t\"\n  0.. => 1\n", builtin.name);
        assert_error(&rules, "E0202", 1);
    }
    // Inputs, definitions and outputs are never called, so they hide nothing: `age(…)` still
    // means the built-in beside an input named `age`.
    let rules = "input age: int label \"a\" en \"a\"\ninput birth: date label \"b\" en \"b\"\n\
                 let min = age\npolicy q \"q\" en \"q\"\n  require age(birth, today) >= min \"l\" en \"l\"\n";
    assert_valid(rules);
}

// ───────────────────────────── (e) order of declarations and files ─────────────────────────────

#[test]
fn a_policy_in_two_groups_is_an_error_at_both() {
    let mut rules = INPUT.to_string();
    for p in ["a", "b", "c"] {
        rules.push_str(&format!(
            "policy {p} \"{p}\" en \"{p}\"\n  require x > 1 \"l\" en \"l\"\n  amount monthly = 1\n"
        ));
    }
    assert_error(&format!("{rules}group g highest of a, b\ngroup h highest of c, b\n"), "E0705", 2);
    assert_error(&format!("{rules}group g highest of a, b\ngroup h highest of a, b\n"), "E0705", 2);
    assert_valid(&format!("{rules}group g highest of a, b, c\n"));
}

/// The files of rules/ and of the valid fixtures (each its own rule set), with the profiles.
fn rule_sets() -> Vec<Vec<(String, String)>> {
    let mut sets = vec![rule_files(&root().join("rules"))];
    for (name, text) in rule_files(&root().join("tests/fixtures/valid")) {
        sets.push(vec![(name, text)]);
    }
    sets
}

fn profiles() -> Vec<Value> {
    let dir = root().join("rules/profiles");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/profiles")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".json") && !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    names.sort();
    names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("a profile")).expect("JSON")).collect()
}

/// The reports of every profile on a few dates, as text, with the files' names written back
/// to the names in `names` (a report's positions name their file).
fn reports(files: &[(String, String)], names: &[(String, String)], profiles: &[Value]) -> String {
    let engine = Engine::compile(files).unwrap_or_else(|e| panic!("{}", e.message));
    let mut out = String::new();
    for date in ["2023-06-01", "2025-09-01"] {
        for data in profiles {
            let report = eligo::ffi::evaluate(&engine, data, date, options(Some("en"), true));
            let mut report = serde_json::to_value(report.map_err(|e| format!("{e:?}"))).expect("JSON");
            // The program's hash depends on the order and names of the files (it is of the bytes):
            // the answers do not.
            if let Some(report) = report.get_mut("Ok").and_then(Value::as_object_mut) {
                report.remove("rules");
            }
            // The report lists the policies in the order they are declared: compared by id.
            // So are the facts each one misses, and the questions that settle as many policies.
            if let Some(policies) = report.pointer_mut("/Ok/policies").and_then(Value::as_array_mut) {
                policies.sort_by_key(|p| p["id"].to_string());
                for missing in policies.iter_mut().filter_map(|p| p["missing"].as_array_mut()) {
                    missing.sort_by_key(Value::to_string);
                }
            }
            if let Some(ask) = report.pointer_mut("/Ok/askNext").and_then(Value::as_array_mut) {
                ask.sort_by_key(|a| (std::cmp::Reverse(a["settles"].as_u64()), a["input"].to_string()));
            }
            out.push_str(&report.to_string());
            out.push('\n');
        }
        let mut examples: Vec<String> =
            engine.run_examples().iter().map(|e| serde_json::to_string(e).expect("JSON")).collect();
        for (renamed, original) in names {
            examples = examples.iter().map(|e| e.replace(renamed.as_str(), original)).collect();
        }
        examples.sort();
        out.push_str(&examples.join("\n"));
    }
    for (renamed, original) in names {
        out = out.replace(renamed.as_str(), original);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The order of the files and their names change nothing in any report.
    #[test]
    fn reports_do_not_depend_on_the_order_or_names_of_files(seed in any::<u64>()) {
        let profiles = profiles();
        for set in rule_sets() {
            let expected = reports(&set, &[], &profiles);
            // A permutation and new names from the seed.
            let mut keyed: Vec<(u64, usize)> = (0..set.len())
                .map(|i| ((i as u64 + 1).wrapping_mul(seed | 1).rotate_left(17) ^ seed, i))
                .collect();
            keyed.sort();
            let renamed: Vec<(String, String)> = keyed
                .iter()
                .map(|&(key, i)| (format!("zz/{key:016x}_{i}.rules"), set[i].1.clone()))
                .collect();
            let names: Vec<(String, String)> =
                keyed.iter().map(|&(key, i)| (format!("zz/{key:016x}_{i}.rules"), set[i].0.clone())).collect();
            prop_assert_eq!(reports(&renamed, &names, &profiles), expected);
        }
    }
}

// ───────────────────────────── money out of range ─────────────────────────────

const FEE_RULES: &str =
    "input x: int label \"x\" en \"x\"\npolicy q \"q\" en \"q\"\n  require x > -1000 \"l\" en \"l\"\n";

/// Known when the rules are checked (literals and parameters, on every date a value starts):
/// an error at the expression.
#[test]
fn constant_money_out_of_range_is_a_compile_error() {
    let param = "param s: money = 10 from 2020-01-01, -1 from 2025-01-01 label \"s\" en \"s\"\n\
                 param share: decimal = 40% label \"s\" en \"s\"\n";
    for outputs in [
        "  amount monthly = -5\n",
        "  amount once = 5 - 7\n",
        "  amount yearly = 5\n  exception \"e\" en \"e\" when x > 3 then amount = -1\n",
        "  fee = -1\n",
        "  fee = s\n",
        "  fee = 10\n  waiver = 150%\n",
        "  fee = 10\n  waiver = -1%\n",
        "  fee = 10\n  waiver = share * 3\n",
        "  fee = 10\n  waiver = -3\n",
        "  fee = 10\n  waiver = if true then -3 else 2\n",
    ] {
        // (One place, and the parameter's value when one is read.)
        let found = errors(&format!("{param}{FEE_RULES}{outputs}"));
        let places = if outputs.ends_with("= s\n") { 2 } else { 1 };
        assert!(found.contains(&("E0706", places)), "{outputs}: {found:?}");
    }
    // The ends of the ranges, and a fixed sum larger than the fee (it waives the whole fee).
    for outputs in [
        "  amount monthly = 0\n",
        "  fee = 0\n",
        "  fee = 10\n  waiver = 100%\n",
        "  fee = 10\n  waiver = 0%\n",
        "  fee = 10\n  waiver = 25\n",
    ] {
        assert_valid(&format!("{FEE_RULES}{outputs}"));
    }
}

/// Computed from the data: the policy is an error naming the value, in both languages; the
/// payable is never below zero nor above the fee.
#[test]
fn money_out_of_range_from_data_is_an_error_of_the_policy() {
    let report = |outputs: &str, x: i64, lang: &str| {
        let engine = Engine::compile(&[("t.rules", format!("{FEE_RULES}{outputs}"))]).expect("compiles");
        let data = serde_json::json!({ "x": x });
        let report = eligo::ffi::evaluate(&engine, &data, "2025-03-01", options(Some(lang), false)).expect("a report");
        serde_json::to_value(&report.policies[0]).expect("JSON")
    };
    for (outputs, x, en, zh) in [
        ("  amount monthly = x\n", -3, "`amount` is -3 for this citizen, below zero", "`amount` 对此人为 -3"),
        ("  fee = x\n", -3, "`fee` is -3 for this citizen, below zero", "`fee` 对此人为 -3"),
        ("  fee = 10\n  waiver = x * 1%\n", 150, "`waiver` is 150% of the fee", "费用的 150%"),
        ("  fee = 10\n  waiver = x * 1%\n", -1, "`waiver` is -1% of the fee", "费用的 -1%"),
        ("  fee = 10\n  waiver = x\n", -3, "`waiver` is -3 for this citizen", "`waiver` 对此人为 -3"),
    ] {
        let policy = report(outputs, x, "en");
        assert_eq!(policy["status"], "error", "{outputs}: {policy}");
        assert!(policy["error"]["message"].as_str().unwrap_or("").contains(en), "{policy}");
        let policy = report(outputs, x, "zh");
        assert!(policy["error"]["message"].as_str().unwrap_or("").contains(zh), "{policy}");
    }
    for (outputs, x, payable) in [
        ("  fee = 10\n  waiver = x * 1%\n", 100, "0.00"),
        ("  fee = 10\n  waiver = x * 1%\n", 0, "10.00"),
        ("  fee = 10\n  waiver = x\n", 25, "0.00"),
        ("  fee = 10\n  waiver = x\n", 4, "6.00"),
    ] {
        let policy = report(outputs, x, "en");
        assert_eq!(policy["outputs"]["payable"], payable, "{outputs} x = {x}: {policy}");
    }
}

// ───────────────────────────── examples ─────────────────────────────

fn example_failures(rules: &str) -> Vec<String> {
    let engine =
        Engine::compile(&[("t.rules", rules)]).unwrap_or_else(|e| panic!("{}: {:?}", e.message, e.diagnostics));
    engine
        .run_examples()
        .into_iter()
        .flat_map(|r| r.failures)
        .map(|f| format!("{} @{}:{}", f.message, f.at.line, f.at.column))
        .collect()
}

/// A status that differs names the conditions that decided it, with their labels and places.
#[test]
fn an_example_with_another_status_says_which_condition() {
    let rules = "input age: int label \"a\" en \"a\"\ninput city: text label \"c\" en \"c\"\n\
                 policy p \"p\" en \"p\"\n  require age >= 65 \"年满65周岁\" en \"Aged 65 or over\"\n\
                 \x20 require city == \"上海\" \"本市户籍\" en \"Shanghai hukou\"\n  amount monthly = 75\n\
                 example \"too young\" on 2025-01-01\n  given age = 60, city = \"上海\"\n  expect p eligible\n\
                 example \"city unknown\" on 2025-01-01\n  given age = 70\n  expect p eligible\n\
                 example \"old enough\" on 2025-01-01\n  given age = 70, city = \"上海\"\n  expect p ineligible\n";
    assert_eq!(
        example_failures(rules),
        [
            "p: expected eligible, got ineligible (not met: “Aged 65 or over” at t.rules:4:3) @9:3",
            "p: expected eligible, got undetermined (missing: city) (not yet known: “Shanghai hukou” at t.rules:5:3) @12:3",
            "p: expected ineligible, got eligible (all met: “Aged 65 or over” at t.rules:4:3; “Shanghai hukou” at t.rules:5:3) @15:3",
        ]
    );
}

/// Money is compared to the fen, as the report prints it: 1000/3 is written 333.33.
#[test]
fn an_example_compares_money_as_the_report_shows_it() {
    let rules = |expected: &str| {
        format!(
            "input n: int label \"n\" en \"n\"\npolicy p \"p\" en \"p\"\n  require n > 0 \"l\" en \"l\"\n\
             \x20 amount monthly = 1000 / n\n  fee = 10 / n\n  waiver = 1 / n\n  output share = 1000 / n\n\
             example \"e\" on 2025-01-01\n  given n = 3\n  expect p eligible, {expected}\n"
        )
    };
    for written in ["amount = 333.33", "fee = 3.33", "payable = 2.22", "amount = 333.333"] {
        assert_eq!(example_failures(&rules(written)), Vec::<String>::new(), "{written}");
    }
    assert_eq!(example_failures(&rules("amount = 333.34")), ["p: expected amount = 333.34, got 333.33 @10:31"]);
    // A number that is not money is compared exactly.
    assert_eq!(example_failures(&rules("share = 333.33")).len(), 1);
}
