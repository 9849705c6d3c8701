// Browsers and bundlers: the web build, instantiated on first use so that
// importing the package costs nothing until a call is made, and no top-level
// await is needed (bundlers targeting older browsers refuse it).
//
// Two modules (see driver.js): the plain one, for tokens, and the signing
// one, imported only when a CphClient is given `credentials` and
// `allowSecretKeyInBrowser`, so a page that signs nothing never downloads the
// signer. Both use the one runtime snippet, so every error is the same
// CphError class.
import initPlain, * as plain from "./web/cph_jobs.js";
import * as runtime from "__RUNTIME_MODULE__";
import { api } from "./web/driver.js";
// Per entry, its modules (see below):__WASM_IMPORTS__

// Where each module comes from unless init() was given one: assemble.mjs
// fills these in per entry. index.js: nothing, so wasm-bindgen's glue
// fetches the .wasm beside it (new URL(..., import.meta.url)); workerd.js:
// the modules imported as WebAssembly.Module; inline.js: bytes carried as
// base64.
const plainDefault = __PLAIN_DEFAULT__;
const signingDefault = __SIGNING_DEFAULT__;
/** What init() was given, if anything. */
let plainInput;
const wasmInput = (input) => (input === undefined ? undefined : { module_or_path: input });

export { CphError, JobStatus } from "__RUNTIME_MODULE__";

/** The instantiated modules, for memoryBytes(). */
const instances = new Set();

/**
 * Instantiates a module on first use, and then holds it in `loaded`, so a
 * later call need not wait. A failed load lets a later call try again, e.g.
 * after the network is back (for the signing module's JavaScript, as far as
 * the browser does not keep the failed import).
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
        throw new runtime.CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
      },
    ));
  return load;
}

const loadPlain = loader(() => initPlain(wasmInput(plainInput ?? plainDefault())).then(() => plain));
const loadSigning = loader(() =>
  import("./web/signing/cph_jobs_signing.js").then(async (signing) => {
    await signing.default(wasmInput(await signingDefault()));
    return signing;
  }),
);

/**
 * Instantiates the package's module from `input` (what wasm-bindgen's
 * --target web init takes: a URL or string, a Response, bytes, a
 * WebAssembly.Module, a promise of one, or `{ module_or_path }`); without
 * one, from where the package finds it itself. Optional: a call made first
 * instantiates on first use.
 */
export function init(input) {
  if (input !== undefined) {
    plainInput = input !== null && Object.getPrototypeOf(input) === Object.prototype && "module_or_path" in input ? input.module_or_path : input;
  }
  return loadPlain().then(() => undefined);
}

/** Instantiates the package's module now, from `{ module }`: bytes or a WebAssembly.Module. */
export function initSync(options) {
  const module = options !== null && Object.getPrototypeOf(options) === Object.prototype ? options.module : options;
  plain.initSync({ module });
}

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(runtime, loadPlain, loadSigning);

/** See the type declaration: the linear memory of the package's modules in bytes (0 before the first call loads one). */
export function memoryBytes() {
  let bytes = 0;
  for (const module of instances) bytes += module.memoryBytes();
  return bytes;
}
