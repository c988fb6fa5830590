//! `eligo build`: compiles rule files once into a precompiled program (`.eligo`), which a page
//! loads without parsing or checking the rules (see docs/embedding.md).

use super::{check, files, Format};
use eligo::render::render;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(paths: &[PathBuf], output: &Path) -> ExitCode {
    // Without the examples: they are not stored (`eligo test` runs them).
    let (sources, compiled) = match files::compiled_with(paths, false) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    let Some(program) = &compiled.program else {
        check::report(&sources, &compiled, Format::Human);
        return ExitCode::from(1);
    };
    for warning in &compiled.diagnostics {
        eprintln!("{}", crate::terminal::escape_lines(&render(&sources, warning)));
    }
    let bytes = eligo::precompiled::to_bytes(program);
    // What is written is loaded first, so that a file `eligo build` writes always loads.
    if let Err(error) = eligo::precompiled::from_bytes(&bytes) {
        tell!("error: the precompiled program does not load back ({error}); please report this as a bug");
        return ExitCode::from(1);
    }
    if let Err(error) = std::fs::write(output, &bytes) {
        tell!("error: cannot write {}: {error}", output.display());
        return ExitCode::from(2);
    }
    let policies = program.policies.len();
    say!(
        "wrote {}: {policies} {}, {} bytes",
        output.display(),
        if policies == 1 { "policy" } else { "policies" },
        thousands(bytes.len())
    );
    ExitCode::SUCCESS
}

/// 123456 → "123,456".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(123_456), "123,456");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
