// The cases of js/client.cases.mjs in headless Chromium: the page imports the
// installed tarball's browser entry and calls a mock on another origin, so
// every request also passes the CORS preflight.
import { after, before, test } from "node:test";
import { DEMO_CREDENTIALS, DEMO_TEMPORARY_CREDENTIALS } from "../mock/aksk.mjs";
import { cases, describeError } from "../js/client.cases.mjs";
import { packagePage, runCase } from "./chromium.mjs";

const TOKEN = "MIIT-browser-client-token-3c9d7e1f0a4b6258";
let browser;
const consoleLines = [];

before(async () => {
  browser = await packagePage();
  browser.page.on("console", (msg) => consoleLines.push(msg.text()));
});

after(() => browser?.close());

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const args = { url: browser.api.url, token: TOKEN, tag: `web${i}`, credentials: { ...DEMO_CREDENTIALS }, temporary: { ...DEMO_TEMPORARY_CREDENTIALS } };
    check(await runCase(browser.page, run, describeError, args));
  });
}

test("the page never logged the token", () => {
  for (const line of consoleLines) if (line.includes(TOKEN)) throw new Error(`token in console: ${line}`);
});
