// instances.run.mjs in its own process: it records uncaught errors (there
// must be none) rather than let the test runner count them against the next
// test file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

test("a broken or grown instance is replaced; calls in flight on a broken one end with kind internal", () => {
  const script = fileURLToPath(new URL("instances.run.mjs", import.meta.url));
  const out = execFileSync(process.execPath, [script], { encoding: "utf8", timeout: 120_000 });
  const { failures } = JSON.parse(out.trim().split("\n").pop());
  assert.deepEqual(failures, []);
});
