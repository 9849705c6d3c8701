// The package's functions and CphClient over its WebAssembly module: every
// call is the Rust client's (src/wasm/js). What is left here is what Rust
// cannot be: waiting for the module to load, the async-iterator protocol of
// paginateJobs, and a client whose constructor is synchronous while the
// module it needs may still be loading.
//
// `plain` and `signing` each return the module, or a promise of it, and hold
// it in `.loaded` once it is there. The web build's plain module leaves the
// signer out (a page that signs nothing never downloads it), so only a client
// given `credentials` and `allowSecretKeyInBrowser` loads the signing one. In
// Node both are one module.

/** The pages of a module's `JobPages`, for `for await`. */
async function* iterate(pages) {
  try {
    for (;;) {
      const page = await pages.next();
      if (page === undefined) return;
      yield page;
    }
  } finally {
    pages.free();
  }
}

export function api(plain, signing, CphError) {
  /** See the type declaration: lists one page of the jobs of a batch request. */
  const listJobs = async (...args) => (await plain()).listJobs(...args);
  /** See the type declaration: lists every job of one or many batch requests. */
  const listAllJobs = async (...args) => (await plain()).listAllJobs(...args);
  /** See the type declaration: polls until no job is running. */
  const waitForJobs = async (...args) => (await plain()).waitForJobs(...args);
  /** See the type declaration: the pages of the jobs, for `for await`. */
  async function* paginateJobs(...args) {
    yield* iterate((await plain()).paginateJobs(...args));
  }

  /**
   * See the type declaration. Where the module is loaded (Node) the settings
   * are read now; otherwise when the first call has loaded it, from a copy
   * made now. A bad setting rejects each call; the constructor never throws.
   */
  class CphClient {
    #config;
    #load = plain;
    #client;
    #freed = false;

    constructor(config) {
      try {
        // A copy: later changes to the caller's object do not reach the client.
        this.#config = config !== null && typeof config === "object" ? { ...config } : config;
        if (config?.credentials !== undefined && config?.allowSecretKeyInBrowser === true) this.#load = signing;
      } catch {
        // A getter that throws: the module reads it again and reports it.
        this.#config = config;
      }
      const module = this.#load.loaded;
      if (module) this.#client = new module.CphClient(config);
    }

    async #ready() {
      if (!this.#client && !this.#freed) {
        const module = await this.#load();
        // free() may come while the module loads, and so may a second call.
        if (!this.#freed) this.#client ??= new module.CphClient(this.#config);
      }
      if (this.#freed) throw new CphError("invalid-input", "invalid client: it was freed with free()");
      return this.#client;
    }

    /** Starts `use` now when the module is loaded, so a call made before free() goes ahead. */
    #call(use) {
      return this.#client ? use(this.#client) : this.#ready().then(use);
    }

    /** Lists one page of the jobs of `{ requestId }` or of up to 20 `{ requestIds }`. */
    listJobs(query) {
      return this.#call((client) => client.listJobs(query));
    }

    /** Lists every job of `{ requestId }` or `{ requestIds }` (any number). */
    listAllJobs(query) {
      return this.#call((client) => client.listAllJobs(query));
    }

    /** Polls until no job of `{ requestId }` or `{ requestIds }` is running. */
    waitForJobs(query) {
      return this.#call((client) => client.waitForJobs(query));
    }

    /** The pages of the jobs of `{ requestId }` or `{ requestIds }`, for `for await`. */
    async *paginateJobs(query) {
      yield* iterate((await this.#ready()).paginateJobs(query));
    }

    /** Frees the client's settings in WebAssembly memory now, rather than when it is collected; later calls reject. */
    free() {
      this.#freed = true;
      this.#client?.free();
      this.#client = undefined;
    }
  }
  // As wasm-bindgen's own classes do: `using` works where the runtime has it.
  if (Symbol.dispose) CphClient.prototype[Symbol.dispose] = CphClient.prototype.free;

  return { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient };
}
