// Browsers and bundlers: the web build, instantiated on first use so that
// importing the package costs nothing until a call is made, and no top-level
// await is needed (bundlers targeting older browsers refuse it).
//
// Two modules (see driver.js): the plain one, for tokens, and the signing
// one, imported only when a CphClient is given `credentials`, so a page that
// signs nothing never downloads the signer. Both use the one runtime
// snippet, so every error is the same CphError class.
import init, * as plain from "./web/cph_jobs.js";
import * as runtime from "__RUNTIME_MODULE__";
import { api } from "./web/driver.js";

export { CphError, JobStatus } from "__RUNTIME_MODULE__";

/** The instantiated modules, for memoryBytes(). */
const loaded = new Set();

/** Instantiates a module on first use; a failed load lets a later call try again, e.g. after the network is back. */
function loader(instantiate) {
  let ready;
  return () =>
    (ready ??= instantiate().then(
      (module) => {
        loaded.add(module);
        return module;
      },
      (cause) => {
        ready = undefined;
        throw new runtime.CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
      },
    ));
}

const loadPlain = loader(() => init().then(() => plain));
const loadSigning = loader(() => import("./web/signing/cph_jobs.js").then((signing) => signing.default().then(() => signing)));

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(runtime, loadPlain, loadSigning);

/** See the type declaration: the linear memory of the package's modules in bytes (0 before the first call loads one). */
export function memoryBytes() {
  let bytes = 0;
  for (const module of loaded) bytes += module.memoryBytes();
  return bytes;
}
