// The WebAssembly module in Node: cold start (instantiate the module and compile all of rules/)
// and one citizen evaluated against every policy (JS object in, report out).
// Run: `bash scripts/build-wasm.sh && node bench/wasm.mjs`. Figures are medians; compare ratios
// from one run, not absolute times across machines.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

import { root, ruleFiles } from "../scripts/rule-files.mjs";
const wasmPath = path.join(root, "pkg/web/eligo_bg.wasm");


const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function load() {
  const eligo = await import(path.join(root, "pkg/web/eligo.js"));
  return eligo;
}

if (process.argv.includes("--cold")) {
  // One cold start in a fresh process: read, compile and instantiate the module, compile the rules.
  const files = ruleFiles();
  const eligo = await load();
  const t0 = performance.now();
  const bytes = fs.readFileSync(wasmPath);
  eligo.initSync({ module: new WebAssembly.Module(bytes) });
  eligo.Engine.compile(files, { examples: process.argv.includes("--examples") });
  process.stdout.write(String(performance.now() - t0));
  process.exit(0);
}

const cold = [];
const coldWithExamples = [];
for (let i = 0; i < 15; i++) {
  cold.push(Number(execFileSync(process.execPath, [import.meta.filename, "--cold"])));
  coldWithExamples.push(Number(execFileSync(process.execPath, [import.meta.filename, "--cold", "--examples"])));
}

const eligo = await load();
eligo.initSync({ module: new WebAssembly.Module(fs.readFileSync(wasmPath)) });
const files = ruleFiles();
const warm = [];
for (let i = 0; i < 50; i++) {
  const t0 = performance.now();
  eligo.Engine.compile(files);
  warm.push(performance.now() - t0);
}
const engine = eligo.Engine.compile(files);

const profileDir = path.join(root, "rules/profiles");
const profiles = fs.existsSync(profileDir)
  ? fs.readdirSync(profileDir).filter((f) => f.endsWith(".json") && !f.includes(".expected")).map((f) => JSON.parse(fs.readFileSync(path.join(profileDir, f), "utf8")))
  : [{}];
const citizen = profiles.reduce((a, b) => (Object.keys(b).length > Object.keys(a).length ? b : a), {});
const options = { date: "2025-09-01", lang: "zh" };

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

const policies = engine.policies().length;
const evaluate = perCall(() => engine.evaluate(citizen, options));
const evaluateTrace = perCall(() => engine.evaluate(citizen, { ...options, trace: true }));
const gz = execFileSync("gzip", ["-9", "-c", wasmPath]).length;

console.log(`machine: ${process.platform} ${process.arch}, Node ${process.version}; ${Object.keys(files).length} rule files, ${policies} policies`);
console.log(`module: ${fs.statSync(wasmPath).size} bytes, ${gz} bytes gzipped`);
console.log(`cold start (instantiate + compile rules/ without examples, as the citizen page does), median of ${cold.length} processes: ${median(cold).toFixed(2)} ms`);
console.log(`cold start with the examples compiled too: ${median(coldWithExamples).toFixed(2)} ms`);
console.log(`compile rules/ (warm), median: ${median(warm).toFixed(2)} ms`);
console.log(`evaluate one citizen, every policy, JS object in, report out: ${evaluate.toFixed(1)} µs median`);
console.log(`  the same with traces: ${evaluateTrace.toFixed(1)} µs median`);
