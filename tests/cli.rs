//! The `eligo` binary on hostile and ordinary input: it never panics or crashes, and its exit
//! code says what happened (0 valid, warnings allowed; 1 errors in the rules; 2 a usage error).

// The binary is built only with the `cli` feature (on by default).

#[allow(dead_code)]
mod common;
use common::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `eligo ARGS` from the package root.
fn eligo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eligo")).args(args).current_dir(root()).output().expect("run eligo")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The exit code, after checking that eligo ended by itself (no signal, no stack overflow) and
/// did not panic.
fn exit_code(output: &Output, what: &str) -> i32 {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "eligo panicked on {what}:\n{err}");
    assert!(!err.contains("overflowed its stack"), "eligo overflowed its stack on {what}:\n{err}");
    output.status.code().unwrap_or_else(|| panic!("eligo was killed ({}) on {what}:\n{err}", output.status))
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("eligo-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TempDir(dir)
    }

    fn write(&self, file: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.0.join(file);
        std::fs::write(&path, bytes).expect("write a temporary file");
        path.to_str().expect("a UTF-8 temporary path").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// xorshift64*: reproducible noise without a crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(output), stderr(output)))
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

#[test]
fn a_valid_file_exits_0() {
    let output = eligo(&["check", "tests/fixtures/valid/elderly_allowance.rules"]);
    assert_eq!(exit_code(&output, "a valid file"), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("shanghai_elderly is valid"), "{}", stdout(&output));
    assert_eq!(stderr(&output), "", "a valid file without warnings prints nothing on stderr");
}

#[test]
fn warnings_alone_exit_0() {
    let output = eligo(&["check", "tests/fixtures/invalid/W0101_unused_input.rules"]);
    assert_eq!(exit_code(&output, "a file with a warning"), 0, "{}", stderr(&output));
    assert!(stderr(&output).contains("warning[W0101]"), "{}", stderr(&output));
    assert!(stdout(&output).contains("(1 warning)"), "{}", stdout(&output));
}

#[test]
fn the_examples_of_a_valid_file_pass() {
    let output = eligo(&["test", "tests/fixtures/valid/fee_waivers.rules"]);
    assert_eq!(exit_code(&output, "eligo test"), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("6 passed, 0 failed"), "{}", stdout(&output));
}

#[test]
fn errors_exit_1() {
    let output = eligo(&["check", "tests/fixtures/invalid/multiple_unrelated_errors.rules"]);
    assert_eq!(exit_code(&output, "a file with errors"), 1);
    let err = stderr(&output);
    for code in ["E0101", "E0107", "E0201", "E0301", "E0501", "E0601", "E0205"] {
        assert!(err.contains(&format!("error[{code}]")), "{code} missing:\n{err}");
    }
    assert!(err.contains("✗ 7 errors, 0 warnings"), "{err}");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let output = eligo(&["check", "tests/fixtures/no/such/file.rules"]);
    assert_eq!(exit_code(&output, "a missing path"), 2);
    assert!(stderr(&output).contains("does not exist"), "{}", stderr(&output));
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [&["check", "--format", "xml", "rules"][..], &["frobnicate"], &[], &["check", "--no-such-flag"]] {
        let output = eligo(args);
        assert_eq!(exit_code(&output, &format!("{args:?}")), 2, "eligo {args:?}:\n{}", stderr(&output));
    }
}

#[test]
fn a_folder_without_rule_files_is_a_usage_error() {
    let dir = TempDir::new("empty");
    let output = eligo(&["check", dir.0.to_str().expect("path")]);
    assert_eq!(exit_code(&output, "an empty folder"), 2);
    assert!(stderr(&output).contains("no .rules files"), "{}", stderr(&output));
}

#[test]
fn ten_thousand_nested_parentheses() {
    let dir = TempDir::new("nested");
    let text = format!("input x: int label \"x\" en \"x\"\nlet y = {}x{}\n", "(".repeat(10_000), ")".repeat(10_000));
    let path = dir.write("nested.rules", text);
    let output = eligo(&["check", &path]);
    assert_eq!(exit_code(&output, "10,000 nested parentheses"), 1);
    assert!(stderr(&output).contains("error[E0104]"), "{}", stderr(&output));
}

#[test]
fn five_megabytes_of_random_bytes() {
    let dir = TempDir::new("random");
    let path = dir.write("random.rules", XorShift(0x0E11_6000_2025_0301).bytes(5 * 1024 * 1024));
    let output = eligo(&["check", "--format", "json", &path]);
    assert_eq!(exit_code(&output, "5 MB of random bytes"), 1);
    let report = json(&output);
    assert_eq!(report["valid"], false);
    assert!(codes(&report).iter().any(|c| c == "E0102" || c == "E0103"), "{report:#}");
}

#[test]
fn five_megabytes_of_random_text() {
    let dir = TempDir::new("random-text");
    // Printable ASCII and line breaks: valid UTF-8, so the size limit is what stops it.
    let text: Vec<u8> = XorShift(42)
        .bytes(5 * 1024 * 1024)
        .into_iter()
        .map(|b| if b % 61 == 0 { b'\n' } else { b' ' + b % 95 })
        .collect();
    let path = dir.write("random.rules", text);
    let output = eligo(&["check", &path]);
    assert_eq!(exit_code(&output, "5 MB of random text"), 1);
    assert!(stderr(&output).contains("error[E0103]"), "{}", stderr(&output));
}

#[test]
fn a_file_that_is_not_utf8() {
    let dir = TempDir::new("latin1");
    // "année" in Latin-1: é is the single byte 0xE9.
    let path = dir.write("latin1.rules", b"input age: int label \"ann\xE9e\" en \"Age\"\n");
    let output = eligo(&["check", "--format", "json", &path]);
    assert_eq!(exit_code(&output, "a Latin-1 file"), 1);
    let report = json(&output);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "E0102", "{report:#}");
    assert_eq!(diagnostic["start"]["line"], 1);
    assert_eq!(diagnostic["start"]["column"], 26, "the column of the first byte that is not UTF-8");
    assert!(diagnostic["help"].as_str().is_some_and(|h| h.contains("UTF-8")), "{report:#}");
}

