// The package's functions and CphClient: a driver that does what each call's
// plan in WebAssembly (src/operation.rs) asks for, with fetch, setTimeout
// and AbortController. Every decision (what to send, whether to retry and
// after how long, when to ask for a token, when to poll again, what an error
// says) is made in the wasm core; this file only moves bytes and time.
//
// It imports nothing: the entry points hand it the wasm-bindgen modules and
// the runtime snippet, so one source serves the web build (an ES module) and
// the Node build (turned into CommonJS when the package is assembled).
//
// Two modules: `plain` serves tokens, `signing` also signs with an access
// key. The web build's plain module leaves the signer out (it would add a
// fifth to what a page downloads), so only a page whose client is given
// `credentials` (and `allowSecretKeyInBrowser`) loads the signing one. In
// Node both are one module.

// What the core asks for next (Call's action codes).
const TOKEN = 0;
const REFRESH = 1;
const SEND = 2;
const SLEEP = 3;
const PROGRESS = 4;
const PAGE = 5;
const DONE = 6;
const FAILED = 7;
// How a body is read (Call.head's answer).
const WHOLE = 1;
const CAPPED = 2;
const TOO_LARGE = 3;
// Why a request failed (Call.failed's first argument).
const NETWORK = 0;
const TIMED_OUT = 1;
const ABORTED = 2;
const REDIRECTED = 3;
const NOT_A_RESPONSE = 4;
const THREW = 5;
// Call kinds.
const LIST = 0;
const ALL = 1;
const PAGES = 2;
const WAIT = 3;

/**
 * The package's API over `runtime` (the snippet) and two wasm-bindgen
 * modules, `plain` and `signing`. Each is the module itself when it is ready
 * (Node), or a function that instantiates it on first use and resolves with
 * it (web build).
 */
