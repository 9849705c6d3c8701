// The runtime and bundler matrix: the packed tarball, installed as a user
// receives it, run by each runtime, test runner and bundler a console team
// uses, each row running the five checks of checks.mjs against the mock.
//
//   node tests/with-mock.mjs -- node tests/runtimes/run.mjs [ROW...]
//
// Rows (the scratch projects beside this file, copied into .tmp/runtimes/):
//   node-esm, node-cjs  node
//   bun                 bun (npm package "bun")
//   deno                deno 2 (npm package "deno"), node_modules resolution
//   workerd             workerd (npm package "workerd"), the worker bundled as wrangler does
//   jest-node, jest-jsdom   Jest 30 in each environment
//   vitest-jsdom        Vitest 3, jsdom environment
//   esbuild, webpack, rollup, vite   a production build of a tiny page, run in Chromium
//   worker              a Chromium module Worker importing the package unbundled
// Every tool's version is pinned in the root package.json. The browser rows
// share one Chromium (Debian's, through playwright-core; see tests/e2e).
//
// Prints one line per row and a closing "N passed, N failed" line (one count
// per row); exits 1 if any row failed.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { RESULT_PREFIX, checks } from "./checks.mjs";
import { launch } from "../e2e/chromium.mjs";
import { freePort, startMock } from "../mock/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const bin = (...parts) => join(root, "node_modules", ...parts);
const work = join(root, ".tmp", "runtimes");
const endpoint = process.env.CPH_MOCK_URL;
if (!endpoint) {
  console.error("CPH_MOCK_URL is not set: run me through tests/with-mock.mjs");
  process.exit(2);
}
const ROW_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------- install
function install() {
  const started = Date.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, "pack"), { recursive: true });
  const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const [packed] = JSON.parse(npm(["pack", join(root, "pkg"), "--pack-destination", join(work, "pack"), "--json"], root));
  // One install of the tarball serves every row: each row is a folder of
  // this project, so "cph-jobs" resolves to .tmp/runtimes/node_modules.
  writeFileSync(join(work, "package.json"), `${JSON.stringify({ name: "runtime-matrix", private: true }, null, 2)}\n`);
  npm(["install", "--no-audit", "--no-fund", "--no-package-lock", "--prefer-offline", join(work, "pack", packed.filename)], work);
  for (const entry of readdirSync(here)) cpSync(join(here, entry), join(work, entry), { recursive: true });
  // The checks as CommonJS, for Jest's CommonJS test files.
  const { code } = esbuild.transformSync(readFileSync(join(here, "checks.mjs"), "utf8"), { format: "cjs" });
  writeFileSync(join(work, "checks.cjs"), code);
  return Date.now() - started;
}

