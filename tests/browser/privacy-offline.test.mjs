// Privacy and offline: after the page has loaded, nothing the citizen does makes a request; every
// request of the load goes to the page's own origin under a Content-Security-Policy; after the first
// visit the page opens and works with the network cut.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, citizenReady, shot, ruleSet, pickProfile, pickQuestion, DATE, BASE } from "./helpers.mjs";

let browser;
let rs;
before(async () => {
  browser = await launch();
  rs = ruleSet();
});
after(() => browser?.close());

test("no request leaves the page after it has loaded, whatever the user does", async () => {
  const { context, page } = await openPage(browser, { path: null });
  const requests = [];
  context.on("request", (r) => requests.push({ url: r.url(), phase: "load" }));
  const response = await page.goto(new URL(`?date=${DATE}`, BASE).href);
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  await citizenReady(page);
  assert.ok(requests.length > 0);
  for (const r of requests) assert.equal(new URL(r.url).origin, new URL(BASE).origin, `only the page's own origin: ${r.url}`);
  assert.match(await page.textContent(".privacy-text"), /设备/, "the page says the data stays on the device");

  const loaded = requests.length;
  // Everything a citizen can do.
  const best = pickProfile(rs);
  for (const option of await page.locator("#profile-select option").all()) {
    await page.selectOption("#profile-select", await option.getAttribute("value"));
    await page.click("#load-profile");
  }
  if (best) {
    await page.selectOption("#profile-select", best.profile.path);
    await page.click("#load-profile");
  }
  await page.click("#check-all");
  const q = pickQuestion(rs);
  if (q) {
    await page.setInputFiles("#profile-file", { name: "partial.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(q.facts)) });
    await page.locator("#questions .question").first().waitFor();
    const box = await page.locator("#questions .question input, #questions .question select").first().elementHandle();
    const type = await box.evaluate((el) => el.type);
    if (type === "radio") await page.locator("#questions .question label").first().click();
    else if (type.startsWith("select")) await box.selectOption({ index: 1 });
    else {
      await box.fill(String(q.value));
      if (await box.evaluate((el) => el.isConnected)) await box.press("Enter");
    }
  }
  for (const summary of await page.locator(".why summary, details.group > summary").all()) await summary.click();
  await page.click("#all-facts > summary");
  await page.fill("#eval-date", "2024-01-15");
  await page.dispatchEvent("#eval-date", "change");
  await page.click("#lang-switch");
  await page.click("#large-switch");
  await page.click("#lang-switch");
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  await page.click("#clear-facts");
  await page.waitForTimeout(500);
  const afterLoad = requests.slice(loaded).map((r) => r.url);
  assert.deepEqual(afterLoad, [], "no request after the page has loaded");
  await context.close();
});

test("after the first visit, the page opens and works offline", async () => {
  const { context, page, problems } = await openPage(browser, { path: `?date=${DATE}` });
  await citizenReady(page);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.offline), "ready", "the service worker is active");
  await context.setOffline(true);
  await page.reload();
  await citizenReady(page, { offline: false });
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  const best = pickProfile(rs);
  if (best) {
    await page.selectOption("#profile-select", best.profile.path);
    await page.click("#load-profile");
  }
  await page.click("#check-all");
  await page.waitForSelector(".group-eligible .card");
  const expected = best ? best.eligible.length : 0;
  if (best) assert.equal(await page.locator(".group-eligible .card").count(), expected);
  await shot(page, "11-citizen-offline", { fullPage: false });
  // The playground opens offline too.
  await page.goto(new URL("playground/", BASE).href);
  await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
  await context.setOffline(false);
  assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), []);
  await context.close();
});
