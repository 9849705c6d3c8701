// Assembles the npm package in pkg/ from the three wasm-pack builds (in
// target/wasm-pack/: web, without the signer; web-signing, with it; and
// nodejs, with it) and the files beside this script.
//
//   node pkg-template/assemble.mjs
//
// Steps: copy each build, optimise its .wasm with the pinned wasm-opt, add the
// driver, make the nodejs build's snippet and driver CommonJS, fill in the entry points, and write
// package.json with the crate's version, license and repository (Cargo.toml is
// the one place they live).

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const out = join(root, "pkg");
const builds = join(root, "target", "wasm-pack");

// The features rustc enables by default for wasm32-unknown-unknown; wasm-opt
// must know them or it refuses the module.
const WASM_FEATURES = [
  "--enable-bulk-memory",
  "--enable-mutable-globals",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-reference-types",
  "--enable-multivalue",
];

// Measured in docs/size-study.md (gzip -9 of the .wasm, from 46531 B with
// -O3 alone): -Os and -Oz come out no smaller than -O3 here; --converge
// repeats the passes while they still shrink the module (-80 B); the
// producers and target-features sections are read by no one once wasm-opt
// has run (-200 B); --low-memory-unused lets loads and stores fold constant
// offsets (-380 B): Rust's wasm32 layout puts the stack first, so the low
// 1 KiB is only the far end of a 1 MiB stack and no pointer arithmetic wraps
// into it. Together: -665 B.
const WASM_OPT_FLAGS = ["-O3", "--converge", "--low-memory-unused", "--strip-producers", "--strip-target-features"];

// The version, license and repository live in Cargo.toml's [package], the
// file's first table, so the first match of each key is the package's.
const cargoToml = readFileSync(join(root, "Cargo.toml"), "utf8");
function cargoField(key) {
  const value = cargoToml.match(new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, "m"))?.[1];
  if (!value) throw new Error(`no ${key} in Cargo.toml`);
  return value;
}
const version = cargoField("version");
const license = cargoField("license");
const repository = cargoField("repository");

rmSync(out, { recursive: true, force: true });
mkdirSync(out);

/** Optimises a .wasm in place with the pinned wasm-opt. */
function optimise(wasm) {
  execFileSync(join(root, "node_modules", ".bin", "wasm-opt"), [...WASM_OPT_FLAGS, ...WASM_FEATURES, wasm, "-o", wasm], { stdio: "inherit" });
}

const runtimeModules = {};
for (const [build, type] of [["web", "module"], ["node", "commonjs"]]) {
  const from = join(builds, build);
  const to = join(out, build);
  if (!existsSync(join(from, "cph_jobs_bg.wasm"))) throw new Error(`missing ${build} build in ${from}; run make pkg`);
  mkdirSync(to);
  for (const name of readdirSync(from)) {
    // wasm-pack's own package.json, README and .gitignore describe a single-target package;
    // cph_jobs_bg.wasm.d.ts types the raw exports for bundlers that import the
    // .wasm itself, which the exports map never offers.
    const skip = ["package.json", "README.md", ".gitignore", "LICENSE-MIT", "LICENSE-APACHE", "cph_jobs_bg.wasm.d.ts"];
    if (!skip.includes(name)) {
      cpSync(join(from, name), join(to, name), { recursive: true });
    }
  }
  // Each build folder says how Node must read its .js files.
  writeFileSync(join(to, "package.json"), `${JSON.stringify({ type }, null, 2)}\n`);
  optimise(join(to, "cph_jobs_bg.wasm"));

  // wasm-bindgen declares `[Symbol.dispose]()` on classes; this names the
  // library that types it, so a consumer's `lib` setting need not.
  const dts = join(to, "cph_jobs.d.ts");
  writeFileSync(dts, `/// <reference lib="esnext.disposable" />\n${readFileSync(dts, "utf8")}`);

  const snippet = findFile(join(to, "snippets"), "runtime.js");
  runtimeModules[build] = `./${relative(out, snippet).split("\\").join("/")}`;
  // The driver of the package's functions, beside the module it drives.
  cpSync(join(here, "driver.js"), join(to, "driver.js"));
  if (build === "node") {
    toCommonJs(snippet);
    toCommonJs(join(to, "driver.js"));
  }
}

