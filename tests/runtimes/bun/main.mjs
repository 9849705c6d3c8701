// Bun, as a user runs a script: `bun main.mjs`.
import * as pkg from "cph-jobs";
import { RESULT_PREFIX, runChecks } from "../checks.mjs";

console.log(RESULT_PREFIX + JSON.stringify(await runChecks(pkg, Bun.env.CPH_MOCK_URL)));
