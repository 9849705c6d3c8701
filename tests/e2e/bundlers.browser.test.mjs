// Bundler users: a page that imports "cph-jobs" is built from the installed
// tarball with Vite and with webpack (no plugins, no loaders), served, and run
// in headless Chromium. The web build finds its .wasm through
// `new URL(..., import.meta.url)`, which both must turn into an asset.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build as viteBuild } from "vite";
import webpack from "webpack";
import { DEMO_CREDENTIALS } from "../mock/aksk.mjs";
import { startMock } from "../mock/server.mjs";
import { launch } from "./chromium.mjs";

// Inside the consumer project, so "cph-jobs" resolves to the installed tarball.
const apps = fileURLToPath(new URL("../../.tmp/consumer/bundlers/", import.meta.url));

// The signing client makes the bundler follow the package's dynamic import
// of its signing module, a second chunk with a second .wasm.
const MAIN = `import { listJobs, CphClient, CphError, JobStatus } from "cph-jobs";
window.runCph = async (endpoint) => {
  const ok = await listJobs(endpoint, "proj_1", "doc-example", "token-for-bundler-test");
  const err = await listJobs(endpoint, "proj_1", "err-502", "token-for-bundler-test").catch((e) => e);
  const credentials = ${JSON.stringify(DEMO_CREDENTIALS)};
  const signed = await new CphClient({ endpoint, projectId: "p", credentials, allowSecretKeyInBrowser: true }).listJobs({ requestId: "jobs-2" });
  return {
    signedJobs: signed.jobs.length,
    requestId: ok.requestId,
    failed: ok.jobs.filter((j) => j.status === JobStatus.Failed).length,
    errIsCphError: err instanceof CphError,
    errKind: err.kind,
    errStatus: err.status,
  };
};
window.cphReady = true;
`;

function page(script) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bundled</title></head><body><script type="module" src="${script}"></script></body></html>\n`;
}

const bundlers = {
  async vite(dir) {
    writeFileSync(join(dir, "index.html"), page("./main.js"));
    await viteBuild({ root: dir, base: "/app/", logLevel: "error", build: { outDir: join(dir, "dist"), emptyOutDir: true } });
  },
  async webpack(dir) {
    const dist = join(dir, "dist");
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, "index.html"), page("./main.js"));
    const stats = await new Promise((resolve, reject) =>
      webpack(
        {
          mode: "production",
          context: dir,
          // .mjs: the consumer project around it is CommonJS.
          entry: "./main.mjs",
          output: { path: dist, filename: "main.js", publicPath: "/app/", module: true },
          experiments: { outputModule: true },
          performance: { hints: false },
        },
        (err, result) => (err ? reject(err) : resolve(result)),
      ),
    );
    assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  },
};

let api, browser;
before(async () => {
  api = await startMock();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await api?.close();
});

for (const [name, bundle] of Object.entries(bundlers)) {
  describe(`bundled by ${name}`, () => {
    const dir = join(apps, name);
    let site;
    before(async () => {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "main.js"), MAIN);
      writeFileSync(join(dir, "main.mjs"), MAIN);
      await bundle(dir);
      site = await startMock({ staticDirs: { "/app/": join(dir, "dist") } });
    });
    after(() => site?.close());

    test("both .wasm files are emitted as assets", () => {
      const files = readdirSync(join(dir, "dist"), { recursive: true });
      assert.equal(files.filter((f) => String(f).endsWith(".wasm")).length, 2, `not two .wasm among ${files}`);
    });

    test("the bundled page lists jobs and types its errors", async () => {
      const tab = await browser.newPage();
      const failures = [];
      tab.on("pageerror", (err) => failures.push(err.message));
      await tab.goto(`${site.url}/app/index.html`);
      await tab.waitForFunction(() => window.cphReady === true);
      const result = await tab.evaluate((endpoint) => window.runCph(endpoint), api.url);
      assert.deepEqual(result, {
        signedJobs: 2,
        requestId: "6a63a18b8bab40ffb71ebd9cb80d0085",
        failed: 1,
        errIsCphError: true,
        errKind: "http",
        errStatus: 502,
      });
      assert.deepEqual(failures, []);
      await tab.close();
    });
  });
}
