// cph-jobs/proxy: the same-origin proxy a browser console needs, because CPH
// sends no CORS headers. It forwards exactly one call, ListJobs, to an
// upstream fixed when it is built, and refuses everything else with a JSON
// error in the API's own shape; nothing refused reaches the upstream. On
// node:http (serveProxy) a request whose framing cannot be trusted (any body,
// which nothing here reads) also ends its connection: no request parsed
// after it on that connection is acted on.
//
// The request checks are the crate's (src/proxy.rs, as `ProxyRoute`): this
// file only moves bytes, keeps time and writes the log. It is its own
// subpath, so a page that imports the package never loads it.
//
// The checks are a module of their own (proxy/, the `proxy` cargo feature),
// not in the package's other modules: they would cost every page about 10 KB
// of download. assemble.mjs makes three entries of this file, apart only in
// how they get it (the import and the lines after it): proxy.js (Node, Bun,
// Deno) reads the .wasm beside it, and its glue throws the CphError of the
// package's Node entry (node.cjs); proxy-workerd.js imports the .wasm, a
// WebAssembly.Module there, and proxy-edge.js (the `edge-light` condition:
// Next.js's Edge runtime) imports it as Next.js takes one; their glue throws
// the web build's CphError, which workerd.js exports. Either way the module
// is instantiated synchronously when the first proxy is built.

import { initSync, ProxyRoute } from "__PROXY_GLUE__";
__PROXY_WASM__
__NODE_MODULES__

let instantiated = false;
function instantiate() {
  if (!instantiated) initSync({ module: proxyWasm() });
  instantiated = true;
}

