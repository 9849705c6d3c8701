// The fault cases of js/faults.cases.mjs in headless Chromium, against a mock
// on another origin (so every call also passes the CORS preflight).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cases, EXPECTED } from "../js/faults.cases.mjs";
import { describeError } from "../js/client.cases.mjs";
import { packagePage, runCase } from "./chromium.mjs";

const TOKEN = "MIIT-browser-fault-token-8e2c4a6f1b3d5079";
let browser;
const pageErrors = [];

before(async () => {
  browser = await packagePage();
  const { page } = browser;
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => msg.text().includes(TOKEN) && pageErrors.push(`token in console: ${msg.text()}`));
  // An unhandled rejection in the page is a test failure too.
  await page.evaluate(() => window.addEventListener("unhandledrejection", (e) => console.error(`unhandled: ${e.reason}`)));
  page.on("console", (msg) => msg.text().startsWith("unhandled:") && pageErrors.push(msg.text()));
});

after(() => browser?.close());

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const args = { url: browser.api.url, token: TOKEN, modes: Object.keys(EXPECTED), tag: `web${i}`, rounds: 10_000 };
    check(await runCase(browser.page, run, describeError, args));
  });
}

test("no page error, unhandled rejection or token in the console", () => {
  assert.deepEqual(pageErrors, []);
});
