//! Writes the report from the decisions: outputs as typed report values, missing facts as paths, the questions
//! to ask next, and (when asked for) the trace a person can follow.

use super::expr::Env;
use super::policy::{Decided, OutputValue, PolicyOutcome};
use super::Options;
use crate::program::{NameRef, PolicyDef, Program, Type};
use crate::report::*;
use crate::source::Span;
use crate::value::{FactKey, Value};
use crate::vocabulary::{ConditionKind, Status};

pub fn write(env: &Env, outcomes: &[PolicyOutcome], options: Options) -> Report {
    let (program, date) = (env.program, env.date);
    let policies = program
        .policies
        .iter()
        .zip(outcomes)
        .map(|(policy, outcome)| policy_result(env, policy, outcome, options))
        .collect();
    Report {
        date: date.to_string(),
        ruleset: program.id.clone(),
        lang: options.lang,
        policies,
        ask_next: ask_next(program, outcomes, options),
        warnings: Vec::new(),
        rules: None,
    }
}

fn policy_result(env: &Env, policy: &PolicyDef, outcome: &PolicyOutcome, options: Options) -> PolicyResult {
    let (program, lang) = (env.program, options.lang);
    let mut outputs = Outputs::default();
    if outcome.status == Status::Eligible {
        for (def, out) in policy.outputs.iter().zip(&outcome.outputs) {
            outputs.insert(def.name.as_str(), crate::report::Value::of(&out.value, def.ty));
            if let Some(period) = def.period {
                outputs.insert("period", crate::report::Value::Period(period));
            }
        }
        if let Some(payable) = &outcome.payable {
            outputs.insert("payable", crate::report::Value::of(payable, Type::Money));
        }
    }
    let missing = if outcome.status == Status::Undetermined {
        outcome.missing.keys().iter().map(|k| fact_path(program, *k)).collect()
    } else {
        Vec::new()
    };
    let mut failed: Vec<String> = Vec::new();
    if outcome.status == Status::Ineligible {
        for (condition, value) in policy.conditions.iter().zip(&outcome.conditions) {
            if met(condition.kind, value) == Some(false) {
                failed.push(condition.label.get(lang).to_string());
            }
        }
    }
    let excluded_by = outcome.excluded_by.map(|winner| program.policies[winner as usize].id.clone());
    PolicyResult {
        id: policy.id.clone(),
        title: policy.title.get(lang).to_string(),
        status: outcome.status,
        outputs,
        missing,
        failed,
        excluded_by,
        // The citation explains: it comes with the trace ("why?"). Without it a report lists
        // answers, and `policies()` gives every citation once; repeated in every report it was two
        // fifths of its text, and of the time a page spent reading it.
        source: policy.source.clone().filter(|_| options.trace),
        error: outcome
            .error
            .as_ref()
            .map(|e| ReportError { message: e.kind.message(lang), at: location(program, e.span) }),
        trace: options.trace.then(|| trace(env, policy, outcome, options)),
    }
}

fn met(kind: ConditionKind, value: &super::expr::Result<Value>) -> Option<bool> {
    match value {
        Ok(Value::Bool(b)) => Some(*b == (kind == ConditionKind::Require)),
        _ => None,
    }
}

fn trace(env: &Env, policy: &PolicyDef, outcome: &PolicyOutcome, options: Options) -> Vec<TraceStep> {
    let (program, date, lang) = (env.program, env.date, options.lang);
    let mut steps = Vec::new();
    if outcome.status == Status::NotApplicable {
        let range = match (policy.effective_from, policy.effective_until) {
            (Some(from), Some(until)) => format!("{from} – {until}"),
            (Some(from), None) => format!("{from} –"),
            (None, Some(until)) => format!("– {until}"),
            (None, None) => String::new(),
        };
        let label = match lang {
            crate::vocabulary::Lang::En => format!("In force {range}; not on {date}"),
            crate::vocabulary::Lang::Zh => format!("有效期 {range}，{date} 不在有效期内"),
        };
        steps.push(TraceStep {
            kind: StepKind::Effective,
            label,
            outcome: Some(false),
            met: Some(false),
            values: Vec::new(),
            decided_by: None,
            at: Some(location(program, policy.span)),
        });
        return steps;
    }
    for (condition, value) in policy.conditions.iter().zip(&outcome.conditions) {
        steps.push(TraceStep {
            kind: if condition.kind == ConditionKind::Require { StepKind::Require } else { StepKind::Unless },
            label: condition.label.get(lang).to_string(),
            outcome: match value {
                Ok(Value::Bool(b)) => Some(*b),
                _ => None,
            },
            met: met(condition.kind, value),
            values: condition.reads.iter().map(|r| trace_value(env, *r)).collect(),
            decided_by: None,
            at: Some(location(program, condition.span)),
        });
    }
    for (def, out) in policy.outputs.iter().zip(&outcome.outputs) {
        let label = def.label.as_ref().map_or_else(|| def.name.as_str().to_string(), |l| l.get(lang).to_string());
        steps.push(TraceStep {
            kind: StepKind::Output,
            label: format!("{label} = {}", crate::report::Value::of(&out.value, def.ty)),
            outcome: None,
            met: None,
            values: def.reads.iter().map(|r| trace_value(env, *r)).collect(),
            decided_by: decided_by(program, def, out, lang),
            at: Some(location(program, def.span)),
        });
    }
    if let Some(winner) = outcome.excluded_by {
        let winner = &program.policies[winner as usize];
        let label = match lang {
            crate::vocabulary::Lang::En => {
                format!("Cannot be received together with “{}”, which is granted instead", winner.title.get(lang))
            }
            crate::vocabulary::Lang::Zh => format!("不能与“{}”同时享受，按规定享受后者", winner.title.get(lang)),
        };
        steps.push(TraceStep {
            kind: StepKind::Relation,
            label,
            outcome: Some(true),
            met: Some(false),
            values: Vec::new(),
            decided_by: Some(winner.id.clone()),
            at: Some(location(program, policy.span)),
        });
    }
    steps
}

