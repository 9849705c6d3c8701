// Browsers and bundlers: the web build, instantiated on first use so that
// importing the package costs nothing until a call is made, and no top-level
// await is needed (bundlers targeting older browsers refuse it).
import init, * as wasm from "./web/cph_jobs.js";
import * as runtime from "__RUNTIME_MODULE__";
import { api } from "./web/driver.js";

export { CphError, JobStatus } from "__RUNTIME_MODULE__";

let ready;
let loaded = false;

function load() {
  ready ??= init().then(() => {
    loaded = true;
  }, (cause) => {
    ready = undefined; // let a later call try again, e.g. after the network is back
    throw new runtime.CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
  });
  return ready;
}

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(wasm, runtime, load);

/** See the type declaration: the module's linear memory in bytes (0 before the first call loads it). */
export function memoryBytes() {
  return loaded ? wasm.memoryBytes() : 0;
}
