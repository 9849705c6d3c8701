// `make bench`: size, per-call time against a hand-written baseline, cold
// start, memory and native decode throughput, in one run on this machine.
// Prints the tables and writes them to BENCHMARKS.md with the machine, the
// versions and the date.
//
//   node tests/bench/run.mjs [--quick] [--calls-only] [--against DIR] [--out FILE]
//
// Expects a built pkg/ (make bench builds it). --quick cuts rounds and the
// memory run to 1,000 calls, for trying the machinery; --calls-only times
// the calls alone (Node and Chromium); --against DIR times the package
// built in DIR (a copy of an earlier pkg/) beside this one, in the same
// processes, for a before and after (`make bench AGAINST=DIR`). Figures of
// a partial run are not for BENCHMARKS.md, so --quick and --calls-only
// write nothing unless --out is given.

import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startMock } from "../mock/server.mjs";
import { launch } from "../e2e/chromium.mjs";
import { nodeFiles, pageDownloads, tarball, PAGE_GZIP_BUDGET, SIGNING_EXTRA_GZIP_BUDGET, TARBALL_BUDGET } from "../../scripts/size.mjs";
import { median } from "./calls.mjs";
import { chromiumCalls, chromiumCold, chromiumMemory } from "./browser.mjs";
import { proxyLoad } from "./proxy-load.mjs";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const here = join(root, "tests", "bench");
const quick = process.argv.includes("--quick");
const callsOnly = process.argv.includes("--calls-only");
const valueOf = (flag) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const against = valueOf("--against") ? resolve(valueOf("--against")) : undefined;
const outFile = valueOf("--out") ?? (quick || callsOnly ? null : join(root, "BENCHMARKS.md"));
const COLD_SAMPLES = quick ? 5 : 21;

const step = (what) => console.error(`[bench] ${what}`);
const kb = (bytes) => (bytes / 1000).toFixed(1);
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const mib = (bytes) => (bytes / 1048576).toFixed(1);
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
/** A Markdown table; columns after the first are right-aligned numbers unless `left`. */
const table = (head, rows, left = false) =>
  [`| ${head.join(" | ")} |`, `| ${head.map((h, i) => (i === 0 || left ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** Runs `node tests/bench/node.mjs ...args` and returns its last line as JSON. */
function nodeChild(args, env = {}, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, join(here, "node.mjs"), ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`node.mjs ${args.join(" ")} exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").pop()));
    });
  });
}

/** Wall time of a whole `node` process, start to exit, and what it printed. */
async function timedProcess(args, env) {
  const t0 = performance.now();
  const result = await nodeChild(args, env);
  return { ...result, wallMs: performance.now() - t0 };
}

function versionOf(command, args) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n")[0];
  } catch {
    return "unknown";
  }
}

function osName() {
  try {
    return readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)"?/m)[1];
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

// --- machine and versions ---------------------------------------------------
const machine = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  os: `${osName()} (${os.type()} ${os.release()}, ${os.arch()})`,
  loadAtStart: os.loadavg().map((x) => x.toFixed(2)).join(" "),
  node: process.version,
  rustc: versionOf("rustc", ["--version"]),
  wasmBindgen: versionOf("wasm-bindgen", ["--version"]),
  wasmOpt: versionOf(join(root, "node_modules", ".bin", "wasm-opt"), ["--version"]),
};

// --- size -------------------------------------------------------------------
step("size: what Chromium fetches for a page's call, and the tarball");
const { plain: web, signing } = callsOnly ? { plain: [], signing: [] } : await pageDownloads();
const node = nodeFiles();
const packed = tarball();
const sum = (rows, key) => rows.reduce((s, r) => s + r[key], 0);

// --- decode throughput (native), first: it wants the CPU to itself ----------
step("decode throughput: cargo bench --bench decode");
const decode = callsOnly ? [] : execFileSync("cargo", ["bench", "--quiet", "--bench", "decode", "--", "--json"], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
})
  .trim()
  .split("\n")
  .filter((line) => line.startsWith("{"))
  .map((line) => JSON.parse(line));

