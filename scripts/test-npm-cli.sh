#!/usr/bin/env bash
# The npm package of the `eligo` command, tested from its packed tarball in a fresh folder against
# the native command (tests/npm/cli.test.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
bash scripts/build-npm-cli.sh
cargo build --quiet -p eligo-cli
node --test tests/npm/
