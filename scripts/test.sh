#!/usr/bin/env bash
# Runs every test: the Rust suite (unit, fixtures, snapshots, properties, doc tests), then the
# examples written in the rule files. Sets itself up on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo --version >/dev/null 2>&1 || { echo "cargo is required (rustup: https://rustup.rs)"; exit 1; }

echo "== cargo test"
cargo test --all-targets
cargo test --doc

echo "== eligo check rules/"
cargo run --quiet -- check rules/

echo "== eligo test rules/"
cargo run --quiet -- test rules/
