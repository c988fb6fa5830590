//! Fixture-driven tests of the language front end.
//!
//! * `tests/fixtures/invalid/*.rules`: each file shows one mistake (or, for
//!   `multiple_unrelated_errors.rules`, several). A file named `E0201_….rules` must produce
//!   E0201. The rendered diagnostics are snapshotted in `tests/fixtures/snapshots/`, in English
//!   (`invalid__NAME.snap`) and in Chinese (`invalid_zh__NAME.snap`); the Chinese ones must say
//!   the same codes at the same places, in Chinese (see [`english_left_in`]).
//! * `tests/fixtures/valid/*.rules`: each compiles without errors or warnings, its examples
//!   pass, and its AST is snapshotted.
//!
//! A fixture may say more about what it expects in comment lines (anywhere in the file):
//!
//! ```text
//! // expect: E0201@7:11 W0101        codes that must be reported (at line:column, if given)
//! // expect-not: E0603 E0601         codes that must not be reported
//! // expect-total: 1                  how many diagnostics in all (one error for one mistake)
//! // expect-text: did you mean `年龄`?  said in a message, label, note or help
//! // expect-not-text: found `"`      never said in a message, label, note or help
//! // generate: pad-to-bytes 2100000  append comment lines until the file is larger than this
//! // generate: repeat 20001 input x{n}: int     append the line N times, {n} = 1..=N
//! ```
//!
//! `generate` keeps the fixtures for the size limits small in the repository.
//!
//! Every rendered diagnostic is also checked for its caret: it must sit under the column the
//! diagnostic names, counting East Asian wide characters as two terminal columns, and must not
//! run past the end of the line.
//!
//! Each fixture is its own test, listed in `fixtures!` below (a test checks that the list and
//! the folders agree). A fixture that shows an engine bug is listed under `…_ignored` with the
//! bug described, and has no snapshot until the bug is fixed.

#[allow(dead_code)]
mod common;
use common::root;
use eligo::diagnostic::{Code, Lang};
use eligo::render::{position, render};
use eligo::source::Sources;
use std::collections::BTreeSet;

use std::process::Command;

const INVALID_DIR: &str = "tests/fixtures/invalid";
const VALID_DIR: &str = "tests/fixtures/valid";
const ERRORS_DOC: &str = "docs/errors.md";

