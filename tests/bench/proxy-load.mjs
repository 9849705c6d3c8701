// The proxy under load: `cph-jobs proxy` (pkg/, as users run it, logging to
// a discarded stdout) and, in the same run, a minimal hand-written forwarder
// (node:http plus fetch, the same path and headers), each in front of the
// same fast upstream that returns a 100-job page. autocannon (pinned in the
// root package.json) drives them from this process. Also: the proxy's RSS
// over 200,000 requests, legit requests while 500 slow clients trickle their
// headers, and what a client gets from an upstream that never answers, one
// that trickles its body, and one whose body never ends.
//
//   node tests/bench/proxy-load.mjs [--quick]   prints the Markdown section
//
// run.mjs calls proxyLoad() for BENCHMARKS.md. Expects a built pkg/. The
// children it starts (upstream, proxy, forwarder) are this file again, with
// a role as first argument.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const BASE = "/cph-proxy";
const TOKEN = "MIIT.bench-token.0123456789";
const jobsPath = (id) => `${BASE}/v1/0123456789abcdef/cloud-phone/jobs?request_id=${id}`;

// ------------------------------------------------------------- the children

/** The upstream: a 100-job page (the mock's bulk-100 body), or a fault picked by the request id as in the tests. */
async function serveUpstream() {
  const { startMock } = await import("../mock/server.mjs");
  const mock = await startMock();
  const page = Buffer.from(await (await fetch(`${mock.url}/v1/0123456789abcdef/cloud-phone/jobs?request_id=bulk-100`, { headers: { "X-Auth-Token": TOKEN } })).text());
  await mock.close();
  const head = { "Content-Type": "application/json", "X-Request-Id": "0123456789abcdef0123456789abcdef" };
  const server = createServer((req, res) => {
    const id = req.url.match(/request_id=([\w-]+)/)?.[1] ?? "";
    if (id.startsWith("hang-")) return;
    if (id.startsWith("trickle-")) {
      res.writeHead(200, head);
      const timer = setInterval(() => res.write(" "), 100);
      return res.on("close", () => clearInterval(timer));
    }
    if (id.startsWith("endless-")) {
      res.writeHead(200, head);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const send = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", send);
      };
      return send();
    }
    res.writeHead(200, { ...head, "Content-Length": page.length });
    res.end(page);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port} page ${page.length}`));
}

/** The hand-written forwarder a careful developer would write first: no checks, no limits, no log. */
function serveForwarder(upstream) {
  const server = createServer(async (req, res) => {
    try {
      const headers = { Accept: "application/json", "X-Auth-Token": req.headers["x-auth-token"] };
      if (req.headers["x-request-id"]) headers["X-Request-Id"] = req.headers["x-request-id"];
      const answer = await fetch(`${upstream}${req.url.slice(BASE.length)}`, { headers, redirect: "manual" });
      const body = Buffer.from(await answer.arrayBuffer());
      const requestId = answer.headers.get("x-request-id");
      res.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "application/json", "Content-Length": body.length, ...(requestId && { "X-Request-Id": requestId }) });
      res.end(body);
    } catch {
      res.writeHead(502).end();
    }
  });
  server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
}

// ------------------------------------------------------------- the parent

/** Starts a child (`args` after node) and resolves with its URL and pid once it prints "listening on URL". */
function start(args) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let out = "";
    const onData = (d) => {
      out += d;
      const url = out.match(/listening on (http:\/\/[\d.:]+)/)?.[1];
      if (!url) return;
      // The proxy logs a line per request: read and dropped, as a terminal or a log pipe would take them.
      child.stdout.off("data", onData).resume();
      ok({ url, pid: child.pid, said: out, stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once("exit", done), child.kill("SIGKILL")))) });
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => fail(new Error(`${args.join(" ")} exited with ${code}: ${out}`)));
  });
}

const startProxy = (upstream, flags = []) => start([join(root, "pkg", "cli.mjs"), "proxy", "--upstream", upstream, "--base-path", BASE, "--port", "0", ...flags]);

/** The CPU time (user and system) a process has used, in ms, from /proc (Linux; clock ticks of 10 ms). */
const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** The process's resident set, from /proc (Linux). */
const rssOf = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)[1]) * 1024;

/** One autocannon run at `url`; with `pid`, also the CPU time that process spent per request. */
async function load(url, { connections, duration, amount, pid }) {
  const { default: autocannon } = await import("autocannon");
  const cpuBefore = pid && cpuOf(pid);
  const result = await autocannon({ url: `${url}${jobsPath("bulk-100")}`, headers: { "X-Auth-Token": TOKEN }, connections, ...(amount ? { amount } : { duration }) });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuUs: pid ? ((cpuOf(pid) - cpuBefore) * 1000) / result.requests.total : NaN,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** 500 clients that each send a request line, then a header line a second, until the server closes them. */
function slowClients(port, count) {
  return Array.from({ length: count }, (_, i) => new Promise((ok) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("error", () => {});
    socket.write(`GET ${jobsPath(`slow-${i}`)} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    const timer = setInterval(() => socket.write("X-Slow: 1\r\n"), 1000);
    socket.on("close", () => {
      clearInterval(timer);
      ok({ closedMs: Date.now() - started, status: Number(text.split(" ")[1]) || null });
    });
  }));
}

