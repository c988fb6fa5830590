#!/usr/bin/env bash
# The WebAssembly tests: wasm-bindgen-test in Node and in headless Chromium, then the built
# package as a consumer uses it (node:test, with the comparison against the reference model) and a
# TypeScript usage example (tsc --noEmit).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules
ensure_chromium

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)}

echo "== wasm-bindgen-test in Node"
cargo test -p eligo-wasm --target wasm32-unknown-unknown --features compiler --test wasm_node
echo "== wasm-bindgen-test in headless Chromium"
cargo test -p eligo-wasm --target wasm32-unknown-unknown --features compiler --test wasm_browser

echo "== the package as consumers use it"
bash scripts/build-wasm.sh
cargo build --quiet -p eligo-cli
# The cases for tests/js/differential.test.mjs: the reference model's answers, written natively.
cargo test --quiet -p eligo-reference --test differential write_cases_for_the_webassembly_module -- --ignored
# The keys and bundles of the signing tests (tests/js/package.test.mjs), made by the CLI.
node --input-type=module -e 'import { signedBundles } from "./scripts/rule-files.mjs"; signedBundles();'
node --test tests/js/
echo "== TypeScript usage example"
tsc -p tests/js/tsconfig.json
