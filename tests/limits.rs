//! One test per limit (docs/robustness.md lists them with their values): each is reached, gives
//! a clear error (a diagnostic with its code, or an evaluation error with its path or policy),
//! and the value just inside the limit is accepted. The limits on work also have a time bound:
//! the point of them is that no rule set and no data can make the engine hang.

use eligo::limits::*;
use eligo::report::Report;
use eligo::vocabulary::Status;
use eligo::{ffi::options, Engine, EvaluateError};
use serde_json::{json, Value};
use std::fmt::Write;
use std::time::{Duration, Instant};

const DATE: &str = "2025-03-01";

/// Error codes of the diagnostics of `rules`.
fn codes(rules: &str) -> Vec<&'static str> {
    eligo::check(&[("limits.rules", rules)])
        .into_iter()
        .filter(|d| d.severity == eligo::diagnostic::Severity::Error)
        .map(|d| d.code)
        .collect()
}

fn messages(rules: &str) -> Vec<String> {
    eligo::check(&[("limits.rules", rules)]).into_iter().map(|d| d.message).collect()
}

fn engine(rules: &str) -> Engine {
    Engine::compile(&[("limits.rules", rules)]).unwrap_or_else(|e| panic!("{}\n{:#?}", e.message, e.diagnostics))
}

fn evaluate(engine: &Engine, data: &Value) -> Report {
    eligo::ffi::evaluate(engine, data, DATE, options(Some("en"), false)).unwrap_or_else(|e| panic!("{e:?}"))
}

fn policy_error(report: &Report, id: &str) -> String {
    let p = report.policies.iter().find(|p| p.id == id).expect("the policy");
    assert_eq!(p.status, Status::Error, "{id}: {p:?}");
    p.error.as_ref().expect("an error").message.clone()
}

/// Runs `f`, which must finish within `limit` (generous: this is an unoptimised test build).
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let result = f();
    assert!(start.elapsed() < limit, "{what} took {:?}", start.elapsed());
    result
}

const HOUSEHOLD: &str = r#"
record member label "成员" en "Member"
  field income: money label "收入" en "Income"
  field age: int label "年龄" en "Age"
input household: list of member label "家庭" en "Household"
"#;

fn household(items: usize, item: Value) -> Value {
    json!({ "household": vec![item; items] })
}

// ───────────────────────────── rule text ─────────────────────────────

#[test]
fn source_size() {
    let just_over = format!("// {}\n", "x".repeat(MAX_SOURCE_BYTES));
    assert_eq!(codes(&just_over), ["E0103"]);
    assert!(messages(&just_over)[0].contains(&format!("the limit is {MAX_SOURCE_BYTES} bytes")));
    // At the limit: read (and quickly, since it is only comments).
    let line = "// 注释 comment\n";
    let at_limit = line.repeat(MAX_SOURCE_BYTES / line.len());
    assert!(at_limit.len() <= MAX_SOURCE_BYTES);
    within(Duration::from_secs(30), "a rule file at the size limit", || assert!(!codes(&at_limit).contains(&"E0103")));
}

#[test]
fn nesting_of_brackets_and_ifs() {
    let brackets = |n: usize| format!("let x = {}1{}\n", "(".repeat(n), ")".repeat(n));
    assert!(codes(&brackets(MAX_NESTING)).is_empty());
    assert_eq!(codes(&brackets(MAX_NESTING + 1)), ["E0104"]);
    let ifs = |n: usize| format!("let x = {}1\n", "if true then 1 else ".repeat(n));
    assert!(codes(&ifs(MAX_NESTING)).is_empty());
    assert_eq!(codes(&ifs(MAX_NESTING + 1)), ["E0104"]);
    assert!(messages(&ifs(MAX_NESTING + 1))[0].contains(&format!("more than {MAX_NESTING} levels")));
    // Far past the limit: refused before the parser sees it, never a stack overflow.
    assert_eq!(codes(&brackets(100_000)), ["E0104"]);
}

#[test]
fn unclosed_calls_parse_in_linear_time() {
    // Found by fuzzing: `ifa(t = ifa(…` was parsed twice per level (as `if` followed by `a(…`,
    // then as a call): 2^40 parses for these 40 levels before the fix, a moment now.
    let text = format!("let x = {}\n", "ifa(t = ".repeat(40));
    assert_eq!(within(Duration::from_secs(20), "40 unclosed calls", || codes(&text)), ["E0101"]);
    let text = format!("let x = {}\n", "if (".repeat(23));
    assert_eq!(within(Duration::from_secs(20), "23 unclosed ifs", || codes(&text)), ["E0101"]);
}

