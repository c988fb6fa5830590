//! Precompiled programs (`eligo::precompiled`): a program loaded from bytes gives exactly the
//! reports of the program compiled from the rules, and bytes that are not such a program (of
//! another version, damaged, truncated, crafted) give a `LoadError`, never a panic.

use eligo::precompiled::{self, from_bytes, to_bytes};
use eligo::program::{ExprKind, Program};
use eligo::{ffi::options, Engine};
use serde_json::{json, Value as Json};
mod common;

use common::{root, rule_files};
use std::path::PathBuf;

fn compile(files: &[(String, String)]) -> Engine {
    Engine::compile(files).unwrap_or_else(|e| panic!("the rules do not compile: {}", e.message))
}

fn load(engine: &Engine) -> Engine {
    Engine::load(&engine.to_bytes(), &eligo::Trust::development())
        .unwrap_or_else(|e| panic!("the precompiled program does not load: {e}"))
}

/// The full report, with and without its trace, in Chinese and English, as JSON.
fn reports(engine: &Engine, data: &Json, date: &str) -> Vec<Json> {
    let mut all = Vec::new();
    for lang in ["zh", "en"] {
        for trace in [false, true] {
            let report = eligo::ffi::evaluate(engine, data, date, options(Some(lang), trace));
            all.push(match report {
                Ok(report) => serde_json::to_value(report).expect("a report is JSON"),
                Err(error) => serde_json::to_value(error).expect("an error is JSON"),
            });
        }
    }
    all
}

/// The loaded engine answers as the compiled one: every example's citizen, the empty citizen,
/// and `extra` citizens; the schema and the policies; and it stores the same bytes again.
fn assert_same(compiled: &Engine, loaded: &Engine, extra: &[Json]) {
    assert!(!compiled.examples().is_empty(), "the rules have examples to compare with");
    assert!(loaded.examples().is_empty(), "examples are not stored");
    for example in compiled.examples() {
        for lang in [Some("zh"), Some("en")] {
            for trace in [false, true] {
                let run = |program: &Program| {
                    let report = eligo::eval::evaluate(program, &example.facts, example.date, options(lang, trace));
                    serde_json::to_value(report).expect("a report is JSON")
                };
                assert_eq!(run(compiled.program()), run(loaded.program()), "example {}", example.name);
            }
        }
    }
    for data in std::iter::once(&json!({})).chain(extra) {
        for date in ["2025-09-01", "2019-01-01"] {
            assert_eq!(reports(compiled, data, date), reports(loaded, data, date), "{data} on {date}");
        }
    }
    assert_eq!(compiled.schema(), loaded.schema());
    assert_eq!(compiled.policies(), loaded.policies());
    assert_eq!(compiled.to_bytes(), loaded.to_bytes(), "stored again, the program is the same bytes");
}

#[test]
fn the_rule_set_loads_with_the_same_reports_for_every_profile() {
    let compiled = compile(&rule_files(&root().join("rules")));
    let loaded = load(&compiled);
    let mut profiles: Vec<PathBuf> = std::fs::read_dir(root().join("rules/profiles"))
        .expect("rules/profiles")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    profiles.sort();
    assert!(profiles.len() >= 8, "the demo profiles: {profiles:?}");
    let citizens: Vec<Json> = profiles
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("a profile")).expect("a JSON profile"))
        .collect();
    assert_same(&compiled, &loaded, &citizens);
}

#[test]
fn each_valid_fixture_loads_with_the_same_reports() {
    let dir = root().join("tests/fixtures/valid");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("the fixtures").map(|e| e.expect("a file").path()).collect();
    files.sort();
    for path in files {
        let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
        let compiled = compile(&[(name.clone(), std::fs::read_to_string(&path).expect("a UTF-8 fixture"))]);
        assert_same(&compiled, &load(&compiled), &[]);
    }
}

