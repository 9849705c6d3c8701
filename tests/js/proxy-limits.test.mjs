// serveProxy's timeouts and caps, from the installed tarball, each set small
// and each tried with raw sockets: the client side (headers, whole request,
// keep-alive, connections) and the upstream side (requests in flight, the
// start and the end of its answer, the size of its body). Times are checked
// against wide bounds: each limit must act, and not long after it is due.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { consumer, exchange, startCli, startRecorder } from "./proxy-servers.mjs";

const TOKEN = "MIIT.limits-test.token";
const BASE = "/cph-proxy";
const target = (id) => `${BASE}/v1/proj-1/cloud-phone/jobs?request_id=${id}`;
const get = (id) => `GET ${target(id)} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: ${TOKEN}\r\n\r\n`;

let upstream;
let serveProxy;
const servers = [];

before(async () => {
  writeFileSync(join(consumer, "proxy.mjs"), 'export * from "cph-jobs/proxy";\n');
  ({ serveProxy } = await import(pathToFileURL(join(consumer, "proxy.mjs")).href));
  upstream = await startRecorder();
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  }
  await upstream?.close();
});

/** serveProxy on a fresh node:http server with these options; resolves with its port. */
async function serve(options) {
  const server = serveProxy(createServer({ maxHeaderSize: 64 * 1024 }), { upstream: upstream.url, basePath: BASE, log: null, ...options });
  servers.push(server);
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return server.address().port;
}

