// Hostile servers: every fault mode of the mock must end in a typed CphError
// or a correct result, never a hang, an unhandled rejection or a poisoned
// module. Run in Node (faults.test.mjs) and in Chromium
// (e2e/faults.browser.test.mjs); `run` is sent to the browser as source text.
import assert from "node:assert/strict";

/** Fault mode -> what the call must end in: a kind, or "ok" with a check. */
export const EXPECTED = {
  "reset-body": { kind: "network", status: 200 },
  "partial-headers": { kind: "timeout" },
  hang: { kind: "timeout" },
  "hang-body": { kind: "timeout", status: 200 },
  trickle: { kind: "timeout", status: 200 },
  "html-200": { ok: 2 },
  "not-json": { kind: "decode", status: 200 },
  "length-short": { kind: "decode", status: 200 },
  "length-long": { kind: "network", status: 200 },
  "gzip-bomb": { kind: "decode", status: 200, message: /maxResponseBytes \(8388608 bytes\)/ },
  "oversized-chunked": { kind: "decode", status: 200, message: /maxResponseBytes/ },
  "huge-string": { ok: 0 },
  deep: { ok: 0 },
  "dup-keys": { kind: "decode", message: /jobs\[0\]: duplicate field `status`/ },
  bom: { ok: 2 },
  "bad-utf8": { kind: "decode", message: /jobs\[0\]\.job_id: invalid unicode/ },
  "status-range": { kind: "decode", message: /jobs\[0\]\.status/ },
  storm: { kind: "http", status: 429, attempts: 3 },
  "flap-503": { ok: 3 },
  truncated: { kind: "decode", status: 200 },
};

export const cases = [
  {
    name: "every fault mode ends in a typed error or a correct result",
    async run(pkg, { url, token, modes, tag }, describe) {
      // One at a time: a browser queues a seventh request to one origin, and
      // a queued call's deadline is already running.
      const out = {};
      for (const mode of modes) {
        const started = Date.now();
        out[mode] = await pkg
          .listJobs(url, "p", `${mode}-${tag}`, token, { timeoutMs: 2500 })
          .then((r) => ({ ok: r.jobs.length, attempts: r.$metadata.attempts }), describe)
          .then((r) => ({ ...r, elapsed: Date.now() - started }));
      }
      return out;
    },
    check(results) {
      for (const [mode, want] of Object.entries(EXPECTED)) {
        const got = results[mode];
        assert.ok(got, `${mode} ran`);
        assert.ok(got.elapsed < 6000, `${mode} took ${got.elapsed} ms`);
        if ("ok" in want) {
          assert.equal(got.ok, want.ok, `${mode}: ${JSON.stringify(got)}`);
          continue;
        }
        assert.equal(got.isCphError, true, `${mode}: ${JSON.stringify(got)}`);
        assert.equal(got.kind, want.kind, `${mode}: ${got.message}`);
        if (want.status) assert.equal(got.status, want.status, mode);
        if (want.attempts) assert.equal(got.attempts, want.attempts, mode);
        if (want.message) assert.match(got.message, want.message, mode);
        assert.ok(got.message.length < 1200, `${mode}: an excerpt, not the body (${got.message.length} chars)`);
      }
    },
  },
  {
    name: "maxResponseBytes cuts a body off at the caller's cap, declared or streamed",
    async run(pkg, { url, token }, describe) {
      const small = { maxResponseBytes: 1000 };
      return {
        declared: await pkg.listJobs(url, "p", "jobs-50", token, small).catch(describe),
        streamed: await pkg.listJobs(url, "p", "gzip-bomb-cap", token, small).catch(describe),
        fits: (await pkg.listJobs(url, "p", "jobs-2", token, small)).jobs.length,
        bad: await pkg.listJobs(url, "p", "jobs-2", token, { maxResponseBytes: 0 }).catch(describe),
        client: await new pkg.CphClient({ endpoint: url, projectId: "p", token, maxResponseBytes: 1000 })
          .listJobs({ requestId: "jobs-50" })
          .catch(describe),
      };
    },
    check(r) {
      for (const err of [r.declared, r.streamed, r.client]) {
        assert.deepEqual([err.kind, err.status], ["decode", 200]);
        assert.match(err.message, /larger than maxResponseBytes \(1000 bytes\)/);
      }
      assert.equal(r.fits, 2);
      assert.match(r.bad.message, /^invalid maxResponseBytes/);
    },
  },
  {
    name: "after 10,000 mixed faulty calls a good call succeeds and memory stays flat",
    async run(pkg, { url, token, rounds }, describe) {
      const faulty = ["err-500", "not-json", "truncated", "wrong-type", "bad-utf8", "dup-keys", "status-range", "bad/id", "deep", "storm"];
      const once = { maxAttempts: 1, timeoutMs: 5000 };
      const kinds = {};
      const batch = async (from, to) => {
        const calls = [];
        for (let i = from; i < to; i++) {
          calls.push(
            pkg.listJobs(url, "p", faulty[i % faulty.length], token, once).then(
              () => "ok",
              (err) => err.kind,
            ),
          );
        }
        for (const kind of await Promise.all(calls)) kinds[kind] = (kinds[kind] ?? 0) + 1;
      };
      await batch(0, 100);
      const after100 = pkg.memoryBytes();
      for (let i = 100; i < rounds; i += 50) await batch(i, Math.min(i + 50, rounds));
      const after = pkg.memoryBytes();
      const good = await pkg.listJobs(url, "p", "doc-example", token);
      return { kinds, after100, after, good: good.jobs.length, bad: await pkg.listJobs(url, "p", "err-404", token).catch(describe) };
    },
    check(r) {
      const total = Object.values(r.kinds).reduce((a, b) => a + b, 0);
      assert.equal(total, 10_000);
      assert.deepEqual(Object.keys(r.kinds).sort(), ["decode", "http", "invalid-input", "ok"]);
      assert.equal(r.kinds.ok, 1000, "the deep document decodes");
      assert.equal(r.good, 2);
      assert.equal(r.bad.status, 404, "errors still map correctly");
      assert.ok(r.after100 > 0);
      assert.ok(r.after - r.after100 <= 65536, `linear memory grew from ${r.after100} to ${r.after}`);
    },
  },
];