/** One GET through `url`: its status and error code, and when it came, or "none" after `giveUpMs`. */
async function faultAnswer(url, id, giveUpMs) {
  const started = Date.now();
  try {
    const response = await fetch(`${url}${jobsPath(id)}`, { headers: { "X-Auth-Token": TOKEN }, signal: AbortSignal.timeout(giveUpMs) });
    const text = await response.text();
    const code = text.match(/"error_code":"([^"]+)"/)?.[1];
    return `${response.status}${code ? ` ${code}` : ""} after ${((Date.now() - started) / 1000).toFixed(2)} s`;
  } catch {
    return `no answer after ${(giveUpMs / 1000).toFixed(0)} s (given up)`;
  }
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mib = (bytes) => (bytes / 1048576).toFixed(1);
const table = (head, rows) => [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** Runs every measurement; resolves with the Markdown section. `log` gets progress lines. */
export async function proxyLoad({ quick = false, log = (line) => console.error(`[bench] ${line}`) } = {}) {
  const self = fileURLToPath(import.meta.url);
  const ROUNDS = quick ? 1 : 5;
  const SECONDS = quick ? 1 : 4;
  const MEMORY_STEP = quick ? 10_000 : 100_000;
  const SLOW = quick ? 100 : 500;
  const upstream = await start([self, "upstream"]);
  const proxy = await startProxy(upstream.url);
  const forwarder = await start([self, "forwarder", upstream.url]);
  const children = [upstream, proxy, forwarder];
  const out = [];
  try {
    const targets = { "cph-jobs proxy": proxy, "hand-written forwarder": forwarder };
    log("proxy: warm-up");
    for (const target of Object.values(targets)) await load(target.url, { connections: 64, amount: quick ? 1000 : 10_000 });

    const rows = [];
    const at64 = {};
    for (const connections of [1, 64, 256]) {
      const runs = { "cph-jobs proxy": [], "hand-written forwarder": [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternating, so that both see the same machine.
        for (const [name, target] of round % 2 ? Object.entries(targets).reverse() : Object.entries(targets)) {
          log(`proxy: ${name}, ${connections} connection(s), round ${round + 1}/${ROUNDS}`);
          runs[name].push(await load(target.url, { connections, duration: SECONDS, pid: target.pid }));
        }
      }
      const upstreamAlone = await load(upstream.url, { connections, duration: SECONDS, pid: upstream.pid });
      for (const [name, results] of Object.entries(runs)) {
        const row = { rps: median(results.map((r) => r.rps)), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)), cpuUs: median(results.map((r) => r.cpuUs)), errors: results.reduce((s, r) => s + r.errors, 0), total: results.reduce((s, r) => s + r.total, 0) };
        if (connections === 64) at64[name] = row;
        rows.push([`${connections}`, name, fmt(row.rps), row.p50, row.p99, fmt(row.cpuUs), `${row.errors} of ${row.total.toLocaleString("en-US")}`]);
      }
      rows.push([`${connections}`, "(the upstream alone)", fmt(upstreamAlone.rps), upstreamAlone.p50, upstreamAlone.p99, fmt(upstreamAlone.cpuUs), `${upstreamAlone.errors} of ${upstreamAlone.total.toLocaleString("en-US")}`]);
    }

    log(`proxy: RSS over ${(2 * MEMORY_STEP).toLocaleString("en-US")} requests`);
    const rss = [["after the warm-up and the load above", rssOf(proxy.pid)]];
    let sent = 0;
    for (const step of [1, 2]) {
      const run = await load(proxy.url, { connections: 64, amount: MEMORY_STEP });
      sent += run.total;
      rss.push([`after ${(step * MEMORY_STEP).toLocaleString("en-US")} more requests (${run.errors} errors)`, rssOf(proxy.pid)]);
    }

    log(`proxy: ${SLOW} slow clients`);
    const before = await load(proxy.url, { connections: 64, duration: SECONDS });
    const slow = slowClients(Number(new URL(proxy.url).port), SLOW);
    await new Promise((r) => setTimeout(r, 1000));
    const during = await load(proxy.url, { connections: 64, duration: SECONDS });
    const closed = await Promise.all(slow);
    const statuses = [...new Set(closed.map((c) => c.status))].join(", ");
    const closeTimes = closed.map((c) => c.closedMs / 1000);

    log("proxy: faulty upstreams (about 35 s)");
    const giveUp = 35_000;
    const [proxyHang, forwarderHang, proxyTrickle, forwarderTrickle, proxyEndless] = await Promise.all([
      faultAnswer(proxy.url, "hang-1", giveUp),
      faultAnswer(forwarder.url, "hang-1", giveUp),
      faultAnswer(proxy.url, "trickle-1", giveUp),
      faultAnswer(forwarder.url, "trickle-1", giveUp),
      faultAnswer(proxy.url, "endless-1", giveUp),
    ]);

    const say = (text = "") => out.push(text);
    const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
    const proxy64 = at64["cph-jobs proxy"];
    const forwarder64 = at64["hand-written forwarder"];
    say("## The proxy under load");
    say();
    say(`\`cph-jobs proxy\` (pkg/cli.mjs: serveProxy, which reaches the upstream through node:http; default limits; its log lines written to a pipe and dropped) and a minimal hand-written forwarder (node:http plus fetch, the same path and headers, no checks, limits or log), each in front of the same upstream on 127.0.0.1 that answers every request with the mock's 100-job page (\`bulk-100\`, ${(Number(upstream.said.match(/page (\d+)/)?.[1]) / 1000).toFixed(1)} KB). The load generator is autocannon, in the benchmark's own process: on this ${cpus().length}-core machine it competes with the proxy and the upstream for the CPU, so the figures are a floor for what the proxy does with a core of its own, and only the ratios in one run compare. After a warm-up of ${quick ? "1,000" : "10,000"} requests each, ${ROUNDS} alternating rounds of ${SECONDS} s for each connection count; the medians of the rounds, and the errors (socket errors, timeouts and non-2xx answers) of all of them. Latencies are whole milliseconds, as autocannon records them. The CPU time per request is the server process's own (user and system, from /proc), which other work on the machine disturbs less than it does the rates.`);
    say();
    say(table(["connections", "", "requests/s", "p50 ms", "p99 ms", "CPU µs per request", "errors"], rows));
    say();
    say(`At 64 connections the proxy serves ${ratio(proxy64.rps, forwarder64.rps)} the forwarder's requests per second (the limit is at least 0.8×), with a p99 ${ratio(proxy64.p99, forwarder64.p99)} the forwarder's (the limit is at most 1.5×), and spends ${ratio(proxy64.cpuUs, forwarder64.cpuUs)} its CPU time per request.`);
    say();
    say(`The proxy's resident memory (RSS, from /proc) over ${(2 * MEMORY_STEP).toLocaleString("en-US")} more requests at 64 connections (${sent.toLocaleString("en-US")} counted):`);
    say();
    say(table(["when", "RSS MiB"], rss.map(([when, bytes]) => [when, mib(bytes)])));
    say();
    say(`From ${(MEMORY_STEP).toLocaleString("en-US")} to ${(2 * MEMORY_STEP).toLocaleString("en-US")} requests the RSS changed by ${(((rss[2][1] - rss[1][1]) / rss[1][1]) * 100).toFixed(1)}% (the limit is within 10%).`);
    say();
    say(`${SLOW} slow clients each send a request line, then a header line a second, and never finish; 1 s after they connect, 64 connections of legit requests run for ${SECONDS} s:`);
    say();
    say(table(["legit requests at 64 connections", "requests/s", "p50 ms", "p99 ms", "errors"], [
      ["without slow clients", fmt(before.rps), before.p50, before.p99, `${before.errors} of ${before.total.toLocaleString("en-US")}`],
      [`with ${SLOW} slow clients connected`, fmt(during.rps), during.p50, during.p99, `${during.errors} of ${during.total.toLocaleString("en-US")}`],
    ]));
    say();
    say(`The server closed ${closed.length} of ${SLOW} slow clients, after ${Math.min(...closeTimes).toFixed(1)}–${Math.max(...closeTimes).toFixed(1)} s (median ${median(closeTimes).toFixed(1)} s; the headers timeout is 10 s, checked every second); each got: ${statuses}.`);
    say();
    say("What a client gets from a faulty upstream (default limits: connectTimeoutMs 10 s, timeoutMs 30 s, maxResponseBytes 8 MiB; the hand-written forwarder has none):");
    say();
    say(table(["upstream", "cph-jobs proxy", "hand-written forwarder"], [
      ["never answers", proxyHang, forwarderHang],
      ["sends its headers, then a byte every 100 ms, forever", proxyTrickle, forwarderTrickle],
      ["streams a body without end, as fast as it is read", proxyEndless, "not tried: it buffers the body without limit"],
    ]).replace(/---:/g, "---"));
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
  return out.join("\n");
}

// ------------------------------------------------------------- entry
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, arg] = process.argv.slice(2);
  if (role === "upstream") await serveUpstream();
  else if (role === "forwarder") serveForwarder(arg);
  else console.log(await proxyLoad({ quick: process.argv.includes("--quick") }));
}
