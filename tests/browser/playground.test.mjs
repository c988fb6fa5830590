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

// ---------------------------------------------------------------------------------------------
// The editor services (the language server's, through the module's Workspace): what the page
// shows is what the Node module's Workspace and format say for the same files and offsets.

async function openEditor(file) {
  const { page, context, problems } = await openPage(browser, { path: `playground/?date=${DATE}&file=${encodeURIComponent(file)}`, viewport: { width: 1440, height: 1000 } });
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  await page.waitForFunction(() => Number(document.documentElement.dataset.checks ?? 0) >= 1);
  return { page, context, problems };
}

/**
 * An input used in `file`: its name, its label, the offset of a use there and where it is
 * declared, preferably in another file of the set (so that going to it changes file).
 */
function inputUse(file) {
  const ws = new rs.eligo.Workspace(Object.fromEntries(rs.index.rules.map((r) => [r.path, r.text])));
  const uses = [];
  for (const r of rs.index.rules) {
    for (const s of ws.symbols(r.path).filter((s) => s.kind === "input")) {
      const label = rs.schema.inputs.find((i) => i.name === s.name)?.label?.zh;
      const use = ws.references(r.path, s.selection.from).find((l) => l.file === file && !(r.path === file && l.from === s.selection.from));
      if (label && use) uses.push({ name: s.name, label, at: use.from, declared: s.selection, ws });
    }
  }
  return uses.find((u) => u.declared.file !== file) ?? uses[0];
}

/** The page coordinates of the middle of the character after `pos`, scrolled into view. */
async function coords(page, pos) {
  return page.evaluate(async (pos) => {
    const { view } = window.playground;
    view.dispatch({ effects: window.playground.scrollTo(pos) });
    for (let i = 0; i < 3; i++) await new Promise(requestAnimationFrame);
    const start = view.coordsAtPos(pos);
    const end = view.coordsAtPos(pos + 1) ?? start;
    return { x: (start.left + end.left) / 2 + 1, y: (start.top + start.bottom) / 2 };
  }, pos);
}

async function setText(page, text) {
  const before = await checks(page);
  await page.evaluate((text) => {
    const { view } = window.playground;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }, text);
  await page.waitForFunction((n) => Number(document.documentElement.dataset.checks) > n, before);
}

const docText = (page) => page.evaluate(() => window.playground.view.state.doc.toString());

test("hover over an input shows its label; F12 and Ctrl-click go to its definition", async () => {
  const file = pickFile();
  const use = inputUse(file);
  assert.ok(use, "the file uses an input");
  const { page, context, problems } = await openEditor(file);
  const expected = use.ws.hover(file, use.at, "zh").markdown;
  assert.ok(expected.includes(use.label));
  await page.waitForTimeout(100);
  const { x, y } = await coords(page, use.at);
  await page.mouse.move(x, y);
  const tooltip = page.locator(".cm-tooltip .hover-info").first();
  await tooltip.waitFor();
  assert.match(await tooltip.textContent(), new RegExp(use.label));
  assert.match(await tooltip.textContent(), new RegExp(`input ${use.name}`));
  await shot(page, "14-playground-hover");

  const where = () => page.evaluate(() => ({ file: window.playground.current(), from: window.playground.view.state.selection.main.from }));
  await page.evaluate((at) => window.playground.view.dispatch({ selection: { anchor: at } }), use.at);
  await page.locator(".cm-content").first().focus();
  await page.keyboard.press("F12");
  assert.deepEqual(await where(), { file: use.declared.file, from: use.declared.from });

  await page.evaluate((file) => window.playground.openFile(file), file);
  const click = await coords(page, use.at);
  await page.keyboard.down("Control");
  await page.mouse.click(click.x, click.y);
  await page.keyboard.up("Control");
  assert.deepEqual(await where(), { file: use.declared.file, from: use.declared.from });
  assert.deepEqual(problems, []);
  await context.close();
});

test("completion offers an input's name and a built-in", async () => {
  const file = pickFile();
  const use = inputUse(file);
  const { page, context } = await openEditor(file);
  await page.locator(".cm-content").first().click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\nlet 试一试 = ");
  await page.keyboard.type([...use.name].slice(0, 2).join(""));
  const labels = page.locator(".cm-tooltip-autocomplete .cm-completionLabel");
  await labels.first().waitFor();
  assert.ok((await labels.allTextContents()).includes(use.name), `${use.name} offered`);
  await page.keyboard.press("Escape");
  await page.keyboard.type(" + ag");
  await page.waitForFunction(() => [...document.querySelector("#editor").shadowRoot.querySelectorAll(".cm-completionLabel")].some((l) => l.textContent === "age"));
  // Enter takes the highlighted option (once the list has been shown for a moment: CodeMirror's
  // guard against taking one by accident).
  await page.waitForTimeout(200);
  await page.keyboard.press("Enter");
  assert.match(await docText(page), /\+ [\p{L}\p{N}_]+$/u);
  await shot(page, "15-playground-completion");
  await context.close();
});

test("Format (the button and Shift-Alt-F) lays the file out as the formatter does", async () => {
  const file = pickFile();
  const text = rs.index.rules.find((r) => r.path === file).text;
  const bad = text.replace(/^(input|param|let|policy) +/gm, "$1    ").replace(/^  (require|amount) +/gm, "      $1   ");
  const formatted = rs.eligo.format(bad);
  assert.notEqual(bad, formatted);
  const { page, context } = await openEditor(file);
  await setText(page, bad);
  await page.click("#format-file");
  assert.equal(await docText(page), formatted);
  assert.match(await page.textContent("#format-status"), /标准格式/);
  await setText(page, bad);
  await page.locator(".cm-content").first().focus();
  await page.keyboard.press("Shift+Alt+F");
  assert.equal(await docText(page), formatted);
  await context.close();
});

test("a quick fix turns `requir` and a full-width colon into the right text, and the diagnostic goes away", async () => {
  const file = pickFile();
  const text = rs.index.rules.find((r) => r.path === file).text;
  const { page, context } = await openEditor(file);
  const fixedAll = () => page.waitForFunction(() => document.querySelectorAll("#problems li").length === 0);

  // A misspelt keyword, fixed from the diagnostic's tooltip.
  await setText(page, text.replace(/^( +)require /m, "$1requir "));
  await page.locator('#problems li[data-code="E0101"]').first().waitFor();
  const underline = page.locator(".cm-lintRange-error").first();
  await underline.hover();
  const action = page.locator(".cm-tooltip .cm-diagnosticAction").first();
  await action.waitFor();
  assert.match(await action.textContent(), /requir.*require/);
  await action.click();
  assert.equal(await docText(page), text);
  await fixedAll();

  // A full-width colon typed by a Chinese input method, fixed from the problems list by keyboard.
  const colon = text.replace(/: (int|money|date|bool|decimal|text)\b/u, "： $1");
  assert.notEqual(colon, text);
  await setText(page, colon);
  const fix = page.locator('#problems li[data-code="E0101"] .fix-button').first();
  await fix.waitFor();
  assert.match(await fix.textContent(), /：.*:/);
  await fix.focus();
  await page.keyboard.press("Enter");
  assert.equal(await docText(page), text);
  await fixedAll();
  assert.equal(await page.locator(".cm-lintRange-error").count(), 0);
  await context.close();
});
