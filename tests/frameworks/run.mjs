// The frameworks console teams build with: Next.js 15 (app router) and
// Angular 19 (the esbuild application builder). Each is a scratch app beside
// this file (next/, angular/), copied into .tmp/frameworks/, its framework
// installed from its own package-lock.json and the packed tarball added, as
// a user adds the package. Each row serves the app one way, opens it in
// Chromium and runs the five checks of tests/runtimes/checks.mjs (plus the
// component's own call, rendered) against the mock:
//
//   node tests/with-mock.mjs -- node tests/frameworks/run.mjs [next] [angular]
//
// Next.js, under `next build && next start`, `next dev` and `next dev
// --turbopack`: a client component calling listJobs in the browser through
// the app's route handler app/cph-proxy/[...path]/route.ts (createProxy,
// Node runtime) and through the same handler in the Edge runtime
// (app/cph-proxy-edge/); and a server component calling listJobs at request
// time (app/server/page.tsx).
// Angular, under `ng build` (dist/ served with createProxy at /cph-proxy)
// and `ng serve` (its proxy configuration, proxy.conf.mjs).
//
// The apps: next/ is create-next-app 15.5's (TypeScript, app router, no
// ESLint or Tailwind) less its Google fonts (fetched at build time) and its
// styles. angular/ is `ng new` 19.2's (--ssr=false --skip-tests) with
// @angular/build's builders, the esbuild application builder and Vite dev
// server that ng new's @angular-devkit/build-angular wraps (without the
// webpack that package also installs), and no test target.
//
// Prints one line per row and a closing "N passed, N failed" line (one count
// per row); exits 1 if any row failed.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launch } from "../e2e/chromium.mjs";
import { freePort } from "../mock/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const work = join(root, ".tmp", "frameworks");
const endpoint = process.env.CPH_MOCK_URL;
if (!endpoint) {
  console.error("CPH_MOCK_URL is not set: run me through tests/with-mock.mjs");
  process.exit(2);
}
// Nothing phones home or downloads: Next's telemetry and Angular's analytics off.
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NG_CLI_ANALYTICS: "false", CI: "1" };
const BUILD_TIMEOUT_MS = 10 * 60_000;
// A dev server compiles each route on its first request.
const PAGE_TIMEOUT_MS = 5 * 60_000;

// ---------------------------------------------------------------- install
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const npm = (args, cwd) => execFileSync("npm", args, { cwd, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

function pack() {
  rmSync(join(work, "pack"), { recursive: true, force: true });
  mkdirSync(join(work, "pack"), { recursive: true });
  const [packed] = JSON.parse(npm(["pack", join(root, "pkg"), "--pack-destination", join(work, "pack"), "--json"], root));
  return join(work, "pack", packed.filename);
}

/** The app copied into .tmp/frameworks/NAME, its lockfile installed (npm's cache first), then the tarball. */
function install(name, tarball) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(here, name), dir, { recursive: true, filter: (src) => !/[/\\](node_modules|\.next|\.angular|dist)$/.test(src) });
  // The checks, where each app imports them from.
  cpSync(join(root, "tests", "runtimes", "checks.mjs"), join(dir, name === "angular" ? "src" : ".", "checks.mjs"));
  let started = Date.now();
  npm(["ci", "--prefer-offline", "--no-audit", "--no-fund"], dir);
  const ci = Date.now() - started;
  started = Date.now();
  // --no-save: the app's package.json and lockfile stay as checked in.
  npm(["install", "--no-save", "--prefer-offline", "--no-audit", "--no-fund", tarball], dir);
  console.log(`${name}: npm ci ${seconds(ci)}, tarball ${seconds(Date.now() - started)}`);
  return dir;
}

// ---------------------------------------------------------------- processes
/** A long-lived command (a server) in its own process group, its output kept for failures. */
function start(command, args, cwd) {
  const child = spawn(command, args, { cwd, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.output = "";
  child.stdout.on("data", (d) => (child.output += d));
  child.stderr.on("data", (d) => (child.output += d));
  child.exited = new Promise((ok) => child.on("exit", ok));
  return child;
}

/** Ends a command started by start(), and whatever it started (its process group). */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {} // already gone
  };
  kill("SIGTERM");
  const timer = setTimeout(() => kill("SIGKILL"), 10_000);
  await child.exited;
  clearTimeout(timer);
}

/** Runs a command to its end; resolves with its output, or rejects with the output's tail. */
async function run(command, args, cwd, timeoutMs = BUILD_TIMEOUT_MS) {
  const child = start(command, args, cwd);
  const timer = setTimeout(() => stop(child), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${[command, ...args].join(" ")} exited ${code ?? "on a signal"}\n${tail(child.output)}`);
  return child.output;
}

const tail = (text, lines = 15) => text.trim().split("\n").slice(-lines).join("\n");


/** Waits until something answers HTTP at `origin` (any status), or the server has exited. */
async function listening(origin, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited ${child.exitCode}\n${tail(child.output)}`);
    try {
      await fetch(`${origin}/favicon.ico`, { signal: AbortSignal.timeout(PAGE_TIMEOUT_MS) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`nothing answered at ${origin}: ${error.message}\n${tail(child.output)}`);
      await new Promise((ok) => setTimeout(ok, 250));
    }
  }
}