#[test]
fn depth_of_expressions() {
    let chain = |n: usize| format!("let x = {}\n", vec!["1"; n].join(" + "));
    assert!(codes(&chain(MAX_EXPR_DEPTH)).is_empty());
    assert_eq!(codes(&chain(MAX_EXPR_DEPTH + 2)), ["E0104"]);
    // The operand is a level too: 99 `not`s and `true` make 100.
    let nots = |n: usize| format!("let x = {}true\n", "not ".repeat(n));
    assert!(codes(&nots(MAX_EXPR_DEPTH - 1)).is_empty());
    assert_eq!(codes(&nots(MAX_EXPR_DEPTH)), ["E0104"]);
    assert!(messages(&nots(MAX_EXPR_DEPTH))[0].contains("100 `not` or `-` in a row"));
}

/// Regression (found while testing the limits): an expression too deep inside a call, with no
/// `not` or `-` anywhere, was reported as "more than 100 `not` or `-` in a row".
#[test]
fn depth_inside_a_call_is_not_blamed_on_not() {
    let terms: Vec<String> = (0..MAX_EXPR_DEPTH).map(|_| "income".to_string()).collect();
    let rules = format!("{HOUSEHOLD}let x = sum(household, {})\n", terms.join(" + "));
    let found = messages(&rules);
    assert!(found.iter().any(|m| m.contains(&format!("more than {MAX_EXPR_DEPTH} levels deep"))), "{found:?}");
    assert!(!found.iter().any(|m| m.contains("`not` or `-`")), "{found:?}");
}

#[test]
fn length_of_names() {
    let name = |n: usize| format!("input {}: int label \"x\" en \"x\"\n", "名".repeat(n));
    assert!(codes(&name(MAX_NAME_CHARS)).is_empty(), "the limit counts characters, not bytes");
    assert_eq!(codes(&name(MAX_NAME_CHARS + 1)), ["E0105"]);
    // A name of a million characters: one error, no time spent on it.
    within(Duration::from_secs(10), "a very long name", || assert_eq!(codes(&name(600_000)), ["E0105"]));
}

#[test]
fn length_of_texts() {
    let text = |n: usize| format!("input x: int label \"{}\" en \"x\"\n", "字".repeat(n));
    assert!(codes(&text(MAX_RULE_TEXT_CHARS)).is_empty());
    assert_eq!(codes(&text(MAX_RULE_TEXT_CHARS + 1)), ["E0106"]);
}

#[test]
fn number_of_declarations() {
    let mut rules = String::new();
    for i in 0..=MAX_DECLARATIONS {
        let _ = writeln!(rules, "input i{i}: int");
    }
    let found = within(Duration::from_secs(60), "20,001 declarations", || codes(&rules));
    assert_eq!(found, ["E0109"]);
}

#[test]
fn rows_of_a_table() {
    let table = |rows: usize| {
        let mut text = String::from("table t(k: int) -> money\n");
        for row in 0..rows {
            let _ = writeln!(text, "  {row} => 1元");
        }
        text
    };
    assert!(codes(&table(MAX_TABLE_ROWS)).is_empty());
    assert_eq!(codes(&table(MAX_TABLE_ROWS + 1)), ["E0110"]);
    // Regression (a hang): rows were compared pairwise whatever their number; 50,000 rows took
    // seconds to check (minutes at the size limit), on every keystroke in the playground.
    within(Duration::from_secs(20), "a 50,000-row table", || assert_eq!(codes(&table(50_000)), ["E0110"]));
}

#[test]
fn members_of_a_group() {
    let group = |members: usize, twice: bool| {
        let mut text = String::from("input a: bool label \"a\" en \"a\"\n");
        for p in 0..members {
            let _ = writeln!(
                text,
                "policy p{p} \"p\" en \"p\"\n  require a \"a\" en \"a\"\n  amount monthly = {}元",
                p + 1
            );
        }
        let mut names: Vec<String> = (0..members).map(|p| format!("p{p}")).collect();
        if twice {
            names[1] = "p0".into();
        }
        let _ = writeln!(text, "group g \"g\" en \"g\" highest of {}", names.join(", "));
        text
    };
    assert!(codes(&group(MAX_GROUP_MEMBERS, false)).is_empty());
    assert_eq!(codes(&group(MAX_GROUP_MEMBERS + 1, false)), ["E0110"]);
    // Regression (a hang): a group naming the same policies again and again was accepted, and
    // compared every member with every other on each evaluation (100,000 names: 35 s).
    assert_eq!(codes(&group(3, true)), ["E0202"]);
}