// ---------------------------------------------------------------- helpers
/** Runs a command with CPH_MOCK_URL; resolves with its exit code and output. */
function exec(command, args, { cwd, env = {}, timeoutMs = ROW_TIMEOUT_MS } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CPH_MOCK_URL: endpoint, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Every check failed with the one reason (the row did not get as far as running them). */
const allFailed = (detail) => checks.map(({ name }) => ({ name, ok: false, detail }));

/** The last lines of a tool's output, for a failure's detail. */
const tail = (text, lines = 12) => text.trim().split("\n").slice(-lines).join("\n");

/** The result line a script printed, or every check failed with the output. */
function fromResultLine({ code, signal, stdout, stderr }) {
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
  if (line) return JSON.parse(line.slice(RESULT_PREFIX.length));
  return allFailed(`exit ${code ?? signal}, no result line\n${tail(`${stdout}\n${stderr}`)}`);
}

/** Jest's and Vitest's --json output: one assertion per check. */
function fromJestJson(file, { code, stdout, stderr }) {
  if (!existsSync(file)) return allFailed(`exit ${code}, no report\n${tail(`${stdout}\n${stderr}`)}`);
  const report = JSON.parse(readFileSync(file, "utf8"));
  const suite = report.testResults?.[0];
  return checks.map(({ name }) => {
    const assertion = suite?.assertionResults?.find((a) => a.title === name);
    if (!assertion) return { name, ok: false, detail: tail(suite?.message || `exit ${code}\n${stdout}\n${stderr}`) };
    return assertion.status === "passed" ? { name, ok: true } : { name, ok: false, detail: tail(assertion.failureMessages.join("\n")) };
  });
}


// ---------------------------------------------------------------- process rows
const node = process.execPath;
const processRows = {
  "node-esm": () => exec(node, ["main.mjs"], { cwd: join(work, "node") }).then(fromResultLine),
  "node-cjs": () => exec(node, ["main.cjs"], { cwd: join(work, "node") }).then(fromResultLine),
  bun: () => exec(bin("bun", "bin", "bun.exe"), ["main.mjs"], { cwd: join(work, "bun") }).then(fromResultLine),
  deno: () =>
    exec(bin(".bin", "deno"), ["run", "--quiet", "--no-prompt", "--node-modules-dir=manual", "--allow-env", "--allow-net", "--allow-read", "main.mjs"], {
      cwd: join(work, "deno"),
      env: { DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(work, ".deno") },
    }).then(fromResultLine),
  workerd: runWorkerd,
  "jest-node": () => runJest("node"),
  "jest-jsdom": () => runJest("jsdom"),
  "vitest-jsdom": async () => {
    const cwd = join(work, "vitest");
    const out = join(cwd, "report.json");
    const ran = await exec(node, [bin("vitest", "vitest.mjs"), "run", "--config", "vitest.config.mjs", "--reporter=json", `--outputFile=${out}`], { cwd });
    return fromJestJson(out, ran);
  },
};

async function runJest(environment) {
  const cwd = join(work, "jest");
  const out = join(cwd, `report-${environment}.json`);
  const args = [bin("jest", "bin", "jest.js"), "--ci", "--config", `jest.${environment}.config.cjs`, "--cacheDirectory", join(work, ".jest-cache"), "--json", "--outputFile", out];
  return fromJestJson(out, await exec(node, args, { cwd }));
}

/**
 * The worker bundled as wrangler bundles one: esbuild with the `workerd`,
 * `worker` and `browser` conditions, and every imported .wasm kept as a
 * module of its own (a WebAssembly.Module when imported); then served by
 * workerd, whose outbound fetch may reach the mock on loopback.
 */
async function runWorkerd() {
  const dir = join(work, "workerd");
  const dist = join(dir, "dist");
  const wasmModules = [];
  const wasmAsModule = {
    name: "wasm-module",
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, async (args) => {
        if (args.pluginData === "resolving") return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "resolving" });
        if (found.errors.length) return { errors: found.errors };
        const name = basename(found.path);
        mkdirSync(dist, { recursive: true });
        cpSync(found.path, join(dist, name));
        if (!wasmModules.includes(name)) wasmModules.push(name);
        return { path: `./${name}`, external: true };
      });
    },
  };
  try {
    await esbuild.build({
      entryPoints: [join(dir, "worker.mjs")],
      outfile: join(dist, "worker.js"),
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "browser"],
      logLevel: "silent",
      plugins: [wasmAsModule],
    });
  } catch (error) {
    return allFailed(`esbuild (as wrangler): ${error.message}`);
  }
  const port = await freePort();
  const modules = [`(name = "worker.js", esModule = embed "dist/worker.js")`, ...wasmModules.map((m) => `(name = "${m}", wasm = embed "dist/${m}")`)];
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = (modules = [${modules.join(", ")}], compatibilityDate = "2025-09-01", compatibilityFlags = ["nodejs_compat"])),
    # Outbound fetch: the mock listens on loopback, which the default network refuses.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`,
  );
  const server = spawn(bin("workerd", "bin", "workerd"), ["serve", "config.capnp"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  server.stdout.on("data", (d) => (output += d));
  server.stderr.on("data", (d) => (output += d));
  const exited = new Promise((ok) => server.on("exit", ok));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null) return allFailed(`workerd exited ${server.exitCode}\n${tail(output)}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/?endpoint=${encodeURIComponent(endpoint)}`, { signal: AbortSignal.timeout(60_000) });
        const text = await response.text();
        if (response.ok) return JSON.parse(text);
        return allFailed(`workerd answered ${response.status}: ${tail(text)}\n${tail(output)}`);
      } catch (error) {
        if (error.cause?.code !== "ECONNREFUSED" || Date.now() > deadline) return allFailed(`${error.message}\n${tail(output)}`);
        await new Promise((ok) => setTimeout(ok, 200));
      }
    }
  } finally {
    server.kill("SIGTERM");
    await exited;
  }
}

