// The citizen page runs only what it pinned: rules signed by a key it trusts (js/trust.js), scripts
// and the module whose hashes its import map and trust.js name. Anything else is refused, in both
// languages, and nothing is worked out.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launch, openPage, citizenReady, shot, axe, ruleSet, pickProfile, root, BASE, DATE } from "./helpers.mjs";

let browser;
let signed; // what the page should show: the bundle as the Node module verifies it
let best;
before(async () => {
  browser = await launch();
  const rs = ruleSet();
  best = pickProfile(rs);
  const { TRUSTED_KEYS } = await import(path.join(root, "www/js/trust.js"));
  const bytes = fs.readFileSync(path.join(root, "www/rules/rules.eligo"));
  const engine = rs.eligo.Engine.load(bytes, { trustedKeys: TRUSTED_KEYS });
  signed = { bytes, engine, rules: engine.rules() };
});
after(() => browser?.close());

const PAGE = `?date=${DATE}&sw=0`;
const ACCEPTED = (id) => `eligo.acceptedVersion.${id}`;

/** Serves `body` for rules/rules.eligo instead of the built bundle. */
const serveRules = (page, body) => page.route("**/rules/rules.eligo", (route) => route.fulfill({ status: 200, contentType: "application/octet-stream", body }));

/** Waits for the page to settle on refused rules and checks that nothing can be, or was, worked out. */
async function assertRefused(page, reason) {
  await page.waitForFunction(() => document.documentElement.dataset.refused, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.refused), reason);
  assert.equal(await page.isDisabled("#check-all"), true, "the check button stays disabled");
  assert.equal(await page.isDisabled("#load-profile"), true);
  assert.equal(await page.isVisible("#results"), false, "no result appears");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.evaluations), undefined, "nothing was evaluated");
}

test("the page loads the signed bundle and shows its issuer and version; the device remembers the version", async () => {
  const { page, context, problems } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  const { issuer, version, issued, id } = signed.rules;
  const footer = await page.textContent("#footer-signed");
  for (const part of [issuer, String(version), issued]) assert.ok(footer.includes(part), `the footer shows ${part}: ${footer}`);
  assert.match(footer, /签发/);
  await page.click("#lang-switch");
  assert.match(await page.textContent("#footer-signed"), new RegExp(`issued by .*${version}`, "i"));
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), ACCEPTED(id)), String(version));
  assert.deepEqual(problems, []);
  await context.close();
});