// ---------------------------------------------------------------- checks in Chromium
/** Every check failed with the one reason. */
const allFailed = (detail) => ["component", "example", "404", "abort", "100-job page", "10 concurrent"].map((name) => ({ name, ok: false, detail }));

/**
 * Opens `path` on `origin`: the component's own listJobs call must render
 * the doc-example batch (two jobs, failed then succeeded), then the five
 * checks run in the page against each of `proxies` (paths of the origin).
 * With `serverPath`, the checks a server component ran and rendered there.
 */
async function browserChecks(browser, origin, { path = "/", proxies = [], serverPath } = {}) {
  const tab = await browser.newPage();
  const problems = [];
  tab.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  tab.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
  const rows = {};
  try {
    await tab.goto(`${origin}${path}`, { timeout: PAGE_TIMEOUT_MS });
    await tab.waitForFunction(() => window.cphReady === true, null, { timeout: PAGE_TIMEOUT_MS });
    await tab.waitForSelector("#jobs, #error", { timeout: 60_000 });
    const rendered = await tab.$$eval("#jobs li", (items) => items.map((li) => li.textContent.trim()));
    const expected = ["1564567b8bab40f34711234cb80d0123 -1", "1564567b8bab40f34711234cb80d0456 2"];
    const component = rendered.join("|") === expected.join("|")
      ? { name: "component", ok: true }
      : { name: "component", ok: false, detail: `rendered ${JSON.stringify(rendered)}: ${await tab.textContent("body")}` };
    for (const proxy of proxies) {
      const checks = await tab.evaluate(
        (url) => Promise.race([window.cphRun(url), new Promise((_, fail) => setTimeout(() => fail(new Error("no answer in 120 s")), 120_000))]),
        `${origin}${proxy}`,
      );
      rows[proxy] = [component, ...checks];
    }
    if (serverPath) {
      // A server component's output: its own call rendered, and the checks it ran.
      await tab.goto(`${origin}${serverPath}`, { timeout: PAGE_TIMEOUT_MS });
      const rendered = await tab.$$eval("#jobs li", (items) => items.map((li) => li.textContent.trim()));
      const results = await tab.$eval("#results", (pre) => pre.textContent).then(JSON.parse, (error) => allFailed(`no results: ${error.message}`).slice(1));
      const own = rendered.join("|") === expected.join("|") ? { name: "component", ok: true } : { name: "component", ok: false, detail: `rendered ${JSON.stringify(rendered)}` };
      rows[serverPath] = [own, ...results];
    }
  } catch (error) {
    for (const key of [...proxies, ...(serverPath ? [serverPath] : [])]) rows[key] ??= allFailed(error.message);
  }
  if (problems.length) for (const results of Object.values(rows)) for (const r of results) if (!r.ok) r.detail += `\n${problems.slice(0, 6).join("\n")}`;
  await tab.close();
  return rows;
}

// ---------------------------------------------------------------- Next.js
const NEXT_ROWS = [
  ["/cph-proxy", "client component, Node proxy"],
  ["/cph-proxy-edge", "client component, Edge proxy"],
  ["/server", "server component"],
];

async function nextRows(browser, tarball, report) {
  const started = Date.now();
  let dir;
  try {
    dir = install("next", tarball);
  } catch (error) {
    for (const mode of ["next start", "next dev", "next dev --turbopack"]) for (const [, label] of NEXT_ROWS) report(`${mode}: ${label}`, allFailed(`install: ${error.message}`), 0);
    return;
  }
  console.log(`next: installed in ${seconds(Date.now() - started)}`);
  const next = join(dir, "node_modules", "next", "dist", "bin", "next");
  const modes = [
    { name: "next start", build: [next, "build"], serve: [next, "start"] },
    { name: "next dev", serve: [next, "dev"] },
    { name: "next dev --turbopack", serve: [next, "dev", "--turbopack"] },
  ];
  for (const mode of modes) {
    const t = Date.now();
    let server;
    try {
      rmSync(join(dir, ".next"), { recursive: true, force: true });
      if (mode.build) {
        await run(process.execPath, mode.build, dir);
        console.log(`next build: ${seconds(Date.now() - t)}`);
      }
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      server = start(process.execPath, [...mode.serve, "--hostname", "127.0.0.1", "--port", String(port)], dir);
      await listening(origin, server);
      const rows = await browserChecks(browser, origin, { proxies: ["/cph-proxy", "/cph-proxy-edge"], serverPath: "/server" });
      for (const [key, label] of NEXT_ROWS) report(`${mode.name}: ${label}`, withServerLog(rows[key], server), Date.now() - t);
    } catch (error) {
      for (const [, label] of NEXT_ROWS) report(`${mode.name}: ${label}`, allFailed(error.message), Date.now() - t);
    } finally {
      if (server) await stop(server);
    }
  }
}

