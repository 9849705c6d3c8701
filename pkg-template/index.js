// Browsers, workers and bundlers: the web build, instantiated on first use so
// that importing the package costs nothing until a call is made, and no
// top-level await is needed (bundlers targeting older browsers refuse it).
//
// Two modules (see api.js): the plain one, for tokens, and the signing one,
// imported only for a CphClient given `credentials` and
// `allowSecretKeyInBrowser`. Both use the one error snippet, so every error
// is the same CphError class.
//
// assemble.mjs makes three entries of this file, apart only in where each
// module comes from unless init() was given one (the __…__ values):
// index.js, nothing, so the glue fetches the .wasm beside it (new URL(…,
// import.meta.url)); workerd.js, the modules imported, each a
// WebAssembly.Module there; inline.js, one module carried as base64: the
// signing one, which does everything, loaded by the plain module's glue
// (the two modules share one glue; see assemble-glue.mjs).
import initPlain, * as plain from "./web/cph_jobs.js";
import { CphError } from "__ERROR_MODULE__";
import { api } from "./web/api.js";
__WASM_IMPORTS__
const plainDefault = __PLAIN_DEFAULT__;
const signingDefault = __SIGNING_DEFAULT__;

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
    (ready ??= instantiate().then(load.done, (cause) => {
      ready = undefined;
      throw new CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
    }));
  load.done = (module) => {
    instances.add(module);
    load.loaded = module;
    return module;
  };
  return load;
}

/** What init() was given, if anything. */
let plainInput;
const wasmInput = (input) => (input === undefined ? undefined : { module_or_path: input });
const isOptions = (value) => value !== null && Object.getPrototypeOf(value) === Object.prototype;

const loadPlain = loader(() => initPlain(wasmInput(plainInput ?? plainDefault())).then(() => plain));
// `signingDefault` null: the one module the entry carries signs too (inline.js).
const loadSigning =
  signingDefault === null
    ? loadPlain
    : loader(() =>
        import("./web/signing/cph_jobs_signing.js").then(async (signing) => {
          await signing.default(wasmInput(await signingDefault()));
          return signing;
        }),
      );

/**
 * See the type declaration: instantiates the module from `input` (a URL or
 * string, a Response, bytes, a WebAssembly.Module, a promise of one, or
 * `{ module_or_path }`), or without one from where the package finds it.
 */
export function init(input) {
  if (input !== undefined) plainInput = isOptions(input) && "module_or_path" in input ? input.module_or_path : input;
  return loadPlain().then(() => undefined);
}

/** See the type declaration: instantiates the module now from `{ module }` (bytes or a WebAssembly.Module). */
export function initSync(options) {
  plain.initSync({ module: isOptions(options) ? options.module : options });
  loadPlain.done(plain);
}

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(loadPlain, loadSigning, CphError);

/** See the type declaration: the linear memory of the package's modules in bytes (0 before the first call loads one). */
export function memoryBytes() {
  let bytes = 0;
  for (const module of instances) bytes += module.memoryBytes();
  return bytes;
}
