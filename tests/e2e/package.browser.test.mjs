// The installed tarball in headless Chromium: a page on one origin imports
// "/pkg/index.js" (the package's browser entry) and calls the mock both on its
// own origin and on a second one, through CORS.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_CREDENTIALS } from "../mock/aksk.mjs";
import { closedUrl } from "../mock/server.mjs";
import { packagePage } from "./chromium.mjs";

const TOKEN = "MIIT-browser-test-token-5e8d1c3b7a90f246";
let browser, site, api, page;
const consoleLines = [];
const siteLog = [];
const apiLog = [];

before(async () => {
  browser = await packagePage({ siteLog: (line) => siteLog.push(line), apiLog: (line) => apiLog.push(line) });
  ({ site, api, page } = browser);
  page.on("console", (msg) => consoleLines.push(msg.text()));
});

after(() => browser?.close());

/** Runs `body(pkg, args)` in the page (or in `on`), with the package imported there. */
function inPage(body, args, on = page) {
  return on.evaluate(
    async ({ source, args }) => {
      const pkg = await import("/pkg/index.js");
      const describe = (err) => ({
        isCphError: err instanceof pkg.CphError,
        isError: err instanceof Error,
        name: err.name,
        kind: err.kind,
        status: err.status,
        errorCode: err.errorCode,
        requestId: err.requestId,
        message: err.message,
        texts: [err.message, err.stack, String(err), JSON.stringify(err)],
      });
      const fn = new Function("pkg", "args", "describe", `return (${source})(pkg, args, describe);`);
      return fn(pkg, args, describe);
    },
    { source: body.toString(), args },
  );
}

test("same origin: the documentation example decodes to camelCase", async () => {
  const result = await inPage(async (pkg, { url }) => pkg.listJobs(url, "proj_1", "doc-example", "t-123456789"), { url: site.url });
  assert.equal(result.requestId, "6a63a18b8bab40ffb71ebd9cb80d0085");
  assert.equal(result.jobs[0].jobId, "1564567b8bab40f34711234cb80d0123");
  assert.equal(result.jobs[0].status, -1);
  assert.ok(!JSON.stringify(result).includes("_id"));
});

test("cross origin, through CORS with a preflight: errors carry X-Request-Id", async () => {
  const result = await inPage(
    async (pkg, { url, token }) => {
      const ok = await pkg.listJobs(url, "proj_1", "jobs-7", token);
      const err = await pkg.listJobs(url, "proj_1", "err-404", token).catch(describe);
      const bad = await pkg.listJobs(url, "proj_1", "demo", "bad-token").catch(describe);
      return { count: ok.jobs.length, err, bad };
    },
    { url: api.url, token: TOKEN },
  );
  assert.equal(result.count, 7);
  assert.equal(result.err.isCphError, true);
  assert.equal(result.err.isError, true);
  assert.equal(result.err.name, "CphError");
  assert.deepEqual([result.err.kind, result.err.status, result.err.errorCode], ["http", 404, "CPS.0404"]);
  assert.match(result.err.requestId, /^[0-9a-f]{32}$/);
  assert.deepEqual([result.bad.kind, result.bad.status, result.bad.errorCode], ["http", 401, "APIG.0301"]);
});

test("an unreachable endpoint is kind network, with the CORS and proxy hint", async () => {
  const url = await closedUrl();
  const err = await inPage(async (pkg, { url }) => pkg.listJobs(url, "p", "r", "t-123456789").catch(describe), { url });
  assert.equal(err.kind, "network");
  assert.match(err.message, /CORS/);
  assert.match(err.message, /same-origin proxy/);
});

test("bad input, timeouts, aborts, redirects and decode errors are typed", async () => {
  const results = await inPage(
    async (pkg, { url, token }) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      return {
        input: await pkg.listJobs("http://example.com", "p", "r", token).catch(describe),
        timeout: await pkg.listJobs(url, "p", "hang-body", token, { timeoutMs: 300 }).catch(describe),
        aborted: await pkg.listJobs(url, "p", "hang", token, { signal: controller.signal }).catch(describe),
        redirect: await pkg.listJobs(url, "p", "redirect-cross", token).catch(describe),
        decode: await pkg.listJobs(url, "p", "missing-job-id", token).catch(describe),
        echoed: await pkg.listJobs(url, "p", "echo-token", token).catch(describe),
      };
    },
    { url: api.url, token: TOKEN },
  );
  assert.equal(results.input.kind, "invalid-input");
  assert.equal(results.timeout.kind, "timeout");
  assert.equal(results.aborted.kind, "aborted");
  assert.equal(results.redirect.kind, "http");
  assert.equal(results.decode.kind, "decode");
  assert.match(results.decode.message, /jobs\[1\]: missing field `job_id`/);
  for (const err of Object.values(results)) {
    assert.equal(err.isCphError, true);
    for (const text of err.texts) assert.ok(!String(text).includes(TOKEN), text);
  }
});