macro_rules! fixtures {
    (
        invalid: [$($invalid:ident,)*],
        invalid_ignored: [$($invalid_ignored:ident => $invalid_reason:literal,)*],
        valid: [$($valid:ident,)*],
        valid_ignored: [$($valid_ignored:ident => $valid_reason:literal,)*],
    ) => {
        const INVALID: &[&str] = &[$(stringify!($invalid),)*];
        const INVALID_IGNORED: &[&str] = &[$(stringify!($invalid_ignored),)*];
        const VALID: &[&str] = &[$(stringify!($valid),)*];
        const VALID_IGNORED: &[&str] = &[$(stringify!($valid_ignored),)*];

        #[allow(non_snake_case)]
        mod invalid {
            $(#[test] fn $invalid() { super::check_invalid(stringify!($invalid)); })*
            $(#[test] #[ignore = $invalid_reason] fn $invalid_ignored() { super::check_invalid(stringify!($invalid_ignored)); })*
        }

        #[allow(non_snake_case)]
        mod valid {
            $(#[test] fn $valid() { super::check_valid(stringify!($valid)); })*
            $(#[test] #[ignore = $valid_reason] fn $valid_ignored() { super::check_valid(stringify!($valid_ignored)); })*
        }
    };
}

fixtures! {
    invalid: [
        E0101_fullwidth_colon,
        E0101_fullwidth_comma,
        E0101_fullwidth_parenthesis,
        E0101_keyword_as_name,
        E0101_missing_expression,
        E0101_misspelled_keyword,
        E0101_misspelt_clause_amount,
        E0101_misspelt_clause_effective,
        E0101_misspelt_clause_exception,
        E0101_misspelt_clause_expect,
        E0101_misspelt_clause_fee,
        E0101_misspelt_clause_field,
        E0101_misspelt_clause_given,
        E0101_misspelt_clause_hint,
        E0101_misspelt_clause_label,
        E0101_misspelt_clause_max,
        E0101_misspelt_clause_min,
        E0101_misspelt_clause_output,
        E0101_misspelt_clause_question,
        E0101_misspelt_clause_require,
        E0101_misspelt_clause_source,
        E0101_misspelt_clause_unless,
        E0101_misspelt_clause_waiver,
        E0101_misspelt_declaration_example,
        E0101_misspelt_declaration_group,
        E0101_misspelt_declaration_input,
        E0101_misspelt_declaration_let,
        E0101_misspelt_declaration_param,
        E0101_misspelt_declaration_policy,
        E0101_misspelt_declaration_record,
        E0101_misspelt_declaration_ruleset,
        E0101_misspelt_declaration_table,
        E0101_name_starts_with_digit,
        E0101_negative_text,
        E0101_require_without_label,
        E0101_table_row_without_arrow,
        E0101_unterminated_string,
        E0101_utf8_bom,
        E0102_gbk_encoded,
        E0103_source_too_large,
        E0104_nesting_too_deep,
        E0105_name_too_long,
        E0106_text_too_long,
        E0107_february_30,
        E0107_invalid_date_no_cascade,
        E0107_month_13_in_effective,
        E0108_number_too_large,
        E0109_too_many_declarations,
        E0110_group_too_long,
        E0110_table_too_long,
        E0111_bidi_control,
        E0201_field_outside_list,
        E0201_tab_indentation,
        E0201_unknown_chinese_name,
        E0201_unknown_name,
        E0202_duplicate_name,
        E0202_duplicate_option,
        E0202_duplicate_policy_id,
        E0202_table_named_like_builtin,
        E0203_record_without_list,
        E0203_unknown_type,
        E0204_unknown_function,
        E0205_unknown_policy,
        E0206_unknown_input_in_example,
        E0207_unknown_field,
        E0208_two_rulesets,
        E0209_unknown_output,
        E0210_label_written_twice,
        E0211_confusable_names,
        E0301_arithmetic_on_booleans,
        E0301_if_branches_differ,
        E0301_money_compared_with_date,
        E0301_money_plus_date,
        E0302_wrong_argument_count,
        E0303_wrong_argument_type,
        E0304_condition_not_bool,
        E0305_example_value_wrong_type,
        E0305_param_value_wrong_type,
        E0305_table_row_wrong_type,
        E0306_amount_not_money,
        E0307_unknown_option,
        E0308_constraint_type,
        E0309_count_of_non_list,
        E0401_cycle_of_three,
        E0401_cycle_through_table,
        E0401_self_reference,
        E0501_overlapping_bands,
        E0501_overlapping_rows_2d,
        E0502_gap_2d,
        E0502_gap_between_bands,
        E0502_gap_between_money_bands,
        E0503_row_shape,
        E0504_band_written_backwards,
        E0504_min_above_max,
        E0504_open_band_at_one_value,
        E0505_otherwise_not_last,
        E0601_unsorted_param_dates,
        E0601_value_without_date,
        E0602_duplicate_param_date,
        E0603_param_value_ends_before_start,
        E0603_policy_ends_before_start,
        E0604_overlapping_param_values,
        E0701_amount_defined_twice,
        E0702_policies_exclude_in_cycle,
        E0702_policy_excludes_itself,
        E0703_group_mixed_periods,
        E0704_group_member_without_amount,
        E0705_policy_in_two_groups,
        E0706_negative_fee,
        W0101_unused_input,
        W0102_unused_definition,
        W0103_text_without_english,
        W0103_underline_past_end_of_line,
        W0104_policy_without_example,
        multiple_unrelated_errors,
    ],
    invalid_ignored: [],
    valid: [
        crlf_line_endings,
        dated_text_parameter,
        disability_benefits,
        elderly_allowance,
        expressions,
        fee_waivers,
        keyword_operators,
        layout_and_data,
        minimum_living_allowance,
    ],
    valid_ignored: [],
}

// ───────────────────────────── Fixtures ─────────────────────────────

fn relative(dir: &str, name: &str) -> String {
    format!("{dir}/{name}.rules")
}

/// The names (without `.rules`) of the fixtures in a folder.
fn fixture_names(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "rules").then(|| path.file_stem()?.to_str().map(String::from))?
        })
        .collect()
}

#[derive(Default, Debug)]
struct Directives {
    /// (code, line and column if given)
    expect: Vec<(String, Option<(usize, usize)>)>,
    expect_not: Vec<String>,
    total: Option<usize>,
    text: Vec<String>,
    not_text: Vec<String>,
    pad_to_bytes: Option<usize>,
    repeat: Option<(usize, String)>,
}

fn directives(text: &str) -> Directives {
    let mut found = Directives::default();
    for line in text.lines() {
        let Some(comment) = line.trim_start_matches('\u{FEFF}').trim().strip_prefix("//") else { continue };
        let comment = comment.trim();
        if let Some(codes) = comment.strip_prefix("expect:") {
            for word in codes.split_whitespace() {
                let (code, at) = match word.split_once('@') {
                    Some((code, at)) => {
                        let (line, column) = at.split_once(':').unwrap_or_else(|| panic!("bad position in `{word}`"));
                        (code, Some((line.parse().expect("line"), column.parse().expect("column"))))
                    }
                    None => (word, None),
                };
                found.expect.push((code.to_string(), at));
            }
        } else if let Some(codes) = comment.strip_prefix("expect-not:") {
            found.expect_not.extend(codes.split_whitespace().map(String::from));
        } else if let Some(total) = comment.strip_prefix("expect-total:") {
            found.total = Some(total.trim().parse().expect("a number of diagnostics"));
        } else if let Some(text) = comment.strip_prefix("expect-text:") {
            found.text.push(text.trim().to_string());
        } else if let Some(text) = comment.strip_prefix("expect-not-text:") {
            found.not_text.push(text.trim().to_string());
        } else if let Some(what) = comment.strip_prefix("generate:") {
            let mut words = what.trim().splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("pad-to-bytes"), Some(n), None) => found.pad_to_bytes = Some(n.parse().expect("byte count")),
                (Some("repeat"), Some(n), Some(template)) => {
                    found.repeat = Some((n.parse().expect("repeat count"), template.to_string()))
                }
                _ => panic!("unknown generate directive: {what}"),
            }
        }
    }
    found
}

