//! The differential comparison at volume, without libFuzzer (docs/robustness.md, "Reference model
//! and differential testing"): the `differential` fuzz target's harness on generated inputs, the
//! engine (full, lean, precompiled) against the reference model.
//!
//! libFuzzer's coverage tracking makes that target run about 400 inputs a second here; uninstrumented,
//! a few threads run millions in minutes. The inputs are the generator's bytes from a seeded
//! pseudo-random source: a new rule set every `NEW_RULES_EVERY` inputs, and in between the same
//! rule set with other citizens (the generator reads the rules first and the data last, so a
//! changed tail is other data, and the compiled rule set is reused).
//!
//! `cargo run --release -p eligo-reference --example differential -- [INPUTS] [THREADS] [SEED]`
//! (default 1,000,000 inputs on 2 threads, seed 1). Exits with 1 when anything differs, each
//! input that did written to target/differential/found/ for `show_case`.

#[allow(dead_code)]
#[path = "../../../fuzz/src/harness.rs"]
mod harness;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

/// Inputs that keep one rule set, with other data.
const NEW_RULES_EVERY: u64 = 32;

/// Inputs between two lines of progress, per thread.
const PROGRESS_EVERY: u64 = 250_000;

#[derive(Default)]
struct Tally {
    inputs: u64,
    comparisons: u64,
    found: u64,
    outcomes: BTreeMap<&'static str, u64>,
}

fn main() -> ExitCode {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let inputs = args.first().copied().unwrap_or(1_000_000);
    let threads = args.get(1).copied().unwrap_or(2).max(1);
    let seed = args.get(2).copied().unwrap_or(1);
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let share = inputs / threads + u64::from(t < inputs % threads);
            // WebAssembly's stack: recursion that would kill the module on the page fails here too.
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || run(share, seed.wrapping_mul(1_000_003).wrapping_add(t)))
        })
        .collect();
    let mut total = Tally::default();
    for handle in handles {
        let tally = match handle.map(|h| h.join()) {
            Ok(Ok(tally)) => tally,
            _ => {
                eprintln!("a worker thread failed");
                return ExitCode::FAILURE;
            }
        };
        total.inputs += tally.inputs;
        total.comparisons += tally.comparisons;
        total.found += tally.found;
        for (outcome, n) in tally.outcomes {
            *total.outcomes.entry(outcome).or_default() += n;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} inputs, {} evaluations compared or skipped, {} with differences, in {seconds:.0} s ({:.0} inputs/s, {threads} threads, seed {seed})",
        total.inputs,
        total.comparisons,
        total.found,
        total.inputs as f64 / seconds.max(1e-9),
    );
    for (outcome, n) in &total.outcomes {
        println!("  {n:>12}  {outcome}");
    }
    if total.found == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run(inputs: u64, seed: u64) -> Tally {
    let mut random = SplitMix(seed);
    let mut tally = Tally::default();
    let mut bytes = Vec::new();
    for i in 0..inputs {
        if i % NEW_RULES_EVERY == 0 {
            let len = 32 + random.below(568) as usize;
            bytes = (0..len).map(|_| random.next() as u8).collect();
        } else {
            // Other data for the same rules: the last quarter of the bytes changed.
            let from = bytes.len() - bytes.len() / 4;
            for byte in &mut bytes[from..] {
                *byte = random.next() as u8;
            }
        }
        tally.inputs += 1;
        let verdicts = std::panic::catch_unwind(|| harness::differential_verdicts(&bytes, 16));
        let differences: Vec<String> = match verdicts {
            Ok(verdicts) => {
                tally.comparisons += verdicts.len() as u64;
                let mut differences = Vec::new();
                for verdict in verdicts {
                    *tally.outcomes.entry(verdict.skipped.unwrap_or("compared")).or_default() += 1;
                    if !verdict.unstable_error_kinds.is_empty() {
                        let note = "of which an error kind that may change once a fact is given (reported)";
                        *tally.outcomes.entry(note).or_default() += 1;
                    }
                    differences.extend(verdict.differences);
                }
                differences
            }
            Err(_) => vec!["a panic".to_string()],
        };
        if !differences.is_empty() {
            tally.found += 1;
            let file = harness::repository().join(format!("target/differential/found/{seed}-{i}"));
            let written =
                file.parent().map(std::fs::create_dir_all).transpose().and_then(|_| std::fs::write(&file, &bytes));
            eprintln!("{}: {} ({written:?})", file.display(), differences.join("; "));
        }
        if (i + 1) % PROGRESS_EVERY == 0 {
            eprintln!("seed {seed}: {} inputs, {} with differences", i + 1, tally.found);
        }
    }
    tally
}

/// A small, fast, seeded source of pseudo-random numbers (splitmix64): the same seed gives the
/// same inputs on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}
