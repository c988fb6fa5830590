//! `eligo fmt`: lays rule files out as the guide does (`eligo::format`), in place, or with
//! `--check` lists the files that are not laid out so, and exits 1.

use super::files;
use eligo::render::render;
use eligo::source::{lines_inclusive, trim_line_break, Sources};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(paths: &[PathBuf], check: bool) -> ExitCode {
    // The language of the syntax errors of a file that cannot be formatted: the locale's.
    let lang = super::Lang::from_env();
    let found = match files::find(paths, lang) {
        Ok(found) => found,
        Err(message) => {
            tell!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let (mut unformatted, mut failed) = (0, 0);
    for path in &found {
        match one(path, check, lang) {
            Ok(true) => {}
            Ok(false) => unformatted += 1,
            Err(()) => failed += 1,
        }
    }
    let files = |n: usize| format!("{n} file{}", if n == 1 { "" } else { "s" });
    if check && unformatted > 0 {
        tell!("✗ {} of {} not formatted: run `eligo fmt` on them", files(unformatted), found.len());
    }
    if failed > 0 {
        tell!("✗ {} cannot be read or do not parse: left as they are", files(failed));
    }
    if failed > 0 || (check && unformatted > 0) {
        ExitCode::from(1)
    } else if check {
        say!("✓ {} formatted", files(found.len()));
        ExitCode::SUCCESS
    } else {
        say!("✓ {} formatted ({} changed)", files(found.len()), unformatted);
        ExitCode::SUCCESS
    }
}

/// Formats one file: `Ok(true)` when it already was, `Ok(false)` when it was not (and, unless
/// `check`, now is); `Err` when it cannot be read, does not parse or cannot be written (said).
fn one(path: &Path, check: bool, lang: super::Lang) -> Result<bool, ()> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| tell!("error: cannot read {name}: {e}")).and_then(|bytes| {
        String::from_utf8(bytes).map_err(|_| tell!("error: {name} is not UTF-8 text: save it as UTF-8 (left as it is)"))
    })?;
    let formatted = match eligo::format::format(&text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => {
            let mut sources = Sources::new();
            sources.add(name.as_str(), text.as_str());
            for diagnostic in &diagnostics {
                eprintln!("{}", crate::terminal::escape_lines(&render(&sources, diagnostic, lang.messages())));
            }
            tell!("✗ {name} does not parse: not formatted");
            return Err(());
        }
    };
    if formatted == text {
        return Ok(true);
    }
    if check {
        say!("{name}: not formatted");
        hint(&text, &formatted);
    } else {
        write_atomically(path, &formatted).map_err(|e| tell!("error: cannot write {name}: {e} (left as it is)"))?;
        say!("formatted {name}");
    }
    Ok(false)
}

/// The first line that differs, as it is and as `eligo fmt` writes it.
fn hint(text: &str, formatted: &str) {
    let old = lines_inclusive(text).map(|line| Some(trim_line_break(line))).chain(std::iter::repeat(None));
    let new = formatted.lines().map(Some).chain(std::iter::repeat(None));
    let differs = old.zip(new).take_while(|pair| *pair != (None, None)).enumerate().find(|(_, (old, new))| old != new);
    if let Some((at, (old, new))) = differs {
        say!("  line {}:", at + 1);
        say!("  - {}", old.unwrap_or("(the end of the file)"));
        say!("  + {}", new.unwrap_or("(the end of the file)"));
    } else {
        // Only the line breaks differ: CRLF, CR, U+2028 or U+2029, or none at the end.
        say!("  only its line breaks differ: they are written as LF, one at the end");
    }
}

/// Writes a temporary file next to `path`, then renames it over `path`: a reader (or a crash)
/// sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.eligo-fmt-{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, text)
        .and_then(|()| std::fs::metadata(path))
        .and_then(|metadata| std::fs::set_permissions(&temporary, metadata.permissions()))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}
