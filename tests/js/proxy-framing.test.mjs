// Request smuggling, tried as an attacker would: raw bytes on one TCP
// connection to `cph-jobs proxy` (from the installed tarball) and to the
// example Worker under workerd, each in front of an upstream that records
// every request it receives. A message refused for its framing ends its
// connection: nothing parsed after it on that connection reaches the
// upstream, whether it came in the same write or a later one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { exchange, startCli, startRecorder, startWorkerd } from "./proxy-servers.mjs";

const TOKEN = "MIIT.framing-test.token";
const BASE = "/cph-proxy";
const get = (id, headers = []) =>
  `GET ${BASE}/v1/proj-1/cloud-phone/jobs?request_id=${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: ${TOKEN}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
const CHUNKED = "5\r\nhello\r\n0\r\n\r\n";
const hidden = get("hidden-in-body");

// [name, first message (refused), what follows it on the connection]. Each
// request id names the request, so the recorder tells which one got through.
const HOSTILE = [
  ["chunked body on GET", get("te-1", ["Transfer-Encoding: chunked"]) + CHUNKED, get("after-2")],
  ["Transfer-Encoding:\\tchunked", get("te-tab-1", ["Transfer-Encoding:\tchunked"]) + CHUNKED, get("after-2")],
  ["TE:\\tchunked", get("te-header-1", ["TE:\tchunked"]) + CHUNKED, get("after-2")],
  ["TRANSFER-ENCODING: CHUNKED", get("te-upper-1", ["TRANSFER-ENCODING: CHUNKED"]) + CHUNKED, get("after-2")],
  ["Transfer_Encoding: chunked", get("te-underscore-1", ["Transfer_Encoding: chunked"]) + CHUNKED, get("after-2")],
  ["Content-Length body on GET, 2 pipelined", get("cl-1", ["Content-Length: 5"]) + "hello", get("after-2") + get("after-3")],
  ["a body that is itself a request", get("cl-hides-1", [`Content-Length: ${hidden.length}`]) + hidden, get("after-2")],
  ["Transfer-Encoding: chunked, identity", get("te-list-1", ["Transfer-Encoding: chunked, identity"]) + CHUNKED, get("after-2")],
  ["Transfer-Encoding : chunked", get("te-space-1", ["Transfer-Encoding : chunked"]) + CHUNKED, get("after-2")],
  ["Content-Length and Transfer-Encoding", get("cl-te-1", ["Content-Length: 15", "Transfer-Encoding: chunked"]) + CHUNKED, get("after-2")],
  ["two different Content-Length", get("cl-cl-1", ["Content-Length: 5", "Content-Length: 25"]) + "hello", get("after-2")],
  ["a bad chunk size", get("bad-chunk-1", ["Transfer-Encoding: chunked"]) + "zz\r\nhello\r\n0\r\n\r\n", get("after-2")],
  ["POST with a body", `POST ${BASE}/v1/proj-1/cloud-phone/jobs?request_id=post-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: ${TOKEN}\r\nContent-Length: 5\r\n\r\nhello`, get("after-2")],
];
const TIMINGS = [
  ["in one write", 0],
  ["100 ms apart", 100],
];

const results = [];

for (const target of ["cph-jobs proxy", "workerd"]) {
  describe(`framing through ${target}`, () => {
    let upstream;
    let server;
    before(async () => {
      upstream = await startRecorder();
      server = target === "workerd" ? await startWorkerd(upstream.url, BASE) : await startCli(["--upstream", upstream.url, "--base-path", BASE]);
    });
    after(async () => {
      await server?.stop();
      await upstream?.close();
    });

    /** Sends the parts, waits for what got through to arrive upstream, and records the row. */
    async function attempt(name, parts, gapMs) {
      upstream.reset();
      const answer = await exchange(server.port, parts, { gapMs, waitMs: 1500 });
      await new Promise((r) => setTimeout(r, 100));
      const seen = upstream.seen().map((line) => line.match(/request_id=([\w-]+)/)?.[1] ?? line);
      results.push(`${target.padEnd(14)} ${name.padEnd(40)} ${gapMs ? "apart" : "1 write"}  answers ${answer.responses.map((r) => r.status).join(",") || "none"}${answer.closedByServer ? ", closed" : ""}; upstream saw ${seen.length ? seen.join(", ") : "nothing"}`);
      return { ...answer, seen };
    }

    for (const [name, first, rest] of HOSTILE) {
      for (const [timing, gapMs] of TIMINGS) {
        if (target === "workerd") {
          // workerd owns its connections, and a Worker cannot close one: it
          // frames each request itself and drains a refused body, so a
          // request after that body is one of its own, checked as any other.
          // Nothing of the refused message, nor a request hidden in its body,
          // may reach the upstream.
          test(`${name}, ${timing}: a 4xx, and nothing of the message upstream`, async () => {
            const { responses, seen } = await attempt(name, [first, rest], gapMs);
            assert.ok(responses[0]?.status >= 400 && responses[0].status < 500, `a 4xx first, not ${responses.map((r) => r.status)}`);
            assert.deepEqual(seen.filter((id) => !id.startsWith("after-")), [], "only requests framed apart from it reach the upstream");
          });
          continue;
        }
        test(`${name}, ${timing}: one 4xx, the connection closed, nothing upstream`, async () => {
          const { responses, closedByServer, seen } = await attempt(name, [first, rest], gapMs);
          assert.deepEqual(seen, [], "nothing reaches the upstream");
          assert.equal(responses.length, 1, `one answer, not ${responses.map((r) => r.status)}`);
          assert.ok(responses[0].status >= 400 && responses[0].status < 500, `a 4xx, not ${responses[0].status}`);
          assert.ok(closedByServer, "the server closed the connection");
          assert.match(responses[0].head, /\r\nconnection: close/i);
          assert.match(JSON.parse(responses[0].body).error_code, /^CPH\.PROXY\.04\d\d$/);
        });
      }
    }

    test("control: two valid pipelined requests both go through", async () => {
      for (const [, gapMs] of TIMINGS) {
        const { responses, seen } = await attempt("control: two valid pipelined", [get("control-1"), get("control-2")], gapMs);
        assert.deepEqual(responses.map((r) => r.status), [200, 200]);
        assert.deepEqual(seen, ["control-1", "control-2"]);
      }
    });

    test("control: a well-framed refusal keeps the connection, and a valid request after it goes through", async () => {
      const wrongPath = `GET ${BASE}/v1/proj-1/cloud-phone/phones HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: ${TOKEN}\r\n\r\n`;
      const { responses, seen } = await attempt("control: a 404, then valid", [wrongPath, get("control-3")], 0);
      assert.deepEqual(responses.map((r) => r.status), [404, 200]);
      assert.deepEqual(seen, ["control-3"]);
    });
  });
}

after(() => {
  if (results.length) console.log(`smuggling attempts:\n${results.map((row) => `  ${row}`).join("\n")}`);
});