// The web build's signing module, in web/signing/: its .wasm and its glue,
// which imports the plain build's runtime snippet, so that both modules
// reject with the one CphError class. Its own copy of the snippet, and its
// .d.ts (the plain build's types are the package's), are left out.
{
  const from = join(builds, "web-signing");
  const to = join(out, "web", "signing");
  if (!existsSync(join(from, "cph_jobs_signing_bg.wasm"))) throw new Error(`missing web-signing build in ${from}; run make pkg`);
  mkdirSync(to);
  cpSync(join(from, "cph_jobs_signing_bg.wasm"), join(to, "cph_jobs_signing_bg.wasm"));
  optimise(join(to, "cph_jobs_signing_bg.wasm"));
  const glue = readFileSync(join(from, "cph_jobs_signing.js"), "utf8");
  const snippetImport = /from '\.\/snippets\/[^']*\/runtime\.js'/g;
  const shared = `from '${relative(to, join(out, runtimeModules.web)).split("\\").join("/")}'`;
  if ((glue.match(snippetImport) ?? []).length !== 1) throw new Error("web-signing glue: expected one import of the runtime snippet");
  // The glue names its .d.ts for TypeScript, and this copy has none.
  writeFileSync(join(to, "cph_jobs_signing.js"), glue.replace(snippetImport, shared).replace(/^\/\* @ts-self-types=.*\*\/\n/m, ""));
}

// wasm-bindgen's nodejs glue require()s the snippet, and node.cjs the driver,
// which are written as ES modules; Node before 20.19 cannot require an ES
// module, so these copies become CommonJS. Both keep to
// `export [async] class|const|function NAME` and import nothing for this.
function toCommonJs(file) {
  const source = readFileSync(file, "utf8");
  const names = [...source.matchAll(/^export (?:class|const|function|async function) (\w+)/gm)].map((m) => m[1]);
  if (names.length === 0 || /^\s*(import|export\s*\{|export default)/m.test(source)) {
    throw new Error(`${file}: only "export [async] class|const|function NAME" is supported`);
  }
  const body = source.replace(/^export (?=class|const|function|async function)/gm, "");
  writeFileSync(file, `"use strict";\n${body}\nmodule.exports = { ${names.join(", ")} };\n`);
}

/** Every file under `dir` whose name ends with `suffix`. */
function findFiles(dir, suffix) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

function findFile(dir, name) {
  const found = findFiles(dir, name).find((file) => basename(file) === name);
  if (!found) throw new Error(`${name} not found under ${dir}`);
  return found;
}

const fill = (text, values) => text.replace(/__(\w+)__/g, (m, key) => values[key] ?? m);
const template = (name) => readFileSync(join(here, name), "utf8");

writeFileSync(join(out, "index.js"), fill(template("index.js"), { RUNTIME_MODULE: runtimeModules.web }));
writeFileSync(join(out, "node.cjs"), fill(template("node.cjs"), { RUNTIME_MODULE: runtimeModules.node }));
writeFileSync(join(out, "node.mjs"), template("node.mjs"));
writeFileSync(join(out, "cli.mjs"), template("cli.mjs"), { mode: 0o755 }); // the `cph-jobs` bin
for (const file of ["proxy.js", "proxy.d.ts"]) writeFileSync(join(out, file), template(file)); // cph-jobs/proxy, for servers
writeFileSync(join(out, "index.d.ts"), fill(template("index.d.ts"), { BUILD: "./web/cph_jobs.js" }));
writeFileSync(join(out, "index.d.cts"), fill(template("index.d.ts"), { BUILD: "./node/cph_jobs.js" }));

// The web build's JavaScript is minified, with a source map beside each
// file (the readable source inside it) for debuggers: a browser downloads
// every byte of it, comments included, unless a bundler minifies it again.
// That takes the JavaScript of a page from 13 KB to under 8 KB after gzip.
// White space and syntax only: names stay as written, so classes show as
// themselves (`err.constructor.name` is "CphError"), and esbuild needs none
// of the helpers (class static blocks) that keeping renamed names would add,
// which older browsers cannot parse. The Node build, which nothing
// downloads, stays as written.
for (const file of [join(out, "index.js"), ...findFiles(join(out, "web"), ".js")]) {
  const source = readFileSync(file, "utf8");
  const name = basename(file);
  const { code, map } = transformSync(source, {
    format: "esm",
    target: "es2022",
    minifyWhitespace: true,
    minifySyntax: true,
    // The glue's pointer to its types, which minifying would drop; as a
    // banner, the source map accounts for its line.
    banner: source.match(/^\/\* @ts-self-types=.*\*\//)?.[0] ?? "",
    sourcemap: "external",
    // Apart from the minified file's own name, so a debugger shows both.
    sourcefile: `source/${name}`,
    sourcesContent: true,
  });
  writeFileSync(file, `${code}//# sourceMappingURL=${name}.map\n`);
  writeFileSync(`${file}.map`, map);
}

const { name, version: _, description, ...rest } = JSON.parse(template("package.json"));
const manifest = {
  name,
  version,
  description,
  license,
  repository: { type: "git", url: `git+${repository}.git` },
  homepage: `${repository}#readme`,
  bugs: { url: `${repository}/issues` },
  ...rest,
};
writeFileSync(join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE"]) {
  if (existsSync(join(root, file))) cpSync(join(root, file), join(out, file));
}
console.log(`assembled pkg/ (cph-jobs ${version})`);
