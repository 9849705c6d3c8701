// Browsers and bundlers: the web build, instantiated on first use so that
// importing the package costs nothing until a call is made, and no top-level
// await is needed (bundlers targeting older browsers refuse it).
import init, * as wasm from "./web/cph_jobs.js";
import { CphError } from "__RUNTIME_MODULE__";

export { CphError, JobStatus } from "__RUNTIME_MODULE__";

let ready;
let loaded = false;

function load() {
  ready ??= init().then(() => {
    loaded = true;
  }, (cause) => {
    ready = undefined; // let a later call try again, e.g. after the network is back
    throw new CphError("network", `could not load the cph-jobs WebAssembly module: ${cause?.message ?? cause}`);
  });
  return ready;
}

/** See the type declaration: lists one page of the jobs of a batch request. */
export async function listJobs(endpoint, projectId, requestId, token, options) {
  await load();
  return wasm.listJobs(endpoint, projectId, requestId, token, options);
}

/** See the type declaration: lists every job of one or many batch requests. */
export async function listAllJobs(endpoint, projectId, requestId, token, options) {
  await load();
  return wasm.listAllJobs(endpoint, projectId, requestId, token, options);
}

/** See the type declaration: the module's linear memory in bytes (0 before the first call loads it). */
export function memoryBytes() {
  return loaded ? wasm.memoryBytes() : 0;
}

/** See the type declaration: polls until no job is running. */
export async function waitForJobs(endpoint, projectId, requestId, token, options) {
  await load();
  return wasm.waitForJobs(endpoint, projectId, requestId, token, options);
}

/** See the type declaration: the pages of the jobs, for `for await`. */
export async function* paginateJobs(endpoint, projectId, requestId, token, options) {
  await load();
  yield* wasm.paginateJobs(endpoint, projectId, requestId, token, options);
}

/**
 * See the type declaration. The module loads on the first call, so the
 * client made here is created then; like every failure, a bad setting
 * rejects that call.
 */
export class CphClient {
  #config;
  #client;

  constructor(config) {
    // A copy, as the Node build reads the settings at construction too.
    this.#config = config !== null && typeof config === "object" ? { ...config } : config;
  }

  async #get() {
    await load();
    this.#client ??= new wasm.CphClient(this.#config);
    return this.#client;
  }

  async listJobs(query) {
    return (await this.#get()).listJobs(query);
  }

  async listAllJobs(query) {
    return (await this.#get()).listAllJobs(query);
  }

  async waitForJobs(query) {
    return (await this.#get()).waitForJobs(query);
  }

  async *paginateJobs(query) {
    yield* (await this.#get()).paginateJobs(query);
  }

  free() {
    this.#client?.free();
    this.#client = undefined;
  }
}
// As wasm-bindgen's own classes do: `using` works where the runtime has it.
if (Symbol.dispose) CphClient.prototype[Symbol.dispose] = CphClient.prototype.free;
