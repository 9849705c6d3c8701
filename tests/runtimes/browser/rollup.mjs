// The Rollup row's page: Rollup emits no .wasm for `new URL(...,
// import.meta.url)` without a plugin, so the page uses the inline build,
// which carries the module as base64.
import * as pkg from "cph-jobs/inline";
import { runChecks } from "../checks.mjs";

window.cphRun = (endpoint) => runChecks(pkg, endpoint);
window.cphReady = true;
