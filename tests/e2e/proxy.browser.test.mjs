// The demo console in headless Chromium, cross-origin from its service, as
// `make demo REGION=...` serves it: the page on one origin (a mock serving
// www/ and the built package), the service on another (a mock that, like
// CPH, sends no CORS headers), and cph-jobs/proxy on a third, in front of
// the service, allowing only the page's origin. The page cannot read the
// service directly; through the proxy it lists and follows the batch.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { serveProxy } from "../../pkg/proxy.js";
import { startMock } from "../mock/server.mjs";
import { launch } from "./chromium.mjs";

const ARTIFACTS = fileURLToPath(new URL("../../artifacts/", import.meta.url));
const TOKEN = "MIIT-proxy-console-token-8c41e07b5d92";
const PROJECT = "proj_demo";
const BASE = "/cph-proxy";
// The demo batch finishes in about 0.3 s; the page refreshes every 60 ms.
const TIME_SCALE = 0.05;
const INTERVAL_MS = 60;

let site, upstream, proxy, proxyUrl, browser;
const upstreamLog = [];
const proxyLog = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startMock({ timeScale: TIME_SCALE });
  upstream = await startMock({ timeScale: TIME_SCALE, cors: false, log: (line) => upstreamLog.push(line) });
  proxy = serveProxy(createServer(), { upstream: upstream.url, basePath: BASE, allowedOrigins: [site.url], log: (line) => proxyLog.push(line) });
  await new Promise((ok) => proxy.listen(0, "127.0.0.1", ok));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  proxy?.closeAllConnections();
  await new Promise((ok) => (proxy ? proxy.close(ok) : ok()));
  await site?.close();
  await upstream?.close();
});

/**
 * The console on the site's origin with `endpoint` from its query string:
 * another origin, so the page asks first, and the test says yes.
 */
async function openConsole(endpoint, requestId, origin = site.url) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  const messages = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (message) => messages.push(message.text()));
  const params = new URLSearchParams({ endpoint, projectId: PROJECT, requestId, interval: String(INTERVAL_MS) });
  await page.goto(`${origin}/?${params}`);
  await page.waitForSelector('#console[data-ready="true"]');
  assert.equal(await page.isVisible("#endpoint-check"), true, "the page asks before it sends the token elsewhere");
  assert.equal(await text(page, "#endpoint-check-url"), endpoint);
  await page.click("#endpoint-confirm");
  await page.fill("#token", TOKEN);
  await page.click("#submit");
  return { page, problems, messages };
}

const waitForState = (page, state) => page.waitForSelector(`#console[data-state="${state}"]`);
const text = (page, selector) => page.locator(selector).innerText();

test("directly: the service sends no CORS headers, so the page gets a network error and the token never leaves", async () => {
  const { page, problems, messages } = await openConsole(upstream.url, "demo-direct");
  await waitForState(page, "error");
  assert.equal(await text(page, "#error-kind"), "network");
  assert.match(await text(page, "#error-message"), /CORS/);
  assert.match(await text(page, "#error-advice"), /CORS/);
  assert.match(await text(page, "#error-advice"), /same-origin proxy/);
  assert.ok(messages.some((m) => /blocked by CORS policy/.test(m)), `Chromium says why:\n${messages.join("\n")}`);
  // The preflight failed, so the GET that carries the token was never sent.
  const direct = upstreamLog.filter((line) => line.includes("demo-direct"));
  assert.ok(direct.length > 0, "the browser did ask");
  assert.deepEqual(direct.filter((line) => !line.startsWith("OPTIONS ")), [], "only preflights reached the service");
  assert.deepEqual(problems, []);
  await page.screenshot({ path: `${ARTIFACTS}demo-proxy-direct-cors.png`, fullPage: true });
  await page.context().close();
});

test("through the proxy: the same call lists the batch and follows it to the end", async () => {
  const requestId = "demo-through-proxy";
  const { page, problems } = await openConsole(`${proxyUrl}${BASE}`, requestId);
  await waitForState(page, "finished");

  // What the service says about the batch, asked from Node (no browser, no CORS).
  const answer = await fetch(`${upstream.url}/v1/${PROJECT}/cloud-phone/jobs?request_id=${requestId}`, { headers: { "X-Auth-Token": TOKEN } });
  const expected = (await answer.json()).jobs;
  assert.equal(expected.length, 12);
  assert.equal(await text(page, "#count-total"), "12");
  assert.equal(await text(page, "#count-running"), "0");
  assert.equal(await text(page, "#count-succeeded"), String(expected.filter((job) => job.status === 2).length));
  assert.equal(await text(page, "#count-failed"), String(expected.filter((job) => job.status === -1).length));
  const shown = await page.$$eval("#job-rows tr", (rows) => rows.map((row) => row.dataset.jobId));
  assert.deepEqual(shown, expected.map((job) => job.job_id), "the service's jobs, in its order");
  assert.deepEqual(problems, []);

  // The proxy answered the preflight itself and forwarded each GET, which the service served.
  // (It logs a preflight's path without its query.)
  assert.ok(proxyLog.some((line) => line.startsWith(`OPTIONS ${BASE}/v1/${PROJECT}/cloud-phone/jobs 204 `)), proxyLog.join("\n"));
  const gets = proxyLog.filter((line) => line.startsWith(`GET ${BASE}/v1/${PROJECT}/cloud-phone/jobs?request_id=${requestId}`));
  assert.ok(gets.length >= 2, `polled through the proxy while jobs ran (${gets.length} calls)`);
  for (const line of gets) assert.match(line, / 200 \d+ms [0-9a-f]{32}$/);
  const served = upstreamLog.filter((line) => line.startsWith(`GET /v1/${PROJECT}/cloud-phone/jobs?request_id=${requestId}`));
  assert.ok(served.length >= gets.length && served.every((line) => / 200 /.test(line)));
  await page.screenshot({ path: `${ARTIFACTS}demo-proxy-jobs.png`, fullPage: true });
  await page.context().close();
});

test("through the proxy from an origin it does not allow: refused, nothing forwarded", async () => {
  // localhost is the same site server, but another origin than 127.0.0.1.
  const requestId = "demo-other-origin";
  const { page } = await openConsole(`${proxyUrl}${BASE}`, requestId, site.url.replace("127.0.0.1", "localhost"));
  await waitForState(page, "error");
  assert.equal(await text(page, "#error-kind"), "network");
  assert.ok(proxyLog.some((line) => /^OPTIONS \S+ 403 /.test(line)), `the proxy refused the preflight:\n${proxyLog.join("\n")}`);
  assert.deepEqual(upstreamLog.filter((line) => line.includes(requestId)), [], "nothing reached the service");
  await page.context().close();
});

test("the token is in no log line of the proxy (nor of the service)", () => {
  assert.ok(proxyLog.length > 0);
  for (const line of [...proxyLog, ...upstreamLog]) assert.ok(!line.includes(TOKEN), `the token in a log line: ${line}`);
});
