//! Replays the committed fuzz corpus on stable Rust, so that CI guards what the fuzzers found
//! without nightly or cargo-fuzz (see docs/robustness.md and scripts/fuzz.sh).
//!
//! Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` runs through the very
//! code the fuzz target runs (`fuzz/src/harness.rs`, included below), which checks that nothing
//! panics and that every answer has the documented shape and agrees with the other entry points.
//! Each file must also finish in bounded time. A stack overflow would abort the whole test binary:
//! the depth limits are what keep that from happening.
//!
//! Below the replay, one named test per problem the fuzzers found, each on its minimised input.

#[allow(dead_code)]
#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The longest one input may take in this (unoptimised) test build. The fuzz build runs each in
/// milliseconds; libFuzzer's own limit there is 10 s.
const PER_INPUT: Duration = Duration::from_secs(20);

fn replay(target: &str) {
    let run = harness::TARGETS.iter().find(|(name, _)| *name == target).map(|(_, run)| *run).expect("a target");
    let root = harness::repository();
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
            files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty() || target == "none", "no corpus for {target}: run `bash scripts/fuzz.sh seed`");
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for file in &files {
        let data = std::fs::read(file).expect("a corpus file");
        let start = Instant::now();
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target}: {} panicked: {message}", file.display());
        }
        let took = start.elapsed();
        assert!(took < PER_INPUT, "{target}: {} took {took:?}", file.display());
        if took > slowest.0 {
            slowest = (took, file.clone());
        }
    }
    eprintln!("{target}: {} inputs, the slowest {:?} ({})", files.len(), slowest.0, slowest.1.display());
}

#[test]
fn rule_text_corpus() {
    replay("rule_text");
}

#[test]
fn facts_corpus() {
    replay("facts");
}

#[test]
fn structured_corpus() {
    replay("structured");
}

#[test]
fn api_json_corpus() {
    replay("api_json");
}

#[test]
fn program_corpus() {
    replay("program");
}

#[test]
fn bundle_corpus() {
    replay("bundle");
}

#[test]
fn differential_corpus() {
    replay("differential");
}

#[test]
fn format_corpus() {
    replay("format");
}

// ───────────────────────────── what the fuzzers found ─────────────────────────────

/// Found by `structured` (fuzz/regressions/structured/add-days-overflow): moving a date by a
/// number of days near i64's end overflowed inside the calendar arithmetic, a panic in a build
/// with overflow checks (the tests) and a silently wrapped number in one without (the page). Now
/// the policy is an error: the date falls outside the years 1 to 9999.
#[test]
fn adding_days_beyond_the_calendar() {
    let rules = r#"
input born: date label "出生日期" en "Date of birth"
policy p "p" en "p"
  require day(add_days(born, 9223372036854775807)) > 0 "l" en "l"
policy q "q" en "q"
  require add_days(born, -9223372036854775807) < today "l" en "l"
policy r "r" en "r"
  require add_days(born, 3000000) > today "l" en "l"
"#;
    let engine = eligo::Engine::compile(&[("t.rules", rules)]).expect("compiles");
    let report = eligo::ffi::evaluate(
        &engine,
        &serde_json::json!({"born": "2000-01-01"}),
        "2025-03-01",
        eligo::ffi::options(Some("en"), false),
    )
    .expect("evaluates");
    for policy in &report.policies {
        assert_eq!(policy.status, eligo::vocabulary::Status::Error, "{policy:?}");
        let message = &policy.error.as_ref().expect("an error").message;
        assert!(message.contains("outside the years 1 to 9999"), "{message}");
    }
}

