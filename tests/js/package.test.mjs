// The built package as a consumer uses it: node:test over pkg/node (CommonJS) and pkg/web (ES
// module, initialised from bytes as a page would from a fetch). Run by scripts/test-wasm.sh.
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { root, ruleFiles, precompiled } from "../../scripts/rule-files.mjs";
const require = createRequire(import.meta.url);
const eligo = require(path.join(root, "pkg/node/eligo.js"));
const DATE = "2025-09-01";


function profiles() {
  const dir = path.join(root, "rules/profiles");
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(".json") && !f.includes(".expected")).sort().map((f) => path.join(dir, f));
}

test("compiles every rule set in rules/ and runs its examples", () => {
  const engine = eligo.Engine.compile(ruleFiles());
  const results = engine.runExamples();
  assert.ok(results.length > 0);
  const failed = results.filter((r) => !r.passed);
  assert.deepEqual(failed, []);
});

test("a compile error is an EligoError with positioned diagnostics", () => {
  assert.throws(
    () => eligo.Engine.compile({ "draft.rules": "input 年龄: int\npolicy p \"P\" en \"P\"\n  require 年令 >= 65 \"满65\" en \"65+\"" }),
    (error) => {
      assert.equal(error.name, "EligoError");
      assert.equal(error.kind, "compile");
      const unknown = error.diagnostics.find((d) => d.code === "E0201");
      assert.equal(unknown.file, "draft.rules");
      assert.deepEqual(unknown.start, { line: 3, column: 11, utf16Column: 11 });
      assert.match(unknown.help, /年龄/);
      return true;
    },
  );
});

test("check returns diagnostics and never throws", () => {
  assert.deepEqual(eligo.check("").filter((d) => d.severity === "error"), []);
  const problems = eligo.check({ "a.rules": "policy", "b.rules": "input x: int\nlet y = x + " });
  assert.ok(problems.some((d) => d.file === "a.rules"));
  assert.ok(problems.some((d) => d.file === "b.rules"));
});

const cli = path.join(root, "target/debug/eligo");

test("every demo profile gives the same report as the CLI, field for field", () => {
  assert.ok(fs.existsSync(cli), "build the CLI first (cargo build)");
  const engine = eligo.Engine.compile(ruleFiles());
  const list = profiles();
  for (const file of list) {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const lang of ["zh", "en"]) {
      const fromCli = JSON.parse(
        execFileSync(cli, ["eval", "rules", "--data", file, "--date", DATE, "--lang", lang, "--trace", "--format", "json"], { cwd: root }),
      );
      const fromWasm = engine.evaluate(data, { date: DATE, lang, trace: true });
      // The CLI names files by path; the page by the names it was given: the same here.
      assert.deepEqual(fromWasm, fromCli, `${path.basename(file)} (${lang})`);
    }
  }
});

test("the web build initialises from bytes and evaluates", async () => {
  const web = await import(path.join(root, "pkg/web/eligo.js"));
  await web.default({ module_or_path: fs.readFileSync(path.join(root, "pkg/web/eligo_bg.wasm")) });
  const engine = web.Engine.compile(ruleFiles());
  const report = engine.evaluate({}, { date: DATE });
  assert.equal(report.date, DATE);
  assert.ok(report.policies.length > 0);
  assert.ok(report.policies.every((p) => typeof p.status === "string"));
  assert.ok(report.askNext.length > 0, "a citizen with no data is asked questions");
});

test("money never crosses as a float", () => {
  const engine = eligo.Engine.compile({ "m.rules": 'input income: money label "收入" en "Income"\npolicy p "P" en "P"\n  require income < 3000 "低收入" en "Low income"\n  amount monthly = income * 1.5' });
  const report = engine.evaluate({ income: "1450.10" }, { date: DATE });
  assert.equal(report.policies[0].outputs.amount, "2175.15");
  assert.equal(typeof report.policies[0].outputs.amount, "string");
});

