//! The `eligo` binary on hostile and ordinary input: it never panics or crashes, and its exit
//! code says what happened (0 valid, warnings allowed; 1 errors in the rules; 2 a usage error).

// The binary is built only with the `cli` feature (on by default).

#[allow(dead_code)]
mod common;
use common::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `eligo ARGS` from the package root, in an English locale (diagnostics follow it).
fn eligo(args: &[&str]) -> Output {
    eligo_in(&[("LANG", "C.UTF-8")], args)
}

/// `eligo ARGS` with only these locale variables set (of LC_ALL, LC_MESSAGES and LANG).
fn eligo_in(locale: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eligo"));
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        command.env_remove(name);
    }
    command.envs(locale.iter().copied()).args(args).current_dir(root()).output().expect("run eligo")
}

/// Whether the diagnostics `eligo check` printed are in Chinese (`错误[E…]：` and the summary
/// `✗ N 个错误`) and not in English, or the other way round.
fn said_in_chinese(output: &Output) -> bool {
    let err = stderr(output);
    let zh = err.contains("错误[E") && err.contains("个错误");
    let en = err.contains("error[E") && err.contains(" error");
    assert!(zh != en, "one language, not both or neither:\n{err}");
    zh
}

const INVALID: &str = "tests/fixtures/invalid/multiple_unrelated_errors.rules";