/** A failed check's detail gets the server's last lines. */
function withServerLog(results, server) {
  if (results.some((r) => !r.ok)) for (const r of results) if (!r.ok) r.detail += `\nserver: ${tail(server.output, 6)}`;
  return results;
}

// ---------------------------------------------------------------- Angular
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".ico": "image/x-icon", ".json": "application/json", ".wasm": "application/wasm" };

/**
 * The built app as a console serves it: dist/'s files, index.html for any
 * other path, and the package's createProxy at /cph-proxy in front of the
 * mock, from the app's own install (through its exports map).
 */
async function serveDist(dir) {
  const browserDir = join(dir, "dist", "cph-jobs-angular-app", "browser");
  const proxyFile = createRequire(join(dir, "package.json")).resolve("cph-jobs/proxy");
  const { createProxy } = await import(pathToFileURL(proxyFile).href);
  const proxy = createProxy({ upstream: endpoint, basePath: "/cph-proxy", log: null });
  const server = createServer(async (req, res) => {
    try {
      if (req.url.startsWith("/cph-proxy/")) {
        const headers = new Headers();
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
        const answer = await proxy(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }));
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        return res.end(Buffer.from(await answer.arrayBuffer()));
      }
      const pathname = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^([/\\]\.\.)+/, "");
      let file = join(browserDir, pathname);
      if (!existsSync(file) || pathname === "/") file = join(browserDir, "index.html");
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    } catch (error) {
      res.writeHead(500).end(String(error.message));
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => server.close(ok)) };
}

async function angularRows(browser, tarball, report) {
  const started = Date.now();
  let dir;
  try {
    dir = install("angular", tarball);
  } catch (error) {
    for (const name of ["ng build", "ng serve"]) report(name, allFailed(`install: ${error.message}`), 0);
    return;
  }
  console.log(`angular: installed in ${seconds(Date.now() - started)}`);
  const ng = join(dir, "node_modules", "@angular", "cli", "bin", "ng.js");
  {
    const t = Date.now();
    let site;
    try {
      await run(process.execPath, [ng, "build"], dir);
      console.log(`ng build: ${seconds(Date.now() - t)}`);
      site = await serveDist(dir);
      const rows = await browserChecks(browser, site.origin, { proxies: ["/cph-proxy"] });
      report("ng build: component, dist/ behind createProxy", rows["/cph-proxy"], Date.now() - t);
    } catch (error) {
      report("ng build: component, dist/ behind createProxy", allFailed(error.message), Date.now() - t);
    } finally {
      await site?.close();
    }
  }
  {
    const t = Date.now();
    let server;
    try {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      server = start(process.execPath, [ng, "serve", "--host", "127.0.0.1", "--port", String(port)], dir);
      await listening(origin, server);
      const rows = await browserChecks(browser, origin, { proxies: ["/cph-proxy"] });
      report("ng serve: component, the dev server's proxy", withServerLog(rows["/cph-proxy"], server), Date.now() - t);
    } catch (error) {
      report("ng serve: component, the dev server's proxy", allFailed(error.message), Date.now() - t);
    } finally {
      if (server) await stop(server);
    }
  }
}

// ---------------------------------------------------------------- main
const ALL = { next: nextRows, angular: angularRows };
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ALL);
const unknown = wanted.filter((n) => !(n in ALL));
if (unknown.length) {
  console.error(`unknown frameworks: ${unknown.join(", ")}; frameworks: ${Object.keys(ALL).join(", ")}`);
  process.exit(2);
}

const started = Date.now();
let passed = 0;
let failed = 0;
function report(name, results, ms) {
  const bad = results.filter((r) => !r.ok);
  if (bad.length === 0) passed++;
  else failed++;
  console.log(`${bad.length ? "FAIL" : "ok  "} ${name.padEnd(52)} ${results.length - bad.length}/${results.length} checks  ${seconds(ms)}`);
  const shown = new Set();
  for (const r of bad) {
    const lines = r.detail.split("\n").filter((l) => l.trim() && !/^\s+at /.test(l));
    const text = lines.slice(0, 8).join("\n         ");
    console.log(`       ${r.name}: ${shown.has(text) ? "(as above)" : text}`);
    shown.add(text);
  }
}

mkdirSync(work, { recursive: true });
const tarball = pack();
const browser = await launch();
try {
  for (const name of wanted) await ALL[name](browser, tarball, report);
} finally {
  await browser.close();
}
console.log(`frameworks: ${seconds(Date.now() - started)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