test("the decider gives every demo profile the statuses and amounts of decide, one by one, in a batch and as columns", () => {
  const engine = eligo.Engine.compile(ruleFiles(), { examples: false });
  const decider = engine.decider(DATE);
  const CODES = ["eligible", "ineligible", "undetermined", "not_applicable", "error"];
  const records = profiles().map((file) => JSON.parse(fs.readFileSync(file, "utf8")));
  assert.ok(records.length > 0);
  const width = decider.policies.length;
  assert.deepEqual(decider.policies, engine.policies().map((p) => p.id));
  const many = decider.decideMany(records);
  assert.equal(many.length, records.length * width);
  // Columns: one array per input, as a data-oriented caller keeps them.
  const columns = Object.fromEntries(decider.inputs.map((name) => [name, records.map((r) => r[name] ?? null)]));
  const byColumns = decider.decideColumns(columns, records.length);
  records.forEach((record, r) => {
    const expected = engine.decide(record, DATE);
    const one = decider.decide(record).slice();
    expected.forEach((decision, p) => {
      assert.equal(CODES[one[p]], decision.status, `${decision.id}, record ${r}`);
      assert.equal(decider.amount(p), decision.amount, `${decision.id} amount, record ${r}`);
      assert.equal(many[r * width + p], one[p]);
      assert.equal(byColumns[r * width + p], one[p]);
    });
  });
  // Amounts of a batch are read per record.
  decider.decideMany(records);
  records.forEach((record, r) => {
    engine.decide(record, DATE).forEach((decision, p) => assert.equal(decider.amount(p, r), decision.amount));
  });
});

test("the decider refuses what is not data, and marks invalid records in a batch", () => {
  const engine = eligo.Engine.compile(ruleFiles(), { examples: false });
  const decider = engine.decider(DATE);
  for (const bad of [null, 5, "x", [1]]) {
    assert.throws(() => decider.decide(bad), (e) => e.name === "EligoError" && e.kind === "invalidFacts");
  }
  assert.throws(() => decider.decideMany({}), (e) => e.kind === "invalidFacts");
  const [input] = decider.inputs;
  const statuses = decider.decideMany([{}, 5, { [input]: { nested: true } }]);
  const width = decider.policies.length;
  assert.ok(statuses.subarray(width).every((s) => s === 255), "records 2 and 3 are invalid");
  assert.ok(statuses.subarray(0, width).every((s) => s !== 255), "an empty record is valid (everything missing)");
  // More distinct texts than the decider remembers: the table starts again, answers stay right.
  const text = engine.schema().inputs.find((i) => i.type === "text");
  if (text) {
    const records = Array.from({ length: 70000 }, (_, i) => ({ [text.name]: `t${i}` }));
    assert.equal(decider.decideMany(records).length, records.length * width);
    assert.deepEqual(decider.decideMany([records[5]]), decider.decideMany([{ [text.name]: "t5" }]));
  }
});

test("the evaluation-only module loads the rule set eligo build compiled, and answers as the CLI does", async () => {
  const only = await import(path.join(root, "pkg/eval/eligo.js"));
  await only.default({ module_or_path: fs.readFileSync(path.join(root, "pkg/eval/eligo_bg.wasm")) });
  assert.equal(only.Engine.compile, undefined, "no compiler in this module");
  assert.equal(only.check, undefined);
  const program = precompiled(["rules"]);
  const engine = only.Engine.load(program);
  const compiled = eligo.Engine.compile(ruleFiles(), { examples: false });
  assert.deepEqual(engine.schema(), compiled.schema());
  assert.deepEqual(engine.policies(), compiled.policies());
  for (const file of profiles()) {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const lang of ["zh", "en"]) {
      const fromCli = JSON.parse(
        execFileSync(cli, ["eval", "rules", "--data", file, "--date", DATE, "--lang", lang, "--trace", "--format", "json"], { cwd: root }),
      );
      assert.deepEqual(engine.evaluate(data, { date: DATE, lang, trace: true }), fromCli, `${path.basename(file)} (${lang})`);
    }
    assert.deepEqual(engine.decide(data, DATE), compiled.decide(data, DATE));
  }
  // Bytes that are not a program, or a damaged one: an EligoError saying why, never a crash.
  const damaged = Uint8Array.from(program);
  damaged[damaged.length >> 1] ^= 0xff;
  for (const [bytes, why] of [[new Uint8Array([1, 2, 3]), /not an Eligo program/], [damaged, /damaged/], [program.subarray(0, 100), /damaged|truncated/]]) {
    assert.throws(() => only.Engine.load(bytes), (e) => e.name === "EligoError" && e.kind === "load" && why.test(e.message));
  }
});

test("a batch too large for the module's memory is an EligoError, and the module lives on", () => {
  const engine = eligo.Engine.compile(ruleFiles(), { examples: false });
  const decider = engine.decider(DATE);
  assert.throws(() => decider.decideColumns({}, 2 ** 31), (e) => e.name === "EligoError" && /smaller batches/.test(e.message));
  assert.equal(decider.decideMany([{}]).length, decider.policies.length, "the decider still works");
  assert.ok(engine.evaluate({}, { date: DATE }).policies.length > 0, "and so does the engine");
});
