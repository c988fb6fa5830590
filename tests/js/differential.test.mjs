// The WebAssembly module against the reference model (crates/eligo-reference): the cases written
// natively by `cargo test -p eligo-reference --test differential write_cases -- --ignored` (rule
// sets, data and dates from the fuzz generator, each with the reference's answer, where the native
// engine agrees with it) run through pkg/node. Each policy's status, outputs (a number exactly, or
// as money at the fen) and `missing` (the native report's) must be the reference's. Run by
// scripts/test-wasm.sh, which writes the cases first.
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

import { root } from "../../scripts/rule-files.mjs";
const require = createRequire(import.meta.url);
const eligo = require(path.join(root, "pkg/node/eligo.js"));
const CASES = path.join(root, "target/differential/cases.json");

// A number output is written as money ("75.00") or as an exact decimal ("0.5", 3 for an int).
function sameOutput(actual, expected) {
  if (!("exact" in expected)) return actual === expected.value;
  if (typeof actual === "number") return String(actual) === expected.exact;
  return actual === expected.exact || (/^-?\d+\.\d\d$/.test(actual) && actual === expected.fen);
}

test("the WebAssembly module answers as the reference model does", () => {
  assert.ok(fs.existsSync(CASES), `no ${CASES}: run scripts/test-wasm.sh (it writes the cases first)`);
  const cases = JSON.parse(fs.readFileSync(CASES, "utf8"));
  assert.ok(cases.length >= 100, `only ${cases.length} cases`);
  for (const [i, c] of cases.entries()) {
    // As the native side compiled them: without the examples (the tests in the files).
    const engine = eligo.Engine.compile(c.files, { examples: false });
    const report = engine.evaluate(c.data, { date: c.date, lang: "en" });
    const where = `case ${i} (${c.date}, ${JSON.stringify(c.data)})`;
    assert.deepEqual(report.policies.map((p) => p.id), c.expected.map((e) => e.id), where);
    for (const [p, e] of report.policies.map((p, j) => [p, c.expected[j]])) {
      assert.equal(p.status, e.status, `${where}: ${p.id}`);
      assert.deepEqual(p.missing, e.missing, `${where}: ${p.id} missing`);
      const names = Object.keys(p.outputs).filter((n) => n !== "period").sort();
      assert.deepEqual(names, Object.keys(e.outputs).sort(), `${where}: ${p.id} outputs`);
      for (const name of names) {
        assert.ok(sameOutput(p.outputs[name], e.outputs[name]), `${where}: ${p.id}.${name} = ${p.outputs[name]}, the reference ${JSON.stringify(e.outputs[name])}`);
      }
    }
    engine.free?.();
  }
});
