//! The formatter (`eligo fmt`, `eligo::format`): on every rule file of the repository, on every
//! fixture that parses and on generated rule sets, it is idempotent, changes nothing that parses
//! (the ASTs without their spans, the diagnostics' codes) and keeps every comment; rules/ is
//! formatted; snapshots show the layout.

#[allow(dead_code)]
mod common;
#[allow(dead_code)]
#[path = "../fuzz/src/harness.rs"]
mod harness;

use common::{root, rule_files};
use proptest::prelude::*;

#[test]
fn the_rule_files_and_valid_fixtures_keep_the_properties() {
    for dir in ["rules", "tests/fixtures/valid"] {
        for (name, text) in rule_files(&root().join(dir)) {
            assert!(harness::format_properties(&text), "{name} does not parse");
        }
    }
}

#[test]
fn the_invalid_fixtures_that_parse_keep_the_properties() {
    let mut parsed = 0;
    let mut entries: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .expect("the invalid fixtures")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).expect("a fixture");
        if harness::format_properties(&String::from_utf8_lossy(&bytes)) {
            parsed += 1;
        }
    }
    // Most invalid fixtures are errors of the checker, after parsing.
    assert!(parsed > 20, "only {parsed} invalid fixtures parse");
}

#[test]
fn rules_is_formatted() {
    for (name, text) in rule_files(&root().join("rules")) {
        let formatted = eligo::format::format(&text).unwrap_or_default();
        assert!(formatted == text, "{name} is not formatted: run `eligo fmt rules/`");
    }
}

#[test]
fn a_file_that_does_not_parse_gives_the_diagnostics_of_check() {
    for text in ["input x int\n", "policy p \"p\"\n  requir x \"x\"\n", "let x = (1\n"] {
        let refused = eligo::format::format(text).err().unwrap_or_default();
        let (_, diagnostics) = eligo::syntax::parse(0, text);
        let errors: Vec<_> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
        assert!(!refused.is_empty(), "{text:?} was formatted");
        assert_eq!(refused, errors, "{text:?}");
    }
}

/// Rule texts as the author may have written them: every space of the generated text outside
/// its texts in quotes replaced by other white space the grammar skips (more spaces, a tab, a
/// full-width space); not the one of `3600 yuan`, which is part of the number.
fn respaced(text: &str, choices: &[u8]) -> String {
    let mut choice = choices.iter().cycle();
    let (mut quoted, mut escaped) = (false, false);
    text.char_indices()
        .map(|(at, c)| {
            let space = c == ' ' && !quoted && !text.get(at + 1..).is_some_and(|rest| rest.starts_with("yuan"));
            (quoted, escaped) = match c {
                '"' if !escaped => (!quoted, false),
                '\\' => (quoted, quoted && !escaped),
                '\n' => (false, false),
                _ => (quoted, false),
            };
            match (space, choice.next().copied().unwrap_or(0) % 4) {
                (false, _) => c.to_string(),
                (true, 0) => " ".to_string(),
                (true, 1) => "   ".to_string(),
                (true, 2) => "\t".to_string(),
                (true, _) => "\u{3000}".to_string(),
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_rule_sets_keep_the_properties(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        spaces in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        for (_, text) in harness::generator::generate(&bytes).files {
            harness::format_properties(&text);
            let respaced = respaced(&text, &spaces);
            harness::format_properties(&respaced);
            // White space the grammar skips never changes the layout.
            prop_assert_eq!(eligo::format::format(&respaced).ok(), eligo::format::format(&text).ok());
        }
    }
}

// ───────────────────────────── Snapshots ─────────────────────────────

fn snapshot(name: &str, text: &str) {
    let formatted = match eligo::format::format(text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!("{name} does not parse: {diagnostics:?}"),
    };
    insta::with_settings!({
        snapshot_path => root().join("tests/fixtures/snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("format__{name}"), format!("── before ──\n{text}\n── after ──\n{formatted}"));
    });
}

#[test]
fn snapshots_of_the_layout() {
    for name in ["layout_and_data", "crlf_line_endings", "expressions"] {
        let path = root().join(format!("tests/fixtures/valid/{name}.rules"));
        snapshot(name, &std::fs::read_to_string(path).expect("a fixture"));
    }
    snapshot(
        "comments_and_breaks",
        concat!(
            "// 文件头 the file's head\n\n\n",
            "table 标准(年龄: int)->money first   // per month\n",
            "  label \"标准\" en \"Standard\"\n",
            "  65..69 => 75   // [V]\n",
            "    // a note on the next band\n",
            "  100.. => 600\n",
            "  otherwise=>0\n",
            "policy p “老年津贴” en \"Allowance\" require 年龄>=65 and\n",
            "      hukou==\"上海\"   // two conditions\n",
            "   \"年满65周岁\" en \"65 or over\"\n",
            "  amount monthly = 标准(年龄)*0.10+-3\n",
            "  // kept under the policy\n",
            "\n",
            "\n",
            "example \"e\" on 2025-03-01 given 年龄 = 67, household = [ { income = 3600 yuan } ] expect p eligible, amount = 75\n",
        ),
    );
}
