//! Reading rule files from the paths given: files as they are, folders searched for *.rules.

use eligo::diagnostic::{Code, Diagnostic};
use eligo::source::{Sources, Span};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The rule files found, and the files that are not UTF-8 text: each such problem is a
/// diagnostic whose file is in `sources` (decoded as far as possible, to show where).
pub struct Loaded {
    pub sources: Sources,
    pub problems: Vec<Diagnostic>,
}

pub fn load(paths: &[PathBuf]) -> Result<Loaded, String> {
    let found = find(paths)?;
    let mut loaded = Loaded { sources: Sources::new(), problems: Vec::new() };
    for path in found {
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path.display().to_string();
        match String::from_utf8(bytes) {
            Ok(text) => {
                loaded.sources.add(name, text);
            }
            Err(error) => {
                let at = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let id = loaded.sources.add(name, text);
                let lossy_at = String::from_utf8_lossy(&error.as_bytes()[..at]).len();
                loaded.problems.push(
                    Diagnostic::new(Code::InvalidUtf8, Span::new(id, lossy_at, lossy_at), format!("the file is not UTF-8 text (byte {at} is not valid UTF-8)"))
                        .with_help("save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8); GBK files must be converted"),
                );
            }
        }
    }
    Ok(loaded)
}

/// The rule files at `paths` (default: rules/): files as they are, folders searched for *.rules.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let default = [PathBuf::from("rules")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut found = Vec::new();
    let mut visited = BTreeSet::new();
    for path in paths {
        collect(path, &mut found, &mut visited)?;
    }
    if found.is_empty() {
        return Err(format!(
            "no .rules files found in {}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(found)
}

/// Robustness: a folder is read once, by its canonical path, so that links back to a folder
/// being read (two such links made 2^40 paths) are reported instead of walked.
fn collect(path: &Path, found: &mut Vec<PathBuf>, visited: &mut BTreeSet<PathBuf>) -> Result<(), String> {
    if path.is_dir() {
        let canonical =
            std::fs::canonicalize(path).map_err(|e| format!("cannot read folder {}: {e}", path.display()))?;
        if !visited.insert(canonical.clone()) {
            return Err(format!(
                "{} leads to the folder {}, which is already being read (a link loop?): remove the link",
                path.display(),
                canonical.display()
            ));
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read folder {}: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|x| x == "rules") {
                collect(&entry, found, visited)?;
            }
        }
        Ok(())
    } else if path.exists() {
        found.push(path.to_path_buf());
        Ok(())
    } else {
        Err(format!("{} does not exist", path.display()))
    }
}

/// The program of the rule files at `paths`, with their examples. A usage problem (no rule
/// files) is printed and is exit code 2; problems in the rules are printed in `format` and are
/// exit code 1.
pub fn program(
    paths: &[PathBuf],
    format: super::Format,
) -> Result<(eligo::program::Program, Vec<eligo::examples::ExampleDef>), std::process::ExitCode> {
    let (sources, compiled) = compiled(paths)?;
    match compiled.program {
        Some(program) => Ok((program, compiled.examples)),
        None => {
            super::check::report(&sources, &compiled, format);
            Err(std::process::ExitCode::from(1))
        }
    }
}

/// The rule files at `paths`, compiled (or, when a file is not UTF-8, that problem alone).
pub fn compiled(paths: &[PathBuf]) -> Result<(Sources, eligo::compile::Compiled), std::process::ExitCode> {
    compiled_with(paths, true)
}

/// `compiled`, without the examples when `examples` is false.
pub fn compiled_with(
    paths: &[PathBuf],
    examples: bool,
) -> Result<(Sources, eligo::compile::Compiled), std::process::ExitCode> {
    let loaded = load(paths).map_err(|message| {
        tell!("error: {message}");
        std::process::ExitCode::from(2)
    })?;
    let compiled = if loaded.problems.is_empty() {
        eligo::compile::compile_with(&loaded.sources, examples)
    } else {
        eligo::compile::Compiled { program: None, examples: Vec::new(), diagnostics: loaded.problems }
    };
    Ok((loaded.sources, compiled))
}
