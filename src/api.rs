//! The engine's API in serde types and JSON: what the CLI and the WebAssembly module share.
//! Each function takes and returns plain data, so both edges stay thin and everything is
//! testable natively.

use crate::date::Date;
use crate::eval::{self, Options};
#[cfg(feature = "compiler")]
use crate::examples::ExampleResult;
pub use crate::precompiled::LoadError;
use crate::program::{InputDef, Lang, Program, Text, Type};
#[cfg(feature = "compiler")]
use crate::render::{position, Positioned};
use crate::report::{FactProblem, Report};
#[cfg(feature = "compiler")]
use crate::source::Sources;
use serde::Serialize;

/// A compiled rule set, ready to evaluate citizens.
#[derive(Debug, Clone)]
pub struct Engine {
    program: Program,
    /// Found while compiling (none for a loaded program: they were reported when it was built).
    #[cfg(feature = "compiler")]
    warnings: Vec<Positioned>,
}

/// Why rules did not compile: every diagnostic, with positions.
#[cfg(feature = "compiler")]
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CompileError {
    pub message: String,
    pub diagnostics: Vec<Positioned>,
}

/// Why a citizen could not be evaluated. Never a partial report.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum EvaluateError {
    /// The evaluation date is not a `YYYY-MM-DD` date in the calendar.
    InvalidDate { message: String },
    /// The data is not JSON (only from the `_json` functions).
    InvalidJson { message: String },
    /// The data does not fit the declared inputs: each problem at its path.
    InvalidFacts { message: String, problems: Vec<FactProblem> },
}

/// Sources from (file name, text) pairs.
#[cfg(feature = "compiler")]
pub fn sources<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Sources {
    let mut sources = Sources::new();
    for (name, text) in files {
        sources.add(name.as_ref(), text.as_ref());
    }
    sources
}

/// Every problem in the rules, errors and warnings, for editors. Never fails.
#[cfg(feature = "compiler")]
pub fn check<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Vec<Positioned> {
    let sources = sources(files);
    let compiled = crate::compile::compile(&sources);
    compiled.diagnostics.iter().map(|d| position(&sources, d)).collect()
}

impl Engine {
    /// An engine for a program already compiled (its warnings were reported then).
    pub fn from_program(program: Program) -> Engine {
        Engine {
            program,
            #[cfg(feature = "compiler")]
            warnings: Vec::new(),
        }
    }

    /// An engine for a precompiled program (`to_bytes`, `eligo build`): no parsing or checking.
    pub fn load(bytes: &[u8]) -> Result<Engine, LoadError> {
        crate::precompiled::from_bytes(bytes).map(Engine::from_program)
    }

    /// The program as bytes for `load`, without its examples.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::precompiled::to_bytes(&self.program)
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Evaluates one citizen's data (a JSON object) on `date` (`YYYY-MM-DD`).
    pub fn evaluate(&self, data: &serde_json::Value, date: &str, options: Options) -> Result<Report, EvaluateError> {
        let date = parse_date(date)?;
        let facts = crate::facts::from_json(&self.program, data).map_err(invalid_facts)?;
        let mut report = eval::evaluate(&self.program, &facts.values, date, options);
        report.warnings = facts.warnings;
        Ok(report)
    }

    /// `evaluate` with JSON text in and out: `{"ok": report}` or `{"error": …}`.
    pub fn evaluate_json(&self, data: &str, date: &str, options: Options) -> String {
        let result = read_data(data).and_then(|data| self.evaluate(&data, date, options));
        to_json_result(&result)
    }