#[test]
fn check_speaks_the_language_asked_for() {
    let zh = eligo(&["check", "--lang", "zh", INVALID]);
    assert_eq!(exit_code(&zh, "check --lang zh"), 1);
    assert!(said_in_chinese(&zh));
    assert!(stderr(&zh).contains("   = 建议："), "{}", stderr(&zh));
    let en = eligo_in(&[("LC_ALL", "zh_CN.UTF-8")], &["check", "--lang", "en", INVALID]);
    assert!(!said_in_chinese(&en), "--lang wins over the locale");
    // The JSON for editors carries the same language.
    let json = eligo(&["check", "--lang", "zh", "--format", "json", INVALID]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let first = &json["diagnostics"][0];
    assert!(first["message"].as_str().is_some_and(|m| m.contains("是不是要写")), "{first}");
    assert!(first["rendered"].as_str().is_some_and(|r| r.starts_with("错误[E0101]：")), "{first}");
}

#[test]
fn the_default_language_is_the_locales() {
    // (locale variables, Chinese?): LC_ALL, then LC_MESSAGES, then LANG; an empty one is unset.
    let cases: &[(&[(&str, &str)], bool)] = &[
        (&[], false),
        (&[("LANG", "zh_CN.UTF-8")], true),
        (&[("LANG", "zh_TW")], true),
        (&[("LANG", "en_US.UTF-8")], false),
        (&[("LANG", "C")], false),
        (&[("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")], true),
        (&[("LC_ALL", "en_US.UTF-8"), ("LC_MESSAGES", "zh_CN.UTF-8"), ("LANG", "zh_CN.UTF-8")], false),
        (&[("LC_ALL", "zh_CN.GB18030"), ("LANG", "en_US.UTF-8")], true),
        (&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")], true),
    ];
    for (locale, chinese) in cases {
        for command in ["check", "test", "build"] {
            let mut args = vec![command, INVALID];
            if command == "build" {
                args.extend(["-o", "target/never-written.eligo"]);
            }
            let output = eligo_in(locale, &args);
            assert_eq!(exit_code(&output, command), 1, "{command} {locale:?}");
            assert_eq!(said_in_chinese(&output), *chinese, "{command} with {locale:?}");
        }
    }
}

#[test]
fn file_errors_are_in_the_language_too() {
    let zh = eligo(&["check", "--lang", "zh", "tests/fixtures/no-such-folder"]);
    assert_eq!(exit_code(&zh, "a missing path"), 2);
    assert!(stderr(&zh).starts_with("错误：") && stderr(&zh).contains("不存在"), "{}", stderr(&zh));
    let en = eligo(&["check", "--lang", "en", "tests/fixtures/no-such-folder"]);
    assert!(stderr(&en).starts_with("error: ") && stderr(&en).contains("does not exist"), "{}", stderr(&en));
}

#[test]
fn the_help_says_how_the_language_is_chosen() {
    for command in ["check", "test", "build"] {
        let help = stdout(&eligo(&[command, "--help"]));
        // Joined again where clap wraps the help to the terminal's width.
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(help.contains("--lang") && help.contains("LC_ALL, then LC_MESSAGES, then LANG"), "{command}:\n{help}");
    }
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

    assert!(stderr(&output).contains("not signed"), "{}", stderr(&output));

    for format in [&["--format", "json", "--trace"][..], &["--lang", "en", "--explain", "elderly_allowance"]] {
        let eval = |rules: &str| {
            let mut args =
                vec!["eval", rules, "--data", "rules/profiles/shanghai_elder_67.json", "--date", "2025-09-01"];
            args.extend(format);
            if rules == file {
                args.push("--allow-unsigned");
            }
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
    let output = eligo(&["eval", &garbage, "--data", &data, "--date", "2025-09-01", "--lang", "en"]);
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

// Signed rule bundles (`keygen`, `build --sign`, `verify`, `eval --trusted-key`): what is
// accepted, and every refusal with its exit code and the words that say why.

/// `eligo keygen --issuer ISSUER -o DIR/NAME.key`: the secret and the public key file's paths.
fn keygen(dir: &TempDir, name: &str, issuer: &str) -> (String, String) {
    let key = dir.0.join(format!("{name}.key")).to_str().expect("a UTF-8 temporary path").to_string();
    let output = eligo(&["keygen", "--issuer", issuer, "-o", &key]);
    assert_eq!(exit_code(&output, "eligo keygen"), 0, "{}", stderr(&output));
    (key, dir.0.join(format!("{name}.pub")).to_str().expect("UTF-8").to_string())
}

/// `eligo build RULES -o OUT --sign KEY --version N` and more arguments: its output.
fn build_signed(rules: &str, out: &str, key: &str, version: &str, more: &[&str]) -> Output {
    let mut args = vec!["build", rules, "-o", out, "--sign", key, "--version", version];
    args.extend(more);
    eligo(&args)
}

const PROFILE: &str = "rules/profiles/shanghai_elder_67.json";

#[test]
fn keygen_writes_a_secret_key_for_its_owner_and_a_public_key_and_never_overwrites_either() {
    let dir = TempDir::new("keygen");
    let (key, public) = keygen(&dir, "issuer", "北京市民政局");
    let secret = eligo::keys::SecretKey::parse(&std::fs::read_to_string(&key).expect("issuer.key")).expect("a key");
    let public_key =
        eligo::keys::PublicKey::parse(&std::fs::read_to_string(&public).expect("issuer.pub")).expect("a key");
    assert_eq!(secret.public(), public_key);
    assert_eq!(public_key.issuer, "北京市民政局");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("issuer.key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "issuer.key is its owner's alone");
    }
    // Another run makes another key: the seed is random.
    let (other, _) = keygen(&dir, "other", "北京市民政局");
    assert_ne!(std::fs::read(&other).expect("other.key"), std::fs::read(&key).expect("issuer.key"));

    let written = [std::fs::read(&key).expect("issuer.key"), std::fs::read(&public).expect("issuer.pub")];
    let again = eligo(&["keygen", "--issuer", "另一个机关", "-o", &key]);
    assert_eq!(exit_code(&again, "keygen over a key"), 2);
    assert!(stderr(&again).contains("never overwritten"), "{}", stderr(&again));
    // A public key alone in the way is refused too, and nothing is written.
    let lone = dir.0.join("lone.key");
    dir.write("lone.pub", "in the way");
    let output = eligo(&["keygen", "--issuer", "x", "-o", lone.to_str().expect("UTF-8")]);
    assert_eq!(exit_code(&output, "keygen over a .pub"), 2);
    assert!(stderr(&output).contains("lone.pub exists"), "{}", stderr(&output));
    assert!(!lone.exists());
    let output = eligo(&["keygen", "--issuer", "x", "-o", &public]);
    assert_eq!(exit_code(&output, "keygen -o issuer.pub"), 2);
    let blank = dir.0.join("blank.key");
    let output = eligo(&["keygen", "--issuer", " ", "-o", blank.to_str().expect("UTF-8")]);
    assert_eq!(exit_code(&output, "keygen without an issuer"), 2);
    assert!(stderr(&output).contains("issuer's name is empty") && !blank.exists(), "{}", stderr(&output));
    assert_eq!([std::fs::read(&key).expect("issuer.key"), std::fs::read(&public).expect("issuer.pub")], written);

    assert!(stdout(&again).is_empty(), "{}", stdout(&again));

    let shown = eligo(&["keygen", "--issuer", "北京市民政局", "-o", dir.0.join("shown.key").to_str().expect("UTF-8")]);
    let id = eligo::keys::PublicKey::parse(&std::fs::read_to_string(dir.0.join("shown.pub")).expect(".pub"))
        .expect("a key")
        .id
        .to_string();
    for words in [id.as_str(), "shown.key", "shown.pub", "offline", "verifiers"] {
        assert!(stdout(&shown).contains(words), "{words:?} in:\n{}", stdout(&shown));
    }
}

#[test]
fn a_signed_build_verifies_and_evaluates_with_its_key_and_says_which_rules_decided() {
    let dir = TempDir::new("signed");
    let (key, public) = keygen(&dir, "issuer", "北京市民政局");
    let id = eligo::keys::PublicKey::parse(&std::fs::read_to_string(&public).expect(".pub")).expect("a key").id;
    let bundle = dir.0.join("rules.eligo").to_str().expect("UTF-8").to_string();
    let output = build_signed("rules/", &bundle, &key, "7", &["--issued", "2025-08-01"]);
    assert_eq!(exit_code(&output, "build --sign"), 0, "{}", stderr(&output));
    for words in ["21 policies", "version 7", "北京市民政局", &id.to_string(), "2025-08-01"] {
        assert!(stdout(&output).contains(words), "{words:?} in:\n{}", stdout(&output));
    }

    let output = eligo(&["verify", &bundle, "--key", &public, "--lang", "en"]);
    assert_eq!(exit_code(&output, "verify"), 0, "{}", stderr(&output));
    for words in ["verified", "china_public_services", "7", "北京市民政局", &id.to_string(), "2025-08-01", "21"] {
        assert!(stdout(&output).contains(words), "{words:?} in:\n{}", stdout(&output));
    }

    let eval = |more: &[&str]| {
        let mut args = vec!["eval", &bundle, "--data", PROFILE, "--trusted-key", &public];
        args.extend(more);
        let output = eligo(&args);
        assert_eq!(exit_code(&output, "eval of a signed bundle"), 0, "{}", stderr(&output));
        stdout(&output)
    };
    let report: serde_json::Value =
        serde_json::from_str(&eval(&["--date", "2025-09-01", "--format", "json"])).expect("a JSON report");
    let rules = &report["rules"];
    assert_eq!(rules["signed"], true);
    assert_eq!(rules["version"], 7);
    assert_eq!(rules["issuer"], "北京市民政局");
    assert_eq!(rules["keyId"], id.to_string());
    assert_eq!(rules["issued"], "2025-08-01");
    let code = rules["verificationCode"].as_str().expect("a verification code").to_string();
    assert!(code.ends_with("-20250901"), "{code}");

    // The code alone re-runs the same answer: its date is the evaluation date.
    assert_eq!(eval(&["--code", &code, "--format", "json"]), eval(&["--date", "2025-09-01", "--format", "json"]));
    assert_eq!(eval(&["--code", &code.to_lowercase(), "--date", "2025-09-01"]), eval(&["--date", "2025-09-01"]));
    for (lang, said) in [("zh", "规则: 版本 7 · 北京市民政局"), ("en", "rules: version 7 · 北京市民政局")]
    {
        let human = eval(&["--date", "2025-09-01", "--lang", lang]);
        assert_eq!(human.matches(said).count(), 1, "{human}");
        assert_eq!(human.matches(&code).count(), 1, "{human}");
    }
    // Rule files compiled here are unsigned, and the report says so; their hash is the bundle's.
    let human = stdout(&eligo(&["eval", "rules/", "--data", PROFILE, "--code", &code, "--lang", "en"]));
    assert!(human.contains("rules: unsigned, development only") && human.contains(&code), "{human}");

    // Two trusted keys (a rotation): the bundle of either loads.
    let (_, other_public) = keygen(&dir, "next", "北京市民政局");
    let output = eligo(&["verify", &bundle, "--key", &other_public, "--key", &public]);
    assert_eq!(exit_code(&output, "verify with two keys"), 0, "{}", stderr(&output));
}

/// Each way a bundle or a command is refused, through the CLI: the exit code (1 refused, 2 a
/// usage error) and the words that say why, in the language asked for.
#[test]
fn every_refusal_has_its_exit_code_and_says_why() {
    let dir = TempDir::new("refusals");
    let (key, public) = keygen(&dir, "issuer", "北京市民政局");
    let (other_key, other_public) = keygen(&dir, "other", "上海市民政局");
    let path = |name: &str| dir.0.join(name).to_str().expect("UTF-8").to_string();
    let bundle = path("rules.eligo");
    let output = build_signed("rules/", &bundle, &key, "3", &["--issued", "2025-08-01"]);
    assert_eq!(exit_code(&output, "build --sign"), 0, "{}", stderr(&output));
    let unsigned = path("unsigned.eligo");
    assert_eq!(exit_code(&eligo(&["build", "rules/", "-o", &unsigned]), "build"), 0);
    let bytes = std::fs::read(&bundle).expect("the bundle");

    let refused = |args: &[&str], code: i32, words: &[&str]| {
        let output = eligo(args);
        assert_eq!(exit_code(&output, &format!("{args:?}")), code, "{args:?}:\n{}", stderr(&output));
        assert!(stdout(&output).is_empty(), "{args:?} printed:\n{}", stdout(&output));
        for word in words {
            assert!(stderr(&output).contains(word), "{word:?} for {args:?} in:\n{}", stderr(&output));
        }
    };
    let eval = |rules: &str, more: &[&str]| {
        let mut args = vec!["eval", rules, "--data", PROFILE, "--date", "2025-09-01"];
        args.extend(more);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>, code: i32, words: &[&str]| {
        refused(&args.iter().map(String::as_str).collect::<Vec<_>>(), code, words);
    };

    // Unsigned, or signed but no key given: refused, with the flag that would load it.
    run(eval(&unsigned, &["--lang", "en"]), 1, &["not signed", "--allow-unsigned"]);
    run(eval(&unsigned, &[]), 1, &["没有签名", "--allow-unsigned"]);
    run(eval(&unsigned, &["--trusted-key", &public, "--lang", "en"]), 1, &["not signed"]);
    run(eval(&bundle, &["--lang", "en"]), 1, &["no key is trusted", "--trusted-key"]);
    run(eval(&bundle, &["--allow-unsigned", "--lang", "en"]), 1, &["--trusted-key"]);
    // Another issuer's key.
    run(eval(&bundle, &["--trusted-key", &other_public, "--lang", "en"]), 1, &["not trusted"]);
    refused(&["verify", &bundle, "--key", &other_public], 1, &["不受信任"]);
    // A version older than the last one accepted.
    refused(
        &["verify", &bundle, "--key", &public, "--accepted-version", "4", "--lang", "en"],
        1,
        &["older than version 4"],
    );
    run(eval(&bundle, &["--trusted-key", &public, "--accepted-version", "4"]), 1, &["早于"]);
    // A secret key (or anything but a public key) given to trust.
    refused(&["verify", &bundle, "--key", &key], 2, &["issuer.key", "私钥"]);
    run(eval(&bundle, &["--trusted-key", &key, "--lang", "en"]), 2, &["issuer.key", "secret key"]);
    let garbage = dir.write("garbage.pub", [0xff, 0xfe, b'\n']);
    refused(&["verify", &bundle, "--key", &garbage, "--lang", "en"], 2, &["garbage.pub", "not UTF-8"]);
    refused(&["verify", &bundle, "--key", &path("absent.pub")], 2, &["absent.pub"]);
    let long = dir.write("long.pub", vec![b'#'; 64 * 1024 + 1]);
    refused(&["verify", &bundle, "--key", &long, "--lang", "en"], 2, &["long.pub", "longer than 65536 bytes"]);
    let just = dir.write(
        "just.pub",
        format!("{}{}", "#".repeat(64 * 1024 - 250), std::fs::read_to_string(&public).expect(".pub")),
    );
    assert!(std::fs::metadata(&just).expect("just.pub").len() <= 64 * 1024);
    assert_eq!(exit_code(&eligo(&["verify", &bundle, "--key", &just]), "a key file at the limit"), 0);
    // A key for signing that is not one.
    refused(&["build", "rules/", "-o", &path("x.eligo"), "--sign", &public, "--version", "1"], 2, &["public key"]);

    // Any byte flipped, anywhere (the header, the manifest, the signature, the program), and any
    // cut: refused, never loaded.
    let altered = path("altered.eligo");
    let step = bytes.len() / 50;
    let flips = (0..200).step_by(3).chain((200..bytes.len()).step_by(step)).chain([bytes.len() - 1]);
    for at in flips {
        let mut copy = bytes.clone();
        copy[at] ^= 0x01;
        std::fs::write(&altered, &copy).expect("written");
        refused(&["verify", &altered, "--key", &public, "--lang", "en"], 1, &["error: "]);
    }
    for cut in [0, 1, 20, 100, 160, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&altered, &bytes[..cut]).expect("written");
        refused(&["verify", &altered, "--key", &public, "--lang", "en"], 1, &["error: "]);
    }
    std::fs::write(&altered, &bytes[..bytes.len() - 1]).expect("written");
    run(eval(&altered, &["--trusted-key", &public, "--lang", "en"]), 1, &["truncated"]);
    let mut copy = bytes.clone();
    let last = copy.len() - 1;
    copy[last] ^= 1;
    std::fs::write(&altered, &copy).expect("written");
    run(eval(&altered, &["--trusted-key", &public, "--lang", "en"]), 1, &["altered"]);

    // The version only grows: an older one, or the same with other rules, is refused with the
    // version to give; the same rules again, a higher version, or another key's bundle are not.
    let small = |amount: &str| {
        let rules = format!(
            "ruleset r \"r\" en \"r\"\ninput x: int label \"x\" en \"x\"\npolicy p \"p\" en \"p\"\n  \
             require x >= 65 \"x\" en \"x\"\n  amount monthly = {amount}元\n"
        );
        dir.write(&format!("r{amount}.rules"), rules)
    };
    let (first, second) = (small("1"), small("2"));
    let released = path("released.eligo");
    let sign = |rules: &str, version: &str, key: &str| {
        let output = build_signed(rules, &released, key, version, &["--issued", "2025-08-01"]);
        (exit_code(&output, &format!("build --version {version}")), stderr(&output))
    };
    assert_eq!(sign(&first, "3", &key).0, 0);
    let written = std::fs::read(&released).expect("the bundle");
    let (code, said) = sign(&first, "2", &key);
    assert!(code == 1 && said.contains("version 3") && said.contains("--version 4"), "{said}");
    let (code, said) = sign(&second, "3", &key);
    assert!(code == 1 && said.contains("other rules") && said.contains("--version 4"), "{said}");
    assert_eq!(std::fs::read(&released).expect("the bundle"), written, "a refused build writes nothing");
    assert_eq!(sign(&first, "3", &key).0, 0, "the same rules again");
    assert_eq!(std::fs::read(&released).expect("the bundle"), written, "the same rules again: the same bundle");
    assert_eq!(sign(&second, "4", &key).0, 0);
    assert_eq!(sign(&first, "1", &other_key).0, 0, "another key's bundle is its own series");

    // A key file is never written over, signed or not.
    let keys = [std::fs::read(&key).expect("issuer.key"), std::fs::read(&public).expect("issuer.pub")];
    refused(&["build", &first, "-o", &key, "--sign", &key, "--version", "9"], 2, &["is a key file"]);
    refused(&["build", &first, "-o", &public], 2, &["is a key file"]);
    assert_eq!([std::fs::read(&key).expect("issuer.key"), std::fs::read(&public).expect("issuer.pub")], keys);

    // --sign and --version go together; a version fits a JSON number; a date is a date.
    refused(&["build", "rules/", "-o", &path("y.eligo"), "--sign", &key], 2, &["--version"]);
    refused(&["build", "rules/", "-o", &path("y.eligo"), "--version", "1"], 2, &["--sign"]);
    refused(
        &["build", "rules/", "-o", &path("y.eligo"), "--sign", &key, "--version", "9007199254740992"],
        2,
        &["9007199254740991"],
    );
    refused(
        &["build", "rules/", "-o", &path("y.eligo"), "--sign", &key, "--version", "1", "--issued", "2025-02-30"],
        2,
        &["--issued"],
    );
    assert!(!Path::new(&path("y.eligo")).exists());

    // A verification code of other rules, or of another day than --date.
    let other = "0000000A-20250901";
    run(
        eval(&bundle, &["--trusted-key", &public, "--code", other, "--lang", "en"]),
        1,
        &["not the ones that produced", "0000000A"],
    );
    run(eval("rules/", &["--code", other]), 1, &["不是生成该摘要的规则"]);
    run(eval("rules/", &["--code", "0000000A-20250902", "--lang", "en"]), 2, &["2025-09-02", "is not the date"]);
    run(eval("rules/", &["--code", "3F2A9C1B"]), 2, &["not a verification code"]);
    refused(&["eval", "rules/", "--data", PROFILE], 2, &["--date"]);
    // Trust is for a bundle: rule files compiled here are not verified by it.
    run(eval("rules/", &["--trusted-key", &public]), 2, &["for a program (.eligo)"]);
}

/// What `eligo verify` shows, in both languages, for a key made from a fixed seed and a fixed
/// issue date (the program's hash, which changes with every edit of rules/, is redacted).
#[test]
fn verify_output() {
    let dir = TempDir::new("verify-output");
    let key = eligo::keys::SecretKey::from_seed("北京市民政局", [7; 32]).expect("a key");
    let secret = dir.write("issuer.key", key.to_text());
    let public = dir.write("issuer.pub", key.public().to_text());
    let bundle = dir.0.join("rules.eligo").to_str().expect("UTF-8").to_string();
    let output = build_signed("rules/", &bundle, &secret, "12", &["--issued", "2025-09-01"]);
    assert_eq!(exit_code(&output, "build --sign"), 0, "{}", stderr(&output));
    let mut shown = String::new();
    for lang in ["zh", "en"] {
        let output = eligo(&["verify", &bundle, "--key", &public, "--lang", lang]);
        assert_eq!(exit_code(&output, "verify"), 0, "{}", stderr(&output));
        shown.push_str(&stdout(&output));
    }
    let hash = eligo::Engine::load(&std::fs::read(&bundle).expect("the bundle"), &eligo::Trust::keys([key.public()]))
        .expect("the bundle loads")
        .rules()
        .hash;
    insta::assert_snapshot!(shown.replace(&bundle, "rules.eligo").replace(&hash, "<hash>"));
}

/// A rule set whose examples leave a condition never false, a band and an exception; one fails.
const PARTIAL: &str = "tests/fixtures/coverage/partial.rules";

#[test]
fn coverage_lists_what_the_examples_leave_in_file_order_in_chinese_and_english() {
    for lang in ["zh", "en"] {
        let output = eligo(&["test", "--coverage", "--lang", lang, PARTIAL]);
        // The failing example fails the run, as without --coverage.
        assert_eq!(exit_code(&output, "eligo test --coverage"), 1, "{}", stderr(&output));
        insta::assert_snapshot!(format!("coverage_human_{lang}"), stdout(&output));
    }
}

#[test]
fn coverage_never_changes_what_the_examples_give_nor_the_exit_code() {
    let valid = std::fs::read_dir(root().join("tests/fixtures/valid")).expect("the valid fixtures");
    let valid: Vec<String> =
        valid.map(|e| format!("tests/fixtures/valid/{}", e.expect("a file").file_name().to_string_lossy())).collect();
    for path in [PARTIAL, "rules/"].into_iter().chain(valid.iter().map(String::as_str)) {
        let plain = eligo(&["test", "--format", "json", path]);
        let covered = eligo(&["test", "--coverage", "--format", "json", path]);
        assert_eq!(exit_code(&plain, path), exit_code(&covered, path), "{path}");
        let (plain, covered) = (json(&plain), json(&covered));
        assert_eq!(plain["examples"], covered["examples"], "{path}");
        assert!(plain.get("coverage").is_none() && covered["coverage"]["total"].is_object(), "{path}");
    }
}

#[test]
fn coverage_in_json_has_its_stable_shape() {
    let output = eligo(&["test", "--coverage", "--format", "json", "--lang", "en", PARTIAL]);
    assert_eq!(exit_code(&output, "eligo test --coverage --format json"), 1);
    insta::assert_snapshot!("coverage_json", format!("{:#}", json(&output)["coverage"]));
}

#[test]
fn junit_is_well_formed_xml_with_a_test_case_per_example_and_the_coverage_as_properties() {
    let output = eligo(&["test", "--coverage", "--format", "junit", "--lang", "en", PARTIAL]);
    assert_eq!(exit_code(&output, "eligo test --format junit"), 1);
    let xml = stdout(&output);
    let elements = xml_elements(&xml).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"));
    let count = |name: &str| elements.iter().filter(|e| e.as_str() == name).count();
    assert_eq!((count("testcase"), count("failure"), count("property")), (3, 1, 5), "{elements:?}");
    insta::assert_snapshot!("coverage_junit", xml);
    // Without --coverage: the examples alone, still well-formed, even for names that need escaping.
    let dir = TempDir::new("junit");
    let rules = std::fs::read_to_string(root().join(PARTIAL)).expect("the fixture");
    let file = dir.write("a.rules", rules.replace("80岁", "80 <岁> & 'x'"));
    let output = eligo(&["test", "--format", "junit", &file]);
    let elements = xml_elements(&stdout(&output)).unwrap_or_else(|e| panic!("{e}\n{}", stdout(&output)));
    assert_eq!(elements.iter().filter(|e| e.as_str() == "property").count(), 0);
    assert!(stdout(&output).contains("name=\"80 &lt;岁&gt; &amp; &apos;x&apos;\""), "{}", stdout(&output));
}

/// The names of the elements of `xml`, in order, when it is well-formed (tags nested and closed,
/// attributes quoted, `<` and `&` only as markup or entities); a tiny checker, enough for JUnit.
fn xml_elements(xml: &str) -> Result<Vec<String>, String> {
    let text_ok = |text: &str| {
        let entity = |rest: &str| ["amp;", "lt;", "gt;", "quot;", "apos;"].iter().any(|e| rest.starts_with(e));
        !text.contains('<') && text.match_indices('&').all(|(i, _)| entity(&text[i + 1..]))
    };
    let body = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").ok_or("no XML declaration")?;
    let (mut open, mut names, mut rest) = (Vec::<String>::new(), Vec::new(), body);
    while let Some(start) = rest.find('<') {
        if !text_ok(&rest[..start]) {
            return Err(format!("bad text before {}", &rest[start..]));
        }
        let end = rest[start..].find('>').ok_or("a tag not closed")? + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop().as_deref() != Some(name) {
                return Err(format!("</{name}> closes nothing open"));
            }
        } else {
            let closed = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, mut attributes) = tag.split_once(' ').unwrap_or((tag, ""));
            while !attributes.trim().is_empty() {
                let (key, value) = attributes.trim_start().split_once("=\"").ok_or(format!("attribute in <{tag}>"))?;
                let (value, after) = value.split_once('"').ok_or(format!("unquoted attribute {key}"))?;
                if !text_ok(value) || key.contains(' ') {
                    return Err(format!("bad attribute {key}=\"{value}\""));
                }
                attributes = after;
            }
            names.push(name.to_string());
            if !closed {
                open.push(name.to_string());
            }
        }
        rest = &rest[end + 1..];
    }
    if !open.is_empty() || !text_ok(rest) {
        return Err(format!("left open: {open:?}"));
    }
    Ok(names)
}

#[test]
fn min_coverage_fails_below_the_figure_and_the_rule_set_is_fully_covered() {
    let dir = TempDir::new("min-coverage");
    let rules = std::fs::read_to_string(root().join(PARTIAL)).expect("the fixture");
    let passing = rules.split("example \"90岁").next().expect("the fixture's text");
    let file = dir.write("a.rules", passing);
    // 3 of 8: one condition of three both ways, no exception, the output, one row of three.
    let output = eligo(&["test", "--min-coverage", "37", &file]);
    assert_eq!(exit_code(&output, "--min-coverage 37"), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("3/8 37.5%"), "{}", stdout(&output));
    let output = eligo(&["test", "--min-coverage", "38", "--lang", "en", &file]);
    assert_eq!(exit_code(&output, "--min-coverage 38"), 1);
    assert!(stderr(&output).contains("coverage 37.5% is below --min-coverage 38"), "{}", stderr(&output));
    assert_eq!(exit_code(&eligo(&["test", "--min-coverage", "101", &file]), "101"), 2);
    let output = eligo(&["test", "--min-coverage", "100", "rules/"]);
    assert_eq!(exit_code(&output, "rules/"), 0, "{}{}", stdout(&output), stderr(&output));
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
