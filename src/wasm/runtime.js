// The JavaScript side of the wasm edge: the crate's one error type, the status
// table, and the few helpers that are plain JavaScript by nature (a sleep that
// a signal can cut short, a capped body read, a hidden property). The Rust
// client and the npm package's driver both use them.
// wasm-bindgen ships this file with each build; the package entry points
// re-export CphError and JobStatus from it, so `instanceof CphError` holds for
// every error the package rejects with.

/** Every failure of a cph-jobs call: `kind` says what went wrong. */
export class CphError extends Error {
  /**
   * @param {string} kind one of the ErrorKind strings
   * @param {string} message human-readable; never contains the token
   * @param {{status?: number, errorCode?: string, errorMsg?: string, requestId?: string, attempts?: number, lastResponse?: object}} [details]
   */
  constructor(kind, message, details = {}) {
    super(message);
    this.kind = kind;
    // Only the fields that are known become properties, so `"status" in err`
    // and JSON.stringify(err) tell the truth.
    for (const key of ["status", "errorCode", "errorMsg", "requestId", "attempts", "lastResponse"]) {
      if (details[key] !== undefined && details[key] !== null) this[key] = details[key];
    }
  }
}
// On the prototype, not the instance: `name` stays out of JSON.stringify(err).
Object.defineProperty(CphError.prototype, "name", { value: "CphError", writable: true, configurable: true });

/** The job statuses the API documents. Other integers are passed through. */
export const JobStatus = Object.freeze({ Running: 1, Succeeded: 2, Failed: -1 });

/** Called from Rust to build the error a call rejects with. */
export function makeError(kind, message, status, errorCode, errorMsg, requestId, attempts, lastResponse) {
  return new CphError(kind, message, { status, errorCode, errorMsg, requestId, attempts, lastResponse });
}

/**
 * Resolves with true after `ms`, or with false as soon as `signal` aborts;
 * never rejects, so the caller decides what an abort means.
 */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Adds the call's metadata as a non-enumerable `$metadata`, so it stays out of JSON and spreads. */
export function withMetadata(response, attempts, polls) {
  const metadata = polls === undefined ? { attempts } : { attempts, polls };
  Object.defineProperty(response, "$metadata", { value: Object.freeze(metadata), enumerable: false });
  return response;
}

/**
 * Reads a response body as a stream, up to `cap` bytes: resolves with the
 * bytes, or with null (the stream cancelled) as soon as more would arrive.
 * Counting decoded bytes as they come is what stops a body with no
 * Content-Length, a wrong one, or a gzip bomb, before it fills memory.
 */
export async function readCapped(response, cap) {
  const body = response.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
