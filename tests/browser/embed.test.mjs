// The embedding examples: the smallest page, and the same in a Web Worker.
import test, { before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, shot } from "./helpers.mjs";

let browser;
before(async () => (browser = await launch()));
after(() => browser?.close());

for (const [name, path] of [["the smallest page", "embed/"], ["the same in a Web Worker", "embed/worker.html"]]) {
  test(name, async () => {
    const { page, context, problems } = await openPage(browser, { path });
    const item = page.locator('#result li[data-status="eligible"]');
    await item.waitFor({ timeout: 20_000 });
    assert.match(await item.textContent(), /150\.00 a month/);
    if (path === "embed/") await shot(page, "14-embed");
    assert.deepEqual(problems, []);
    await context.close();
  });
}
