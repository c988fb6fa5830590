//! `eligo check`: every problem in the rules, or a one-line summary of a valid rule set.

use super::{files, Format};
use eligo::compile::Compiled;

use eligo::render::{position, render};
use eligo::source::Sources;
use std::process::ExitCode;

pub fn run(paths: &[std::path::PathBuf], format: Format) -> ExitCode {
    let (sources, compiled) = match files::compiled(paths) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    report(&sources, &compiled, format);
    if compiled.program.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints diagnostics and the summary; shared by `check` and by `test` when the rules are invalid.
pub fn report(sources: &Sources, compiled: &Compiled, format: Format) {
    let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = compiled.diagnostics.len() - errors;
    match format {
        Format::Json => {
            let diagnostics: Vec<_> = compiled.diagnostics.iter().map(|d| position(sources, d)).collect();
            let output = serde_json::json!({
                "valid": compiled.program.is_some(),
                "errors": errors,
                "warnings": warnings,
                "summary": compiled.program.as_ref().map(|program| summary(program, compiled.examples.len())),
                "diagnostics": diagnostics,
            });
            say_json!("{output:#}");
        }
        Format::Human => {
            for diagnostic in &compiled.diagnostics {
                eprintln!("{}", render(sources, diagnostic));
            }
            let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            match &compiled.program {
                Some(program) => {
                    let s = summary(program, compiled.examples.len());
                    say!(
                        "✓ {} is valid: {}, {}, {}, {}, {}, {}{}",
                        program.id,
                        plural(s["files"].as_u64().unwrap_or(0) as usize, "file"),
                        plural(program.inputs.len(), "input"),
                        plural(program.params.len(), "parameter"),
                        plural(program.tables.len(), "table"),
                        plural(program.policies.len(), "policy").replace("policys", "policies"),
                        plural(compiled.examples.len(), "example"),
                        if warnings > 0 { format!(" ({})", plural(warnings, "warning")) } else { String::new() }
                    );
                }
                None => eprintln!("✗ {}, {}", plural(errors, "error"), plural(warnings, "warning")),
            }
        }
    }
}

fn summary(program: &eligo::program::Program, examples: usize) -> serde_json::Value {
    serde_json::json!({
        "ruleset": program.id,
        "files": program.sources.files.len(),
        "inputs": program.inputs.len(),
        "parameters": program.params.len(),
        "definitions": program.lets.len(),
        "tables": program.tables.len(),
        "policies": program.policies.len(),
        "examples": examples,
    })
}
