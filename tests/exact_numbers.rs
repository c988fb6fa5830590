//! Numbers are exact until a rule rounds them (docs/language.md, "Exact numbers"): against the
//! class of defect, not one input.
//!
//! - Arithmetic: the laws of the rationals — `(a/b)·b = a`, `(a+b)−b = a`, `a·(b/c) = (a·b)/c`,
//!   distributivity, sums of thirds — hold for random decimals, and comparisons, table bands,
//!   `min`/`max`, `round` and money shown at the fen agree with fractions computed here in `i128`;
//!   through rule text, by the full report and by the lean decisions, and by a program loaded
//!   from its precompiled bytes. The two examples of issue #13 are named tests.
//! - Reading: every JSON notation of one value (exponents in either case and with either sign,
//!   leading `0.`, trailing zeros, `-0`) reads to that exact value; a value no decimal holds
//!   (beyond ±79,228,162,514,264,337,593,543,950,335 or past 28 places) is refused, named, with
//!   the range, never rounded.
//! - Limits: a result beyond what can be computed exactly is an `Overflow` error, and more than 28
//!   places for `round` an error, never a wrong answer.

use eligo::date::Date;
use eligo::report::Report;
use eligo::vocabulary::Status;
use eligo::{ffi::options, Engine, EvaluateError};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const DATE: &str = "2025-06-01";

fn compile(rules: &str) -> Engine {
    Engine::compile(&[("t.rules", rules)]).unwrap_or_else(|e| panic!("the rules do not compile: {}", e.message))
}

/// The compiled engine and the same program loaded from its precompiled bytes.
fn engines(rules: &str) -> [Engine; 2] {
    let compiled = compile(rules);
    let loaded = Engine::load(&compiled.to_bytes(), &eligo::Trust::development())
        .unwrap_or_else(|e| panic!("the program does not load: {e}"));
    [compiled, loaded]
}

fn report(engine: &Engine, data: &Value) -> Report {
    eligo::ffi::evaluate(engine, data, DATE, options(Some("en"), false)).unwrap_or_else(|e| panic!("{e:?} for {data}"))
}

/// Each policy's status and amount (or error), from the full report and from the lean decisions,
/// which must agree: `(id, status, amount)`.
fn decisions(engine: &Engine, data: &Value) -> Vec<(String, Status, Option<String>)> {
    let full = report(engine, data);
    let facts = engine.facts(data).unwrap_or_else(|e| panic!("{e:?}"));
    let date = Date::parse(DATE).unwrap();
    let lean = engine.decide(&facts, date);
    assert_eq!(lean.len(), full.policies.len());
    full.policies
        .iter()
        .zip(lean)
        .map(|(policy, decision)| {
            let amount = policy.outputs.get("amount").map(|a| a.to_string());
            let shown = amount.clone().filter(|_| policy.status == Status::Eligible);
            assert_eq!((decision.id, decision.status, decision.amount), (policy.id.as_str(), policy.status, shown));
            (policy.id.clone(), policy.status, amount)
        })
        .collect()
}

/// One output of one policy, as the report's JSON writes it.
fn output(report: &Report, id: &str, name: &str) -> Value {
    let policy = report.policies.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no policy {id}"));
    match policy.outputs.get(name) {
        Some(value) => serde_json::to_value(value).unwrap(),
        None => panic!("{id} has no {name}: {policy:?}"),
    }
}

fn error_message(report: &Report, id: &str) -> String {
    let policy = report.policies.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no policy {id}"));
    assert_eq!(policy.status, Status::Error, "{policy:?}");
    policy.error.as_ref().map(|e| e.message.clone()).unwrap_or_default()
}

// ───────────────────────────── Issue #13 ─────────────────────────────

const ISSUE: &str = r#"
input x: decimal label "数" en "X"
policy a_third_back "三分之一" en "A third"
  require (1450 - 1000 / 3) * 3 == 3350 "(1450 − 1000/3) × 3 = 3350" en "(1450 − 1000/3) × 3 = 3350"
  output value = (1450 - 1000 / 3) * 3
policy divide_multiply "除三乘三" en "Divide by 3, multiply by 3"
  require x / 3 * 3 == x "x ÷ 3 × 3 = x" en "x / 3 * 3 = x"
"#;

