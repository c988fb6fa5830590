//! Properties of the evaluation that must hold for every citizen, checked on random data.
//!
//! - The Kleene laws of three-valued logic, with `unknown` realised as a missing input: De Morgan,
//!   double negation, commutativity, distributivity, absorption, `false and unknown` is false,
//!   `true or unknown` is true; and every status agrees with a reference Kleene evaluator.
//! - Monotonicity: supplying a missing input never turns a determined status (eligible,
//!   ineligible, not_applicable) into undetermined, nor into any other status; a policy's `missing`
//!   (and `askNext`) never names an input that is present; and supplying every input a policy's
//!   `missing` names settles that policy. Checked on an inline household rule set (lists, dated
//!   parameters, a table, exceptions, an exclusion, a highest-of group, fees, effective periods)
//!   and on the sample rule set (every .rules file under rules/), with random citizens generated
//!   from each rule set's own schema and evaluated on the dates the rules mention and the days
//!   around them.
//!
//! Rules use `and (…)`, `or (…)`, `not (…)` with a parenthesis: a name right after those keywords
//! does not parse at the time of writing (see `keywords_followed_by_a_name_parse` in
//! tests/eval_semantics.rs).

use eligo::date::Date;
use eligo::report::Report;
use eligo::vocabulary::Status;
use eligo::{ffi::options, Engine, InputSchema};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Map, Value};

fn compile(name: &str, rules: &str) -> Engine {
    Engine::compile(&[(name, rules)]).unwrap_or_else(|e| panic!("{}: {}", name, e.message))
}

fn evaluate(engine: &Engine, data: &Value, date: &str) -> Report {
    eligo::ffi::evaluate(engine, data, date, options(Some("en"), false)).unwrap_or_else(|e| panic!("{e:?} for {data}"))
}

// ───────────────────────────── Kleene laws ─────────────────────────────

const LOGIC: &str = r#"
input a: bool label "甲" en "A"
input b: bool label "乙" en "B"
input c: bool label "丙" en "C"

policy a_only "甲" en "A"
  require a "甲" en "A"
policy not_not_a "非非甲" en "Not not A"
  require not (not (a)) "非非甲" en "Not not A"
policy not_a "非甲" en "Not A"
  require not (a) "非甲" en "Not A"
policy unless_a "除甲" en "Unless A"
  unless a "甲除外" en "Except A"

policy and_ab "甲且乙" en "A and B"
  require a and (b) "甲且乙" en "A and B"
policy and_ba "乙且甲" en "B and A"
  require b and (a) "乙且甲" en "B and A"
policy two_requires "两个条件" en "Two requires"
  require a "甲" en "A"
  require b "乙" en "B"
policy or_ab "甲或乙" en "A or B"
  require a or (b) "甲或乙" en "A or B"
policy or_ba "乙或甲" en "B or A"
  require b or (a) "乙或甲" en "B or A"

policy not_and "非(甲且乙)" en "Not (A and B)"
  require not (a and (b)) "非(甲且乙)" en "Not (A and B)"
policy not_a_or_not_b "非甲或非乙" en "Not A or not B"
  require (not (a)) or (not (b)) "非甲或非乙" en "Not A or not B"
policy not_or "非(甲或乙)" en "Not (A or B)"
  require not (a or (b)) "非(甲或乙)" en "Not (A or B)"
policy not_a_and_not_b "非甲且非乙" en "Not A and not B"
  require (not (a)) and (not (b)) "非甲且非乙" en "Not A and not B"

policy a_and_b_or_c "甲且(乙或丙)" en "A and (B or C)"
  require a and (b or (c)) "甲且(乙或丙)" en "A and (B or C)"
policy ab_or_ac "(甲且乙)或(甲且丙)" en "(A and B) or (A and C)"
  require (a and (b)) or (a and (c)) "(甲且乙)或(甲且丙)" en "(A and B) or (A and C)"
policy a_or_b_and_c "甲或(乙且丙)" en "A or (B and C)"
  require a or (b and (c)) "甲或(乙且丙)" en "A or (B and C)"
policy ab_and_ac "(甲或乙)且(甲或丙)" en "(A or B) and (A or C)"
  require (a or (b)) and (a or (c)) "(甲或乙)且(甲或丙)" en "(A or B) and (A or C)"

