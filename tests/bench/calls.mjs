// The per-call timing loop of `make bench`, shared by Node and the browser
// page: the same contenders against the same mock page, in one process, in
// an order that rotates every round, so that drift (GC, JIT, a busy machine)
// falls on every contender alike.

/** Pages of this many jobs (the mock's `bulk-N` scenario answers N in one page). */
export const PAGE_SIZES = [1, 100, 1_000, 10_000];

/** Rounds x calls per contender and round, per page size; fewer for big pages. */
export function plan(jobs, quick = false) {
  const full = jobs <= 100 ? [40, 10] : jobs <= 1_000 ? [16, 4] : [10, 2];
  return quick ? { rounds: 3, perRound: Math.max(1, full[1] >> 1), warmup: 2 } : { rounds: full[0], perRound: full[1], warmup: 4 };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The contenders for one endpoint: `floor` only fetches the body (the mock
 * and the network, what neither side can avoid), `baseline` is the
 * hand-written code, `listJobs` the package, and `against`, when given,
 * another build of the package (`make bench AGAINST=dir`), for a before and
 * after in one process.
 */
export function contenders(endpoint, token, listJobs, listJobsBaseline, against) {
  return {
    ...(against && { against: (id) => against(endpoint, "bench", id, token) }),
    floor: async (id) => {
      const res = await fetch(`${endpoint}/v1/bench/cloud-phone/jobs?request_id=${id}`, {
        headers: { "X-Auth-Token": token },
        cache: "no-store",
      });
      return (await res.arrayBuffer()).byteLength;
    },
    baseline: (id) => listJobsBaseline(endpoint, "bench", id, token),
    listJobs: (id) => listJobs(endpoint, "bench", id, token),
  };
}

/** Key order aside, the JSON text of a value, to compare the two results. */
function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/**
 * Times every contender on pages of each size; returns, per size, the body
 * bytes, the calls per contender, and each contender's median per call in
 * milliseconds.
 */
export async function compare(fns, { sizes = PAGE_SIZES, quick = false, log = () => {} } = {}) {
  const names = Object.keys(fns);
  const results = [];
  for (const jobs of sizes) {
    const id = `bulk-${jobs}`;
    const { rounds, perRound, warmup } = plan(jobs, quick);
    // Both sides must produce the same objects, or the comparison is moot.
    const [a, b] = [await fns.baseline(id), await fns.listJobs(id)];
    if (canonical(a) !== canonical(b) || b.jobs.length !== jobs) {
      throw new Error(`listJobs and the baseline disagree on ${id}`);
    }
    if (fns.against && canonical(await fns.against(id)) !== canonical(b)) throw new Error(`listJobs and the build it is compared against disagree on ${id}`);
    const bytes = await fns.floor(id);
    for (const name of names) for (let i = 0; i < warmup; i++) await fns[name](id);
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]);
      if (r % 2) order.reverse();
      // One sample per round and contender, the mean of its calls: browsers
      // coarsen performance.now() to 0.1 ms, too coarse for a single call.
      for (const name of order) {
        const t0 = performance.now();
        for (let i = 0; i < perRound; i++) await fns[name](id);
        samples[name].push((performance.now() - t0) / perRound);
      }
    }
    const row = { jobs, bytes, calls: rounds * perRound };
    for (const name of names) row[name] = median(samples[name]);
    results.push(row);
    log(`${jobs} jobs: ${names.map((n) => `${n} ${row[n].toFixed(3)} ms`).join(", ")}`);
  }
  return results;
}
