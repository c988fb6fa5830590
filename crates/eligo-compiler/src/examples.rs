//! Running the examples written in rule files: each is an evaluation date, citizen data and the
//! statuses and outputs expected. `eligo test`, the playground and CI run them.

use eligo_core::date::Date;
use eligo_core::eval;
use eligo_core::program::{PolicyDef, Program, Type};
use eligo_core::report::Location;
use eligo_core::source::Span;
use eligo_core::value::Value;
use eligo_core::vocabulary::{ConditionKind, Lang, Status};
use serde::Serialize;

pub mod coverage;

/// An example written in a rule file: a test of the policies.
#[derive(Clone, Debug)]
pub struct ExampleDef {
    pub name: String,
    pub date: Date,
    /// One value per input (Unknown when not given).
    pub facts: Vec<Value>,
    pub expects: Vec<ExpectDef>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ExpectDef {
    pub policy: u32,
    pub status: Status,
    pub outputs: Vec<OutputExpect>,
    pub missing: Option<Vec<String>>,
    pub span: Span,
}

/// `amount = 75`: the output (or `payable`), its type, the value expected and where it is written.
#[derive(Clone, Debug)]
pub struct OutputExpect {
    pub name: String,
    pub ty: Type,
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExampleResult {
    pub name: String,
    pub at: Location,
    pub passed: bool,
    /// What differed, one line each: `elderly_allowance: expected eligible, got undetermined`.
    pub failures: Vec<Failure>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub message: String,
    pub at: Location,
}

/// Runs every example, all within one budget of evaluation steps (see `eval::decide_after`).
pub fn run_all(program: &Program, examples: &[ExampleDef]) -> Vec<ExampleResult> {
    let mut spent = 0;
    examples
        .iter()
        .map(|example| judge(program, example, &eval::decide_after(program, &example.facts, example.date, &mut spent)))
        .collect()
}

/// `run_all`, traced, with how much of the rules the examples cover (labels in `lang`).
pub fn run_covered(program: &Program, examples: &[ExampleDef], lang: Lang) -> (Vec<ExampleResult>, coverage::Coverage) {
    let mut spent = 0;
    let mut seen = coverage::Seen::new(program);
    let results = examples
        .iter()
        .map(|example| {
            let (outcomes, let_hits) = eval::decide_traced_after(program, &example.facts, example.date, &mut spent);
            seen.record(example.expects.iter().map(|e| e.policy), &outcomes, &let_hits);
            judge(program, example, &outcomes)
        })
        .collect();
    (results, seen.coverage(program, lang))
}

/// Whether an example's decisions are what it expects.
fn judge(program: &Program, example: &ExampleDef, outcomes: &[eval::PolicyOutcome]) -> ExampleResult {
    let mut failures = Vec::new();
    for expect in &example.expects {
        let policy = &program.policies[expect.policy as usize];
        let outcome = &outcomes[expect.policy as usize];
        let at = eval::location(program, expect.span);
        let failure = |message: String, at: Location| Failure { message: format!("{}: {message}", policy.id), at };
        if outcome.status != expect.status {
            let detail = match (&outcome.status, &outcome.error) {
                // (The failures are English sentences, as the rest of `eligo test` output.)
                (Status::Error, Some(error)) => format!(" ({error})"),
                (Status::Undetermined, _) => {
                    let missing: Vec<String> =
                        outcome.missing.keys().iter().map(|k| eval::fact_path(program, *k)).collect();
                    format!(" (missing: {}){}", missing.join(", "), conditions(program, policy, outcome, None))
                }
                (Status::Ineligible, _) => match outcome.excluded_by {
                    Some(winner) => {
                        let id = program.policies.get(winner as usize).map_or("?", |p| p.id.as_str());
                        format!(" (granted instead: {id})")
                    }
                    None => conditions(program, policy, outcome, Some(false)),
                },
                (Status::Eligible, _) => conditions(program, policy, outcome, Some(true)),
                _ => String::new(),
            };
            failures.push(failure(
                format!("expected {}, got {}{detail}", expect.status.as_str(), outcome.status.as_str()),
                at,
            ));
            continue;
        }
        for check in &expect.outputs {
            let actual = if check.name == "payable" {
                outcome.payable.as_ref()
            } else {
                policy
                    .outputs
                    .iter()
                    .position(|o| o.name.as_str() == check.name)
                    .and_then(|i| outcome.outputs.get(i))
                    .map(|o| &o.value)
            };
            // Money is compared as the report shows it, to the fen: what a report prints
            // (333.33 for 1000/3) is what an example writes.
            let shown = |value: &Value| match (check.ty, value.as_money()) {
                (Type::Money, Some(d)) => eval::money(d),
                _ => eval::display(value),
            };
            let same = actual.is_some_and(|a| match check.ty {
                Type::Money => shown(a) == shown(&check.value),
                _ => a.compare(&check.value) == Some(std::cmp::Ordering::Equal),
            });
            if !same {
                let got = actual.map_or("nothing".into(), shown);
                let message = format!("expected {} = {}, got {got}", check.name, shown(&check.value));
                failures.push(failure(message, eval::location(program, check.span)));
            }
        }
        if let Some(expected) = &expect.missing {
            let mut actual: Vec<String> = outcome.missing.keys().iter().map(|k| eval::fact_path(program, *k)).collect();
            let mut wanted = expected.clone();
            actual.sort();
            wanted.sort();
            if actual != wanted {
                failures.push(failure(
                    format!("expected missing = [{}], got [{}]", wanted.join(", "), actual.join(", ")),
                    at.clone(),
                ));
            }
        }
    }
    ExampleResult {
        name: example.name.clone(),
        at: eval::location(program, example.span),
        passed: failures.is_empty(),
        failures,
    }
}

/// The conditions that decided the status, each with its label and place: those that failed
/// (`met` false), held (true) or are still unknown (None), as ` (not met: “Aged 65 or over” at
/// rules/a.rules:5:3; …)`.
fn conditions(program: &Program, policy: &PolicyDef, outcome: &eval::PolicyOutcome, met: Option<bool>) -> String {
    let listed: Vec<String> = policy
        .conditions
        .iter()
        .zip(&outcome.conditions)
        .filter(|(condition, value)| {
            let holds = match value {
                Ok(Value::Bool(b)) => Some(*b == (condition.kind == ConditionKind::Require)),
                _ => None,
            };
            holds == met && value.is_ok()
        })
        .map(|(condition, _)| {
            let at = eval::location(program, condition.span);
            format!("“{}” at {}:{}:{}", condition.label.get(Lang::En), at.file, at.line, at.column)
        })
        .collect();
    let what = match met {
        Some(false) => "not met",
        Some(true) => "all met",
        None => "not yet known",
    };
    if listed.is_empty() {
        String::new()
    } else {
        format!(" ({what}: {})", listed.join("; "))
    }
}
