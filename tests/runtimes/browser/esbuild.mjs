// The esbuild row's page: esbuild leaves `new URL("cph_jobs_bg.wasm",
// import.meta.url)` alone and emits no .wasm, so the page imports the
// package's .wasm itself (the build's `loader: { ".wasm": "file" }` turns
// that into its emitted URL) and hands it to init().
import * as pkg from "cph-jobs";
import wasmUrl from "cph-jobs/cph_jobs_bg.wasm";
import { runChecks } from "../checks.mjs";

pkg.init(wasmUrl);
window.cphRun = (endpoint) => runChecks(pkg, endpoint);
window.cphReady = true;