/// The JSON diagnostics carry what editors need: the code, byte span, line, column in characters
/// and in UTF-16 units (𠮷 is one character but two UTF-16 units), and the help.
#[test]
fn json_diagnostics_have_positions_for_editors() {
    let dir = TempDir::new("json");
    let text = "input 𠮷年龄: int label \"年龄\" en \"Age\"\nlet 𠮷大 = 𠮷年令 >= 65\n";
    let path = dir.write("positions.rules", text);
    let output = eligo(&["check", "--format", "json", &path]);
    assert_eq!(exit_code(&output, "the JSON output"), 1);
    let report = json(&output);
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"], 1);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    let unknown = diagnostics.iter().find(|d| d["code"] == "E0201").unwrap_or_else(|| panic!("no E0201: {report:#}"));
    assert_eq!(unknown["severity"], "error");
    assert_eq!(unknown["message"], "unknown name `𠮷年令`");
    assert_eq!(unknown["file"], path.as_str());
    // "let 𠮷大 = " is 9 characters, 10 UTF-16 units and 14 bytes; the name is 10 bytes.
    let line_start = text.find("let").expect("line 2");
    assert_eq!(unknown["span"]["start"], line_start + 14);
    assert_eq!(unknown["span"]["end"], line_start + 24);
    assert_eq!(unknown["start"]["line"], 2);
    assert_eq!(unknown["start"]["column"], 10);
    assert_eq!(unknown["start"]["utf16Column"], 11);
    assert_eq!(unknown["end"]["line"], 2);
    assert_eq!(unknown["end"]["column"], 13);
    assert_eq!(unknown["end"]["utf16Column"], 15);
    assert_eq!(unknown["label"], "not declared");
    assert_eq!(unknown["help"], "did you mean `𠮷年龄`?");
    assert!(unknown["notes"].as_array().is_some_and(Vec::is_empty));
    let rendered = unknown["rendered"].as_str().expect("rendered");
    assert!(rendered.starts_with("error[E0201]: unknown name `𠮷年令`\n"), "{rendered}");
    assert!(rendered.contains(&format!("{path}:2:10")), "{rendered}");
}

#[test]
fn json_notes_point_at_the_other_place() {
    let output = eligo(&["check", "--format", "json", "tests/fixtures/invalid/E0501_overlapping_bands.rules"]);
    assert_eq!(exit_code(&output, "an overlap"), 1);
    let report = json(&output);
    let overlap = &report["diagnostics"][0];
    assert_eq!(overlap["code"], "E0501");
    assert_eq!(overlap["start"]["line"], 7);
    let note = &overlap["notes"][0];
    assert_eq!(note["message"], "the earlier row");
    assert_eq!(note["file"], "tests/fixtures/invalid/E0501_overlapping_bands.rules");
    assert_eq!(note["start"]["line"], 6);
    assert_eq!(note["start"]["column"], 3);
}

#[test]
fn a_valid_file_in_json() {
    let output = eligo(&["check", "--format", "json", "tests/fixtures/valid/disability_benefits.rules"]);
    assert_eq!(exit_code(&output, "a valid file in JSON"), 0);
    let report = json(&output);
    assert_eq!(report["valid"], true);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["summary"]["ruleset"], "shanghai_disability");
    assert_eq!(report["summary"]["policies"], 5);
}