// The options' defaults; the README's proxy section and proxy.d.ts list them.
const DEFAULTS = {
  maxResponseBytes: 8 * 1024 * 1024,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxInFlight: 256,
};
// serveProxy's own, for the node:http server it is given. The headers
// timeout is short: a client that sends its headers slower than this holds a
// connection for nothing (slowloris); a browser sends them in one go.
const SERVER_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};
const MAX_TIMER_MS = 2_147_483_647;
// How long a closing connection may take to flush its last answer before it
// is cut: a client that never reads must not hold it open.
const FLUSH_MS = 5_000;
// Requests a refused connection may still send before it is cut at once.
const IGNORED_MAX = 64;
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
  return async (request, context) => {
    const headers = [...request.headers];
    const answer = await proxy.handle({
      method: request.method,
      target: targetOf(request.url, await routeParams(context)),
      headers,
      // fetch's Request refuses a body on GET; a stream or a length still
      // counts for OPTIONS and for other methods.
      hasBody: request.body !== null || announcesBody(headers),
      ownOrigin: originOf(request.url),
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}

/** See proxy.d.ts. */
export function serveProxy(server, options) {
  const proxy = build(options, nodeTransport());
  const limits = serverLimits(options ?? {});
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Node checks the two timeouts above on this interval (30 s by default, so
  // a slow client would stay up to that much longer); it reads it when the
  // server starts listening.
  server.connectionsCheckingInterval = Math.max(10, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
  // Per connection: `refused` once it may not be trusted any more, `owed`
  // answers to requests parsed before that, `ignored` requests after it.
  const connections = new WeakMap();
  let open = 0;
  const stateOf = (socket) => {
    let state = connections.get(socket);
    if (!state) {
      state = { refused: false, owed: 0, ignored: 0, overCapacity: open > limits.maxConnections };
      connections.set(socket, state);
    }
    return state;
  };
  server.on("connection", (socket) => {
    open += 1;
    stateOf(socket); // a TLS server's requests come on the TLS socket, which gets its own at its first request
    socket.once("close", () => (open -= 1));
  });

  server.on("request", (req, res) => {
    const { socket } = req;
    const connection = stateOf(socket);
    // Parsed after a refusal on this connection (pipelined, or read out of
    // a body that Node framed another way): never acted on, never answered.
    if (connection.refused) {
      if (++connection.ignored > IGNORED_MAX) socket.destroy();
      return;
    }
    const headers = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    const hasBody = announcesBody(headers);
    // A body is never read, so where this message ends and the next begins
    // is not known: the connection is refused here, before anything async,
    // because Node may already have parsed the next request and emits it as
    // soon as this handler returns.
    const refusing = hasBody || connection.overCapacity;
    if (refusing) connection.refused = true;
    connection.owed += 1;
    res.once("close", () => {
      connection.owed -= 1;
      if (connection.refused && connection.owed === 0) closeConnection(socket);
    });
    const scheme = socket.encrypted ? "https" : "http";
    proxy
      .handle({
        method: req.method,
        // The raw target, not a parsed URL: `..` and `%2e%2e` must be seen to be refused.
        target: req.url,
        headers,
        hasBody,
        ownOrigin: req.headers.host ? `${scheme}://${req.headers.host}` : undefined,
        overloaded: connection.overCapacity ? `the proxy has ${limits.maxConnections} connections open (maxConnections); try again later` : undefined,
        // Read again just before the upstream is called, should the
        // connection have been refused in the meantime.
        connectionRefused: () => connection.refused && !refusing,
      })
      .then((answer) => {
        if (answer === null) return res.destroy();
        const body = answer.body === null ? EMPTY : typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
        if (refusing) res.setHeader("Connection", "close");
        res.writeHead(answer.status, { ...answer.headers, "Content-Length": body.byteLength });
        res.end(body);
      })
      .catch(() => res.destroy());
  });

  // Requests Node's parser refuses (a CR or LF in a header, headers over
  // maxHeaderSize, bad framing, a malformed request line) and clients too
  // slow with their headers get the same JSON shape, and the connection
  // closes: what follows on it cannot be trusted.
  server.on("clientError", (error, socket) => {
    // A client that went away (a reset, often at the end of a keep-alive
    // connection) is owed nothing, and is not worth a log line.
    if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    const connection = stateOf(socket);
    // Node reports each later chunk of a broken stream again.
    if (connection.refused && connection.owed === 0) return closeConnection(socket);
    const wasRefused = connection.refused;
    connection.refused = true;
    const [status, reason, code, msg] =
      error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout", "CPH.PROXY.0408", "the request did not arrive in time"]
      : error.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large", "CPH.PROXY.0431", "the request headers are too large"]
      : [400, "Bad Request", "CPH.PROXY.0400", "the request is not valid HTTP"];
    if (!wasRefused) proxy.logLine(`- - ${status} -ms - (${String(error.code ?? "unparseable request").replace(/[^\w.-]/g, "")})`);
    // Answers owed to earlier requests go first; the last one closes it.
    if (connection.owed > 0) return;
    const body = errorBody(code, msg);
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    closeConnection(socket);
  });
  return server;
}

const EMPTY = new Uint8Array(0);

/** Ends a connection once what was written to it is flushed, or FLUSH_MS later at most. */
function closeConnection(socket) {
  if (socket.destroyed) return;
  const cut = setTimeout(() => socket.destroy(), FLUSH_MS).unref();
  socket.end(() => {
    clearTimeout(cut);
    socket.destroy();
  });
}

const invalid = (name, why) => new TypeError(`invalid ${name}: ${why}`);

/** A whole number of at least 1 and at most `max`, or the option's default. */
function positive(options, name, defaults, max = Number.MAX_SAFE_INTEGER) {
  const value = options[name] ?? defaults[name];
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw invalid(name, max === MAX_TIMER_MS ? `it must be an integer from 1 to ${MAX_TIMER_MS}` : "it must be a positive integer");
  return value;
}

function serverLimits(options) {
  return {
    headersTimeoutMs: positive(options, "headersTimeoutMs", SERVER_DEFAULTS, MAX_TIMER_MS),
    requestTimeoutMs: positive(options, "requestTimeoutMs", SERVER_DEFAULTS, MAX_TIMER_MS),
    keepAliveTimeoutMs: positive(options, "keepAliveTimeoutMs", SERVER_DEFAULTS, MAX_TIMER_MS),
    maxConnections: positive(options, "maxConnections", SERVER_DEFAULTS),
  };
}

/** The proxy for `options`; `transport` replaces fetch when no fetch is given (serveProxy's node:http). */
function build(options, transport) {
  const { region, upstream, allowedOrigins = [], basePath = "", fetch = globalThis.fetch, log = console.log, redactIds = false } = options ?? {};
  if (!Array.isArray(allowedOrigins) || !allowedOrigins.every((o) => typeof o === "string" && !o.includes("\n"))) throw invalid("allowedOrigins", "it must be an array of origins");
  const settings = {
    maxResponseBytes: positive(options ?? {}, "maxResponseBytes", DEFAULTS),
    timeoutMs: positive(options ?? {}, "timeoutMs", DEFAULTS, MAX_TIMER_MS),
    connectTimeoutMs: positive(options ?? {}, "connectTimeoutMs", DEFAULTS, MAX_TIMER_MS),
    maxInFlight: positive(options ?? {}, "maxInFlight", DEFAULTS),
    inFlight: 0,
    fetch,
    transport: options?.fetch === undefined && transport ? transport : viaFetch,
    redactIds: Boolean(redactIds),
  };
  if (typeof fetch !== "function" && settings.transport === viaFetch) throw invalid("fetch", "it must be a function");
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
  return { handle: (incoming) => handle(route, settings, incoming, logLine), logLine };
}

/** An answer: a status, its headers (a plain object) and a body (bytes, text or null). */
const reply = (status, headers, body) => ({ status, headers, body });
const jsonError = (status, code, msg, extra) => reply(status, { ...SAFE_HEADERS, ...extra, "Content-Type": "application/json" }, errorBody(code, msg));

/** The answer to one request, or null when its connection was refused before it could be forwarded. */
async function handle(route, settings, incoming, logLine) {
  const token = incoming.headers.find(([name]) => name.toLowerCase() === "x-auth-token")?.[1];
  const verdict = incoming.overloaded
    ? { status: 503, body: errorBody("CPH.PROXY.0503", incoming.overloaded) }
    : JSON.parse(route.check(incoming.method, incoming.target, incoming.headers.flat().join("\n"), incoming.hasBody, incoming.ownOrigin));
  const cors = verdict.cors ? { "Access-Control-Allow-Origin": verdict.cors, "Access-Control-Expose-Headers": "X-Request-Id" } : {};
  let answer;
  let upstreamMs;
  if (verdict.status) {
    answer = reply(verdict.status, { ...SAFE_HEADERS, ...cors, "Content-Type": "application/json", ...(verdict.status === 503 && { "Retry-After": "1" }) }, verdict.body);
  } else if (verdict.preflight) {
    answer = reply(204, { ...SAFE_HEADERS, ...cors, "Access-Control-Allow-Methods": "GET, OPTIONS", "Access-Control-Allow-Headers": "X-Auth-Token, X-Request-Id, Accept", "Access-Control-Max-Age": "600" }, null);
  } else if (incoming.connectionRefused?.()) {
    return null;
  } else if (settings.inFlight >= settings.maxInFlight) {
    answer = jsonError(503, "CPH.PROXY.0503", `the proxy has ${settings.maxInFlight} requests in flight upstream (maxInFlight); try again later`, { ...cors, "Retry-After": "1" });
  } else {
    const started = Date.now();
    settings.inFlight += 1;
    try {
      answer = await forward(verdict, settings, cors);
    } finally {
      settings.inFlight -= 1;
    }
    upstreamMs = Date.now() - started;
  }
  const sent = verdict.headers?.indexOf("X-Request-Id") ?? -1;
  const requestId = answer.headers["X-Request-Id"] ?? (sent >= 0 ? verdict.headers[sent + 1] : undefined);
  const target = verdict.log ?? (settings.redactIds ? "(refused; path not logged)" : printable(incoming.target.split("?")[0]));
  let line = `${/^[A-Z]{1,16}$/.test(incoming.method) ? incoming.method : "?"} ${target} ${answer.status} ${upstreamMs ?? "-"}ms ${requestId ?? "-"}`;
  // Defence in depth: a token a client put in the path is never logged either.
  if (token) line = line.split(token).join("[REDACTED]");
  logLine(line);
  return answer;
}

async function forward(verdict, settings, cors) {
  const headers = { Accept: "application/json" };
  for (let i = 0; i + 1 < verdict.headers.length; i += 2) headers[verdict.headers[i]] = verdict.headers[i + 1];
  const got = await settings.transport(verdict.forward, headers, settings);
  const safeId = got.requestId && /^[\w.-]{1,128}$/.test(got.requestId) ? got.requestId : undefined;
  const fail = (status, msg) => jsonError(status, `CPH.PROXY.0${status}`, msg, { ...cors, ...(safeId && { "X-Request-Id": safeId }) });
  switch (got.fault) {
    case undefined:
      break;
    case "connectTimeoutMs":
      return fail(504, `the upstream did not start its answer within ${settings.connectTimeoutMs} ms`);
    case "timeoutMs":
      return fail(504, `the upstream did not answer within ${settings.timeoutMs} ms`);
    case "unreachable":
      return fail(502, "the upstream could not be reached");
    case "redirect":
      return fail(502, "the upstream answered with a redirect, which is not followed");
    case "too-large":
      return fail(502, `the upstream's answer is larger than maxResponseBytes (${settings.maxResponseBytes} bytes)`);
    case "encoded":
      return fail(502, "the upstream's answer has a Content-Encoding, which is not passed on");
    default:
      return fail(502, "the upstream's answer broke off");
  }
  return reply(got.status, { ...SAFE_HEADERS, ...cors, ...(got.type && { "Content-Type": got.type }), ...(safeId && { "X-Request-Id": safeId }) }, NULL_BODY.has(got.status) ? null : got.body);
}

// A transport sends the GET and resolves with { status, type, requestId,
// body } or with { fault, requestId }: the deadline that passed
// ("connectTimeoutMs", "timeoutMs"), "unreachable", "redirect",
// "too-large", "encoded" or "broken". No redirect is followed: the token goes
// to the fixed upstream only.

/** Through `settings.fetch`: createProxy's, and serveProxy's when given a fetch. */
async function viaFetch(url, headers, settings) {
  const controller = new AbortController();
  let late;
  const expire = (which) => () => {
    late ??= which;
    controller.abort();
  };
  const timer = setTimeout(expire("timeoutMs"), settings.timeoutMs);
  const startTimer = settings.connectTimeoutMs < settings.timeoutMs ? setTimeout(expire("connectTimeoutMs"), settings.connectTimeoutMs) : undefined;
  try {
    let upstream;
    try {
      // Called as a plain function: workerd's fetch refuses any other `this`.
      const { fetch } = settings;
      upstream = await fetch(url, { method: "GET", headers, redirect: "manual", signal: controller.signal });
    } catch {
      return { fault: late ?? "unreachable" };
    }
    clearTimeout(startTimer);
    const requestId = upstream.headers.get("x-request-id") ?? undefined;
    const refuse = async (fault) => {
      await upstream.body?.cancel().catch(() => {});
      return { fault, requestId };
    };
    if (upstream.type === "opaqueredirect" || (upstream.status >= 300 && upstream.status < 400)) return refuse("redirect");
    if (Number(upstream.headers.get("content-length") ?? 0) > settings.maxResponseBytes) return refuse("too-large");
    let body;
    try {
      // With a length (checked above, and held to by fetch), one read of
      // the whole body: it cost less CPU than reading it chunk by chunk.
      body = upstream.headers.has("content-length") ? new Uint8Array(await upstream.arrayBuffer()) : await readCapped(upstream.body, settings.maxResponseBytes);
    } catch {
      return { fault: late ?? "broken", requestId };
    }
    if (body === null) return { fault: "too-large", requestId };
    return { status: upstream.status, type: upstream.headers.get("content-type"), requestId, body };
  } finally {
    clearTimeout(timer);
    clearTimeout(startTimer);
  }
}

/**
 * Through node:http and node:https with keep-alive agents: serveProxy's
 * unless given a fetch. Under load it spent about a quarter of the CPU time
 * per request that Node's fetch did (a forwarder each way, in front of the
 * same upstream, 64 connections), and fetch was most of the proxy's time.
 * The modules are imported here, not at the top, and only by the Node
 * entry (`nodeModules`, filled in by assemble.mjs): the workerd and edge
 * entries never call serveProxy, and their bundlers refuse node: modules.
 */
function nodeTransport() {
  let send;
  const ready = nodeModules().then(([http, https]) => {
    const agents = { "http:": new http.Agent({ keepAlive: true, scheduling: "lifo" }), "https:": new https.Agent({ keepAlive: true, scheduling: "lifo" }) };
    send = (url, headers, settings) => new Promise((resolve) => sendOnce(url, headers, settings, { "http:": http, "https:": https }, agents, resolve, true));
  });
  return (url, headers, settings) => (send ? send(url, headers, settings) : ready.then(() => send(url, headers, settings)));
}

function sendOnce(url, headers, settings, modules, agents, resolve, mayRetry) {
  const target = new URL(url);
  let late;
  let started = false;
  let settled = false;
  const done = (result) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    clearTimeout(startTimer);
    resolve(result);
  };
  // Only identity: an encoded body would reach the client without its Content-Encoding.
  const request = modules[target.protocol].request(target, { method: "GET", headers: { ...headers, "Accept-Encoding": "identity" }, agent: agents[target.protocol] }, (answer) => {
    started = true;
    clearTimeout(startTimer);
    const requestId = answer.headers["x-request-id"];
    const refuse = (fault) => {
      answer.destroy();
      done({ fault, requestId });
    };
    if (answer.statusCode >= 300 && answer.statusCode < 400) return refuse("redirect");
    if (Number(answer.headers["content-length"] ?? 0) > settings.maxResponseBytes) return refuse("too-large");
    const encoding = answer.headers["content-encoding"];
    if (encoding && encoding !== "identity") return refuse("encoded");
    const chunks = [];
    let total = 0;
    answer.on("data", (chunk) => {
      total += chunk.length;
      if (total > settings.maxResponseBytes) return refuse("too-large");
      chunks.push(chunk);
    });
    answer.on("end", () => done({ status: answer.statusCode, type: answer.headers["content-type"], requestId, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) }));
    answer.on("close", () => done({ fault: late ?? "broken", requestId }));
    answer.on("error", () => {});
  });
  request.on("error", (error) => {
    // A kept-alive socket the upstream had just closed: once more, on a new one (a GET may be sent again).
    if (!started && !late && !settled && mayRetry && request.reusedSocket && error.code === "ECONNRESET") {
      settled = true;
      clearTimeout(timer);
      clearTimeout(startTimer);
      return sendOnce(url, headers, settings, modules, agents, resolve, false);
    }
    if (!started) done({ fault: late ?? "unreachable" });
  });
  const expire = (which) => () => {
    late ??= which;
    request.destroy();
    done({ fault: which });
  };
  const timer = setTimeout(expire("timeoutMs"), settings.timeoutMs);
  const startTimer = settings.connectTimeoutMs < settings.timeoutMs ? setTimeout(expire("connectTimeoutMs"), settings.connectTimeoutMs) : undefined;
  request.end();
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

// Header names that frame a body, as Node reads them and as other servers
// and gateways may (TE, and `_` for `-`). Nothing the proxy serves has a body.
const FRAMING = new Set(["transfer-encoding", "content-length", "te"]);

/** Whether [name, value] pairs announce a body, in any spelling; `Content-Length: 0` alone does not. */
function announcesBody(headers) {
  for (const [name, value] of headers) {
    const key = name.toLowerCase().replaceAll("_", "-");
    if (FRAMING.has(key) && !(key === name.toLowerCase() && key === "content-length" && value === "0")) return true;
  }
  return false;
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
