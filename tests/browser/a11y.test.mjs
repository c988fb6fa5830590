// Accessibility: axe-core finds no serious or critical violation on the citizen page (start,
// results with every section open, large-text mode, English) and on the playground.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, citizenReady, axe, ruleSet, pickProfile, DATE } from "./helpers.mjs";

let browser;
let best;
before(async () => {
  browser = await launch();
  best = pickProfile(ruleSet());
});
after(() => browser?.close());

const report = (violations) => violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join("\n    ")}`).join("\n");

async function resultsOpen(page) {
  if (best) {
    await page.selectOption("#profile-select", best.profile.path);
    await page.click("#load-profile");
  }
  await page.click("#check-all");
  await page.click("#all-facts > summary");
  for (const summary of await page.locator(".why summary, details.group > summary").all()) await summary.click();
}

test("the citizen page: start, results, large text, English", async () => {
  const { page, context } = await openPage(browser, { path: `?date=${DATE}&sw=0` });
  await citizenReady(page, { offline: false });
  let v = await axe(page);
  assert.equal(v.length, 0, report(v));
  await resultsOpen(page);
  v = await axe(page);
  assert.equal(v.length, 0, report(v));
  await page.click("#large-switch");
  v = await axe(page);
  assert.equal(v.length, 0, report(v));
  await page.click("#lang-switch");
  v = await axe(page);
  assert.equal(v.length, 0, report(v));
  await context.close();
});

test("the citizen page with questions to answer", async () => {
  const { page, context } = await openPage(browser, { path: `?date=${DATE}&sw=0` });
  await citizenReady(page, { offline: false });
  await page.click("#check-all");
  await page.locator("#questions .question").first().waitFor();
  const v = await axe(page);
  assert.equal(v.length, 0, report(v));
  await context.close();
});

test("the playground", async () => {
  const { page, context } = await openPage(browser, { path: `playground/?date=${DATE}` });
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  await page.click("#run-examples");
  const v = await axe(page);
  assert.equal(v.length, 0, report(v));
  await context.close();
});