/// The fixture's text with the generated part appended.
fn generated(mut text: String, directives: &Directives) -> String {
    if let Some((count, template)) = &directives.repeat {
        for n in 1..=*count {
            text.push_str(&template.replace("{n}", &n.to_string()));
            text.push('\n');
        }
    }
    if let Some(bytes) = directives.pad_to_bytes {
        const PADDING: &str = "// padding generated by tests/diagnostics.rs to exceed the size limit\n";
        while text.len() <= bytes {
            text.push_str(PADDING);
        }
    }
    text
}

/// The code a fixture's name promises: `E0201_unknown_name` → `E0201`.
fn code_in_name(name: &str) -> Option<&str> {
    let code = name.get(..5)?;
    let well_formed = (code.starts_with('E') || code.starts_with('W'))
        && code[1..].bytes().all(|b| b.is_ascii_digit())
        && name.as_bytes().get(5) == Some(&b'_');
    well_formed.then_some(code)
}

// ───────────────────────────── Diagnostics ─────────────────────────────

/// One diagnostic as the tests look at it, whether it came from the library or the CLI.
#[derive(Debug)]
struct Found {
    code: String,
    line: usize,
    column: usize,
    /// Message, label, notes and help: what the author reads, without the quoted source.
    words: String,
    /// Which texts it has: a label, how many notes, a help.
    shape: (bool, usize, bool),
    rendered: String,
}

impl Found {
    fn at(&self) -> String {
        format!("{}@{}:{}", self.code, self.line, self.column)
    }
}

/// Compiles one file with the library, as `eligo check --lang …` does.
fn diagnose(name: &str, text: String, lang: Lang) -> Vec<Found> {
    let mut sources = Sources::new();
    sources.add(name, text);
    let compiled = eligo::compile::compile(&sources);
    compiled
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let positioned = position(&sources, diagnostic, lang);
            let mut words = vec![positioned.message.clone()];
            words.extend(positioned.label.clone());
            words.extend(positioned.notes.iter().map(|n| n.message.clone()));
            words.extend(positioned.help.clone());
            Found {
                code: positioned.code.to_string(),
                line: positioned.start.line,
                column: positioned.start.column,
                words: words.join("\n"),
                shape: (positioned.label.is_some(), positioned.notes.len(), positioned.help.is_some()),
                rendered: render(&sources, diagnostic, lang),
            }
        })
        .collect()
}

