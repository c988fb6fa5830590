#!/usr/bin/env bash
# Runs every test. Sets itself up on a fresh machine (Rust via rustup, Node 20 and npm present):
# the wasm target, wasm-bindgen-cli, npm tools and Debian's Chromium are installed when missing.
#   1. the Rust suite: unit, fixture and snapshot tests, properties, CLI runs, doc tests;
#   2. the examples written in the rule files (eligo check, eligo test), and their layout (eligo fmt --check);
#   3. the WebAssembly module in Node and in headless Chromium, the built package as consumers
#      use it, and the TypeScript usage example;
#   4. the npm package of the `eligo` command, from its tarball in a fresh folder, against the
#      native command;
#   5. the citizen page, the playground and the embedding examples in headless Chromium;
#   6. a fuzz smoke run, 15 s per target (nightly and cargo-fuzz are installed when missing;
#      ELIGO_FUZZ_SMOKE=0 skips it). The long runs: scripts/fuzz.sh, see README.md "Fuzzing".
set -euo pipefail
cd "$(dirname "$0")/.."

# The runtime knows no compiler and no JavaScript (ARCHITECTURE.md): its dependency tree shows it.
echo "== eligo-core's dependencies"
if cargo tree -p eligo-core -e normal --prefix none | grep -E '^(pest|pest_derive|clap|miette|wasm-bindgen|js-sys|eligo-compiler) '; then
  echo "eligo-core must not depend on the crates above" >&2
  exit 1
fi

echo "== cargo test"
cargo test --workspace --all-targets
cargo test --workspace --doc

echo "== eligo check rules/ && eligo test rules/ && eligo fmt --check rules/"
cargo run --quiet -- check rules/
cargo run --quiet -- test rules/
cargo run --quiet -- fmt --check rules/

bash scripts/test-wasm.sh
bash scripts/test-npm-cli.sh
bash scripts/test-browser.sh

# A minute of each fuzz target (cargo-fuzz needs the nightly toolchain: where the machine has none
# and cannot fetch one, the smoke run is skipped with a note; the corpus replay above still runs).
if [[ "${ELIGO_FUZZ_SMOKE:-1}" != 0 ]]; then
    if rustup toolchain list 2>/dev/null | grep -q '^nightly' \
        || rustup toolchain install nightly --profile minimal >/dev/null 2>&1; then
        echo "== fuzz smoke run"
        bash scripts/fuzz.sh smoke
    else
        echo "== fuzz smoke run skipped: no nightly toolchain on this machine"
    fi
fi
