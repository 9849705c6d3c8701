// Deno 2, with the package installed in node_modules beside a package.json
// (run.mjs passes --node-modules-dir=manual and the permissions it needs).
import * as pkg from "cph-jobs";
import { RESULT_PREFIX, runChecks } from "../checks.mjs";

console.log(RESULT_PREFIX + JSON.stringify(await runChecks(pkg, Deno.env.get("CPH_MOCK_URL"))));
