// cph-jobs/proxy: the same-origin proxy a browser console needs, because CPH
// sends no CORS headers. It forwards exactly one call, ListJobs, to an
// upstream fixed when it is built, and refuses everything else with a JSON
// error in the API's own shape; nothing refused reaches the upstream.
//
// The request checks are the crate's (src/proxy.rs, as `ProxyRoute`): this
// file only moves bytes, keeps time and writes the log. It is its own
// subpath, so a page that imports the package never loads it.
//
// The checks are a module of their own (proxy/, the `proxy` cargo feature),
// not in the package's other modules: they would cost every page about 10 KB
// of download. assemble.mjs makes three entries of this file, apart only in
// how they get it (the import and the lines after it): proxy.js (Node, Bun,
// Deno) carries the .wasm as base64, and its glue throws the CphError of the
// package's Node entry (node.cjs); proxy-workerd.js imports the .wasm, a
// WebAssembly.Module there, and proxy-edge.js (the `edge-light` condition:
// Next.js's Edge runtime) imports it as Next.js takes one; their glue throws
// the web build's CphError, which workerd.js exports. Either way the module
// is instantiated synchronously when the first proxy is built.

import { initSync, ProxyRoute } from "__PROXY_GLUE__";
__PROXY_WASM__

let instantiated = false;
function instantiate() {
  if (!instantiated) initSync({ module: proxyWasm() });
  instantiated = true;
}

const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
// Statuses whose Response may not carry a body.
const NULL_BODY = new Set([101, 204, 205, 304]);
// On every answer: it holds a user's data (no-store), and an error page the
// upstream sends must not run as a document of the console's origin.
const SAFE_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  Vary: "Origin",
};

/** See proxy.d.ts. */
export function createProxy(options) {
  const proxy = build(options);
  // `context`: a Next.js route handler's second argument (see routeParams).
  return async (request, context) =>
    proxy.handle({
      method: request.method,
      target: targetOf(request.url, await routeParams(context)),
      headers: [...request.headers],
      // fetch's Request refuses a body on GET; a stream or a length still
      // counts for OPTIONS and for other methods.
      hasBody: request.body !== null || bodyAnnounced(request.headers.get("content-length"), request.headers.get("transfer-encoding")),
      ownOrigin: originOf(request.url),
    });
}

/** See proxy.d.ts. */
export function serveProxy(server, options) {
  const proxy = build(options);
  server.on("request", (req, res) => {
    const headers = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    const hasBody = bodyAnnounced(req.headers["content-length"], req.headers["transfer-encoding"]);
    const scheme = req.socket.encrypted ? "https" : "http";
    proxy
      // The raw target, not a parsed URL: `..` and `%2e%2e` must be seen to be refused.
      .handle({ method: req.method, target: req.url, headers, hasBody, ownOrigin: req.headers.host ? `${scheme}://${req.headers.host}` : undefined })
      .then(async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        // An unread request body must not be read as the next request.
        if (hasBody) res.setHeader("Connection", "close");
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), "Content-Length": body.length });
        res.end(body);
      })
      .catch(() => res.destroy());
  });
  // Requests Node's parser refuses (a CR or LF in a header, headers over
  // maxHeaderSize, a malformed request line) get the same JSON shape.
  server.on("clientError", (error, socket) => {
    const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    proxy.logLine(`- - ${status} -ms - (${String(error.code ?? "unparseable request").replace(/[^\w.-]/g, "")})`);
    if (!socket.writable) return socket.destroy();
    const body = errorBody(status === 431 ? "CPH.PROXY.0431" : "CPH.PROXY.0400", status === 431 ? "the request headers are too large" : "the request is not valid HTTP");
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return server;
}

function build(options) {
  const { region, upstream, allowedOrigins = [], basePath = "", maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES, timeoutMs = DEFAULT_TIMEOUT_MS, fetch = globalThis.fetch, log = console.log, redactIds = false } = options ?? {};
  const invalid = (name, why) => new TypeError(`invalid ${name}: ${why}`);
  if (!Array.isArray(allowedOrigins) || !allowedOrigins.every((o) => typeof o === "string" && !o.includes("\n"))) throw invalid("allowedOrigins", "it must be an array of origins");
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) throw invalid("maxResponseBytes", "it must be a positive integer");
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2_147_483_647) throw invalid("timeoutMs", "it must be an integer from 1 to 2147483647");
  if (typeof fetch !== "function") throw invalid("fetch", "it must be a function");
  if (log !== null && typeof log !== "function") throw invalid("log", "it must be a function or null");
  // Throws a CphError (kind "invalid-input") for a bad region, upstream,
  // base path or origin: the upstream is fixed here, once.
  instantiate();
  const route = new ProxyRoute(region ?? undefined, upstream ?? undefined, String(basePath), allowedOrigins.join("\n"), Boolean(redactIds));
  const logLine = (line) => {
    try {
      log?.(line);
    } catch {} // a failing logger must not fail the request
  };
  const settings = { maxResponseBytes, timeoutMs, fetch, redactIds: Boolean(redactIds) };
  return { handle: (incoming) => handle(route, settings, incoming, logLine), logLine };
}

