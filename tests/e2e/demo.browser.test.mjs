// The demo console (www/) in headless Chromium, served by the mock CPH service
// as `make demo` serves it: the page imports the built package from "/pkg/",
// lists a batch and follows it, and shows failures in its error panel.
// Screenshots land in artifacts/ for a person to look at.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closedUrl, startMock } from "../mock/server.mjs";
import { launch } from "./chromium.mjs";

const ARTIFACTS = fileURLToPath(new URL("../../artifacts/", import.meta.url));
const TOKEN = "MIIT-demo-console-token-3f9a27c1d04b";
const PROJECT = "proj_demo";
// The demo batch finishes in about 0.3 s; the page refreshes every 60 ms.
const TIME_SCALE = 0.05;
const INTERVAL_MS = 60;
const DESKTOP = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };

let mock, browser;
const apiLog = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = await startMock({ timeScale: TIME_SCALE, log: (line) => apiLog.push(line) });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await mock?.close();
});

/** A fresh page on the console, prefilled through its query parameters. */
async function openConsole({ viewport = DESKTOP, query = {}, server = mock } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(err.message));
  const params = new URLSearchParams({ endpoint: server.url, projectId: PROJECT, interval: String(INTERVAL_MS), ...query });
  await page.goto(`${server.url}/?${params}`);
  await page.waitForSelector('#console[data-ready="true"]');
  page.problems = problems;
  return page;
}

async function submit(page, { requestId, token = TOKEN }) {
  if (requestId !== undefined) await page.fill("#requestId", requestId);
  await page.fill("#token", token);
  await page.click("#submit");
}

const waitForState = (page, state) => page.waitForSelector(`#console[data-state="${state}"]`);
const text = (page, selector) => page.locator(selector).innerText();

/** What the mock says about a batch, read straight from its API. */
async function mockJobs(requestId, server = mock) {
  const res = await fetch(`${server.url}/v1/${PROJECT}/cloud-phone/jobs?request_id=${requestId}`, { headers: { "X-Auth-Token": TOKEN } });
  assert.equal(res.status, 200);
  return (await res.json()).jobs;
}

