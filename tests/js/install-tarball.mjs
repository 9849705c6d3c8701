// Packs pkg/ with `npm pack` and installs the tarball into a scratch consumer
// project (.tmp/consumer), as a user would receive it. The Node, TypeScript
// and browser tests all import the package from there:
//   .tmp/consumer/esm.mjs  -> import * from "cph-jobs"
//   .tmp/consumer/cjs.cjs  -> require("cph-jobs")
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tmp = join(root, ".tmp");
const packDir = join(tmp, "pack");
const consumer = join(tmp, "consumer");

rmSync(packDir, { recursive: true, force: true });
rmSync(consumer, { recursive: true, force: true });
mkdirSync(packDir, { recursive: true });
mkdirSync(consumer, { recursive: true });

const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const [packed] = JSON.parse(npm(["pack", join(root, "pkg"), "--pack-destination", packDir, "--json"], root));
const tarball = join(packDir, packed.filename);

writeFileSync(join(consumer, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "commonjs" }, null, 2)}\n`);
npm(["install", "--no-audit", "--no-fund", "--no-package-lock", tarball], consumer);
writeFileSync(join(consumer, "esm.mjs"), 'export * from "cph-jobs";\n');
writeFileSync(join(consumer, "cjs.cjs"), 'module.exports = require("cph-jobs");\n');
console.log(`installed ${packed.filename} (${packed.files.length} files, ${packed.size} bytes packed) into ${consumer}`);
