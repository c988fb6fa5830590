//! `eligo test`: runs every example in the rule files; a line per failure, then `N passed, M failed`.

use super::{check, files, Format};
use eligo::compile::{compile, Compiled};
use std::process::ExitCode;

pub fn run(paths: &[std::path::PathBuf], format: Format) -> ExitCode {
    let loaded = match files::load(paths) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let compiled = if loaded.problems.is_empty() {
        compile(&loaded.sources)
    } else {
        Compiled { program: None, diagnostics: loaded.problems.clone() }
    };
    let Some(program) = &compiled.program else {
        check::report(&loaded.sources, &compiled, format);
        return ExitCode::from(1);
    };
    let results = eligo::examples::run_all(program);
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    match format {
        Format::Json => {
            let output = serde_json::json!({ "passed": passed, "failed": failed, "examples": results });
            say!("{output:#}");
        }
        Format::Human => {
            for result in results.iter().filter(|r| !r.passed) {
                say!("FAIL {}:{}:{} example \"{}\"", result.at.file, result.at.line, result.at.column, result.name);
                for failure in &result.failures {
                    say!("     {}:{}: {}", failure.at.file, failure.at.line, failure.message);
                }
            }
            say!("{passed} passed, {failed} failed");
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
