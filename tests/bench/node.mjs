// The Node side of `make bench`; each mode runs in its own process, started by
// tests/bench/run.mjs, and prints one JSON line last. The mock runs in the
// parent, so its work never shares this event loop.
//
//   node tests/bench/node.mjs calls              (CPH_MOCK_URL set; BENCH_QUICK=1 for a short run;
//                                                 BENCH_AGAINST=dir adds that build of the package)
//   node --expose-gc tests/bench/node.mjs memory listJobs|baseline
//   node tests/bench/node.mjs cold package|against|baseline|none

import { join } from "node:path";
import { pathToFileURL } from "node:url";

const PACKAGE = new URL("../../pkg/node.mjs", import.meta.url).href;
const BASELINE = new URL("./baseline.mjs", import.meta.url).href;
const TOKEN = "bench-token";
const [mode, which] = process.argv.slice(2);
const endpoint = process.env.CPH_MOCK_URL;

if (mode === "cold") {
  // Everything a program pays before its first call. The package's import
  // compiles and instantiates the module; its first call here fails
  // validation, so nothing is sent. The baseline has nothing to set up, and
  // its import is the reference.
  const t0 = performance.now();
  if (which === "package" || which === "against") {
    const { listJobs } = await import(which === "package" ? PACKAGE : pathToFileURL(join(process.env.BENCH_AGAINST, "node.mjs")).href);
    const t1 = performance.now();
    await listJobs("", "p", "r", TOKEN).catch(() => {});
    const t2 = performance.now();
    print({ importMs: t1 - t0, firstCallMs: t2 - t1, totalMs: t2 - t0 });
  } else if (which === "baseline") {
    await import(BASELINE);
    const t1 = performance.now();
    print({ importMs: t1 - t0, firstCallMs: 0, totalMs: t1 - t0 });
  } else {
    print({ importMs: 0, firstCallMs: 0, totalMs: 0 });
  }
} else if (mode === "calls") {
  const { compare, contenders } = await import("./calls.mjs");
  const { listJobs } = await import(PACKAGE);
  const { listJobsBaseline } = await import(BASELINE);
  const against = process.env.BENCH_AGAINST ? (await import(pathToFileURL(join(process.env.BENCH_AGAINST, "node.mjs")).href)).listJobs : undefined;
  const results = await compare(contenders(endpoint, TOKEN, listJobs, listJobsBaseline, against), {
    quick: process.env.BENCH_QUICK === "1",
    log: (line) => console.error(`  node: ${line}`),
  });
  print(results);
} else if (mode === "memory") {
  // The nodejs glue keeps its instance to itself; catching the instance as it
  // is made gives its linear memory without a change to the package.
  let instance;
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = class extends Instance {
    constructor(...args) {
      super(...args);
      instance = this;
    }
  };
  const { listJobs } = await import(PACKAGE);
  const { listJobsBaseline } = await import(BASELINE);
  WebAssembly.Instance = Instance;
  const call = which === "baseline" ? listJobsBaseline : listJobs;
  const quick = process.env.BENCH_QUICK === "1";
  const snapshot = (calls) => {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    return { calls, linearBytes: which === "baseline" ? null : instance.exports.memory.buffer.byteLength, rss, heapUsed };
  };
  const out = [snapshot(0)];
  let done = 0;
  for (const target of quick ? [100, 1_000] : [100, 10_000]) {
    for (; done < target; done++) await call(endpoint, "bench", "bulk-100", TOKEN);
    out.push(snapshot(done));
  }
  // The largest page the bench uses, for the high-water mark of linear memory.
  for (let i = 0; i < 3; i++) await call(endpoint, "bench", "bulk-10000", TOKEN);
  out.push({ ...snapshot(done + 3), note: "then 3 pages of 10,000 jobs" });
  print(out);
} else {
  console.error("usage: node tests/bench/node.mjs calls | memory listJobs|baseline | cold package|baseline|none");
  process.exit(2);
}

function print(value) {
  console.log(JSON.stringify(value));
}