step("de-duplication of 100,000 request ids: cargo bench --bench dedup");
const dedup = callsOnly ? "" : execFileSync("cargo", ["bench", "--quiet", "--bench", "dedup"], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
})
  .trim()
  .split("\n")
  .filter((line) => line.startsWith("de-duplicate"))
  .pop();

// --- the mock, and everything that calls it ---------------------------------
const mock = await startMock({ staticDirs: { "/bench/": here, ...(against && { "/against/": against }) } });
const env = { CPH_MOCK_URL: mock.url, BENCH_QUICK: quick ? "1" : "0", ...(against && { BENCH_AGAINST: against }) };
let browser;
let results;
try {
  step("per call, Node");
  const nodeCalls = await nodeChild(["calls"], env);

  step(`cold start, Node (${COLD_SAMPLES} fresh processes each)`);
  const cold = { package: [], ...(against && { against: [] }), baseline: [], none: [] };
  for (let i = 0; i < (callsOnly ? 0 : COLD_SAMPLES); i++) {
    for (const which of Object.keys(cold)) cold[which].push(await timedProcess(["cold", which], env));
  }

  step("memory, Node");
  const nodeMemory = callsOnly ? {} : {
    listJobs: await nodeChild(["memory", "listJobs"], env, ["--expose-gc"]),
    baseline: await nodeChild(["memory", "baseline"], env, ["--expose-gc"]),
  };

  browser = await launch();
  const chromium = browser.version();
  step(`per call, Chromium ${chromium}`);
  const browserCalls = await chromiumCalls(browser, mock.url, { quick, against: Boolean(against), log: (l) => console.error(l) });

  step(`cold start, Chromium (${COLD_SAMPLES} fresh contexts)`);
  const browserCold = { package: [], baseline: [] };
  for (let i = 0; i < (callsOnly ? 0 : COLD_SAMPLES); i++) {
    for (const which of Object.keys(browserCold)) browserCold[which].push(await chromiumCold(browser, mock.url, which));
  }

  step("memory, Chromium");
  const browserMemory = callsOnly ? [] : await chromiumMemory(browser, mock.url, { quick });

  results = { nodeCalls, cold, nodeMemory, chromium, browserCalls, browserCold, browserMemory };
} finally {
  await browser?.close();
  await mock.close();
}
machine.chromium = results.chromium;

// The proxy's own section: its processes and load (proxy-load.mjs, which also runs alone).
step("the proxy under load");
const proxySection = callsOnly ? "" : await proxyLoad({ quick, log: step });

// --- the report ---------------------------------------------------------------
const out = [];
const say = (text = "") => out.push(text);

say("# Benchmarks");
say();
say(`Written by \`make bench\` (tests/bench/run.mjs${quick ? " --quick: short rounds, figures only indicative" : ""}). Every figure below comes from one run; re-run it to compare a change.`);
say();
say(table(["machine", ""], [
  ["date", machine.date],
  ["CPU", `${machine.cpu}, ${machine.cores} cores`],
  ["memory", machine.memory],
  ["OS", machine.os],
  ["load average at start (1, 5, 15 min)", machine.loadAtStart],
  ["Node", machine.node],
  ["Chromium (headless)", machine.chromium],
  ["rustc", machine.rustc],
  ["wasm-bindgen", machine.wasmBindgen],
  ["wasm-opt", machine.wasmOpt],
], true));
say();

