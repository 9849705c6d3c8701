// A broken instance is never reused (web/api.js's `instances`): a trap ends
// the call, and every call in flight on that instance, with a CphError of
// kind "internal", and the next call runs on a fresh instance, which the
// glue's own __wbg_reset_state() makes; so does the call after one that
// left linear memory past 64 MiB. The broken instance's late callbacks (a
// fetch's answer, a deadline's timer) do nothing: no uncaught error, which
// would end a Node process. It runs in its own process (instances.test.mjs),
// which records uncaught errors rather than dying of them. The trap is a real
// out-of-memory: the test grows the first instance's memory to the 4 GiB a
// wasm32 instance can have (the pages are reserved, never touched), so the
// next large allocation fails.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { startMock } from "../mock/server.mjs";

const web = new URL("../../.tmp/consumer/node_modules/cph-jobs/web/", import.meta.url);
const TOKEN = "MIIT-instances-test-token-0f2e4d6c8b1a3957";
let mock;
let pkg;
let CphError;
let glue;
let first;

/** What the Node entry does: the module, instantiated at once. */
async function instantiate() {
  glue = await import(new URL("signing/cph_jobs_signing.js", web).href);
  first = glue.initSync({ module: readFileSync(new URL("signing/cph_jobs_signing_bg.wasm", web)) });
  return glue;
}
const load = () => glue;

/** Leaves the first instance no memory to grow into. */
function exhaust() {
  first.memory.grow(65536 - first.memory.buffer.byteLength / 65536);
}

const late = [];
const tests = [];
const test = (name, fn) => tests.push([name, fn]);
async function setup() {
  process.on("uncaughtException", (err) => late.push(err));
  mock = await startMock();
  await instantiate();
  load.loaded = glue;
  const [snippet] = readdirSync(new URL("snippets/", web));
  ({ CphError } = await import(pathToFileURL(new URL(`snippets/${snippet}/src/wasm/error.js`, web).pathname).href));
  const { api } = await import(new URL("api.js", web).href);
  pkg = api(load, load, CphError);
}

const kindOf = (promise) =>
  promise.then(
    (r) => `ok ${r.jobs.length}`,
    (err) => (err instanceof CphError ? err.kind : `not a CphError: ${err}`),
  );

test("a trap ends the call and every call in flight with kind internal; the next calls run on a fresh instance", async () => {
  const client = new pkg.CphClient({ endpoint: mock.url, projectId: "p", token: TOKEN });
  assert.equal(await kindOf(client.listJobs({ requestId: "doc-example" })), "ok 2");
  // 100 calls waiting on a slow server when the instance breaks.
  const inFlight = Array.from({ length: 100 }, (_, i) =>
    kindOf(
      i % 2
        ? client.listJobs({ requestId: `slow-1500-${i}`, timeoutMs: 1800 })
        : pkg.listJobs(mock.url, "p", `slow-1500-${i}`, TOKEN, { timeoutMs: 1800 }),
    ),
  );
  exhaust();
  const ids = Array.from({ length: 400_000 }, (_, i) => `id-${i}`);
  const started = Date.now();
  const trapped = await client.listAllJobs({ requestIds: ids }).catch((err) => err);
  assert.ok(trapped instanceof CphError, String(trapped));
  assert.equal(trapped.kind, "internal");
  assert.match(trapped.message, /WebAssembly instance failed \(RuntimeError: unreachable/);
  assert.match(trapped.message, /the next call runs on a fresh instance/);
  const settled = await Promise.all(inFlight);
  assert.deepEqual(new Set(settled), new Set(["internal"]), "every call in flight ends with the instance");
  assert.ok(Date.now() - started < 2500, "they never wait for their answers");
  // The same client and a new one, on a fresh instance.
  assert.equal(await kindOf(client.listJobs({ requestId: "doc-example" })), "ok 2");
  assert.ok(glue.memoryBytes() < 8 * 1024 * 1024, "a fresh, small instance");
  const fresh = new pkg.CphClient({ endpoint: mock.url, projectId: "p", token: TOKEN });
  assert.equal(await kindOf(fresh.listAllJobs({ requestIds: ["jobs-150", "doc-example"] })), "ok 300");
  assert.equal(await kindOf(pkg.listJobs(mock.url, "p", "doc-example", TOKEN)), "ok 2");
  const pages = [];
  for await (const page of client.paginateJobs({ requestId: "jobs-250" })) pages.push(page.jobs.length);
  assert.deepEqual(pages, [100, 100, 50]);
  // The broken instance's own callbacks (the slow answers, the deadlines'
  // timers) fire after it was replaced, and do nothing.
  await new Promise((ok) => setTimeout(ok, 4000));
  assert.deepEqual(late, []);
});

test("after a call that grew linear memory past 64 MiB the next call starts on a fresh instance", async () => {
  const grown = await pkg.listAllJobs(mock.url, "p", "hostile-grow", TOKEN).catch((err) => err);
  assert.equal(grown.kind, "limit-exceeded");
  const big = glue.memoryBytes();
  assert.ok(big > 64 * 1024 * 1024, `${big} bytes`);
  assert.equal(await kindOf(pkg.listJobs(mock.url, "p", "doc-example", TOKEN)), "ok 2");
  assert.ok(glue.memoryBytes() < 8 * 1024 * 1024, "the fresh instance is small");
});

await setup();
const failures = [];
for (const [name, fn] of tests) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (err) {
    failures.push(`${name}: ${err?.stack ?? err}`);
  }
}
await mock.close();
console.log(JSON.stringify({ failures, late: late.map(String) }));
process.exit(failures.length ? 1 : 0);
