//! The commands of docs/signing.md and docs/signing.zh.md, run as an office and a clerk would run
//! them: every ```sh block, in order, in one folder that holds a citizen's data and rules/. The
//! verification code in the clerk's command is the placeholder of the docs, replaced by the code
//! of the report the page would have printed.

use std::path::{Path, PathBuf};
use std::process::Command;
// Only `root` of what the test files share.
#[allow(dead_code)]
mod common;

/// The ```sh blocks of a document, in order.
fn sh_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```sh" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").map(str::trim_start).collect();
            blocks.push(block.join("\n"));
        }
    }
    blocks
}

/// A new empty folder under target/.
fn folder(name: &str) -> PathBuf {
    let dir = common::root().join("target/docs-signing").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make the folder");
    dir
}

/// Runs `script` with bash in `dir`, `eligo` being this build's binary.
fn run(script: &str, dir: &Path) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_eligo")).parent().expect("the binary's folder").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("run bash");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "this failed:\n{script}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    stdout.into_owned()
}

fn walkthrough(doc: &str, name: &str) {
    let text = std::fs::read_to_string(common::root().join(doc)).expect("the document");
    let blocks = sh_blocks(&text);
    assert!(blocks.len() >= 4, "{doc} has {} sh blocks", blocks.len());
    let dir = folder(name);
    std::os::unix::fs::symlink(common::root().join("rules"), dir.join("rules")).expect("link rules/");
    std::fs::copy(common::root().join("rules/profiles/shanghai_elder_67.json"), dir.join("citizen.json"))
        .expect("a citizen's data");
    const PLACEHOLDER: &str = "4165AF36-20250901";
    for block in blocks {
        let block = if block.contains(PLACEHOLDER) {
            // The code the printed summary carries: the report's, for these rules and that date.
            let report = run(
                "eligo eval rules.eligo --trusted-key issuer.pub --data citizen.json --date 2025-09-01 --format json",
                &dir,
            );
            let report: serde_json::Value = serde_json::from_str(&report).expect("a JSON report");
            let code = report["rules"]["verificationCode"].as_str().expect("a verification code").to_string();
            assert!(code.ends_with("-20250901"), "{code}");
            block.replace(PLACEHOLDER, &code)
        } else {
            block
        };
        run(&block, &dir);
    }
    // What the walkthrough made is what the docs say: a signed release that verifies.
    let verified = run("eligo verify rules.eligo --key issuer.pub --lang en", &dir);
    assert!(verified.contains("version") && verified.contains("13") && verified.contains("上海市民政局"), "{verified}");
}

#[test]
fn the_commands_of_signing_md_work_as_shown() {
    walkthrough("docs/signing.md", "en");
}

#[test]
fn the_commands_of_signing_zh_md_work_as_shown() {
    walkthrough("docs/signing.zh.md", "zh");
}
