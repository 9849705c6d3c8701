// The mock CPH service itself: it must speak the API the way the real one
// does, or the other tests prove nothing. Plain fetch, no package involved.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startMock } from "../mock/server.mjs";

let mock;
const lines = [];
before(async () => {
  mock = await startMock({ timeScale: 0.01, log: (line) => lines.push(line) });
});
after(() => mock.close());

const get = (query, token = "tok-abcdef123456", init = {}) =>
  fetch(`${mock.url}/v1/proj_1/cloud-phone/jobs?${query}`, { headers: { "X-Auth-Token": token }, redirect: "manual", ...init });

test("answers the CORS preflight for X-Auth-Token and exposes X-Request-Id", async () => {
  const res = await fetch(`${mock.url}/v1/p/cloud-phone/jobs?request_id=demo`, {
    method: "OPTIONS",
    headers: { Origin: "http://example.test", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-auth-token" },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "http://example.test");
  assert.match(res.headers.get("access-control-allow-headers"), /x-auth-token/i);
  assert.match(res.headers.get("access-control-expose-headers"), /X-Request-Id/);
  assert.match(res.headers.get("x-request-id"), /^[0-9a-f]{32}$/);
});

test("pages with offset and limit, 100 by default", async () => {
  const all = await (await get("request_id=jobs-250")).json();
  assert.equal(all.jobs.length, 100);
  const last = await (await get("request_id=jobs-250&offset=200&limit=100")).json();
  assert.equal(last.jobs.length, 50);
  assert.equal(last.jobs[0].job_id, "jobs-250-000200");
  const bulk = await (await get("request_id=bulk-1000")).json();
  assert.equal(bulk.jobs.length, 1000, "bulk-N ignores paging");
});

test("hostile answers every offset with a full page of new 1 KiB jobs", async () => {
  const far = await (await get("request_id=hostile-x&offset=1000000&limit=100")).json();
  assert.equal(far.jobs.length, 100);
  assert.equal(far.jobs[0].job_id, "hostile-x-1000000");
  assert.equal(far.jobs[0].execute_msg.length, 1024);
});

test("request_ids wins over request_id and takes at most 20 ids", async () => {
  const both = await (await get("request_id=doc-example&request_ids=demo-a,demo-b")).json();
  assert.equal(both.request_id, "demo-a,demo-b");
  assert.equal(both.jobs.length, 24);
  const ids = Array.from({ length: 21 }, (_, i) => `demo-${i}`).join(",");
  const res = await get(`request_ids=${ids}`);
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error_code, "CPS.0001");
});

test("validates its parameters like the API, with 400 bodies", async () => {
  for (const query of ["", "request_id=a/b", "request_id=demo&limit=0", "request_id=demo&limit=101", "request_id=demo&offset=-1", "request_id=demo&limit=x"]) {
    const res = await get(query);
    assert.equal(res.status, 400, query);
    const body = await res.json();
    assert.equal(body.error_code, "CPS.0001", query);
    assert.match(body.request_id, /^[0-9a-f]{32}$/);
  }
});

test("refuses a missing or bad token with 401 APIG.0301", async () => {
  for (const token of ["", "bad-token"]) {
    const res = await fetch(`${mock.url}/v1/p/cloud-phone/jobs?request_id=demo`, { headers: token ? { "X-Auth-Token": token } : {} });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error_code, "APIG.0301");
  }
});

test("runs the demo batch from Running to finished, deterministically", async () => {
  const first = await (await get("request_id=demo-lifecycle")).json();
  assert.equal(first.jobs.length, 12);
  assert.ok(first.jobs.every((j) => j.status === 1 && j.begin_time && !j.end_time));
  await new Promise((r) => setTimeout(r, 200)); // 6.4 s x 0.01 time scale, with margin
  const done = await (await get("request_id=demo-lifecycle")).json();
  assert.ok(done.jobs.every((j) => j.status === 2 || j.status === -1), JSON.stringify(done.jobs.map((j) => j.status)));
  assert.ok(done.jobs.every((j) => j.end_time));
  for (const j of done.jobs.filter((j) => j.status === -1)) assert.match(j.error_code, /^CPS\.\d{4}$/);
  for (const j of done.jobs.filter((j) => j.status === 2)) assert.ok(j.execute_msg.length > 0);
  assert.deepEqual(done.jobs.map((j) => j.job_id), first.jobs.map((j) => j.job_id), "same jobs, same order");
});

test("serves its fault scenarios", async () => {
  assert.equal((await get("request_id=err-503")).status, 503);
  assert.equal((await get("request_id=redirect")).status, 302);
  const throttled = await get("request_id=throttled");
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers.get("retry-after"), "1");
  const started = Date.now();
  assert.equal((await get("request_id=slow-150")).status, 200);
  assert.ok(Date.now() - started >= 140);
  const hang = await get("request_id=hang", undefined, { signal: AbortSignal.timeout(200) }).catch((e) => e);
  assert.equal(hang.name, "TimeoutError");
});

test("logs one line per request, never the token", async () => {
  await get("request_id=demo", "tok-secret-should-not-be-logged");
  assert.ok(lines.length > 10);
  assert.ok(lines.every((l) => /^[A-Z]+ \S+ \d{3} \d+ms$/.test(l)), lines.find((l) => !/^[A-Z]+ \S+ \d{3} \d+ms$/.test(l)));
  assert.ok(!lines.some((l) => l.includes("tok-secret")));
});
