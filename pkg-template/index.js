// Browsers, workers and bundlers: the web build, instantiated on first use so
// that importing the package costs nothing until a call is made, and no
// top-level await is needed (bundlers targeting older browsers refuse it).
//
// Two modules (see api.js): the plain one, for tokens, and the signing one,
// imported only for a CphClient given `credentials` and
// `allowSecretKeyInBrowser`. Both use the one error snippet, so every error
// is the same CphError class.
import init, * as plain from "./web/cph_jobs.js";
import { CphError } from "__ERROR_MODULE__";
import { api } from "./web/api.js";

export { CphError, JobStatus } from "__ERROR_MODULE__";

/** The instantiated modules, for memoryBytes(). */
const instances = new Set();

/**
 * Instantiates a module on first use, and then holds it in `loaded`, so a
 * later call need not wait. A failed load lets a later call try again, e.g.
 * after the network is back.
 */
function loader(instantiate) {
  let ready;
  const load = () =>
    (ready ??= instantiate().then(
      (module) => {
        instances.add(module);
        load.loaded = module;
        return module;
      },
      (cause) => {
        ready = undefined;
        throw new CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
      },
    ));
  return load;
}

const loadPlain = loader(() => init().then(() => plain));
const loadSigning = loader(() =>
  import("./web/signing/cph_jobs_signing.js").then((signing) => signing.default().then(() => signing)),
);

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(loadPlain, loadSigning, CphError);

/** See the type declaration: the linear memory of the package's modules in bytes (0 before the first call loads one). */
export function memoryBytes() {
  let bytes = 0;
  for (const module of instances) bytes += module.memoryBytes();
  return bytes;
}
