// The waiter, paging, batches, retries and CphClient, as cases that run both in
// Node (client.test.mjs) and in headless Chromium (e2e/client.browser.test.mjs)
// against the mock service.
//
// Each `run(pkg, args, describe)` is sent to the browser as source text, so it
// may use only its parameters and globals. `check(result)` asserts in Node.
import assert from "node:assert/strict";

/** What a test needs to know about a rejection, as plain data. */
export function describeError(err) {
  return {
    isCphError: err?.constructor?.name === "CphError",
    name: err?.name,
    kind: err?.kind,
    status: err?.status,
    errorCode: err?.errorCode,
    attempts: err?.attempts,
    lastJobs: err?.lastResponse?.jobs?.length,
    message: err?.message,
  };
}

export const cases = [
  {
    name: "waitForJobs follows a real lifecycle to the end, reporting each poll",
    async run(pkg, { url, token, tag }) {
      const seen = [];
      const result = await pkg.waitForJobs(url, "p", `demo-${tag}`, token, {
        minDelayMs: 20,
        maxDelayMs: 40,
        onProgress: (r) => seen.push(r.jobs.filter((j) => j.status === pkg.JobStatus.Running).length),
      });
      return {
        jobs: result.jobs.length,
        running: result.jobs.filter((j) => j.status === pkg.JobStatus.Running).length,
        finished: result.jobs.every((j) => j.endTime !== undefined),
        polls: result.$metadata.polls,
        attempts: result.$metadata.attempts,
        seen,
      };
    },
    check(r) {
      assert.equal(r.jobs, 12);
      assert.equal(r.running, 0);
      assert.equal(r.finished, true);
      assert.equal(r.seen.length, r.polls, "onProgress after every poll");
      assert.equal(r.attempts, r.polls, "one request per poll");
      assert.ok(r.polls >= 2, `polled ${r.polls} times`);
      assert.equal(r.seen[0], 12, "all running at first");
      assert.equal(r.seen.at(-1), 0);
    },
  },
  {
    name: "waitForJobs times out with the last response it saw",
    async run(pkg, { url, token, tag }, describe) {
      return pkg
        .waitForJobs(url, "p", `running-${tag}`, token, { timeoutMs: 300, minDelayMs: 20, maxDelayMs: 40 })
        .catch(describe);
    },
    check(err) {
      assert.equal(err.isCphError, true);
      assert.equal(err.kind, "timeout");
      assert.equal(err.lastJobs, 12);
      assert.ok(err.attempts >= 2, `attempts ${err.attempts}`);
      assert.match(err.message, /still running .* 300 ms \(timeoutMs\)/);
    },
  },
  {
    name: "waitForJobs stops at once when its signal aborts mid-wait",
    async run(pkg, { url, token, tag }, describe) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const started = Date.now();
      const err = await pkg
        .waitForJobs(url, "p", `running-${tag}`, token, { signal: controller.signal, minDelayMs: 5000 })
        .catch(describe);
      return { err, elapsed: Date.now() - started };
    },
    check({ err, elapsed }) {
      assert.equal(err.kind, "aborted");
      assert.equal(err.attempts, 1);
      assert.ok(elapsed < 4000, `the 5 s pause was cut short (${elapsed} ms)`);
    },
  },
  {
    name: "a 429 is retried after its Retry-After",
    async run(pkg, { url, token, tag }) {
      const started = Date.now();
      const result = await pkg.listJobs(url, "p", `throttle-once-${tag}`, token);
      return { jobs: result.jobs.length, attempts: result.$metadata.attempts, elapsed: Date.now() - started };
    },
    check(r) {
      assert.equal(r.jobs, 3);
      assert.equal(r.attempts, 2);
      assert.ok(r.elapsed >= 900, `waited ${r.elapsed} ms for Retry-After: 1`);
    },
  },
  {
    name: "a 403 is never retried; 503s are, within the attempt budget",
    async run(pkg, { url, token, tag }, describe) {
      return {
        forbidden: await pkg.listJobs(url, "p", "err-403", token).catch(describe),
        flaky: (await pkg.listJobs(url, "p", `flaky-${tag}`, token)).$metadata.attempts,
        spent: await pkg.listJobs(url, "p", `flaky-${tag}-b`, token, { maxAttempts: 2 }).catch(describe),
        once: await pkg.listJobs(url, "p", "err-503", token, { maxAttempts: 1 }).catch(describe),
        storm: await pkg.listJobs(url, "p", "err-503", token).catch(describe),
      };
    },
    check(r) {
      assert.deepEqual([r.forbidden.kind, r.forbidden.status, r.forbidden.attempts], ["http", 403, 1]);
      assert.equal(r.flaky, 3, "two 503s, then the answer");
      assert.deepEqual([r.spent.status, r.spent.attempts], [503, 2]);
      assert.deepEqual([r.once.status, r.once.attempts], [503, 1]);
      assert.deepEqual([r.storm.status, r.storm.attempts], [503, 3], "the default budget holds");
    },
  },
  {
    name: "the deadline covers every attempt",
    async run(pkg, { url, token }, describe) {
      const started = Date.now();
      const err = await pkg.listJobs(url, "p", "throttled", token, { timeoutMs: 500 }).catch(describe);
      return { err, elapsed: Date.now() - started };
    },
    check({ err, elapsed }) {
      assert.deepEqual([err.kind, err.status, err.attempts], ["http", 429, 1], "Retry-After: 1 outlasts the deadline");
      assert.ok(elapsed < 900, `gave up at once (${elapsed} ms)`);
    },
  },
  {
    name: "a tokenProvider is asked again once after 401 APIG.0301",
    async run(pkg, { url }, describe) {
      const calls = [];
      const client = new pkg.CphClient({
        endpoint: url,
        projectId: "p",
        tokenProvider: async ({ refresh }) => {
          calls.push(refresh);
          return refresh ? "fresh-token-1" : "expired-token-1";
        },
      });
      const ok = await client.listJobs({ requestId: "jobs-3" });
      const stale = [];
      const always = new pkg.CphClient({
        endpoint: url,
        projectId: "p",
        tokenProvider: ({ refresh }) => (stale.push(refresh), "expired-for-good"),
      });
      const err = await always.listJobs({ requestId: "jobs-3" }).catch(describe);
      const throws = new pkg.CphClient({ endpoint: url, projectId: "p", tokenProvider: () => { throw new Error("vault down"); } });
      const thrown = await throws.listJobs({ requestId: "jobs-3" }).catch(describe);
      return { calls, attempts: ok.$metadata.attempts, jobs: ok.jobs.length, stale, err, thrown };
    },
    check(r) {
      assert.deepEqual(r.calls, [false, true]);
      assert.equal(r.attempts, 2);
      assert.equal(r.jobs, 3);
      assert.deepEqual(r.stale, [false, true], "refreshed once, not in a loop");
      assert.deepEqual([r.err.kind, r.err.status, r.err.errorCode, r.err.attempts], ["http", 401, "APIG.0301", 2]);
      assert.equal(r.thrown.kind, "invalid-input");
      assert.match(r.thrown.message, /tokenProvider threw: vault down/);
    },
  },
  {
    name: "requestIds of any length: 45 ids in groups of 20, every page followed",
    async run(pkg, { url, token }, describe) {
      const ids = Array.from({ length: 45 }, (_, i) => `jobs-12-a${String(i).padStart(2, "0")}`);
      const all = await pkg.listAllJobs(url, "p", ids, token);
      const one = await pkg.listAllJobs(url, "p", ids.slice(0, 21), token);
      return {
        jobs: all.jobs.length,
        unique: new Set(all.jobs.map((j) => j.jobId)).size,
        requestId: all.requestId === ids.join(","),
        attempts: all.$metadata.attempts,
        attributed: all.jobs.filter((j) => j.requestId !== undefined).length,
        lastGroup: one.jobs.slice(240).map((j) => j.requestId),
        tooMany: await pkg.listJobs(url, "p", ids, token).catch(describe),
      };
    },
    check(r) {
      assert.equal(r.jobs, 540);
      assert.equal(r.unique, 540);
      assert.equal(r.requestId, true);
      assert.equal(r.attempts, 7, "20 ids: 240 jobs in 3 pages; twice; then 5 ids: 1 page");
      assert.equal(r.attributed, 0, "a call for several ids does not say which job is whose");
      assert.deepEqual(r.lastGroup, Array(12).fill("jobs-12-a20"), "a group of one id is attributed");
      assert.equal(r.tooMany.kind, "invalid-input");
      assert.match(r.tooMany.message, /at most 20/);
    },
  },
  {
    name: "paging over 250 jobs: paginateJobs stops after the short page",
    async run(pkg, { url, token }, describe) {
      const sizes = [];
      for await (const page of pkg.paginateJobs(url, "p", "jobs-250", token)) sizes.push(page.jobs.length);
      const small = [];
      for await (const page of pkg.paginateJobs(url, "p", "jobs-250", token, { limit: 30, offset: 200 })) small.push(page.jobs[0].jobId);
      const all = await pkg.listAllJobs(url, "p", "jobs-250", token);
      const single = await pkg.listJobs(url, "p", "jobs-250", token, { offset: 240, limit: 100 });
      const broken = [];
      let error;
      try {
        for await (const page of pkg.paginateJobs(url, "p", "jobs-250", token, { limit: 0 })) broken.push(page);
      } catch (err) {
        error = describe(err);
      }
      const early = pkg.paginateJobs(url, "p", "jobs-250", token);
      const first = await early.next();
      await early.return();
      const afterReturn = await early.next();
      return {
        sizes,
        small,
        all: all.jobs.length,
        allAttempts: all.$metadata.attempts,
        single: single.jobs.length,
        broken: broken.length,
        error,
        first: first.value.jobs.length,
        afterReturn: afterReturn.done,
        invalid: await pkg.listJobs(url, "p", "jobs-250", token, { limit: 101 }).catch(describe),
        negative: await pkg.listJobs(url, "p", "jobs-250", token, { offset: -1 }).catch(describe),
      };
    },
    check(r) {
      assert.deepEqual(r.sizes, [100, 100, 50]);
      assert.deepEqual(r.small, ["jobs-250-000200", "jobs-250-000230"]);
      assert.equal(r.all, 250);
      assert.equal(r.allAttempts, 3);
      assert.equal(r.single, 10);
      assert.equal(r.broken, 0);
      assert.equal(r.error.kind, "invalid-input");
      assert.match(r.error.message, /^invalid limit/);
      assert.equal(r.first, 100);
      assert.equal(r.afterReturn, true);
      assert.match(r.invalid.message, /^invalid limit/);
      assert.match(r.negative.message, /^invalid offset/);
    },
  },
  {
    name: "CphClient: concurrent calls, regions, a custom fetch, and settings errors",
    async run(pkg, { url, token }, describe) {
      const client = new pkg.CphClient({ endpoint: url, projectId: "p", token });
      const ids = Array.from({ length: 30 }, (_, i) => `jobs-${i + 1}`);
      const pages = await Promise.all(ids.map((requestId) => client.listJobs({ requestId })));
      const waits = await Promise.all(["a", "b"].map((t) => client.waitForJobs({ requestIds: [`demo-c${t}1`, `demo-c${t}2`], minDelayMs: 20 })));
      const urls = [];
      const wrapped = new pkg.CphClient({
        endpoint: `${url}/proxy/`,
        projectId: "p",
        token,
        // A console's wrapper that adds a header by spreading the package's.
        fetch: (input, init) => (urls.push(input), fetch(input, { ...init, headers: { ...init.headers, "x-console": "1" } })),
      });
      const viaWrapper = await wrapped.listAllJobs({ requestIds: ["jobs-2"] });
      const notResponse = await new pkg.CphClient({ endpoint: url, projectId: "p", token, fetch: async () => ({ status: 200 }) })
        .listJobs({ requestId: "jobs-1" })
        .catch(describe);
      const noEndpoint = await new pkg.CphClient({ projectId: "p", token }).listJobs({ requestId: "r" }).catch(describe);
      const badRegion = await new pkg.CphClient({ region: "mars-1", projectId: "p", token }).listJobs({ requestId: "r" }).catch(describe);
      const noQuery = await client.listJobs().catch(describe);
      const both = await client.listJobs({ requestId: "a", requestIds: ["b"] }).catch(describe);
      const regional = new pkg.CphClient({ region: "cn-north-4", projectId: "p", token });
      const regionalBad = await regional.listJobs({ requestId: "no/slash" }).catch(describe);
      const result = pages[4];
      return {
        own: pages.every((p, i) => p.requestId === ids[i] && p.jobs.length === i + 1),
        waits: waits.map((w) => [w.jobs.length, w.requestId]),
        urls,
        viaWrapper: viaWrapper.jobs.map((j) => j.requestId),
        notResponse,
        noEndpoint,
        badRegion,
        noQuery,
        both,
        regionalBad,
        json: JSON.stringify(result).includes("$metadata"),
        keys: Object.keys(result),
        metadata: result.$metadata,
      };
    },
    check(r) {
      assert.equal(r.own, true, "each concurrent call got its own result");
      assert.deepEqual(r.waits, [
        [24, "demo-ca1,demo-ca2"],
        [24, "demo-cb1,demo-cb2"],
      ]);
      assert.equal(r.urls.length, 1);
      assert.match(r.urls[0], /\/proxy\/v1\/p\/cloud-phone\/jobs\?request_id=jobs-2&offset=0&limit=100$/);
      assert.deepEqual(r.viaWrapper, ["jobs-2", "jobs-2"]);
      assert.equal(r.notResponse.kind, "network");
      assert.match(r.notResponse.message, /not a Response/);
      assert.match(r.noEndpoint.message, /^invalid endpoint: give an endpoint or a region/);
      assert.match(r.badRegion.message, /^invalid region/);
      assert.match(r.noQuery.message, /requestId/);
      assert.match(r.both.message, /not both/);
      assert.match(r.regionalBad.message, /^invalid requestId/, "a region endpoint is valid; the id is checked first");
      assert.equal(r.json, false, "$metadata stays out of JSON");
      assert.deepEqual(r.keys, ["requestId", "jobs"]);
      assert.deepEqual(r.metadata, { attempts: 1 });
    },
  },
  {
    name: "cleanup and callbacks: unread bodies are released, aborts and deadlines reach a hanging tokenProvider",
    async run(pkg, { url, token, tag }, describe) {
      // A body the client does not read must be aborted, or its connection
      // stays taken; a body read to the end needs no abort.
      const signals = [];
      const spy = (input, init) => (signals.push(init.signal), fetch(input, init));
      const client = new pkg.CphClient({ endpoint: url, projectId: "p", token, fetch: spy, maxAttempts: 1 });
      await client.listJobs({ requestId: "bulk-100", maxResponseBytes: 1000 }).catch(describe);
      await client.listJobs({ requestId: "redirect" }).catch(describe);
      await client.listJobs({ requestId: "jobs-3" });
      const aborted = signals.map((signal) => signal.aborted);

      // An abort while the body arrives keeps the status and id that came.
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const midBody = await pkg.listJobs(url, "p", "hang-body", token, { signal: controller.signal }).catch(describe);
      const midBodyId = midBody.message && (await pkg.listJobs(url, "p", "hang-body", token, { signal: AbortSignal.timeout(150) }).catch((e) => e.requestId));

      // A tokenProvider that never answers is cut short like any wait.
      let thisSeen = "unset";
      const hanging = new pkg.CphClient({
        endpoint: url,
        projectId: "p",
        tokenProvider() {
          thisSeen = this === undefined || this === globalThis ? "none" : Object.keys(this).join(",");
          return new Promise(() => {});
        },
      });
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 50);
      const providerAborted = await hanging.listJobs({ requestId: `demo-${tag}`, signal: stop.signal }).catch(describe);
      const providerTimedOut = await hanging.listJobs({ requestId: `demo-${tag}`, timeoutMs: 100 }).catch(describe);

      // A refresh that fails quoting the refused token does not leak it.
      const refused = `expired-${tag}-secret-token`;
      let asked = 0;
      const refreshing = new pkg.CphClient({
        endpoint: url,
        projectId: "p",
        tokenProvider: ({ refresh }) => {
          asked += 1;
          if (refresh) throw new Error(`vault refused to refresh ${refused}`);
          return refused;
        },
      });
      const refreshFailed = await refreshing.listJobs({ requestId: `demo-${tag}` }).catch(describe);

      // The constructor never throws, whatever the config does.
      let constructed;
      try {
        constructed = new pkg.CphClient({
          endpoint: url,
          projectId: "p",
          get token() {
            throw new Error("boom");
          },
        });
      } catch (error) {
        constructed = error;
      }
      const getterThrew = constructed instanceof pkg.CphClient ? await constructed.listJobs({ requestId: "r" }).catch(describe) : describe(constructed);

      const freed = new pkg.CphClient({ endpoint: url, projectId: "p", token });
      freed.free();
      const afterFree = await freed.listJobs({ requestId: "jobs-1" }).catch(describe);
      // A call made before free() goes ahead, in Node and, once the module
      // has loaded (it has by now), in a browser; as with `using`.
      const busy = new pkg.CphClient({ endpoint: url, projectId: "p", token });
      const warm = await busy.listJobs({ requestId: "jobs-2" });
      const beforeFree = busy.listJobs({ requestId: "jobs-3" });
      busy.free();
      const startedBeforeFree = await beforeFree.then((r) => r.jobs.length + warm.jobs.length, describe);
      const fresh = new pkg.CphClient({ endpoint: url, projectId: "p", token });
      const firstBeforeFree = fresh.listJobs({ requestId: "jobs-1" });
      fresh.free();
      const firstStartedBeforeFree = await firstBeforeFree.then((r) => r.jobs.length, describe);
      const unbound = client.listJobs;
      const unboundCall = await Promise.resolve()
        .then(() => unbound({ requestId: "jobs-1" }))
        .then(
          () => "resolved",
          (error) => (error instanceof TypeError || error?.name === "CphError" ? "rejected" : "other"),
        );
      return { aborted, midBody, midBodyId, thisSeen, providerAborted, providerTimedOut, asked, refreshFailed, refused, getterThrew, afterFree, startedBeforeFree, firstStartedBeforeFree, unboundCall };
    },
    check(r) {
      assert.deepEqual(r.aborted, [true, true, false], "unread bodies aborted, a read one left alone");
      assert.equal(r.midBody.kind, "aborted");
      assert.equal(r.midBody.status, 200, "the status that arrived");
      assert.match(String(r.midBodyId), /^[0-9a-f]{32}$/, "the X-Request-Id that arrived");
      assert.equal(r.thisSeen, "none", "callbacks are called without the driver's objects as this");
      assert.equal(r.providerAborted.kind, "aborted");
      assert.equal(r.providerTimedOut.kind, "timeout");
      assert.equal(r.asked, 2, "asked, then asked to refresh");
      assert.equal(r.refreshFailed.kind, "invalid-input");
      assert.match(r.refreshFailed.message, /^tokenProvider threw: vault refused to refresh \[REDACTED\]$/);
      assert.ok(!r.refreshFailed.message.includes(r.refused));
      assert.equal(r.getterThrew.kind, "invalid-input", "a throwing getter rejects each call");
      assert.match(r.getterThrew.message, /reading token threw/);
      assert.equal(r.afterFree.kind, "invalid-input");
      assert.match(r.afterFree.message, /freed/);
      assert.equal(r.startedBeforeFree, 5, "a call made before free() goes ahead");
      assert.equal(r.firstStartedBeforeFree, 1, "so does a new client's first call");
      assert.equal(r.unboundCall, "rejected", "an unbound method rejects rather than throwing");
    },
  },
  {
    name: "AK/SK credentials sign every request; outside Node they need the opt-in",
    async run(pkg, { url, credentials, temporary }, describe) {
      const inNode = typeof process !== "undefined" && Boolean(process.versions?.node);
      const client = (settings) => new pkg.CphClient({ endpoint: url, projectId: "p", allowSecretKeyInBrowser: true, ...settings });
      const signed = await client({ credentials }).listAllJobs({ requestIds: ["jobs-5-s1", "jobs-5-s2"], limit: 3 });
      const temporaryKeys = await client({ credentials: temporary }).listJobs({ requestId: "jobs-2" });
      const wrongSecret = "not-the-secret-key-at-all";
      const wrong = await client({ credentials: { ...credentials, secretKey: wrongSecret } })
        .listJobs({ requestId: "jobs-2" })
        .catch(describe);
      const noOptIn = await new pkg.CphClient({ endpoint: url, projectId: "p", credentials })
        .listJobs({ requestId: "jobs-2" })
        .then((r) => r.jobs.length, describe);
      const both = await client({ credentials, token: "t-123" }).listJobs({ requestId: "jobs-2" }).catch(describe);
      const partial = await client({ credentials: { accessKey: credentials.accessKey } }).listJobs({ requestId: "jobs-2" }).catch(describe);
      return {
        inNode,
        jobs: signed.jobs.length,
        attempts: signed.$metadata.attempts,
        temporary: temporaryKeys.jobs.length,
        wrong,
        leaked: JSON.stringify(wrong).includes(wrongSecret) || JSON.stringify(wrong).includes(credentials.secretKey),
        noOptIn,
        both,
        partial,
      };
    },
    check(r) {
      assert.equal(r.jobs, 10);
      assert.equal(r.attempts, 4, "10 jobs in pages of 3: every request signed anew");
      assert.equal(r.temporary, 2);
      assert.deepEqual([r.wrong.kind, r.wrong.status, r.wrong.errorCode, r.wrong.attempts], ["http", 401, "APIG.0301", 1]);
      assert.equal(r.leaked, false);
      if (r.inNode) assert.equal(r.noOptIn, 2, "Node needs no opt-in");
      else {
        assert.equal(r.noOptIn.kind, "invalid-input");
        assert.match(r.noOptIn.message, /^invalid credentials: .*allowSecretKeyInBrowser/);
      }
      assert.match(r.both.message, /give one of token, tokenProvider and credentials/);
      assert.match(r.partial.message, /^invalid secretKey: it is missing/);
    },
  },
];
