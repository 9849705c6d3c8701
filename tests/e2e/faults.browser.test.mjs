// The fault cases of js/faults.cases.mjs in headless Chromium, against a mock
// on another origin (so every call also passes the CORS preflight).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startMock } from "../mock/server.mjs";
import { cases, EXPECTED } from "../js/faults.cases.mjs";
import { describeError } from "../js/client.cases.mjs";
import { launch } from "./chromium.mjs";

const installed = fileURLToPath(new URL("../../.tmp/consumer/node_modules/cph-jobs/", import.meta.url));
const TOKEN = "MIIT-browser-fault-token-8e2c4a6f1b3d5079";
let site, api, browser, page;
const pageErrors = [];

before(async () => {
  const e2e = fileURLToPath(new URL(".", import.meta.url));
  site = await startMock({ staticDirs: { "/pkg/": installed, "/e2e/": e2e } });
  api = await startMock({ timeScale: 0.01 });
  browser = await launch();
  page = await browser.newPage();
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => msg.text().includes(TOKEN) && pageErrors.push(`token in console: ${msg.text()}`));
  await page.goto(`${site.url}/e2e/blank.html`);
  // An unhandled rejection in the page is a test failure too.
  await page.evaluate(() => window.addEventListener("unhandledrejection", (e) => console.error(`unhandled: ${e.reason}`)));
  page.on("console", (msg) => msg.text().startsWith("unhandled:") && pageErrors.push(msg.text()));
});

after(async () => {
  await browser?.close();
  await site?.close();
  await api?.close();
});

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const args = { url: api.url, token: TOKEN, modes: Object.keys(EXPECTED), tag: `web${i}`, rounds: 10_000 };
    const result = await page.evaluate(
      async ({ run, describe, args }) => {
        const pkg = await import("/pkg/index.js");
        const fn = new Function("pkg", "args", `return (${run})(pkg, args, ${describe});`);
        return fn(pkg, args);
      },
      { run: run.toString().replace(/^async run\(/, "async function run("), describe: describeError.toString(), args },
    );
    check(result);
  });
}

test("no page error, unhandled rejection or token in the console", () => {
  assert.deepEqual(pageErrors, []);
});
