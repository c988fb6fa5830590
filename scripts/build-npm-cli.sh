#!/usr/bin/env bash
# Builds the npm package of the `eligo` command (npm/eligo-cli): the CLI compiled for WASI
# (wasm32-wasip1) next to the small Node launcher, packed as target/npm/eligo-cli-VERSION.tgz.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasi_target

cargo build --quiet -p eligo-cli --release --target wasm32-wasip1
version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
out=target/npm/eligo-cli
rm -rf "$out" && mkdir -p "$out"
cp -r npm/eligo-cli/bin npm/eligo-cli/README.md "$out/"
cp target/wasm32-wasip1/release/eligo.wasm "$out/eligo.wasm"
cat >"$out/package.json" <<JSON
{
  "name": "eligo-cli",
  "version": "$version",
  "description": "The eligo command: check, test, format and evaluate policy rule files (the native CLI compiled to WebAssembly)",
  "type": "module",
  "bin": { "eligo": "bin/eligo.js" },
  "files": ["bin", "eligo.wasm", "README.md"],
  "engines": { "node": ">=20" },
  "license": "MIT OR Apache-2.0"
}
JSON
(cd target/npm && npm pack --silent ./eligo-cli >/dev/null)
echo "target/npm/eligo-cli-$version.tgz: $(stat -c %s "target/npm/eligo-cli-$version.tgz") bytes"