/// A file that is not UTF-8 never reaches the library: the CLI reads the bytes and reports it.
fn diagnose_with_cli(rel: &str, lang: Lang) -> Vec<Found> {
    let lang = if lang == Lang::Zh { "zh" } else { "en" };
    let output = Command::new(eligo_binary())
        .args(["check", "--format", "json", "--lang", lang, rel])
        .current_dir(root())
        .output()
        .expect("run eligo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "eligo panicked on {rel}:\n{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("eligo check --format json {rel} did not print JSON ({e}):\n{stderr}"));
    let text = |v: &serde_json::Value| v.as_str().map(String::from);
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let mut words: Vec<String> = text(&d["message"]).into_iter().collect();
            words.extend(text(&d["label"]));
            words.extend(d["notes"].as_array().into_iter().flatten().filter_map(|n| text(&n["message"])));
            words.extend(text(&d["help"]));
            Found {
                code: text(&d["code"]).expect("code"),
                line: d["start"]["line"].as_u64().expect("line") as usize,
                column: d["start"]["column"].as_u64().expect("column") as usize,
                words: words.join("\n"),
                shape: (d.get("label").is_some(), d["notes"].as_array().map_or(0, Vec::len), d.get("help").is_some()),
                rendered: text(&d["rendered"]).expect("rendered"),
            }
        })
        .collect()
}

fn eligo_binary() -> &'static str {
    env!("CARGO_BIN_EXE_eligo")
}

