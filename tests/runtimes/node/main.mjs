// Node, ESM (also run by Bun): import the package, run the checks, print the result line.
import * as pkg from "cph-jobs";
import { RESULT_PREFIX, runChecks } from "../checks.mjs";

console.log(RESULT_PREFIX + JSON.stringify(await runChecks(pkg, process.env.CPH_MOCK_URL)));
