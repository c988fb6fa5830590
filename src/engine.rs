//! The typed API: a compiled rule set ([`Engine`]), read facts, dates and options in; reports,
//! decisions, schemas out. `ffi` offers the same over JSON text.

#[cfg(feature = "compiler")]
use crate::bundle::ProgramHash;
use crate::bundle::Provenance;
pub use crate::bundle::Trust;
use crate::date::Date;
use crate::eval::{self, OnDate, Options};
#[cfg(feature = "compiler")]
use crate::examples::{ExampleDef, ExampleResult};
use crate::facts::Facts;
pub use crate::precompiled::LoadError;
use crate::program::{InputDef, Program, Type};
#[cfg(feature = "compiler")]
use crate::render::{position, Positioned};
use crate::report::{self, FactProblem, Report};
#[cfg(feature = "compiler")]
use crate::source::Sources;
use crate::value::Value;
#[cfg(feature = "compiler")]
use crate::vocabulary::Lang;
use crate::vocabulary::{OutputName, Status, Text};
use serde::Serialize;

/// A compiled rule set, ready to evaluate citizens. One engine serves many threads.
#[derive(Debug, Clone)]
pub struct Engine {
    program: Program,
    origin: Origin,
    /// Found while compiling (none for a loaded program: they were reported when it was built).
    #[cfg(feature = "compiler")]
    warnings: Vec<Positioned>,
    /// The examples written in the rules (none for a loaded program, which does not store them).
    #[cfg(feature = "compiler")]
    examples: Vec<ExampleDef>,
}

/// Where an engine's program comes from.
#[derive(Debug, Clone)]
enum Origin {
    /// A bundle that was verified, or an unsigned program loaded with `Trust::allow_unsigned`.
    Loaded(Provenance),
    /// Compiled from rule text here (or given as a program): unsigned, its hash that of its bytes,
    /// computed when a report first asks for it. Only with the compiler: without it every program
    /// is loaded, so the evaluation-only module carries no writer of programs (8 KB gzipped).
    #[cfg(feature = "compiler")]
    Compiled(std::sync::OnceLock<ProgramHash>),
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
    /// The data is not JSON (only from the JSON functions of `ffi`).
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

/// Every problem in the rules, errors and warnings, for editors, in English. Never fails.
#[cfg(feature = "compiler")]
pub fn check<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Vec<Positioned> {
    check_in(files, Lang::En)
}

/// `check`, its texts in `lang`.
#[cfg(feature = "compiler")]
pub fn check_in<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)], lang: Lang) -> Vec<Positioned> {
    let sources = sources(files);
    let compiled = crate::compile::compile(&sources);
    compiled.diagnostics.iter().map(|d| position(&sources, d, lang)).collect()
}

impl Engine {
    fn new(program: Program, origin: Origin) -> Engine {
        Engine {
            program,
            origin,
            #[cfg(feature = "compiler")]
            warnings: Vec::new(),
            #[cfg(feature = "compiler")]
            examples: Vec::new(),
        }
    }

    /// An engine for a program already compiled (its warnings were reported then).
    #[cfg(feature = "compiler")]
    pub fn from_program(program: Program) -> Engine {
        Engine::new(program, Origin::Compiled(std::sync::OnceLock::new()))
    }

    /// An engine for a signed bundle (`eligo build --sign`) that `trust` accepts, verified before
    /// anything in it is decoded; or for an unsigned precompiled program (`to_bytes`, `eligo
    /// build`) when `trust` allows them. No parsing or checking.
    pub fn load(bytes: &[u8], trust: &Trust) -> Result<Engine, LoadError> {
        let (provenance, program) = crate::bundle::load(bytes, trust)?;
        Ok(Engine::new(program, Origin::Loaded(provenance)))
    }

    /// The rules as a report names them, without a verification code (which needs a date).
    pub fn rules(&self) -> report::Rules {
        report::Rules::of(&self.provenance(), &self.program.id, None)
    }

    /// Where the rules come from: signed by whom (verified), or unsigned.
    pub fn provenance(&self) -> Provenance {
        match &self.origin {
            Origin::Loaded(provenance) => provenance.clone(),
            #[cfg(feature = "compiler")]
            Origin::Compiled(hash) => {
                Provenance::Unsigned { hash: *hash.get_or_init(|| ProgramHash::of(&self.to_bytes())) }
            }
        }
    }

    /// The program as bytes for `load`, without its examples.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::precompiled::to_bytes(&self.program)
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Reads a citizen's data (a JSON object) against the rules' inputs: every problem, at its
    /// path, or the facts with warnings for the keys the rules do not use.
    pub fn facts(&self, data: &serde_json::Value) -> Result<Facts, EvaluateError> {
        crate::facts::from_json(&self.program, data).map_err(EvaluateError::invalid_facts)
    }

