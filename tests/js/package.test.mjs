// The packed npm package, installed into a scratch project by
// install-tarball.mjs, tested through both `import` and `require` against the
// mock CPH service.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { closedUrl, startMock, DOC_EXAMPLE } from "../mock/server.mjs";

const consumer = fileURLToPath(new URL("../../.tmp/consumer/", import.meta.url));
const TOKEN = "MIIT-node-test-token-7c4f0a2e91b35d68";
const EXPECTED_DOC = {
  requestId: "6a63a18b8bab40ffb71ebd9cb80d0085",
  jobs: [
    {
      jobId: "1564567b8bab40f34711234cb80d0123",
      status: -1,
      phoneId: "1234567b8bab40ffb711234cb80d0234",
      serverId: "1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
      nodeId: "1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
      beginTime: "2017-10-25T00:00:00Z",
      endTime: "2017-10-25T00:00:30Z",
      errorCode: "CPS0005",
      errorMsg: "Phone not found.",
    },
    {
      jobId: "1564567b8bab40f34711234cb80d0456",
      status: 2,
      phoneId: "abc4567b8bab40ffb711234cb80d0abc",
      serverId: "1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
      nodeId: "1e223c8e-3ad0-4bf0-a837-bc90d4f91d01",
      beginTime: "2017-10-25T00:00:00Z",
      endTime: "2017-10-25T00:00:32Z",
      errorCode: "",
      errorMsg: "",
    },
  ],
};

const logLines = [];
let mock;
let closed; // where nothing listens
before(async () => {
  mock = await startMock({ timeScale: 0.01, log: (line) => logLines.push(line) });
  closed = await closedUrl();
});
after(() => mock.close());

const flavours = {
  esm: () => import(`${consumer}esm.mjs`),
  cjs: async () => createRequire(consumer)("./cjs.cjs"),
};

function assertNoToken(err) {
  for (const text of [err.message, err.stack, String(err), JSON.stringify(err), JSON.stringify(Object.entries(err))]) {
    assert.ok(!String(text).includes(TOKEN), `token leaked into ${text}`);
  }
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to reject");
}

