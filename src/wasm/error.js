// The package's error class and status table: a real `Error` subclass
// (`instanceof`, `stack`) is the one thing wasm-bindgen cannot declare from
// Rust. wasm-bindgen ships this file with each build; the package's entry
// points re-export CphError and JobStatus from it, so `instanceof CphError`
// holds for every error the package rejects with.

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
