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
 * The budget, in bytes of gzip -9, for everything a browser downloads of the
 * web build: the .wasm plus its JS (the entry, the wasm-bindgen glue and the
 * runtime snippet). The one place it is set: a little over what the build
 * reaches, so that a change which adds bytes has to say so here.
 */
export const WEB_GZIP_BUDGET = 86_000;

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
 * The files of one build ("web" or "node") that a program loads: the entry
 * points, the wasm-bindgen glue, the snippet and the .wasm.
 */
export function buildFiles(build, pkg = join(root, "pkg")) {
  const entries = build === "web" ? ["index.js"] : ["node.mjs", "node.cjs"];
  const files = entries.map((name) => join(pkg, name));
  for (const entry of readdirSync(join(pkg, build), { recursive: true })) {
    if (/\.(js|wasm)$/.test(entry)) files.push(join(pkg, build, entry));
  }
  return files.map(sizes);
}

const total = (rows, key) => rows.reduce((sum, row) => sum + row[key], 0);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = buildFiles("web");
  for (const row of rows) {
    const name = row.file.replace(/snippets\/[^/]+\//, "snippets/…/");
    console.log(`  ${name.padEnd(40)} ${String(row.raw).padStart(8)} B raw  ${String(row.gzip).padStart(7)} B gzip -9`);
  }
  const gzip = total(rows, "gzip");
  console.log(`  ${"web build, all a browser downloads".padEnd(40)} ${"".padStart(8)}        ${String(gzip).padStart(7)} B gzip -9`);
  if (process.argv.includes("--check")) {
    if (gzip > WEB_GZIP_BUDGET) {
      console.error(`size budget exceeded: the web build is ${gzip} B gzip -9, over the budget of ${WEB_GZIP_BUDGET} B set in scripts/size.mjs`);
      process.exit(1);
    }
    console.log(`  within the size budget: ${gzip} B <= ${WEB_GZIP_BUDGET} B (scripts/size.mjs)`);
  }
}
