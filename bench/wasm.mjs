// The WebAssembly modules in Node: cold start; one citizen evaluated against every policy (JS
// object in, report out); every demo profile with and without trace. Two modules: pkg/eval,
// evaluation only, which loads a rule set compiled ahead of time by `eligo build` (what the citizen
// page and embedders ship), and pkg/web, which also compiles rule text (the playground).
// Run: `bash scripts/build-wasm.sh && node bench/wasm.mjs`. Figures are medians; compare ratios
// from one run, not absolute times across machines.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";

import { root, ruleFiles, precompiled } from "../scripts/rule-files.mjs";

const MODULES = { eval: path.join(root, "pkg/eval"), full: path.join(root, "pkg/web") };
const programPath = path.join(root, "target/eligo/rules.eligo");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = (kind) => import(path.join(MODULES[kind], "eligo.js"));
// The precompiled rules unsigned: loading a program (bench/signing.mjs adds verifying a bundle).
const UNSIGNED = { allowUnsigned: true };

const cold = process.argv.indexOf("--cold");
if (cold >= 0) {
  // One cold start in a fresh process: read, compile and instantiate the module, then load the
  // precompiled rule set (eval) or compile the rule files (full, without their examples).
  const kind = process.argv[cold + 1];
  const files = kind === "full" ? ruleFiles() : fs.readFileSync(programPath);
  const eligo = await load(kind);
  const t0 = performance.now();
  eligo.initSync({ module: new WebAssembly.Module(fs.readFileSync(path.join(MODULES[kind], "eligo_bg.wasm"))) });
  if (kind === "full") eligo.Engine.compile(files, { examples: false });
  else eligo.Engine.load(files, UNSIGNED);
  process.stdout.write(String(performance.now() - t0));
  process.exit(0);
}

const program = precompiled(["rules"], programPath);
const coldStart = (kind) => median(Array.from({ length: 15 }, () => Number(execFileSync(process.execPath, [import.meta.filename, "--cold", kind]))));
const coldEval = coldStart("eval");
const coldFull = coldStart("full");

function perCall(fn, calls = 200, rounds = 100) {
  for (let i = 0; i < calls * 5; i++) fn(); // warm up
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push(((performance.now() - t0) / calls) * 1000);
  }
  return median(samples);
}

const profileDir = path.join(root, "rules/profiles");
const profiles = fs.readdirSync(profileDir).filter((f) => f.endsWith(".json") && !f.includes(".expected")).sort()
  .map((f) => ({ name: path.basename(f, ".json"), data: JSON.parse(fs.readFileSync(path.join(profileDir, f), "utf8")) }));
const citizen = profiles.reduce((a, b) => (Object.keys(b.data).length > Object.keys(a.data).length ? b : a)).data;
const options = { date: "2025-09-01", lang: "zh" };

const size = (kind) => {
  const bytes = fs.readFileSync(path.join(MODULES[kind], "eligo_bg.wasm"));
  return `${bytes.length.toLocaleString("en-US")} bytes, ${zlib.gzipSync(bytes, { level: 9 }).length.toLocaleString("en-US")} gzipped`;
};

const evalModule = await load("eval");
evalModule.initSync({ module: new WebAssembly.Module(fs.readFileSync(path.join(MODULES.eval, "eligo_bg.wasm"))) });
const loadTimes = Array.from({ length: 50 }, () => { const t0 = performance.now(); evalModule.Engine.load(program, UNSIGNED); return performance.now() - t0; });
const engine = evalModule.Engine.load(program, UNSIGNED);
const evaluate = perCall(() => engine.evaluate(citizen, options));
const evaluateTrace = perCall(() => engine.evaluate(citizen, { ...options, trace: true }));
const decider = engine.decider(options.date);
const decide = perCall(() => decider.decide(citizen), 2000, 50);

const full = await load("full");
full.initSync({ module: new WebAssembly.Module(fs.readFileSync(path.join(MODULES.full, "eligo_bg.wasm"))) });
const files = ruleFiles();
const compileTimes = Array.from({ length: 20 }, () => { const t0 = performance.now(); full.Engine.compile(files, { examples: false }); return performance.now() - t0; });
const fullEngine = full.Engine.compile(files, { examples: false });
const evaluateFull = perCall(() => fullEngine.evaluate(citizen, options));

console.log(`machine: ${process.platform} ${process.arch}, Node ${process.version}; ${Object.keys(files).length} rule files, ${engine.policies().length} policies`);
console.log(`pkg/eval (evaluation only, loads precompiled rules): ${size("eval")}`);
console.log(`pkg/web  (compiles rule text too):                   ${size("full")}`);
console.log(`precompiled rules/ (eligo build rules -o …): ${program.length.toLocaleString("en-US")} bytes, ${zlib.gzipSync(program, { level: 9 }).length.toLocaleString("en-US")} gzipped`);
console.log("");
console.log(`cold start, pkg/eval: instantiate + load precompiled rules/ (median of 15 processes): ${coldEval.toFixed(2)} ms`);
console.log(`cold start, pkg/web:  instantiate + compile rules/ without examples (median of 15):  ${coldFull.toFixed(2)} ms`);
console.log(`warm: load precompiled rules/ ${median(loadTimes).toFixed(2)} ms; compile rules/ ${median(compileTimes).toFixed(2)} ms`);
console.log("");
console.log(`one citizen, every policy, JS object in, report out (pkg/eval): ${evaluate.toFixed(1)} µs median`);
console.log(`  the same with traces: ${evaluateTrace.toFixed(1)} µs; with pkg/web: ${evaluateFull.toFixed(1)} µs`);
console.log(`  statuses and amounts only (decider.decide): ${decide.toFixed(2)} µs`);
console.log("");
console.log("every demo profile against every policy (pkg/eval), median µs per evaluation:");
console.log("");
console.log("| profile | facts | report | report with trace | statuses and amounts (decider) |");
console.log("|---|---:|---:|---:|---:|");
for (const { name, data } of profiles) {
  const report = perCall(() => engine.evaluate(data, options), 100, 50);
  const traced = perCall(() => engine.evaluate(data, { ...options, trace: true }), 100, 50);
  const lean = perCall(() => decider.decide(data), 1000, 50);
  console.log(`| ${name} | ${Object.keys(data).length} | ${report.toFixed(1)} | ${traced.toFixed(1)} | ${lean.toFixed(2)} |`);
}