/// Found by `structured` (its monotonicity check): `or` and `and` looked at their left side
/// first, so an error there was the answer even when the right side settled it, while the same
/// error on the right was settled by the left: `t(x) or true` was an error and `true or t(x)`
/// true. The order of the operands now never matters, and an error is settled by the other side
/// as an unknown is; so are `any`/`all` by one item, and `if` by branches that agree.
#[test]
fn an_error_is_settled_like_an_unknown() {
    let rules = r#"
record member label "成员" en "Member"
  field age: int label "年龄" en "Age"
input x: int label "x" en "x"
input household: list of member label "家庭" en "Household"
table t(k: int) -> bool
  1 => true
policy left_or "p" en "p"
  require t(x) or true "l" en "l"
policy right_or "p" en "p"
  require true or t(x) "l" en "l"
policy left_and "p" en "p"
  require t(x) and false "l" en "l"
policy right_and "p" en "p"
  require false and t(x) "l" en "l"
policy any_item "p" en "p"
  require any(household, t(age) or age > 60) "l" en "l"
policy all_items "p" en "p"
  require all(household, t(age) and age < 60) "l" en "l"
policy both_branches "p" en "p"
  require if t(x) then true else true "l" en "l"
policy still_an_error "p" en "p"
  require t(x) or false "l" en "l"
input y: int label "y" en "y"
policy or_unknown "p" en "p"
  require t(x) or y > 1 "l" en "l"
policy if_unknown "p" en "p"
  require if y > 1 then t(x) else true "l" en "l"
policy in_unknown "p" en "p"
  require true in [t(x), y > 1] "l" en "l"
policy any_unknown "p" en "p"
  require any(household, t(age) or age > y) "l" en "l"
policy conditions_unknown "p" en "p"
  require y > 1 "l" en "l"
  require t(x) "l" en "l"
policy branches_may_agree "p" en "p"
  require if t(x) then true else y > 1 "l" en "l"
"#;
    let engine = eligo::Engine::compile(&[("t.rules", rules)]).expect("compiles");
    let data = serde_json::json!({"x": 2, "household": [{"age": 2}, {"age": 70}]});
    let report =
        eligo::ffi::evaluate(&engine, &data, "2025-03-01", eligo::ffi::options(Some("en"), false)).expect("evaluates");
    let status = |id: &str| report.policies.iter().find(|p| p.id == id).map(|p| p.status).expect("a policy");
    use eligo::vocabulary::Status::*;
    for (id, expected) in [
        ("left_or", Eligible),
        ("right_or", Eligible),
        ("left_and", Ineligible),
        ("right_and", Ineligible),
        ("any_item", Eligible),
        ("all_items", Ineligible),
        ("both_branches", Eligible),
        ("still_an_error", Error),
        // An error that a missing fact could still settle is not yet an error: undetermined,
        // asking for that fact.
        ("or_unknown", Undetermined),
        ("if_unknown", Undetermined),
        ("in_unknown", Undetermined),
        ("any_unknown", Undetermined),
        ("conditions_unknown", Undetermined),
        // Found by `structured` (fuzz/regressions/structured/if-error-with-branches-that-may-agree).
        ("branches_may_agree", Undetermined),
    ] {
        assert_eq!(status(id), expected, "{id}");
    }
    for id in ["or_unknown", "if_unknown", "in_unknown", "any_unknown", "conditions_unknown", "branches_may_agree"] {
        let missing = &report.policies.iter().find(|p| p.id == id).expect("a policy").missing;
        assert_eq!(missing, &["y"], "{id}");
    }
}

/// Found by `structured` (its monotonicity check; fuzz/regressions/structured/
/// excluder-error-avoidable): a policy whose amount was `if i1 then <fails> else 1450元`, with
/// `i1` missing, was an error, so the policy it excludes was granted; given `i1 = false`, the
/// amount is 1450 and the other policy is excluded. A fact given changed a settled answer. The
/// amount is now unknown until `i1` is given, and so is the excluded policy.
#[test]
fn an_avoidable_error_does_not_settle_an_exclusion() {
    let rules = r#"
input i1: bool label "i1" en "i1"
param p1: int = 1_000 from 2021-09-01 until 2022-12-31 label "p1" en "p1"
policy a "a" en "a"
  require true "l" en "l"
  amount yearly = if i1 then 3600元 * p1 else 1450元
  excludes b
policy b "b" en "b"
  require true "l" en "l"
"#;
    let engine = eligo::Engine::compile(&[("t.rules", rules)]).expect("compiles");
    let evaluate = |data: serde_json::Value| {
        let report = eligo::ffi::evaluate(&engine, &data, "2025-02-28", eligo::ffi::options(Some("en"), false))
            .expect("evaluates");
        report.policies.iter().map(|p| (p.id.clone(), p.status)).collect::<Vec<_>>()
    };
    use eligo::vocabulary::Status::*;
    assert_eq!(evaluate(serde_json::json!({})), [("a".into(), Undetermined), ("b".into(), Undetermined)]);
    assert_eq!(evaluate(serde_json::json!({"i1": false})), [("a".into(), Eligible), ("b".into(), Ineligible)]);
    assert_eq!(evaluate(serde_json::json!({"i1": true})), [("a".into(), Error), ("b".into(), Eligible)]);
}
