//! `eligo check`: every problem in the rules, or a one-line summary of a valid rule set.

use super::{files, Format, Lang};
use eligo::compile::Compiled;

use eligo::render::{position, render};
use eligo::source::Sources;
use std::process::ExitCode;

pub fn run(paths: &[std::path::PathBuf], format: Format, lang: Lang) -> ExitCode {
    let (sources, compiled) = match files::compiled(paths, lang) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    report(&sources, &compiled, format, lang);
    if compiled.program.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints diagnostics and the summary; shared by `check` and by `test` when the rules are invalid.
pub fn report(sources: &Sources, compiled: &Compiled, format: Format, lang: Lang) {
    let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = compiled.diagnostics.len() - errors;
    match format {
        Format::Json => {
            let diagnostics: Vec<_> =
                compiled.diagnostics.iter().map(|d| position(sources, d, lang.messages())).collect();
            let output = serde_json::json!({
                "valid": compiled.program.is_some(),
                "errors": errors,
                "warnings": warnings,
                "summary": compiled.program.as_ref().map(|program| summary(program, compiled.examples.len())),
                "diagnostics": diagnostics,
            });
            say_raw!("{output:#}");
        }
        Format::Human => {
            for diagnostic in &compiled.diagnostics {
                eprintln!("{}", crate::terminal::escape_lines(&render(sources, diagnostic, lang.messages())));
            }
            let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            match (&compiled.program, lang) {
                (Some(program), Lang::Zh) => {
                    let files = summary(program, compiled.examples.len())["files"].as_u64().unwrap_or(0);
                    say!(
                        "✓ {} 有效：{files} 个文件、{} 个输入项、{} 个参数、{} 张表、{} 项政策、{} 个示例{}",
                        program.id,
                        program.inputs.len(),
                        program.params.len(),
                        program.tables.len(),
                        program.policies.len(),
                        compiled.examples.len(),
                        if warnings > 0 { format!("（{warnings} 个警告）") } else { String::new() }
                    );
                }
                (Some(program), Lang::En) => {
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
                (None, Lang::Zh) => tell!("✗ {errors} 个错误，{warnings} 个警告"),
                (None, Lang::En) => tell!("✗ {}, {}", plural(errors, "error"), plural(warnings, "warning")),
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
