// The total caps against the mock's hostile server, whose every offset
// answers a full page of new 1 KiB jobs: the calls that follow pages stop at
// maxTotalJobs (or the bytes it allows) with a CphError, linear memory stays
// bounded, and the next call succeeds. Run in Node (limits.test.mjs) and in
// Chromium (e2e/limits.browser.test.mjs); `run` is sent to the browser as
// source text, so it uses only its parameters.
import assert from "node:assert/strict";

export const cases = [
  {
    name: "listAllJobs, waitForJobs and paginateJobs stop at maxTotalJobs; a client sets it too",
    async run(pkg, { url, token, tag }, describe) {
      const small = { maxTotalJobs: 1000, timeoutMs: 20_000 };
      const pages = [];
      let paged;
      try {
        for await (const page of pkg.paginateJobs(url, "p", `hostile-p${tag}`, token, { maxTotalJobs: 250 })) {
          pages.push(page.jobs.length);
        }
      } catch (err) {
        paged = describe(err);
      }
      const client = new pkg.CphClient({ endpoint: url, projectId: "p", token, maxTotalJobs: 300 });
      return {
        // Jobs of about 250 bytes: the job count stops it. The hostile
        // server's 1 KiB jobs meet the bytes first (640 per job of the cap).
        all: await pkg.listAllJobs(url, "p", `jobs-5000-${tag}`, token, small).catch(describe),
        hostile: await pkg.listAllJobs(url, "p", `hostile-a${tag}`, token, small).catch(describe),
        wait: await pkg
          .waitForJobs(url, "p", `hostile-w${tag}`, token, { ...small, minDelayMs: 10 })
          .catch(describe),
        client: await client.listAllJobs({ requestId: `jobs-5000-c${tag}` }).catch(describe),
        override: await client.listAllJobs({ requestId: `jobs-5000-o${tag}`, maxTotalJobs: 500 }).catch(describe),
        pages,
        paged,
        bad: await pkg.listAllJobs(url, "p", "jobs-5", token, { maxTotalJobs: 0 }).catch(describe),
        within: (await pkg.listAllJobs(url, "p", `jobs-300-${tag}`, token, { maxTotalJobs: 300 })).jobs.length,
      };
    },
    check(r) {
      for (const [name, err] of Object.entries({ all: r.all, hostile: r.hostile, wait: r.wait, client: r.client, override: r.override, paged: r.paged })) {
        assert.equal(err?.isCphError, true, `${name}: ${JSON.stringify(err)}`);
        assert.equal(err.kind, "limit-exceeded", `${name}: ${err.message}`);
        assert.match(err.message, /larger maxTotalJobs/, name);
      }
      assert.match(r.all.message, /collected more than 1000 jobs \(maxTotalJobs\)/);
      assert.equal(r.all.attempts, 11);
      assert.match(r.hostile.message, /read more than 640000 bytes of pages \(640 per job of maxTotalJobs\)/);
      assert.equal(r.hostile.attempts, 6, "pages of about 107 KB");
      assert.match(r.wait.message, /read more than 640000 bytes/);
      assert.match(r.client.message, /more than 300 jobs/);
      assert.match(r.override.message, /more than 500 jobs/);
      assert.match(r.paged.message, /followed more than 3 pages \(maxTotalJobs \/ limit\)/);
      assert.deepEqual(r.pages, [100, 100, 100, 100]);
      assert.match(r.bad.message, /^invalid maxTotalJobs/);
      assert.equal(r.within, 300, "a batch of exactly maxTotalJobs is whole");
    },
  },
  {
    name: "with the defaults a hostile server is cut off within bounded memory, and the next call succeeds",
    async run(pkg, { url, token, tag }, describe) {
      await pkg.listJobs(url, "p", "doc-example", token);
      const before = pkg.memoryBytes();
      const started = Date.now();
      const all = await pkg.listAllJobs(url, "p", `hostile-d${tag}`, token, { timeoutMs: 120_000 }).catch(describe);
      const elapsed = Date.now() - started;
      const after = pkg.memoryBytes();
      const good = await pkg.listJobs(url, "p", "doc-example", token);
      const again = await pkg.listAllJobs(url, "p", `jobs-250-${tag}`, token);
      return { all, before, after, elapsed, good: good.jobs.length, again: again.jobs.length, last: pkg.memoryBytes() };
    },
    check(r) {
      assert.equal(r.all.kind, "limit-exceeded", r.all.message);
      // 640 bytes per job of the default 100,000: about 600 pages of 107 KB.
      assert.match(r.all.message, /read more than 64000000 bytes of pages/);
      assert.ok(r.all.attempts > 550 && r.all.attempts < 620, `${r.all.attempts} pages`);
      assert.ok(r.after < 256 * 1024 * 1024, `linear memory ${r.after} bytes`);
      assert.equal(r.good, 2);
      assert.equal(r.again, 250);
      assert.ok(r.last <= r.after, "the next calls reuse the memory");
    },
  },
];
