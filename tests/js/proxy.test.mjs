// cph-jobs/proxy and `cph-jobs proxy`, from the installed tarball, with the
// mock service as the upstream (it counts the requests it receives, so a
// refused request is seen to send nothing upstream).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startMock, DOC_EXAMPLE } from "../mock/server.mjs";
import { consumer, startWorkerd } from "./proxy-servers.mjs";

const CONSOLE = "https://console.example.com";
// Dots make it an invalid id, so a hostile request can carry it in the path.
const TOKEN = "MIIT.proxy-test.token.5e1d9b7a3c2f";
const PROJECT = "proj-1";
const BASE = "/cph-proxy";
const jobsPath = (query, project = PROJECT) => `${BASE}/v1/${project}/cloud-phone/jobs?${query}`;

let mock;
let server;
let proxyUrl;
let proxy;
let listJobs;
const logs = [];
const table = [];

before(async () => {
  // Through the package's exports map, as a user imports it.
  writeFileSync(join(consumer, "proxy.mjs"), 'export * from "cph-jobs/proxy";\n');
  const { createProxy, serveProxy } = await import(pathToFileURL(join(consumer, "proxy.mjs")).href);
  ({ listJobs } = await import(pathToFileURL(join(consumer, "esm.mjs")).href));
  mock = await startMock();
  const options = { upstream: mock.url, basePath: BASE, allowedOrigins: [CONSOLE], timeoutMs: 1500, log: (line) => logs.push(line) };
  proxy = createProxy(options);
  server = serveProxy(createServer({ maxHeaderSize: 64 * 1024 }), options);
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  proxyUrl = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
  await mock?.close();
  if (table.length) console.log(`hostile requests:\n${table.map((row) => `  ${row}`).join("\n")}`);
});

/** One raw HTTP/1.1 exchange: what a client that is not a browser can send. */
function raw(text) {
  return new Promise((ok, fail) => {
    const socket = connect(server.address().port, "127.0.0.1");
    const chunks = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", fail);
    socket.on("close", () => {
      const answer = Buffer.concat(chunks).toString("latin1");
      const [head, ...rest] = answer.split("\r\n\r\n");
      ok({ status: Number(head.split(" ")[1]), head, body: rest.join("\r\n\r\n") });
    });
    // Not end(): a client that half-closes may have its socket closed before the answer.
    socket.write(text);
  });
}

const request = (line, headers = [`X-Auth-Token: ${TOKEN}`], body = "") =>
  raw(`${line}\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join("")}Connection: close\r\n\r\n${body}`);

describe("the handler forwards ListJobs", () => {
  test("the seed's example, through the fetch handler and through node:http", async () => {
    const response = await proxy(new Request(`http://proxy.test${jobsPath("request_id=doc-example")}`, { headers: { "X-Auth-Token": TOKEN } }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type"), /^application\/json/);
    assert.match(response.headers.get("x-request-id"), /^[0-9a-f]{32}$/);
    assert.deepEqual(await response.json(), DOC_EXAMPLE);
    // The package's own client, pointed at the proxy as a console would be.
    const result = await listJobs(`${proxyUrl}${BASE}`, PROJECT, "doc-example", TOKEN);
    assert.equal(result.jobs.length, DOC_EXAMPLE.jobs.length);
  });

  test("a preflight from an allowed origin, and one from another origin", async () => {
    const preflight = (origin) =>
      proxy(new Request(`http://proxy.test${jobsPath("request_id=doc-example")}`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-auth-token" },
      }));
    const before = mock.requests();
    const allowed = await preflight(CONSOLE);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get("access-control-allow-origin"), CONSOLE);
    assert.match(allowed.headers.get("access-control-allow-headers"), /X-Auth-Token/);
    assert.equal(allowed.headers.get("access-control-allow-credentials"), null);
    const refused = await preflight("https://evil.example");
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get("access-control-allow-origin"), null);
    assert.equal((await refused.json()).error_code, "CPH.PROXY.0403");
    assert.equal(mock.requests(), before, "a preflight never reaches the upstream");
    // The answer to the allowed origin's GET exposes X-Request-Id.
    const get = await proxy(new Request(`http://proxy.test${jobsPath("request_id=doc-example")}`, { headers: { Origin: CONSOLE, "X-Auth-Token": TOKEN } }));
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("access-control-allow-origin"), CONSOLE);
    assert.equal(get.headers.get("access-control-expose-headers"), "X-Request-Id");
  });

  test("cookies, Authorization and Host are never forwarded", async () => {
    // The mock's "cookies" job says whether a cookie arrived; an Authorization
    // that looks signed would make it verify a signature and answer 401.
    const response = await request(`GET ${jobsPath("request_id=cookies")} HTTP/1.1`, [
      `X-Auth-Token: ${TOKEN}`,
      "Cookie: session=secret",
      "Authorization: SDK-HMAC-SHA256 Access=x, SignedHeaders=host, Signature=0",
    ]);
    assert.equal(response.status, 200, response.body);
    assert.equal(JSON.parse(response.body).jobs[0].execute_msg, "none");
    const host = await raw(`GET ${jobsPath("request_id=doc-example")} HTTP/1.1\r\nHost: evil.example\r\nX-Auth-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`);
    assert.equal(host.status, 200, "a foreign Host still goes to the fixed upstream");
  });

  test("as a Next.js route: the route's params leave the query only in an edge runtime", async () => {
    // What Next.js's Edge runtime hands a catch-all route: the path's
    // segments appended to the query as `path`, and the same as params.
    const segments = ["v1", PROJECT, "cloud-phone", "jobs"];
    const url = `http://proxy.test${jobsPath("request_id=doc-example")}&${segments.map((s) => `path=${s}`).join("&")}`;
    const call = (query = url) => proxy(new Request(query, { headers: { "X-Auth-Token": TOKEN } }), { params: Promise.resolve({ path: segments }) });
    const status = async (response) => `${response.status} ${response.status === 200 ? "" : (await response.json()).error_code}`;
    assert.equal(await status(await call()), "400 CPH.PROXY.0400", "elsewhere a route's params are the client's, and unknown");
    globalThis.EdgeRuntime = "edge-runtime";
    try {
      assert.equal(await status(await call()), "200 ");
      assert.equal(await status(await call(`${url}&marker=1`)), "400 CPH.PROXY.0400", "other unknown parameters are still refused");
    } finally {
      delete globalThis.EdgeRuntime;
    }
  });
});