policy absorb_and "甲且(甲或乙)" en "A and (A or B)"
  require a and (a or (b)) "甲且(甲或乙)" en "A and (A or B)"
policy absorb_or "甲或(甲且乙)" en "A or (A and B)"
  require a or (a and (b)) "甲或(甲且乙)" en "A or (A and B)"

policy if_abc "若甲则乙否则丙" en "If A then B else C"
  require (if a then b else c) "若甲则乙否则丙" en "If A then B else C"
"#;

/// Kleene's three values: `None` is unknown.
type K = Option<bool>;

fn k_not(a: K) -> K {
    a.map(|a| !a)
}

fn k_and(a: K, b: K) -> K {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn k_or(a: K, b: K) -> K {
    k_not(k_and(k_not(a), k_not(b)))
}

/// `if` under three values: an unknown condition still gives the branches' common value.
fn k_if(c: K, then: K, otherwise: K) -> K {
    match c {
        Some(true) => then,
        Some(false) => otherwise,
        None if then.is_some() && then == otherwise => then,
        None => None,
    }
}

fn status_of(k: K) -> Status {
    match k {
        Some(true) => Status::Eligible,
        Some(false) => Status::Ineligible,
        None => Status::Undetermined,
    }
}

fn truth() -> impl Strategy<Value = K> {
    prop_oneof![Just(Some(true)), Just(Some(false)), Just(None)]
}

fn facts(values: &[(&str, K)]) -> Value {
    let mut map = Map::new();
    for (name, value) in values {
        if let Some(v) = value {
            map.insert((*name).to_string(), json!(v));
        } else if *name == "b" {
            // Absent and null both mean missing; use both.
            map.insert((*name).to_string(), Value::Null);
        }
    }
    Value::Object(map)
}

thread_local! {
    static LOGIC_ENGINE: Engine = compile("logic.rules", LOGIC);
}

/// 256 cases, and no regression files written into the source tree.
fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

fn status(report: &Report, id: &str) -> Status {
    report.policies.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no policy {id}")).status
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kleene_laws_hold_with_missing_inputs(a in truth(), b in truth(), c in truth()) {
        let data = facts(&[("a", a), ("b", b), ("c", c)]);
        let report = LOGIC_ENGINE.with(|engine| evaluate(engine, &data, "2025-03-01"));
        let s = |id: &str| status(&report, id);

        // Against the reference evaluator.
        prop_assert_eq!(s("a_only"), status_of(a));
        prop_assert_eq!(s("not_a"), status_of(k_not(a)));
        prop_assert_eq!(s("and_ab"), status_of(k_and(a, b)));
        prop_assert_eq!(s("or_ab"), status_of(k_or(a, b)));
        prop_assert_eq!(s("a_and_b_or_c"), status_of(k_and(a, k_or(b, c))));
        prop_assert_eq!(s("a_or_b_and_c"), status_of(k_or(a, k_and(b, c))));
        prop_assert_eq!(s("if_abc"), status_of(k_if(a, b, c)));

        // De Morgan, with unknowns.
        prop_assert_eq!(s("not_and"), s("not_a_or_not_b"));
        prop_assert_eq!(s("not_or"), s("not_a_and_not_b"));
        // Double negation; `unless` is `require not`.
        prop_assert_eq!(s("not_not_a"), s("a_only"));
        prop_assert_eq!(s("unless_a"), s("not_a"));
        // Commutativity; two requires are a conjunction.
        prop_assert_eq!(s("and_ab"), s("and_ba"));
        prop_assert_eq!(s("or_ab"), s("or_ba"));
        prop_assert_eq!(s("two_requires"), s("and_ab"));
        // Distributivity and absorption hold in Kleene's logic too.
        prop_assert_eq!(s("a_and_b_or_c"), s("ab_or_ac"));
        prop_assert_eq!(s("a_or_b_and_c"), s("ab_and_ac"));
        prop_assert_eq!(s("absorb_and"), s("a_only"));
        prop_assert_eq!(s("absorb_or"), s("a_only"));

        // `false and unknown` is false; `true or unknown` is true, whichever side is unknown.
        if a == Some(false) || b == Some(false) {
            prop_assert_eq!(s("and_ab"), Status::Ineligible);
        }
        if a == Some(true) || b == Some(true) {
            prop_assert_eq!(s("or_ab"), Status::Eligible);
        }

        // An undetermined policy names only missing inputs, and at least one.
        let given = |name: &str| match name { "a" => a.is_some(), "b" => b.is_some(), "c" => c.is_some(), _ => false };
        for result in &report.policies {
            if result.status == Status::Undetermined {
                prop_assert!(!result.missing.is_empty(), "{} is undetermined without missing inputs", result.id);
            } else {
                prop_assert!(result.missing.is_empty(), "{} is decided but lists {:?}", result.id, result.missing);
            }
            for name in &result.missing {
                prop_assert!(!given(name), "{} lists {} as missing, but it was given", result.id, name);
            }
        }
    }
}

// ───────────────────────────── Monotonicity ─────────────────────────────

/// A realistic rule set over a household: lists, a dated parameter, definitions, a table,
/// exceptions, an exclusion, a highest-of group, a fee with a waiver, effective periods.
const HOUSEHOLD: &str = r#"
ruleset household "家庭救助" en "Household assistance"

record member label "家庭成员" en "Household member"
  field monthly_income: money label "月收入" en "Monthly income" min 0
  field age: int label "年龄" en "Age" min 0 max 150
  field disabled: bool label "残疾" en "Disabled"

input household: list of member label "家庭成员" en "Household members"
input hukou: one of "上海" en "Shanghai", "外地" en "Elsewhere" label "户籍" en "Hukou"
input birth_date: date label "出生日期" en "Date of birth"
input grade: int label "残疾等级" en "Disability grade" min 1 max 4
input savings: money label "存款" en "Savings" min 0
input veteran: bool label "退役军人" en "Veteran"
input special_care: bool label "特困供养" en "Special care"

param 低保标准: money = 1510 from 2024-07-01, 1420 from 2023-07-01
  label "低保标准" en "Subsistence standard"
param 存款上限: money = 50000 from 2020-01-01
  label "存款上限" en "Savings limit"

let 年龄 = age(birth_date, today) label "年龄" en "Age"
let 人数 = count(household) label "人数" en "Members"
let 人均收入 = if 人数 == 0 then 0元 else sum(household, monthly_income) / 人数
  label "人均收入" en "Income per head"

table 高龄津贴(年龄: int) -> money label "高龄津贴" en "Old-age allowance"
  65..69 => 75
  70..79 => 150
  80.. => 180

policy dibao "最低生活保障" en "Subsistence allowance"
  effective from 2020-01-01
  require hukou == "上海" "本市户籍" en "Shanghai hukou"
  require 人均收入 < 低保标准 "人均收入低于低保标准" en "Income per head below the standard"
  require savings <= 存款上限 "存款不超过上限" en "Savings within the limit"
  unless special_care "享受特困供养的除外" en "Not for people in special care"
  amount monthly = (低保标准 - 人均收入) * 人数

policy special "特困人员救助供养" en "Special care"
  require special_care "特困人员" en "In special care"
  require hukou == "上海" "本市户籍" en "Shanghai hukou"
  amount monthly = 2000
  excludes dibao

policy elderly "高龄津贴" en "Old-age allowance"
  require 年龄 >= 65 "年满65周岁" en "Aged 65 or over"
  require hukou == "上海" or (veteran) "本市户籍或退役军人" en "Shanghai hukou or veteran"
  amount monthly = 高龄津贴(年龄)

policy disability_a "重度残疾人补贴" en "Severe disability allowance"
  require grade <= 2 "一、二级残疾" en "Grade 1 or 2"
  amount monthly = 500
  exception "一级残疾" en "Grade 1" when grade == 1 then amount = 700
  exception "退役军人" en "Veteran" when veteran then amount = 800

policy disability_b "残疾人家庭补贴" en "Disabled household allowance"
  require any(household, disabled) "家中有残疾人" en "A disabled member"
  require all(household, age >= 18 or (disabled)) "无未成年健全成员" en "No able-bodied minors"
  amount yearly = 6500

group 残疾择高 "就高不就低" en "Only the highest" highest of disability_a, disability_b

policy heating "取暖费减免" en "Heating fee waiver"
  require count(household, monthly_income < 1000元) >= 1 "有低收入成员" en "A low-income member"
  fee = 400
  waiver = if veteran then 100% else 50%

policy share "人均份额" en "Share per head"
  require savings < 10000元 "存款少" en "Low savings"
  output per_head = 1200元 / 人数
  output youngest = min(household, age)

policy youth "青少年补贴" en "Youth allowance"
  effective from 2024-01-01 until 2025-12-31
  require count(household, age < 18) >= 1 "有未成年成员" en "A minor in the household"
  amount once = 1000
"#;

// ───────────── Random citizens, generated from a rule set's own schema ─────────────

/// One generated fact: its value, and whether this citizen leaves it out.
#[derive(Clone, Debug)]
enum Gen {
    Scalar(Value),
    /// Items of a list input: each field's value and whether it is left out.
    List(Vec<Vec<(Value, bool)>>),
}

#[derive(Clone, Debug)]
struct Fact {
    value: Gen,
    dropped: bool,
}

#[derive(Clone, Debug)]
struct Citizen {
    facts: Vec<Fact>,
    date: String,
}

/// What the generator needs to know about a rule set: its inputs, texts worth trying, dates
/// worth evaluating on.
struct Shape {
    inputs: Vec<InputSchema>,
    texts: Vec<String>,
    dates: Vec<String>,
}

impl Shape {
    fn of(engine: &Engine, sources: &[(String, String)]) -> Shape {
        // Short string literals of the rules ("上海", "低保") are the texts worth trying.
        let mut texts: Vec<String> = vec!["其他".into()];
        // Every date in the rules, and the days around it: parameter and effective boundaries.
        let mut dates: Vec<String> = vec!["2025-03-01".into()];
        for (_, text) in sources {
            for (i, part) in text.split('"').enumerate() {
                if i % 2 == 1
                    && !part.is_empty()
                    && part.chars().count() <= 6
                    && !part.contains(' ')
                    && !texts.iter().any(|t| t == part)
                {
                    texts.push(part.to_string());
                }
            }
            for (i, _) in text.match_indices('-') {
                let Some(candidate) = text.get(i.wrapping_sub(4)..i + 6) else { continue };
                if let Some(date) = Date::parse(candidate) {
                    for delta in [-1, 0, 1] {
                        let day = date.add_days(delta).unwrap().to_string();
                        if !dates.contains(&day) {
                            dates.push(day);
                        }
                    }
                }
            }
        }
        Shape { inputs: engine.schema().inputs, texts, dates }
    }

    fn citizen(&self) -> impl Strategy<Value = Citizen> {
        let facts: Vec<BoxedStrategy<Fact>> = self.inputs.iter().map(|input| self.fact(input)).collect();
        (facts, prop::sample::select(self.dates.clone())).prop_map(|(facts, date)| Citizen { facts, date })
    }

    fn fact(&self, input: &InputSchema) -> BoxedStrategy<Fact> {
        let value = match &input.fields {
            Some(fields) => {
                let item: Vec<BoxedStrategy<(Value, bool)>> =
                    fields.iter().map(|f| (self.scalar(f), prop::bool::weighted(0.25)).boxed()).collect();
                prop::collection::vec(item, 0..4).prop_map(Gen::List).boxed()
            }
            None => self.scalar(input).prop_map(Gen::Scalar).boxed(),
        };
        (value, prop::bool::weighted(0.3)).prop_map(|(value, dropped)| Fact { value, dropped }).boxed()
    }

    fn scalar(&self, input: &InputSchema) -> BoxedStrategy<Value> {
        let bound = |b: &Option<eligo::report::Value>| b.as_ref().map(|v| v.to_string());
        let (min, max) = (bound(&input.min), bound(&input.max));
        match input.kind {
            "bool" => any::<bool>().prop_map(Value::from).boxed(),
            "int" => {
                let lo = min.map_or(0, |m| m.parse::<i64>().unwrap());
                let hi = max.map_or(lo + 100, |m| m.parse::<i64>().unwrap());
                prop_oneof![lo..=hi, Just(lo), Just(hi)].prop_map(Value::from).boxed()
            }
            "money" | "decimal" => {
                // In hundredths, within the bounds; three orders of magnitude without them.
                let lo = min.map_or(0, |m| hundredths(&m));
                let strategy = match max.map(|m| hundredths(&m)) {
                    Some(hi) => prop_oneof![lo..=hi, Just(lo), Just(hi)].boxed(),
                    None => prop_oneof![lo..lo + 300_000, lo..lo + 20_000_000, lo..lo + 1_000_000_000].boxed(),
                };
                strategy
                    .prop_map(|h| {
                        Value::from(format!(
                            "{}{}.{:02}",
                            if h < 0 { "-" } else { "" },
                            (h / 100).abs(),
                            (h % 100).abs()
                        ))
                    })
                    .boxed()
            }
            "date" => {
                let days = |d: Option<String>, default: i64| {
                    d.and_then(|d| Date::parse(&d)).map_or(default, |d| d.days_since_epoch())
                };
                // 1920-01-01 .. 2025-12-31 unless the input says otherwise; 29 February included.
                let (lo, hi) = (days(min, -18262), days(max, 20453));
                (lo..=hi).prop_map(|d| Value::from(Date::from_days_since_epoch(d).unwrap().to_string())).boxed()
            }
            "enum" => {
                let options: Vec<String> = input.options.as_ref().unwrap().iter().map(|o| o.value.clone()).collect();
                prop::sample::select(options).prop_map(Value::from).boxed()
            }
            _ => prop::sample::select(self.texts.clone()).prop_map(Value::from).boxed(),
        }
    }

    /// The citizen's data with the facts it leaves out left out.
    fn partial(&self, citizen: &Citizen) -> Value {
        let mut map = Map::new();
        for (input, fact) in self.inputs.iter().zip(&citizen.facts) {
            if !fact.dropped {
                map.insert(input.name.clone(), self.value(input, fact, false));
            }
        }
        Value::Object(map)
    }

    fn value(&self, input: &InputSchema, fact: &Fact, complete: bool) -> Value {
        match &fact.value {
            Gen::Scalar(v) => v.clone(),
            Gen::List(items) => {
                let fields = input.fields.as_ref().unwrap();
                Value::Array(
                    items
                        .iter()
                        .map(|item| {
                            let object: Map<String, Value> = fields
                                .iter()
                                .zip(item)
                                .filter(|(_, (_, dropped))| complete || !dropped)
                                .map(|(f, (v, _))| (f.name.clone(), v.clone()))
                                .collect();
                            Value::Object(object)
                        })
                        .collect(),
                )
            }
        }
    }

    /// The facts `partial` leaves out: whole inputs, and fields of the items of given lists.
    fn left_out(&self, citizen: &Citizen) -> Vec<Key> {
        let mut keys = Vec::new();
        for (i, fact) in citizen.facts.iter().enumerate() {
            match &fact.value {
                _ if fact.dropped => keys.push(Key::Top(i)),
                Gen::List(items) => {
                    for (item, fields) in items.iter().enumerate() {
                        keys.extend(
                            fields.iter().enumerate().filter(|(_, (_, d))| *d).map(|(f, _)| Key::Field(i, item, f)),
                        );
                    }
                }
                Gen::Scalar(_) => {}
            }
        }
        keys
    }

    /// `data` with `key` supplied; a list comes back complete only when `complete`.
    fn supply(&self, citizen: &Citizen, data: &Value, key: Key, complete: bool) -> Value {
        let mut data = data.clone();
        match key {
            Key::Top(i) => data[&self.inputs[i].name] = self.value(&self.inputs[i], &citizen.facts[i], complete),
            Key::Field(i, item, f) => {
                let Gen::List(items) = &citizen.facts[i].value else { unreachable!() };
                let field = &self.inputs[i].fields.as_ref().unwrap()[f].name;
                data[&self.inputs[i].name][item][field] = items[item][f].0.clone();
            }
        }
        data
    }

    /// The key a report path names: `savings`, `household[1].member_income`.
    fn key_of(&self, path: &str) -> Key {
        let index = |name: &str| {
            self.inputs.iter().position(|i| i.name == name).unwrap_or_else(|| panic!("unknown input {name}"))
        };
        match path.split_once('[') {
            None => Key::Top(index(path)),
            Some((list, rest)) => {
                let (item, field) = rest.split_once("].").unwrap();
                let i = index(list);
                let f = self.inputs[i].fields.as_ref().unwrap().iter().position(|f| f.name == field).unwrap();
                Key::Field(i, item.parse().unwrap(), f)
            }
        }
    }
}

/// "1450.50" → 145050.
fn hundredths(text: &str) -> i64 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let cents: String = fraction.chars().chain("00".chars()).take(2).collect();
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    whole.parse::<i64>().unwrap() * 100 + sign * cents.parse::<i64>().unwrap()
}

