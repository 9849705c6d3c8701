// The option, result and error-kind types are derived from the Rust
// definitions (tsify and wasm-bindgen, in the build's .d.ts). The functions,
// the client class, the error class and the status table are JavaScript (the
// package's loader and error snippet), so they are declared here.
import type {
  CphClientConfig,
  ErrorKind,
  InitInput,
  JobsQuery,
  ListJobsOptions,
  ListJobsResponse,
  ListJobsResult,
  SyncInitInput,
  WaitForJobsOptions,
} from "__BUILD__";

export type {
  AccessKeyCredentials,
  CphClientConfig,
  ErrorKind,
  InitInput,
  Job,
  JobsQuery,
  ListJobsOptions,
  ListJobsResponse,
  ListJobsResult,
  ResponseMetadata,
  SyncInitInput,
  WaitForJobsOptions,
} from "__BUILD__";

/**
 * Lists one page of the jobs of a batch request (or of up to 20, given an
 * array of ids).
 *
 * Sends `GET {endpoint}/v1/{projectId}/cloud-phone/jobs?request_id={requestId}`
 * with the token in `X-Auth-Token`, retries network errors, 429 and 5xx
 * answers (honouring `Retry-After`), never follows a redirect, and resolves
 * with the decoded jobs. Every failure, bad input included, is a rejected
 * promise carrying a `CphError`.
 */
export declare function listJobs(endpoint: string, projectId: string, requestId: string | string[], token: string, options?: ListJobsOptions): Promise<ListJobsResult>;

/**
 * Lists every job of one or many batch requests: 20 ids per request, every
 * page followed, merged in order.
 */
export declare function listAllJobs(endpoint: string, projectId: string, requestId: string | string[], token: string, options?: ListJobsOptions): Promise<ListJobsResult>;

/**
 * The pages of the jobs of one or many batch requests, for `for await`; it
 * stops after a short page. Each page is fetched when asked for.
 */
export declare function paginateJobs(endpoint: string, projectId: string, requestId: string | string[], token: string, options?: ListJobsOptions): AsyncIterableIterator<ListJobsResult>;

/**
 * Polls until no job of the batch request(s) is running, then resolves with
 * the final jobs.
 */
export declare function waitForJobs(endpoint: string, projectId: string, requestId: string | string[], token: string, options?: WaitForJobsOptions): Promise<ListJobsResult>;

/**
 * Bytes of WebAssembly linear memory the package's modules hold now (0 in a
 * browser before the first call loads one; a browser page whose client signs
 * with `credentials` loads a second). It grows in 64 KiB pages and never
 * shrinks, so a console that polls for hours can check that it stays flat.
 */
export declare function memoryBytes(): number;

/**
 * Instantiates the package's module from `input` (or, without one, from
 * where the package finds it itself), for a bundler that does not emit the
 * `.wasm` beside the package's JavaScript: esbuild's `--loader:.wasm=file`
 * with `import wasmUrl from "cph-jobs/cph_jobs_bg.wasm"; init(wasmUrl)`.
 * Optional: a call made first instantiates the module on first use. In Node
 * the module is instantiated when the package loads, and this does nothing.
 */
export declare function init(input?: InitInput | Promise<InitInput> | { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;

/**
 * Instantiates the package's module now, from its bytes or a compiled
 * `WebAssembly.Module`. In Node it does nothing.
 */
export declare function initSync(options: { module: SyncInitInput } | SyncInitInput): void;

/**
 * A CPH client: the endpoint (or region), project and token its calls share.
 * It keeps no state between calls, so one client serves concurrent calls.
 *
 * A bad setting is reported by each call's rejected promise, as every
 * failure of the package is.
 */
export declare class CphClient {
  /** Creates a client; it never throws. */
  constructor(config: CphClientConfig);
  /** Lists one page of the jobs of `{ requestId }` or of up to 20 `{ requestIds }`. */
  listJobs(query: JobsQuery & ListJobsOptions): Promise<ListJobsResult>;
  /** Lists every job of `{ requestId }` or `{ requestIds }` (any number). */
  listAllJobs(query: JobsQuery & ListJobsOptions): Promise<ListJobsResult>;
  /** The pages of the jobs of `{ requestId }` or `{ requestIds }`, for `for await`. */
  paginateJobs(query: JobsQuery & ListJobsOptions): AsyncIterableIterator<ListJobsResult>;
  /** Polls until no job of `{ requestId }` or `{ requestIds }` is running. */
  waitForJobs(query: JobsQuery & WaitForJobsOptions): Promise<ListJobsResult>;
  /** Frees the client's settings in WebAssembly memory now, rather than when it is collected; later calls reject. */
  free(): void;
  /** The same as `free()`, for `using`. */
  [Symbol.dispose](): void;
}

/** Every failure of a cph-jobs call. `kind` says what went wrong. The token never appears in it. */
export declare class CphError extends Error {
  constructor(
    kind: ErrorKind,
    message: string,
    details?: {
      status?: number;
      errorCode?: string;
      errorMsg?: string;
      requestId?: string;
      attempts?: number;
      lastResponse?: ListJobsResponse;
    },
  );
  /** Always `"CphError"`. */
  name: "CphError";
  /** What went wrong; see the README's table of error kinds. */
  kind: ErrorKind;
  /** The HTTP status, when a response arrived. */
  status?: number;
  /** The service code from the body, e.g. `"CPS.0005"` or `"APIG.0301"`. */
  errorCode?: string;
  /** The service message from the body. */
  errorMsg?: string;
  /** The `X-Request-Id` response header, else the body's `request_id`. */
  requestId?: string;
  /** HTTP requests the call began before it failed, retries included (0: it failed on its input). */
  attempts?: number;
  /** For `waitForJobs` timeouts: the last response seen, if any. */
  lastResponse?: ListJobsResponse;
}

/** The job statuses the API documents; other integers are passed through as they are. */
export declare const JobStatus: { readonly Running: 1; readonly Succeeded: 2; readonly Failed: -1 };
