// What the proxy's raw-socket tests share: a recording upstream, one raw
// HTTP/1.1 connection, `cph-jobs proxy` from the installed tarball, and the
// example Worker under workerd (from npm, pinned in the root package.json).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { freePort } from "../mock/server.mjs";

export const consumer = fileURLToPath(new URL("../../.tmp/consumer/", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * An upstream that records each request it receives (method and target) and
 * answers it with an empty page; `seen()` is the list so far. A request id
 * picks a fault: `slow-…` answers after 400 ms, `hang-…` never answers,
 * `trickle-…` sends its headers and then a byte of body every 100 ms,
 * `endless-…` streams a body as fast as it is read, without end, `reset-…`
 * cuts its body short, `redirect-…` redirects and `gzip-…` answers encoded.
 */
export async function startRecorder() {
  const seen = [];
  const gzipped = gzipSync(JSON.stringify({ jobs: [] }));
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const id = new URL(req.url, "http://x").searchParams.get("request_id") ?? "";
    const body = JSON.stringify({ request_id: id, jobs: [] });
    const head = { "Content-Type": "application/json", "X-Request-Id": "0123456789abcdef0123456789abcdef" };
    if (id.startsWith("hang-")) return;
    if (id.startsWith("redirect-")) return res.writeHead(302, { Location: "http://127.0.0.1:9/elsewhere" }).end();
    if (id.startsWith("reset-")) {
      res.writeHead(200, { ...head, "Content-Length": 1000 });
      return res.write("{\"jobs\":[", () => setTimeout(() => res.socket.destroy(), 50));
    }
    if (id.startsWith("gzip-")) return res.writeHead(200, { ...head, "Content-Encoding": "gzip", "Content-Length": gzipped.length }).end(gzipped);
    if (id.startsWith("trickle-") || id.startsWith("endless-")) {
      res.writeHead(200, head);
      const endless = id.startsWith("endless-");
      const chunk = Buffer.alloc(endless ? 16 * 1024 : 1, 0x20);
      const send = () => {
        if (res.destroyed) return;
        if (!endless) return void (res.write(chunk), setTimeout(send, 100));
        while (res.write(chunk));
        res.once("drain", send);
      };
      return send();
    }
    const answer = () => {
      res.writeHead(200, { ...head, "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    };
    if (id.startsWith("slow-")) setTimeout(answer, 400);
    else answer();
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen: () => [...seen],
    reset: () => (seen.length = 0),
    close: () => {
      server.closeAllConnections();
      return new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * Writes `parts` on one TCP connection (`gapMs` apart) and resolves when the
 * server closes it, or `waitMs` after the last part if it does not, with
 * every response the bytes held, whether the server closed the socket, and
 * when the first byte came (`firstMs`, from the connection's start).
 */
export function exchange(port, parts, { gapMs = 0, waitMs = 1500 } = {}) {
  return new Promise((ok, fail) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    const chunks = [];
    let closedByServer = false;
    let firstMs;
    let timer;
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      ok({ responses: parseResponses(text), text, closedByServer, firstMs });
    };
    socket.on("data", (chunk) => {
      firstMs ??= Date.now() - started;
      chunks.push(chunk);
    });
    // A reset after the server's answer still means it closed the connection.
    socket.on("error", (error) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? (closedByServer = true) : fail(error)));
    socket.on("end", () => (closedByServer = true));
    socket.on("close", done);
    (async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && gapMs) await new Promise((r) => setTimeout(r, gapMs));
        if (socket.destroyed) return;
        socket.write(part);
      }
      timer = setTimeout(() => socket.destroy(), waitMs);
    })();
  });
}

/** Splits a stream of HTTP/1.1 responses (each with a Content-Length, or none) into status, head and body. */
function parseResponses(text) {
  const responses = [];
  let rest = text;
  while (rest.startsWith("HTTP/")) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) break;
    const head = rest.slice(0, end);
    const length = Number(head.match(/\r\ncontent-length:\s*(\d+)/i)?.[1] ?? 0);
    responses.push({ status: Number(head.split(" ")[1]), head, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return responses;
}

/** `cph-jobs proxy` from the installed tarball, with `args`; resolves once it listens. */
export async function startCli(args) {
  const child = spawn(join(consumer, "node_modules", ".bin", "cph-jobs"), ["proxy", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => (output.stdout += d));
  child.stderr.on("data", (d) => (output.stderr += d));
  const exited = new Promise((ok) => child.on("exit", (code, signal) => ok({ code, signal })));
  const url = await new Promise((ok, fail) => {
    child.stdout.on("data", () => {
      const found = output.stdout.match(/listening on (http:\/\/\S+)/)?.[1];
      if (found) ok(found);
    });
    exited.then(() => fail(new Error(`cph-jobs proxy exited before listening: ${output.stderr}`)));
  });
  return { url, port: Number(new URL(url).port), output, exited, stop: () => (child.kill("SIGTERM"), exited) };
}


/**
 * examples/worker-proxy under workerd, bundled as wrangler bundles it
 * (esbuild; the `workerd`, `worker` and `browser` conditions; each .wasm a
 * module of its own), in front of `upstream`; resolves once it answers.
 */
export async function startWorkerd(upstream, basePath) {
  const dir = join(consumer, "worker-proxy");
  mkdirSync(dir, { recursive: true });
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(root, "examples/worker-proxy/worker.mjs")],
    bundle: true, format: "esm", outfile: join(dir, "worker.js"), nodePaths: [join(consumer, "node_modules")],
    conditions: ["workerd", "worker", "browser"], loader: { ".wasm": "copy" }, external: ["node:*"],
  });
  const modules = readdirSync(dir).filter((f) => f === "worker.js" || f.endsWith(".wasm"))
    .map((f) => `(name = "${f}", ${f.endsWith(".wasm") ? "wasm" : "esModule"} = embed "${f}")`).sort((a) => (a.includes("worker.js") ? -1 : 1));
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "internet", network = (allow = ["private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.join(", ")} ],
  compatibilityDate = "2025-01-01", compatibilityFlags = ["nodejs_compat"],
  bindings = [ (name = "CPH_UPSTREAM", text = "${upstream}"), (name = "BASE_PATH", text = "${basePath}") ],
);
`);
  const child = spawn(join(root, "node_modules", ".bin", "workerd"), ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "inherit", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    const up = await fetch(`${url}/`).then(() => true, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise((ok) => (child.exitCode !== null ? ok() : child.on("exit", ok)));
  return { url, port, stop: () => (child.kill("SIGTERM"), exited) };
}
