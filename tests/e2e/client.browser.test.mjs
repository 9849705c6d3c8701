// The cases of js/client.cases.mjs in headless Chromium: the page imports the
// installed tarball's browser entry and calls a mock on another origin, so
// every request also passes the CORS preflight.
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startMock } from "../mock/server.mjs";
import { DEMO_CREDENTIALS, DEMO_TEMPORARY_CREDENTIALS } from "../mock/aksk.mjs";
import { cases, describeError } from "../js/client.cases.mjs";
import { launch } from "./chromium.mjs";

const installed = fileURLToPath(new URL("../../.tmp/consumer/node_modules/cph-jobs/", import.meta.url));
const TOKEN = "MIIT-browser-client-token-3c9d7e1f0a4b6258";
let site, api, browser, page;
const consoleLines = [];

before(async () => {
  const e2e = fileURLToPath(new URL(".", import.meta.url));
  site = await startMock({ staticDirs: { "/pkg/": installed, "/e2e/": e2e } });
  api = await startMock({ timeScale: 0.01 });
  browser = await launch();
  page = await browser.newPage();
  page.on("console", (msg) => consoleLines.push(msg.text()));
  await page.goto(`${site.url}/e2e/blank.html`);
});

after(async () => {
  await browser?.close();
  await site?.close();
  await api?.close();
});

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const result = await page.evaluate(
      async ({ run, describe, args }) => {
        const pkg = await import("/pkg/index.js");
        const fn = new Function("pkg", "args", "describe", `return (${run})(pkg, args, ${describe});`);
        return fn(pkg, args);
      },
      { run: run.toString().replace(/^async run\(/, "async function run("), describe: describeError.toString(), args: { url: api.url, token: TOKEN, tag: `web${i}`, credentials: { ...DEMO_CREDENTIALS }, temporary: { ...DEMO_TEMPORARY_CREDENTIALS } } },
    );
    check(result);
  });
}

test("the page never logged the token", () => {
  for (const line of consoleLines) if (line.includes(TOKEN)) throw new Error(`token in console: ${line}`);
});
