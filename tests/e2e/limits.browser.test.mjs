// The total caps of js/limits.cases.mjs in headless Chromium, against a mock
// on another origin.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cases } from "../js/limits.cases.mjs";
import { describeError } from "../js/client.cases.mjs";
import { packagePage, runCase } from "./chromium.mjs";

const TOKEN = "MIIT-browser-limits-token-6a8c0e2b4d1f3957";
let browser;
const pageErrors = [];

before(async () => {
  browser = await packagePage();
  browser.page.on("pageerror", (err) => pageErrors.push(err.message));
});
after(() => browser?.close());

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const result = await runCase(browser.page, run, describeError, { url: browser.api.url, token: TOKEN, tag: `web${i}` });
    check(result);
    if (result.after) console.log(`# ${name}: linear memory ${result.after} bytes`);
  });
}

test("no page error", () => {
  assert.deepEqual(pageErrors, []);
});