describe("refusals", () => {
  const long = "a".repeat(40 * 1024);
  const hostile = [
    ["POST", `POST ${jobsPath("request_id=a")} HTTP/1.1`],
    ["PUT", `PUT ${jobsPath("request_id=a")} HTTP/1.1`],
    ["DELETE", `DELETE ${jobsPath("request_id=a")} HTTP/1.1`],
    ["HEAD", `HEAD ${jobsPath("request_id=a")} HTTP/1.1`],
    ["another API path", `GET ${BASE}/v1/${PROJECT}/cloud-phone/phones HTTP/1.1`],
    ["outside the base path", `GET /v1/${PROJECT}/cloud-phone/jobs?request_id=a HTTP/1.1`],
    ["`..` out of the base path", `GET ${BASE}/../v1/${PROJECT}/cloud-phone/jobs?request_id=a HTTP/1.1`],
    ["`..` inside the path", `GET ${BASE}/v1/${PROJECT}/cloud-phone/x/../jobs?request_id=a HTTP/1.1`],
    ["`%2e%2e`", `GET ${BASE}/v1/${PROJECT}/cloud-phone/x/%2e%2e/jobs?request_id=a HTTP/1.1`],
    ["`.%2E`", `GET ${BASE}/v1/${PROJECT}/cloud-phone/x/.%2E/jobs?request_id=a HTTP/1.1`],
    ["`%2f` in the path", `GET ${BASE}/v1/${PROJECT}%2fcloud-phone/jobs?request_id=a HTTP/1.1`],
    ["the token in the path", `GET ${jobsPath("request_id=a", TOKEN)} HTTP/1.1`],
    ["a second request_id", `GET ${jobsPath("request_id=a&request_id=b")} HTTP/1.1`],
    ["request_id and request_ids", `GET ${jobsPath("request_id=a&request_ids=b,c")} HTTP/1.1`],
    ["an unknown parameter", `GET ${jobsPath("request_id=a&marker=1")} HTTP/1.1`],
    ["an escaped `&` smuggling a parameter", `GET ${jobsPath("request_id=a%26limit%3D1")} HTTP/1.1`],
    ["limit=1e2", `GET ${jobsPath("request_id=a&limit=1e2")} HTTP/1.1`],
    ["offset=-1", `GET ${jobsPath("request_id=a&offset=-1")} HTTP/1.1`],
    ["an absolute-form target", `GET http://evil.example${jobsPath("request_id=a")} HTTP/1.1`],
    ["`OPTIONS *`", "OPTIONS * HTTP/1.1"],
    ["a second Host", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "Host: evil.example"]],
    ["a Host smuggling a path", null, null, `GET ${jobsPath("request_id=a")} HTTP/1.1\r\nHost: evil.example/x@y\r\nX-Auth-Token: ${TOKEN}\r\nConnection: close\r\n\r\n`],
    ["X-Original-URL", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "X-Original-URL: /v1/p/cloud-phone/phones"]],
    ["X-HTTP-Method-Override", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "X-HTTP-Method-Override: DELETE"]],
    ["a CR inside a header", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}\rX-Injected: 1`]],
    ["a folded (CRLF + space) header", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}\r\n X-Injected: 1`]],
    ["a 40 KiB header", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, `Cookie: c=${long}`]],
    ["a 70 KiB header", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, `Cookie: c=${long}${long}`]],
    ["a 5 KB query", `GET ${jobsPath(`request_id=a&x=${"y".repeat(5000)}`)} HTTP/1.1`],
    ["a body on GET", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "Content-Length: 5"], "hello"],
    ["a chunked body on GET", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "Transfer-Encoding: chunked"], "5\r\nhello\r\n0\r\n\r\n"],
    ["no token", `GET ${jobsPath("request_id=a")} HTTP/1.1`, []],
    ["a second X-Auth-Token", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "X-Auth-Token: other"]],
    ["a GET from a foreign Origin", `GET ${jobsPath("request_id=a")} HTTP/1.1`, [`X-Auth-Token: ${TOKEN}`, "Origin: https://evil.example"]],
    ["a preflight asking to send Cookie", `OPTIONS ${jobsPath("request_id=a")} HTTP/1.1`, [`Origin: ${CONSOLE}`, "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: cookie"]],
  ];

  test(`${hostile.length} hostile requests: each a 4xx JSON error, nothing sent upstream`, async () => {
    assert.ok(hostile.length >= 30);
    for (const [name, line, headers, bodyOrRaw] of hostile) {
      const before = mock.requests();
      const response = line === null ? await raw(bodyOrRaw) : await request(line, headers ?? undefined, bodyOrRaw);
      const sent = mock.requests() - before;
      let error;
      try {
        error = JSON.parse(response.body);
      } catch {
        error = {};
      }
      table.push(`${name.padEnd(38)} ${response.status} ${error.error_code ?? "(no JSON)"}: ${error.error_msg ?? response.body.slice(0, 60)}`);
      assert.ok(response.status >= 400 && response.status < 500, `${name}: got ${response.status}`);
      if (!line?.startsWith("HEAD")) {
        assert.match(response.head, /content-type: application\/json/i, name);
        assert.match(error.error_code ?? "", /^CPH\.PROXY\.\d{4}$/, `${name}: ${response.body}`);
        assert.equal(typeof error.error_msg, "string", name);
      }
      assert.equal(sent, 0, `${name}: ${sent} request(s) reached the upstream`);
      assert.ok(!response.body.includes(TOKEN), `${name}: the token came back`);
    }
  });
});