    /// Evaluates one citizen on `date` into a full report.
    pub fn evaluate(&self, facts: &Facts, date: Date, options: &Options) -> Report {
        let mut report = eval::evaluate(&self.program, &facts.values, date, *options);
        report.warnings.clone_from(&facts.warnings);
        report.rules = Some(report::Rules::of(&self.provenance(), &self.program.id, Some(date)));
        report
    }

    /// The lean decisions for one citizen: each policy's status and amount, without labels,
    /// missing facts or traces. For screening and for lists, where the full report is not shown.
    pub fn decide(&self, facts: &Facts, date: Date) -> Vec<Decision<'_>> {
        self.decide_on(&self.on(date), &facts.values)
    }

    /// The parameters in force on `date`, to decide many citizens on it.
    pub fn on(&self, date: Date) -> OnDate {
        OnDate::new(&self.program, date)
    }

    /// The lean decisions for facts already read, on a date already resolved.
    pub fn decide_on(&self, on: &OnDate, facts: &[Value]) -> Vec<Decision<'_>> {
        let outcomes = eval::decide_on(&self.program, on, facts, eval::Depth::Lean);
        self.program.policies.iter().zip(&outcomes).map(|(policy, outcome)| Decision::of(policy, outcome)).collect()
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
            Type::Error => ("text", None, None),
        };
        let bound = |v: &Option<Value>| v.as_ref().map(|v| report::Value::of(v, input.ty));
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
                period: p.output(&OutputName::Amount).and_then(|o| o.period).map(|p| p.as_str()),
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
        Engine::compile_in(files, examples, Lang::En)
    }

    /// `compile_with`, the diagnostics (warnings, or the errors) in `lang`.
    pub fn compile_in<N: AsRef<str>, T: AsRef<str>>(
        files: &[(N, T)],
        examples: bool,
        lang: Lang,
    ) -> Result<Engine, CompileError> {
        let sources = sources(files);
        let compiled = crate::compile::compile_with(&sources, examples);
        let diagnostics: Vec<Positioned> = compiled.diagnostics.iter().map(|d| position(&sources, d, lang)).collect();
        match compiled.program {
            Some(program) => {
                Ok(Engine { warnings: diagnostics, examples: compiled.examples, ..Engine::from_program(program) })
            }
            None => {
                let errors = diagnostics.iter().filter(|d| d.severity == crate::diagnostic::Severity::Error).count();
                let first = diagnostics.iter().find(|d| d.severity == crate::diagnostic::Severity::Error);
                let message = match (first, lang) {
                    (Some(d), Lang::En) => format!(
                        "{errors} error{} in the rules; the first: {}:{}:{}: {}",
                        if errors == 1 { "" } else { "s" },
                        d.file,
                        d.start.line,
                        d.start.column,
                        d.message
                    ),
                    (Some(d), Lang::Zh) => format!(
                        "规则中有 {errors} 个错误；第一个：{}:{}:{}：{}",
                        d.file, d.start.line, d.start.column, d.message
                    ),
                    (None, Lang::En) => "the rules did not compile".into(),
                    (None, Lang::Zh) => "规则未能编译".into(),
                };
                Err(CompileError { message, diagnostics })
            }
        }
    }

    /// Warnings found while compiling.
    pub fn warnings(&self) -> &[Positioned] {
        &self.warnings
    }

    /// The examples written in the rules.
    pub fn examples(&self) -> &[ExampleDef] {
        &self.examples
    }

    /// Runs the examples written in the rules.
    pub fn run_examples(&self) -> Vec<ExampleResult> {
        crate::examples::run_all(&self.program, &self.examples)
    }
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

/// A policy's status and amount, and nothing else.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Decision<'p> {
    pub id: &'p str,
    pub status: Status,
    /// Money as a string, when eligible and the policy has an amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<&'static str>,
}

impl<'p> Decision<'p> {
    fn of(policy: &'p crate::program::PolicyDef, outcome: &eval::PolicyOutcome) -> Decision<'p> {
        let amount = match (outcome.status, outcome.amount(policy).and_then(|a| a.as_money())) {
            (Status::Eligible, Some(amount)) => Some(eval::money(amount)),
            _ => None,
        };
        let period = amount.as_ref().and_then(|_| policy.output(&OutputName::Amount)?.period).map(|p| p.as_str());
        Decision { id: &policy.id, status: outcome.status, amount, period }
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
    pub min: Option<report::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<report::Value>,
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