    /// The lean decisions for one citizen: each policy's status and amount, without labels,
    /// missing facts or traces. For screening and for lists, where the full report is not shown.
    pub fn decide(&self, data: &serde_json::Value, date: &str) -> Result<Vec<Decision<'_>>, EvaluateError> {
        let on = self.on(date)?;
        let facts = crate::facts::from_json(&self.program, data).map_err(invalid_facts)?;
        Ok(self.decide_facts(&on, &facts.values))
    }

    /// The parameters in force on `date`, to decide many citizens on it.
    pub fn on(&self, date: &str) -> Result<eval::OnDate, EvaluateError> {
        Ok(eval::OnDate::new(&self.program, parse_date(date)?))
    }

    /// The lean decisions for facts already read (see `facts`).
    pub fn decide_facts(&self, on: &eval::OnDate, facts: &[eval::value::Value]) -> Vec<Decision<'_>> {
        let outcomes = eval::decide_on(&self.program, on, facts, eval::Depth::Lean);
        self.program.policies.iter().zip(&outcomes).map(|(policy, outcome)| Decision::of(policy, outcome)).collect()
    }

    /// `decide` for many records on one date, as JSON text: `[[decision, …] | {"error": …}, …]`.
    pub fn decide_many_json(&self, records: &str, date: &str) -> Result<String, EvaluateError> {
        // Read strictly (robustness): a record with a key twice is an error in its place.
        let records = crate::json::parse_records(records).map_err(|unreadable| match unreadable {
            crate::json::Unreadable::Syntax(e) => {
                EvaluateError::InvalidJson { message: format!("records must be a JSON array of objects: {e}") }
            }
            crate::json::Unreadable::Problems(problems) => invalid_facts(problems),
        })?;
        parse_date(date)?;
        let results: Vec<serde_json::Value> = records
            .iter()
            .map(|data| match data.as_ref().map_err(|problems| invalid_facts(problems.clone())) {
                Ok(data) => match self.decide(data, date) {
                    Ok(decisions) => serde_json::to_value(decisions).unwrap_or_default(),
                    Err(error) => serde_json::json!({ "error": error }),
                },
                Err(error) => serde_json::json!({ "error": error }),
            })
            .collect();
        Ok(serde_json::Value::Array(results).to_string())
    }

    /// The inputs a form should ask for, with their labels, questions and constraints.
    pub fn schema(&self) -> Schema {
        let program = &self.program;
        Schema {
            ruleset: program.id.clone(),
            title: program.title.clone(),
            inputs: program.inputs.iter().map(|input| self.input_schema(input)).collect(),
        }
    }

    fn input_schema(&self, input: &InputDef) -> InputSchema {
        let program = &self.program;
        let (kind, options, fields) = match input.ty {
            Type::Bool => ("bool", None, None),
            Type::Int => ("int", None, None),
            Type::Decimal => ("decimal", None, None),
            Type::Money => ("money", None, None),
            Type::Date => ("date", None, None),
            Type::Text => ("text", None, None),
            Type::Enum(e) => ("enum", Some(program.enums[e as usize].options.clone()), None),
            Type::List(r) => {
                ("list", None, Some(program.records[r as usize].fields.iter().map(|f| self.input_schema(f)).collect()))
            }
            Type::Record(_) | Type::Error => ("text", None, None),
        };
        let bound = |v: &Option<eval::value::Value>| v.as_ref().map(|v| eval::to_json(v, input.ty));
        InputSchema {
            name: input.name.clone(),
            kind,
            label: input.label.clone(),
            question: input.question.clone(),
            hint: input.hint.clone(),
            min: bound(&input.min),
            max: bound(&input.max),
            options,
            fields,
        }
    }

    /// The policies with their metadata.
    pub fn policies(&self) -> Vec<PolicyInfo> {
        self.program
            .policies
            .iter()
            .map(|p| PolicyInfo {
                id: p.id.clone(),
                title: p.title.clone(),
                source: p.source.clone(),
                effective_from: p.effective_from.map(|d| d.to_string()),
                effective_until: p.effective_until.map(|d| d.to_string()),
                period: p.output(&crate::ast::OutputName::Amount).and_then(|o| o.period).map(|p| match p {
                    crate::ast::Period::Monthly => "month",
                    crate::ast::Period::Yearly => "year",
                    crate::ast::Period::Once => "once",
                }),
            })
            .collect()
    }
}

/// Compiling rule text: only with the `compiler` feature (the evaluation-only build loads
/// precompiled programs).
#[cfg(feature = "compiler")]
impl Engine {
    pub fn compile<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Result<Engine, CompileError> {
        Engine::compile_with(files, true)
    }

    /// `compile`; without the examples when `examples` is false (a page that only evaluates
    /// citizens starts faster, and `run_examples` then finds none).
    pub fn compile_with<N: AsRef<str>, T: AsRef<str>>(
        files: &[(N, T)],
        examples: bool,
    ) -> Result<Engine, CompileError> {
        let sources = sources(files);
        let compiled = crate::compile::compile_with(&sources, examples);
        let diagnostics: Vec<Positioned> = compiled.diagnostics.iter().map(|d| position(&sources, d)).collect();
        match compiled.program {
            Some(program) => Ok(Engine { program, warnings: diagnostics }),
            None => {
                let errors = diagnostics.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count();
                let first = diagnostics.iter().find(|d| d.severity == crate::diagnostic::Severity::Error);
                let message = match first {
                    Some(d) => format!(
                        "{errors} error{} in the rules; the first: {}:{}:{}: {}",
                        if errors == 1 { "" } else { "s" },
                        d.file,
                        d.start.line,
                        d.start.column,
                        d.message
                    ),
                    None => "the rules did not compile".into(),
                };
                Err(CompileError { message, diagnostics })
            }
        }
    }