/// A fact that can be left out: an input, or one field of one item of a list input.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Key {
    Top(usize),
    Field(usize, usize, usize),
}

/// Every .rules file under rules/, named as the CLI names them: the sample rule set.
fn sample_sources() -> Vec<(String, String)> {
    fn collect(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                collect(&entry, found);
            } else if entry.extension().is_some_and(|x| x == "rules") {
                found.push(entry);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    collect(&root.join("rules"), &mut found);
    found
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

struct Subject {
    engine: Engine,
    shape: Shape,
}

impl Subject {
    fn new(sources: Vec<(String, String)>) -> Subject {
        let engine = Engine::compile(&sources).unwrap_or_else(|e| panic!("{}", e.message));
        let shape = Shape::of(&engine, &sources);
        Subject { engine, shape }
    }
}

thread_local! {
    static HOUSEHOLD_SUBJECT: Subject = Subject::new(vec![("household.rules".into(), HOUSEHOLD.into())]);
    static SAMPLE_SUBJECT: Subject = Subject::new(sample_sources());
}

/// Whether `path` (`savings`, `household[1].age`) has a value in `data`.
fn present(data: &Value, path: &str) -> bool {
    let value = match path.split_once('[') {
        None => data.get(path),
        Some((list, rest)) => {
            let (index, field) = rest.split_once("].").expect("a field path");
            data.get(list).and_then(|l| l.get(index.parse::<usize>().unwrap())).and_then(|item| item.get(field))
        }
    };
    value.is_some_and(|v| !v.is_null())
}

fn determined(status: Status) -> bool {
    matches!(status, Status::Eligible | Status::Ineligible | Status::NotApplicable)
}

/// Checks the monotonicity properties of one rule set for one partial citizen.
fn check_monotone(
    engine: &Engine,
    data: &Value,
    date: &str,
    left_out: &[Key],
    supply: &dyn Fn(&Value, Key, bool) -> Value,
) -> Result<(), TestCaseError> {
    let before = evaluate(engine, data, date);
    // `missing` and `askNext` name only inputs that are missing.
    for result in &before.policies {
        for path in &result.missing {
            prop_assert!(!present(data, path), "{} lists {} as missing, but it is given: {}", result.id, path, data);
        }
        if result.status != Status::Undetermined {
            prop_assert!(
                result.missing.is_empty(),
                "{} is {:?} but lists {:?}",
                result.id,
                result.status,
                result.missing
            );
        }
    }
    for ask in &before.ask_next {
        prop_assert!(!present(data, &ask.input), "askNext names {}, which is given: {}", ask.input, data);
        prop_assert!(ask.settles >= 1);
    }
    // Supplying one missing input never unsettles a decided policy, nor changes its answer.
    for &key in left_out {
        let more = supply(data, key, false);
        let after = evaluate(engine, &more, date);
        for (b, a) in before.policies.iter().zip(&after.policies) {
            if determined(b.status) {
                prop_assert_ne!(
                    a.status,
                    Status::Undetermined,
                    "{}: {:?} became undetermined when {:?} was supplied\nbefore: {}\nafter: {}",
                    b.id,
                    b.status,
                    key,
                    data,
                    more
                );
                prop_assert_eq!(
                    a.status,
                    b.status,
                    "{}: {:?} became {:?} when {:?} was supplied\nbefore: {}\nafter: {}",
                    b.id,
                    b.status,
                    a.status,
                    key,
                    data,
                    more
                );
                if b.status == Status::Eligible {
                    prop_assert_eq!(&a.outputs, &b.outputs, "{}: outputs changed when {:?} was supplied", b.id, key);
                }
            }
        }
    }
    Ok(())
}

/// Supplying every input a policy lists as missing settles that policy: `missing` is complete.
fn check_complete(
    engine: &Engine,
    data: &Value,
    date: &str,
    supply: &dyn Fn(&Value, Key, bool) -> Value,
    key_of: &dyn Fn(&str) -> Key,
) -> Result<(), TestCaseError> {
    let before = evaluate(engine, data, date);
    for result in before.policies.iter().filter(|p| p.status == Status::Undetermined) {
        let mut more = data.clone();
        for path in &result.missing {
            more = supply(&more, key_of(path), true);
        }
        let after = evaluate(engine, &more, date);
        let settled = after.policies.iter().find(|p| p.id == result.id).unwrap();
        prop_assert_ne!(
            settled.status,
            Status::Undetermined,
            "{} listed {:?} as missing, but supplying them left it undetermined, missing {:?}\nbefore: {}\nafter: {}",
            result.id,
            result.missing,
            settled.missing,
            data,
            more
        );
    }
    Ok(())
}

/// Runs `check` on random citizens of `subject`.
fn for_random_citizens(
    subject: &'static std::thread::LocalKey<Subject>,
    check: fn(&Subject, &Citizen) -> Result<(), TestCaseError>,
) {
    subject.with(|subject| {
        let mut runner = TestRunner::new(config());
        if let Err(error) = runner.run(&subject.shape.citizen(), |citizen| check(subject, &citizen)) {
            panic!("{error}");
        }
    });
}

fn monotone(subject: &Subject, citizen: &Citizen) -> Result<(), TestCaseError> {
    let shape = &subject.shape;
    let data = shape.partial(citizen);
    let supply = |d: &Value, k: Key, complete: bool| shape.supply(citizen, d, k, complete);
    check_monotone(&subject.engine, &data, &citizen.date, &shape.left_out(citizen), &supply)
}

fn complete(subject: &Subject, citizen: &Citizen) -> Result<(), TestCaseError> {
    let shape = &subject.shape;
    let data = shape.partial(citizen);
    let supply = |d: &Value, k: Key, complete: bool| shape.supply(citizen, d, k, complete);
    check_complete(&subject.engine, &data, &citizen.date, &supply, &|path| shape.key_of(path))
}

#[test]
fn supplying_a_household_fact_never_unsettles_a_policy() {
    for_random_citizens(&HOUSEHOLD_SUBJECT, monotone);
}

#[test]
fn supplying_a_fact_never_unsettles_a_policy_of_the_sample_rules() {
    for_random_citizens(&SAMPLE_SUBJECT, monotone);
}

#[test]
fn supplying_what_a_household_policy_misses_settles_it() {
    for_random_citizens(&HOUSEHOLD_SUBJECT, complete);
}

#[test]
fn supplying_what_a_sample_policy_misses_settles_it() {
    for_random_citizens(&SAMPLE_SUBJECT, complete);
}

/// The statuses random citizens reach, so that the properties above are not vacuous.
fn statuses_reached(
    subject: &'static std::thread::LocalKey<Subject>,
    citizens: usize,
) -> std::collections::BTreeSet<&'static str> {
    subject.with(|subject| {
        let mut runner = TestRunner::deterministic();
        let strategy = subject.shape.citizen();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..citizens {
            let citizen = strategy.new_tree(&mut runner).unwrap().current();
            let report = evaluate(&subject.engine, &subject.shape.partial(&citizen), &citizen.date);
            seen.extend(report.policies.iter().map(|p| p.status.as_str()));
        }
        seen
    })
}

#[test]
fn random_citizens_reach_every_status() {
    let household = statuses_reached(&HOUSEHOLD_SUBJECT, 300);
    for status in ["eligible", "ineligible", "undetermined", "not_applicable", "error"] {
        assert!(household.contains(status), "no random household reaches {status}: {household:?}");
    }
    let sample = statuses_reached(&SAMPLE_SUBJECT, 300);
    for status in ["eligible", "ineligible", "undetermined", "not_applicable"] {
        assert!(sample.contains(status), "no random citizen of the sample rules reaches {status}: {sample:?}");
    }
}