const rowsOf = (page) =>
  page.$$eval("#job-rows tr", (trs) =>
    trs.map((tr) => ({
      jobId: tr.dataset.jobId,
      status: tr.cells[2].innerText.trim(),
      error: tr.cells[5].innerText.trim(),
      output: tr.cells[6].textContent.trim(),
    })),
  );

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("happy path: the demo batch runs to the end, polling stops, counts match the scenario", async () => {
  const requestId = "demo-happy";
  const page = await openConsole({ query: { requestId } });
  assert.equal(await page.inputValue("#requestId"), requestId, "prefilled from the query");
  assert.equal(await page.inputValue("#token"), "", "the token is never prefilled");

  await submit(page, {});
  await waitForState(page, "finished");

  const expected = await mockJobs(requestId);
  const count = (s) => expected.filter((j) => j.status === s).length;
  assert.equal(expected.length, 12);
  assert.ok(count(2) > 0 && count(-1) > 0, "the scenario has both outcomes");
  assert.equal(await text(page, "#count-total"), "12");
  assert.equal(await text(page, "#count-running"), "0");
  assert.equal(await text(page, "#count-succeeded"), String(count(2)));
  assert.equal(await text(page, "#count-failed"), String(count(-1)));
  assert.equal(await page.getAttribute("#progress", "aria-valuenow"), "100");
  assert.match(await text(page, "#progress-label"), /12 of 12 finished · 100%/);
  assert.match(await text(page, "#poll-state"), /All jobs finished/);
  assert.match(await text(page, "#refresh-time"), /Last refreshed \S/);
  assert.equal(await page.isDisabled("#stop"), true, "nothing left to stop");

  const rows = await rowsOf(page);
  assert.deepEqual(rows.map((r) => r.jobId), expected.map((j) => j.job_id), "the mock's jobs, in its order");
  for (const [i, job] of expected.entries()) {
    assert.equal(rows[i].status, job.status === 2 ? "Succeeded" : "Failed");
    if (job.status === -1) assert.ok(rows[i].error.includes(job.error_code) && rows[i].error.includes(job.error_msg), rows[i].error);
    if (job.status === 2) assert.ok(rows[i].output.includes(job.execute_msg));
  }
  // Badges carry their words in the DOM, not only a colour.
  const badgeTexts = await page.$$eval("#job-rows .badge", (els) => els.map((el) => el.textContent.trim()));
  assert.ok(badgeTexts.every((t) => t === "Succeeded" || t === "Failed"));

  // It polled on its own while jobs ran, then stopped calling.
  const calls = apiLog.filter((line) => line.includes(`request_id=${requestId}`)).length;
  assert.ok(calls >= 2, `polled while running (${calls} calls)`);
  const settled = mock.requests();
  await pause(INTERVAL_MS * 10);
  assert.equal(mock.requests(), settled, "no request after the batch finished");

  // execute_msg expands in place, from the keyboard.
  const firstOk = page.locator('#job-rows tr[data-status="succeeded"] summary').first();
  await firstOk.focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator('#job-rows tr[data-status="succeeded"] details').first().getAttribute("open"), "");
  assert.ok(await page.locator('#job-rows tr[data-status="succeeded"] pre').first().isVisible());

  // The address bar keeps the query for sharing, never the token.
  assert.ok(page.url().includes(`requestId=${requestId}`));
  assert.ok(!page.url().includes(TOKEN));
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!stored.includes(TOKEN));

  await page.screenshot({ path: `${ARTIFACTS}demo-desktop.png`, fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("narrow screen: jobs become labelled cards, nothing overflows sideways", async () => {
  const requestId = "demo-narrow";
  const page = await openConsole({ viewport: NARROW, query: { requestId } });
  await submit(page, {});
  await waitForState(page, "finished");
  await page.locator('#job-rows tr[data-status="succeeded"] summary').first().click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  const label = await page.$eval('#job-rows td[data-label="Begin time"]', (td) => getComputedStyle(td, "::before").content);
  assert.equal(label, '"Begin time"', "each line shows its column name");
  await page.screenshot({ path: `${ARTIFACTS}demo-narrow.png`, fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}demo-narrow-top.png` });
  await page.locator("#results").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${ARTIFACTS}demo-narrow-results.png` });
  await page.context().close();
});

test("mid-flight: running jobs show a running badge and the page keeps refreshing", async () => {
  // A slower clock, so that a screenshot catches the batch half done.
  const slow = await startMock({ timeScale: 0.5 });
  try {
    const page = await openConsole({ server: slow, query: { requestId: "demo-midflight", interval: "150" } });
    await submit(page, {});
    await page.waitForFunction(() => {
      const n = (id) => Number(document.getElementById(id).textContent);
      return n("count-running") >= 2 && n("count-succeeded") + n("count-failed") >= 3;
    });
    assert.equal(await page.getAttribute("#console", "data-state"), "polling");
    assert.equal(await page.isDisabled("#stop"), false);
    assert.match(await text(page, "#poll-state"), /Refreshing every 150 ms–2.3 s/);
    assert.ok((await page.locator("#job-rows .badge-running").count()) >= 2);
    await page.screenshot({ path: `${ARTIFACTS}demo-desktop-running.png`, fullPage: true });
    await page.context().close();
  } finally {
    await slow.close();
  }
});

test("Stop ends the polling and keeps the last answer", async () => {
  // A long interval: after the first answer the page waits, and Stop ends the wait.
  const page = await openConsole({ query: { requestId: "demo-stop", interval: "60000" } });
  await submit(page, {});
  await waitForState(page, "polling");
  await page.click("#stop");
  await waitForState(page, "stopped");
  assert.equal((await rowsOf(page)).length, 12, "the rows stay");
  assert.match(await text(page, "#poll-state"), /Stopped/);
  assert.equal(await page.isVisible("#error-panel"), false, "stopping is not an error");
  await page.context().close();
});

test("an unknown status reads 'unknown (n)', missing fields read as none", async () => {
  // "nulls": one job stays Running forever, so the page polls until stopped.
  const page = await openConsole({ query: { requestId: "nulls", interval: "60000" } });
  await submit(page, {});
  await waitForState(page, "polling");
  const rows = await rowsOf(page);
  assert.deepEqual(rows.map((r) => r.jobId), ["j-null", "j-missing", "j-empty", "j-unknown"]);
  assert.deepEqual(rows.map((r) => r.status), ["Running", "Succeeded", "Failed", "unknown (3)"]);
  assert.equal(await page.locator('#job-rows tr[data-job-id="j-unknown"] .badge-other').count(), 1);
  assert.equal(rows[0].output, "—none", "a null execute_msg shows as none");
  assert.equal(await text(page, "#count-other"), "1");
  assert.equal(await page.isVisible("#count-other-item"), true);
  assert.match(await text(page, "#progress-label"), /3 of 4 finished · 75%/);
  await page.click("#stop");
  await waitForState(page, "stopped");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a request without jobs says so, and Stop before any answer says that", async () => {
  const page = await openConsole();
  await submit(page, { requestId: "empty" });
  await waitForState(page, "finished");
  assert.equal(await text(page, "#empty-title"), "No jobs for this request");
  assert.equal(await page.isVisible("#jobs"), false);
  await submit(page, { requestId: "hang" });
  await waitForState(page, "loading");
  await page.click("#stop");
  await waitForState(page, "stopped");
  assert.equal(await text(page, "#empty-title"), "Stopped");
  assert.equal(await page.isVisible("#error-panel"), false);
  await page.context().close();
});

test("bad token: the error panel shows 401 APIG.0301 and the X-Request-Id", async () => {
  const page = await openConsole();
  const answer = page.waitForResponse((res) => res.url().includes("request_id=demo-badtoken"));
  await submit(page, { requestId: "demo-badtoken", token: "bad-token" });
  const sentId = (await answer).headers()["x-request-id"];
  await waitForState(page, "error");
  assert.equal(await page.isVisible("#error-panel"), true);
  assert.equal(await page.getAttribute("#error-panel", "role"), "alert");
  assert.equal(await text(page, "#error-kind"), "http");
  assert.equal(await text(page, "#error-status"), "401");
  assert.equal(await text(page, "#error-code"), "APIG.0301");
  assert.match(await text(page, "#error-msg"), /Incorrect IAM authentication information/);
  assert.match(await text(page, "#error-message"), /HTTP 401/);
  assert.match(sentId, /^[0-9a-f]{32}$/);
  assert.equal(await text(page, "#error-request-id"), sentId);
  assert.match(await text(page, "#error-advice"), /token was refused/);
  assert.equal(await page.locator("#job-rows tr").count(), 0);
  await page.screenshot({ path: `${ARTIFACTS}demo-error-401.png`, fullPage: true });
  await page.context().close();
});

test("502 from a gateway: status, no service code, X-Request-Id (narrow screen)", async () => {
  const page = await openConsole({ viewport: NARROW });
  // A 502 is retried (3 attempts in all); the panel shows the last answer's id.
  const answers = [];
  page.on("response", (res) => {
    if (res.url().includes("request_id=html-502") && res.request().method() === "GET") answers.push(res);
  });
  await submit(page, { requestId: "html-502" });
  await waitForState(page, "error");
  assert.equal(answers.length, 3);
  const sentId = answers.at(-1).headers()["x-request-id"];
  assert.equal(await text(page, "#error-kind"), "http");
  assert.equal(await text(page, "#error-status"), "502");
  assert.equal(await text(page, "#error-code"), "—");
  assert.equal(await text(page, "#error-request-id"), sentId);
  assert.match(await text(page, "#error-message"), /502 Bad Gateway/);
  assert.match(await text(page, "#error-advice"), /gateway/);
  await page.screenshot({ path: `${ARTIFACTS}demo-narrow-error-502.png`, fullPage: true });
  await page.context().close();
});

test("a network failure explains CORS and the same-origin proxy", async () => {
  // Another origin: the page asks before it sends the token there.
  const page = await openConsole({ query: { endpoint: await closedUrl() } });
  await page.click("#endpoint-confirm");
  await submit(page, { requestId: "demo" });
  await waitForState(page, "error");
  assert.equal(await text(page, "#error-kind"), "network");
  const advice = await text(page, "#error-advice");
  assert.match(advice, /CORS/);
  assert.match(advice, /same-origin proxy/);
  await page.context().close();
});

test("resubmitting mid-flight aborts the old request and leaves no stale rows", async () => {
  const page = await openConsole();
  const aborted = [];
  page.on("requestfailed", (req) => aborted.push(`${req.url()} ${req.failure()?.errorText}`));
  const slowMs = 1500;
  const sent = page.waitForRequest((req) => req.url().includes(`slow-${slowMs}-resubmit`));
  await submit(page, { requestId: `slow-${slowMs}-resubmit` });
  await sent;
  assert.equal(await page.getAttribute("#console", "data-state"), "loading");
  await submit(page, { requestId: "demo-resubmit" });
  await waitForState(page, "finished");
  // Let the slow answer's time pass: had it not been aborted, it would land now.
  await pause(slowMs + 300);

  const expected = (await mockJobs("demo-resubmit")).map((j) => j.job_id);
  const rows = await rowsOf(page);
  assert.deepEqual(rows.map((r) => r.jobId), expected, "only the new request's jobs");
  assert.equal(await page.getAttribute("#console", "data-state"), "finished");
  assert.equal(await text(page, "#results-request"), "demo-resubmit");
  assert.equal(await page.isVisible("#error-panel"), false, "the abort is not shown as an error");
  assert.ok(aborted.some((line) => line.includes("slow-1500-resubmit") && /ABORTED/.test(line)), aborted.join("\n"));
  await page.context().close();
});

test("invalid input points at the field at fault, and clears once it is edited", async () => {
  const page = await openConsole();
  const cases = [
    { field: "requestId", fill: { requestId: "not a valid id!" } },
    { field: "projectId", fill: { projectId: "", requestId: "demo" } },
    { field: "endpoint", fill: { endpoint: "ftp://cph.example.com", projectId: PROJECT } },
    { field: "token", fill: { endpoint: mock.url }, token: "" },
  ];
  for (const { field, fill, token = TOKEN } of cases) {
    for (const [name, value] of Object.entries(fill)) await page.fill(`#${name}`, value);
    await submit(page, { token });
    await waitForState(page, "error");
    assert.equal(await text(page, "#error-kind"), "invalid-input", field);
    assert.equal(await page.getAttribute(`#${field}`, "aria-invalid"), "true", field);
    assert.equal(await page.evaluate(() => document.activeElement.id), field, `${field} has the focus`);
    assert.match(await text(page, `#${field}-error`), new RegExp(`invalid ${field}`));
    const others = ["endpoint", "projectId", "requestId", "token"].filter((f) => f !== field);
    for (const other of others) assert.equal(await page.getAttribute(`#${other}`, "aria-invalid"), null, `${other} is not blamed`);
    if (field === "requestId") await page.screenshot({ path: `${ARTIFACTS}demo-invalid-input.png`, fullPage: true });
  }
  await page.keyboard.type("x-fixed-token-value");
  assert.equal(await page.getAttribute("#token", "aria-invalid"), null, "editing clears the mark");
  // The form submits from the keyboard.
  await page.fill("#requestId", "demo-keyboard");
  await page.focus("#token");
  await page.keyboard.press("Enter");
  await waitForState(page, "finished");
  assert.equal(await page.locator("#job-rows tr").count(), 12);
  await page.context().close();
});

// ---- the token stays out of URLs, history entries and logs -------------------

/** Every URL of the page's session history, read from Chromium itself. */
async function historyUrls(page) {
  const cdp = await page.context().newCDPSession(page);
  const { entries } = await cdp.send("Page.getNavigationHistory");
  await cdp.detach();
  return entries.map((entry) => entry.url);
}

/** Every request the page makes, with its kind and body. */
function recordRequests(page) {
  const seen = [];
  page.on("request", (req) => seen.push({ type: req.resourceType(), method: req.method(), url: req.url(), body: req.postData() ?? "" }));
  return seen;
}

/**
 * A real mouse click on the element's centre. page.click would wait for the
 * navigation the click schedules, which never ends when the browser refuses it.
 */
async function mouseClick(page, selector) {
  const box = await page.locator(selector).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** The console with JavaScript off: what a visitor gets when app.js fails to load. */
async function openWithoutScript(url, { stripCsp = false } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  const page = await context.newPage();
  if (stripCsp) {
    // The page as a browser without CSP would treat it: the form's other safeguards alone.
    await page.route((u) => u.pathname === "/", async (route) => {
      const res = await route.fetch();
      const html = (await res.text()).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, "");
      assert.ok(!html.includes("Content-Security-Policy"));
      await route.fulfill({ response: res, body: html });
    });
  }
  await page.goto(url);
  return page;
}

test("without JavaScript, submitting the form sends nothing and puts nothing in the URL", async () => {
  const url = `${mock.url}/?${new URLSearchParams({ projectId: PROJECT, requestId: "demo-nojs" })}`;
  const page = await openWithoutScript(url);
  const history = await historyUrls(page);
  const requests = recordRequests(page);
  const before = mock.requests();
  await page.fill("#endpoint", mock.url);
  await page.fill("#token", TOKEN);
  // Enter in the token field, then a click on List jobs. After the first
  // refused submission Playwright waits forever for its navigation, so only
  // low-level input follows it.
  const submitBox = await page.locator("#submit").boundingBox();
  await page.focus("#token");
  await page.keyboard.press("Enter");
  await page.mouse.click(submitBox.x + submitBox.width / 2, submitBox.y + submitBox.height / 2);
  await pause(500);
  assert.deepEqual(requests, [], "form-action 'none': the browser refuses the submission");
  assert.equal(mock.requests(), before);
  assert.equal(page.url(), url);
  assert.deepEqual(await historyUrls(page), history, "no entry added or changed");
  assert.ok(!history.some((entry) => entry.includes(TOKEN)));
  await page.context().close();
});

test("without JavaScript or CSP, a submission is a POST to the page itself that holds no token", async () => {
  const url = `${mock.url}/?${new URLSearchParams({ projectId: PROJECT, requestId: "demo-nojs" })}`;
  const page = await openWithoutScript(url, { stripCsp: true });
  // The markup itself: the token field has no name, and no named field holds the token.
  assert.equal(await page.getAttribute("#token", "name"), null);
  assert.equal(await page.getAttribute("#query", "method"), "post");
  const requests = recordRequests(page);
  await page.fill("#endpoint", mock.url);
  await page.fill("#projectId", PROJECT);
  await page.fill("#requestId", "demo-nojs");
  await page.fill("#token", TOKEN);
  const posted = page.waitForRequest((req) => req.method() === "POST");
  await mouseClick(page, "#submit");
  await posted;
  await page.waitForLoadState("load");
  const navigations = requests.filter((req) => req.type === "document");
  assert.equal(navigations.length, 1, JSON.stringify(requests));
  const [sent] = navigations;
  assert.equal(sent.method, "POST");
  assert.equal(sent.url, url, "to the page's own URL, with no field added to it");
  assert.ok(!sent.body.includes(TOKEN) && !/(^|&)token=/.test(sent.body), sent.body);
  for (const entry of await historyUrls(page)) assert.ok(!entry.includes(TOKEN), entry);
  assert.ok(!page.url().includes(TOKEN));
  await page.context().close();
});

test("a foreign ?endpoint= is shown and sends nothing until the user confirms it", async () => {
  const foreign = await startMock({ timeScale: TIME_SCALE });
  try {
    const page = await openConsole({ query: { endpoint: foreign.url, requestId: "demo-foreign" } });
    const toForeign = [];
    page.on("request", (req) => {
      if (req.url().startsWith(foreign.url)) toForeign.push(req.url());
    });
    assert.equal(await page.isVisible("#endpoint-check"), true, "the page asks");
    assert.equal(await text(page, "#endpoint-check-url"), foreign.url, "and shows the endpoint");
    assert.equal(await text(page, "#endpoint-check-origin"), mock.url);
    await page.screenshot({ path: `${ARTIFACTS}demo-foreign-endpoint.png` });

    // A submit before the answer sends nothing anywhere.
    const callsHere = () => apiLog.filter((line) => line.includes("request_id=demo-foreign")).length;
    await submit(page, {});
    await page.focus("#token");
    await page.keyboard.press("Enter");
    await pause(300);
    assert.deepEqual(toForeign, []);
    assert.equal(foreign.requests(), 0, "not even a preflight");
    assert.equal(callsHere(), 0, "nor to the page's origin");
    assert.equal(await page.isVisible("#endpoint-check-held"), true);
    assert.equal(await page.evaluate(() => document.activeElement.id), "endpoint-confirm");
    assert.equal(await page.getAttribute("#console", "data-state"), "idle");

    // Yes: now it goes there.
    await page.click("#endpoint-confirm");
    assert.equal(await page.isVisible("#endpoint-check"), false);
    await submit(page, {});
    await waitForState(page, "finished");
    assert.ok(toForeign.length > 0 && foreign.requests() > 0);
    assert.equal(callsHere(), 0, "and only there");
    await page.context().close();

    // No: the page's own origin takes its place, and the foreign one hears nothing.
    const calls = foreign.requests();
    const again = await openConsole({ query: { endpoint: `${foreign.url}/cph-proxy`, requestId: "demo-foreign-no" } });
    await again.click("#endpoint-reject");
    assert.equal(await again.inputValue("#endpoint"), mock.url);
    assert.equal(await again.isVisible("#endpoint-check"), false);
    await submit(again, {});
    await waitForState(again, "finished");
    assert.equal(foreign.requests(), calls);
    await again.context().close();
  } finally {
    await foreign.close();
  }
});

test("an endpoint on the page's own origin needs no confirmation; a look-alike does", async () => {
  const page = await openConsole({ query: { endpoint: `${mock.url}/cph-proxy`, requestId: "demo-proxy" } });
  assert.equal(await page.isVisible("#endpoint-check"), false);
  await submit(page, {});
  await waitForState(page, "finished");
  await page.context().close();
  // localhost is the same server, but not the same origin as 127.0.0.1; and text that is no URL is held too.
  for (const endpoint of [mock.url.replace("127.0.0.1", "localhost"), "not a url"]) {
    const held = await openConsole({ query: { endpoint } });
    assert.equal(await held.isVisible("#endpoint-check"), true, endpoint);
    await held.context().close();
  }
});

test("the token appears in no URL: not in the history, not in any request", async () => {
  const page = await openConsole({ query: { requestId: "demo-history" } });
  const loaded = await historyUrls(page);
  const requests = recordRequests(page);
  await submit(page, {});
  await waitForState(page, "finished");
  await submit(page, { requestId: "demo-history-2" });
  await waitForState(page, "finished");
  const entries = await historyUrls(page);
  assert.equal(entries.length, loaded.length, "the query replaces the page's entry; it adds none");
  assert.ok(entries.at(-1).includes("requestId=demo-history-2"), entries.at(-1));
  for (const entry of entries) assert.ok(!entry.includes(TOKEN), entry);
  assert.ok(requests.length >= 2);
  for (const { url } of requests) assert.ok(!url.includes(TOKEN), url);
  await page.context().close();
});

test("a token that reached the URL some other way is dropped from the address bar and its entry", async () => {
  // Its own server: the request line of this made-up link holds the token by construction.
  const other = await startMock({ timeScale: TIME_SCALE });
  try {
    const leaked = "MIIT-handmade-link-token-77e1";
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${other.url}/?${new URLSearchParams({ requestId: "demo-scrub", token: leaked, interval: "60" })}`);
    await page.waitForSelector('#console[data-ready="true"]');
    assert.equal(page.url(), `${other.url}/?requestId=demo-scrub&interval=60`);
    for (const entry of await historyUrls(page)) assert.ok(!entry.includes(leaked), entry);
    assert.equal(await page.inputValue("#token"), "", "and the token is not taken from it");
    await context.close();
  } finally {
    await other.close();
  }
});

test("make demo: no log line of the demo server holds the token", async () => {
  // scripts/demo.mjs as `make demo` runs it, on a free port, with a fast batch.
  const demo = spawn(process.execPath, [fileURLToPath(new URL("../../scripts/demo.mjs", import.meta.url))], {
    env: { ...process.env, PORT: "0", CPH_MOCK_TIME_SCALE: String(TIME_SCALE) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  demo.stdout.on("data", (chunk) => (output += chunk));
  demo.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => demo.on("exit", resolve));
  try {
    await Promise.race([
      (async () => {
        while (!output.includes("Serving until Ctrl-C")) await pause(50);
      })(),
      exited.then((code) => assert.fail(`demo exited (${code}):\n${output}`)),
      pause(30_000).then(() => assert.fail(`demo did not start:\n${output}`)),
    ]);
    const consoleUrl = output.match(/^\s+(http:\/\/127\.0\.0\.1:\d+\/\?\S+)$/m)?.[1];
    assert.ok(consoleUrl, output);
    const origin = new URL(consoleUrl).origin;

    // The console as printed, with JavaScript: the token goes in a header only.
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(`${consoleUrl}&interval=${INTERVAL_MS}`);
    await page.waitForSelector('#console[data-ready="true"]');
    await submit(page, {});
    await waitForState(page, "finished");
    await context.close();
    // Without JavaScript: nothing is submitted.
    const noScript = await openWithoutScript(consoleUrl);
    await noScript.fill("#token", TOKEN);
    await mouseClick(noScript, "#submit");
    await pause(200);
    await noScript.context().close();
    // A hand-made request with the token in its query: the log line shows it redacted.
    await fetch(`${origin}/?token=${TOKEN}&requestId=demo-x`).then((res) => res.text());
    await fetch(`${origin}/v1/${PROJECT}/cloud-phone/jobs?request_id=demo-x&X-Auth-Token=${TOKEN}`).then((res) => res.text());
    await pause(200);
  } finally {
    demo.kill("SIGTERM");
    await exited;
  }
  const lines = output.split("\n");
  assert.ok(lines.filter((line) => line.includes("/cloud-phone/jobs?request_id=demo-")).length >= 2, output);
  assert.ok(lines.some((line) => line.includes("token=[redacted]")), output);
  for (const line of lines) assert.ok(!line.includes(TOKEN), line);
});

test("the dev server's log never carries the token", () => {
  assert.ok(apiLog.length > 10);
  for (const line of apiLog) assert.ok(!line.includes(TOKEN), line);
});
