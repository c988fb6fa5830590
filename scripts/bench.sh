#!/usr/bin/env bash
# Runs every benchmark and rewrites docs/performance.md with the figures of this run:
#   native (divan): checking, compiling, evaluating; instruction counts (valgrind callgrind) of one
#   evaluation, stable on a noisy machine; the WebAssembly module in Node (cold start, one citizen;
#   verifying a signed bundle);
#   Eligo side by side with json-logic-js, @gorules/zen-engine-wasm and @cedar-policy/cedar-wasm.
# Compare ratios within one run: the machines are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

bash scripts/build-wasm.sh >/dev/null
(cd bench && npm ci --no-audit --no-fund >/dev/null)
native=$(cargo bench --quiet --bench engine 2>/dev/null)

# Instructions per run of an example, the set-up (0 rounds) taken away: stable on a noisy machine.
instructions() { # EXAMPLE ROUNDS ARGS…
  local example=$1 rounds=$2
  shift 2
  local count
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "target/release/examples/$example" "$1" "${@:2}" 2>&1 | awk '/refs:/ {gsub(",", "", $NF); print $NF}'; }
  echo $(( ($(count "$rounds" "$@") - $(count 0 "$@")) / rounds ))
}
cycles="(valgrind is not installed)"
if command -v valgrind >/dev/null; then
  cargo build --quiet --release --example profile_eval --example profile_lean
  report=$(instructions profile_eval 200 rules/profiles/disabled_adult_dibao.json)
  lean=$(instructions profile_lean 20000)
  cycles="$report instructions per full report with its JSON text (disabled_adult_dibao against all of"
  cycles+=' rules/: `examples/profile_eval.rs`); '"$lean"' instructions per lean decision of the comparison rule'
  cycles+=' (statuses and amounts, what the decider runs per record: `examples/profile_lean.rs`). Counted by'
  cycles+=" valgrind's callgrind."
fi
wasm=$(node bench/wasm.mjs)
signing=$(node bench/signing.mjs 2>/dev/null)
compare=$(node bench/compare.mjs)

cat > docs/performance.md <<MD
# Performance

Written by \`bash scripts/bench.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(rustc --version | cut -d' ' -f1-2), Node $(node --version).
The machine is shared: compare the ratios of one run, not absolute times across runs.

## Native (cargo bench --bench engine)

\`\`\`
$native
\`\`\`

- check_2000_line_rule_set: parse and check a synthetic 2,000-line rule set.
- compile_rules_folder: all of rules/ (every policy in POLICIES.md that is encoded).
- evaluate_one_citizen_decisions: every policy for one citizen (a demo profile), statuses, outputs
  and missing facts, no report. evaluate_one_citizen_report: the same with the JSON report, with and
  without trace. evaluate_10000_citizens: 10,000 citizens, one thread.
- comparison_rule_*: the rule of the side-by-side comparison below, natively: from JSON data;
  decisions only; statuses and amounts only (lean, into a reused vector: the decider's path).

Cycle-stable measure of the core evaluation path: $cycles

## WebAssembly in Node (node bench/wasm.mjs)

Two modules: pkg/eval evaluates rule sets compiled ahead of time by \`eligo build\` (what citizen
pages and portals ship; optimised for speed), pkg/web also compiles rule text (the playground;
optimised for size). "One citizen" is the demo profile with the most facts against all 21 policies.

\`\`\`
$wasm
\`\`\`

## Verifying a signed bundle (node bench/signing.mjs)

\`Engine.load\` of rules/ signed and verified against its key, against the same program unsigned
(\`allowUnsigned\`), in pkg/eval: the difference is the verification (the Ed25519 signature and the
SHA-512/256 hash of the program). The issue's bar is 1 ms.

\`\`\`
$signing
\`\`\`

## Side by side with other engines (node bench/compare.mjs)

The rule: eligible ⇔ age ≥ 60 ∧ income < 3000 ∧ residency = "SH" ∧ household_size ≤ 4 ∧
¬already_receiving, over one fixed input (all conditions hold) and 1,000 seeded random inputs. Every
engine's answers are checked against a plain JavaScript reference before timing. The last column
shows what each engine says for an input with no income: only Eligo says it cannot know yet.
Eligo runs in the evaluation-only module (pkg/eval) with the rule compiled by \`eligo build\`
(bench/benefit.rules). "Fixed input, one call": one record in, its status and amount out
(\`decider.decide\` and \`decider.amount\`); the batch columns hand all 1,000 records over in one
call (\`decideMany\` as objects, \`decideColumns\` as one array per input, made once).

$compare
MD
echo "wrote docs/performance.md"
