// Browsers and bundlers: the web build, instantiated on first use so that
// importing the package costs nothing until a call is made, and no top-level
// await is needed (bundlers targeting older browsers refuse it).
import init, { listJobs as listJobsInWasm } from "./web/cph_jobs.js";
import { CphError } from "__ERROR_MODULE__";

export { CphError, JobStatus } from "__ERROR_MODULE__";

let ready;

function load() {
  ready ??= init().catch((cause) => {
    ready = undefined; // let a later call try again, e.g. after the network is back
    throw new CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
  });
  return ready;
}

/** See the type declaration: lists the jobs of one batch request. */
export async function listJobs(endpoint, projectId, requestId, token, options) {
  await load();
  return listJobsInWasm(endpoint, projectId, requestId, token, options);
}