/// A small rule set with every kind of declaration: records and lists, an enumeration, a dated
/// parameter, definitions that read definitions and tables, both kinds of table, exceptions,
/// fees, `excludes` and a group.
const SMALL: &str = r#"
ruleset small "小" en "Small"
record member label "成员" en "Member"
  field income: money label "收入" en "Income" min 0
input household: list of member label "家庭" en "Household"
input kind: one of "甲" en "a", "乙" en "b" label "类别" en "Kind"
input age: int label "年龄" en "Age" min 0 max 150
input born: date label "出生日期" en "Born"
input poor: bool label "困难" en "Poor"
param standard: money = 1510 from 2025-07-01, 1420 from 2023-07-01 until 2025-06-30 label "标准" en "Standard"
let total: money = sum(household, income) label "总收入" en "Total income"
let people = count(household)
let per_person: money = if people > 0 then total / people else 0元
let band_of = band(age)
table band(a: int) -> int
  label "档" en "Band"
  ..59 => 0
  60..79 => 1
  80.. => 2
table extra(k: text, b: int) -> money first
  "甲", 1..2 => 100 + per_person * 0
  _, _ => 50
policy allowance "补贴" en "Allowance"
  require band_of >= 1 "年满60" en "60 or over"
  require per_person < standard "收入低" en "Low income"
  unless any(household, income > 10000) "有高收入" en "High income"
  amount monthly = extra(kind, band_of) + round(standard / 10, 2)
  exception "困难加发" en "More if poor" when poor then amount = extra(kind, band_of) + 200
  output 年龄 = age(born, today) label "年龄" en "Age"
  excludes grant
policy grant "一次性" en "Once"
  require kind in ["乙"] "乙类" en "Kind b"
  amount once = 300
policy fees "费用" en "Fee"
  require age >= 60 "年满60" en "60 or over"
  fee = 20
  waiver = 50%
  exception "困难全免" en "Free if poor" when poor then waiver = 100%
policy annual "年度" en "Yearly"
  require band_of = 2 "八十岁" en "80 or over"
  amount yearly = 1200
group best "择高" en "Highest" highest of allowance, annual
"#;

fn small() -> Engine {
    let engine = Engine::compile_with(&[("small.rules", SMALL)], false)
        .unwrap_or_else(|e| panic!("the small rules do not compile: {e:?}"));
    assert!(engine.warnings().iter().all(|w| w.severity != eligo::diagnostic::Severity::Error));
    engine
}

fn demo_citizen() -> Json {
    json!({
        "household": [{"income": "800"}, {"income": null}, {"income": 300}],
        "kind": "甲", "age": 82, "born": "1943-05-01", "poor": true
    })
}

/// Where the program starts in bytes made by this version.
fn body_start() -> usize {
    precompiled::MAGIC.len() + 2 + 1 + env!("CARGO_PKG_VERSION").len()
}

/// `bytes` with their checksum made right again, as a crafted file would have it.
fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let end = bytes.len() - 8;
    let checksum =
        bytes[..end].iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    bytes[end..].copy_from_slice(&checksum.to_le_bytes());
    bytes
}

