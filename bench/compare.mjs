// Eligo against the engines people would pick instead, on the same rule and the same inputs, one
// Node process per engine (so that one engine's JIT state cannot slow another), run in turn:
//   eligible ⇔ age ≥ 60 ∧ income < 3000 ∧ residency = "SH" ∧ household_size ≤ 4 ∧ ¬already_receiving
// Every engine's answers are cross-checked against a plain JavaScript reference before timing.
// Run: `bash scripts/bench.sh` (builds the module, installs the engines from npm, runs this).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import os from "node:os";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { root, precompiled } from "../scripts/rule-files.mjs";

const require = createRequire(import.meta.url);
const gzip = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const DATE = "2025-03-01";

// ── The inputs: one where every condition holds, and 1,000 seeded random ones.
function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20251126);
const FIXED = { age: 67, income: 2100, residency: "SH", household_size: 3, already_receiving: false };
const MIXED = Array.from({ length: 1000 }, () => ({
  age: 40 + Math.floor(random() * 50),
  income: Math.floor(random() * 5000),
  residency: random() < 0.7 ? "SH" : "BJ",
  household_size: 1 + Math.floor(random() * 6),
  already_receiving: random() < 0.2,
}));
const NO_INCOME = { age: 67, residency: "SH", household_size: 3, already_receiving: false };

const reference = (c) => c.age >= 60 && c.income < 3000 && c.residency === "SH" && c.household_size <= 4 && !c.already_receiving;

// ── The engines, each with: one(input) → true/false (or "undetermined"), many(inputs) → answers.
const NAMES = ["eligo-decider", "eligo-columns", "eligo-decide", "eligo-evaluate", "json-logic-js", "zen", "cedar"];
const only = process.argv[2];
if (!only) {
  // The parent: one child process per engine, then the table.
  const results = NAMES.map((name) => JSON.parse(execFileSync(process.execPath, [import.meta.filename, name], { encoding: "utf8" })));
  printTable(results);
  process.exit(0);
}
const engines = [];
const wanted = (name) => name === only;

if (only.startsWith("eligo")) {
  // The evaluation-only module with the rule compiled ahead of time (`eligo build`), as a portal
  // ships it.
  const eligo = await import(path.join(root, "pkg/eval/eligo.js"));
  eligo.initSync({ module: new WebAssembly.Module(fs.readFileSync(path.join(root, "pkg/eval/eligo_bg.wasm"))) });
  // Unsigned: the comparison is of evaluation (bench/signing.mjs measures verifying a bundle).
  const engine = eligo.Engine.load(precompiled([path.join(import.meta.dirname, "benefit.rules")]), { allowUnsigned: true });
  const answer = (status) => (status === "eligible" ? true : status === "ineligible" ? false : status);
  const CODES = ["eligible", "ineligible", "undetermined", "not_applicable", "error"];
  const decider = engine.decider(DATE);
  // Status and amount: the status byte, and the amount string when eligible.
  const decided = (c) => {
    const status = decider.decide(c)[0];
    if (status === 0) decider.amount(0);
    return answer(CODES[status]);
  };
  if (wanted("eligo-decider")) engines.push({
    name: "Eligo Decider (status byte + amount; batch: decideMany over records)",
    size: gzip(path.join(root, "pkg/eval/eligo_bg.wasm")),
    one: decided,
    many: (cs) => Array.from(decider.decideMany(cs), (code) => answer(CODES[code])),
  });
  // Columns as a data-oriented caller keeps them: one array per input, made once for the batch.
  const columnsOf = (cs) => ({
    age: Int32Array.from(cs, (c) => c.age ?? NaN),
    income: Float64Array.from(cs, (c) => c.income ?? NaN),
    residency: cs.map((c) => c.residency ?? null),
    household_size: Int32Array.from(cs, (c) => c.household_size ?? NaN),
    already_receiving: cs.map((c) => c.already_receiving ?? null),
  });
  const columns = new Map();
  if (wanted("eligo-columns")) engines.push({
    name: "Eligo Decider (batch: decideColumns, columns made once)",
    size: gzip(path.join(root, "pkg/eval/eligo_bg.wasm")),
    one: decided,
    many: (cs) => {
      if (!columns.has(cs)) columns.set(cs, columnsOf(cs));
      return Array.from(decider.decideColumns(columns.get(cs), cs.length), (code) => answer(CODES[code]));
    },
  });
  if (wanted("eligo-decide")) engines.push({
    name: "Eligo (decide: status and amount)",
    size: gzip(path.join(root, "pkg/eval/eligo_bg.wasm")),
    one: (c) => answer(engine.decide(c, DATE)[0].status),
    many: (cs) => engine.decideMany(cs, DATE).map((d) => answer(d[0].status)),
  });
  if (wanted("eligo-evaluate")) engines.push({
    name: "Eligo (evaluate: full report)",
    size: gzip(path.join(root, "pkg/eval/eligo_bg.wasm")),
    one: (c) => answer(engine.evaluate(c, { date: DATE }).policies[0].status),
    many: (cs) => engine.evaluateMany(cs, { date: DATE }).map((r) => answer(r.policies[0].status)),
  });
}

