// Shared by the browser tests: a Chromium (playwright-core driving Debian's chromium), the address of
// the server scripts/test-browser.sh started, the demo profiles and what the module says about them,
// screenshots in target/screenshots/, and axe-core.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
export const BASE = process.env.ELIGO_URL ?? "http://127.0.0.1:8080/";
/** A fixed evaluation date, so that the results do not change with the calendar. */
export const DATE = "2025-09-01";
export const SHOTS = path.join(root, "target/screenshots");

const ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--font-render-hinting=none",
];

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
}

/** A fresh context (its own service workers and storage) and page, with console errors collected. */
export async function openPage(browser, { path: where = "", locale = "zh-CN", viewport = { width: 1280, height: 900 }, ...options } = {}) {
  const context = await browser.newContext({ locale, viewport, deviceScaleFactor: 1, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  if (where !== null) await page.goto(new URL(where, BASE).href);
  return { context, page, problems };
}

/** Waits until the citizen page has loaded the module and the rules (and its service worker). */
export async function citizenReady(page, { offline = true } = {}) {
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true", null, { timeout: 30_000 });
  if (offline) await page.waitForFunction(() => ["ready", "failed", "unsupported"].includes(document.documentElement.dataset.offline), null, { timeout: 30_000 });
}

export async function shot(page, name, options = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), ...options });
}

// ---------------------------------------------------------------------------------------------
// The rule set and its demo profiles, as the module itself evaluates them (pkg/node, built by
// scripts/build-wasm.sh): the tests check that the page shows what the engine decides.

const require = createRequire(import.meta.url);

export function ruleSet() {
  const index = JSON.parse(fs.readFileSync(path.join(root, "www/rules/index.json"), "utf8"));
  const eligo = require(path.join(root, "pkg/node/eligo.js"));
  const engine = eligo.Engine.compile(Object.fromEntries(index.rules.map((r) => [r.path, r.text])));
  return { index, engine, schema: engine.schema(), eligo };
}

/** A profile's expected report (rules/profiles/<id>.expected.json, in Chinese, on DATE), if any. */
export function expectedReport(profile) {
  if (!profile?.expected) return null;
  const report = JSON.parse(fs.readFileSync(path.join(root, "rules", profile.expected), "utf8"));
  return report.date === DATE ? report : null;
}

/** Rules for when rules/ has no usable profile: the Shanghai old-age allowance. */
export const FALLBACK_PROFILE = { birth_date: "1950-03-02", hukou: "上海" };

/**
 * The demo profile to drive the main flow with: the one with the most eligible policies that show an
 * amount (an expected report, when there is one, is preferred as the source of truth).
 */
export function pickProfile({ index, engine }) {
  let best = null;
  for (const profile of index.profiles) {
    const report = engine.evaluate(profile.facts, { date: DATE, lang: "zh" });
    const eligible = report.policies.filter((p) => p.status === "eligible");
    const withAmount = eligible.filter((p) => p.outputs.amount != null && Number(p.outputs.amount) > 0);
    const score = withAmount.length * 10 + eligible.length + (profile.expected ? 1000 : 0);
    if (withAmount.length && (!best || score > best.score)) best = { profile, report, score, eligible, withAmount };
  }
  return best;
}

/**
 * For "answer a question and see the status change": a profile and one top-level fact of it such
 * that without the fact a policy that was eligible is undetermined, and the fact is what the page
 * asks first. Returns { facts (without the fact), name, value, input, policy }.
 */
export function pickQuestion({ index, engine, schema }) {
  const candidates = index.profiles.length ? index.profiles.map((p) => p.facts) : [FALLBACK_PROFILE];
  const simple = new Set(["bool", "int", "decimal", "money", "date", "text", "enum"]);
  for (const facts of candidates) {
    const full = engine.evaluate(facts, { date: DATE, lang: "zh" });
    for (const [name, value] of Object.entries(facts)) {
      const input = schema.inputs.find((i) => i.name === name);
      if (!input || !simple.has(input.type) || value === null) continue;
      const without = { ...facts };
      delete without[name];
      const report = engine.evaluate(without, { date: DATE, lang: "zh" });
      if (report.askNext[0]?.input !== name) continue;
      const policy = full.policies.find(
        (p) => p.status === "eligible" && report.policies.find((q) => q.id === p.id)?.status === "undetermined",
      );
      if (policy) return { facts: without, name, value, input, policy };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// axe-core

const AXE = fs.readFileSync(path.join(root, "node_modules/axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axe(page) {
  // page.addScriptTag({ content }) would be an inline script, which the page's CSP forbids (as it
  // should): evaluate the library through the DevTools protocol instead, which CSP does not govern.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}
