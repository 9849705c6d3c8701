// The headless-Chromium side of `make bench`: the same timing loop, baseline
// and mock as in Node, in a page the mock serves next to the package
// (/pkg/ is pkg/, /bench/ is this folder), so every request is same-origin.

const TOKEN = "bench-token";

async function openPage(browser, origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/bench/page.html`);
  return { page, close: () => context.close() };
}

/** Per-call medians of floor, baseline and listJobs for every page size. */
/** `against`: also time the build of the package the mock serves at /against/. */
export async function chromiumCalls(browser, origin, { quick = false, against = false, log = () => {} } = {}) {
  const { page, close } = await openPage(browser, origin);
  page.on("console", (msg) => log(`  chromium: ${msg.text()}`));
  try {
    return await page.evaluate(
      async ({ token, quick, against }) => {
        const { compare, contenders } = await import("/bench/calls.mjs");
        const { listJobs } = await import("/pkg/index.js");
        const { listJobsBaseline } = await import("/bench/baseline.mjs");
        const other = against ? (await import("/against/index.js")).listJobs : undefined;
        return compare(contenders(location.origin, token, listJobs, listJobsBaseline, other), {
          quick,
          log: (line) => console.log(line),
        });
      },
      { token: TOKEN, quick, against },
    );
  } finally {
    await close();
  }
}

/**
 * One cold start in a fresh context (empty HTTP cache, no compiled module).
 * The package: import the entry, then a first call, which fetches, compiles
 * and instantiates the .wasm before it fails validation. The baseline: its
 * import, the reference for loading any module from this server.
 */
export async function chromiumCold(browser, origin, which = "package") {
  const { page, close } = await openPage(browser, origin);
  try {
    return await page.evaluate(
      async ({ token, which }) => {
        const t0 = performance.now();
        const m = await import(which === "package" ? "/pkg/index.js" : "/bench/baseline.mjs");
        const t1 = performance.now();
        if (which === "package") await m.listJobs("", "p", "r", token).catch(() => {});
        const t2 = performance.now();
        return { importMs: t1 - t0, firstCallMs: t2 - t1, totalMs: t2 - t0 };
      },
      { token: TOKEN, which },
    );
  } finally {
    await close();
  }
}

/**
 * Linear memory of the web build after 100 and after 10,000 calls (pages of
 * 100 jobs), and the page's JS heap after a forced GC. The web glue's init()
 * resolves with the instance's exports once the entry has loaded it.
 */
export async function chromiumMemory(browser, origin, { quick = false } = {}) {
  const { page, close } = await openPage(browser, origin);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const snapshot = async (calls, note) => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const linearBytes = await page.evaluate(async () => (await (await import("/pkg/web/cph_jobs.js")).default()).memory.buffer.byteLength);
    return { calls, linearBytes, jsHeapUsed: metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? null, ...(note ? { note } : {}) };
  };
  const run = (id, n) =>
    page.evaluate(
      async ({ id, n, token }) => {
        const { listJobs } = await import("/pkg/index.js");
        for (let i = 0; i < n; i++) await listJobs(location.origin, "bench", id, token);
      },
      { id, n, token: TOKEN },
    );
  try {
    await run("bulk-100", 1);
    const out = [await snapshot(1)];
    let done = 1;
    for (const target of quick ? [100, 1_000] : [100, 10_000]) {
      await run("bulk-100", target - done);
      done = target;
      out.push(await snapshot(done));
    }
    await run("bulk-10000", 3);
    out.push(await snapshot(done + 3, "then 3 pages of 10,000 jobs"));
    return out;
  } finally {
    await close();
  }
}
