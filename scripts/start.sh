#!/usr/bin/env bash
# The main command: builds everything (the module, the rules, the editor bundle) and serves www/
# on http://127.0.0.1:8080/ (PORT=0 picks a free port). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
exec node scripts/serve.mjs www
