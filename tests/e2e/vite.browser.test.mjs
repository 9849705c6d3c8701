// A bundler user: a page that imports "cph-jobs" is built with Vite from the
// installed tarball (no plugins), served, and run in headless Chromium.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { startMock } from "../mock/server.mjs";
import { launch } from "./chromium.mjs";

// Inside the consumer project, so "cph-jobs" resolves to the installed tarball.
const app = fileURLToPath(new URL("../../.tmp/consumer/vite-app/", import.meta.url));
const dist = join(app, "dist");
let site, api, browser;

before(async () => {
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  writeFileSync(
    join(app, "index.html"),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vite app</title></head>' +
      '<body><script type="module" src="./main.js"></script></body></html>\n',
  );
  writeFileSync(
    join(app, "main.js"),
    `import { listJobs, CphError, JobStatus } from "cph-jobs";
window.runCph = async (endpoint) => {
  const ok = await listJobs(endpoint, "proj_1", "doc-example", "token-for-vite-test");
  const err = await listJobs(endpoint, "proj_1", "err-502", "token-for-vite-test").catch((e) => e);
  return {
    requestId: ok.requestId,
    failed: ok.jobs.filter((j) => j.status === JobStatus.Failed).length,
    errIsCphError: err instanceof CphError,
    errKind: err.kind,
    errStatus: err.status,
  };
};
window.cphReady = true;
`,
  );
  await build({ root: app, base: "/app/", logLevel: "error", build: { outDir: dist, emptyOutDir: true } });
  site = await startMock({ staticDirs: { "/app/": dist } });
  api = await startMock();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await api?.close();
});

test("Vite bundles the package with its .wasm as an asset", () => {
  const assets = readdirSync(join(dist, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no .wasm among ${assets}`);
});

test("the bundled page lists jobs and types its errors", async () => {
  const page = await browser.newPage();
  const failures = [];
  page.on("pageerror", (err) => failures.push(err.message));
  await page.goto(`${site.url}/app/index.html`);
  await page.waitForFunction(() => window.cphReady === true);
  const result = await page.evaluate((endpoint) => window.runCph(endpoint), api.url);
  assert.deepEqual(result, {
    requestId: "6a63a18b8bab40ffb71ebd9cb80d0085",
    failed: 1,
    errIsCphError: true,
    errKind: "http",
    errStatus: 502,
  });
  assert.deepEqual(failures, []);
});
