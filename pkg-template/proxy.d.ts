// Types of cph-jobs/proxy: a same-origin proxy for the ListJobs call.
import type { Server } from "node:http";

/** All times are in milliseconds; each limit is a whole number from 1. */
export interface ProxyOptions {
  /** A CPH region (e.g. "cn-north-4"): the upstream is its official endpoint. Give this or `upstream`. */
  region?: string;
  /** An explicit upstream: https, or http only to a loopback host (for tests). Give this or `region`. */
  upstream?: string;
  /** Origins that get CORS headers, exactly (e.g. "https://console.example.com"); no wildcard. Default none. */
  allowedOrigins?: readonly string[];
  /** The path the proxy is served under, e.g. "/cph-proxy"; default "" (the root). */
  basePath?: string;
  /** The largest upstream body passed on; a larger one ends in a 502 JSON error. Default 8 MiB. */
  maxResponseBytes?: number;
  /** How long the upstream may take, body included, before a 504 JSON error. Default 30000. */
  timeoutMs?: number;
  /** How long the upstream may take to connect and send its status and headers, before a 504 JSON error. Default 10000. */
  connectTimeoutMs?: number;
  /** The most requests waiting on the upstream at once, per proxy; one more gets a 503 JSON error with `Retry-After: 1`. Default 256. */
  maxInFlight?: number;
  /** The fetch used to reach the upstream. Default: the global fetch for createProxy; serveProxy uses node:http and node:https (keep-alive) unless given one. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Receives one line per request (method, path, status, upstream time, request id; never the token). Default console.log; null for none. */
  log?: ((line: string) => void) | null;
  /** Leave the project and request ids out of the log lines. Default false. */
  redactIds?: boolean;
}

/**
 * A fetch handler (workerd, Deno, Bun, Node's Request/Response) that forwards
 * only `GET {basePath}/v1/{projectId}/cloud-phone/jobs` with a valid query,
 * `X-Auth-Token` and `X-Request-Id` to the fixed upstream, and answers
 * anything else with a 4xx `{error_code, error_msg}` without contacting it.
 * Throws a `CphError` of kind "invalid-input" (or a TypeError) for bad options.
 *
 * It is also a Next.js route handler (`export const GET = createProxy(…)`):
 * `context` is the route's (`{ params }`), whose params Next.js's Edge
 * runtime adds to the request's query; there they are left out of the
 * check. (`unknown`: Next.js's type check of a route refuses an optional
 * `context` of any narrower type.)
 */
export function createProxy(options: ProxyOptions): (request: Request, context?: unknown) => Promise<Response>;

/** serveProxy's limits on the `node:http` server's clients, on top of {@link ProxyOptions}. */
export interface ServeProxyOptions extends ProxyOptions {
  /** How long a client may take to send a request's headers; then a 408 JSON error, and the connection closes. Default 10000. */
  headersTimeoutMs?: number;
  /** How long a client may take to send a whole request; then a 408 JSON error, and the connection closes. Default 30000. */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open (Node adds up to 1 s). Default 5000. */
  keepAliveTimeoutMs?: number;
  /** The most connections open at once; the first request on one more gets a 503 JSON error, and it closes. Default 1024. */
  maxConnections?: number;
}

/**
 * Serves the same proxy on a `node:http` server (create it with
 * `maxHeaderSize: 65536` so large IAM tokens fit; call this before `listen`,
 * when Node reads how often to check the timeouts): it checks the raw request
 * target, and answers requests Node's own parser refuses in the same JSON
 * shape. A request with a body (any `Transfer-Encoding`, `TE` or non-zero
 * `Content-Length`) is refused and ends its connection: no request parsed
 * after it there is acted on. Sets the server's `headersTimeout`,
 * `requestTimeout`, `keepAliveTimeout` and `connectionsCheckingInterval`.
 */
export function serveProxy<S extends Server>(server: S, options: ServeProxyOptions): S;
