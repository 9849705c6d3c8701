// A module Worker without a bundler: the installed package's browser entry, by path.
import * as pkg from "../node_modules/cph-jobs/index.js";
import { runChecks } from "../checks.mjs";

self.onmessage = async (event) => self.postMessage(await runChecks(pkg, event.data));
