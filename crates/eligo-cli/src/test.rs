//! `eligo test`: runs every example in the rule files; a line per failure, then `N passed, M
//! failed`. With `--coverage`, how much of the rules the examples exercise, and what they leave.

use super::{files, Format, Lang};
use eligo::examples::coverage::{Coverage, Gap, Tally};
use eligo::examples::ExampleResult;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
    /// JUnit XML, for CI: a test case per example; the coverage as properties of the suite.
    Junit,
}

pub struct Options {
    pub format: TestFormat,
    pub lang: Lang,
    pub coverage: bool,
    /// Fails (exit 1) when the total coverage is below this percent; implies `coverage`.
    pub min_coverage: Option<u8>,
}

pub fn run(paths: &[std::path::PathBuf], options: &Options) -> ExitCode {
    let diagnostics = if options.format == TestFormat::Json { Format::Json } else { Format::Human };
    let (program, examples) = match files::program(paths, diagnostics, options.lang) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let (results, coverage) = if options.coverage || options.min_coverage.is_some() {
        let (results, coverage) = eligo::examples::run_covered(&program, &examples, options.lang.messages());
        (results, Some(coverage))
    } else {
        (eligo::examples::run_all(&program, &examples), None)
    };
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    let lang = options.lang;
    match options.format {
        TestFormat::Json => {
            let mut output = serde_json::json!({ "passed": passed, "failed": failed, "examples": results });
            if let (Some(coverage), Some(object)) = (&coverage, output.as_object_mut()) {
                object.insert("coverage".into(), serde_json::json!(coverage));
            }
            say_raw!("{output:#}");
        }
        TestFormat::Junit => say_raw!("{}", junit(&results, coverage.as_ref(), lang)),
        TestFormat::Human => {
            for result in results.iter().filter(|r| !r.passed) {
                say!("FAIL {}:{}:{} example \"{}\"", result.at.file, result.at.line, result.at.column, result.name);
                for failure in &result.failures {
                    say!("     {}:{}: {}", failure.at.file, failure.at.line, failure.message);
                }
            }
            say!("{passed} passed, {failed} failed");
            if let Some(coverage) = &coverage {
                say!();
                for line in human(coverage, lang) {
                    say!("{line}");
                }
            }
        }
    }
    let below = match (options.min_coverage, &coverage) {
        (Some(min), Some(coverage)) if !coverage.total.all.at_least(min) => {
            let total = coverage.total.all.percent();
            tell!(
                "{}",
                match lang {
                    Lang::Zh => format!("覆盖率 {total}% 低于 --min-coverage {min}"),
                    Lang::En => format!("coverage {total}% is below --min-coverage {min}"),
                }
            );
            true
        }
        _ => false,
    };
    if failed == 0 && !below {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `3/4 75.0%`, or `-` where there is nothing of the kind.
fn cell(tally: Tally) -> String {
    if tally.total == 0 {
        "-".into()
    } else {
        format!("{}/{} {}%", tally.covered, tally.total, tally.percent())
    }
}

/// A table (a line per policy, per table, and the total), then what is not covered, by place.
fn human(coverage: &Coverage, lang: Lang) -> Vec<String> {
    let heads = [
        lang.pick("条件（正反）", "conditions (both ways)"),
        lang.pick("例外", "exceptions"),
        lang.pick("输出", "outputs"),
        lang.pick("表格行", "rows"),
        lang.pick("合计", "all"),
    ];
    let none = Tally::default();
    let mut table: Vec<([String; 5], String)> = Vec::new();
    for policy in &coverage.policies {
        let all = sum(&[policy.conditions, policy.exceptions, policy.outputs, policy.rows]);
        let cells =
            [cell(policy.conditions), cell(policy.exceptions), cell(policy.outputs), cell(policy.rows), cell(all)];
        table.push((cells, policy.id.clone()));
    }
    for t in &coverage.tables {
        let name = format!("{} {}", lang.pick("表", "table"), t.label);
        table.push(([cell(none), cell(none), cell(none), cell(t.rows), cell(t.rows)], name));
    }
    let total = &coverage.total;
    let cells =
        [cell(total.conditions), cell(total.exceptions), cell(total.outputs), cell(total.rows), cell(total.all)];
    table.push((cells, lang.pick("合计", "total").to_string()));
    // Names last: a Chinese name is as wide as it is, the figures before it line up.
    let widths: Vec<usize> = (0..heads.len())
        .map(|i| table.iter().map(|(cells, _)| cells[i].chars().count()).chain([width(heads[i])]).max().unwrap_or(0))
        .collect();
    let pad = |text: &str, width: usize, shown: usize| format!("{text}{}", " ".repeat(width.saturating_sub(shown)));
    let line = |cells: Vec<(String, usize)>, name: &str| {
        let cells: Vec<String> = cells.iter().zip(&widths).map(|((t, shown), w)| pad(t, *w, *shown)).collect();
        format!("  {}  {name}", cells.join("  ")).trim_end().to_string()
    };
    let mut lines = vec![lang.pick("示例覆盖率：", "Coverage of the rules by the examples:").to_string()];
    lines.push(line(heads.iter().map(|h| (h.to_string(), width(h))).collect(), ""));
    for (cells, name) in &table {
        lines.push(line(cells.iter().map(|c| (c.clone(), c.chars().count())).collect(), name));
    }
    let gaps = coverage.uncovered();
    if gaps.is_empty() {
        lines.push(lang.pick("全部覆盖。", "Everything is covered.").to_string());
    } else {
        lines.push(lang.pick("未覆盖：", "Not covered:").to_string());
        for (owner, gap) in gaps {
            lines.push(format!("  {}:{}: {owner}: {}", gap.at.file, gap.at.line, describe(gap, lang)));
        }
    }
    lines
}

fn sum(tallies: &[Tally]) -> Tally {
    let covered = tallies.iter().map(|t| t.covered).sum();
    Tally { covered, total: tallies.iter().map(|t| t.total).sum() }
}

/// `条件“年满65周岁”：从未为假`, `condition “Aged 65 or over”: never false`.
fn describe(gap: &Gap, lang: Lang) -> String {
    let (item, reason) = (gap.item.name(lang.messages()), gap.reason.message(lang.messages()));
    match lang {
        Lang::Zh => format!("{item}“{}”：{reason}", gap.label),
        Lang::En => format!("{item} “{}”: {reason}", gap.label),
    }
}

/// Columns a terminal gives the text: two for a Chinese character or full-width punctuation.
fn width(text: &str) -> usize {
    text.chars().map(|c| if ('\u{1100}'..='\u{ffef}').contains(&c) { 2 } else { 1 }).sum()
}

/// JUnit XML: a test case per example, a failure for each that failed; the coverage (when asked
/// for) as properties of the suite, and what it leaves as the suite's output.
fn junit(results: &[ExampleResult], coverage: Option<&Coverage>, lang: Lang) -> String {
    let failed = results.iter().filter(|r| !r.passed).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!("tests=\"{}\" failures=\"{failed}\" errors=\"0\"", results.len());
    xml += &format!("<testsuites name=\"eligo test\" {counts}>\n");
    xml += &format!("  <testsuite name=\"examples\" {counts}>\n");
    if let Some(coverage) = coverage {
        xml += "    <properties>\n";
        let total = &coverage.total;
        let kinds = [
            ("conditions", total.conditions),
            ("exceptions", total.exceptions),
            ("outputs", total.outputs),
            ("rows", total.rows),
            ("all", total.all),
        ];
        for (name, tally) in kinds {
            let value = format!("{}/{} {}%", tally.covered, tally.total, tally.percent());
            xml += &format!("      <property name=\"coverage.{name}\" value=\"{value}\"/>\n");
        }
        xml += "    </properties>\n";
    }
    for result in results {
        let (file, line) = (escape(&result.at.file), result.at.line);
        let head = format!("name=\"{}\" classname=\"{file}\" file=\"{file}\" line=\"{line}\"", escape(&result.name));
        if result.passed {
            xml += &format!("    <testcase {head}/>\n");
            continue;
        }
        xml += &format!("    <testcase {head}>\n");
        let text: Vec<String> =
            result.failures.iter().map(|f| format!("{}:{}: {}", f.at.file, f.at.line, f.message)).collect();
        let message = result.failures.first().map_or(String::new(), |f| escape(&f.message));
        xml += &format!("      <failure message=\"{message}\">{}</failure>\n", escape(&text.join("\n")));
        xml += "    </testcase>\n";
    }
    if let Some(coverage) = coverage {
        xml += &format!("    <system-out>{}</system-out>\n", escape(&human(coverage, lang).join("\n")));
    }
    xml += "  </testsuite>\n</testsuites>";
    xml
}

/// Text in XML: markup characters as entities, and what XML 1.0 cannot hold (control
/// characters) shown as `<U+001B>`, as in the terminal.
fn escape(text: &str) -> String {
    let shown = super::terminal::escape_lines(text);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&apos;",
            c => out.push(c),
        }
    }
    out
}