#[test]
fn issue_13_1450_minus_a_third_of_1000_times_3_is_3350() {
    for engine in engines(ISSUE) {
        let report = report(&engine, &json!({ "x": 1 }));
        assert_eq!(output(&report, "a_third_back", "value"), json!("3350"));
        let statuses: Vec<Status> = decisions(&engine, &json!({ "x": 1 })).into_iter().map(|d| d.1).collect();
        assert_eq!(statuses[0], Status::Eligible);
    }
}

#[test]
fn issue_13_x_divided_by_3_times_3_is_x() {
    for engine in engines(ISSUE) {
        for x in [json!(1), json!("0.1"), json!(-7), json!("79228162514264337593543950335"), json!(1e-28)] {
            let found = decisions(&engine, &json!({ "x": x }));
            assert_eq!(found[1].1, Status::Eligible, "x = {x}");
        }
    }
}

// ───────────────────────────── The laws, on random decimals ─────────────────────────────

const LAWS: &str = r#"
record item label "项" en "Item"
  field v: decimal label "值" en "Value"
input a: decimal label "甲" en "A"
input b: decimal label "乙" en "B"
input c: decimal label "丙" en "C"
input m: money label "钱" en "M"
input items: list of item label "各项" en "Items"

table band(x: decimal) -> int label "档" en "Band"
  ..<0.5 => 1
  0.5..  => 2

policy div_mul "除后乘回" en "Divide, multiply back"
  require a / b * b == a "(甲÷乙)×乙=甲" en "(a/b)*b = a"
  require a / b / c * c * b == a "甲÷乙÷丙×丙×乙=甲" en "a/b/c*c*b = a"
policy add_sub "加后减回" en "Add, subtract back"
  require a / c + b / c - b / c == a / c "加减" en "a/c + b/c - b/c = a/c"
policy associative "乘除结合" en "Multiply and divide in either order"
  require a * (b / c) == a * b / c "结合" en "a*(b/c) = (a*b)/c"
policy distributive "分配律" en "Distributivity"
  require a * (b / c + 1 / 3) == a * b / c + a / 3 "分配" en "a*(b/c + 1/3) = a*b/c + a/3"
  require (a + b) / c == a / c + b / c "分配" en "(a+b)/c = a/c + b/c"
policy sum_of_thirds "三分之一之和" en "A sum of thirds"
  require sum(items, v / 3) * 3 == sum(items, v) "和" en "sum(v/3)*3 = sum(v)"
policy extremes "最值" en "Min and max"
  require min(a / b, c / 7) <= a / b and (min(a / b, c / 7) <= c / 7) "最小" en "min"
  require max(a / b, c / 7) >= a / b and (max(a / b, c / 7) >= c / 7) "最大" en "max"
  require min(a / b, c / 7) == a / b or (min(a / b, c / 7) == c / 7) "最小之一" en "min is one"
policy less "小于" en "Less"
  require a / b < c / 7 "甲÷乙<丙÷7" en "a/b < c/7"
policy banded "档" en "Band"
  output band = band(a / b)
policy rounded "取整" en "Rounded"
  output r = round(a / b, 2)
  output floored = floor(a / b, 3)
  output ceiled = ceil(a / b, 3)
policy share "份额" en "Share"
  output part = m / b
policy rate "费率" en "Rate"
  require m * 30% / 3 * 3 == m * 0.3 "费率" en "m*30%/3*3 = m*0.3"
"#;

/// `mantissa / 10^scale` as a reduced fraction.
fn fraction(mantissa: i64, scale: u32) -> (i128, i128) {
    reduce(i128::from(mantissa), 10i128.pow(scale))
}

fn reduce(num: i128, den: i128) -> (i128, i128) {
    let (mut x, mut y) = (num.unsigned_abs(), den.unsigned_abs());
    while y != 0 {
        (x, y) = (y, x % y);
    }
    let g = x.max(1) as i128;
    let sign = if den < 0 { -1 } else { 1 };
    (sign * num / g, sign * den / g)
}

fn divide((a, b): (i128, i128), (c, d): (i128, i128)) -> (i128, i128) {
    reduce(a * d, b * c)
}

fn less((a, b): (i128, i128), (c, d): (i128, i128)) -> bool {
    a * d < c * b
}

