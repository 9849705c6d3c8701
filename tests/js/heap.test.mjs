// The package keeps nothing of a finished call: the JavaScript heap after
// thousands of calls is what it was after a few (a loader that held every
// result grew it by about 30 KB a call).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const script = `
  const { startMock } = await import(${JSON.stringify(new URL("../mock/server.mjs", import.meta.url).href)});
  const { listJobs, CphClient } = await import("cph-jobs");
  const mock = await startMock();
  const client = new CphClient({ endpoint: mock.url, projectId: "p", token: "heap-test-token" });
  const used = () => (globalThis.gc(), process.memoryUsage().heapUsed);
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      await listJobs(mock.url, "p", "bulk-100", "heap-test-token");
      await client.listJobs({ requestId: "bulk-100" });
    }
  };
  await run(200);
  const before = used();
  await run(2000);
  const after = used();
  await mock.close();
  console.log(JSON.stringify({ before, after }));
`;

test("the JavaScript heap stays flat over 4,000 calls", () => {
  const cwd = new URL("../../.tmp/consumer/", import.meta.url);
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd, encoding: "utf8", timeout: 120_000 });
  const { before, after } = JSON.parse(out.trim().split("\n").pop());
  assert.ok(after - before < 8 * 1024 * 1024, `heap grew from ${before} to ${after} bytes`);
});
