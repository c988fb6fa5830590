// What verifying a signed bundle costs (issue #20: at most 1 ms): `Engine.load` of rules/ signed,
// against the same program unsigned loaded with allowUnsigned, in the evaluation-only module
// (pkg/eval) in Node. Both decode the same program; the difference is the verification (the
// Ed25519 signature and the SHA-512/256 hash of the program). Runs alternate, after a warm-up, so
// that a noisy machine slows both alike; the figures are medians.
// Run: `bash scripts/build-wasm.sh && node bench/signing.mjs`.
import fs from "node:fs";
import path from "node:path";

import { root, signedBundles } from "../scripts/rule-files.mjs";

const RUNS = 400;
const dir = signedBundles(path.join(root, "target/bench/signing"));
const read = (name) => new Uint8Array(fs.readFileSync(path.join(dir, name)));
const [signed, unsigned] = [read("rules.eligo"), read("rules.unsigned.eligo")];
const trusted = { trustedKeys: [fs.readFileSync(path.join(dir, "issuer.pub"), "utf8")] };
const development = { allowUnsigned: true };

const eligo = await import(path.join(root, "pkg/eval/eligo.js"));
eligo.initSync({ module: new WebAssembly.Module(fs.readFileSync(path.join(root, "pkg/eval/eligo_bg.wasm"))) });
const { Engine } = eligo;
if (!Engine.load(signed, trusted).rules().signed) throw new Error("the signed bundle did not verify");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (bytes, options) => { const t0 = performance.now(); Engine.load(bytes, options).free(); return performance.now() - t0; };
for (let i = 0; i < 50; i++) { time(signed, trusted); time(unsigned, development); }
const times = { signed: [], unsigned: [] };
for (let i = 0; i < RUNS; i++) {
  times.signed.push(time(signed, trusted));
  times.unsigned.push(time(unsigned, development));
}
const [s, u] = [median(times.signed), median(times.unsigned)];
console.log(`Engine.load of rules/ (${signed.length.toLocaleString("en-US")} bytes signed, ${unsigned.length.toLocaleString("en-US")} unsigned), pkg/eval, Node ${process.version}, median of ${RUNS}:`);
console.log(`  signed, verified against its key: ${s.toFixed(3)} ms`);
console.log(`  the same program unsigned (allowUnsigned): ${u.toFixed(3)} ms`);
console.log(`  verification (signature and hash): ${(s - u).toFixed(3)} ms`);
