#!/usr/bin/env bash
# Builds everything the pages in www/ load, as static files of the same origin:
#   www/pkg/       the full WebAssembly module (the playground) and www/pkg-eval/ the
#                  evaluation-only one (the citizen page): scripts/build-wasm.sh, skipped while they
#                  are newer than the Rust and JS sources, or with ELIGO_SKIP_WASM=1;
#   www/rules/     every rules/**/*.rules and rules/profiles/*.json, index.json listing them with
#                  their text (one request for the whole rule set), and rules.eligo, the rule set
#                  compiled ahead of time and signed by `eligo build --sign` (what the citizen page
#                  loads);
#   www/vendor/    CodeMirror 6 bundled by esbuild for the playground;
#   www/index.html the citizen page, from www/index.in.html with every script, the module and the
#                  trusted keys pinned (scripts/pin-page.mjs, which also writes www/js/trust.js);
#   www/shell.json the generated files above, for the service worker to cache.
# Nothing is fetched from another host at run time.
#
# Signing: ELIGO_ISSUER_KEY (the path of an issuer.key; default: a development key made once in
# target/demo-issuer.key), ELIGO_RULES_VERSION (default: seconds since the epoch, which only grows on
# one machine), ELIGO_TRUSTED_KEYS (the .pub files the page trusts, colon-separated; default: the
# issuer key's .pub).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_node_modules

# 1. The module. Rebuild only when a Rust source, the grammar or the manifest is newer.
wasm_stale() {
  [ ! -f www/pkg/eligo_bg.wasm ] && return 0
  [ ! -f www/pkg-eval/eligo_bg.wasm ] && return 0
  [ ! -f pkg/node/eligo_bg.wasm ] && return 0 # the browser tests compare with the Node build
  [ -n "$(find src js grammar Cargo.toml Cargo.lock -newer www/pkg-eval/eligo_bg.wasm -print -quit 2>/dev/null)" ]
}
if [ "${ELIGO_SKIP_WASM:-0}" != 1 ] && wasm_stale; then
  echo "== building the WebAssembly module"
  bash scripts/build-wasm.sh
else
  echo "== www/pkg is up to date"
fi

# 2. The rules and the demo profiles.
echo "== copying rules/ to www/rules/"
rm -rf www/rules
mkdir -p www/rules
node --input-type=module <<'JS'
// Part of scripts/build-web.sh: copies rules/**/*.rules and rules/profiles/*.json into www/rules/
// and writes www/rules/index.json: the rule files and demo profiles with their content, so that a
// page loads the whole rule set with one request (and the service worker has one file to cache).
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(process.cwd());
const src = path.join(root, "rules");
const out = path.join(root, "www/rules");

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? walk(full) : [full];
    });
}

const copy = (full) => {
  const rel = path.relative(src, full).split(path.sep).join("/");
  fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
  fs.copyFileSync(full, path.join(out, rel));
  return rel;
};

const rules = walk(src).filter((f) => f.endsWith(".rules")).map((full) => ({
  path: copy(full),
  text: fs.readFileSync(full, "utf8"),
}));

const profileDir = path.join(src, "profiles");
const profiles = [];
const expected = {};
// Optional display names: rules/profiles/names.json = { "<profile id>": { "zh": "…", "en": "…" } }.
const namesFile = path.join(profileDir, "names.json");
const names = fs.existsSync(namesFile) ? JSON.parse(fs.readFileSync(namesFile, "utf8")) : {};
for (const full of walk(profileDir).filter((f) => f.endsWith(".json") && f !== namesFile)) {
  const rel = copy(full);
  let data;
  try {
    data = JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (error) {
    console.warn(`warning: ${rel} is not valid JSON (${error.message}); skipped`);
    continue;
  }
  if (/\.expected\.json$/.test(full)) {
    expected[rel.replace(/\.expected\.json$/, ".json")] = rel;
    continue;
  }
  const id = path.basename(full, ".json");
  profiles.push({ path: rel, id, ...(names[id] ? { name: names[id] } : {}), facts: data });
}
for (const profile of profiles) if (expected[profile.path]) profile.expected = expected[profile.path];

const index = { generated: new Date().toISOString(), rules, profiles };
fs.writeFileSync(path.join(out, "index.json"), JSON.stringify(index));
console.log(`www/rules/index.json: ${rules.length} rule files, ${profiles.length} demo profiles`);
JS

# 3. The rule set compiled ahead of time and signed, for the citizen page. The development key lives
# in target/ and is never committed: a real office keeps its issuer key offline, signs a release
# there and deploys only the signed bundle (give its key with ELIGO_ISSUER_KEY).
key=${ELIGO_ISSUER_KEY:-target/demo-issuer.key}
if [ -z "${ELIGO_ISSUER_KEY:-}" ] && [ ! -f "$key" ]; then
  echo "== eligo keygen: a development issuer key in $key"
  cargo run --quiet --bin eligo -- keygen --issuer "Eligo 演示签发机关 (demo issuer)" -o "$key"
fi
version=${ELIGO_RULES_VERSION:-$(date +%s)}
echo "== eligo build rules/ --sign $key --version $version → www/rules/rules.eligo"
cargo run --quiet --bin eligo -- build rules -o www/rules/rules.eligo --sign "$key" --version "$version"

# 4. CodeMirror for the playground.
echo "== bundling CodeMirror into www/vendor/"
mkdir -p www/vendor
esbuild www/playground/codemirror-entry.js --bundle --format=esm --minify --target=es2020 \
  --legal-comments=external --outfile=www/vendor/codemirror.js --log-level=warning
ls -l www/vendor/codemirror.js | awk '{ print "www/vendor/codemirror.js: " $5 " bytes" }'

# 5. The citizen page, pinned: the trusted keys, the module's hash, every script's hash.
IFS=: read -ra trusted <<<"${ELIGO_TRUSTED_KEYS:-${key%.key}.pub}"
node scripts/pin-page.mjs "${trusted[@]}"

# 6. What the service worker caches besides the tracked files (www/sw.js): every generated file.
(cd www && find index.html js/trust.js pkg pkg-eval rules vendor -type f ! -name '*.d.ts' ! -name package.json | sort |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.stringify(s.split("\n").filter(Boolean))))' >shell.json)
echo "www/shell.json: $(node -e 'console.log(require("./www/shell.json").length)') files"