describe("the upstream's faults", () => {
  test("a body over maxResponseBytes ends in a 502 with a JSON error", async () => {
    for (const scenario of ["oversized", "oversized-chunked"]) {
      const response = await proxy(new Request(`http://proxy.test${jobsPath(`request_id=${scenario}`)}`, { headers: { "X-Auth-Token": TOKEN } }));
      assert.equal(response.status, 502, scenario);
      const error = await response.json();
      assert.equal(error.error_code, "CPH.PROXY.0502");
      assert.match(error.error_msg, /maxResponseBytes/);
    }
  });

  test("an upstream that stalls ends in a 504", async () => {
    for (const scenario of ["hang", "hang-body"]) {
      const started = Date.now();
      const response = await proxy(new Request(`http://proxy.test${jobsPath(`request_id=${scenario}`)}`, { headers: { "X-Auth-Token": TOKEN } }));
      assert.equal(response.status, 504, scenario);
      assert.equal((await response.json()).error_code, "CPH.PROXY.0504");
      assert.ok(Date.now() - started < 5000, "within the proxy's timeoutMs");
    }
  });

  test("one log line per request, never the token; ids left out with redactIds", async () => {
    assert.ok(logs.length > 30);
    for (const line of logs) {
      assert.ok(!line.includes(TOKEN), `the token in a log line: ${line}`);
      assert.doesNotMatch(line, /\n/);
    }
    assert.ok(logs.some((line) => /^GET \/cph-proxy\/v1\/proj-1\/cloud-phone\/jobs\?request_id=doc-example 200 \d+ms [0-9a-f]{32}$/.test(line)), logs.join("\n"));
    const { createProxy } = await import(pathToFileURL(join(consumer, "proxy.mjs")).href);
    const quiet = [];
    const redacting = createProxy({ upstream: mock.url, basePath: BASE, redactIds: true, log: (line) => quiet.push(line) });
    await redacting(new Request(`http://proxy.test${jobsPath("request_id=doc-example&limit=5")}`, { headers: { "X-Auth-Token": TOKEN } }));
    assert.match(quiet[0], /^GET \/cph-proxy\/v1\/\*\/cloud-phone\/jobs\?request_id=\*&limit=5 200 /);
    assert.ok(!quiet[0].includes(PROJECT) && !quiet[0].includes("doc-example"));
  });
});

