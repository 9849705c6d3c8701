// Vitest 3 in its jsdom environment (vitest.config.mjs).
import { test } from "vitest";
import * as pkg from "cph-jobs";
import { checks } from "../checks.mjs";

for (const { name, run } of checks) {
  test(name, () => run(pkg, process.env.CPH_MOCK_URL));
}
