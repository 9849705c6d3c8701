// `cph-jobs proxy`: cph-jobs/proxy on node:http until SIGINT or SIGTERM, which
// stop new connections and let the requests in flight finish. cli.mjs loads
// this module for the command alone, and hands it what the commands share.

import { parseArgs } from "node:util";

const PROXY_HELP = `Usage: cph-jobs proxy (--region R | --upstream URL) [--port 8787] [--host 127.0.0.1]
                      [--allow-origin ORIGIN]... [--base-path PATH] [--timeout 30s] [--redact-ids]
                      [limits below]

Serves the same-origin proxy a browser console needs (CPH sends no CORS headers). Only
GET (and the CORS preflight) of {base-path}/v1/{project_id}/cloud-phone/jobs with a valid
query is forwarded, with X-Auth-Token and X-Request-Id and nothing else, to the region's
endpoint. Anything else gets a 4xx JSON error and never reaches CPH; a request with a body
also closes its connection. One line per request on stdout, never with the token. SIGINT
or SIGTERM stop it once requests in flight end.

Options:
  --region R            forward to https://cph.R.myhuaweicloud.com, e.g. cn-north-4
  --upstream URL        forward to this https URL instead (http only to a loopback host)
  --port N              the port to listen on (default 8787; 0 for any free one)
  --host H              the address to listen on (default 127.0.0.1)
  --allow-origin O      an origin that gets CORS headers, exactly; repeat for more
  --base-path PATH      serve under this path, e.g. /cph-proxy (default: the root)
  --timeout DURATION    how long CPH may take to answer, body included (default 30s), then 504
  --redact-ids          leave project and request ids out of the log lines
  -h, --help            this help

Limits (D a duration such as 500ms or 10s, N a whole number from 1):
  --connect-timeout D   how long CPH may take to connect and start its answer (default 10s), then 504
  --headers-timeout D   how long a client may take to send its headers (default 10s), then 408
  --request-timeout D   how long a client may take to send its whole request (default 30s), then 408
  --keep-alive-timeout D  how long an idle connection stays open (default 5s)
  --max-connections N   the most connections open at once (default 1024), then 503
  --max-in-flight N     the most requests waiting on CPH at once (default 256), then 503
  --max-response-bytes N  the largest answer from CPH passed on (default 8388608), then 502`;

/**
 * Runs the command with `args`; `cli` is cli.mjs's UsageError, EXIT,
 * EXIT_BY_SIGNAL, out, err, parseCount and parseDuration.
 */
export async function runProxy(args, cli) {
  const { UsageError, EXIT, EXIT_BY_SIGNAL, out, err, parseCount, parseDuration } = cli;
  const options = {
    region: { type: "string" }, upstream: { type: "string" }, port: { type: "string" }, host: { type: "string" },
    "allow-origin": { type: "string", multiple: true }, "base-path": { type: "string" }, timeout: { type: "string" },
    "redact-ids": { type: "boolean" }, help: { type: "boolean", short: "h" },
  };
  // Limit flags and the serveProxy option each sets.
  const durations = { "connect-timeout": "connectTimeoutMs", "headers-timeout": "headersTimeoutMs", "request-timeout": "requestTimeoutMs", "keep-alive-timeout": "keepAliveTimeoutMs" };
  const counts = { "max-connections": "maxConnections", "max-in-flight": "maxInFlight", "max-response-bytes": "maxResponseBytes" };
  for (const flag of [...Object.keys(durations), ...Object.keys(counts)]) options[flag] = { type: "string" };
  let values;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) {
    out(`${PROXY_HELP}\n`);
    return EXIT.succeeded;
  }
  if ((values.region === undefined) === (values.upstream === undefined)) throw new UsageError("give one of --region and --upstream");
  const port = parseCount(values.port ?? "8787", "--port");
  if (port > 65535) throw new UsageError(`--port must be from 0 to 65535, not "${values.port}"`);
  const limits = {};
  for (const [flag, option] of Object.entries(durations)) if (values[flag] !== undefined) limits[option] = parseDuration(values[flag], `--${flag}`);
  for (const [flag, option] of Object.entries(counts)) {
    if (values[flag] === undefined) continue;
    limits[option] = parseCount(values[flag], `--${flag}`);
    if (limits[option] < 1) throw new UsageError(`--${flag} must be at least 1, not "${values[flag]}"`);
  }
  const [{ createServer }, { serveProxy }] = await Promise.all([import("node:http"), import("./proxy.js")]);
  // Room for large IAM tokens; the proxy itself refuses more than 32 KiB of headers.
  const server = createServer({ maxHeaderSize: 64 * 1024 });
  // The lines of one turn of the event loop go out in one write: under load a
  // write per request cost about 6% of the proxy's CPU (a CPU profile at 64
  // connections), and the order and the timestamps stay those of the requests.
  let lines = "";
  const flush = () => {
    const text = lines;
    lines = "";
    if (text) out(text);
  };
  try {
    serveProxy(server, {
      region: values.region,
      upstream: values.upstream,
      allowedOrigins: values["allow-origin"] ?? [],
      basePath: values["base-path"] ?? "",
      timeoutMs: values.timeout === undefined ? undefined : parseDuration(values.timeout, "--timeout"),
      redactIds: values["redact-ids"] ?? false,
      ...limits,
      log: (line) => {
        if (!lines) setImmediate(flush);
        lines += `${new Date().toISOString()} ${line}\n`;
      },
    });
  } catch (error) {
    if (error?.kind === "invalid-input") throw new UsageError(error.message.replace(/^invalid (region|endpoint|basePath|allowedOrigins):/, (m, name) => `invalid --${{ endpoint: "upstream", basePath: "base-path", allowedOrigins: "allow-origin" }[name] ?? name}:`));
    throw error;
  }
  // Listened for before the port opens: a signal right after the "listening" line still stops it gracefully.
  const stopped = new Promise((ok) => {
    for (const name of Object.keys(EXIT_BY_SIGNAL)) process.once(name, () => ok(name));
  });
  await new Promise((ok, fail) => server.once("error", fail).listen(port, values.host ?? "127.0.0.1", ok)).catch((error) => {
    throw new UsageError(error.code === "EADDRINUSE" ? `port ${port} is in use; choose another with --port` : error.message);
  });
  const { address, port: bound } = server.address();
  out(`cph-jobs proxy listening on http://${address.includes(":") ? `[${address}]` : address}:${bound}${values["base-path"] ?? ""}\n`);
  const signal = await stopped;
  flush();
  err(`cph-jobs proxy: ${signal}, finishing requests in flight\n`);
  // Idle keep-alive connections would hold close() open; a stuck request
  // gets 10 s, then its connection is cut.
  const cut = setTimeout(() => server.closeAllConnections(), 10_000).unref();
  await new Promise((ok) => {
    server.close(ok);
    server.closeIdleConnections();
  });
  clearTimeout(cut);
  flush();
  return EXIT.succeeded;
}