fn load_error(bytes: &[u8]) -> String {
    match Engine::load(bytes, &eligo::Trust::development()) {
        Ok(_) => panic!("loaded"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn the_small_rule_set_loads_with_the_same_reports() {
    let compiled = Engine::compile(&[("small.rules", SMALL)]).unwrap_or_else(|e| panic!("{e:?}"));
    let loaded = load(&compiled);
    for data in [json!({}), demo_citizen(), json!({"household": [], "kind": "乙", "age": 61, "poor": false})] {
        for date in ["2025-09-01", "2024-01-01", "2019-01-01"] {
            assert_eq!(reports(&compiled, &data, date), reports(&loaded, &data, date));
        }
    }
    assert_eq!(
        eligo::ffi::evaluate(&loaded, &demo_citizen(), "2025-09-01", options(None, false)).map(|r| r.policies.len()),
        Ok(4)
    );
}

#[test]
fn another_magic_version_or_checksum_is_refused() {
    let bytes = small().to_bytes();
    assert_eq!(&bytes[..6], b"ELIGO\0");
    let version = env!("CARGO_PKG_VERSION");

    let mut other = bytes.clone();
    other[0] = b'X';
    assert_eq!(load_error(&other), "not an Eligo program (wrong magic)");
    assert_eq!(load_error(b"{\"not\": \"eligo\"}"), "not an Eligo program (wrong magic)");

    let mut format = bytes.clone();
    let (current, next) = (precompiled::FORMAT_VERSION, precompiled::FORMAT_VERSION + 1);
    format[6..8].copy_from_slice(&next.to_le_bytes());
    assert_eq!(
        load_error(&reseal(format)),
        format!(
            "made by an Eligo with format {next}, this is {version} with format {current}: rebuild it with `eligo build`"
        )
    );

    let mut older = bytes.clone();
    let at = body_start() - version.len();
    older[at..at + version.len()].copy_from_slice(&"9".repeat(version.len()).into_bytes());
    assert_eq!(
        load_error(&reseal(older)),
        format!("made by Eligo {}, this is {version}: rebuild it with `eligo build`", "9".repeat(version.len()))
    );

    let mut damaged = bytes.clone();
    damaged[body_start() + 10] ^= 0x40;
    assert_eq!(load_error(&damaged), "damaged (checksum)");
    let last = bytes.len() - 1;
    let mut checksum = bytes.clone();
    checksum[last] ^= 1;
    assert_eq!(load_error(&checksum), "damaged (checksum)");

    let mut trailing = bytes[..bytes.len() - 8].to_vec();
    trailing.extend([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(load_error(&reseal(trailing)), "invalid: 1 bytes after the program");
}

#[test]
fn every_truncation_is_refused() {
    let bytes = small().to_bytes();
    assert!(Engine::load(&bytes, &eligo::Trust::development()).is_ok());
    for length in 0..bytes.len() {
        let expected = match length {
            0 => "not an Eligo program (wrong magic)",
            n if n < body_start() + 8 => "damaged (truncated)",
            _ => "damaged (checksum)",
        };
        assert_eq!(load_error(&bytes[..length]), expected, "cut at {length}");
    }
}

/// The program of the small rules, changed by `change`, stored (with a right checksum) and loaded.
fn crafted(change: impl FnOnce(&mut Program)) -> String {
    let mut program = small().program().clone();
    change(&mut program);
    match from_bytes(&to_bytes(&program)) {
        Ok(_) => panic!("the crafted program loaded"),
        Err(error) => error.to_string(),
    }
}

fn policy(program: &mut Program, id: &str) -> usize {
    program.policy_index(id).expect("the policy")
}

type Change = Box<dyn FnOnce(&mut Program)>;

#[test]
fn crafted_programs_are_invalid() {
    let cases: Vec<(&str, Change)> = vec![
        (
            // Found by fuzzing (fuzz/regressions/program/): "the item" outside a list operation
            // was an unknown that named no missing fact.
            "invalid: policy `grant`: a field of a list item outside a list operation",
            Box::new(|p| {
                let g = policy(p, "grant");
                p.policies[g].conditions[0].expr.kind = ExprKind::Field(0);
            }),
        ),
        (
            // Found by fuzzing (fuzz/regressions/program/): the report writes an amount as money.
            "invalid: policy `allowance`: the output `amount` is of type Date",
            Box::new(|p| {
                let a = policy(p, "allowance");
                p.policies[a].outputs[0].ty = eligo::program::Type::Date;
            }),
        ),
        (
            "invalid: policy `grant`: an unknown value written in the rules",
            Box::new(|p| {
                let g = policy(p, "grant");
                let unknown = eligo::value::Value::Unknown(eligo::value::Missing::default());
                p.policies[g].conditions[0].expr.kind = ExprKind::Const(unknown);
            }),
        ),
        (
            "invalid: policy `grant`: input 99 does not exist (there are 5)",
            Box::new(|p| {
                let g = policy(p, "grant");
                p.policies[g].conditions[0].expr.kind = ExprKind::Input(99);
            }),
        ),
        (
            "invalid: definition `per_person`: reads `total`, which is not evaluated before it",
            Box::new(|p| p.let_order.reverse()),
        ),
        (
            "invalid: the order of each definition lists definition 0 twice",
            Box::new(|p| p.let_order = vec![0; p.lets.len()]),
        ),
        (
            "invalid: the program does not decode: expressions nested more than 128 deep",
            Box::new(|p| {
                let g = policy(p, "grant");
                let expr = &mut p.policies[g].conditions[0].expr;
                for _ in 0..200 {
                    *expr = eligo::program::Expr { kind: ExprKind::Not(Box::new(expr.clone())), span: expr.span };
                }
            }),
        ),
        (
            "invalid: policy `grant`: the span 0..99999 does not fit small.rules",
            Box::new(|p| {
                let g = policy(p, "grant");
                p.policies[g].span = eligo::source::Span::new(0, 0, 99_999);
            }),
        ),
        (
            // Inside the three bytes of 小.
            "invalid: policy `grant`: the span 17..17 does not fit small.rules",
            Box::new(|p| {
                let g = policy(p, "grant");
                p.policies[g].span = eligo::source::Span::new(0, 17, 17);
            }),
        ),
        (
            "invalid: policy `grant`: a span in file 3 of 1",
            Box::new(|p| {
                let g = policy(p, "grant");
                p.policies[g].conditions[0].span.file = 3;
            }),
        ),
        (
            "invalid: table `band`: rows ..59 and 60..79 overlap",
            Box::new(|p| {
                let t = p.tables.iter().position(|t| t.name == "band").expect("band");
                p.tables[t].rows[0].cells[0] = eligo::program::Match::Any;
            }),
        ),
        (
            "invalid: table `extra` looks itself up, through other tables or directly",
            Box::new(|p| {
                let t = p.tables.iter().position(|t| t.name == "extra").expect("extra");
                let span = p.tables[t].rows[1].value.span;
                let keys = vec![p.tables[t].rows[1].value.clone(), p.tables[t].rows[1].value.clone()];
                p.tables[t].rows[1].value = eligo::program::Expr { kind: ExprKind::Table(t as u32, keys), span };
            }),
        ),
        (
            "invalid: policy `allowance`: Round with 3 arguments",
            Box::new(|p| {
                let a = policy(p, "allowance");
                let amount = p.policies[a].outputs[0].base.as_mut().expect("a base amount");
                let ExprKind::Arith(_, _, round) = &mut amount.kind else { panic!("amount is a sum") };
                let ExprKind::Call(_, args) = &mut round.kind else { panic!("round(…)") };
                args.push(args[0].clone());
            }),
        ),
        (
            "invalid: the values of missing inputs do not match the inputs",
            Box::new(|p| {
                p.unknown_inputs.pop();
            }),
        ),
        (
            "invalid: policy `allowance`: input 7 does not exist (there are 5)",
            Box::new(|p| {
                let a = policy(p, "allowance");
                p.policies[a].conditions[0].reads[0] = eligo::program::NameRef::Input(7);
            }),
        ),
        ("invalid: the policies' excluders do not match their `excludes`", Box::new(|p| p.excluders[0].push(3))),
        (
            "invalid: policy `grant` is settled before `allowance`, which excludes it",
            Box::new(|p| p.relation_order.reverse()),
        ),
        ("invalid: group `best`: policy 9 does not exist (there are 4)", Box::new(|p| p.groups[0].members.push(9))),
        (
            "invalid: record `member`: enum 5 does not exist (there are 1)",
            Box::new(|p| p.records[0].fields[0].ty = eligo::program::Type::Enum(5)),
        ),
        (
            "invalid: record `member`: field `income` holds a list",
            Box::new(|p| p.records[0].fields[0].ty = eligo::program::Type::List(0)),
        ),
    ];
    for (expected, change) in cases {
        let message = crafted(change);
        assert!(message.starts_with(expected), "expected {expected:?}, got {message:?}");
    }
}

#[test]
fn a_claimed_length_beyond_the_bytes_is_refused_without_allocating_it() {
    let bytes = small().to_bytes();
    let mut huge = bytes[..body_start()].to_vec();
    // The rule set's id: a string of u32::MAX bytes, said in five bytes.
    huge.extend([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, b'x']);
    huge.extend([0; 8]);
    let message = load_error(&reseal(huge));
    assert!(message.starts_with("invalid: the program does not decode"), "{message}");
}

/// Evaluates everything an embedding page calls; a panic fails the test.
fn exercise(engine: &Engine) {
    for data in [json!({}), demo_citizen()] {
        for lang in ["zh", "en"] {
            let _ = eligo::ffi::evaluate(engine, &data, "2025-09-01", options(Some(lang), true));
        }
        let _ = eligo::ffi::decide(engine, &data, "2025-09-01");
    }
    let _ = engine.schema();
    let _ = engine.policies();
}

/// Every byte of the program changed in a few ways, the checksum made right: each either does not
/// load or loads a program that evaluates without panicking.
#[test]
fn single_byte_mutations_never_panic() {
    let bytes = small().to_bytes();
    let (mut loaded, mut refused) = (0, 0);
    for at in body_start()..bytes.len() - 8 {
        let original = bytes[at];
        let mut seen = vec![original];
        for changed in [original ^ 0x01, original ^ 0x80, original.wrapping_add(1), 0x00, 0xFF] {
            if seen.contains(&changed) {
                continue;
            }
            seen.push(changed);
            let mut mutated = bytes.clone();
            mutated[at] = changed;
            match Engine::load(&reseal(mutated), &eligo::Trust::development()) {
                Ok(engine) => {
                    exercise(&engine);
                    loaded += 1;
                }
                Err(error) => {
                    assert!(error.to_string().starts_with("invalid: "), "byte {at}: {error}");
                    refused += 1;
                }
            }
        }
    }
    // Both happen: most changes to text and numbers load, most changes to the structure do not.
    assert!(loaded > 100 && refused > 100, "{loaded} loaded, {refused} refused");
}

/// An output whose value is not of its type (which the checker rules out, but crafted bytes need
/// not): the policy is an error, and the report never shows a value that breaks its contract.
#[test]
fn an_output_of_another_type_is_an_error() {
    let mut program = small().program().clone();
    let a = program.policy_index("allowance").expect("the policy");
    let output = program.policies[a].outputs.iter_mut().find(|o| o.name.as_str() == "年龄").expect("the output");
    output.base =
        Some(eligo::program::Expr { kind: ExprKind::Const(eligo::value::Value::text("x")), span: output.span });
    let engine = Engine::load(&to_bytes(&program), &eligo::Trust::development())
        .expect("it loads: named outputs may be of any type");
    let citizen =
        json!({ "household": [{"income": "800"}], "kind": "甲", "age": 82, "born": "1943-05-01", "poor": true });
    let report = eligo::ffi::evaluate(&engine, &citizen, "2025-09-01", options(Some("en"), false)).expect("evaluates");
    let result = report.policies.iter().find(|p| p.id == "allowance").expect("the policy");
    assert_eq!(result.status, eligo::vocabulary::Status::Error);
    assert_eq!(result.error.as_ref().map(|e| e.message.as_str()), Some("the output `年龄` is not of its type"));
}
