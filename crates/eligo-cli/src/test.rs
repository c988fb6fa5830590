//! `eligo test`: runs every example in the rule files; a line per failure, then `N passed, M failed`.

use super::{files, Format, Lang};
use std::process::ExitCode;

pub fn run(paths: &[std::path::PathBuf], format: Format, lang: Lang) -> ExitCode {
    let (program, examples) = match files::program(paths, format, lang) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let results = eligo::examples::run_all(&program, &examples);
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    match format {
        Format::Json => {
            let output = serde_json::json!({ "passed": passed, "failed": failed, "examples": results });
            say_raw!("{output:#}");
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