if (wanted("json-logic-js")) {
  const jsonLogic = require("json-logic-js");
  const rule = { and: [
    { ">=": [{ var: "age" }, 60] },
    { "<": [{ var: "income" }, 3000] },
    { "==": [{ var: "residency" }, "SH"] },
    { "<=": [{ var: "household_size" }, 4] },
    { "!": [{ var: "already_receiving" }] },
  ] };
  engines.push({
    name: "json-logic-js",
    size: gzip(require.resolve("json-logic-js")),
    baseline: true,
    one: (c) => Boolean(jsonLogic.apply(rule, c)),
    many: (cs) => cs.map((c) => Boolean(jsonLogic.apply(rule, c))),
  });
}

if (wanted("zen")) {
  const zenDir = path.join(import.meta.dirname, "node_modules/@gorules/zen-engine-wasm");
  const zen = await import(path.join(zenDir, "dist/zen_engine_wasm.js"));
  zen.initSync({ module: fs.readFileSync(path.join(zenDir, "dist/zen_engine_wasm_bg.wasm")) });
  const expression = 'age >= 60 and income < 3000 and residency == "SH" and household_size <= 4 and not already_receiving';
  engines.push({
    name: "@gorules/zen-engine-wasm",
    size: gzip(path.join(zenDir, "dist/zen_engine_wasm_bg.wasm")),
    one: (c) => zen.evaluateExpression(expression, c) === true,
    many: (cs) => cs.map((c) => zen.evaluateExpression(expression, c) === true),
  });
}

if (wanted("cedar")) {
  const cedar = require("@cedar-policy/cedar-wasm/nodejs");
  const policies = { staticPolicies: `permit (principal, action == Action::"apply", resource)
when { context.age >= 60 && context.income < 3000 && context.residency == "SH" && context.household_size <= 4 && !context.already_receiving };` };
  const prepared = cedar.preparsePolicySet("benefit", policies);
  if (prepared.type !== "success") throw new Error(JSON.stringify(prepared));
  const call = (c) => cedar.statefulIsAuthorized({
    principal: { type: "Citizen", id: "c" }, action: { type: "Action", id: "apply" }, resource: { type: "Benefit", id: "b" },
    context: c, preparsedPolicySetId: "benefit", entities: [],
  });
  const decide = (c) => { const a = call(c); return a.type === "success" && a.response.decision === "allow"; };
  const cedarDir = path.join(import.meta.dirname, "node_modules/@cedar-policy/cedar-wasm");
  engines.push({
    name: "@cedar-policy/cedar-wasm",
    size: gzip(path.join(cedarDir, "web/cedar_wasm_bg.wasm")),
    one: decide,
    many: (cs) => cs.map(decide),
  });
}

// ── Cross-check every engine against the reference before any timing.
for (const engine of engines) {
  const fixed = engine.one(FIXED);
  if (fixed !== true) throw new Error(`${engine.name}: fixed input gave ${fixed}`);
  const singles = MIXED.map(engine.one);
  const batch = engine.many(MIXED);
  MIXED.forEach((c, i) => {
    if (singles[i] !== reference(c) || batch[i] !== reference(c)) {
      throw new Error(`${engine.name}: input ${i} ${JSON.stringify(c)} gave ${singles[i]}/${batch[i]}, reference ${reference(c)}`);
    }
  });
  try {
    engine.noIncome = engine.one(NO_INCOME);
  } catch (error) {
    engine.noIncome = `throws (${String(error.message).slice(0, 40)})`;
  }
}

// ── Timing: evaluations per second, the median of ROUNDS rounds of about 0.3 s each.
function rate(fn, perCall) {
  let calls = 1;
  for (;;) { // calibrate
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    if (performance.now() - t0 > 50) break;
    calls *= 2;
  }
  calls = Math.max(1, Math.round(calls * 6));
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    rates.push((calls * perCall) / ((performance.now() - t0) / 1000));
  }
  return rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)];
}

let k = 0;
const [engine] = engines;
const result = {
  name: engine.name,
  baseline: Boolean(engine.baseline),
  size: engine.size,
  noIncome: engine.noIncome,
  fixed: rate(() => engine.one(FIXED), 1),
  mixedSingle: rate(() => engine.one(MIXED[k++ % MIXED.length]), 1),
  mixedBatch: rate(() => engine.many(MIXED), MIXED.length),
};
process.stdout.write(JSON.stringify(result));

function printTable(results) {
  const base = results.find((r) => r.baseline);
  const fmt = (n) => Math.round(n).toLocaleString("en-US");
  const ratio = (n, b) => `${(n / b).toFixed(2)}×`;
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"} (${os.cpus().length} cores); one process per engine, run in turn; median of ${ROUNDS} rounds of ~0.3 s`);
  console.log("");
  console.log("| engine | fixed input, one call (eval/s) | 1,000 mixed, one call each (eval/s) | 1,000 mixed, one batch call (eval/s) | vs json-logic-js (fixed / mixed / batch) | gzipped size | input with no income → |");
  console.log("|---|---:|---:|---:|---|---:|---|");
  for (const r of results) {
    console.log(`| ${r.name} | ${fmt(r.fixed)} | ${fmt(r.mixedSingle)} | ${fmt(r.mixedBatch)} | ${ratio(r.fixed, base.fixed)} / ${ratio(r.mixedSingle, base.mixedSingle)} / ${ratio(r.mixedBatch, base.mixedBatch)} | ${fmt(r.size)} B | ${r.noIncome} |`);
  }
}
