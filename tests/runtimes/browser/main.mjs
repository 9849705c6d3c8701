// The page every bundler row builds: the package as a page imports it, and
// the checks, for run.mjs to call from Chromium with the mock's URL.
import * as pkg from "cph-jobs";
import { runChecks } from "../checks.mjs";

window.cphRun = (endpoint) => runChecks(pkg, endpoint);
window.cphReady = true;