describe("bad options", () => {
  test("throw the package's one CphError class, as import and as require give it", async () => {
    const { createProxy, serveProxy } = await import(pathToFileURL(join(consumer, "proxy.mjs")).href);
    const esm = await import(pathToFileURL(join(consumer, "esm.mjs")).href);
    const cjs = createRequire(import.meta.url)(join(consumer, "cjs.cjs"));
    assert.equal(esm.CphError, cjs.CphError, "one class in Node");
    const bad = [
      () => createProxy({ region: "xx-nowhere-1" }),
      () => createProxy({ upstream: "http://cph.example.com" }),
      () => createProxy({ upstream: mock.url, basePath: "no-slash" }),
      () => serveProxy(createServer(), { upstream: mock.url, allowedOrigins: ["*"] }),
    ];
    for (const build of bad) {
      assert.throws(build, (err) => {
        assert.ok(err instanceof esm.CphError, `${err?.constructor?.name}: ${err?.message}`);
        assert.ok(err instanceof cjs.CphError);
        assert.equal(err.kind, "invalid-input");
        return true;
      });
    }
  });
});

describe("cph-jobs proxy", () => {
  const BIN = join(consumer, "node_modules", ".bin", "cph-jobs");

  function start(args) {
    const child = spawn(BIN, ["proxy", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (d) => (output.stdout += d));
    child.stderr.on("data", (d) => (output.stderr += d));
    const exited = new Promise((ok) => child.on("exit", (code, signal) => ok({ code, signal })));
    const listening = new Promise((ok, fail) => {
      child.stdout.on("data", () => {
        const url = output.stdout.match(/listening on (http:\/\/\S+)/)?.[1];
        if (url) ok(url);
      });
      exited.then(() => fail(new Error(`exited before listening: ${output.stderr}`)));
    });
    listening.catch(() => {}); // awaited only by the tests that expect it
    return { child, output, exited, listening };
  }

  test("starts, serves, finishes a request in flight and exits 0 on SIGTERM", async () => {
    const run = start(["--upstream", mock.url, "--port", "0", "--allow-origin", CONSOLE, "--base-path", BASE]);
    const url = await run.listening;
    const ok = await fetch(`${url}/v1/${PROJECT}/cloud-phone/jobs?request_id=doc-example`, { headers: { "X-Auth-Token": TOKEN } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), DOC_EXAMPLE);
    const slow = fetch(`${url}/v1/${PROJECT}/cloud-phone/jobs?request_id=slow-800`, { headers: { "X-Auth-Token": TOKEN } });
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill("SIGTERM");
    assert.equal((await slow).status, 200, "the request in flight finished");
    assert.deepEqual(await run.exited, { code: 0, signal: null });
    assert.match(run.output.stdout, /GET \/cph-proxy\/v1\/proj-1\/cloud-phone\/jobs\?request_id=doc-example 200 /);
    assert.ok(!run.output.stdout.includes(TOKEN) && !run.output.stderr.includes(TOKEN));
  });

  test("--region starts in front of the official endpoint; bad options are usage errors", async () => {
    const run = start(["--region", "cn-north-4", "--port", "0"]);
    await run.listening;
    run.child.kill("SIGTERM");
    assert.equal((await run.exited).code, 0);
    const bad = start(["--upstream", "http://cph.example.com", "--port", "0"]);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.output.stderr, /invalid --upstream: plain http is allowed only to localhost/);
  });
});

describe("the example Worker under workerd", () => {
  // workerd from npm, pinned in the root package.json (as for the runtime
  // matrix); cph-jobs/proxy's `workerd` condition imports the proxy's module.
  test("serves the seed's example from the mock", async () => {
    const worker = await startWorkerd(mock.url, BASE);
    try {
      const response = await fetch(`${worker.url}${jobsPath("request_id=doc-example")}`, { headers: { "X-Auth-Token": TOKEN } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), DOC_EXAMPLE);
    } finally {
      await worker.stop();
    }
  });
});
