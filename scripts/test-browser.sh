#!/usr/bin/env bash
# The browser tests: builds what the pages need (scripts/build-web.sh), serves www/ on a free port,
# runs tests/browser/*.test.mjs (node:test + playwright-core driving Debian's Chromium) and stops the
# server. Screenshots of the main screens are kept in target/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_node_modules
ensure_chromium
# Chinese text in the screenshots needs a CJK font (the citizens' phones have one).
if ! fc-list 2>/dev/null | grep -qiE "cjk|wqy|droid sans fallback"; then
  echo "== installing Debian's fonts-noto-cjk (for the screenshots)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null; } \
    || echo "   (no CJK font: the screenshots will show boxes for Chinese text)"
fi

bash scripts/build-web.sh

mkdir -p target/screenshots
log=$(mktemp)
PORT=0 node scripts/serve.mjs www >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 50); do
  url=$(grep -o 'http://[0-9.:]*/' "$log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { cat "$log"; echo "the server did not start"; exit 1; }
echo "== browser tests against $url"
ELIGO_URL="$url" CHROMIUM="${CHROMIUM:-$(command -v chromium)}" node --test --test-concurrency=1 tests/browser/
