//! The report: the contract between the engine, the CLI, the page and embedders. JSON, camelCase,
//! stable; documented in docs/report.md and by the JSON Schema in docs/report.schema.json.
//! Money and decimals are strings ("2175.00"), so JavaScript never turns them into floats.

use crate::program::Citation;
use crate::vocabulary::Status;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The evaluation date, YYYY-MM-DD.
    pub date: String,
    pub ruleset: String,
    pub lang: crate::vocabulary::Lang,
    pub policies: Vec<PolicyResult>,
    /// Missing facts, the one that settles the most undetermined policies first.
    pub ask_next: Vec<AskNext>,
    /// Data that was given but not used (unknown keys), never silently.
    pub warnings: Vec<FactProblem>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// `amount` and `period` ("month", "year", "once"), `fee`, `waiver`, `payable` and named
    /// outputs; present when eligible.
    pub outputs: serde_json::Map<String, serde_json::Value>,
    /// The missing facts that could change this answer (undetermined only).
    pub missing: Vec<String>,
    /// Labels of the conditions that are not met (ineligible only).
    pub failed: Vec<String>,
    /// The policy granted instead, when an exclusion or a highest-amount group took this one away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Citation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ReportError>,
    /// Present when the caller asked for explanations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportError {
    pub message: String,
    pub at: Location,
}

/// A place in a rule file.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AskNext {
    /// The fact's path: `birth_date`, `household[0].monthly_income`.
    pub input: String,
    /// How many undetermined policies it could settle.
    pub settles: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// A `require` condition.
    Require,
    /// An `unless` exclusion.
    Unless,
    /// How an output got its value.
    Output,
    /// An exclusion or highest-amount group between policies.
    Relation,
    /// The policy's effective period.
    Effective,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    pub kind: StepKind,
    pub label: String,
    /// The value of the condition (true, false, or null when unknown). For an `unless` exclusion,
    /// true means the exclusion applies.
    pub outcome: Option<bool>,
    /// Whether this step lets the policy be granted (null when unknown).
    pub met: Option<bool>,
    /// The named values the step read.
    pub values: Vec<TraceValue>,
    /// What decided an output: the exception, or the table row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Location>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TraceValue {
    pub name: String,
    /// null when missing.
    pub value: serde_json::Value,
    /// For a parameter: the date its value has been in force from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

/// A problem with the citizen's data, at a JSON path.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FactProblem {
    pub path: String,
    pub message: String,
}