test("100 concurrent calls and a 10,000-job page, then still healthy after failures", async () => {
  const result = await inPage(
    async (pkg, { url, token }) => {
      const ids = Array.from({ length: 100 }, (_, i) => `jobs-${i + 1}`);
      const pages = await Promise.all(ids.map((id) => pkg.listJobs(url, "p", id, token)));
      const big = await pkg.listJobs(url, "p", "bulk-10000", token);
      for (let i = 0; i < 200; i++) await pkg.listJobs(url, "p", ["err-500", "not-json", "a/b"][i % 3], token).catch(() => {});
      const after = await pkg.listJobs(url, "p", "doc-example", token);
      return {
        own: pages.every((p, i) => p.requestId === ids[i] && p.jobs.length === i + 1),
        big: big.jobs.length,
        after: after.jobs.length,
      };
    },
    { url: api.url, token: TOKEN },
  );
  assert.deepEqual(result, { own: true, big: 10000, after: 2 });
  for (const line of consoleLines) assert.ok(!line.includes(TOKEN), line);
});

test("cookies go to a same-origin endpoint only, never to another origin", async () => {
  // Cookies are per host, not per port: the page's cookie would reach the
  // API on the other port too, were the package to send credentials there.
  const result = await inPage(
    async (pkg, { site, api }) => {
      document.cookie = "console_session=s3cr3t; path=/";
      const same = await pkg.listJobs(site, "p", "cookies", "t-123456789");
      const cross = await pkg.listJobs(api, "p", "cookies", "t-123456789");
      return { same: same.jobs[0].executeMsg, cross: cross.jobs[0].executeMsg };
    },
    { site: site.url, api: api.url },
  );
  assert.deepEqual(result, { same: "cookies", cross: "none" });
});

test("only a client with credentials loads the signing module; both modules throw one CphError", async () => {
  // A page of its own, so that no earlier test has loaded a module yet.
  const fresh = await browser.browser.newPage();
  const requested = [];
  fresh.on("request", (request) => requested.push(new URL(request.url()).pathname));
  try {
    await fresh.goto(`${site.url}/e2e/blank.html`);
    const plain = await inPage(
      async (pkg, { url, token, credentials }) => {
        const listed = await pkg.listJobs(url, "p", "jobs-2", token);
        const client = await new pkg.CphClient({ endpoint: url, projectId: "p", token }).listJobs({ requestId: "jobs-3" });
        // Keys without the opt-in are refused, and need no signer for that.
        const refused = await new pkg.CphClient({ endpoint: url, projectId: "p", credentials })
          .listJobs({ requestId: "jobs-2" })
          .catch((e) => e.message);
        return { jobs: listed.jobs.length + client.jobs.length, refused, memory: pkg.memoryBytes() };
      },
      { url: api.url, token: TOKEN, credentials: { ...DEMO_CREDENTIALS } },
      fresh,
    );
    assert.equal(plain.jobs, 5);
    assert.match(plain.refused, /^invalid credentials: .*allowSecretKeyInBrowser/, "refused without the signer");
    assert.ok(requested.includes("/pkg/web/cph_jobs_bg.wasm"), requested.join(" "));
    assert.deepEqual(requested.filter((path) => path.includes("/signing/")), [], "a page that signs nothing never loads the signer");

    const signed = await inPage(
      async (pkg, { url, credentials }) => {
        const client = new pkg.CphClient({ endpoint: url, projectId: "p", credentials, allowSecretKeyInBrowser: true });
        const [a, b] = await Promise.all([client.listJobs({ requestId: "jobs-2" }), client.listJobs({ requestId: "jobs-4" })]);
        const wrong = new pkg.CphClient({ endpoint: url, projectId: "p", credentials: { ...credentials, secretKey: "not-the-key-1" }, allowSecretKeyInBrowser: true });
        const error = await wrong.listJobs({ requestId: "jobs-2" }).catch((e) => e);
        return { jobs: a.jobs.length + b.jobs.length, isCphError: error instanceof pkg.CphError, kind: error.kind, status: error.status, memory: pkg.memoryBytes() };
      },
      { url: api.url, credentials: { ...DEMO_CREDENTIALS } },
      fresh,
    );
    assert.deepEqual({ ...signed, memory: undefined }, { jobs: 6, isCphError: true, kind: "http", status: 401, memory: undefined });
    assert.equal(requested.filter((path) => path === "/pkg/web/signing/cph_jobs_signing_bg.wasm").length, 1, "loaded once, for two clients");
    assert.ok(signed.memory > plain.memory, "memoryBytes() counts both modules");
  } finally {
    await fresh.close();
  }
});

test("no log line of either server carries the token", () => {
  for (const line of [...siteLog, ...apiLog]) assert.ok(!line.includes(TOKEN), line);
  assert.ok(apiLog.length > 100);
});
