#!/usr/bin/env bash
# The VS Code extension (editors/vscode): its TextMate grammar against snapshots of real rule files
# (ELIGO_UPDATE_SNAPSHOTS=1 rewrites them after an intended change), then the extension bundled and
# packaged as target/eligo.vsix, whose contents are checked.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"
if [ ! -x node_modules/.bin/vsce ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci (editors/vscode)"
  npm ci --no-audit --no-fund
fi

# The files the grammar is tested on: real rule files and valid fixtures, copied fresh (only their
# snapshots are committed, in test/rules/).
rm -f test/rules/*.rules
mkdir -p test/rules
for file in rules/ruleset.rules rules/common/inputs.rules rules/shanghai/elderly.rules rules/beijing/dibao.rules \
    tests/fixtures/valid/expressions.rules tests/fixtures/valid/layout_and_data.rules; do
  cp "../../$file" "test/rules/$(echo "${file%.rules}" | tr / _).rules"
done
echo "== the TextMate grammar on $(ls test/rules/*.rules | wc -l) rule files"
update=()
[ "${ELIGO_UPDATE_SNAPSHOTS:-0}" = 1 ] && update=(--updateSnapshot)
npx vscode-tmgrammar-snap "${update[@]}" --scope source.eligo --grammar syntaxes/eligo.tmLanguage.json 'test/rules/*.rules'

echo "== packaging the extension"
mkdir -p ../../target
npm run --silent build
npx vsce package --no-dependencies --allow-missing-repository --skip-license --out ../../target/eligo.vsix
python3 - <<'PY'
import zipfile
names = set(zipfile.ZipFile("../../target/eligo.vsix").namelist())
needed = {"extension/package.json", "extension/dist/extension.js", "extension/syntaxes/eligo.tmLanguage.json",
          "extension/language-configuration.json", "extension/readme.md"}
missing = sorted(needed - names)
assert not missing, f"target/eligo.vsix lacks {missing}: {sorted(names)}"
assert not any(n.startswith("extension/node_modules/") for n in names), "the extension is bundled: no node_modules"
print(f"target/eligo.vsix: {len(names)} files, with the grammar, the bundled client and the language configuration")
PY
