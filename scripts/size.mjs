// The size of the npm package's builds, and the size budget of the web build.
//
//   node scripts/size.mjs           prints what a browser downloads (make size)
//   node scripts/size.mjs --check   the same, and fails over the budget (make test)
//
// Sizes are deterministic for a given toolchain, so the budget is a test;
// timing is not, and lives in `make bench` only.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/**
 * The budgets, in bytes of gzip -9, set here and nowhere else: a little over
 * what the build reaches, so that a change which adds bytes has to say so.
 *
 * WEB_GZIP_BUDGET: everything a browser downloads of the web build for a page
 * that signs nothing: the .wasm plus its JS (the entry, the wasm-bindgen glue,
 * the loader and the error snippet).
 * SIGNING_GZIP_BUDGET: what a page whose client is given `credentials`
 * downloads on top: the signing module and its glue.
 */
// The one Rust driver (async fetch, timers and streams through web-sys and
// wasm-bindgen-futures) took the page from 55,030 B to about 68,500 B, and
// short import names brought it to about 65,600 B, and terser's short local
// names in the JavaScript to about 64,700 B: docs/size-study.md says where
// the bytes went.
export const WEB_GZIP_BUDGET = 65_000;
export const SIGNING_GZIP_BUDGET = 76_500;

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");

/** Raw, gzip -9 and brotli (quality 11) sizes of one file. */
export function sizes(file) {
  const raw = readFileSync(file);
  return {
    file: relative(root, file).split("\\").join("/"),
    raw: raw.length,
    gzip: gzipSync(raw, { level: 9 }).length,
    brotli: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/**
 * The files a program loads, with their sizes: for "web", a page that signs
 * nothing (the entry, the wasm-bindgen glue, the driver, the snippet and the
 * .wasm); for "web-signing", what a page whose client signs loads on top; for
 * "node", a Node program.
 */
export function buildFiles(build, pkg = join(root, "pkg")) {
  // Node runs one bundle (node.cjs, which node.mjs re-exports) and the
  // signing module's .wasm.
  if (build === "node") {
    return ["node.mjs", "node.cjs", "web/signing/cph_jobs_signing_bg.wasm"].map((name) => sizes(join(pkg, name)));
  }
  const files = (build === "web" ? ["index.js"] : []).map((name) => join(pkg, name));
  for (const entry of readdirSync(join(pkg, "web"), { recursive: true })) {
    const signing = entry.split("\\").join("/").startsWith("signing/");
    // *.wasm.js: the inline entry's base64 copies, which a page that loads the .wasm never fetches.
    if (/\.(js|wasm)$/.test(entry) && !entry.endsWith(".wasm.js") && signing === (build === "web-signing")) files.push(join(pkg, "web", entry));
  }
  return files.map(sizes);
}

const total = (rows, key) => rows.reduce((sum, row) => sum + row[key], 0);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const over = [];
  for (const [build, title, budget] of [
    ["web", "web build, all a browser downloads", WEB_GZIP_BUDGET],
    ["web-signing", "and, for a client with credentials", SIGNING_GZIP_BUDGET],
  ]) {
    const rows = buildFiles(build);
    for (const row of rows) {
      const name = row.file.replace(/snippets\/[^/]+\//, "snippets/…/");
      console.log(`  ${name.padEnd(40)} ${String(row.raw).padStart(8)} B raw  ${String(row.gzip).padStart(7)} B gzip -9`);
    }
    const gzip = total(rows, "gzip");
    console.log(`  ${title.padEnd(40)} ${"".padStart(8)}        ${String(gzip).padStart(7)} B gzip -9 (budget ${budget} B)`);
    if (gzip > budget) over.push(`${title}: ${gzip} B gzip -9, over the budget of ${budget} B set in scripts/size.mjs`);
  }
  if (process.argv.includes("--check")) {
    if (over.length > 0) {
      console.error(`size budget exceeded:\n  ${over.join("\n  ")}`);
      process.exit(1);
    }
    console.log("  within the size budgets (scripts/size.mjs)");
  }
}
