#!/usr/bin/env bash
# Runs every test. Sets itself up on a fresh machine (Rust via rustup, Node 20 and npm present):
# the wasm target, wasm-bindgen-cli, npm tools and Debian's Chromium are installed when missing.
#   1. the Rust suite: unit, fixture and snapshot tests, properties, CLI runs, doc tests;
#   2. the examples written in the rule files (eligo check, eligo test);
#   3. the WebAssembly module in Node and in headless Chromium, the built package as consumers
#      use it, and the TypeScript usage example;
#   4. the citizen page, the playground and the embedding examples in headless Chromium;
#   5. a fuzz smoke run, 15 s per target (nightly and cargo-fuzz are installed when missing;
#      ELIGO_FUZZ_SMOKE=0 skips it). The long runs: scripts/fuzz.sh, see README.md "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --all-targets
cargo test --doc

echo "== eligo check rules/ && eligo test rules/"
cargo run --quiet -- check rules/
cargo run --quiet -- test rules/

bash scripts/test-wasm.sh
bash scripts/test-browser.sh

if [[ "${ELIGO_FUZZ_SMOKE:-1}" != 0 ]]; then
    echo "== fuzz smoke run"
    bash scripts/fuzz.sh smoke
fi
