#!/usr/bin/env bash
# Builds the WebAssembly packages, optimises them with wasm-opt (from the npm package binaryen) and
# prints their sizes:
#   pkg/web   the full module: compiles rule text too (the playground); ES module, copied to www/pkg
#   pkg/node  the same for Node (CommonJS)
#   pkg/eval  the evaluation-only module: loads rule sets precompiled by `eligo build` (the citizen
#             page, embedders, screening); ES module, copied to www/pkg-eval. Without the parser
#             and checker it is small enough to be optimised for speed, not size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules

cargo build -p eligo-wasm --lib --profile wasm --target wasm32-unknown-unknown --features compiler
cargo build -p eligo-wasm --lib --profile wasm-eval --target wasm32-unknown-unknown
full=target/wasm32-unknown-unknown/wasm/eligo_wasm.wasm
eval=target/wasm32-unknown-unknown/wasm-eval/eligo_wasm.wasm

# bindgen MODULE TARGET OUT WASM_OPT_LEVEL
bindgen() {
  rm -rf "$3"
  wasm-bindgen --target "$2" --out-dir "$3" --out-name eligo "$1"
  # The features rustc enables by default for wasm32 (bulk memory, sign extension, …).
  wasm-opt "$4" --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    "$3/eligo_bg.wasm" -o "$3/eligo_bg.wasm"
}
bindgen "$full" web pkg/web -Oz
bindgen "$full" nodejs pkg/node -Oz
bindgen "$eval" web pkg/eval -O3
# The node package is CommonJS: its copy of the JavaScript side of the boundary (js/boundary.js, an
# ES module for pages) exports the CommonJS way.
sed -i 's/^export function \([A-Za-z0-9]*\)(/exports.\1 = function \1(/' pkg/node/snippets/*/js/boundary.js
version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
for kind in web node eval; do
  module=$([ $kind = node ] && echo commonjs || echo module)
  name=$([ $kind = eval ] && echo eligo-eval || echo eligo)
  cat > pkg/$kind/package.json <<JSON
{
  "name": "$name",
  "version": "$version",
  "description": "Policy rules for public services, evaluated on the citizen's own device",
  "type": "$module",
  "main": "eligo.js",
  "types": "eligo.d.ts",
  "files": ["eligo.js", "eligo.d.ts", "eligo_bg.wasm", "eligo_bg.wasm.d.ts", "snippets"],
  "license": "MIT OR Apache-2.0"
}
JSON
done
rm -rf www/pkg www/pkg-eval && cp -r pkg/web www/pkg && cp -r pkg/eval www/pkg-eval

for kind in web eval; do
  raw=$(stat -c %s pkg/$kind/eligo_bg.wasm)
  gz=$(gzip -9 -c pkg/$kind/eligo_bg.wasm | wc -c)
  echo "pkg/$kind/eligo_bg.wasm: $raw bytes, $gz bytes gzipped"
done
# What citizens download (issue #20): the evaluation-only module stays under 200 KB gzipped.
budget=200000
eval_gz=$(gzip -9 -c pkg/eval/eligo_bg.wasm | wc -c)
if [ "$eval_gz" -ge "$budget" ]; then
  echo "error: pkg/eval is $eval_gz bytes gzipped, over its budget of $budget" >&2
  exit 1
fi
