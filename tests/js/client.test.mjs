// The cases of client.cases.mjs in Node, through the installed tarball.
import { after, before, test } from "node:test";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { startMock } from "../mock/server.mjs";
import { DEMO_CREDENTIALS, DEMO_TEMPORARY_CREDENTIALS } from "../mock/aksk.mjs";
import { cases, describeError } from "./client.cases.mjs";

const consumer = fileURLToPath(new URL("../../.tmp/consumer/", import.meta.url));
const TOKEN = "MIIT-client-test-token-9a7e3f1c5b2d8064";
const logLines = [];
let mock;
let pkg;

before(async () => {
  mock = await startMock({ timeScale: 0.01, log: (line) => logLines.push(line) });
  pkg = await import(`${consumer}esm.mjs`);
});
after(() => mock.close());

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    check(await run(pkg.default ?? pkg, { url: mock.url, token: TOKEN, tag: `node${i}`, credentials: DEMO_CREDENTIALS, temporary: DEMO_TEMPORARY_CREDENTIALS }, describeError));
  });
}

test("CommonJS gets the same functions and classes", async () => {
  const cjs = createRequire(consumer)("./cjs.cjs");
  const esm = pkg.default ?? pkg;
  for (const name of ["listJobs", "listAllJobs", "paginateJobs", "waitForJobs", "CphClient", "CphError"]) {
    assert.equal(typeof cjs[name], "function", name);
    assert.equal(cjs[name], esm[name], `${name}: one instance for import and require`);
  }
  const result = await cjs.listAllJobs(mock.url, "p", "jobs-3", TOKEN);
  assert.equal(result.jobs.length, 3);
});

test("no log line of the mock carries the token", () => {
  assert.ok(logLines.length > 50);
  for (const line of logLines) assert.ok(!line.includes(TOKEN), line);
});
