// The mock Cloud Phone service: one node:http server, no dependencies, used by
// every test layer and by `make demo`.
//
// It speaks ListJobs (GET /v1/{project_id}/cloud-phone/jobs) with CORS, and a
// request id names a scenario: a realistic job lifecycle, an error shape, or a
// fault such as a hang or a truncated body; the list stands above scenarioOf().
//
//   node tests/mock/server.mjs [--port N] [--time-scale X] [--quiet]
//
// prints "cph-mock listening on http://127.0.0.1:PORT" and serves until SIGINT
// or SIGTERM. Tests import startMock() instead.

import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { isAkSkSigned, verifyAkSk } from "./aksk.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};

/** The API page's own example response: the first fixture, shared with the Rust tests. */
export const DOC_EXAMPLE = JSON.parse(readFileSync(join(ROOT, "tests", "fixtures", "doc-example.json"), "utf8"));

const FAILURES = [
  ["CPS.0005", "Phone not found."],
  ["CPS.0106", "The phone is being operated by another job."],
  ["CPS.0231", "Restarting the phone timed out."],
];

/** Deterministic 32-bit PRNG, so a seed always gives the same batch. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s) {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.codePointAt(0), 16777619);
  return h >>> 0;
}

const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
const isoSeconds = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A batch restart of `count` phones that started at `startMs`: each job runs
 * for a seeded 2-6 s (times `timeScale`), then about one in four fails.
 */
function lifecycleJobs(requestId, count, startMs, nowMs, timeScale, seed) {
  const rand = mulberry32(hashString(requestId.replace(/-.*$/, "")) ^ seed);
  const serverId = `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`;
  const jobs = [];
  for (let i = 0; i < count; i++) {
    const offset = Math.floor(rand() * 400 * timeScale);
    const duration = Math.floor((2000 + rand() * 4000) * timeScale);
    const fails = rand() < 0.25;
    const failure = FAILURES[Math.floor(rand() * FAILURES.length)];
    const job = {
      phone_id: hex(rand, 32),
      server_id: serverId,
      node_id: serverId,
      job_id: hex(rand, 32),
      begin_time: isoSeconds(startMs + offset),
      status: 1,
    };
    if (nowMs >= startMs + offset + duration) {
      job.end_time = isoSeconds(startMs + offset + duration);
      if (fails) {
        job.status = -1;
        job.error_code = failure[0];
        job.error_msg = failure[1];
      } else {
        job.status = 2;
        job.error_code = "";
        job.error_msg = "";
        job.execute_msg = `restart ok: boot completed in ${Math.round(duration / Math.max(timeScale, 1e-6) / 1000)} s`;
      }
    }
    jobs.push(job);
  }
  return jobs;
}

/** `count` finished jobs with a spread of statuses, for paging and size tests. */
function manyJobs(requestId, count) {
  const rand = mulberry32(hashString(requestId));
  const jobs = new Array(count);
  for (let i = 0; i < count; i++) {
    const status = i % 10 === 9 ? -1 : i % 10 === 8 ? 1 : 2;
    jobs[i] = {
      phone_id: hex(rand, 32),
      server_id: "1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
      job_id: `${requestId}-${String(i).padStart(6, "0")}`,
      begin_time: "2026-11-28T10:00:00Z",
      status,
      error_code: status === -1 ? "CPS.0005" : "",
      error_msg: status === -1 ? "Phone not found." : "",
    };
    if (status !== 1) jobs[i].end_time = "2026-11-28T10:00:31Z";
    if (status === 2) jobs[i].execute_msg = `ok ${i}`;
  }
  return jobs;
}

const HOSTILE_MSG = "x".repeat(1024);

/** A hostile server's page: `limit` jobs never seen before, 1 KiB of execute_msg each. */
function hostileJobs(requestId, offset, limit) {
  return Array.from({ length: limit }, (_, i) => ({
    job_id: `${requestId}-${offset + i}`,
    status: 1,
    begin_time: "2026-11-28T10:00:00Z",
    execute_msg: HOSTILE_MSG,
  }));
}

