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

/** The pages of a module's `JobPages`, for `for await`; `call` runs each `next()` on their instance. */
async function* iterate(pages, call) {
  try {
    for (;;) {
      const page = await call(() => pages.next());
      if (page === undefined) return;
      yield page;
    }
  } finally {
    try {
      pages.free();
    } catch {
      // Their instance failed; it is dropped with them.
    }
  }
}

/** Linear memory never shrinks: past this, the next call starts on a fresh instance. */
export const FRESH_AFTER_BYTES = 64 * 1024 * 1024;

/**
 * The instance calls run on. `load()` returns the module (or a promise of it);
 * `load.fresh()`, a new instance of the module (or a promise), never one
 * given before: by default the module's own `__wbg_reset_state()`, which
 * instantiates its compiled code again. A call that rejects with anything
 * but a CphError, or throws, broke its instance (a trap: `unreachable`, out
 * of memory, a borrow left held), and so does a trap inside one of the
 * instance's callbacks, which the glue reports through `__cph_on_trap` (see
 * assemble.mjs): the call ends with kind "internal", so does every call still
 * in flight on that instance, and the next call runs on a fresh one. An
 * instance that left linear memory past FRESH_AFTER_BYTES is replaced too,
 * once the calls and pages open on it are done.
 */
export function instances(load, CphError) {
  let current;
  let opening;
  const open = (module) => {
    // `ends`: how to end each call in flight, should the instance fail.
    const instance = { module, retired: false, failed: undefined, calls: 0, ends: new Set() };
    current = instance;
    module.__cph_on_trap?.((error) => broke(instance, error));
    return instance;
  };
  const fresh = () => (load.fresh ? load.fresh() : (current.module.__wbg_reset_state(), current.module));
  /** The instance for a new call, if there is one without waiting. */
  const ready = () => {
    // A retired instance that did not fail serves until its calls are done:
    // a fresh one replaces the module's state under them.
    const replace = current && current.retired && (current.failed || current.calls === 0);
    if (current && !replace) return current;
    if (!current && load.loaded) return open(load.loaded);
    return undefined;
  };
  /** The instance for a new call, or a promise of it. */
  const instance = () => {
    const now = ready();
    if (now) return now;
    opening ??= Promise.resolve(current ? fresh() : load())
      .then(open)
      .finally(() => (opening = undefined));
    return opening;
  };
  const broke = (instance, error) => {
    if (!instance.failed) {
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      instance.failed = `the cph-jobs WebAssembly instance failed (${why}); the call ended, and the next call runs on a fresh instance`;
      instance.retired = true;
      for (const end of instance.ends) end(new CphError("internal", instance.failed));
    }
    return new CphError("internal", instance.failed);
  };
  const memory = (instance) => {
    try {
      return instance.module.memoryBytes();
    } catch {
      return 0;
    }
  };
  /** `use(module)` on `instance`, settled as the rules above say. */
  async function settle(instance, use) {
    instance.calls++;
    // A promise of this call's own, which the instance's failure rejects: one
    // shared by every call would keep each call's result alive for good.
    let end;
    const ended = new Promise((_, reject) => (end = reject));
    // Handled, should `use` throw before the race below looks at it.
    ended.catch(() => {});
    instance.ends.add(end);
    try {
      if (instance.failed) throw instance.failed;
      return await Promise.race([use(instance.module, instance), ended]);
    } catch (error) {
      if (error instanceof CphError && error.kind !== "internal") throw error;
      throw broke(instance, error);
    } finally {
      instance.ends.delete(end);
      instance.calls--;
      if (!instance.retired && memory(instance) > FRESH_AFTER_BYTES) instance.retired = true;
    }
  }
  /**
   * Runs `use(module)` on the current instance, at once when it is loaded.
   * Returns the promise, and the instance it ran on (to run more on it).
   */
  const run = (use) => {
    const at = instance();
    if (at instanceof Promise) return at.then((instance) => settle(instance, use));
    return settle(at, use);
  };
  return { run, settle, instance, ready };
}

export function api(plain, signing, CphError) {
  const plainRun = instances(plain, CphError);
  const signingRun = signing === plain ? plainRun : instances(signing, CphError);
  /** See the type declaration: lists one page of the jobs of a batch request. */
  const listJobs = (...args) => plainRun.run((module) => module.listJobs(...args));
  /** See the type declaration: lists every job of one or many batch requests. */
  const listAllJobs = (...args) => plainRun.run((module) => module.listAllJobs(...args));
  /** See the type declaration: polls until no job is running. */
  const waitForJobs = (...args) => plainRun.run((module) => module.waitForJobs(...args));
  /** See the type declaration: the pages of the jobs, for `for await`. */
  async function* paginateJobs(...args) {
    yield* paged(plainRun, (module) => module.paginateJobs(...args));
  }

  /** The pages `open(module)` returns, each `next()` on the instance they were opened on. */
  async function* paged(runs, open) {
    const at = await runs.instance();
    // Open pages keep their instance from being replaced under them.
    at.calls++;
    try {
      const pages = await runs.settle(at, open);
      yield* iterate(pages, (next) => runs.settle(at, next));
    } finally {
      at.calls--;
    }
  }

  /**
   * See the type declaration. Where the module is loaded (Node) the settings
   * are read now; otherwise when the first call has loaded it, from a copy
   * made now. A bad setting rejects each call; the constructor never throws.
   * On a fresh instance the client is made again from that copy.
   */
  class CphClient {
    #config;
    #runs = plainRun;
    #instance;
    #client;
    #freed = false;

    constructor(config) {
      try {
        // A copy: later changes to the caller's object do not reach the client.
        this.#config = config !== null && typeof config === "object" ? { ...config } : config;
        if (config?.credentials !== undefined && config?.allowSecretKeyInBrowser === true) this.#runs = signingRun;
      } catch {
        // A getter that throws: the module reads it again and reports it.
        this.#config = config;
      }
      // Where the module is loaded, from the caller's own object (getters included).
      const at = this.#runs.ready();
      if (at) {
        this.#client = new at.module.CphClient(config);
        this.#instance = at;
      }
    }

    /** This client on `instance`, made there if it was made on another instance. */
    #on(module, instance) {
      if (this.#freed) throw new CphError("invalid-input", "invalid client: it was freed with free()");
      if (this.#instance !== instance) {
        this.#client = new module.CphClient(this.#config);
        this.#instance = instance;
      }
      return this.#client;
    }

    /** Starts `use` now when the module is loaded, so a call made before free() goes ahead. */
    #call(use) {
      return this.#runs.run((module, instance) => use(this.#on(module, instance)));
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
      yield* paged(this.#runs, (module, instance) => this.#on(module, instance).paginateJobs(query));
    }

    /** Frees the client's settings in WebAssembly memory now, rather than when it is collected; later calls reject. */
    free() {
      this.#freed = true;
      try {
        this.#client?.free();
      } catch {
        // Its instance failed; it is dropped with it.
      }
      this.#client = undefined;
    }
  }
  // As wasm-bindgen's own classes do: `using` works where the runtime has it.
  if (Symbol.dispose) CphClient.prototype[Symbol.dispose] = CphClient.prototype.free;

  return { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient };
}
