// `make demo`: starts the mock Cloud Phone service serving the demo console
// (www/) and the built package (pkg/), prints a URL that opens the console on
// a fresh demo batch, lists a demo batch once from the Node build, and serves
// until Ctrl-C.
//
//   node scripts/demo.mjs                  a free port
//   PORT=8080 node scripts/demo.mjs        a fixed one
//
//   REGION=cn-north-4 node scripts/demo.mjs   the page in front of real CPH,
//                                            through the cph-jobs proxy
//
// CPH_MOCK_TIME_SCALE stretches or shrinks the batch (default 2: its jobs end
// after 4 to 13 seconds, slow enough to watch).
import { randomBytes } from "node:crypto";
import { listJobs, CphError, JobStatus } from "../pkg/node.mjs";
import { startMock } from "../tests/mock/server.mjs";

const PROJECT_ID = "demo-project";
const TOKEN = "demo-token";

const port = Number(process.env.PORT || 0);
const timeScale = Number(process.env.CPH_MOCK_TIME_SCALE || 2);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be a port number, not "${process.env.PORT}".`);
if (!(timeScale > 0)) fail(`CPH_MOCK_TIME_SCALE must be a positive number, not "${process.env.CPH_MOCK_TIME_SCALE}".`);

// The request log starts once the listing below is printed, so the two do not interleave.
let logging = false;
const mock = await startMock({ port, timeScale, log: (line) => logging && console.log(dim(`  ${time()}  ${redact(line)}`)) }).catch((err) =>
  fail(err.code === "EADDRINUSE" ? `Port ${port} is in use; choose another with PORT=...` : err.message),
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await mock.close();
    console.log("\nDemo stopped.");
    process.exit(0);
  });
}

if (process.env.REGION) await demoRegion(process.env.REGION);

// A demo-* request id starts its batch the first time it is asked for, so the
// page gets a batch of its own that starts when the page first asks.
const batch = `demo-${randomBytes(3).toString("hex")}`;
const page = new URL("/", mock.url);
// The console's endpoint defaults to its own origin, which is this service.
page.search = new URLSearchParams({ projectId: PROJECT_ID, requestId: batch }).toString();

console.log(`
${bold("cph-jobs demo")}: a mock Cloud Phone service on ${mock.url}

  Open the demo console, prefilled for a fresh 12-phone batch restart:

    ${bold(page.href)}

  Enter any token (the mock accepts everything but "bad-token", which gets
  401 APIG.0301) and press List jobs. Other request IDs to try: html-502,
  err-500, throttled, slow-3000, hang, truncated; demo-<anything> starts a new batch.
`);

await listOnce(`${batch}-node`);

console.log(`
  Follow a batch to the end from Node:
    CPH_ENDPOINT=${mock.url} CPH_REQUEST_ID=demo-${randomBytes(2).toString("hex")} node examples/list-jobs.mjs

Serving until Ctrl-C. Requests:`);
logging = true;

/** One ListJobs call through the Node build, printed as a table. */
async function listOnce(requestId) {
  console.log(`  From Node (pkg/node.mjs): listJobs(endpoint, "${PROJECT_ID}", "${requestId}", token)\n`);
  try {
    const { jobs } = await listJobs(mock.url, PROJECT_ID, requestId, TOKEN, { timeoutMs: 10_000 });
    const rows = [["JOB ID", "PHONE ID", "STATUS", "BEGIN (UTC)", "ERROR"]];
    for (const job of jobs) {
      const where = job.phoneId ?? job.serverId ?? "";
      rows.push([short(job.jobId), short(where), statusText(job.status), job.beginTime ?? "", [job.errorCode, job.errorMsg].filter(Boolean).join(" ")]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    for (const row of rows) console.log(`    ${row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()}`);
    const count = (status) => jobs.filter((job) => job.status === status).length;
    console.log(`\n    ${jobs.length} jobs: ${count(JobStatus.Running)} running, ${count(JobStatus.Succeeded)} succeeded, ${count(JobStatus.Failed)} failed`);
  } catch (err) {
    if (!(err instanceof CphError)) throw err;
    console.log(`    ListJobs failed (${err.kind}): ${err.message}`);
  }
}

/**
 * A request line ("GET /path?query 200 3ms") with the value of every query
 * parameter that looks like a credential replaced. The console sends its
 * token only in the X-Auth-Token header, and the mock logs no headers or
 * bodies; this is for requests the console did not make, say a hand-made
 * `/?token=...` link, which would otherwise print the token on the terminal.
 */
function redact(line) {
  return line.replace(/([?&])([^=&\s#]*)=([^&\s#]*)/g, (all, sep, key, _value) => {
    let name = key;
    try {
      name = decodeURIComponent(key.replace(/\+/g, " "));
    } catch {}
    return /token|auth|secret|passw|credential|signature|^(?:ak|sk)$/i.test(name) ? `${sep}${key}=[redacted]` : all;
  });
}

/**
 * `make demo REGION=...`: the page (still served by the mock's static files)
 * calls the real regional endpoint through cph-jobs/proxy on its own port, a
 * cross-origin setup where the page's origin is the one allowed origin. It
 * serves until Ctrl-C, and never returns.
 */
async function demoRegion(region) {
  const { createServer } = await import("node:http");
  const { serveProxy } = await import("../pkg/proxy.js");
  const server = createServer({ maxHeaderSize: 64 * 1024 });
  try {
    serveProxy(server, { region, allowedOrigins: [mock.url], basePath: "/cph-proxy", redactIds: true, log: (line) => console.log(dim(`  ${time()}  ${line}`)) });
  } catch (err) {
    fail(`REGION: ${err.message}`);
  }
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const endpoint = `http://127.0.0.1:${server.address().port}/cph-proxy`;
  const page = new URL("/", mock.url);
  page.search = new URLSearchParams({ endpoint }).toString();
  console.log(`
${bold("cph-jobs demo")} against CPH ${region}, through the proxy on ${endpoint}

  Open the demo console, pointed at the proxy:

    ${bold(page.href)}

  Enter your project id, the request_id of a batch and an IAM token: the proxy
  forwards only ListJobs, with only the token, to https://cph.${region}.myhuaweicloud.com.

Serving until Ctrl-C. Requests through the proxy (ids not logged):`);
  await new Promise(() => {});
}

/** IDs are 32 hex digits: their start is enough to tell them apart on a terminal. */
function short(id) {
  return id.length > 13 ? `${id.slice(0, 12)}…` : id;
}

function statusText(status) {
  return { [JobStatus.Running]: "Running", [JobStatus.Succeeded]: "Succeeded", [JobStatus.Failed]: "Failed" }[status] ?? `unknown (${status})`;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

function time() {
  return new Date().toTimeString().slice(0, 8);
}

function bold(text) {
  return process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text;
}

function dim(text) {
  return process.stdout.isTTY ? `\x1b[2m${text}\x1b[22m` : text;
}
