// Prints what a browser downloads for the web build (the entry, the JS glue,
// the error snippet and the .wasm), raw and gzip -9. Run by `make pkg`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const files = ["pkg/index.js"];
for (const entry of readdirSync("pkg/web", { recursive: true })) {
  if (/\.(js|wasm)$/.test(entry)) files.push(join("pkg/web", entry));
}
let total = 0;
for (const file of files) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  const name = file.replace(/snippets\/[^/]+\//, "snippets/…/");
  console.log(`  ${name.padEnd(40)} ${String(raw.length).padStart(8)} B raw  ${String(gz).padStart(7)} B gzip -9`);
}
console.log(`  ${"web build, all a browser downloads".padEnd(40)} ${"".padStart(8)}        ${String(total).padStart(7)} B gzip -9`);