if (!callsOnly) {
  say("## Size");
  say();
  say("What a page downloads is measured as Chromium fetches it (scripts/size.mjs): an empty page imports the package's browser entry and makes one call against the mock, and every file of the package it requested counts, at gzip -9 and brotli (quality 11) of the file as node:zlib makes them. The web build's JavaScript is minified (with source maps beside it, which browsers do not fetch). A page whose client signs loads the signing module instead of the plain one.");
  say();
  const sizeRows = (rows) => rows.map((r) => [r.file.replace(/snippets\/[^/]+\//, "snippets/…/"), r.raw, r.gzip, r.brotli]);
  say(table(["a page's one `listJobs` call", "raw B", "gzip -9 B", "brotli B"], [
    ...sizeRows(web),
    ["**all the page downloads**", sum(web, "raw"), `**${sum(web, "gzip")}**`, `**${sum(web, "brotli")}**`],
  ]));
  say();
  say(table(["a page's one signed call (`CphClient` with `credentials`)", "raw B", "gzip -9 B", "brotli B"], [
    ...sizeRows(signing),
    ["**all the page downloads**", sum(signing, "raw"), `**${sum(signing, "gzip")}**`, `**${sum(signing, "brotli")}**`],
    ["more than the `listJobs` page", sum(signing, "raw") - sum(web, "raw"), sum(signing, "gzip") - sum(web, "gzip"), sum(signing, "brotli") - sum(web, "brotli")],
  ]));
  say();
  say(table(["Node build", "raw B", "gzip -9 B", "brotli B"], [...sizeRows(node), ["**all Node loads**", sum(node, "raw"), sum(node, "gzip"), sum(node, "brotli")]]));
  say();
  say(`The npm tarball (\`npm pack\`): ${packed.packed} B packed, ${packed.unpacked} B unpacked, ${packed.files} files.`);
  say();
  say(`The budgets in \`make test\` (scripts/size.mjs): ${PAGE_GZIP_BUDGET} B gzip -9 for the \`listJobs\` page (this build: ${sum(web, "gzip")} B), ${SIGNING_EXTRA_GZIP_BUDGET} B more for the signed call's page (${sum(signing, "gzip") - sum(web, "gzip")} B), and ${TARBALL_BUDGET} B for the packed tarball (${packed.packed} B).`);
  say();
}

say("## Per call");
say();
say("Median time per call (the median over rounds of each round's mean of a few back-to-back calls) against the local mock (tests/mock/server.mjs, scenario `bulk-N`: N jobs in one page) on 127.0.0.1. " +
  "`listJobs` is the package; `baseline` is tests/bench/baseline.mjs, hand-written fetch + res.json() + mapping to the same camelCase objects with a careful developer's checks; " +
  "`fetch only` fetches the same body and does nothing with it: the mock and the loopback HTTP that both sides pay. " +
  "Contenders run in one process, their order rotating every round; both results are checked to be equal before timing.");
say();
const againstNote = against ? " `against` is the build of the package in the folder given to `--against`, timed in the same processes (a before and after)." : "";
const callTable = (rows) =>
  table(["jobs per page", "body", "calls each", "fetch only ms", "baseline ms", "listJobs ms", "listJobs / baseline", "above fetch only: listJobs / baseline", ...(against ? ["against ms", "against / baseline"] : [])], rows.map((r) => [
    r.jobs.toLocaleString("en-US"),
    `${kb(r.bytes)} KB`,
    r.calls,
    ms(r.floor),
    ms(r.baseline),
    ms(r.listJobs),
    `**${ratio(r.listJobs, r.baseline)}**`,
    r.baseline - r.floor > 0.05 * r.floor ? `${ms(r.listJobs - r.floor)} / ${ms(r.baseline - r.floor)} ms` : "(within the noise)",
    ...(against ? [ms(r.against), ratio(r.against, r.baseline)] : []),
  ]));
if (againstNote) say(againstNote.trim());
if (againstNote) say();
say(`### Node ${machine.node}`);
say();
say(callTable(results.nodeCalls));
say();
say(`### Chromium ${machine.chromium} (headless)`);
say();
say(callTable(results.browserCalls));
say();

if (!callsOnly) {
say("## Cold start");
say();
say(`Median of ${COLD_SAMPLES} samples. Node: a fresh \`node\` process per sample times \`await import()\` of the package (pkg/node.mjs, which compiles and instantiates the .wasm synchronously) and a first call that fails validation. ` +
  "Chromium: a fresh browser context per sample (empty cache) times `import(\"/pkg/index.js\")` and a first call, which fetches, compiles and instantiates the .wasm (the web entry instantiates on first use).");
say();
const med = (xs, key) => median(xs.map((x) => x[key]));
const coldRows = [
  ["Node: cph-jobs", ms(med(results.cold.package, "importMs")), ms(med(results.cold.package, "firstCallMs")), `**${ms(med(results.cold.package, "totalMs"))}**`, ms(med(results.cold.package, "wallMs"))],
  ...(against ? [["Node: against (the build given to --against)", ms(med(results.cold.against, "importMs")), ms(med(results.cold.against, "firstCallMs")), ms(med(results.cold.against, "totalMs")), ms(med(results.cold.against, "wallMs"))]] : []),
  ["Node: baseline module (import only)", ms(med(results.cold.baseline, "importMs")), "", ms(med(results.cold.baseline, "totalMs")), ms(med(results.cold.baseline, "wallMs"))],
  ["Node: empty program", "", "", "", ms(med(results.cold.none, "wallMs"))],
  ["Chromium: cph-jobs (web build)", ms(med(results.browserCold.package, "importMs")), ms(med(results.browserCold.package, "firstCallMs")), `**${ms(med(results.browserCold.package, "totalMs"))}**`, ""],
  ["Chromium: baseline module (import only)", ms(med(results.browserCold.baseline, "importMs")), "", ms(med(results.browserCold.baseline, "totalMs")), ""],
];
say(table(["", "import ms", "first call ms", "import + first call ms", "whole process ms"], coldRows));
say();

say("## Memory");
say();
say("Pages of 100 jobs, one call after another; measured after a forced GC. Linear memory never shrinks, so it must stop growing.");
say();
const after = (n) => `after ${n.toLocaleString("en-US")} call${n === 1 ? "" : "s"}`;
const memRows = [];
for (const [label, rows] of [["Node, cph-jobs", results.nodeMemory.listJobs], ["Node, baseline", results.nodeMemory.baseline]]) {
  for (const r of rows) {
    memRows.push([label, r.note ?? after(r.calls), r.linearBytes === null ? "–" : `${kb(r.linearBytes)} KB`, `${mib(r.rss)} MiB`, `${mib(r.heapUsed)} MiB`]);
  }
}
for (const r of results.browserMemory) {
  memRows.push([`Chromium, cph-jobs`, r.note ?? after(r.calls), `${kb(r.linearBytes)} KB`, "", r.jsHeapUsed === null ? "" : `${mib(r.jsHeapUsed)} MiB`]);
}
say(table(["", "when", "wasm linear memory", "process RSS", "JS heap used"], memRows));
say();

say("## Decode throughput (native core)");
say();
say("`cargo bench --bench decode` (benches/decode.rs, release profile, this machine's native target): `decode_list_jobs` (the jobs, as the Rust API returns them), the same followed by `to_json`, and `decode_list_jobs_json`, which writes the camelCase text handed to `JSON.parse` straight from the body – the in-wasm work of a `listJobs` call, natively. MB/s of JSON body.");
say();
say(table(["jobs per page", "body", "decode µs", "decode MB/s", "decode + to_json µs", "decode + to_json MB/s", "straight to text µs", "straight to text MB/s"], decode.map((d) => [
  d.jobs.toLocaleString("en-US"), `${kb(d.bytes)} KB`, d.decodeUs.toFixed(1), d.decodeMBps.toFixed(0), d.decodeToJsonUs.toFixed(1), d.decodeToJsonMBps.toFixed(0), d.textUs.toFixed(1), d.textMBps.toFixed(0),
])));
say();
say("## De-duplication of request ids (native core)");
say();
say(`\`cargo bench --bench dedup\` (benches/dedup.rs): what \`listAllJobs\` and \`waitForJobs\` do with the ids before their first request: ${dedup}.`);
say();
say(proxySection);
say();
}
say("Timings on a shared machine move from run to run; compare ratios taken in the same run rather than absolute figures across runs.");
say();
say("Where the bytes go, and what each build setting and design choice costs or saves: docs/size-study.md.");

const report = `${out.join("\n")}\n`;
console.log(report);
if (outFile) {
  writeFileSync(outFile, report);
  step(`wrote ${outFile}`);
}