/// A long `else if` chain is not nesting a reader notices, but each `if` nests inside the
/// previous `else`: the parser and the checker recurse once per link.
#[test]
fn a_long_else_if_chain_does_not_crash() {
    let dir = TempDir::new("else-if");
    let chain: String = (0..2_000).map(|i| format!("if x > {i} then {i} else ")).collect();
    let path = dir.write("chain.rules", format!("input x: int label \"x\" en \"x\"\nlet y = {chain}0\n"));
    let output = eligo(&["check", &path]);
    let code = exit_code(&output, "2,000 chained else-if");
    assert!(code == 0 || code == 1, "exit code {code}");
}

/// `1 + 1 + … + 1` has no brackets at all, but is a tree as deep as it is long.
#[test]
fn a_long_sum_does_not_crash() {
    let dir = TempDir::new("sum");
    let path = dir.write("sum.rules", format!("let y = {}1\n", "1 + ".repeat(5_000)));
    let output = eligo(&["check", &path]);
    let code = exit_code(&output, "a sum of 5,000 terms");
    assert!(code == 0 || code == 1, "exit code {code}");
}

#[test]
fn the_sample_rule_set_still_checks() {
    // Not asserted valid (rules/ is being edited), only that checking it never crashes.
    if Path::new(&root().join("rules")).exists() {
        let output = eligo(&["check", "rules"]);
        let code = exit_code(&output, "rules/");
        assert!(code == 0 || code == 1, "exit code {code}");
    }
}

