//! Reading rule files from the paths given: files as they are, folders searched for *.rules.

use super::Lang;
use eligo::diagnostic::text;
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

/// `lang`: of the problems with the paths (their diagnostics are in both languages).
pub fn load(paths: &[PathBuf], lang: Lang) -> Result<Loaded, String> {
    let found = find(paths, lang)?;
    let mut loaded = Loaded { sources: Sources::new(), problems: Vec::new() };
    for path in found {
        let bytes = std::fs::read(&path).map_err(|e| cannot_read(lang, &path, &e))?;
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
                    Diagnostic::new(Code::InvalidUtf8, Span::new(id, lossy_at, lossy_at), text!("文件不是 UTF-8 文本（第 {at} 个字节不是有效的 UTF-8）", "the file is not UTF-8 text (byte {at} is not valid UTF-8)"))
                        .with_help(text!("把文件另存为 UTF-8（大多数编辑器：另存为… → 编码：UTF-8）；GBK 编码的文件必须转换", "save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8); GBK files must be converted")),
                );
            }
        }
    }
    Ok(loaded)
}

/// The rule files at `paths` (default: rules/): files as they are, folders searched for *.rules.
pub fn find(paths: &[PathBuf], lang: Lang) -> Result<Vec<PathBuf>, String> {
    let default = [PathBuf::from("rules")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut found = Vec::new();
    let mut visited = BTreeSet::new();
    for path in paths {
        collect(path, &mut found, &mut visited, lang)?;
    }
    if found.is_empty() {
        let shown = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(match lang {
            Lang::Zh => format!("在 {shown} 中没有找到 .rules 文件"),
            Lang::En => format!("no .rules files found in {shown}"),
        });
    }
    Ok(found)
}

/// Robustness: a folder is read once, by its canonical path, so that links back to a folder
/// being read (two such links made 2^40 paths) are reported instead of walked.
fn collect(path: &Path, found: &mut Vec<PathBuf>, visited: &mut BTreeSet<PathBuf>, lang: Lang) -> Result<(), String> {
    if path.is_dir() {
        let canonical = std::fs::canonicalize(path).map_err(|e| cannot_read(lang, path, &e))?;
        if !visited.insert(canonical.clone()) {
            let (path, canonical) = (path.display(), canonical.display());
            return Err(match lang {
                Lang::Zh => format!("{path} 指向正在读取的文件夹 {canonical}（链接成环？）：请删除这个链接"),
                Lang::En => format!(
                    "{path} leads to the folder {canonical}, which is already being read (a link loop?): remove the link"
                ),
            });
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| cannot_read(lang, path, &e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|x| x == "rules") {
                collect(&entry, found, visited, lang)?;
            }
        }
        Ok(())
    } else if path.exists() {
        found.push(path.to_path_buf());
        Ok(())
    } else {
        Err(match lang {
            Lang::Zh => format!("{} 不存在", path.display()),
            Lang::En => format!("{} does not exist", path.display()),
        })
    }
}

fn cannot_read(lang: Lang, path: &Path, error: &std::io::Error) -> String {
    match lang {
        Lang::Zh => format!("无法读取 {}：{error}", path.display()),
        Lang::En => format!("cannot read {}: {error}", path.display()),
    }
}

/// The program of the rule files at `paths`, with their examples. A usage problem (no rule
/// files) is printed and is exit code 2; problems in the rules are printed in `format` and are
/// exit code 1.
pub fn program(
    paths: &[PathBuf],
    format: super::Format,
    lang: Lang,
) -> Result<(eligo::program::Program, Vec<eligo::examples::ExampleDef>), std::process::ExitCode> {
    let (sources, compiled) = compiled(paths, lang)?;
    match compiled.program {
        Some(program) => Ok((program, compiled.examples)),
        None => {
            super::check::report(&sources, &compiled, format, lang);
            Err(std::process::ExitCode::from(1))
        }
    }
}

/// The rule files at `paths`, compiled (or, when a file is not UTF-8, that problem alone).
pub fn compiled(paths: &[PathBuf], lang: Lang) -> Result<(Sources, eligo::compile::Compiled), std::process::ExitCode> {
    compiled_with(paths, true, lang)
}

/// `compiled`, without the examples when `examples` is false.
pub fn compiled_with(
    paths: &[PathBuf],
    examples: bool,
    lang: Lang,
) -> Result<(Sources, eligo::compile::Compiled), std::process::ExitCode> {
    let loaded = load(paths, lang).map_err(|message| {
        tell!("{}{message}", lang.pick("错误：", "error: "));
        std::process::ExitCode::from(2)
    })?;
    let compiled = if loaded.problems.is_empty() {
        eligo::compile::compile_with(&loaded.sources, examples)
    } else {
        eligo::compile::Compiled { program: None, examples: Vec::new(), diagnostics: loaded.problems }
    };
    Ok((loaded.sources, compiled))
}
