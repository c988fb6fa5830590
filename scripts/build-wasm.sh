#!/usr/bin/env bash
# Builds the WebAssembly package for pages (pkg/web, copied to www/pkg) and for Node (pkg/node),
# optimises it with wasm-opt (from the npm package binaryen) and prints its size.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules

cargo build --lib --profile wasm --target wasm32-unknown-unknown --no-default-features
wasm=target/wasm32-unknown-unknown/wasm/eligo.wasm

for target in web nodejs; do
  out=pkg/${target/nodejs/node}
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name eligo "$wasm"
  # The features rustc enables by default for wasm32 (bulk memory, sign extension, …).
  wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    "$out/eligo_bg.wasm" -o "$out/eligo_bg.wasm"
done
version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
for kind in web node; do
  module=$([ $kind = web ] && echo module || echo commonjs)
  cat > pkg/$kind/package.json <<JSON
{
  "name": "eligo",
  "version": "$version",
  "description": "Policy rules for public services, evaluated on the citizen's own device",
  "type": "$module",
  "main": "eligo.js",
  "types": "eligo.d.ts",
  "files": ["eligo.js", "eligo.d.ts", "eligo_bg.wasm", "eligo_bg.wasm.d.ts"],
  "license": "MIT OR Apache-2.0"
}
JSON
done
rm -rf www/pkg && cp -r pkg/web www/pkg

raw=$(stat -c %s pkg/web/eligo_bg.wasm)
gz=$(gzip -9 -c pkg/web/eligo_bg.wasm | wc -c)
echo "eligo_bg.wasm: $raw bytes, $gz bytes gzipped"
