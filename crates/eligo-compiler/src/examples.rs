//! Running the examples written in rule files: each is an evaluation date, citizen data and the
//! statuses and outputs expected. `eligo test`, the playground and CI run them.

use eligo_core::date::Date;
use eligo_core::eval;
use eligo_core::program::Program;
use eligo_core::report::Location;
use eligo_core::source::Span;
use eligo_core::value::Value;
use eligo_core::vocabulary::Status;
use serde::Serialize;

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
    pub outputs: Vec<(String, Value, Span)>,
    pub missing: Option<Vec<String>>,
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
    examples.iter().map(|example| run_after(program, example, &mut spent)).collect()
}

fn run_after(program: &Program, example: &ExampleDef, spent: &mut u64) -> ExampleResult {
    let outcomes = eval::decide_after(program, &example.facts, example.date, spent);
    let mut failures = Vec::new();
    for expect in &example.expects {
        let policy = &program.policies[expect.policy as usize];
        let outcome = &outcomes[expect.policy as usize];
        let at = eval::location(program, expect.span);
        let mut fail =
            |message: String| failures.push(Failure { message: format!("{}: {message}", policy.id), at: at.clone() });
        if outcome.status != expect.status {
            let detail = match (&outcome.status, &outcome.error) {
                // (The failures are English sentences, as the rest of `eligo test` output.)
                (Status::Error, Some(error)) => format!(" ({error})"),
                (Status::Undetermined, _) => {
                    let missing: Vec<String> =
                        outcome.missing.keys().iter().map(|k| eval::fact_path(program, *k)).collect();
                    format!(" (missing: {})", missing.join(", "))
                }
                _ => String::new(),
            };
            fail(format!("expected {}, got {}{detail}", expect.status.as_str(), outcome.status.as_str()));
            continue;
        }
        for (name, expected, _) in &expect.outputs {
            let actual = if name == "payable" {
                outcome.payable.as_ref()
            } else {
                policy
                    .outputs
                    .iter()
                    .position(|o| o.name.as_str() == name)
                    .and_then(|i| outcome.outputs.get(i))
                    .map(|o| &o.value)
            };
            let same = actual.is_some_and(|a| a.compare(expected) == Some(std::cmp::Ordering::Equal));
            if !same {
                let shown = actual.map_or("nothing".into(), eval::display);
                fail(format!("expected {name} = {}, got {shown}", eval::display(expected)));
            }
        }
        if let Some(expected) = &expect.missing {
            let mut actual: Vec<String> = outcome.missing.keys().iter().map(|k| eval::fact_path(program, *k)).collect();
            let mut wanted = expected.clone();
            actual.sort();
            wanted.sort();
            if actual != wanted {
                fail(format!("expected missing = [{}], got [{}]", wanted.join(", "), actual.join(", ")));
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