async function handle(route, settings, incoming, logLine) {
  const token = incoming.headers.find(([name]) => name.toLowerCase() === "x-auth-token")?.[1];
  const verdict = JSON.parse(route.check(incoming.method, incoming.target, incoming.headers.flat().join("\n"), incoming.hasBody, incoming.ownOrigin));
  const cors = verdict.cors ? { "Access-Control-Allow-Origin": verdict.cors, "Access-Control-Expose-Headers": "X-Request-Id" } : {};
  let response;
  let upstreamMs;
  if (verdict.status) {
    response = new Response(verdict.body, { status: verdict.status, headers: { ...SAFE_HEADERS, ...cors, "Content-Type": "application/json" } });
  } else if (verdict.preflight) {
    response = new Response(null, {
      status: 204,
      headers: { ...SAFE_HEADERS, ...cors, "Access-Control-Allow-Methods": "GET, OPTIONS", "Access-Control-Allow-Headers": "X-Auth-Token, X-Request-Id, Accept", "Access-Control-Max-Age": "600" },
    });
  } else {
    const started = Date.now();
    response = await forward(verdict, settings, cors);
    upstreamMs = Date.now() - started;
  }
  const sent = verdict.headers?.indexOf("X-Request-Id") ?? -1;
  const requestId = response.headers.get("x-request-id") ?? (sent >= 0 ? verdict.headers[sent + 1] : undefined);
  const target = verdict.log ?? (settings.redactIds ? "(refused; path not logged)" : printable(incoming.target.split("?")[0]));
  let line = `${/^[A-Z]{1,16}$/.test(incoming.method) ? incoming.method : "?"} ${target} ${response.status} ${upstreamMs ?? "-"}ms ${requestId ?? "-"}`;
  // Defence in depth: a token a client put in the path is never logged either.
  if (token) line = line.split(token).join("[REDACTED]");
  logLine(line);
  return response;
}

async function forward(verdict, settings, cors) {
  const headers = new Headers({ Accept: "application/json" });
  for (let i = 0; i + 1 < verdict.headers.length; i += 2) headers.set(verdict.headers[i], verdict.headers[i + 1]);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
  const fail = (status, code, msg, requestId) =>
    new Response(errorBody(code, msg), { status, headers: { ...SAFE_HEADERS, ...cors, "Content-Type": "application/json", ...(requestId && { "X-Request-Id": requestId }) } });
  const timedOut = () => fail(504, "CPH.PROXY.0504", `the upstream did not answer within ${settings.timeoutMs} ms`);
  try {
    let upstream;
    try {
      // No redirect is followed: the token goes to the fixed upstream only.
      // Called as a plain function: workerd's fetch refuses any other `this`.
      const { fetch } = settings;
      upstream = await fetch(verdict.forward, { method: "GET", headers, redirect: "manual", signal: controller.signal });
    } catch {
      return controller.signal.aborted ? timedOut() : fail(502, "CPH.PROXY.0502", "the upstream could not be reached");
    }
    const requestId = upstream.headers.get("x-request-id") ?? undefined;
    const safeId = requestId && /^[\w.-]{1,128}$/.test(requestId) ? requestId : undefined;
    if (upstream.type === "opaqueredirect" || (upstream.status >= 300 && upstream.status < 400)) {
      await upstream.body?.cancel().catch(() => {});
      return fail(502, "CPH.PROXY.0502", "the upstream answered with a redirect, which is not followed", safeId);
    }
    const tooLarge = () => fail(502, "CPH.PROXY.0502", `the upstream's answer is larger than maxResponseBytes (${settings.maxResponseBytes} bytes)`, safeId);
    const length = Number(upstream.headers.get("content-length") ?? 0);
    if (length > settings.maxResponseBytes) {
      await upstream.body?.cancel().catch(() => {});
      return tooLarge();
    }
    let body;
    try {
      body = await readCapped(upstream.body, settings.maxResponseBytes);
    } catch {
      return controller.signal.aborted ? timedOut() : fail(502, "CPH.PROXY.0502", "the upstream's answer broke off", safeId);
    }
    if (body === null) return tooLarge();
    const type = upstream.headers.get("content-type");
    return new Response(NULL_BODY.has(upstream.status) ? null : body, {
      status: upstream.status,
      headers: { ...SAFE_HEADERS, ...cors, ...(type && { "Content-Type": type }), ...(safeId && { "X-Request-Id": safeId }) },
    });
  } finally {
    clearTimeout(timer);
  }
}

/** The body's bytes, or null once it passes `cap` (the rest is not read). */
async function readCapped(stream, cap) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

function errorBody(code, msg) {
  return JSON.stringify({ error_code: code, error_msg: msg });
}

function bodyAnnounced(length, transferEncoding) {
  return (length != null && length !== "0") || transferEncoding != null;
}

/**
 * The names of the route's params in an edge runtime, where Next.js adds
 * them to request.url's query (after dropping any the client sent by those
 * names): they are not the client's, and would be refused as unknown.
 * Elsewhere none, so the client's query is checked as sent.
 */
async function routeParams(context) {
  if (typeof EdgeRuntime !== "string" || !context?.params) return [];
  return Object.keys((await context.params) ?? {});
}

/** The path and query, less the query's pairs named in `drop`. */
function targetOf(url, drop) {
  const { pathname, search } = new URL(url);
  if (!drop.length || !search) return pathname + search;
  // Split by hand: re-encoding the rest (URLSearchParams) would change it.
  const kept = search.slice(1).split("&").filter((pair) => !drop.includes(pair.split("=")[0]));
  return kept.length ? `${pathname}?${kept.join("&")}` : pathname;
}

function originOf(url) {
  return new URL(url).origin;
}

/** At most 200 printable ASCII characters of a refused path, for the log. */
function printable(text) {
  return text.replace(/[^\x21-\x7e]/g, "?").slice(0, 200);
}
