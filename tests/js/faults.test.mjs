// The fault cases of faults.cases.mjs in Node, through the installed tarball.
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { startMock } from "../mock/server.mjs";
import { cases, EXPECTED } from "./faults.cases.mjs";
import { describeError } from "./client.cases.mjs";

const consumer = fileURLToPath(new URL("../../.tmp/consumer/", import.meta.url));
const TOKEN = "MIIT-fault-test-token-5d1e9b7c3a0f2846";
const logLines = [];
const unhandled = [];
let mock;
let pkg;

before(async () => {
  process.on("unhandledRejection", (reason) => unhandled.push(reason));
  mock = await startMock({ timeScale: 0.01, log: (line) => logLines.push(line) });
  pkg = await import(`${consumer}esm.mjs`);
});
after(() => mock.close());

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const args = { url: mock.url, token: TOKEN, modes: Object.keys(EXPECTED), tag: `node${i}`, rounds: 10_000 };
    check(await run(pkg, args, describeError));
  });
}

test("no unhandled rejection, and no log line carries the token", () => {
  assert.deepEqual(unhandled, []);
  for (const line of logLines) assert.ok(!line.includes(TOKEN), line);
});
