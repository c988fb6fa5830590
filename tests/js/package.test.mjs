// The built package as a consumer uses it: node:test over pkg/node (CommonJS) and pkg/web (ES
// module, initialised from bytes as a page would from a fetch). Run by scripts/test-wasm.sh.
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { root, ruleFiles, precompiled, ISSUER } from "../../scripts/rule-files.mjs";
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
  // Unsigned, as `eligo eval rules` compiles the rules: allowed for development, and the reports
  // agree on `rules` too (the same program, the same hash).
  const program = precompiled(["rules"]);
  const engine = only.Engine.load(program, { allowUnsigned: true });
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
  for (const [bytes, reason] of [[new Uint8Array([1, 2, 3]), "notAProgram"], [damaged, "checksum"], [program.subarray(0, 100), "checksum"], [program.subarray(0, 3), "truncated"]]) {
    assert.throws(() => only.Engine.load(bytes, { allowUnsigned: true, lang: "en" }), (e) => e.name === "EligoError" && e.kind === "load" && e.reason === reason && /damaged|not an Eligo program/.test(e.message));
  }
});

test("a batch too large for the module's memory is an EligoError, and the module lives on", () => {
  const engine = eligo.Engine.compile(ruleFiles(), { examples: false });
  const decider = engine.decider(DATE);
  assert.throws(() => decider.decideColumns({}, 2 ** 31), (e) => e.name === "EligoError" && /smaller batches/.test(e.message));
  assert.equal(decider.decideMany([{}]).length, decider.policies.length, "the decider still works");
  assert.ok(engine.evaluate({}, { date: DATE }).policies.length > 0, "and so does the engine");
});

// ───────────── signed bundles: the tamper suite over bundles the CLI signed ─────────────
// scripts/test-wasm.sh makes the keys and bundles first (signedBundles in scripts/rule-files.mjs).

const SIGNING = path.join(root, "target/signing");
const signing = (name) => path.join(SIGNING, name);
const pub = (name) => fs.readFileSync(signing(`${name}.pub`), "utf8");
const bundleOf = (name) => fs.readFileSync(signing(name));
/** Every `reason` a test saw, checked against the shipped types at the end. */
const reasons = new Set();

async function evaluationOnly() {
  assert.ok(fs.existsSync(signing("rules.eligo")), `no ${SIGNING}: run scripts/test-wasm.sh (it makes the keys and bundles first)`);
  const only = await import(path.join(root, "pkg/eval/eligo.js"));
  await only.default({ module_or_path: fs.readFileSync(path.join(root, "pkg/eval/eligo_bg.wasm")) });
  return only;
}

/** The EligoError that `Engine.load(bytes, options)` throws, its reason recorded. */
function refusal(Engine, bytes, options) {
  try {
    Engine.load(bytes, options);
  } catch (error) {
    assert.equal(error.name, "EligoError");
    reasons.add(error.reason);
    return error;
  }
  assert.fail("loaded");
}

/** Where the fields of a signed bundle are (crates/eligo-core/src/bundle.rs): the magic (13
 * bytes), format (2), algorithm (1), the key id's length (1) and bytes, the manifest's length (u16)
 * and bytes, the signature's length (1) and 64 bytes, then the program. */
function layout(bundle) {
  const keyId = 16;
  const manifest = keyId + 1 + bundle[keyId] + 2;
  const signature = manifest + (bundle[manifest - 2] | (bundle[manifest - 1] << 8)) + 1;
  return { keyId, manifest, signature, program: signature + 64 };
}

const flipped = (bytes, at) => { const copy = Uint8Array.from(bytes); copy[at] ^= 0x20; return copy; };
const concat = (...parts) => Uint8Array.from(Buffer.concat(parts.map((p) => Buffer.from(p))));

/** Signs with a .key file's secret key, as its holder could sign anything (node:crypto). */
function signWith(name) {
  const field = (text, name) => Buffer.from(text.match(new RegExp(`^${name}: *([0-9a-f]+)$`, "m"))[1], "hex");
  const d = field(fs.readFileSync(signing(`${name}.key`), "utf8"), "secret-key").toString("base64url");
  const x = field(pub(name), "public-key").toString("base64url");
  const key = crypto.createPrivateKey({ format: "jwk", key: { kty: "OKP", crv: "Ed25519", d, x } });
  return (bytes) => crypto.sign(null, bytes, key);
}