fn decided_by(
    program: &Program,
    def: &crate::program::OutputDef,
    out: &OutputValue,
    lang: crate::vocabulary::Lang,
) -> Option<String> {
    let mut parts = Vec::new();
    if let Decided::Exception(i) = out.decided {
        let exception = &def.exceptions[i];
        parts.push(match lang {
            crate::vocabulary::Lang::En => format!("exception “{}”", exception.label.get(lang)),
            crate::vocabulary::Lang::Zh => format!("例外“{}”", exception.label.get(lang)),
        });
    }
    for hit in &out.hits {
        let table = &program.tables[hit.table as usize];
        let name = table.label.as_ref().map_or(table.name.as_str(), |l| l.get(lang));
        let row = match hit.row {
            Some(r) => &table.rows[r],
            None => table.otherwise.as_ref()?,
        };
        let value = program.sources.snippet(row.value.span);
        parts.push(format!("{name}: {} => {value}", row.text));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn trace_value(env: &Env, name: NameRef) -> TraceValue {
    let program = env.program;
    let (value, ty, since) = match name {
        NameRef::Input(i) => (Ok(env.facts[i as usize].clone()), program.inputs[i as usize].ty, None),
        NameRef::Let(i) => (env.lets[i as usize].clone(), program.lets[i as usize].ty, None),
        NameRef::Param(i) => {
            let param = &program.params[i as usize];
            let since = param.at(env.date).and_then(|d| d.from).map(|d| d.to_string());
            (env.params[i as usize].clone(), param.ty, since)
        }
    };
    let value = value.map_or(crate::report::Value::Unknown, |v| crate::report::Value::of(&v, ty));
    TraceValue { name: program.name_of(name).to_string(), value, since }
}

pub fn fact_path(program: &Program, key: FactKey) -> String {
    let input = &program.inputs[key.input as usize];
    if key.item == FactKey::NONE {
        return input.name.clone();
    }
    let field = match input.ty {
        Type::List(r) => program.records[r as usize].fields.get(key.field as usize).map_or("?", |f| f.name.as_str()),
        _ => "?",
    };
    format!("{}[{}].{}", input.name, key.item, field)
}

fn ask_next(program: &Program, outcomes: &[PolicyOutcome], options: Options) -> Vec<AskNext> {
    // Counted by sorting, not by looking each key up in the counts so far: that is quadratic in
    // the missing facts, minutes for a long list whose items all miss facts (robustness).
    let mut keys: Vec<FactKey> = outcomes
        .iter()
        .filter(|o| o.status == Status::Undetermined)
        .flat_map(|o| o.missing.keys().iter().copied())
        .collect();
    keys.sort_unstable();
    let mut counts: Vec<(FactKey, usize)> = Vec::new();
    for key in keys {
        match counts.last_mut() {
            Some((last, n)) if *last == key => *n += 1,
            _ => counts.push((key, 1)),
        }
    }
    counts.sort_by(|(ka, a), (kb, b)| b.cmp(a).then(ka.cmp(kb)));
    counts
        .into_iter()
        .map(|(key, settles)| {
            let input = &program.inputs[key.input as usize];
            let def = match (key.item == FactKey::NONE, input.ty) {
                (false, Type::List(r)) => program.records[r as usize].fields.get(key.field as usize).unwrap_or(input),
                _ => input,
            };
            AskNext {
                input: fact_path(program, key),
                settles,
                label: def.label.as_ref().map(|l| l.get(options.lang).to_string()),
                question: def.question.as_ref().map(|q| q.get(options.lang).to_string()),
            }
        })
        .collect()
}

pub fn location(program: &Program, span: Span) -> Location {
    match program.sources.get(span.file) {
        Some(file) => {
            let position = file.position(span.start as usize);
            Location { file: file.name.clone(), line: position.line, column: position.column }
        }
        None => Location { file: String::new(), line: 0, column: 0 },
    }
}