/** A client that sends a request line, then one header line every `everyMs`; resolves with what it got and when the server closed it. */
function slowClient(port, everyMs) {
  return new Promise((ok) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d) => (text += d));
    socket.on("error", () => {});
    socket.write(`GET ${target("slow-client")} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    const timer = setInterval(() => socket.write("X-Slow: 1\r\n"), everyMs);
    socket.on("close", () => {
      clearInterval(timer);
      ok({ closedMs: Date.now() - started, status: Number(text.split(" ")[1]), text });
    });
  });
}

/** Opens a connection and resolves once it is established (it sends nothing). */
function idleConnection(port) {
  return new Promise((ok) => {
    const socket = connect(port, "127.0.0.1", () => ok(socket));
    socket.on("error", () => {});
    socket.resume(); // reads, so that it sees the server close it
  });
}

const jsonOf = (response) => JSON.parse(response.body);

describe("the client side", () => {
  test("headersTimeoutMs: a client that trickles its headers gets a 408 and is closed", async () => {
    const port = await serve({ headersTimeoutMs: 300 });
    const slow = await slowClient(port, 100);
    assert.equal(slow.status, 408, slow.text);
    assert.match(slow.text, /\r\nConnection: close\r\n/);
    assert.match(slow.text, /"error_code":"CPH\.PROXY\.0408"/);
    assert.ok(slow.closedMs >= 250 && slow.closedMs < 1500, `closed after ${slow.closedMs} ms`);
    // A connection that sends nothing at all is closed the same way.
    const started = Date.now();
    const idle = await idleConnection(port);
    await new Promise((ok) => idle.on("close", ok));
    assert.ok(Date.now() - started < 1500, `an idle connection closed after ${Date.now() - started} ms`);
  });

  test("requestTimeoutMs: the whole request must arrive in time, whatever the headers timeout", async () => {
    const port = await serve({ headersTimeoutMs: 20_000, requestTimeoutMs: 400 });
    const slow = await slowClient(port, 100);
    assert.equal(slow.status, 408, slow.text);
    assert.ok(slow.closedMs >= 350 && slow.closedMs < 1500, `closed after ${slow.closedMs} ms`);
  });

  test("keepAliveTimeoutMs: an idle keep-alive connection is closed after it (Node adds up to 1 s)", async () => {
    const port = await serve({ keepAliveTimeoutMs: 200 });
    const started = Date.now();
    const { responses, closedByServer } = await exchange(port, [get("keep-alive")], { waitMs: 4000 });
    assert.deepEqual(responses.map((r) => r.status), [200]);
    assert.match(responses[0].head, /\r\nKeep-Alive: timeout=0\b|\r\nConnection: keep-alive/i);
    assert.ok(closedByServer, "the server closed it");
    assert.ok(Date.now() - started < 2500, `closed after ${Date.now() - started} ms`);
  });

  test("maxConnections: one connection more gets a 503 and is closed; nothing goes upstream", async () => {
    const port = await serve({ maxConnections: 2 });
    const held = [await idleConnection(port), await idleConnection(port)];
    upstream.reset();
    const over = await exchange(port, [get("over-capacity")]);
    assert.deepEqual(over.responses.map((r) => r.status), [503]);
    assert.equal(jsonOf(over.responses[0]).error_code, "CPH.PROXY.0503");
    assert.match(jsonOf(over.responses[0]).error_msg, /maxConnections/);
    assert.match(over.responses[0].head, /\r\nRetry-After: 1\r\n/);
    assert.ok(over.closedByServer);
    assert.deepEqual(upstream.seen(), []);
    held[0].destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await exchange(port, [get("under-capacity")], { waitMs: 500 });
    assert.deepEqual(again.responses.map((r) => r.status), [200], "served once a connection closed");
    held[1].destroy();
  });
});

// serveProxy reaches the upstream through node:http unless given a fetch:
// both ways must answer alike.
for (const [transport, extra] of [["node:http", {}], ["fetch", { fetch: (...args) => globalThis.fetch(...args) }]]) {
  describe(`the upstream side, through ${transport}`, () => {
    const serveWith = (options) => serve({ ...extra, ...options });

    test("maxInFlight: a request past it gets a 503 without reaching the upstream", async () => {
      const port = await serveWith({ maxInFlight: 1 });
      upstream.reset();
      const first = exchange(port, [get("slow-first")], { waitMs: 1500 });
      await new Promise((r) => setTimeout(r, 100));
      const second = await exchange(port, [get("second")], { waitMs: 300 });
      assert.deepEqual(second.responses.map((r) => r.status), [503]);
      assert.match(jsonOf(second.responses[0]).error_msg, /maxInFlight/);
      assert.match(second.responses[0].head, /\r\nRetry-After: 1\r\n/);
      assert.deepEqual((await first).responses.map((r) => r.status), [200]);
      const third = await exchange(port, [get("third")], { waitMs: 300 });
      assert.deepEqual(third.responses.map((r) => r.status), [200], "served once the first one is done");
      assert.deepEqual(upstream.seen().map((l) => l.match(/request_id=([\w-]+)/)[1]), ["slow-first", "third"]);
    });

    test("connectTimeoutMs: an upstream that never starts its answer gets a 504 when it passes", async () => {
      const port = await serveWith({ connectTimeoutMs: 300, timeoutMs: 5000 });
      const { responses, firstMs: took } = await exchange(port, [get("hang-start")], { waitMs: 1200 });
      assert.deepEqual(responses.map((r) => r.status), [504]);
      assert.equal(jsonOf(responses[0]).error_msg, "the upstream did not start its answer within 300 ms");
      assert.ok(took >= 250 && took < 2000, `answered after ${took} ms`);
    });

    test("timeoutMs: an upstream that trickles its body forever gets a 504 when it passes", async () => {
      const port = await serveWith({ connectTimeoutMs: 200, timeoutMs: 600 });
      const { responses, firstMs: took } = await exchange(port, [get("trickle-body")], { waitMs: 1500 });
      assert.deepEqual(responses.map((r) => r.status), [504]);
      assert.equal(jsonOf(responses[0]).error_msg, "the upstream did not answer within 600 ms");
      assert.ok(took >= 550 && took < 2500, `answered after ${took} ms`);
    });

    test("maxResponseBytes: an endless body is cut at the cap with a 502", async () => {
      const port = await serveWith({ maxResponseBytes: 64 * 1024 });
      const { responses } = await exchange(port, [get("endless-body")], { waitMs: 500 });
      assert.deepEqual(responses.map((r) => r.status), [502]);
      assert.match(jsonOf(responses[0]).error_msg, /maxResponseBytes \(65536 bytes\)/);
    });

    test("a redirect, a body cut short and an unreachable upstream are 502s", async () => {
      const port = await serveWith({});
      const messages = [];
      for (const id of ["redirect-1", "reset-1"]) {
        const { responses } = await exchange(port, [get(id)], { waitMs: 500 });
        assert.deepEqual(responses.map((r) => r.status), [502], id);
        messages.push(jsonOf(responses[0]).error_msg);
      }
      assert.deepEqual(messages, ["the upstream answered with a redirect, which is not followed", "the upstream's answer broke off"]);
      // An answer is passed on decoded (fetch) or refused (node:http asks for identity), never with its encoding lost.
      const { responses } = await exchange(port, [get("gzip-1")], { waitMs: 500 });
      if (transport === "fetch") assert.deepEqual([responses[0].status, JSON.parse(responses[0].body)], [200, { jobs: [] }]);
      else assert.deepEqual([responses[0].status, jsonOf(responses[0]).error_msg], [502, "the upstream's answer has a Content-Encoding, which is not passed on"]);
      const closed = serveProxy(createServer(), { upstream: "http://127.0.0.1:9", basePath: BASE, log: null, ...extra });
      servers.push(closed);
      await new Promise((ok) => closed.listen(0, "127.0.0.1", ok));
      const unreachable = await exchange(closed.address().port, [get("any")], { waitMs: 500 });
      assert.deepEqual([unreachable.responses[0].status, jsonOf(unreachable.responses[0]).error_msg], [502, "the upstream could not be reached"]);
    });
  });
}

describe("options", () => {
  test("a limit that is not a whole number from 1 is a TypeError", () => {
    for (const name of ["headersTimeoutMs", "requestTimeoutMs", "keepAliveTimeoutMs", "maxConnections", "maxInFlight", "connectTimeoutMs", "timeoutMs", "maxResponseBytes"]) {
      for (const value of [0, -1, 1.5, "10", 2 ** 53]) {
        assert.throws(() => serveProxy(createServer(), { upstream: upstream.url, [name]: value }), (error) => error instanceof TypeError && error.message.startsWith(`invalid ${name}:`), `${name}: ${value}`);
      }
    }
  });

  test("the defaults are set on the server", () => {
    const server = serveProxy(createServer(), { upstream: upstream.url, log: null });
    assert.deepEqual([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.connectionsCheckingInterval], [10_000, 30_000, 5_000, 1000]);
  });

  test("cph-jobs proxy takes each limit as a flag", async () => {
    const cli = await startCli(["--upstream", upstream.url, "--base-path", BASE, "--headers-timeout", "300ms", "--max-connections", "1", "--max-in-flight", "1", "--connect-timeout", "2s", "--request-timeout", "5s", "--keep-alive-timeout", "1s", "--max-response-bytes", "1000"]);
    try {
      const slow = await slowClient(cli.port, 100);
      assert.equal(slow.status, 408);
      assert.ok(slow.closedMs < 1500, `closed after ${slow.closedMs} ms`);
      const held = await idleConnection(cli.port);
      const over = await exchange(cli.port, [get("cli-over")], { waitMs: 500 });
      assert.deepEqual(over.responses.map((r) => r.status), [503]);
      held.destroy();
    } finally {
      await cli.stop();
    }
    for (const [flag, value, message] of [["--headers-timeout", "soon", /--headers-timeout takes a duration/], ["--max-in-flight", "0", /--max-in-flight must be at least 1/], ["--max-connections", "1.5", /--max-connections takes a whole number/]]) {
      const bad = startCli(["--upstream", upstream.url, flag, value]);
      await assert.rejects(bad, message);
    }
  });
});