/**
 * Scenarios, chosen by the first request id (a suffix after the name, such as
 * "demo-7f3a", gives a scenario its own clock and counters):
 *
 *   demo            12-phone batch restart; jobs finish after 2-6 s x timeScale
 *   doc-example     the API page's example response
 *   empty           no jobs
 *   jobs-N          N finished jobs, paged by offset/limit (default limit 100)
 *   bulk-N          N finished jobs in one page, ignoring limit (size tests)
 *   nulls           optional fields null, missing or ""; unknown fields; status 3
 *   wrong-type      status sent as a string
 *   missing-job-id  a job without job_id
 *   not-json        200 with an HTML body
 *   truncated       200 whose JSON body stops half-way
 *   trailing        200 with a second document after the first
 *   bom             200 with a UTF-8 byte-order mark
 *   err-400 ... err-504   that status with a {error_code,error_msg,request_id} body
 *   shape-nested / shape-flat / shape-camel   401 in the other error shapes
 *   html-502        502 with a proxy's HTML page
 *   empty-503       503 with an empty body
 *   throttled       429 APIG.0308 with Retry-After: 1
 *   throttle-once   the first call 429 APIG.0308 with Retry-After: 1, later ones finished jobs
 *   flaky           the first 2 calls 503, later ones finished jobs (retry tests)
 *   flap-503        every other call 503 (a flapping backend)
 *   running         12 jobs that never finish (waiter timeouts and aborts)
 *   ratelimit       the first 2 calls per second succeed, later ones get 429
 *   cookies         one job whose execute_msg says whether the request carried cookies
 *   echo-token      403 whose message echoes the request's token (redaction test)
 *   oversized       200 with a 9 MiB body and its Content-Length
 *   oversized-chunked  the same without a Content-Length
 *   slow-MS         answers after MS milliseconds (demo jobs)
 *   hang            never sends headers
 *   hang-body       sends headers and half a body, then stalls
 *   reset-body      sends headers and half a body, then resets the connection
 *   partial-headers sends a status line and half the headers, then stalls
 *   html-200        200, a valid document labelled text/html (the type is not trusted)
 *   length-short    200 whose Content-Length is shorter than the body sent
 *   length-long     200 whose Content-Length promises more than is sent, then closes
 *   gzip-bomb       200, Content-Encoding gzip: 16 KiB that inflate to 32 MiB
 *   huge-string     200 with a 6 MiB request_id string (under the default cap)
 *   deep            200 with an unknown field nested 10,000 arrays deep
 *   dup-keys        200 whose job repeats "status"
 *   bad-utf8        200 with invalid UTF-8 inside a string
 *   status-range    200 with status 9007199254740993 (beyond 2^53 - 1)
 *   trickle         200 whose body arrives one byte every 200 ms
 *   storm           429 APIG.0308 on every call, without Retry-After
 *   redirect        302 to the same API on this server
 *   redirect-cross  307 to another origin (this server, named "localhost")
 *   hostile         endless full pages: every offset answers `limit` new jobs,
 *                   each with a 1024-byte execute_msg (the total caps' test)
 *
 * The literal token "bad-token", and any token starting "expired-", get 401
 * APIG.0301 whatever the scenario. A request signed with AK/SK is verified
 * instead of the token (aksk.mjs: its demo keys, 15 minutes of skew). For
 * request_ids, demo and jobs-N list the jobs of every id; other scenarios
 * follow the first id.
 */
const NAMED = [
  "demo", "doc-example", "empty", "nulls", "wrong-type", "missing-job-id", "not-json", "truncated",
  "trailing", "bom", "shape-nested", "shape-flat", "shape-camel", "html-502", "empty-503",
  "partial-headers", "html-200", "length-short", "length-long", "gzip-bomb", "huge-string", "deep",
  "dup-keys", "bad-utf8", "status-range", "trickle", "storm",
  "hostile", "cookies", "throttled", "throttle-once", "flaky", "flap-503", "running", "ratelimit", "echo-token", "oversized", "oversized-chunked", "hang", "hang-body", "reset-body", "redirect", "redirect-cross",
].sort((a, b) => b.length - a.length); // longest first, so "redirect-cross" is not read as "redirect"