test("an altered bundle is refused, whichever byte changed: a calm message in Chinese and in English", async () => {
  const { bytes } = signed;
  // A byte of the header, of the manifest, of the signature and of the program.
  for (const [at, reason] of [[14, "bundleFormat"], [40, "badSignature"], [200, "badSignature"], [bytes.length - 1, "programAltered"]]) {
    const altered = Buffer.from(bytes);
    altered[at] ^= 0x01;
    const { page, context, problems } = await openPage(browser, { path: null });
    await serveRules(page, altered);
    await page.goto(new URL(PAGE, BASE).href);
    await assertRefused(page, reason);
    const status = page.locator("#status");
    assert.match(await status.textContent(), /无法核实这份规则，因此没有进行任何计算/);
    if (reason !== "bundleFormat") assert.match(await status.textContent(), /被改动过/, `byte ${at}: the reason in plain words`);
    if (at === bytes.length - 1) {
      await shot(page, "12-citizen-refused");
      const v = await axe(page);
      assert.deepEqual(v, [], "the refusal is accessible");
      await page.click("#lang-switch");
      assert.match(await status.textContent(), /These rules could not be verified, so nothing was worked out/);
      assert.match(await status.textContent(), /changed after the issuing office signed them/);
      assert.doesNotMatch(await status.textContent(), /[\u4e00-\u9fff]{4}/, "no Chinese sentence left in English");
      await assertRefused(page, reason);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("rules signed by a key the page does not trust are refused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eligo-untrusted-"));
  try {
    const eligo = path.join(root, "target/debug/eligo");
    execFileSync(eligo, ["keygen", "--issuer", "不受信任的机关 (untrusted)", "-o", path.join(dir, "other.key")], { stdio: "pipe" });
    const out = path.join(dir, "rules.eligo");
    execFileSync(eligo, ["build", path.join(root, "rules"), "-o", out, "--sign", path.join(dir, "other.key"), "--version", String(signed.rules.version + 1)], { stdio: "pipe" });
    const { page, context } = await openPage(browser, { path: null });
    await serveRules(page, fs.readFileSync(out));
    await page.goto(new URL(PAGE, BASE).href);
    await assertRefused(page, "unknownKey");
    assert.match(await page.textContent("#status"), /不是由本页面信任的发布机关签发的/);
    await page.click("#lang-switch");
    assert.match(await page.textContent("#status"), /not issued by an office this page trusts/);
    await context.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a bundle older than one this device accepted is refused; without storage the page still works", async () => {
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  const { id, version } = signed.rules;
  await page.evaluate(([key, v]) => localStorage.setItem(key, String(v)), [ACCEPTED(id), version + 1]);
  await page.reload();
  await assertRefused(page, "olderVersion");
  assert.match(await page.textContent("#status"), /更旧/);
  await context.close();

  const blocked = await openPage(browser, { path: null });
  await blocked.context.addInitScript(() =>
    Object.defineProperty(window, "localStorage", { get: () => { throw new DOMException("storage is disabled", "SecurityError"); } }),
  );
  await blocked.page.goto(new URL(PAGE, BASE).href);
  await citizenReady(blocked.page, { offline: false });
  assert.equal(await blocked.page.isDisabled("#check-all"), false);
  await blocked.context.close();
});

test("the printed summary carries the verification code, with a line for the clerk", async () => {
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  const facts = best?.profile.facts ?? {};
  if (best) {
    await page.selectOption("#profile-select", best.profile.path);
    await page.click("#load-profile");
  }
  await page.click("#check-all");
  const code = signed.engine.evaluate(facts, { date: DATE, lang: "zh" }).rules.verificationCode;
  assert.match(code, /^[0-9A-F]{8}-\d{8}$/);
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.isVisible("#print-summary .verification-code"), true);
  assert.equal(await page.textContent("#print-summary .verification-code"), code);
  assert.match(await page.textContent("#print-summary"), /在服务窗口可用此校验码复核/);
  assert.ok((await page.textContent("#print-summary")).includes(signed.rules.issuer), "and the issuer");
  await page.emulateMedia({ media: "screen" });
  await page.click("#lang-switch");
  await page.emulateMedia({ media: "print" });
  assert.match(await page.textContent("#print-summary"), /A clerk can re-check this answer with this code/);
  assert.equal(await page.textContent("#print-summary .verification-code"), code);
  await context.close();
});

test("every script the page runs is pinned, and a changed byte in any of them (or in the module, or a style sheet) is refused", async () => {
  const { page, context } = await openPage(browser, { path: null });
  const scripts = [];
  page.on("request", (r) => r.resourceType() === "script" && scripts.push(new URL(r.url()).pathname));
  await page.goto(new URL(PAGE, BASE).href);
  await citizenReady(page, { offline: false });
  const pins = await page.evaluate(() => {
    const map = JSON.parse(document.querySelector('script[type="importmap"]').textContent).integrity;
    const entry = document.querySelector('script[type="module"]');
    const preload = document.querySelector('link[rel="modulepreload"]');
    return { map: Object.fromEntries(Object.entries(map).map(([k, v]) => [new URL(k, document.baseURI).pathname, v])), entry: [new URL(entry.src).pathname, entry.integrity], preload: [new URL(preload.href).pathname, preload.integrity] };
  });
  assert.ok(scripts.length >= 8, `the page's modules: ${scripts}`);
  for (const s of scripts) assert.match(pins.map[s] ?? "", /^sha384-/, `${s} is pinned in the import map`);
  for (const [where, sri] of [pins.entry, pins.preload]) assert.equal(sri, pins.map[where], `${where}: the same hash in its integrity attribute`);
  await context.close();

  // Each pinned module with one byte changed: the browser does not run it, so the page never starts
  // and says why (js/boot.js; the evaluation module is imported later, its failure is a load error).
  for (const target of ["js/citizen.js", "js/i18n.js", "js/trust.js", "pkg-eval/eligo.js"]) {
    const { page, context, problems } = await openPage(browser, { path: null });
    await page.route(`**/${target}`, async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      body[body.length - 2] ^= 0x01;
      await route.fulfill({ response, body });
    });
    await page.goto(new URL(PAGE, BASE).href);
    await page.waitForTimeout(1500);
    assert.ok(problems.some((p) => /integrity/.test(p)), `${target}: the browser refused it: ${problems}`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.ready), undefined, `${target}: the page did not start`);
    assert.equal(await page.isDisabled("#check-all"), true);
    if (target.startsWith("js/")) {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.stopped), "integrity");
      assert.match(await page.textContent("#status"), /未通过完整性校验.*did not pass its integrity check/s);
    } else {
      assert.match(await page.textContent("#status"), /页面未能加载完成|could not finish loading/);
    }
    await context.close();
  }

  // A style sheet with one byte changed is not applied (it could hide or fake what the page says).
  {
    const { page, context, problems } = await openPage(browser, { path: null });
    await page.route("**/css/citizen.css", async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      body[body.length - 2] ^= 0x01;
      await route.fulfill({ response, body });
    });
    await page.goto(new URL(PAGE, BASE).href);
    await citizenReady(page, { offline: false });
    assert.ok(problems.some((p) => /integrity/.test(p) && /citizen\.css/.test(p)), `the style sheet was refused: ${problems}`);
    await context.close();
  }

  // The WebAssembly module with one byte changed: fetched with its integrity, so it is refused too.
  const wasm = await openPage(browser, { path: null });
  await wasm.page.route("**/pkg-eval/eligo_bg.wasm", async (route) => {
    const response = await route.fetch();
    const body = await response.body();
    body[body.length - 1] ^= 0x01;
    await route.fulfill({ response, body });
  });
  await wasm.page.goto(new URL(PAGE, BASE).href);
  await wasm.page.waitForFunction(() => document.getElementById("status").classList.contains("error"));
  assert.ok(wasm.problems.some((p) => /integrity/i.test(p)), `the wasm was refused: ${wasm.problems}`);
  assert.equal(await wasm.page.isDisabled("#check-all"), true);
  await wasm.context.close();
});