/// `num/den` at `places` places, rounded half away from zero, floor or ceiling, as the report
/// writes a decimal.
fn rounded((num, den): (i128, i128), places: u32, how: Rounding) -> String {
    let scaled = num * 10i128.pow(places);
    let (q, r) = (scaled.div_euclid(den), scaled.rem_euclid(den));
    let q = match how {
        Rounding::Floor => q,
        Rounding::Ceil => q + i128::from(r != 0),
        // Half away from zero: for a negative value, the floor's half goes down.
        Rounding::HalfUp if num < 0 => q + i128::from(2 * r > den),
        Rounding::HalfUp => q + i128::from(2 * r >= den),
    };
    Decimal::from_i128_with_scale(q, places).normalize().to_string()
}

#[derive(Clone, Copy)]
enum Rounding {
    HalfUp,
    Floor,
    Ceil,
}

/// A decimal's text: `mantissa / 10^scale`.
fn text(mantissa: i64, scale: u32) -> String {
    Decimal::new(mantissa, scale).to_string()
}

fn nonzero() -> impl Strategy<Value = i64> {
    (-1_000_000_000i64..1_000_000_000).prop_filter("not zero", |n| *n != 0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_laws_of_the_rationals_hold(
        a in -1_000_000_000i64..1_000_000_000, sa in 0u32..5,
        b in nonzero(), sb in 0u32..5,
        c in nonzero(), sc in 0u32..5,
        m in 0i64..100_000_000,
        items in prop::collection::vec((-1_000_000i64..1_000_000, 0u32..4), 0..6),
    ) {
        let data = json!({
            "a": text(a, sa), "b": text(b, sb), "c": text(c, sc), "m": text(m, 2),
            "items": items.iter().map(|&(v, s)| json!({ "v": text(v, s) })).collect::<Vec<_>>(),
        });
        let (x, y, z, money) = (fraction(a, sa), fraction(b, sb), fraction(c, sc), fraction(m, 2));
        let quotient = divide(x, y);
        let expected_less = less(quotient, divide(z, (7, 1)));
        for engine in engines(LAWS) {
            let found = decisions(&engine, &data);
            let status = |id: &str| found.iter().find(|d| d.0 == id).map(|d| d.1);
            for law in ["div_mul", "add_sub", "associative", "distributive", "sum_of_thirds", "extremes", "rate"] {
                prop_assert_eq!(status(law), Some(Status::Eligible), "{} for {}", law, data);
            }
            let less_status = if expected_less { Status::Eligible } else { Status::Ineligible };
            prop_assert_eq!(status("less"), Some(less_status), "a/b < c/7 for {}", data);
            let report = report(&engine, &data);
            let band = if less(quotient, (1, 2)) { 1 } else { 2 };
            prop_assert_eq!(output(&report, "banded", "band"), json!(band));
            prop_assert_eq!(output(&report, "rounded", "r"), json!(rounded(quotient, 2, Rounding::HalfUp)));
            prop_assert_eq!(output(&report, "rounded", "floored"), json!(rounded(quotient, 3, Rounding::Floor)));
            prop_assert_eq!(output(&report, "rounded", "ceiled"), json!(rounded(quotient, 3, Rounding::Ceil)));
            // Money is shown at the fen, rounded half-up from the exact share.
            let share = rounded(divide(money, y), 2, Rounding::HalfUp);
            let share = format!("{:.2}", share.parse::<Decimal>().unwrap());
            prop_assert_eq!(output(&report, "share", "part"), json!(share));
        }
    }

    #[test]
    fn every_notation_of_a_value_reads_to_it(mantissa in any::<i64>(), scale in 0u32..=28, zeros in 0u32..4) {
        let expected = Decimal::new(mantissa, scale).normalize().to_string();
        let (sign, digits) = if mantissa < 0 { ("-", mantissa.unsigned_abs().to_string()) } else { ("", mantissa.to_string()) };
        let padded = format!("{digits}{}", "0".repeat(zeros as usize));
        let shifted = i64::from(scale) + i64::from(zeros);
        let point = digits.len() as i64 - i64::from(scale);
        let big_e = if point >= 0 { format!("E+{point}") } else { format!("E{point}") };
        let notations = [
            Decimal::new(mantissa, scale).to_string(),
            format!("{sign}{digits}e-{scale}"),
            format!("{sign}{digits}E-{scale}"),
            format!("{sign}{padded}e-{shifted}"),
            format!("{sign}0.{digits}e{point}"),
            format!("{sign}0.{digits}{big_e}"),
            format!("{sign}0.{}{digits}e{}", "0".repeat(zeros as usize), point + i64::from(zeros)),
        ];
        let engine = compile(ECHO);
        for notation in notations {
            let data = eligo::json::parse(&format!(r#"{{"d": {notation}}}"#)).unwrap_or_else(|e| panic!("{notation}: {e:?}"));
            let report = report(&engine, &data);
            prop_assert_eq!(output(&report, "echo", "d"), json!(expected.clone()), "{}", notation);
        }
    }
}

const ECHO: &str = r#"
input d: decimal label "数" en "D"
input n: int label "整数" en "N"
policy echo "原样" en "Echo"
  output d = d
policy whole "整数" en "Whole"
  output n = n
"#;

/// The facts reader's problems for a data text.
fn problems(text: &str) -> Vec<(String, String)> {
    let data = eligo::json::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    match compile(ECHO).facts(&data) {
        Err(EvaluateError::InvalidFacts { problems, .. }) => {
            problems.into_iter().map(|p| (p.path, p.message)).collect()
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => Vec::new(),
    }
}

#[test]
fn the_notations_of_the_issue_read_exactly() {
    let engine = compile(ECHO);
    let read = |number: &str| {
        let data = eligo::json::parse(&format!(r#"{{"d": {number}}}"#)).unwrap();
        output(&report(&engine, &data), "echo", "d")
    };
    assert_eq!(read("1e16"), json!("10000000000000000"));
    assert_eq!(read("1e-7"), json!("0.0000001"));
    assert_eq!(read("1E+2"), json!("100"));
    assert_eq!(read("-0"), json!("0"));
    assert_eq!(read("0.5"), json!("0.5"));
    assert_eq!(read("1e-28"), json!("0.0000000000000000000000000001"));
    assert_eq!(read("12345e-2"), json!("123.45"));
    assert_eq!(read("0.1e1"), json!("1"));
    assert_eq!(read("0e999999999999999999999"), json!("0"));
    assert_eq!(read("79228162514264337593543950335"), json!("79228162514264337593543950335"));
    assert_eq!(read("7.9228162514264337593543950335e28"), json!("79228162514264337593543950335"));
    // More digits than an f64 holds: read as written, not as the float nearest to them.
    assert_eq!(read("0.1000000000000000055511151231"), json!("0.1000000000000000055511151231"));
    // A whole number in another notation is the int it equals.
    let whole = |number: &str| {
        let data = eligo::json::parse(&format!(r#"{{"n": {number}}}"#)).unwrap();
        output(&report(&engine, &data), "whole", "n")
    };
    assert_eq!(whole("1e3"), json!(1000));
    assert_eq!(whole("1.5e1"), json!(15));
    assert_eq!(whole("-0.0"), json!(0));
    assert_eq!(whole("9223372036854775807.0"), json!(i64::MAX));
}

#[test]
fn a_number_no_decimal_holds_is_refused_with_its_value_and_the_range() {
    for number in [
        "1e29",
        "-1e29",
        "79228162514264337593543950336",
        "1e-29",
        "0.00000000000000000000000000001",
        "1.00000000000000000000000000001",
        "1e400",
        "1e99999999999999999999999",
        "-1e-99999999999999999999999",
    ] {
        let found = problems(&format!(r#"{{"d": {number}}}"#));
        assert_eq!(found.len(), 1, "{number}: {found:?}");
        let (path, message) = &found[0];
        assert_eq!(path, "d");
        assert!(message.contains("±79,228,162,514,264,337,593,543,950,335"), "{message}");
        assert!(message.contains("at most 28 decimal places"), "{message}");
        assert!(message.contains("it is not rounded"), "{message}");
        // The value as read (serde_json writes an exponent as `e+`).
        let shown = serde_json::from_str::<Value>(number).unwrap().to_string();
        assert!(message.ends_with(&format!("got {shown}")), "{message}");
    }
    // A whole number too large for an int is refused, not rounded either.
    assert_eq!(problems(r#"{"n": 1e19}"#)[0].1, "expected a whole number, got 1e+19");
    assert_eq!(problems(r#"{"n": 9223372036854775808}"#)[0].1, "expected a whole number, got 9223372036854775808");
}

// ───────────────────────────── Limits: errors, not wrong answers ─────────────────────────────

const LIMITS: &str = r#"
input d: decimal label "数" en "D"
input p: int label "位数" en "Places"
policy tiny "极小" en "Tiny"
  output t = d / 1000000007 / 1000000009 / 1000000021 / 1000000033 / 1000000087
policy huge "极大" en "Huge"
  output h = d * d
policy beyond "超出范围" en "Beyond the range"
  output e = d + 0.5
policy places "位数" en "Places"
  output r = round(d / 3, p)
policy comparisons "比较" en "Comparisons"
  require 1 / 3 > 0.3333333333333333333333333333 "1/3 大于 28 位的 0.333…" en "1/3 > 0.333… at 28 places"
  require 2 / 3 < 0.6666666666666666666666666667 "2/3 小于 28 位的 0.666…7" en "2/3 < 0.666…7 at 28 places"
  require 1 / 3 + 1 / 3 + 1 / 3 == 1 "三个三分之一" en "Three thirds"
  require 0.0000000000000001 * 0.0000000000000001 * 10000000000000000 == 0.0000000000000001 "积" en "Product past 28 places"
  require 0.0000000000000000000000000001 * 0.5 * 2 == 0.0000000000000000000000000001 "半" en "Half of the smallest decimal"
  require 0.0000000000000000000000000001 * 0.5 > 0 "半为正" en "Half of the smallest is above 0"
"#;

#[test]
fn results_beyond_exact_computation_are_errors() {
    for engine in engines(LIMITS) {
        let report = report(&engine, &json!({ "d": "100000000000000000000", "p": 29 }));
        // 1e20 over a denominator beyond i128: not rounded to 0.
        assert_eq!(error_message(&report, "tiny"), "a number grew too large to compute exactly");
        assert_eq!(error_message(&report, "huge"), "a number grew too large to compute exactly");
        assert_eq!(error_message(&report, "places"), "decimal places must be between 0 and 28");
        let report = self::report(&engine, &json!({ "d": "79228162514264337593543950335" }));
        assert_eq!(error_message(&report, "beyond"), "a number grew too large to compute exactly");
        let report_ok = self::report(&engine, &json!({ "d": "1", "p": 28 }));
        assert_eq!(output(&report_ok, "places", "r"), json!("0.3333333333333333333333333333"));
        let statuses = decisions(&engine, &json!({ "d": "1", "p": 28 }));
        assert_eq!(statuses.iter().find(|d| d.0 == "comparisons").map(|d| d.1), Some(Status::Eligible));
    }
}

/// Every output a report shows is computed or the policy is an error: `payable` too (found by the
/// differential run: a fee and a share whose product has a denominator beyond `i128` left the
/// payable out of an eligible policy's report). Full and lean alike.
#[test]
fn a_payable_beyond_exact_computation_is_an_error_never_left_out() {
    const RULES: &str = r#"
input f: money label "费" en "F"
param big: money = 99999999999999999999元 label "大" en "Big"
policy p "费用" en "Fee"
  require true "l" en "l"
  fee = f / big
  waiver = f / big
"#;
    for engine in engines(RULES) {
        let report = report(&engine, &json!({ "f": "1450.50" }));
        assert_eq!(error_message(&report, "p"), "a number grew too large to compute exactly");
        assert_eq!(decisions(&engine, &json!({ "f": "1450.50" }))[0].1, Status::Error);
        // The same rules with a payable that fits: shown.
        let report = self::report(&engine, &json!({ "f": "0" }));
        assert_eq!(output(&report, "p", "payable"), json!("0.00"));
    }
}

#[test]
fn a_value_with_no_finite_decimal_is_printed_rounded_half_up() {
    const RULES: &str = r#"
input m: money label "钱" en "M"
policy shown "显示" en "Shown"
  output third = 1000 / 3
  output two_thirds = -2 / 3
  amount monthly = m / 3
"#;
    for engine in engines(RULES) {
        let report = report(&engine, &json!({ "m": "1000" }));
        // As many places as a decimal holds for the value (28 at most), half-up.
        assert_eq!(output(&report, "shown", "third"), json!("333.33333333333333333333333333"));
        assert_eq!(output(&report, "shown", "two_thirds"), json!("-0.6666666666666666666666666667"));
        assert_eq!(output(&report, "shown", "amount"), json!("333.33"));
        let report = self::report(&engine, &json!({ "m": "2000" }));
        assert_eq!(output(&report, "shown", "amount"), json!("666.67"));
    }
}
