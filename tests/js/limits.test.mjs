// The total caps of limits.cases.mjs in Node, through the installed tarball,
// with the process's resident memory measured around the hostile run.
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { startMock } from "../mock/server.mjs";
import { cases } from "./limits.cases.mjs";
import { describeError } from "./client.cases.mjs";

const consumer = fileURLToPath(new URL("../../.tmp/consumer/", import.meta.url));
const TOKEN = "MIIT-limits-test-token-3c5e7a9b1d2f4608";
let mock;
let pkg;

before(async () => {
  mock = await startMock();
  pkg = await import(`${consumer}esm.mjs`);
});
after(() => mock.close());

for (const [i, { name, run, check }] of cases.entries()) {
  test(name, async () => {
    const rss = process.memoryUsage().rss;
    const result = await run(pkg, { url: mock.url, token: TOKEN, tag: `node${i}` }, describeError);
    check(result);
    const grown = process.memoryUsage().rss - rss;
    // The wasm instance's memory plus the responses in flight; without the
    // caps the hostile run grew until the instance's 4 GiB ran out.
    assert.ok(grown < 400 * 1024 * 1024, `the process grew by ${grown} bytes`);
    console.log(`# ${name}: rss +${(grown / 1048576).toFixed(1)} MiB, linear memory ${result.after ?? pkg.memoryBytes()} bytes`);
  });
}
