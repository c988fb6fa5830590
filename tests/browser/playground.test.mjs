// The authoring playground: an error shows as a diagnostic at its line (underlined, with its
// message on hover and in the problems list) and clears when fixed; the examples of the file run
// and show at their lines; a citizen can be tried against the rules being edited.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, shot, ruleSet, DATE } from "./helpers.mjs";

let browser;
let rs;
before(async () => {
  browser = await launch();
  rs = ruleSet();
});
after(() => browser?.close());

/** The file to edit: one with examples, preferably the Shanghai old-age allowance. */
function pickFile() {
  const examples = rs.engine.runExamples();
  const files = rs.index.rules.map((r) => r.path);
  const withExamples = files.filter((f) => examples.some((e) => e.at.file === f));
  return withExamples.find((f) => /shanghai\/elderly\.rules$/.test(f)) ?? withExamples[0] ?? files[0];
}

async function checks(page) {
  return Number(await page.evaluate(() => document.documentElement.dataset.checks ?? 0));
}

test("introduce an error, see it at the right line; fix it, see it cleared", async () => {
  const file = pickFile();
  const { page, context, problems } = await openPage(browser, { path: `playground/?date=${DATE}&file=${encodeURIComponent(file)}`, viewport: { width: 1440, height: 1000 } });
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  await page.waitForFunction(() => Number(document.documentElement.dataset.checks ?? 0) >= 1);
  assert.equal(await page.inputValue("#file-select"), file);
  assert.equal(await page.locator("#problems li").count(), 0, "the rule set starts clean");

  const lines = rs.index.rules.find((r) => r.path === file).text.split("\n").length;
  const typed = "\nlet 试一试 = 不存在的名字 + 1";
  await page.locator(".cm-content").first().click();
  await page.keyboard.press("Control+End");
  const before = await checks(page);
  await page.keyboard.type(typed);
  await page.waitForFunction((n) => Number(document.documentElement.dataset.checks) > n && document.querySelectorAll("#problems li").length > 0, before);
  const problem = page.locator('#problems li[data-code="E0201"]').first();
  assert.equal(await problem.getAttribute("data-file"), file);
  assert.equal(Number(await problem.getAttribute("data-line")), lines + 1, "at the line that was typed");
  const underline = page.locator(".cm-lintRange-error").first();
  await underline.waitFor();
  assert.match(await underline.textContent(), /不存在的名字/);
  await underline.hover();
  const tooltip = page.locator(".cm-tooltip .diag-message").first();
  await tooltip.waitFor();
  assert.match(await tooltip.textContent(), /E0201/);
  await shot(page, "12-playground-error");
  // The diagnostics are in the page's language, help included: no "建议：did you mean".
  assert.match(await problem.textContent(), /未知的名称/);
  assert.doesNotMatch(await problem.textContent(), /unknown|did you mean|declare it/);
  const switched = await checks(page);
  await page.click("#lang-switch");
  await page.waitForFunction((n) => Number(document.documentElement.dataset.checks) > n, switched);
  const english = page.locator('#problems li[data-code="E0201"]').first();
  assert.match(await english.textContent(), /unknown name/);
  assert.doesNotMatch(await english.textContent(), /未知的名称|建议|是不是/);
  await page.click("#lang-switch");
  await page.waitForFunction((n) => Number(document.documentElement.dataset.checks) > n + 1, switched);

  const again = await checks(page);
  await page.locator(".cm-content").first().click();
  await page.keyboard.press("Control+End");
  for (let i = 0; i < typed.length; i++) await page.keyboard.press("Backspace");
  await page.waitForFunction((n) => Number(document.documentElement.dataset.checks) > n && document.querySelectorAll("#problems li").length === 0, again);
  assert.equal(await page.locator(".cm-lintRange-error").count(), 0, "the underline is gone");
  assert.match(await page.textContent("#check-status"), /没有发现问题/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("run the examples of the file and see them at their lines", async () => {
  const file = pickFile();
  const expected = rs.engine.runExamples().filter((e) => e.at.file === file);
  const { page, context } = await openPage(browser, { path: `playground/?date=${DATE}&file=${encodeURIComponent(file)}`, viewport: { width: 1440, height: 1000 } });
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  await page.waitForFunction(() => Number(document.documentElement.dataset.checks ?? 0) >= 1);
  await page.click("#run-examples");
  assert.equal(await page.locator("#examples li.example").count(), expected.length);
  for (const e of expected) {
    const item = page.locator(`#examples li.example[data-line="${e.at.line}"]`).first();
    assert.equal(await item.getAttribute("data-passed"), String(e.passed));
  }
  if (expected.length) {
    // Jump to the first example: its mark is in the gutter at its line.
    await page.locator("#examples li.example button").first().click();
    await page.locator(".example-mark").first().waitFor();
    assert.ok((await page.locator(".example-mark.pass").count()) >= 1);
  }

  // Break an example's expectation: it fails, at its line.
  const failing = expected.find((e) => e.passed);
  if (failing) {
    const text = rs.index.rules.find((r) => r.path === file).text;
    const lines = text.split("\n");
    const expectLine = lines.findIndex((l, i) => i >= failing.at.line - 1 && /^\s*expect\s/.test(l) && /\beligible\b/.test(l) && !/ineligible/.test(l));
    if (expectLine >= 0) {
      const col = lines[expectLine].search(/\beligible\b/);
      // Put the cursor before the word (playground.goTo is the problems list's own navigation).
      await page.evaluate(([f, l, c]) => window.playground.goTo(f, l, c), [file, expectLine + 1, col + 1]);
      await page.keyboard.type("in");
      await page.waitForFunction((line) => document.querySelector(`#examples li.example.fail`) !== null, failing.at.line);
      assert.equal(await page.locator(`#examples li.example[data-line="${failing.at.line}"]`).first().getAttribute("data-passed"), "false");
      assert.ok((await page.locator(".example-mark.fail").count()) >= 1, "a failure mark in the gutter");
    }
  }
  await shot(page, "13-playground-examples");
  await context.close();
});

test("try a citizen: facts as JSON, a date, the live report with traces", async () => {
  const { page, context } = await openPage(browser, { path: `playground/?date=${DATE}`, viewport: { width: 1440, height: 1000 } });
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  const profile = rs.index.profiles[0];
  if (profile) await page.selectOption("#try-profile", profile.path);
  await page.waitForFunction(() => document.querySelectorAll("#report [data-status]").length > 0);
  const report = rs.engine.evaluate(profile?.facts ?? {}, { date: DATE, lang: "zh" });
  assert.equal(await page.locator("#report [data-status]").count(), report.policies.length);
  for (const p of report.policies) assert.equal(await page.locator(`#report [data-policy="${p.id}"]`).getAttribute("data-status"), p.status);
  await page.locator("#report details summary").first().click();
  assert.ok((await page.locator("#report .trace-step").count()) > 0);
  await context.close();
});
