// The citizen page in a real browser: a demo profile, one click, the expected services and amounts;
// an askNext answer that changes a status; "why?"; the language switch; large text; keyboard only;
// a phone-sized screen; the printable summary.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, citizenReady, shot, ruleSet, pickProfile, pickQuestion, expectedReport, DATE, FALLBACK_PROFILE } from "./helpers.mjs";

let browser;
let rs;
let best;
before(async () => {
  browser = await launch();
  rs = ruleSet();
  best = pickProfile(rs);
});
after(() => browser?.close());

const PAGE = `?date=${DATE}&sw=0`;
const money = (v) => {
  const [w, f = ""] = String(v).split(".");
  return `${w.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${(f + "00").slice(0, 2)}`;
};

/** Loads the chosen demo profile (or, when rules/ has none, the fallback through the file picker). */
async function loadProfile(page) {
  if (best) {
    await page.selectOption("#profile-select", best.profile.path);
    await page.click("#load-profile");
    return best.profile.facts;
  }
  await page.setInputFiles("#profile-file", { name: "me.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(FALLBACK_PROFILE)) });
  return FALLBACK_PROFILE;
}

function expected(facts, lang = "zh") {
  return rs.engine.evaluate(facts, { date: DATE, lang });
}

async function assertEligible(page, report, lang = "zh") {
  const eligible = report.policies.filter((p) => p.status === "eligible");
  assert.ok(eligible.length > 0, "the profile qualifies for something");
  await page.waitForSelector(".group-eligible");
  assert.equal(await page.locator(".group-eligible .card").count(), eligible.length, "one card per eligible policy");
  for (const p of eligible) {
    const card = page.locator(`.group-eligible .card[data-policy="${p.id}"]`);
    assert.equal(await card.getAttribute("data-status"), "eligible");
    assert.equal((await card.locator(".card-title").textContent()).trim(), p.title);
    if (p.outputs.amount != null) {
      const text = await card.locator(".amount").textContent();
      assert.ok(text.includes(money(p.outputs.amount)), `${p.id}: ${text} shows ${p.outputs.amount}`);
      const period = { zh: { month: "每月", year: "每年", once: "一次性" }, en: { month: "Monthly", year: "Yearly", once: "One-off" } }[lang][p.outputs.period];
      if (period) assert.ok(text.includes(period), `${p.id}: ${text} shows the period ${period}`);
    }
  }
}

test("load a demo profile, click once, see the eligible services with amounts and periods", async () => {
  const { page, problems, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  await shot(page, "01-citizen-start", { fullPage: true });
  const facts = await loadProfile(page);
  await page.click("#check-all");
  // The source of truth: the profile's reviewed expected report when it has one, else the module.
  const reviewed = expectedReport(best?.profile);
  await assertEligible(page, reviewed ?? expected(facts));
  if (reviewed) assert.deepEqual(
    await page.locator(".card").evaluateAll((cards) => cards.map((c) => [c.dataset.policy, c.dataset.status]).sort()),
    reviewed.policies.map((p) => [p.id, p.status]).sort(),
    "every policy in the group of its expected status",
  );
  // The ineligible ones are there, collapsed, with their failed conditions.
  const report = expected(facts);
  const ineligible = report.policies.filter((p) => p.status === "ineligible");
  if (ineligible.length) {
    const group = page.locator('details[data-group="ineligible"]');
    assert.equal(await group.getAttribute("open"), null, "not eligible is collapsed");
    await group.locator("> summary").click();
    const withFailed = ineligible.find((p) => p.failed.length);
    if (withFailed) assert.ok((await page.locator(`.card[data-policy="${withFailed.id}"] .failed`).textContent()).includes(withFailed.failed[0]));
  }
  await shot(page, "02-citizen-results", { fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("answering the first askNext question re-evaluates at once and changes a status", async () => {
  const q = pickQuestion(rs);
  assert.ok(q, "some profile has a fact that settles an eligible policy when it is the first question");
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  await page.setInputFiles("#profile-file", { name: "partial.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(q.facts)) });
  await page.click("#check-all");
  const card = page.locator(`.card[data-policy="${q.policy.id}"]`);
  assert.equal(await card.getAttribute("data-status"), "undetermined");
  // The questions come in askNext order: the first is the missing fact.
  const first = page.locator("#questions .question").first();
  assert.equal(await first.getAttribute("data-ask"), q.name);
  await shot(page, "03-citizen-question", { fullPage: false, clip: undefined });
  await answer(page, first, q.input, q.value);
  await page.waitForFunction((id) => document.querySelector(`.card[data-policy="${id}"]`)?.dataset.status === "eligible", q.policy.id);
  assert.ok(Number(await page.evaluate(() => document.documentElement.dataset.lastEvalMs)) < 50, "re-evaluation is instant");
  await context.close();
});

/** Answers one generated question the way a person would. */
async function answer(page, question, input, value) {
  const radios = question.locator('input[type="radio"]');
  if (await radios.count()) {
    const id = await question.locator(`input[type="radio"][value="${String(value)}"]`).getAttribute("id");
    await question.locator(`label[for="${id}"]`).click();
  } else if (await question.locator("select").count()) {
    await question.locator("select").selectOption(String(value));
  } else {
    // A date answers itself once complete; a text box on Enter (or on leaving it).
    const box = await question.locator("input").first().elementHandle();
    await box.fill(String(value));
    if (await box.evaluate((el) => el.isConnected)) await box.press("Enter");
  }
}

test('"why?" shows the trace in plain words with the citation', async () => {
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  const facts = await loadProfile(page);
  await page.click("#check-all");
  const p = expected(facts, "zh").policies.find((x) => x.status === "eligible");
  const withTrace = rs.engine.evaluate(facts, { date: DATE, lang: "zh", trace: true }).policies.find((x) => x.id === p.id);
  const card = page.locator(`.card[data-policy="${p.id}"]`);
  await card.locator(".why summary").click();
  const why = card.locator(".why-body");
  await why.waitFor();
  assert.equal(await why.locator(".trace-step").count(), withTrace.trace.length);
  const text = await why.textContent();
  for (const step of withTrace.trace.filter((s) => s.kind === "require")) assert.ok(text.includes(step.label), `the condition “${step.label}” is shown`);
  assert.ok(text.includes("符合"), "conditions are marked in words");
  if (p.source) assert.ok(text.includes(p.source.citation), "the citation is shown");
  await card.screenshot({ path: "target/screenshots/04-citizen-why.png" });
  await context.close();
});

test("the language follows the browser and switches with a visible button", async () => {
  const { page, context } = await openPage(browser, { path: PAGE, locale: "en-US" });
  await citizenReady(page, { offline: false });
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.match(await page.textContent("h1"), /service/i);
  const facts = await loadProfile(page);
  await page.click("#check-all");
  await assertEligible(page, expected(facts, "en"), "en");
  await shot(page, "05-citizen-english", { fullPage: true });
  await page.click("#lang-switch");
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
  assert.equal((await page.textContent("#check-all")).trim(), "查询全部服务");
  await assertEligible(page, expected(facts, "zh"), "zh");
  assert.equal((await page.textContent("#lang-switch")).trim(), "English");
  await context.close();
});

test("large-text, high-contrast mode", async () => {
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await page.click("#large-switch");
  assert.equal(await page.getAttribute("#large-switch", "aria-pressed"), "true");
  const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(after >= 22 && after > before, `text grows: ${before}px → ${after}px`);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), "rgb(0, 0, 0)", "pure black text");
  await loadProfile(page);
  await page.click("#check-all");
  await shot(page, "06-citizen-large", { fullPage: true });
  // The choice is remembered on this device.
  await page.reload();
  await citizenReady(page, { offline: false });
  assert.equal(await page.getAttribute("#large-switch", "aria-pressed"), "true");
  await context.close();
});

/** Presses Tab until the element matching `selector` has the focus. */
async function tabTo(page, selector, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

test("the main flow with the keyboard only", async () => {
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link", "the first Tab reaches the skip link");
  let facts = FALLBACK_PROFILE;
  if (best) {
    await tabTo(page, "#profile-select");
    const index = rs.index.profiles.indexOf(best.profile);
    await page.keyboard.press("Home");
    for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
    assert.equal(await page.inputValue("#profile-select"), best.profile.path);
    await tabTo(page, "#load-profile");
    await page.keyboard.press("Enter");
    facts = best.profile.facts;
  } else {
    await tabTo(page, "#all-facts > summary");
    await page.keyboard.press("Enter");
  }
  await tabTo(page, "#check-all");
  const focusRing = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(focusRing, "none", "the focused button shows a focus ring");
  await shot(page, "07-citizen-keyboard-focus", { fullPage: false });
  await page.keyboard.press("Enter");
  if (!best) return context.close();
  await assertEligible(page, expected(facts));
  assert.equal(await page.evaluate(() => document.activeElement.id), "results", "focus moves to the results");
  await tabTo(page, ".group-eligible .why summary");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator(".group-eligible .why").first().getAttribute("open"), "");
  await tabTo(page, "#print");
  await context.close();
});

test("the main flow on a 360-pixel-wide phone", async () => {
  const { page, context } = await openPage(browser, {
    path: PAGE,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await citizenReady(page, { offline: false });
  const facts = await loadProfile(page);
  await page.screenshot({ path: "target/screenshots/08-citizen-phone.png" });
  await page.tap("#check-all");
  await assertEligible(page, expected(facts));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, select, input:not([type=radio]):not([type=file]), summary, label.button, .choice label")]
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({ el: el.id || el.className || el.tagName, h: el.getBoundingClientRect().height }))
      .filter((x) => x.h < 44),
  );
  assert.deepEqual(small, [], "touch targets are at least 44px high");
  await page.screenshot({ path: "target/screenshots/09-citizen-phone-results.png" });
  await context.close();
});

test("a printable summary", async () => {
  const { page, context } = await openPage(browser, { path: PAGE });
  await citizenReady(page, { offline: false });
  const facts = await loadProfile(page);
  await page.click("#check-all");
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.isVisible("#print-summary"), true);
  assert.equal(await page.isVisible("#check-all"), false, "controls are not printed");
  const text = await page.textContent("#print-summary");
  for (const p of expected(facts).policies.filter((x) => x.status === "eligible")) assert.ok(text.includes(p.title));
  await shot(page, "10-citizen-print", { fullPage: true });
  await context.close();
});