// ---------------------------------------------------------------- browser rows
// Each bundler builds browser/main.mjs, copied into its own folder, into
// dist/ beside an index.html; Chromium opens it from one origin and the page
// calls the mock on another.
const page = (script, type = "module") =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bundled</title></head><body><script${type ? ` type="${type}"` : ""} src="${script}"></script></body></html>\n`;

const bundlers = {
  async esbuild(dir, dist) {
    // esbuild.mjs: the page hands init() the .wasm that the file loader emits.
    await esbuild.build({ entryPoints: { main: join(dir, "esbuild.mjs") }, outdir: dist, bundle: true, format: "esm", minify: true, loader: { ".wasm": "file" }, logLevel: "silent" });
    writeFileSync(join(dist, "index.html"), page("./main.js"));
  },
  async webpack(dir, dist) {
    const { default: webpack } = await import("webpack");
    // webpack's defaults: a classic script, publicPath "auto".
    const stats = await new Promise((resolve, reject) =>
      webpack({ mode: "production", context: dir, entry: "./main.mjs", output: { path: dist, filename: "main.js" }, performance: { hints: false } }, (err, result) =>
        err ? reject(err) : resolve(result),
      ),
    );
    if (stats.hasErrors()) throw new Error(stats.toString("errors-only"));
    writeFileSync(join(dist, "index.html"), page("./main.js", ""));
  },
  async rollup(dir, dist) {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    // rollup.mjs: the page imports cph-jobs/inline.
    const bundle = await rollup({ input: join(dir, "rollup.mjs"), plugins: [nodeResolve({ browser: true })], onwarn: () => {} });
    await bundle.write({ dir: dist, format: "es", entryFileNames: "main.js" });
    await bundle.close();
    writeFileSync(join(dist, "index.html"), page("./main.js"));
  },
  async vite(dir, dist) {
    const { build } = await import("vite");
    writeFileSync(join(dir, "index.html"), page("./main.mjs"));
    await build({ root: dir, base: "./", logLevel: "silent", configFile: false, build: { outDir: dist, emptyOutDir: true } });
  },
};

async function runBrowserRows(names, report) {
  const builds = {};
  for (const name of names.filter((n) => n in bundlers)) {
    const started = Date.now();
    const dir = join(work, name);
    cpSync(join(work, "browser"), dir, { recursive: true });
    try {
      await bundlers[name](dir, join(dir, "dist"));
      builds[name] = { ms: Date.now() - started };
    } catch (error) {
      builds[name] = { ms: Date.now() - started, error: `${name} build: ${error.message}` };
    }
  }
  const site = await startMock({ staticDirs: { "/rt/": work } });
  const browser = await launch();
  try {
    for (const name of names) {
      const build = builds[name] ?? { ms: 0 };
      const started = Date.now();
      if (build.error) {
        report(name, allFailed(build.error), build.ms);
        continue;
      }
      const path = name === "worker" ? "/rt/worker/index.html" : `/rt/${name}/dist/index.html`;
      const tab = await browser.newPage();
      const problems = [];
      tab.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      tab.on("console", (msg) => msg.type() === "error" && problems.push(`console: ${msg.text()}`));
      tab.on("response", (res) => res.status() >= 400 && res.url().startsWith(site.url) && problems.push(`${res.status()} ${res.url().slice(site.url.length)}`));
      let results;
      try {
        await tab.goto(`${site.url}${path}`);
        await tab.waitForFunction(() => window.cphReady === true, null, { timeout: 15_000 });
        results = await tab.evaluate(
          (url) => Promise.race([window.cphRun(url), new Promise((_, fail) => setTimeout(() => fail(new Error(`no answer in 60 s ${window.cphWorkerError ?? ""}`)), 60_000))]),
          endpoint,
        );
      } catch (error) {
        results = allFailed(error.message);
      }
      if (problems.length) for (const r of results) if (!r.ok) r.detail += `\n${problems.slice(0, 6).join("\n")}`;
      await tab.close();
      report(name, results, build.ms + Date.now() - started);
    }
  } finally {
    await browser.close();
    await site.close();
  }
}

// ---------------------------------------------------------------- main
const ALL = [...Object.keys(processRows), ...Object.keys(bundlers), "worker"];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
const unknown = wanted.filter((n) => !ALL.includes(n));
if (unknown.length) {
  console.error(`unknown rows: ${unknown.join(", ")}; rows: ${ALL.join(", ")}`);
  process.exit(2);
}

const started = Date.now();
console.log(`installed the tarball in ${install()} ms`);
let passed = 0;
let failed = 0;
function report(name, results, ms) {
  const bad = results.filter((r) => !r.ok);
  if (bad.length === 0) passed++;
  else failed++;
  console.log(`${bad.length ? "FAIL" : "ok  "} ${name.padEnd(13)} ${String(results.length - bad.length).padStart(1)}/${results.length} checks  ${(ms / 1000).toFixed(1)} s`);
  // A check's first lines are what went wrong; a reason every check shares is printed once.
  const shown = new Set();
  for (const r of bad) {
    const lines = r.detail.split("\n").filter((l) => l.trim() && !/^\s+at /.test(l));
    const text = lines.slice(0, 6).join("\n         ");
    console.log(`       ${r.name}: ${shown.has(text) ? "(as above)" : text}`);
    shown.add(text);
  }
}
for (const name of wanted.filter((n) => n in processRows)) {
  const t = Date.now();
  report(name, await processRows[name](), Date.now() - t);
}
const browserRows = wanted.filter((n) => n in bundlers || n === "worker");
if (browserRows.length) await runBrowserRows(browserRows, report);
console.log(`runtime matrix: ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