/// What `eligo check` prints for these diagnostics, with trailing spaces removed from each line
/// (so that editors that strip them do not break the snapshots).
fn printed(found: &[Found]) -> String {
    let mut out = String::new();
    for diagnostic in found {
        for line in diagnostic.rendered.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn snapshot(kind: &str, name: &str, input: &str, contents: &str) {
    insta::with_settings!({
        snapshot_path => root().join("tests/fixtures/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => root().join(input),
    }, {
        insta::assert_snapshot!(format!("{kind}__{name}"), contents);
    });
}

// ───────────────────────────── Caret checks ─────────────────────────────

/// Terminal columns a character takes: two for East Asian wide and full-width characters,
/// none for the byte-order mark and zero-width marks, one otherwise. Written independently of
/// `render`, from the Unicode East Asian Width property.
fn columns(c: char) -> usize {
    match c as u32 {
        0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F | 0xFEFF => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE10..=0xFE19
        | 0xFE30..=0xFE6F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

fn width(text: &str) -> usize {
    text.chars().map(columns).sum()
}

/// Problems with the snippets of one rendered diagnostic: a caret that is not under the column
/// the `-->` line names (counted in `original`, the file's text, where a tab shows as four
/// spaces), an underline that runs past the end of the line, or a tab printed as is (which a
/// terminal widens, so that no padding of spaces can line up with it).
fn caret_problems(rendered: &str, original: &str) -> Vec<String> {
    let lines: Vec<&str> = rendered.lines().collect();
    let mut problems = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(location) = line.trim_start().strip_prefix("--> ") else { continue };
        let mut parts = location.rsplitn(3, ':');
        let column: usize = parts.next().and_then(|c| c.parse().ok()).expect("column in -->");
        let line_number = parts.next().expect("line in -->");
        let (Some(source), Some(marks)) = (lines.get(i + 2), lines.get(i + 3)) else {
            problems.push(format!("snippet after `{line}` is cut short"));
            continue;
        };
        let source = source
            .strip_prefix(&format!("{line_number} | "))
            .unwrap_or_else(|| panic!("expected the source line {line_number} after `{line}`, got `{source}`"));
        let marks = marks.split_once(" | ").map_or("", |(_, m)| m);
        if source.contains('\t') {
            problems.push(format!("line {line_number}: a tab is printed as is; the caret cannot line up"));
        }
        let number: usize = line_number.parse().unwrap_or(1);
        let written = original.trim_start_matches('\u{feff}').lines().nth(number - 1).unwrap_or(source);
        let before: String = written.chars().take(column - 1).collect::<String>().replace('\t', "    ");
        let pad = marks.len() - marks.trim_start_matches(' ').len();
        let underline = marks[pad..].chars().take_while(|c| *c == '^' || *c == '-').count();
        // A long line is shown around the span, cut with `…`: what stands before the caret must
        // then end what the file has before the column.
        let expected_pad = match source.strip_prefix('…') {
            Some(shown) => {
                let mut shown_before = String::new();
                for c in shown.chars() {
                    if 1 + width(&shown_before) + width(&c.to_string()) > pad {
                        break;
                    }
                    shown_before.push(c);
                }
                if before.ends_with(&shown_before) {
                    pad
                } else {
                    usize::MAX - 1
                }
            }
            None => width(&before),
        };
        if pad != expected_pad {
            problems.push(format!(
                "line {line_number}: the caret is at terminal column {} but column {column} is at terminal column {}",
                pad + 1,
                expected_pad + 1
            ));
        }
        let room = width(source).saturating_sub(expected_pad).max(1);
        if underline > room {
            problems.push(format!(
                "line {line_number}: the underline is {underline} columns long but only {room} columns of the line follow column {column}"
            ));
        }
    }
    problems
}

// ───────────────────────────── The tests ─────────────────────────────

fn check_invalid(name: &str) {
    let rel = relative(INVALID_DIR, name);
    let bytes = std::fs::read(root().join(&rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
    let lossy = String::from_utf8_lossy(&bytes).into_owned();
    let directives = directives(&lossy);
    let diagnosed = |lang| match String::from_utf8(bytes.clone()) {
        Ok(text) => diagnose(&rel, generated(text, &directives), lang),
        Err(_) => {
            assert!(
                directives.repeat.is_none() && directives.pad_to_bytes.is_none(),
                "cannot generate into a non-UTF-8 file"
            );
            diagnose_with_cli(&rel, lang)
        }
    };
    let found = diagnosed(Lang::En);
    let chinese = diagnosed(Lang::Zh);

    let mut expected = directives.expect.clone();
    match code_in_name(name) {
        Some(code) => {
            assert!(
                Code::ALL.iter().any(|c| c.as_str() == code),
                "{rel} is named after {code}, which is not a code of eligo::diagnostic::Code"
            );
            if !expected.iter().any(|(c, _)| c == code) {
                expected.push((code.to_string(), None));
            }
        }
        None => assert!(!expected.is_empty(), "{rel}: name it after a code (E0201_…) or add `// expect: CODE`"),
    }

    let reported: Vec<String> = found.iter().map(Found::at).collect();
    let mut failures = Vec::new();
    for (code, at) in &expected {
        let hit = found.iter().any(|f| {
            &f.code == code
                && match at {
                    Some((line, column)) => f.line == *line && f.column == *column,
                    None => true,
                }
        });
        if !hit {
            let at = at.map_or(String::new(), |(l, c)| format!(" at {l}:{c}"));
            failures.push(format!("expected {code}{at}"));
        }
    }
    for code in &directives.expect_not {
        for f in found.iter().filter(|f| &f.code == code) {
            failures.push(format!("did not expect {}", f.at()));
        }
    }
    if let Some(total) = directives.total.filter(|total| *total != found.len()) {
        failures.push(format!("expected {total} diagnostics in all, got {}", found.len()));
    }
    let words: String = found.iter().map(|f| f.words.as_str()).collect::<Vec<_>>().join("\n");
    for text in &directives.text {
        if !words.contains(text.as_str()) {
            failures.push(format!("expected the diagnostics to say `{text}`"));
        }
    }
    for text in &directives.not_text {
        if words.contains(text.as_str()) {
            failures.push(format!("expected the diagnostics not to say `{text}`"));
        }
    }
    for f in found.iter().chain(&chinese) {
        failures.extend(caret_problems(&f.rendered, &lossy).into_iter().map(|p| format!("{}: {p}", f.at())));
    }
    // The same diagnostics, each with its label, notes and help in Chinese wherever the English
    // has them (and nowhere else).
    let said = |found: &[Found]| found.iter().map(|f| (f.at(), f.shape)).collect::<Vec<_>>();
    if said(&chinese) != said(&found) {
        failures.push(format!("in Chinese, said {:?}, in English {:?}", said(&chinese), said(&found)));
    }
    for f in &chinese {
        failures.extend(english_left_in(f).into_iter().map(|p| format!("{} in Chinese: {p}", f.at())));
    }
    let output = printed(&found);
    let output_zh = printed(&chinese);
    assert!(
        failures.is_empty(),
        "{rel}:\n  {}\nreported: {}\n\n{output}\n{output_zh}",
        failures.join("\n  "),
        reported.join(" ")
    );
    snapshot("invalid", name, &rel, &output);
    snapshot("invalid_zh", name, &rel, &output_zh);
}

/// What is not Chinese in a diagnostic rendered in Chinese: its fixed words in English, a text
/// (message, label, note, help) with no Chinese character, or a run of two English words outside
/// backticks and quotes. Code, names, numbers and file positions are written in backticks or
/// stand alone (`UTF-8`, `U+202E`, `YYYY-MM-DD`), so they pass.
fn english_left_in(found: &Found) -> Vec<String> {
    let mut problems = Vec::new();
    let first = found.rendered.lines().next().unwrap_or("");
    if !(first.starts_with("错误[") || first.starts_with("警告[")) {
        problems.push(format!("the first line is `{first}`"));
    }
    if found.rendered.lines().any(|l| l.trim_start().starts_with("= help") || l.trim_start().starts_with("= note")) {
        problems.push("`= help` or `= note` in English".into());
    }
    for said in found.words.lines().filter(|said| !said.is_empty()) {
        let prose = outside_quotes(said);
        if !said.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
            problems.push(format!("no Chinese in `{said}`"));
        }
        let words: Vec<&str> = prose.split(|c: char| !c.is_ascii_alphabetic() && c != '\'').collect();
        let run = words.windows(2).find(|pair| pair.iter().all(|w| w.len() >= 2));
        // Only words separated by spaces make a run: `a.rules` is a file name.
        if let Some(pair) = run.filter(|pair| prose.contains(&format!("{} {}", pair[0], pair[1]))) {
            problems.push(format!("English `{} {}` in `{said}`", pair[0], pair[1]));
        }
    }
    problems
}

/// `text` without what is in backticks or in double quotes (code and rule text, quoted).
fn outside_quotes(text: &str) -> String {
    let mut out = String::new();
    let mut inside: Option<char> = None;
    for c in text.chars() {
        match inside {
            Some(close) if c == close => inside = None,
            Some(_) => {}
            None if c == '`' || c == '"' => {
                inside = Some(c);
                out.push(' ');
            }
            None => out.push(c),
        }
    }
    out
}

#[test]
fn english_is_found_in_chinese_diagnostics() {
    let found = |rendered: &str, words: &str| Found {
        code: "E0201".into(),
        line: 1,
        column: 1,
        words: words.into(),
        shape: (false, 0, true),
        rendered: rendered.into(),
    };
    let chinese = found(
        "错误[E0201]：未知的名称 `birth_dat`\n   = 建议：是不是要写 `birth_date`？\n",
        "未知的名称 `birth_dat`\n是不是要写 `birth_date`？\n把文件另存为 UTF-8",
    );
    assert_eq!(english_left_in(&chinese), Vec::<String>::new());
    let english = found(
        "error[E0201]: unknown name\n   = help: did you mean `x`?\n",
        "unknown name `x`\n建议：did you mean `x`?",
    );
    let problems = english_left_in(&english);
    assert_eq!(problems.len(), 5, "{problems:?}");
}

fn check_valid(name: &str) {
    let rel = relative(VALID_DIR, name);
    let text = std::fs::read_to_string(root().join(&rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));

    let mut sources = Sources::new();
    sources.add(&rel, text.clone());
    let compiled = eligo::compile::compile(&sources);
    let rendered: Vec<String> = compiled.diagnostics.iter().map(|d| render(&sources, d, Lang::En)).collect();
    assert!(rendered.is_empty(), "{rel} should compile without errors or warnings:\n\n{}", rendered.join("\n"));
    let program = compiled.program.as_ref().expect("a valid file gives a program");

    let failed: Vec<String> = eligo::examples::run_all(program, &compiled.examples)
        .into_iter()
        .filter(|r| !r.passed)
        .map(|r| {
            let failures: Vec<String> =
                r.failures.iter().map(|f| format!("    line {}: {}", f.at.line, f.message)).collect();
            format!("example \"{}\":\n{}", r.name, failures.join("\n"))
        })
        .collect();
    assert!(failed.is_empty(), "{rel}: examples fail:\n{}", failed.join("\n"));

    let (ast, diagnostics) = eligo::syntax::parse(0, &text);
    assert!(diagnostics.is_empty(), "{rel}: the parser reports {diagnostics:?}");
    snapshot("valid", name, &rel, &ast_text(&ast));
}

/// The AST as the snapshots show it: `{:#?}` folded with [`compact`], spans written as
/// `start..end` (byte offsets) and dates as `2025-03-01`.
fn ast_text(ast: &eligo::ast::File) -> String {
    let folded = compact(&format!("{ast:#?}"));
    let short = shorten(&folded, "Span { file: 0, start: ", &[", end: "], |n| format!("{}..{}", n[0], n[1]));
    let short =
        shorten(&short, "Date { year: ", &[", month: ", ", day: "], |n| format!("{}-{:02}-{:02}", n[0], n[1], n[2]));
    compact(&short)
}

/// Replaces each `prefix N separator N … }` by `write(numbers)`.
fn shorten(text: &str, prefix: &str, separators: &[&str], write: impl Fn(&[u64]) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'next: while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        let mut tail = &rest[at + prefix.len()..];
        let mut numbers = Vec::new();
        for expected in separators.iter().copied().chain([" }"]) {
            let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            let number = tail[..digits].parse().ok();
            match (number, tail[digits..].strip_prefix(expected)) {
                (Some(number), Some(after)) => {
                    numbers.push(number);
                    tail = after;
                }
                _ => {
                    out.push_str(prefix);
                    rest = &rest[at + prefix.len()..];
                    continue 'next;
                }
            }
        }
        out.push_str(&write(&numbers));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// `{:#?}` puts every field on its own line; this folds each innermost `Name { … }`, `( … )`
/// or `[ … ]` onto one line when it fits in 100 columns, so that spans, dates and names take
/// one line each and the AST snapshots stay readable.
fn compact(pretty: &str) -> String {
    const WIDTH: usize = 100;
    // Each open group: its opening line and its (already folded) children.
    let mut stack: Vec<(String, Vec<String>)> = vec![(String::new(), Vec::new())];
    for line in pretty.lines() {
        let trimmed = line.trim();
        let closes = trimmed.starts_with('}') || trimmed.starts_with(')') || trimmed.starts_with(']');
        if closes && stack.len() > 1 {
            let (open, children) = stack.pop().expect("an open group");
            let flat = children.iter().all(|c| !c.contains('\n'));
            let inner: Vec<&str> = children.iter().map(|c| c.trim()).collect();
            let joined_inner = inner.join(" ");
            let joined_inner = joined_inner.strip_suffix(',').unwrap_or(&joined_inner);
            let closer = trimmed;
            let folded = if open.trim_end().ends_with('{') {
                format!("{} {} {}", open.trim_end(), joined_inner, closer)
            } else {
                format!("{}{}{}", open.trim_end(), joined_inner, closer)
            };
            let text = if flat && folded.chars().count() <= WIDTH {
                folded
            } else {
                let mut lines = vec![open];
                lines.extend(children);
                lines.push(line.to_string());
                lines.join("\n")
            };
            stack.last_mut().expect("the root").1.push(text);
        } else if trimmed.ends_with('{') || trimmed.ends_with('(') || trimmed.ends_with('[') {
            stack.push((line.to_string(), Vec::new()));
        } else {
            stack.last_mut().expect("the root").1.push(line.to_string());
        }
    }
    let mut out =
        stack.into_iter().flat_map(|(open, children)| std::iter::once(open).chain(children)).collect::<Vec<_>>();
    out.retain(|l| !l.is_empty());
    out.join("\n") + "\n"
}

#[test]
fn every_fixture_is_listed() {
    for (dir, listed) in [(INVALID_DIR, [INVALID, INVALID_IGNORED]), (VALID_DIR, [VALID, VALID_IGNORED])] {
        let on_disk = fixture_names(dir);
        let listed: BTreeSet<String> = listed.iter().flat_map(|l| l.iter()).map(|s| s.to_string()).collect();
        let unlisted: Vec<_> = on_disk.difference(&listed).collect();
        let missing: Vec<_> = listed.difference(&on_disk).collect();
        assert!(unlisted.is_empty(), "{dir}: add these fixtures to `fixtures!` in tests/diagnostics.rs: {unlisted:?}");
        assert!(missing.is_empty(), "{dir}: listed in tests/diagnostics.rs but not on disk: {missing:?}");
    }
    assert!(INVALID.len() + INVALID_IGNORED.len() >= 40, "at least 40 invalid fixtures");
    assert!(VALID.len() + VALID_IGNORED.len() >= 6, "at least 6 valid fixtures");
}

#[test]
fn every_code_has_a_passing_fixture() {
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|code| !INVALID.iter().any(|name| code_in_name(name) == Some(code)))
        .collect();
    assert!(missing.is_empty(), "codes without a (non-ignored) fixture in {INVALID_DIR}: {missing:?}");
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(root().join(ERRORS_DOC)).expect("docs/errors.md");
    let mut problems = Vec::new();
    for code in Code::ALL {
        // Each code has a section `## E0201 unknown name` with its fixture as the example and the
        // fixture's snapshot as the message.
        let heading = format!("## {} {}", code.as_str(), code.title());
        let Some(start) = doc.find(&heading) else {
            problems.push(format!("no section `{heading}`"));
            continue;
        };
        let section = &doc[start + heading.len()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        for part in ["**What it means.**", "**Example**: `", "**What Eligo says:**", ZH_SAYS, "**How to fix it.**"] {
            if !section.contains(part) {
                problems.push(format!("{code}: the section has no `{part}`"));
            }
        }
        let Some(fixture) = section
            .split("**Example**: `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .and_then(|path| path.strip_prefix(&format!("{INVALID_DIR}/")))
            .and_then(|file| file.strip_suffix(".rules"))
        else {
            problems.push(format!("{code}: the example does not name a file of {INVALID_DIR}"));
            continue;
        };
        if code_in_name(fixture) != Some(code.as_str()) || !INVALID.contains(&fixture) {
            problems.push(format!("{code}: the example {fixture} is not a (non-ignored) fixture of {code}"));
            continue;
        }
        let blocks = code_blocks(section);
        let (Some(example), Some(said), Some(said_zh)) = (blocks.first(), blocks.get(1), blocks.get(2)) else {
            problems.push(format!(
                "{code}: the section needs the example and the message in English and in Chinese in ``` blocks"
            ));
            continue;
        };
        let shortened = |line: &str| line.contains(" … ");
        if let Ok(text) = std::fs::read_to_string(root().join(relative(INVALID_DIR, fixture))) {
            let text = text.trim_start_matches('\u{FEFF}').trim_end();
            let same = example.lines().count() == text.lines().count()
                && example.lines().zip(text.lines()).all(|(doc, file)| doc == file || shortened(doc));
            if !same {
                problems.push(format!("{code}: the example differs from {INVALID_DIR}/{fixture}.rules"));
            }
        }
        for (kind, said) in [("invalid", said), ("invalid_zh", said_zh)] {
            let snap = std::fs::read_to_string(root().join(format!("tests/fixtures/snapshots/{kind}__{fixture}.snap")))
                .unwrap_or_default();
            let snap_lines: BTreeSet<&str> = snap.lines().collect();
            if let Some(line) = said.lines().find(|l| !shortened(l) && !snap_lines.contains(l)) {
                problems.push(format!(
                    "{code}: the message shown is not what the {kind} snapshot of {fixture} has: `{line}`"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{ERRORS_DOC}:\n  {}", problems.join("\n  "));
}

/// Where a section of docs/errors.md gives the message in Chinese, after the English.
const ZH_SAYS: &str = "**Eligo 的中文提示**（`eligo check --lang zh`）：";

/// The contents of the fenced (```) blocks of a Markdown text, in order.
fn code_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        if line.starts_with("```") {
            match current.take() {
                Some(lines) => blocks.push(lines.join("\n")),
                None => current = Some(Vec::new()),
            }
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
        }
    }
    blocks
}

/// The caret check itself: a line with Chinese before the span, and one that is wrong.
#[test]
fn caret_check_counts_wide_characters() {
    let snippet = |pad: usize, marks: &str| {
        format!(
            "error[E0201]: unknown name `年令`\n --> a.rules:3:12\n  |\n3 | 年龄 require 年令 >= 65\n  | {}{marks} not declared\n",
            " ".repeat(pad)
        )
    };
    // `年龄 require ` is 11 characters but 13 terminal columns; `年令 >= 65` is 10 columns.
    let original = "\n\n年龄 require 年令 >= 65\n";
    assert_eq!(caret_problems(&snippet(13, "^^^^"), original), Vec::<String>::new());
    assert_eq!(caret_problems(&snippet(11, "^^^^"), original).len(), 1, "caret counted in characters");
    assert_eq!(caret_problems(&snippet(13, "^^^^^^^^^^^"), original).len(), 1, "underline past the end of the line");
    let tab = snippet(13, "^^^^").replace("3 | 年龄 require", "3 | 年龄\trequire");
    assert!(caret_problems(&tab, original).iter().any(|p| p.contains("tab")));
    // A tab in the file, shown as four spaces: the caret moves three columns right.
    let widened = snippet(16, "^^^^").replace("3 | 年龄 require", "3 | 年龄    require");
    assert_eq!(caret_problems(&widened, "\n\n年龄\trequire 年令 >= 65\n"), Vec::<String>::new());
}