for (const [flavour, load] of Object.entries(flavours)) {
  describe(`cph-jobs via ${flavour}`, () => {
    let api;
    before(async () => {
      api = await load();
    });
    const call = (requestId, options, token = TOKEN) => api.listJobs(mock.url, "proj_1", requestId, token, options);
    const failure = async (requestId, options, token) => {
      const err = await rejection(call(requestId, options, token));
      assert.ok(err instanceof api.CphError, `not a CphError: ${err}`);
      assert.ok(err instanceof Error);
      assert.equal(err.name, "CphError");
      assertNoToken(err);
      return err;
    };

    test("exports exactly the documented API", () => {
      assert.deepEqual(Object.keys(api).filter((k) => k !== "default" && k !== "module.exports").sort(), [
        "CphClient",
        "CphError",
        "JobStatus",
        "init",
        "initSync",
        "listAllJobs",
        "listJobs",
        "memoryBytes",
        "paginateJobs",
        "waitForJobs",
      ]);
      assert.deepEqual({ ...api.JobStatus }, { Running: 1, Succeeded: 2, Failed: -1 });
      assert.ok(Object.isFrozen(api.JobStatus));
    });

    test("init() and initSync() are there for shared code, and change nothing in Node", async () => {
      assert.equal(await api.init(), undefined);
      assert.equal(api.initSync({ module: new Uint8Array() }), undefined);
      assert.equal((await call("jobs-3")).jobs.length, 3);
    });

    test("decodes the documentation example to camelCase objects", async () => {
      assert.deepEqual(await call("doc-example"), EXPECTED_DOC);
      assert.equal(DOC_EXAMPLE.jobs.length, EXPECTED_DOC.jobs.length);
    });

    test("JobStatus agrees with the statuses the package decodes", async () => {
      const { jobs } = await call("jobs-10");
      const statuses = new Set(jobs.map((j) => j.status));
      assert.deepEqual([...statuses].sort(), [api.JobStatus.Failed, api.JobStatus.Running, api.JobStatus.Succeeded].sort());
    });

    test("leaves null and missing fields absent, keeps empty strings and unknown statuses", async () => {
      const { jobs } = await call("nulls");
      assert.deepEqual(jobs, [
        { jobId: "j-null", status: 1 },
        { jobId: "j-missing", status: 2 },
        { jobId: "j-empty", status: -1, errorCode: "", errorMsg: "", executeMsg: "" },
        { jobId: "j-unknown", status: 3, encodeServerId: "enc-1" },
      ]);
    });

    test("reaches an endpoint behind a base path, with or without a trailing slash", async () => {
      for (const endpoint of [`${mock.url}/cph-proxy`, `${mock.url}/cph-proxy/`]) {
        const response = await api.listJobs(endpoint, "proj_1", "doc-example", TOKEN);
        assert.equal(response.jobs.length, 2);
      }
      assert.ok(logLines.some((l) => l.startsWith("GET /cph-proxy/v1/proj_1/cloud-phone/jobs?request_id=doc-example 200")));
    });

    test("maps non-2xx answers of every shape to kind http", async () => {
      const cases = [
        ["err-404", 404, "CPS.0404", "Mock error 404."],
        ["err-500", 500, "CPS.0500", "Mock error 500."],
        ["shape-nested", 401, "APIG.0301", "Incorrect IAM authentication information"],
        ["shape-flat", 404, "CPS.0005", "Phone not found."],
        ["shape-camel", 403, "CPS.0013", "Insufficient permissions."],
        ["throttled", 429, "APIG.0308", "The throttling threshold has been reached."],
        ["html-502", 502, undefined, undefined],
        ["empty-503", 503, undefined, undefined],
      ];
      for (const [id, status, errorCode, errorMsg] of cases) {
        const err = await failure(id);
        assert.equal(err.kind, "http", id);
        assert.equal(err.status, status, id);
        assert.equal(err.errorCode, errorCode, id);
        assert.equal(err.errorMsg, errorMsg, id);
        assert.match(err.requestId, /^[0-9a-f]{32}$/, `${id}: X-Request-Id`);
        assert.equal("errorCode" in err, errorCode !== undefined, `${id}: absent, not undefined`);
      }
      const err = await failure("demo", undefined, "bad-token");
      assert.deepEqual([err.kind, err.status, err.errorCode], ["http", 401, "APIG.0301"]);
    });

    test("reports bad 200 bodies as kind decode, naming the JSON path", async () => {
      for (const [id, needle] of [
        ["wrong-type", "at jobs[1].status"],
        ["missing-job-id", "at jobs[1]: missing field `job_id`"],
        ["truncated", "EOF while parsing"],
        ["not-json", "expected value at line 1 column 1"],
        ["trailing", "trailing characters"],
      ]) {
        const err = await failure(id);
        assert.equal(err.kind, "decode", id);
        assert.ok(err.message.includes(needle), `${id}: ${err.message}`);
      }
    });

    test("rejects bad input with a rejected promise, never a throw, before any request", async () => {
      const before = mock.requests();
      const bad = [
        ["", "p", "r", TOKEN],
        ["not a url", "p", "r", TOKEN],
        ["http://example.com", "p", "r", TOKEN],
        ["https://user:pw@example.com", "p", "r", TOKEN],
        ["https://example.com/x?y=1", "p", "r", TOKEN],
        [mock.url, "", "r", TOKEN],
        [mock.url, "p".repeat(65), "r", TOKEN],
        [mock.url, "p", "r/../x", TOKEN],
        [mock.url, "p", "r", ""],
        [mock.url, "p", "r", "to\r\nken"],
        [mock.url, "p", "r", "tökén"],
        [undefined, undefined, undefined, undefined],
        [42, {}, null, []],
      ];
      for (const args of bad) {
        let promise;
        assert.doesNotThrow(() => {
          promise = api.listJobs(...args);
        });
        assert.ok(promise instanceof Promise);
        const err = await rejection(promise);
        assert.ok(err instanceof api.CphError);
        assert.equal(err.kind, "invalid-input", JSON.stringify(args));
        assert.ok(!("status" in err));
      }
      for (const options of [{ timeoutMs: 0 }, { timeoutMs: -1 }, { timeoutMs: Number.NaN }, { timeoutMs: "5" }, { signal: {} }, "fast"]) {
        const err = await failure("demo", options);
        assert.equal(err.kind, "invalid-input", JSON.stringify(options));
      }
      assert.equal(mock.requests(), before, "no request was sent");
    });

    test("a deadline covers waiting for headers and reading the body", async () => {
      for (const id of ["hang", "hang-body"]) {
        const started = Date.now();
        const err = await failure(id, { timeoutMs: 250 });
        assert.equal(err.kind, "timeout", id);
        assert.ok(Date.now() - started < 2000, `${id} took ${Date.now() - started} ms`);
      }
    });

    test("a slow answer within the deadline succeeds", async () => {
      const response = await call("slow-200", { timeoutMs: 3000 });
      assert.equal(response.jobs.length, 12);
      const err = await failure("slow-1000", { timeoutMs: 200 });
      assert.equal(err.kind, "timeout");
    });

    test("a signal aborts before and during the call", async () => {
      const sent = mock.requests();
      const err = await failure("demo", { signal: AbortSignal.abort() });
      assert.equal(err.kind, "aborted");
      assert.equal(mock.requests(), sent, "an aborted signal sends nothing");

      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const during = await failure("hang-body", { signal: controller.signal, timeoutMs: 5000 });
      assert.equal(during.kind, "aborted");
    });

    test("never follows a redirect, same-origin or cross-origin, so the token stays put", async () => {
      for (const [id, status] of [["redirect", 302], ["redirect-cross", 307]]) {
        const sent = mock.requests();
        const err = await failure(id);
        assert.equal(err.kind, "http", id);
        assert.equal(err.status, status, id);
        assert.equal(mock.requests(), sent + 1, `${id}: the redirect target was not requested`);
      }
    });

    test("a refused connection is kind network, without a browser's CORS hint", async () => {
      const err = await rejection(api.listJobs(closed, "p", "r", TOKEN));
      assert.equal(err.kind, "network");
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(!("status" in err));
      assert.ok(!err.message.includes("CORS"), err.message);
    });

    test("a connection reset mid-body is kind network, with the status that arrived", async () => {
      const err = await failure("reset-body");
      assert.equal(err.kind, "network");
      assert.equal(err.status, 200);
      assert.match(err.requestId, /^[0-9a-f]{32}$/);
      assert.match(err.message, /while reading the response body/);
    });

    test("scrubs the token even when the server echoes it, however long or short", async () => {
      const err = await failure("echo-token");
      assert.ok(err.errorMsg.includes("[REDACTED]"));
      // Real IAM tokens run to kilobytes, past the cut of long service messages.
      for (const token of [`MIIT${"k9Z".repeat(2000)}`, "abc123"]) {
        const long = await rejection(call("echo-token", undefined, token));
        for (const text of [long.message, long.stack, String(long), JSON.stringify(long)]) {
          assert.ok(!text.includes(token), `token (${token.length} chars) leaked`);
        }
      }
    });

    test("a body over the 8 MiB limit is refused, with or without a Content-Length", async () => {
      for (const id of ["oversized", "oversized-chunked"]) {
        const err = await failure(id);
        assert.equal(err.kind, "decode", id);
        assert.equal(err.status, 200, id);
        assert.match(err.message, /larger than maxResponseBytes \(8388608 bytes\)/, id);
      }
      assert.equal((await call("doc-example")).jobs.length, 2, "still healthy");
    });

    test("options whose getters throw are refused, not ignored", async () => {
      const options = {
        get signal() {
          throw new Error("boom");
        },
      };
      const err = await failure("demo", options);
      assert.equal(err.kind, "invalid-input");
    });

    test("100 concurrent calls each get their own answer", async () => {
      const ids = Array.from({ length: 100 }, (_, i) => `jobs-${i + 1}`);
      const responses = await Promise.all(ids.map((id) => call(id)));
      responses.forEach((response, i) => {
        assert.equal(response.requestId, ids[i]);
        assert.equal(response.jobs.length, i + 1);
      });
    });

    test("a 10,000-job body decodes", async () => {
      const { jobs } = await call("bulk-10000");
      assert.equal(jobs.length, 10000);
      assert.equal(jobs[9999].jobId, "bulk-10000-009999");
      assert.equal(jobs[9999].status, -1);
    });

    test("the module still answers after hundreds of failing calls", async () => {
      const ids = ["err-500", "wrong-type", "truncated", "not-json", "bad/id", "html-502"];
      for (let i = 0; i < 300; i++) await rejection(call(ids[i % ids.length]));
      assert.deepEqual(await call("doc-example"), EXPECTED_DOC);
    });
  });
}

test("import and require share one instance, so one CphError class", async () => {
  const esm = await flavours.esm();
  const cjs = await flavours.cjs();
  assert.equal(esm.CphError, cjs.CphError);
  assert.equal(esm.listJobs, cjs.listJobs);
});

test("the CommonJS entry works where require() cannot load ES modules (Node < 20.19)", async () => {
  const script = `require("cph-jobs").listJobs(process.argv[1], "p", "doc-example", "${TOKEN}")
    .then((r) => console.log(r.jobs.length), (e) => { console.error(e); process.exit(1); })`;
  // Asynchronously: the mock answering the child lives in this process.
  const { stdout } = await promisify(execFile)(process.execPath, ["--no-experimental-require-module", "-e", script, mock.url], { cwd: consumer });
  assert.equal(stdout.trim(), "2");
});

test("the mock's request log never carries the token", () => {
  assert.ok(logLines.length > 100);
  for (const line of logLines) assert.ok(!line.includes(TOKEN), line);
});