test("a bundle the CLI signed loads with its key, and its report says who issued it, as the CLI's does", async () => {
  const { Engine } = await evaluationOnly();
  const engine = Engine.load(bundleOf("rules.eligo"), { trustedKeys: [pub("issuer")] });
  const keyId = pub("issuer").match(/^key-id: (\w+)$/m)[1];
  const rules = engine.rules();
  assert.deepEqual(Object.keys(rules).sort(), ["hash", "id", "issued", "issuer", "keyId", "signed", "version"]);
  assert.equal(rules.signed, true);
  assert.equal(rules.issuer, ISSUER);
  assert.equal(rules.version, 3);
  assert.equal(rules.keyId, keyId);
  assert.equal(rules.issued, "2025-08-01");
  assert.match(rules.hash, /^[0-9a-f]{64}$/);
  // The same rules unsigned have the same hash: the hash is of the program, not of the bundle.
  const unsigned = Engine.load(bundleOf("rules.unsigned.eligo"), { allowUnsigned: true });
  assert.equal(unsigned.rules().hash, rules.hash);
  assert.equal(unsigned.rules().signed, false);

  const code = `${rules.hash.slice(0, 8).toUpperCase()}-${DATE.replaceAll("-", "")}`;
  const trusted = ["--trusted-key", signing("issuer.pub")];
  for (const file of profiles()) {
    const data = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const lang of ["zh", "en"]) {
      const fromCli = JSON.parse(
        execFileSync(cli, ["eval", signing("rules.eligo"), ...trusted, "--data", file, "--date", DATE, "--lang", lang, "--trace", "--format", "json"], { cwd: root }),
      );
      const report = engine.evaluate(data, { date: DATE, lang, trace: true });
      assert.deepEqual(report.rules, { ...rules, verificationCode: code });
      assert.deepEqual(report, fromCli, `${path.basename(file)} (${lang})`);
    }
  }
  // A clerk types the printed code and gets the same answer from the CLI.
  const [file] = profiles();
  const report = engine.evaluate(JSON.parse(fs.readFileSync(file, "utf8")), { date: DATE });
  const again = execFileSync(cli, ["eval", signing("rules.eligo"), ...trusted, "--data", file, "--code", report.rules.verificationCode, "--format", "json"], { cwd: root });
  assert.deepEqual(JSON.parse(again), report);
});

test("each way a signed bundle is wrong is refused with its own reason, in both languages", async () => {
  const { Engine } = await evaluationOnly();
  const signed = bundleOf("rules.eligo");
  const at = layout(signed);
  const only = { trustedKeys: [pub("issuer")] };
  const issuer = signed.indexOf(Buffer.from(ISSUER));
  assert.ok(issuer > at.manifest && issuer < at.signature, "the manifest names the issuer");
  // Naming the trusted key `issuer`, signed by the trusted key `next` (whose holder wrote the id).
  const named = signed.subarray(0, at.signature - 1);
  const misnamed = concat(named, [64], signWith("next")(named), signed.subarray(at.program));
  const cases = [
    ["unsigned", bundleOf("rules.unsigned.eligo"), only, "unsigned"],
    ["signed by a key not trusted", signed, { trustedKeys: [pub("other")] }, "unknownKey"],
    ["no options: no key is trusted", signed, undefined, "unknownKey"],
    ["a byte of the manifest altered", flipped(signed, issuer), only, "badSignature"],
    ["a byte of the program altered", flipped(signed, signed.length - 100), only, "programAltered"],
    ["a byte of the signature altered", flipped(signed, at.signature + 5), only, "badSignature"],
    ["the signature stripped", concat(signed.subarray(0, at.signature - 1), [0], signed.subarray(at.program)), only, "signatureMissing"],
    ["the signature cut short", concat(signed.subarray(0, at.signature - 1), [40], signed.subarray(at.signature, at.signature + 40), signed.subarray(at.program)), only, "signatureTruncated"],
    ["the bundle cut inside the signature", signed.subarray(0, at.signature + 30), only, "signatureTruncated"],
    ["the program cut short", signed.subarray(0, signed.length - 1), only, "truncated"],
    ["the key id removed", concat(signed.subarray(0, at.keyId), [0], signed.subarray(at.keyId + 9)), only, "keyIdMissing"],
    ["naming one trusted key, signed by another", misnamed, { trustedKeys: [pub("issuer"), pub("next")] }, "keyIdMismatch"],
    ["older than the version accepted", signed, { ...only, acceptedVersion: 4 }, "olderVersion"],
    ["the key's issuer is another office", signed, { trustedKeys: [pub("issuer").replace(`issuer: ${ISSUER}`, "issuer: 北京市民政局")] }, "issuerMismatch"],
  ];
  for (const [name, bytes, options, reason] of cases) {
    for (const lang of ["zh", "en"]) {
      const error = refusal(Engine, bytes, options && { ...options, lang });
      assert.equal(error.kind, "load", name);
      assert.equal(error.reason, reason, name);
      assert.ok(error.messages.zh && error.messages.en && error.messages.zh !== error.messages.en, name);
      assert.equal(error.message, options ? error.messages[lang] : error.messages.zh, `${name}: zh unless asked`);
    }
  }
});