    /// Warnings found while compiling.
    pub fn warnings(&self) -> &[Positioned] {
        &self.warnings
    }

    /// Runs the examples written in the rules.
    pub fn run_examples(&self) -> Vec<ExampleResult> {
        crate::examples::run_all(&self.program)
    }
}

/// Citizen data from JSON text, read strictly (see `json`): a key written twice in one object, or
/// data nested too deeply, is refused with its path, never resolved silently.
pub fn read_data(text: &str) -> Result<serde_json::Value, EvaluateError> {
    crate::json::parse(text).map_err(|unreadable| match unreadable {
        crate::json::Unreadable::Syntax(e) => {
            EvaluateError::InvalidJson { message: format!("the data is not valid JSON: {e}") }
        }
        crate::json::Unreadable::Problems(problems) => invalid_facts(problems),
    })
}

fn parse_date(date: &str) -> Result<Date, EvaluateError> {
    Date::parse(date).ok_or_else(|| EvaluateError::InvalidDate {
        message: format!("the evaluation date must be a date in the calendar written YYYY-MM-DD, got \"{date}\""),
    })
}

fn invalid_facts(problems: Vec<FactProblem>) -> EvaluateError {
    EvaluateError::invalid_facts(problems)
}

impl EvaluateError {
    /// The error for data that does not fit the inputs, its message naming the first problem.
    pub fn invalid_facts(problems: Vec<FactProblem>) -> EvaluateError {
        // A problem with the data as a whole has no path: no leading ": " then.
        let at =
            |p: &FactProblem| if p.path.is_empty() { p.message.clone() } else { format!("{}: {}", p.path, p.message) };
        let message = match problems.as_slice() {
            [] => "the data does not fit the rules' inputs".to_string(),
            [one] => at(one),
            [first, ..] => format!("{} problems in the data; the first: {}", problems.len(), at(first)),
        };
        EvaluateError::InvalidFacts { message, problems }
    }
}

fn to_json_result<T: Serialize, E: Serialize>(result: &Result<T, E>) -> String {
    let value = match result {
        Ok(ok) => serde_json::json!({ "ok": ok }),
        Err(error) => serde_json::json!({ "error": error }),
    };
    value.to_string()
}

/// A policy's status and amount, and nothing else.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Decision<'p> {
    pub id: &'p str,
    pub status: crate::ast::Status,
    /// Money as a string, when eligible and the policy has an amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<&'static str>,
}

impl<'p> Decision<'p> {
    fn of(policy: &'p crate::program::PolicyDef, outcome: &eval::PolicyOutcome) -> Decision<'p> {
        let amount = match (outcome.status, outcome.amount(policy).and_then(|a| a.as_decimal())) {
            (crate::ast::Status::Eligible, Some(amount)) => Some(eval::money(amount)),
            _ => None,
        };
        let period =
            amount.as_ref().and_then(|_| policy.output(&crate::ast::OutputName::Amount)?.period).map(period_word);
        Decision { id: &policy.id, status: outcome.status, amount, period }
    }
}

/// The period of an amount as the report writes it.
pub fn period_word(period: crate::ast::Period) -> &'static str {
    match period {
        crate::ast::Period::Monthly => "month",
        crate::ast::Period::Yearly => "year",
        crate::ast::Period::Once => "once",
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    pub ruleset: String,
    pub title: Text,
    pub inputs: Vec<InputSchema>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InputSchema {
    pub name: String,
    /// bool, int, decimal, money, date, text, enum or list.
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<crate::program::EnumOption>>,
    /// The fields of each item, for a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<InputSchema>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyInfo {
    pub id: String,
    pub title: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::program::Citation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<String>,
    /// The period of the amount: month, year or once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<&'static str>,
}

/// Options from the words callers use: `lang` "zh" or "en", `trace` true to explain.
pub fn options(lang: Option<&str>, trace: bool) -> Options {
    Options { lang: if lang == Some("en") { Lang::En } else { Lang::Zh }, trace }
}