export function api(runtime, plain, signing) {
  const { sleep, readCapped, withMetadata } = runtime;
  const inNode = typeof process === "object" && typeof process?.versions?.node === "string";

  // The message of whatever a callback or the platform threw; getters that
  // throw, or odd values, give none rather than a second error.
  const message = (value) => {
    try {
      if (typeof value === "string") return value;
      const text = value?.message;
      return typeof text === "string" && text !== "" ? text : undefined;
    } catch {
      return undefined;
    }
  };
  const causeMessage = (error) => {
    try {
      const cause = error?.cause;
      return cause !== null && typeof cause === "object" ? message(cause) : undefined;
    } catch {
      return undefined;
    }
  };

  /** Tells the call why its request or wait ended, when there is nothing more to say. */
  const stop = (call, why) => call.failed(why, undefined, undefined, false, false, Date.now());
  /** Tells the call that a caller's function (`what`) threw `error`. */
  const threw = (call, what, error) => call.failed(THREW, what, message(error), false, false, Date.now());

  // A call's own values that stay in JavaScript; the core has checked their types.
  const given = (object, key) => (object === null || typeof object !== "object" ? undefined : (object[key] ?? undefined));

  /** Runs `call` until it has a result, a page or an error. */
  async function drive(call, action, env) {
    for (;;) {
      switch (action) {
        case TOKEN:
        case REFRESH:
          action = await token(call, action === REFRESH, env);
          break;
        case SEND:
          action = await send(call, env);
          break;
        case SLEEP: {
          const ms = call.delay();
          const slept = ms === 0 ? !env.signal?.aborted : await sleep(ms, env.signal);
          action = slept ? call.woke(Date.now()) : stop(call, ABORTED);
          break;
        }
        case PROGRESS:
          try {
            const { onProgress } = env;
            onProgress(JSON.parse(call.json()));
          } catch (error) {
            action = threw(call, "onProgress", error);
            break;
          }
          action = call.resume(Date.now());
          break;
        default:
          return action;
      }
    }
  }

  /**
   * Asks the tokenProvider for a token. The caller's signal and the call's
   * deadline cover the wait, as they cover everything else a call waits for.
   */
  async function token(call, refresh, env) {
    const { signal, tokenProvider } = env;
    let timer;
    let onAbort;
    const stopped = new Promise((resolve) => {
      onAbort = () => resolve(ABORTED);
      if (signal?.aborted) return resolve(ABORTED);
      signal?.addEventListener("abort", onAbort, { once: true });
      timer = setTimeout(() => resolve(TIMED_OUT), call.remaining(Date.now()));
    });
    try {
      const provided = Promise.resolve().then(() => tokenProvider({ refresh }));
      const outcome = await Promise.race([provided.then((value) => ({ value })), stopped]);
      if (typeof outcome === "number") return stop(call, outcome);
      return call.token(outcome.value, Date.now());
    } catch (error) {
      return threw(call, "tokenProvider", error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Sends the request the call asks for and feeds back what happened. */
  async function send(call, env) {
    const { signal } = env;
    if (signal?.aborted) return stop(call, ABORTED);
    const now = Date.now();
    const pairs = call.headers(now);
    if (pairs === undefined) return FAILED; // the core failed the call: it cannot be signed
    const headers = new Headers();
    for (let i = 0; i < pairs.length; i += 2) headers.append(pairs[i], pairs[i + 1]);
    const url = call.url();
    // One controller for the deadline and the caller's signal; `cause`
    // remembers which fired, so a rejection can be told apart.
    const controller = new AbortController();
    let cause = NETWORK;
    const timer = setTimeout(() => {
      cause ||= TIMED_OUT;
      controller.abort();
    }, call.remaining(now));
    const onAbort = () => {
      cause ||= ABORTED;
      controller.abort();
    };
    signal?.addEventListener("abort", onAbort);
    let finished = false;
    const failure = (error, readingBody) => call.failed(cause, message(error), causeMessage(error), readingBody, !inNode, Date.now());
    try {
      let response;
      // Jest's jsdom environment, for one, has no fetch: say so, and what to do.
      const send = env.fetch ?? globalThis.fetch;
      if (typeof send !== "function") {
        return failure(new Error("this JavaScript environment has no fetch: give it one (globalThis.fetch), or give CphClient its `fetch` option"), false);
      }
      try {
        response = await send(url, {
          method: "GET",
          headers,
          signal: controller.signal,
          // Never follow a redirect: the token would travel to the new location.
          redirect: "manual",
          // Cookies go to a same-origin proxy, never to a cross-origin endpoint.
          credentials: "same-origin",
          // A job list is live state; a cached copy would stall every poller.
          cache: "no-store",
        });
      } catch (error) {
        return failure(error, false);
      }
      if (!(response instanceof Response)) return stop(call, NOT_A_RESPONSE);
      if (response.type === "opaqueredirect") return stop(call, REDIRECTED);
      const h = response.headers;
      const plan = call.head(
        response.status,
        h.get("x-request-id") ?? undefined,
        h.get("retry-after") ?? undefined,
        h.get("content-length") ?? undefined,
        h.get("content-encoding") ?? undefined,
        response.type === "cors",
        Date.now(),
      );
      let body;
      try {
        if (plan === WHOLE) body = new Uint8Array(await response.arrayBuffer());
        else if (plan === CAPPED) body = await readCapped(response, call.cap());
      } catch (error) {
        return failure(error, true);
      }
      // Read to the end, or cancelled by readCapped past its cap; a body
      // that was not read at all is left to the abort below.
      finished = plan === WHOLE || plan === CAPPED;
      if (plan === TOO_LARGE || body === null) return call.body(2, EMPTY, Date.now());
      return body === undefined ? call.body(0, EMPTY, Date.now()) : call.body(1, body, Date.now());
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // A body left unread holds its connection until it is aborted.
      if (!finished) controller.abort();
    }
  }

  const EMPTY = new Uint8Array(0);

  /** The result of a finished call or page: the jobs and what they cost. */
  const result = (call) => withMetadata(JSON.parse(call.json()), call.attempts(), call.polls());

  /**
   * A module now, if it is ready without waiting: Node's always, the web
   * build's once it has loaded (until then, calling it loads it).
   */
  const loaded = (module) => (typeof module === "function" ? module.loaded : module);

  /**
   * Plans a call with the settings that `core` hands to its callback; a bad
   * argument throws the CphError, which the async callers turn into a
   * rejection. `core` calls back in the same step as its last check, so
   * nothing (a free() above all) comes between them, and a call made before
   * free() goes ahead.
   */
  async function plan(core, kind, jobs, options, query) {
    return core((settings) => settings.call(kind, jobs, options, query, Math.random() * 9007199254740991));
  }

  async function run(core, env, kind, jobs, options, query) {
    const call = await plan(core, kind, jobs, options, query);
    try {
      const action = await drive(call, call.start(Date.now()), env(query ? jobs : options));
      if (action === DONE) return result(call);
      throw call.error();
    } finally {
      call.free();
    }
  }

  async function* pages(core, env, jobs, options, query) {
    const call = await plan(core, PAGES, jobs, options, query);
    try {
      const context = env(query ? jobs : options);
      let action = call.start(Date.now());
      for (;;) {
        action = await drive(call, action, context);
        if (action === DONE) return;
        if (action !== PAGE) throw call.error();
        yield result(call);
        action = call.resume(Date.now());
      }
    } finally {
      call.free();
    }
  }

  // The free functions: a fixed token and one call each.
  const positional = (endpoint, projectId, token) => {
    let core;
    return {
      core: async (use) => {
        core ??= (loaded(plain) ?? (await plain())).Core.positional(endpoint, projectId, token);
        return use(core);
      },
      free: () => core?.free(),
    };
  };
  const callEnv = (options) => ({ signal: given(options, "signal"), onProgress: given(options, "onProgress") });
  const oneCall = (kind) =>
    async function (endpoint, projectId, requestId, token, options) {
      const settings = positional(endpoint, projectId, token);
      try {
        return await run(settings.core, callEnv, kind, requestId, options, false);
      } finally {
        settings.free();
      }
    };

  /** See the type declaration: lists one page of the jobs of a batch request. */
  const listJobs = oneCall(LIST);
  /** See the type declaration: lists every job of one or many batch requests. */
  const listAllJobs = oneCall(ALL);
  /** See the type declaration: polls until no job is running. */
  const waitForJobs = oneCall(WAIT);

  /** See the type declaration: the pages of the jobs, for `for await`. */
  async function* paginateJobs(endpoint, projectId, requestId, token, options) {
    const settings = positional(endpoint, projectId, token);
    try {
      yield* pages(settings.core, callEnv, requestId, options, false);
    } finally {
      settings.free();
    }
  }

  /**
   * See the type declaration. The web build reads the settings when the first
   * call loads its module, from a copy made here; Node reads them here. Like
   * every failure, a bad setting rejects each call; the constructor never
   * throws.
   */
  class CphClient {
    #config;
    #module = plain;
    #core;
    #tokenProvider;
    #fetch;
    #freed = false;

    constructor(config) {
      try {
        // A copy: later changes to the caller's object do not reach the client.
        this.#config = config !== null && typeof config === "object" ? { ...config } : config;
        this.#tokenProvider = given(config, "tokenProvider");
        this.#fetch = given(config, "fetch");
        // The signing module only for keys it will use: without the opt-in,
        // a browser refuses them, and the plain module says so as well.
        if (given(config, "credentials") !== undefined && given(config, "allowSecretKeyInBrowser") === true) {
          this.#module = signing;
        }
      } catch {
        // A getter that throws: the core reads the same getter and reports
        // it ("reading ... threw") on each call.
        this.#config = config;
      }
      // Where the module is already loaded (Node), the settings are read
      // now, from the caller's own object (getters included).
      if (typeof this.#module !== "function") this.#core = new this.#module.Core(config, inNode);
    }

    /** Hands the client's settings to `use`, made on first use in the web build. */
    #settings = async (use) => {
      if (!this.#core && !this.#freed) {
        const module = loaded(this.#module) ?? (await this.#module());
        // free() may come while the module loads, and so may a second call.
        if (!this.#freed) this.#core ??= new module.Core(this.#config, inNode);
      }
      if (this.#freed) throw new runtime.CphError("invalid-input", "invalid client: it was freed with free()");
      return use(this.#core);
    };

    #env = (query) => ({
      signal: given(query, "signal"),
      onProgress: given(query, "onProgress"),
      tokenProvider: this.#tokenProvider,
      fetch: this.#fetch,
    });

    /** Lists one page of the jobs of `{ requestId }` or of up to 20 `{ requestIds }`. */
    async listJobs(query) {
      return run(this.#settings, this.#env, LIST, query, undefined, true);
    }

    /** Lists every job of `{ requestId }` or `{ requestIds }` (any number). */
    async listAllJobs(query) {
      return run(this.#settings, this.#env, ALL, query, undefined, true);
    }

    /** Polls until no job of `{ requestId }` or `{ requestIds }` is running. */
    async waitForJobs(query) {
      return run(this.#settings, this.#env, WAIT, query, undefined, true);
    }

    /** The pages of the jobs of `{ requestId }` or `{ requestIds }`, for `for await`. */
    async *paginateJobs(query) {
      yield* pages(this.#settings, this.#env, query, undefined, true);
    }

    /** Frees the client's settings in WebAssembly memory now, rather than when it is collected; later calls reject. */
    free() {
      this.#freed = true;
      this.#core?.free();
      this.#core = undefined;
    }
  }
  // As wasm-bindgen's own classes do: `using` works where the runtime has it.
  if (Symbol.dispose) CphClient.prototype[Symbol.dispose] = CphClient.prototype.free;

  return { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient };
}