// ───────────────────────────── citizen data ─────────────────────────────

#[test]
fn items_in_a_list() {
    let rules = format!("{HOUSEHOLD}policy p \"p\" en \"p\"\n  require count(household) > 0 \"l\" en \"l\"\n");
    let engine = engine(&rules);
    let item = json!({"income": "1", "age": 1});
    assert!(eligo::ffi::evaluate(&engine, &household(MAX_LIST_ITEMS, item.clone()), DATE, options(None, false)).is_ok());
    match eligo::ffi::evaluate(&engine, &household(MAX_LIST_ITEMS + 1, item), DATE, options(None, false)) {
        Err(EvaluateError::InvalidFacts { problems, .. }) => {
            assert_eq!(problems[0].path, "household");
            assert!(problems[0].message.contains(&format!("at most {MAX_LIST_ITEMS}")), "{problems:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn length_of_texts_in_data() {
    let engine = engine(
        "input city: text label \"c\" en \"c\"\npolicy p \"p\" en \"p\"\n  require city == \"上海\" \"l\" en \"l\"\n",
    );
    assert!(eligo::ffi::evaluate(
        &engine,
        &json!({"city": "城".repeat(MAX_DATA_TEXT_CHARS)}),
        DATE,
        options(None, false)
    )
    .is_ok());
    match eligo::ffi::evaluate(
        &engine,
        &json!({"city": "城".repeat(MAX_DATA_TEXT_CHARS + 1)}),
        DATE,
        options(None, false),
    ) {
        Err(EvaluateError::InvalidFacts { problems, .. }) => assert_eq!(problems[0].path, "city"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nesting_of_json_data() {
    let engine =
        engine(&format!("{HOUSEHOLD}policy p \"p\" en \"p\"\n  require count(household) > 0 \"l\" en \"l\"\n"));
    let nested = |levels: usize| format!("{{\"extra\": {}{}}}", "[".repeat(levels - 1), "]".repeat(levels - 1));
    // MAX_DATA_DEPTH levels (the object itself is one): read, the unknown key a warning.
    let out: Value =
        serde_json::from_str(&eligo::ffi::evaluate_json(&engine, &nested(MAX_DATA_DEPTH), DATE, options(None, false)))
            .unwrap();
    assert!(out.get("ok").is_some(), "{out}");
    for levels in [MAX_DATA_DEPTH + 1, 129, 100_000] {
        let out: Value =
            serde_json::from_str(&eligo::ffi::evaluate_json(&engine, &nested(levels), DATE, options(None, false)))
                .unwrap();
        let error = &out["error"];
        assert_eq!(error["kind"], "invalidFacts", "{levels}: {out}");
        assert_eq!(error["problems"][0]["path"], "", "a path-less problem: {out}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("the data is nested more than {MAX_DATA_DEPTH} levels deep")),
            "{message}"
        );
    }
    // The same for each record of a batch, in its place.
    let batch = format!("[{{}}, {}]", nested(MAX_DATA_DEPTH + 1));
    let results: Value = serde_json::from_str(&eligo::ffi::decide_many_json(&engine, &batch, DATE).unwrap()).unwrap();
    assert!(results[0].is_array() && results[1]["error"]["kind"] == "invalidFacts", "{results}");
}

#[test]
fn numbers_beyond_the_decimal_range() {
    let engine = engine(
        "input income: money label \"i\" en \"i\"\ninput age: int label \"a\" en \"a\"\n\
         policy p \"p\" en \"p\"\n  require income > 0元 and (age > 0) \"l\" en \"l\"\n",
    );
    let problem = |data: &str| -> (String, String) {
        let out: Value =
            serde_json::from_str(&eligo::ffi::evaluate_json(&engine, data, DATE, options(None, false))).unwrap();
        let p = &out["error"]["problems"][0];
        assert_eq!(out["error"]["kind"], "invalidFacts", "{data}: {out}");
        (p["path"].as_str().unwrap().into(), p["message"].as_str().unwrap().into())
    };
    // 1e400 is beyond any decimal: said with its path, not as a syntax error (nor rounded).
    assert_eq!(problem(r#"{"income": 1e400}"#).0, "income");
    assert_eq!(problem(r#"{"age": -1e400}"#).0, "age");
    // Beyond the exact decimals (±79,228,162,514,264,337,593,543,950,335).
    assert_eq!(problem(r#"{"income": 1e300}"#).0, "income");
    assert_eq!(problem(r#"{"income": "79228162514264337593543950336"}"#).0, "income");
    assert_eq!(problem(r#"{"age": 9223372036854775808}"#).0, "age");
    // Not numbers at all.
    for text in ["\"NaN\"", "\"Infinity\"", "\"1e5\"", "\"\"", "\"0x10\""] {
        assert_eq!(problem(&format!("{{\"income\": {text}}}")).0, "income", "{text}");
    }
    // -0 is zero, whichever way it is written; a whole number written 67.0 is the int 67.
    for data in [json!({"income": "-0", "age": 1}), json!({"income": -0.0, "age": -0.0})] {
        let report = evaluate(&engine, &data);
        assert_eq!(report.policies[0].status, Status::Ineligible, "{data}");
    }
    let text = r#"{"income": "1", "age": 67.0}"#;
    let out: Value =
        serde_json::from_str(&eligo::ffi::evaluate_json(&engine, text, DATE, options(None, false))).unwrap();
    assert_eq!(out["ok"]["policies"][0]["status"], "eligible", "{out}");
    // And in the rules: a literal beyond the range is E0108.
    assert_eq!(codes("param p: money = 99999999999999999999999999999999\n"), ["E0108"]);
}

// ───────────────────────────── evaluation work ─────────────────────────────

/// Each policy that counts the household for each member of a household of 1,000: over a
/// million steps each.
fn heavy_policies(n: usize) -> String {
    let mut rules = String::from(HOUSEHOLD);
    for i in 0..n {
        let _ = writeln!(
            rules,
            "policy p{i} \"p\" en \"p\"\n  require count(household, count(household, age > 0) > 0) > 0 \"l\" en \"l\""
        );
    }
    rules
}

#[test]
fn steps_of_one_policy() {
    let engine = engine(&heavy_policies(1));
    let report = within(Duration::from_secs(30), "one heavy policy", || {
        evaluate(&engine, &household(MAX_LIST_ITEMS, json!({"age": 1})))
    });
    assert!(policy_error(&report, "p0").contains(&format!("more than {MAX_STEPS} steps")));
    // A household of 100 is well within.
    let report = evaluate(&engine, &household(100, json!({"age": 1})));
    assert_eq!(report.policies[0].status, Status::Eligible);
}

/// Regression (a hang): each policy had its own budget and nothing bounded their sum, so 2,000
/// such policies took minutes for one citizen (20,000 policies: about an hour).
#[test]
fn steps_of_one_evaluation() {
    let n = 2_000;
    let engine = engine(&heavy_policies(n));
    let report = within(Duration::from_secs(60), "2,000 heavy policies", || {
        evaluate(&engine, &household(MAX_LIST_ITEMS, json!({"age": 1})))
    });
    assert!(policy_error(&report, "p0").contains(&format!("more than {MAX_STEPS} steps")));
    let last = policy_error(&report, &format!("p{}", n - 1));
    assert!(last.contains(&format!("more than {MAX_EVALUATION_STEPS} steps in all")), "{last}");
    // Every policy is reported, each with its status: no partial report.
    assert_eq!(report.policies.len(), n);
}

/// Regression (a hang): a table lookup was one step whatever the rows it looked through.
#[test]
fn rows_looked_through_count_as_steps() {
    let mut rules = format!("{HOUSEHOLD}table t(k: int) -> int\n");
    for row in 0..MAX_TABLE_ROWS - 1 {
        let _ = writeln!(rules, "  {row} => 1");
    }
    rules.push_str("  otherwise => 2\n");
    for p in 0..20 {
        let _ = writeln!(
            rules,
            "policy p{p} \"p\" en \"p\"\n  require sum(household, t(age) + t(age) + t(age)) > 0 \"l\" en \"l\""
        );
    }
    let engine = engine(&rules);
    let report = within(Duration::from_secs(30), "long table lookups", || {
        evaluate(&engine, &household(MAX_LIST_ITEMS, json!({"age": -1})))
    });
    assert!(policy_error(&report, "p0").contains("steps"));
}

/// A record of 20 fields, a household of 1,000 members who give none of them: 20,000 missing
/// facts behind one definition.
fn many_missing(policies: usize, conditions: usize) -> (String, Value) {
    let mut rules = String::from("record member label \"m\" en \"m\"\n");
    for f in 0..20 {
        let _ = writeln!(rules, "  field f{f}: int label \"f\" en \"f\"");
    }
    rules.push_str("input household: list of member label \"h\" en \"h\"\n");
    let terms: Vec<String> = (0..20).map(|f| format!("f{f}")).collect();
    let _ = writeln!(rules, "let total = sum(household, {})", terms.join(" + "));
    let _ =
        writeln!(rules, "let other = sum(household, {})", terms.iter().rev().cloned().collect::<Vec<_>>().join(" + "));
    for p in 0..policies {
        let _ = writeln!(rules, "policy p{p} \"p\" en \"p\"");
        for c in 0..conditions {
            let _ = writeln!(rules, "  require total > {c} or (other < {c} and total > other) \"l\" en \"l\"");
        }
    }
    (rules, household(MAX_LIST_ITEMS, json!({})))
}

/// Regression (a hang): merging sets of missing facts costs their size, but counted as one step;
/// with 50,000 missing facts, 10,000 conditions took over a minute.
#[test]
fn merging_missing_facts_counts_as_steps() {
    let (rules, data) = many_missing(1, 2_000);
    let engine = engine(&rules);
    let report = within(Duration::from_secs(30), "large missing sets", || evaluate(&engine, &data));
    assert!(policy_error(&report, "p0").contains("steps"));
    // A few conditions over the same facts are fine: undetermined, with all 20,000 missing.
    let (rules, data) = many_missing(1, 3);
    let report = evaluate(&self::engine(&rules), &data);
    assert_eq!(report.policies[0].status, Status::Undetermined, "{:?}", report.policies[0].error);
    assert_eq!(report.policies[0].missing.len(), 20_000);
}

/// Regression (a hang): the questions to ask next were counted by a linear search per missing
/// fact, quadratic in the missing facts; and a report could name policies × missing facts,
/// hundreds of megabytes from a few kilobytes of data.
#[test]
fn missing_facts_named_in_one_report() {
    let policies = MAX_REPORTED_MISSING / 20_000 + 1;
    let (rules, data) = many_missing(policies, 1);
    let engine = engine(&rules);
    let report = within(Duration::from_secs(30), "a report of many missing facts", || evaluate(&engine, &data));
    let named: usize = report.policies.iter().map(|p| p.missing.len()).sum();
    assert_eq!(named, MAX_REPORTED_MISSING);
    for p in &report.policies[..policies - 1] {
        assert_eq!(p.status, Status::Undetermined, "{:?}", p.error);
    }
    let message = policy_error(&report, &format!("p{}", policies - 1));
    assert!(message.contains(&format!("{MAX_REPORTED_MISSING}")), "{message}");
    assert_eq!(report.ask_next.len(), 20_000);
}

/// Regression (a hang): settling exclusions looked through every policy for every policy, and
/// groups of policies that miss many facts merged those sets member by member, group by group.
#[test]
fn work_settling_relations() {
    let mut rules = String::from("record member label \"m\" en \"m\"\n");
    for f in 0..50 {
        let _ = writeln!(rules, "  field f{f}: int label \"f\" en \"f\"");
    }
    rules.push_str("input household: list of member label \"h\" en \"h\"\n");
    // Groups of their own members (a policy is in one group at most, E0705).
    for g in 0..10 {
        for p in 0..MAX_GROUP_MEMBERS {
            let _ = writeln!(
                rules,
                "policy p{g}_{p} \"p\" en \"p\"\n  require count(household, f{} > 0) > {p} \"l\" en \"l\"\n  amount monthly = {}元",
                p % 50,
                p + 1
            );
        }
        let members: Vec<String> = (0..MAX_GROUP_MEMBERS).map(|p| format!("p{g}_{p}")).collect();
        let _ = writeln!(rules, "group g{g} \"g\" en \"g\" highest of {}", members.join(", "));
    }
    let engine = engine(&rules);
    let report = within(Duration::from_secs(60), "10 groups of 100", || {
        evaluate(&engine, &household(MAX_LIST_ITEMS, json!({})))
    });
    let unsettled = report
        .policies
        .iter()
        .filter(|p| p.error.as_ref().is_some_and(|e| e.message.contains("too much work")))
        .count();
    assert!(unsettled > 0, "the work limit ({MAX_RELATION_WORK}) was reached and said so");
    for p in &report.policies {
        assert!(p.status != Status::Eligible || p.excluded_by.is_none());
    }
}

#[test]
fn exclusion_chains() {
    let n = 5_000;
    let mut rules = String::from("input a: bool label \"a\" en \"a\"\n");
    for i in 0..n {
        let _ = writeln!(rules, "policy p{i} \"p\" en \"p\"\n  require a \"l\" en \"l\"\n  excludes p{}", i + 1);
    }
    let _ = writeln!(rules, "policy p{n} \"p\" en \"p\"\n  require a \"l\" en \"l\"");
    let engine = within(Duration::from_secs(30), "compiling 5,000 exclusions", || engine(&rules));
    let report =
        within(Duration::from_secs(10), "settling 5,000 exclusions", || evaluate(&engine, &json!({"a": true})));
    assert_eq!(report.policies[0].status, Status::Eligible);
    assert_eq!(report.policies[1].status, Status::Ineligible);
    assert_eq!(report.policies[1].excluded_by.as_deref(), Some("p0"));
    assert_eq!(report.policies[2].status, Status::Eligible, "p1 is not granted, so it excludes nothing");
}

/// Regression (a hang): "did you mean …?" compared every unknown name with every declared name;
/// 5,000 unknown names among 5,000 inputs took 52 s to check.
#[test]
fn suggestions_for_many_unknown_names() {
    let mut rules = String::new();
    for i in 0..5_000 {
        let _ = writeln!(rules, "input abcdefghijklmnopqrs{i:05}: int");
    }
    for i in 0..5_000 {
        let _ = writeln!(rules, "let l{i} = zbcdefghijklmnopqrs{i:05}");
    }
    let found = within(Duration::from_secs(60), "5,000 unknown names", || codes(&rules));
    assert!(found.iter().filter(|c| **c == "E0201").count() == 5_000);
}

/// Regression (a hang): citizen data with a key of a million characters, or 100,000 unknown
/// keys, was compared with every input for a "did you mean …?" (4 s and 3 s).
#[test]
fn data_with_long_or_many_unknown_keys() {
    let engine =
        engine(&format!("{HOUSEHOLD}policy p \"p\" en \"p\"\n  require count(household) > 0 \"l\" en \"l\"\n"));
    let long = format!("{{\"{}\": 1}}", "a".repeat(1_000_000));
    let many =
        format!("{{{}}}", (0..MAX_OBJECT_KEYS).map(|i| format!("\"househo1d{i}\": 1")).collect::<Vec<_>>().join(","));
    for data in [long, many] {
        let out = within(Duration::from_secs(20), "unknown keys", || {
            eligo::ffi::evaluate_json(&engine, &data, DATE, options(None, false))
        });
        let out: Value = serde_json::from_str(&out).unwrap();
        assert!(out["ok"]["warnings"].as_array().is_some_and(|w| !w.is_empty()));
    }
}

/// Regression (a hang): each example had the budget of one evaluation, so a file of 200 heavy
/// examples took about a minute to test (`eligo test`, the playground's "run examples"). They
/// now share one budget: the examples past it fail, saying why.
#[test]
fn steps_of_all_the_examples() {
    let mut rules = heavy_policies(10);
    let items = vec!["{age = 1}"; MAX_LIST_ITEMS].join(", ");
    for e in 0..50 {
        let _ = writeln!(rules, "example \"e{e}\" on 2025-03-01\n  given household = [{items}]\n  expect p0 error");
    }
    let engine = engine(&rules);
    let results = within(Duration::from_secs(60), "50 heavy examples", || engine.run_examples());
    assert_eq!(results.len(), 50);
    assert!(results[0].passed, "{:?}", results[0].failures);
    let last = &results[49];
    assert!(last.passed, "the policy is an error either way: {:?}", last.failures);
    // A light example after the budget is spent fails, and says why.
    let mut rules = heavy_policies(10);
    for e in 0..20 {
        let _ =
            writeln!(rules, "example \"heavy {e}\" on 2025-03-01\n  given household = [{items}]\n  expect p0 error");
    }
    rules.push_str("example \"light\" on 2025-03-01\n  given household = []\n  expect p0 ineligible\n");
    let results = self::engine(&rules).run_examples();
    let light = results.last().expect("the light example");
    assert!(!light.passed);
    assert!(light.failures[0].message.contains(&format!("{MAX_EVALUATION_STEPS} steps in all")), "{light:?}");
}

/// Regression (a stack overflow): a table's row may look up another table, whose row looks up
/// another…; 12,000 tables in a chain overflowed the evaluator's stack (and WebAssembly's stack
/// is smaller). Now the depths of the rows along a chain add up to at most MAX_TABLE_DEPTH.
#[test]
fn tables_looking_up_tables() {
    // `=> t1(a)` is 2 levels deep (the lookup and its key), the last `=> a` is 1.
    let chain = |tables: usize| {
        let mut rules = String::from("input a: int label \"a\" en \"a\"\n");
        for t in 0..tables - 1 {
            let _ = writeln!(rules, "table t{t}(k: int) -> int\n  otherwise => t{}(a)", t + 1);
        }
        let _ = writeln!(rules, "table t{}(k: int) -> int\n  otherwise => a", tables - 1);
        let _ = writeln!(rules, "policy p \"p\" en \"p\"\n  require t0(a) > 0 \"l\" en \"l\"");
        rules
    };
    let longest = (MAX_TABLE_DEPTH - 1) / 2 + 1;
    let report = evaluate(&engine(&chain(longest)), &json!({"a": 1}));
    assert_eq!(report.policies[0].status, Status::Eligible);
    assert_eq!(codes(&chain(longest + 1)), ["E0104"]);
    assert!(messages(&chain(longest + 1))[0].contains(&format!("more than {MAX_TABLE_DEPTH} levels deep")));
    let found = within(Duration::from_secs(30), "19,000 chained tables", || codes(&chain(19_000)));
    assert_eq!(found, ["E0104"], "reported once, where the chain first goes too deep");
    // Two tables of deep rows, looked up from a deep condition: the deepest the limits allow,
    // evaluated on a stack of 1 MiB, WebAssembly's, when optimised (about 250 KiB is used); an
    // unoptimised build has frames several times larger.
    let plus = " + 1".repeat(MAX_EXPR_DEPTH - 3);
    let rules = format!(
        "input a: int label \"a\" en \"a\"\ntable t0(k: int) -> int\n  otherwise => t1(a){plus}\n\
         table t1(k: int) -> int\n  otherwise => a{plus} + 1\npolicy p \"p\" en \"p\"\n  require t0(a){plus} > 0 \"l\" en \"l\"\n"
    );
    let deepest = std::thread::Builder::new()
        .stack_size(if cfg!(debug_assertions) { 16 << 20 } else { 1 << 20 })
        .spawn(move || {
            let engine = engine(&rules);
            let report = evaluate(&engine, &json!({"a": 1}));
            let unknown = evaluate(&engine, &json!({}));
            (report.policies[0].status, unknown.policies[0].status)
        })
        .expect("a thread")
        .join()
        .expect("no stack overflow");
    assert_eq!(deepest, (Status::Eligible, Status::Undetermined));
}

/// Regression (a stack overflow, found while testing the limits): the nesting limit is checked on
/// the raw text before the parser runs, and that scan took the `"` inside “"” for the start of
/// a text, so it did not count the brackets after it: 1,000 of them overflowed a 1 MiB stack.
#[test]
fn nesting_behind_chinese_quotes() {
    for n in [MAX_NESTING + 1, 1_000, 100_000] {
        let rules = format!("let x = “\"” + {}1{} + \"a\"\n", "(".repeat(n), ")".repeat(n));
        let found = std::thread::Builder::new()
            .stack_size(if cfg!(debug_assertions) { 16 << 20 } else { 1 << 20 })
            .spawn(move || codes(&rules))
            .expect("a thread")
            .join()
            .expect("no stack overflow");
        assert_eq!(found, ["E0104"], "{n}");
    }
    // Within the limit, with quotes of both kinds around: fine.
    let rules = format!("let x = “\"(” + {}1{} + \"“(\"\n", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    assert!(!codes(&rules).contains(&"E0104"), "{:?}", messages(&rules));
}

// ───────────────────────────── size of the data ─────────────────────────────

/// The report of `evaluate_json` on `text`, as JSON.
fn evaluate_text(engine: &Engine, text: &str) -> Value {
    serde_json::from_str(&eligo::ffi::evaluate_json(engine, text, DATE, options(None, false))).unwrap()
}

fn city_engine() -> Engine {
    engine(
        "input city: text label \"c\" en \"c\"\npolicy p \"p\" en \"p\"\n  require city == \"上海\" \"l\" en \"l\"\n",
    )
}

#[test]
fn bytes_of_the_data() {
    let engine = city_engine();
    let padded = |len: usize| format!("{{\"city\": \"上海\"{}}}", " ".repeat(len - "{\"city\": \"上海\"}".len()));
    assert!(evaluate_text(&engine, &padded(MAX_DATA_BYTES)).get("ok").is_some());
    let out =
        within(Duration::from_secs(2), "refusing large data", || evaluate_text(&engine, &padded(MAX_DATA_BYTES + 1)));
    assert_eq!(out["error"]["kind"], "invalidFacts", "{out}");
    assert!(out["error"]["message"].as_str().unwrap().contains(&format!("at most {MAX_DATA_BYTES}")), "{out}");
}

/// `{"k0": 0, "k1": 0, …}` with `n` keys.
fn object_of(n: usize) -> String {
    let mut text = String::from("{");
    for i in 0..n {
        let _ = write!(text, "{}\"k{i}\": 0", if i == 0 { "" } else { ", " });
    }
    text + "}"
}

#[test]
fn keys_of_one_object_and_of_the_data() {
    let engine = city_engine();
    assert!(evaluate_text(&engine, &object_of(MAX_OBJECT_KEYS)).get("ok").is_some());
    let out = evaluate_text(&engine, &object_of(MAX_OBJECT_KEYS + 1));
    assert_eq!(
        out["error"]["problems"][0]["message"],
        format!("this object has more than {MAX_OBJECT_KEYS} keys"),
        "{out}"
    );
    // Many objects, each within its own limit, but too many keys in all: one problem.
    let per = MAX_OBJECT_KEYS / 2;
    let objects = MAX_DATA_KEYS / per + 1;
    let list: Vec<String> = (0..objects).map(|_| object_of(per)).collect();
    let out = evaluate_text(&engine, &format!("{{\"extra\": [{}]}}", list.join(",")));
    let problems = out["error"]["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["message"], format!("the data has more than {MAX_DATA_KEYS} keys in all"));
}

#[test]
fn warnings_about_the_data() {
    let engine = city_engine();
    let keys = MAX_REPORTED_WARNINGS + 500;
    let report = within(Duration::from_secs(10), "many unknown keys", || {
        evaluate(&engine, &serde_json::from_str(&object_of(keys)).unwrap())
    });
    assert_eq!(report.warnings.len(), MAX_REPORTED_WARNINGS + 1);
    let last = report.warnings.last().unwrap();
    assert_eq!((last.path.as_str(), last.message.as_str()), ("", "and 500 more keys not used by these rules"));
    let just = evaluate(&engine, &serde_json::from_str(&object_of(MAX_REPORTED_WARNINGS)).unwrap());
    assert_eq!(just.warnings.len(), MAX_REPORTED_WARNINGS);
}

/// Amounts, fees and waivers known from the rules are checked on every date a parameter they
/// read changes, each date a look at every parameter: past `CONSTANT_MONEY_WORK` the rest is left
/// to each evaluation, which refuses the value all the same.
#[test]
fn checking_money_known_from_the_rules() {
    let params = 1_000;
    let dates = CONSTANT_MONEY_WORK / (params + 1) + 10;
    let mut rules = String::from("input x: int label \"x\" en \"x\"\n");
    for p in 0..params {
        let _ = writeln!(rules, "param q{p}: money = 1 label \"q\" en \"q\"");
    }
    let start = eligo::date::Date::from_ymd(2000, 1, 1).unwrap();
    let day = |d: usize| start.add_days(d as i64).unwrap();
    let values: Vec<String> =
        (0..dates).map(|d| format!("{} from {}", if d + 1 == dates { "-1" } else { "5" }, day(d))).collect();
    let _ = writeln!(rules, "param fee_of: money = {} label \"f\" en \"f\"", values.join(", "));
    rules.push_str("policy p \"p\" en \"p\"\n  require x > 0 \"l\" en \"l\"\n  fee = fee_of\n");
    let engine = within(Duration::from_secs(30), "checking many dated values", || engine(&rules));
    let last = day(dates - 1).to_string();
    let report = eligo::ffi::evaluate(&engine, &json!({"x": 1}), &last, options(Some("en"), false)).unwrap();
    assert!(policy_error(&report, "p").contains("below zero"));
    // Within the work, the same value is an error of the rules.
    let few: Vec<String> = values[dates - 3..].to_vec();
    let rules = format!(
        "input x: int label \"x\" en \"x\"\nparam fee_of: money = {} label \"f\" en \"f\"\n\
         policy p \"p\" en \"p\"\n  require x > 0 \"l\" en \"l\"\n  fee = fee_of\n",
        few.join(", ")
    );
    assert_eq!(codes(&rules), ["E0706"]);
}