#[test]
fn a_reader_that_stops_early_is_no_crash() {
    // `eligo test rules/ --format json | head -1`: the pipe closes while eligo still writes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_eligo"))
        .args(["test", "rules", "--format", "json"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("eligo starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("eligo ends");
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn build_writes_a_program_that_eval_loads_with_the_same_report() {
    let dir = TempDir::new("build");
    let file = dir.0.join("rules.eligo");
    let file = file.to_str().expect("a UTF-8 temporary path");
    let output = eligo(&["build", "rules/", "-o", file]);
    assert_eq!(exit_code(&output, "eligo build"), 0, "{}", stderr(&output));
    let size = std::fs::metadata(file).expect("the written file").len();
    let size =
        size.to_string().as_bytes().rchunks(3).rev().map(|c| String::from_utf8_lossy(c)).collect::<Vec<_>>().join(",");
    assert_eq!(stdout(&output), format!("wrote {file}: 21 policies, {size} bytes\n"));
    let bytes = std::fs::read(file).expect("the written file");
    assert!(eligo::Engine::load(&bytes, &eligo::Trust::development()).is_ok());

    for format in [&["--format", "json", "--trace"][..], &["--lang", "en", "--explain", "elderly_allowance"]] {
        let eval = |rules: &str| {
            let mut args =
                vec!["eval", rules, "--data", "rules/profiles/shanghai_elder_67.json", "--date", "2025-09-01"];
            args.extend(format);
            let output = eligo(&args);
            assert_eq!(exit_code(&output, "eligo eval"), 0, "{}", stderr(&output));
            stdout(&output)
        };
        assert_eq!(eval(file), eval("rules/"));
    }
}

#[test]
fn build_refuses_rules_with_errors_and_eval_refuses_what_is_not_a_program() {
    let dir = TempDir::new("build-errors");
    let file = dir.0.join("out.eligo");
    let file = file.to_str().expect("a UTF-8 temporary path");
    let output = eligo(&["build", "tests/fixtures/invalid/multiple_unrelated_errors.rules", "-o", file]);
    assert_eq!(exit_code(&output, "eligo build with errors"), 1);
    assert!(stderr(&output).contains("error[E0101]") && stderr(&output).contains("✗ 6 errors"), "{}", stderr(&output));
    assert!(!Path::new(file).exists(), "nothing is written");

    let output = eligo(&["build", "tests/fixtures/valid/fee_waivers.rules"]);
    assert_eq!(exit_code(&output, "eligo build without -o"), 2);

    let garbage = dir.write("garbage.eligo", b"{\"not\": \"a program\"}");
    let data = dir.write("data.json", "{}");
    let output = eligo(&["eval", &garbage, "--data", &data, "--date", "2025-09-01"]);
    assert_eq!(exit_code(&output, "a file that is not a program"), 1);
    assert_eq!(stderr(&output), format!("error: cannot load {garbage}: not an Eligo program (wrong magic)\n"));

    let output = eligo(&["eval", &garbage, "rules/", "--data", &data, "--date", "2025-09-01"]);
    assert_eq!(exit_code(&output, "a program with rule files"), 2);
    assert!(stderr(&output).contains("on its own"), "{}", stderr(&output));
}

/// Regression (2^40 paths): a folder with two links to itself is reported, not walked.
#[cfg(unix)]
#[test]
fn a_folder_that_links_to_itself_is_reported() {
    let dir = TempDir::new("link-loop");
    dir.write("a.rules", "input x: int label \"x\" en \"x\"\n");
    for link in ["loop1", "loop2"] {
        std::os::unix::fs::symlink(&dir.0, dir.0.join(link)).expect("a symlink");
    }
    let output = eligo(&["check", dir.0.to_str().expect("UTF-8")]);
    assert_eq!(exit_code(&output, "a link loop"), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("already being read"), "{}", stderr(&output));
}

/// Escape sequences in data, in unknown keys and in rule files are shown, never sent to the
/// terminal: every control character and bidirectional control, in every text command.
#[test]
fn text_output_escapes_control_characters() {
    let dir = TempDir::new("escapes");
    let controls = ["\u{1b}[2J", "\r", "\n", "\u{7f}", "\u{9b}", "\u{202e}", "\u{2066}", "\u{7}"];
    let hostile: String = controls.concat();
    // A rule file's text in quotes cannot hold a line break, and bidi controls are refused in
    // rule files (E0111): those are shown by `check` of `bad.rules`.
    let in_rules: String = hostile.chars().filter(|c| !matches!(c, '\n' | '\r' | '\u{202e}' | '\u{2066}')).collect();
    let rules = dir.write(
        "r.rules",
        format!(
            "input city: text label \"c\" en \"c\"\npolicy p \"p{in_rules}\" en \"p{in_rules}\"\n  require city == \"上海\" \"l{in_rules}\" en \"l\"\n"
        ),
    );
    let data = dir.write("d.json", serde_json::json!({ format!("k{hostile}"): 1, "city": "上海" }).to_string());
    let bad = dir.write("bad.rules", format!("input x: int label \"{}\"\n", hostile.replace('\n', "")));
    let outputs = [
        eligo(&["eval", &rules, "--data", &data, "--date", "2025-03-01", "--explain", "p"]),
        eligo(&["check", &bad]),
        eligo(&["check", &rules]),
    ];
    for output in &outputs {
        let text = format!("{}{}", stdout(output), stderr(output));
        for c in text.chars() {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            let raw = bidi || (c.is_control() && c != '\n' && c != '\t');
            assert!(!raw, "{c:?} printed raw in:\n{text}");
        }
    }
    let eval = stdout(&outputs[0]);
    assert!(eval.contains("k<U+001B>[2J<U+000D><U+000A><U+007F>"), "{eval}");
    // A newline from data cannot forge a line of its own.
    assert_eq!(eval.lines().filter(|l| l.starts_with('[')).count(), 0, "{eval}");
}

/// "did you mean" among many equally close names: the same in every process (each has its own
/// hash seed), and the rule of docs/language.md (the shortest, then the first in code-point order).
#[test]
fn suggestions_are_the_same_in_every_run() {
    let dir = TempDir::new("suggestions");
    let mut rules = String::new();
    for name in ["abcy", "zbcd", "abcx", "abxd", "abdc", "abce", "abcf", "bbcd"] {
        rules.push_str(&format!("input {name}: int label \"x\" en \"x\"\n"));
    }
    rules.push_str("policy p \"p\" en \"p\"\n  require abcd > 1 \"l\" en \"l\"\n");
    let file = dir.write("s.rules", rules);
    let data = dir.write("d.json", r#"{"abcd": 1, "abc": 2, "zzzz": 3}"#);
    let runs: Vec<(String, String)> = (0..5)
        .map(|_| {
            let check = eligo(&["check", &file]);
            let eval = eligo(&[
                "eval",
                "tests/fixtures/valid/elderly_allowance.rules",
                "--data",
                &data,
                "--date",
                "2025-03-01",
            ]);
            (stderr(&check), stdout(&eval))
        })
        .collect();
    assert!(runs[0].0.contains("did you mean `abce`?"), "{}", runs[0].0);
    assert!(runs.iter().all(|run| *run == runs[0]), "{runs:#?}");
}

/// Data that is not an object is named as the whole data, with no empty path before it.
#[test]
fn data_that_is_not_an_object_is_named_as_a_whole() {
    let dir = TempDir::new("not-an-object");
    for (data, got) in [("[]", "got a list"), ("7", "got 7"), ("null", "got null"), ("\"x\"", "got \"x\"")] {
        let file = dir.write("d.json", data);
        let output =
            eligo(&["eval", "tests/fixtures/valid/elderly_allowance.rules", "--data", &file, "--date", "2025-03-01"]);
        assert_eq!(exit_code(&output, data), 1);
        let err = stderr(&output);
        assert!(err.contains("  the data must be an object of facts, like {") && err.contains(got), "{err}");
        assert!(!err.contains("  : "), "{err}");
    }
}

/// Data past the size limit is refused after reading one byte more, never read whole, even when
/// the cut falls inside a character.
#[test]
fn data_past_the_size_limit_is_refused() {
    let dir = TempDir::new("big-data");
    let file = dir.write("d.json", format!("{{\"hukou\": \"{}\"}}", "城".repeat(3_000_000)));
    let output =
        eligo(&["eval", "tests/fixtures/valid/elderly_allowance.rules", "--data", &file, "--date", "2025-03-01"]);
    assert_eq!(exit_code(&output, "9 MB of data"), 1);
    assert!(stderr(&output).contains("the data is longer than 4194304 bytes"), "{}", stderr(&output));
}

/// What the CLI prints for people quotes rule files too: a terminal escape written in an
/// example's name or a label is shown escaped by `eligo test` and `eligo eval`.
#[test]
fn the_cli_never_prints_a_control_character_from_the_rules() {
    let dir = std::env::temp_dir().join(format!("eligo-source-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let rules = "ruleset r \"r\" en \"r\"\ninput x: int label \"x\u{1b}[2J\" en \"x\u{1b}[2J\"\n\
        policy p \"p\u{1b}]0;title\u{7}\" en \"p\u{1b}]0;title\u{7}\"\n  require x >= 65 \"x\" en \"x\"\n  amount monthly = 1元\n\
        example \"e\u{1b}[31m\" on 2025-01-01 given x = 70 expect p ineligible\n";
    std::fs::write(dir.join("r.rules"), rules).expect("written");
    let data = dir.join("d.json");
    std::fs::write(&data, "{}").expect("written");
    let eligo = env!("CARGO_BIN_EXE_eligo");
    let data = data.to_string_lossy().to_string();
    let dir_arg = dir.to_string_lossy().to_string();
    for args in [vec!["test", &dir_arg], vec!["eval", &dir_arg, "--data", &data, "--date", "2025-01-01"]] {
        let output = std::process::Command::new(eligo).args(&args).output().expect("eligo runs");
        let all = [output.stdout, output.stderr].concat();
        let text = String::from_utf8_lossy(&all);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{args:?}: {text}");
        assert!(text.contains("<U+001B>"), "{args:?}: {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ───────────────────────────── eligo fmt ─────────────────────────────

const UNFORMATTED: &str =
    "input  x :int label \"x\" en \"x\"   // why\r\n\r\n\r\npolicy p \"p\" en \"p\" require x>=1 \"x\" en \"x\"\r\n";

#[test]
fn fmt_check_lists_what_is_not_formatted_and_changes_nothing() {
    let dir = TempDir::new("fmt-check");
    let messy = dir.write("a.rules", UNFORMATTED);
    let tidy = dir.write("b.rules", eligo::format::format(UNFORMATTED).unwrap_or_default());
    let output = eligo(&["fmt", "--check", dir.0.to_str().unwrap_or_default()]);
    assert_eq!(exit_code(&output, "fmt --check"), 1);
    let out = stdout(&output);
    assert!(out.contains(&format!("{messy}: not formatted")) && !out.contains(&tidy), "{out}");
    assert!(
        out.contains("line 1:") && out.contains("+ input x: int"),
        "the hint shows the first line that differs: {out}"
    );
    assert_eq!(std::fs::read_to_string(&messy).unwrap_or_default(), UNFORMATTED);
}

#[test]
fn fmt_writes_the_formatted_file_in_place() {
    let dir = TempDir::new("fmt-write");
    let messy = dir.write("a.rules", UNFORMATTED);
    let output = eligo(&["fmt", dir.0.to_str().unwrap_or_default()]);
    assert_eq!(exit_code(&output, "fmt"), 0, "{}", stderr(&output));
    let written = std::fs::read_to_string(&messy).unwrap_or_default();
    assert_eq!(
        written,
        "input x: int\n  label \"x\" en \"x\"   // why\n\npolicy p \"p\" en \"p\"\n  require x >= 1 \"x\" en \"x\"\n"
    );
    // The temporary file was renamed, not left behind.
    let names: Vec<_> = std::fs::read_dir(&dir.0).into_iter().flatten().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(exit_code(&eligo(&["fmt", "--check", &messy]), "fmt --check"), 0);
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_or_is_not_utf8_as_it_is() {
    let dir = TempDir::new("fmt-refused");
    let broken = dir.write("broken.rules", "input x int\n");
    let gbk = dir.write("gbk.rules", b"// \xc4\xea\xc1\xe4\ninput  x: int\n");
    let messy = dir.write("messy.rules", UNFORMATTED);
    for check in [true, false] {
        let mut args = vec!["fmt", dir.0.to_str().unwrap_or_default()];
        args.extend(check.then_some("--check"));
        let output = eligo(&args);
        assert_eq!(exit_code(&output, "fmt of a broken file"), 1);
        let err = stderr(&output);
        assert!(err.contains("E0101") && err.contains("broken.rules does not parse"), "{err}");
        assert!(err.contains("gbk.rules is not UTF-8"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&broken).unwrap_or_default(), "input x int\n");
    assert_eq!(std::fs::read(&gbk).unwrap_or_default(), b"// \xc4\xea\xc1\xe4\ninput  x: int\n");
    // The other files are still formatted.
    assert_eq!(std::fs::read_to_string(&messy).ok(), eligo::format::format(UNFORMATTED).ok());
}

#[test]
fn fmt_check_passes_on_the_sample_rules() {
    let output = eligo(&["fmt", "--check"]);
    assert_eq!(exit_code(&output, "fmt --check rules/"), 0, "{}{}", stdout(&output), stderr(&output));
}

#[test]
fn fmt_of_nothing_is_a_usage_error() {
    let dir = TempDir::new("fmt-empty");
    assert_eq!(exit_code(&eligo(&["fmt", dir.0.to_str().unwrap_or_default()]), "fmt of an empty folder"), 2);
}
