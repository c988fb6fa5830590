//! Replays the committed fuzz corpus on stable Rust, so that CI guards what the fuzzers found
//! without nightly or cargo-fuzz (see docs/robustness.md and scripts/fuzz.sh).
//!
//! Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` runs through the very
//! code the fuzz target runs (`fuzz/src/harness.rs`, included below), which checks that nothing
//! panics and that every answer has the documented shape and agrees with the other entry points.
//! Each file must also finish in bounded time. A stack overflow would abort the whole test binary:
//! the depth limits are what keep that from happening.
//!
//! Below the replay, one named test per problem the fuzzers found, each on its minimised input.

#[allow(dead_code)]
#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The longest one input may take in this (unoptimised) test build. The fuzz build runs each in
/// milliseconds; libFuzzer's own limit there is 10 s.
const PER_INPUT: Duration = Duration::from_secs(20);

fn replay(target: &str) {
    let run = harness::TARGETS.iter().find(|(name, _)| *name == target).map(|(_, run)| *run).expect("a target");
    let root = harness::repository();
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
            files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()));
        }
    }
    files.sort();
    assert!(!files.is_empty() || target == "none", "no corpus for {target}: run `bash scripts/fuzz.sh seed`");
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for file in &files {
        let data = std::fs::read(file).expect("a corpus file");
        let start = Instant::now();
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target}: {} panicked: {message}", file.display());
        }
        let took = start.elapsed();
        assert!(took < PER_INPUT, "{target}: {} took {took:?}", file.display());
        if took > slowest.0 {
            slowest = (took, file.clone());
        }
    }
    eprintln!("{target}: {} inputs, the slowest {:?} ({})", files.len(), slowest.0, slowest.1.display());
}

#[test]
fn rule_text_corpus() {
    replay("rule_text");
}

#[test]
fn facts_corpus() {
    replay("facts");
}

#[test]
fn structured_corpus() {
    replay("structured");
}

#[test]
fn api_json_corpus() {
    replay("api_json");
}