test("no byte of a signed bundle can be altered and still load", async () => {
  const { Engine } = await evaluationOnly();
  const signed = bundleOf("rules.eligo");
  const at = layout(signed);
  const options = { trustedKeys: [pub("issuer"), pub("next")] };
  // Every byte of the magic, header, key id, manifest and signature, each bit pattern once.
  for (let i = 0; i < at.program; i++) {
    for (const change of [0x01, 0x80]) {
      const bytes = Uint8Array.from(signed);
      bytes[i] ^= change;
      assert.equal(refusal(Engine, bytes, options).kind, "load", `byte ${i}`);
    }
  }
  // The program is hashed, so any of its bytes will do: a spread of them.
  for (let i = at.program; i < signed.length; i += 997) {
    assert.equal(refusal(Engine, flipped(signed, i), options).reason, "programAltered", `byte ${i}`);
  }
  assert.equal(refusal(Engine, concat(signed, [0]), options).reason, "programAltered", "a byte added");
});

test("key rotation: bundles signed by either trusted key load, and a page keeps the version it accepted", async () => {
  const { Engine } = await evaluationOnly();
  const trustedKeys = [pub("issuer"), pub("next")];
  let accepted = 0;
  for (const [name, version] of [["rules.eligo", 3], ["rules.next.eligo", 4]]) {
    const engine = Engine.load(bundleOf(name), { trustedKeys, acceptedVersion: accepted });
    assert.equal(engine.rules().version, version);
    accepted = engine.rules().version;
  }
  assert.notEqual(Engine.load(bundleOf("rules.eligo"), { trustedKeys }).rules().keyId, Engine.load(bundleOf("rules.next.eligo"), { trustedKeys }).rules().keyId);
  // A rollback to the release before is refused once the newer one was seen.
  assert.equal(refusal(Engine, bundleOf("rules.eligo"), { trustedKeys, acceptedVersion: accepted }).reason, "olderVersion");
});

test("an unsigned program loads only with allowUnsigned, and its reports say it is unsigned", async () => {
  const { Engine } = await evaluationOnly();
  const program = bundleOf("rules.unsigned.eligo");
  assert.equal(refusal(Engine, program, { trustedKeys: [pub("issuer")] }).reason, "unsigned");
  assert.equal(refusal(Engine, program).reason, "unsigned");
  const rules = Engine.load(program, { allowUnsigned: true }).evaluate({}, { date: DATE }).rules;
  assert.equal(rules.signed, false);
  assert.equal(rules.issuer, undefined);
  assert.equal(rules.version, undefined);
  assert.match(rules.verificationCode, /^[0-9A-F]{8}-20250901$/);
});

test("trusted keys that are not public keys, and versions that are not versions, are refused by name", async () => {
  const { Engine } = await evaluationOnly();
  const signed = bundleOf("rules.eligo");
  const secret = fs.readFileSync(signing("issuer.key"), "utf8");
  for (const [trustedKeys, index, why] of [
    [[pub("issuer"), "not a key"], 1, /field: value/],
    [[secret], 0, /secret key/],
    [[pub("issuer").replace(/^key-id: .*$/m, "key-id: 0000000000000000")], 0, /altered/],
    [[7], 0, /not a text/],
  ]) {
    const error = refusal(Engine, signed, { trustedKeys, lang: "en" });
    assert.equal(error.kind, "invalidOptions");
    assert.equal(error.reason, "invalidKey");
    assert.equal(error.index, index);
    assert.match(error.message, why);
    assert.ok(error.message.includes(`trustedKeys[${index}]`) && error.messages.zh.includes(`trustedKeys[${index}]`));
    assert.ok(!error.message.includes(secret.match(/secret-key: (\w+)/)[1]), "a secret key is never repeated");
  }
  for (const acceptedVersion of [-1, 1.5, "3", 2 ** 53, NaN, Infinity, 3n]) {
    const error = refusal(Engine, signed, { trustedKeys: [pub("issuer")], acceptedVersion });
    assert.equal(error.kind, "invalidOptions");
    assert.equal(error.reason, "invalidVersion", String(acceptedVersion));
    assert.match(error.messages.en, /acceptedVersion/);
  }
  for (const options of [{ trustedKeys: pub("issuer") }, { allowUnsigned: 1 }, { lang: "fr" }, "trusted"]) {
    assert.equal(refusal(Engine, signed, options).reason, "invalidOption", JSON.stringify(options));
  }
});

test("every reason the tests saw is one the TypeScript types name", () => {
  const types = fs.readFileSync(path.join(root, "pkg/eval/eligo.d.ts"), "utf8");
  const named = (type) => new Set([...types.match(new RegExp(`export type ${type} =([^;]*);`))[1].matchAll(/"(\w+)"/g)].map((m) => m[1]));
  const all = new Set([...named("LoadErrorReason"), ...named("LoadOptionsReason")]);
  assert.ok(reasons.size >= 15, [...reasons].join(", "));
  assert.deepEqual([...reasons].filter((r) => !all.has(r)), []);
});