/** The scenario a request id names: "demo-7f3a" is "demo", "jobs-250-x" is "jobs-250". */
export function scenarioOf(id) {
  const numbered = id.match(/^(jobs|bulk|slow|err)-(\d+)(?:-|$)/);
  if (numbered) return `${numbered[1]}-${numbered[2]}`;
  return NAMED.find((name) => id === name || id.startsWith(`${name}-`)) ?? id;
}

/**
 * Starts the mock on 127.0.0.1.
 * @param {{port?: number, timeScale?: number, seed?: number, log?: (line: string) => void, staticDirs?: Record<string, string>, cors?: boolean}} options
 *   `cors: false` plays the real service, which sends no CORS headers.
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>, requests: () => number}>}
 */
export async function startMock({ port = 0, timeScale = 1, seed = 1, log = () => {}, staticDirs = {}, cors = true } = {}) {
  // URL prefix -> folder. "/" is the demo page and "/pkg/" the built package,
  // unless the caller maps them elsewhere (the browser tests serve the
  // installed tarball as "/pkg/").
  const roots = { "/pkg/": join(ROOT, "pkg"), "/": join(ROOT, "www"), ...staticDirs };
  const clocks = new Map(); // scenario instance -> first-seen time
  const bulkBodies = new Map(); // bulk-N id -> its body text
  const counters = new Map(); // scenario instance -> calls in the current second
  const sockets = new Set();
  let requestCount = 0;

  const server = createServer((req, res) => {
    requestCount++;
    const started = Date.now();
    const xRequestId = randomBytes(16).toString("hex");
    res.setHeader("X-Request-Id", xRequestId);
    res.setHeader("Access-Control-Allow-Origin", req.headers.origin ?? "*");
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    res.on("finish", () => {
      // One line per request; the token is a header, and headers are never logged.
      log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
    });
    handle(req, res, xRequestId).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, { error_code: "MOCK.500", error_msg: String(err.message) });
      else res.destroy();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function handle(req, res, xRequestId) {
    const url = new URL(req.url, "http://mock.invalid");
    if (!cors) {
      // As the real service: no CORS headers, and a preflight is a request it does not serve.
      for (const name of ["Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Vary"]) res.removeHeader(name);
      if (req.method === "OPTIONS") return sendJson(res, 405, serviceError("CPS.0002", "Only GET is supported.", xRequestId));
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "GET, OPTIONS",
        "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] ?? "X-Auth-Token, Accept",
        "Access-Control-Max-Age": "600",
      });
      return res.end();
    }
    // Any base path may come before /v1: the mock also plays a same-origin proxy.
    const api = url.pathname.match(/\/v1\/([^/]+)\/cloud-phone\/jobs\/?$/);
    if (!api) return serveStatic(url.pathname, res);
    if (req.method !== "GET") return sendJson(res, 405, serviceError("CPS.0002", "Only GET is supported.", xRequestId));

    const token = req.headers["x-auth-token"];
    if (isAkSkSigned(req)) {
      const refusal = verifyAkSk(req);
      if (refusal) return sendJson(res, 401, serviceError("APIG.0301", refusal, xRequestId));
    } else if (!token || token === "bad-token" || token.startsWith("expired-")) {
      return sendJson(res, 401, serviceError("APIG.0301", "Incorrect IAM authentication information: decrypt token fail", xRequestId));
    }
    const param = (name) => url.searchParams.get(name);
    let ids;
    if (param("request_ids") !== null) {
      ids = param("request_ids").split(",");
      if (ids.length > 20) return badRequest(res, "request_ids takes at most 20 ids.", xRequestId);
    } else if (param("request_id") !== null) {
      ids = [param("request_id")];
    } else {
      return badRequest(res, "request_id is required.", xRequestId);
    }
    if (!ids.every((id) => ID_RE.test(id))) return badRequest(res, "Invalid request_id.", xRequestId);
    const offset = param("offset") === null ? 0 : Number(param("offset"));
    const limit = param("limit") === null ? 100 : Number(param("limit"));
    if (!Number.isInteger(offset) || offset < 0) return badRequest(res, "offset must be an integer >= 0.", xRequestId);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return badRequest(res, "limit must be an integer from 1 to 100.", xRequestId);

    const id = ids[0];
    const name = scenarioOf(id);
    const now = Date.now();
    if (!clocks.has(id)) clocks.set(id, now);
    const respond = (jobs) => sendJson(res, 200, { request_id: ids.join(","), jobs });
    const page = (jobs) => jobs.slice(offset, offset + limit);

    let m;
    if (name === "demo" || (m = name.match(/^slow-(\d+)$/))) {
      if (m) await sleep(Number(m[1]));
      const jobs = ids.flatMap((one) => {
        if (!clocks.has(one)) clocks.set(one, now);
        return lifecycleJobs(one, 12, clocks.get(one), now, timeScale, seed);
      });
      return respond(page(jobs));
    }
    if (name === "doc-example") return sendJson(res, 200, DOC_EXAMPLE);
    if (name === "hostile") return respond(hostileJobs(id, offset, limit));
    if (name === "empty") return respond([]);
    if ((m = name.match(/^jobs-(\d+)$/))) return respond(page(ids.flatMap((one) => manyJobs(one, Number(m[1])))));
    if ((m = name.match(/^bulk-(\d+)$/))) {
      // Built once per id: the benchmark times the client, not the mock
      // writing 10,000 jobs (about 100 ms) on every request.
      if (!bulkBodies.has(id)) bulkBodies.set(id, JSON.stringify({ request_id: id, jobs: manyJobs(id, Number(m[1])) }));
      return sendRaw(res, 200, "application/json", bulkBodies.get(id));
    }
    if (name === "nulls") {
      return respond([
        { job_id: "j-null", status: 1, phone_id: null, server_id: null, node_id: null, begin_time: null, end_time: null, error_code: null, error_msg: null, execute_msg: null },
        { job_id: "j-missing", status: 2 },
        { job_id: "j-empty", status: -1, error_code: "", error_msg: "", execute_msg: "", extra_field: { nested: [1, 2] } },
        { job_id: "j-unknown", status: 3, encode_server_id: "enc-1", future_field: true },
      ]);
    }
    if (name === "wrong-type") return respond([{ job_id: "j1", status: 2 }, { job_id: "j2", status: "2" }]);
    if (name === "missing-job-id") return respond([{ job_id: "j1", status: 2 }, { status: 1, phone_id: "p" }]);
    if (name === "not-json") return sendRaw(res, 200, "text/html", "<html><body>Welcome to the proxy</body></html>");
    if (name === "truncated") {
      const body = JSON.stringify({ request_id: id, jobs: manyJobs(id, 20) });
      return sendRaw(res, 200, "application/json", body.slice(0, Math.floor(body.length / 2)));
    }
    if (name === "trailing") return sendRaw(res, 200, "application/json", `${JSON.stringify({ request_id: id, jobs: [] })}{"x":1}`);
    if (name === "bom") return sendRaw(res, 200, "application/json", `\uFEFF${JSON.stringify(DOC_EXAMPLE)}`);
    const fault = faultBody(name, id);
    if (fault !== undefined) return sendRaw(res, 200, name === "html-200" ? "text/html" : "application/json", fault);
    if (name === "partial-headers" || name === "length-short" || name === "length-long") {
      // Written to the socket by hand: node:http itself would never send these.
      const body = JSON.stringify({ request_id: id, jobs: manyJobs(id, 5) });
      const cors = `Access-Control-Allow-Origin: ${req.headers.origin ?? "*"}\r\nAccess-Control-Expose-Headers: X-Request-Id\r\n`;
      const head = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: ${xRequestId}\r\n${cors}`;
      const socket = res.socket;
      res.detachSocket?.(socket);
      if (name === "partial-headers") return socket.write(head);
      const length = name === "length-short" ? body.length - 10 : body.length + 100;
      socket.write(`${head}Content-Length: ${length}\r\nConnection: close\r\n\r\n${body}`);
      return socket.end();
    }
    if (name === "gzip-bomb") {
      // Compressed once: 32 MiB take the mock's event loop most of a second.
      const body = (gzipBomb ??= gzipSync(Buffer.concat([Buffer.from('{"request_id":"bomb","jobs":[]'), Buffer.alloc(32 * 1024 * 1024, 0x20), Buffer.from("}")]), { level: 9 }));
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip", "Content-Length": body.length });
      return res.end(body);
    }
    if (name === "trickle") {
      const body = Buffer.from(JSON.stringify({ request_id: id, jobs: [] }));
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed || at >= body.length) return clearInterval(timer), res.end();
        res.write(body.subarray(at, ++at));
      }, 200);
      res.on("close", () => clearInterval(timer));
      return;
    }
    if (name === "storm") {
      return sendJson(res, 429, serviceError("APIG.0308", "The throttling threshold has been reached.", xRequestId));
    }
    if ((m = name.match(/^err-(\d{3})$/))) {
      const code = Number(m[1]);
      return sendJson(res, code, serviceError(`CPS.${String(code).padStart(4, "0")}`, `Mock error ${code}.`, xRequestId));
    }
    if (name === "shape-nested") return sendJson(res, 401, { error: { code: "APIG.0301", message: "Incorrect IAM authentication information" } });
    if (name === "shape-flat") return sendJson(res, 404, { code: "CPS.0005", message: "Phone not found." });
    if (name === "shape-camel") return sendJson(res, 403, { errorCode: "CPS.0013", errorMsg: "Insufficient permissions." });
    if (name === "html-502") return sendRaw(res, 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>");
    if (name === "empty-503") return sendRaw(res, 503, "text/plain", "");
    if (name === "throttled") {
      res.setHeader("Retry-After", "1");
      return sendJson(res, 429, serviceError("APIG.0308", "The throttling threshold has been reached.", xRequestId));
    }
    const calls = (counters.get(`calls:${id}`) ?? 0) + 1;
    counters.set(`calls:${id}`, calls);
    if (name === "throttle-once" && calls === 1) {
      res.setHeader("Retry-After", "1");
      return sendJson(res, 429, serviceError("APIG.0308", "The throttling threshold has been reached.", xRequestId));
    }
    if ((name === "flaky" && calls <= 2) || (name === "flap-503" && calls % 2 === 1)) {
      return sendJson(res, 503, serviceError("CPS.0503", "Service temporarily unavailable.", xRequestId));
    }
    if (["throttle-once", "flaky", "flap-503"].includes(name)) return respond(manyJobs(id, 3));
    if (name === "running") return respond(lifecycleJobs(id, 12, now, now, timeScale, seed));
    if (name === "ratelimit") {
      const second = Math.floor(now / 1000);
      const c = counters.get(id);
      const count = c && c.second === second ? c.count + 1 : 1;
      counters.set(id, { second, count });
      if (count > 2) {
        res.setHeader("Retry-After", "1");
        return sendJson(res, 429, serviceError("APIG.0308", "The throttling threshold has been reached.", xRequestId));
      }
      return respond(lifecycleJobs(id, 12, clocks.get(id), now, timeScale, seed));
    }
    if (name === "cookies") {
      // Whether the request carried cookies, as the one job's execute_msg.
      return respond([{ job_id: "j-cookies", status: 2, execute_msg: req.headers.cookie ? "cookies" : "none" }]);
    }
    if (name === "echo-token") return sendJson(res, 403, serviceError("CPS.0013", `Token ${token} is not allowed here.`, xRequestId));
    if (name === "oversized" || name === "oversized-chunked") {
      // A valid document padded past the client's 8 MiB limit.
      const body = `{"request_id":"${id}","jobs":[]${" ".repeat(9 * 1024 * 1024)}}`;
      if (name === "oversized") return sendRaw(res, 200, "application/json", body);
      res.writeHead(200, { "Content-Type": "application/json" }); // chunked: no length declared
      return res.end(body);
    }
    if (name === "hang") return; // never answers; the client's deadline must end it
    if (name === "hang-body" || name === "reset-body") {
      const body = JSON.stringify({ request_id: id, jobs: manyJobs(id, 20) });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.write(body.slice(0, body.length >> 1));
      if (name === "reset-body") setTimeout(() => res.socket?.resetAndDestroy?.() ?? res.destroy(), 20);
      return;
    }
    if (name === "redirect") {
      res.writeHead(302, { Location: `/v1/${encodeURIComponent(api[1])}/cloud-phone/jobs?request_id=demo` });
      return res.end();
    }
    if (name === "redirect-cross") {
      // "localhost" is another origin than "127.0.0.1", yet this same server,
      // so a test sees in requests() whether the redirect was followed.
      res.writeHead(307, { Location: `http://localhost:${server.address().port}/v1/${api[1]}/cloud-phone/jobs?request_id=demo` });
      return res.end();
    }
    return sendJson(res, 404, serviceError("CPS.0004", `No jobs found for request ${id}.`, xRequestId));
  }

  async function serveStatic(pathname, res) {
    const prefix = Object.keys(roots)
      .filter((p) => pathname.startsWith(p))
      .sort((x, y) => y.length - x.length)[0];
    if (prefix === undefined) return sendRaw(res, 404, "text/plain", "not found");
    const dir = resolve(roots[prefix]);
    let rel;
    try {
      rel = decodeURIComponent(pathname.slice(prefix.length)) || "index.html";
    } catch {
      return sendRaw(res, 400, "text/plain", "bad path");
    }
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep)) return sendRaw(res, 404, "text/plain", "not found");
    try {
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": MIME[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" });
      res.end(body);
    } catch {
      sendRaw(res, 404, "text/plain", "not found");
    }
  }

  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", ok);
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests: () => requestCount,
    close: () =>
      new Promise((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/** A free loopback port: one just bound and released (for a server that cannot be told to pick one). */
export async function freePort() {
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
  const { port } = probe.address();
  await new Promise((ok) => probe.close(ok));
  return port;
}

/** A loopback URL nothing listens on: a port just bound and released. */
export async function closedUrl() {
  return `http://127.0.0.1:${await freePort()}`;
}

let gzipBomb;

/** The bodies of the malformed-200 scenarios, or undefined for any other. */
function faultBody(name, id) {
  switch (name) {
    case "html-200":
      return JSON.stringify({ request_id: id, jobs: manyJobs(id, 2) });
    case "huge-string":
      return `{"request_id":"${"x".repeat(6 * 1024 * 1024)}","jobs":[]}`;
    case "deep":
      return `{"request_id":"${id}","jobs":[],"extra":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    case "dup-keys":
      return `{"request_id":"${id}","jobs":[{"job_id":"j1","status":1,"status":2}]}`;
    case "bad-utf8":
      return Buffer.concat([Buffer.from(`{"request_id":"${id}","jobs":[{"job_id":"j`), Buffer.from([0xff, 0xfe]), Buffer.from(`","status":2}]}`)]);
    case "status-range":
      return `{"request_id":"${id}","jobs":[{"job_id":"j1","status":9007199254740993}]}`;
    default:
      return undefined;
  }
}

function serviceError(code, msg, requestId) {
  return { error_code: code, error_msg: msg, request_id: requestId };
}

function badRequest(res, msg, xRequestId) {
  return sendJson(res, 400, serviceError("CPS.0001", `Invalid parameter: ${msg}`, xRequestId));
}

function sendJson(res, status, doc) {
  sendRaw(res, status, "application/json", JSON.stringify(doc));
}

function sendRaw(res, status, type, body) {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// Run as a program: serve until interrupted.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const quiet = process.argv.includes("--quiet");
  const mock = await startMock({
    port: Number(arg("--port", process.env.PORT ?? 0)),
    timeScale: Number(arg("--time-scale", process.env.CPH_MOCK_TIME_SCALE ?? 1)),
    log: quiet ? () => {} : (line) => console.error(`[cph-mock] ${line}`),
  });
  console.log(`cph-mock listening on ${mock.url}`);
  const stop = async () => {
    await mock.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
