//! Native benchmarks: compiling rule sets and evaluating citizens.
//! Run: `cargo bench --bench engine`. Figures go in docs/performance.md and closing notes.

use divan::{black_box, Bencher};
use eligo::date::Date;
use eligo::{ffi::options, Engine};
use std::path::Path;

fn main() {
    divan::main();
}

/// Every .rules file under rules/, as (name, text).
fn rule_files() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rules") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"), &mut files);
    files
}

/// A synthetic rule set of about `lines` lines: policies with conditions, a table, parameters.
fn synthetic_rules(lines: usize) -> String {
    let mut text = String::from(
        "ruleset synthetic \"合成规则\" en \"Synthetic\"\n\
         input birth_date: date label \"出生日期\" en \"Date of birth\"\n\
         input hukou: text label \"户籍\" en \"Hukou\"\n\
         input income: money label \"月收入\" en \"Monthly income\"\n\
         let 年龄 = age(birth_date, today) label \"年龄\" en \"Age\"\n",
    );
    let mut i = 0;
    while text.lines().count() < lines {
        text.push_str(&format!(
            "param 标准{i}: money = 1450 from 2024-07-01, 1320 from 2022-07-01 label \"标准\" en \"Standard\"\n\
             table 津贴{i}(年龄: int) -> money label \"津贴\" en \"Allowance\"\n  60..69 => 75\n  70..79 => 150\n  80..89 => 180\n  90..  => 350\n\
             policy p{i} \"政策{i}\" en \"Policy {i}\"\n  source \"文号{i}\"\n  effective from 2016-04-01\n\
             \x20 require hukou == \"上海\" \"具有本市户籍\" en \"Shanghai hukou\"\n\
             \x20 require 年龄 >= 60 \"年满60周岁\" en \"Aged 60 or over\"\n\
             \x20 require income < 标准{i} * 1.5 \"收入低于标准\" en \"Income below the standard\"\n\
             \x20 unless income > 100000 \"高收入除外\" en \"Not for high incomes\"\n\
             \x20 amount monthly = 津贴{i}(年龄)\n\
             \x20 exception \"百岁\" en \"Centenarian\" when 年龄 >= 100 then amount = 600\n\
             example \"e{i}\" on 2025-03-01\n  given birth_date = 1950-01-01, hukou = \"上海\", income = 1000\n  expect p{i} eligible, amount = 150\n"
        ));
        i += 1;
    }
    text
}

#[divan::bench]
fn check_2000_line_rule_set(bencher: Bencher) {
    let text = synthetic_rules(2000);
    bencher.bench_local(|| eligo::check(&[("synthetic.rules", black_box(&text))]));
}

#[divan::bench]
fn compile_rules_folder(bencher: Bencher) {
    let files = rule_files();
    bencher.bench_local(|| Engine::compile(black_box(&files)).is_ok());
}

/// A demo profile (a disabled adult in a 低保 household: most policies have something to decide),
/// born on `birth`.
fn citizen(birth: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/profiles/disabled_adult_dibao.json");
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_default();
    data["birth_date"] = serde_json::Value::from(birth);
    data
}

#[divan::bench]
fn evaluate_one_citizen_decisions(bencher: Bencher) {
    let engine = Engine::compile(&rule_files()).unwrap_or_else(|e| panic!("{}", e.message));
    let facts = eligo::facts::from_json(engine.program(), &citizen("1955-06-01")).unwrap_or_else(|e| panic!("{e:?}"));
    let date = Date::parse("2025-03-01").unwrap_or(Date::EPOCH);
    bencher.bench_local(|| eligo::eval::decide(engine.program(), black_box(&facts.values), date));
}

#[divan::bench(args = [false, true])]
fn evaluate_one_citizen_report(bencher: Bencher, trace: bool) {
    let engine = Engine::compile(&rule_files()).unwrap_or_else(|e| panic!("{}", e.message));
    let data = citizen("1955-06-01");
    bencher.bench_local(|| {
        eligo::ffi::evaluate(&engine, black_box(&data), "2025-03-01", options(Some("zh"), trace)).is_ok()
    });
}

#[divan::bench(sample_count = 10)]
fn evaluate_10000_citizens(bencher: Bencher) {
    let engine = Engine::compile(&rule_files()).unwrap_or_else(|e| panic!("{}", e.message));
    let date = Date::parse("2025-03-01").unwrap_or(Date::EPOCH);
    let facts: Vec<_> = (0..10_000)
        .map(|i| {
            let birth = format!("{}-{:02}-{:02}", 1920 + i % 90, 1 + i % 12, 1 + i % 28);
            eligo::facts::from_json(engine.program(), &citizen(&birth)).map(|f| f.values).unwrap_or_default()
        })
        .collect();
    bencher.bench_local(|| {
        for values in &facts {
            black_box(eligo::eval::decide(engine.program(), values, date));
        }
    });
}

/// The rule of the side-by-side comparison (bench/compare.mjs), natively: what the wasm module
/// costs beyond the rules themselves is the difference.
const COMPARISON_RULE: &str = include_str!("../bench/benefit.rules");

#[divan::bench]
fn comparison_rule_decide_from_json(bencher: Bencher) {
    let engine = Engine::compile(&[("benefit.rules", COMPARISON_RULE)]).unwrap_or_else(|e| panic!("{}", e.message));
    let data = serde_json::json!({ "age": 67, "income": 2100, "residency": "SH", "household_size": 3, "already_receiving": false });
    bencher.bench_local(|| eligo::ffi::decide(&engine, black_box(&data), "2025-03-01").map(|d| d.len()));
}

/// Statuses and amounts only (`Depth::Lean`), into a reused vector: what the WebAssembly decider
/// runs for each record.
#[divan::bench]
fn comparison_rule_decide_lean(bencher: Bencher) {
    let engine = Engine::compile(&[("benefit.rules", COMPARISON_RULE)]).unwrap_or_else(|e| panic!("{}", e.message));
    let data = serde_json::json!({ "age": 67, "income": 2100, "residency": "SH", "household_size": 3, "already_receiving": false });
    let facts = eligo::facts::from_json(engine.program(), &data).unwrap_or_else(|e| panic!("{e:?}"));
    let on = eligo::eval::OnDate::new(engine.program(), Date::parse("2025-03-01").unwrap_or(Date::EPOCH));
    let mut outcomes = Vec::new();
    bencher.bench_local(|| {
        eligo::eval::decide_into(
            engine.program(),
            &on,
            black_box(&facts.values),
            eligo::eval::Depth::Lean,
            &mut outcomes,
        )
    });
}

#[divan::bench]
fn comparison_rule_decide_only(bencher: Bencher) {
    let engine = Engine::compile(&[("benefit.rules", COMPARISON_RULE)]).unwrap_or_else(|e| panic!("{}", e.message));
    let data = serde_json::json!({ "age": 67, "income": 2100, "residency": "SH", "household_size": 3, "already_receiving": false });
    let facts = eligo::facts::from_json(engine.program(), &data).unwrap_or_else(|e| panic!("{e:?}"));
    let date = Date::parse("2025-03-01").unwrap_or(Date::EPOCH);
    bencher.bench_local(|| eligo::eval::decide(engine.program(), black_box(&facts.values), date));
}
