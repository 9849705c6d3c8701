// Assembles the npm package in pkg/ from the three wasm-pack builds (in
// target/wasm-pack/: web, without the signer; web-signing, with it; proxy,
// the proxy's checks alone) and the files beside this script.
//
//   node pkg-template/assemble.mjs
//
// Steps: copy each build, stub std's panic machinery in its .wasm
// (assemble-panics.mjs) and optimise it with the pinned wasm-opt, give
// its imports short names (assemble-imports.mjs), make the glue's text codecs
// lazy, make one glue of the plain and signing modules' two
// (assemble-glue.mjs), add the loader (api.js), fill in the entry
// points (index.js, workerd.js, inline.js and its base64 module), bundle the
// Node entry into CommonJS with esbuild, and write package.json with the
// crate's version, license and repository (Cargo.toml is the one place they
// live).

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { minify } from "terser";
import { shortImports } from "./assemble-imports.mjs";
import { shareGlue } from "./assemble-glue.mjs";
import { stubPanics } from "./assemble-panics.mjs";

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

// Measured in docs/size-study.md: -Os, now that the crate is built at
// opt-level z, is 185 B smaller on the page than -O3, with no change in
// speed (-Oz is larger). Earlier (gzip -9 of the .wasm, from 46531 B with
// -O3 alone, the crate at 3): -Os and -Oz came out no smaller; --converge
// repeats the passes while they still shrink the module (-80 B); the
// producers and target-features sections are read by no one once wasm-opt
// has run (-200 B); --low-memory-unused lets loads and stores fold constant
// offsets (-380 B): Rust's wasm32 layout puts the stack first, so the low
// 1 KiB is only the far end of a 1 MiB stack and no pointer arithmetic wraps
// into it. Together: -665 B.
// KEEP_NAMES=1 keeps the function names (wasm-opt -g), so that a CPU
// profile of the package names Rust functions instead of numbers.
const WASM_OPT_FLAGS = [...(process.env.KEEP_NAMES ? ["-g"] : []), "-Os", "--converge", "--low-memory-unused", "--strip-producers", "--strip-target-features"];

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

const WASM_OPT = join(root, "node_modules", ".bin", "wasm-opt");

/**
 * Optimises a .wasm in place with the pinned wasm-opt, once std's panic and
 * formatting code in it is stubbed (assemble-panics.mjs).
 */
function optimise(wasm) {
  stubPanics(wasm, WASM_OPT, WASM_FEATURES);
  execFileSync(WASM_OPT, [...WASM_OPT_FLAGS, ...WASM_FEATURES, wasm, "-o", wasm], { stdio: "inherit" });
}

// wasm-bindgen's glue makes a TextDecoder and a TextEncoder when it loads,
// so a global scope without them (Jest's jsdom environment) cannot even
// import the package. Each glue gets them on first use instead, through
// __cphTextCodec: the globals, or in the Node bundle util's (see
// NODE_TEXT_CODECS); where neither exists, the first call that passes a
// string says which is missing. The web build never names `util`, which a
// bundler would try to resolve. Each rewrite asserts what it expects, so a
// change in wasm-bindgen's output fails the build.
const GLOBAL_CODEC = "const Codec = globalThis[name];";
function lazyTextCodecs(file) {
  let source = readFileSync(file, "utf8");
  const replace = (pattern, replacement, expected) => {
    const found = source.match(new RegExp(pattern.source, "g"))?.length ?? 0;
    if (found !== expected) throw new Error(`${file}: expected ${expected} of ${pattern}, found ${found}; has the wasm-bindgen glue changed?`);
    source = source.replace(new RegExp(pattern.source, "g"), replacement);
  };
  const codec = (name) => `new (__cphTextCodec(${JSON.stringify(name)}))(`;
  replace(
    /let cachedTextDecoder = new TextDecoder\('utf-8', \{ ignoreBOM: true \}\);\ncachedTextDecoder\.decode\(\);\n/,
    // Replaces itself with the real decoder on first use.
    `let cachedTextDecoder = { decode(bytes) { cachedTextDecoder = ${codec("TextDecoder")}'utf-8', { ignoreBOM: true }); return cachedTextDecoder.decode(bytes); } };\n`,
    1,
  );
  replace(
    /const cachedTextEncoder = new TextEncoder\(\);\n/,
    `let realTextEncoder;\nconst textEncoder = () => (realTextEncoder ??= ${codec("TextEncoder")}));\nconst cachedTextEncoder = { encode: (arg) => textEncoder().encode(arg), encodeInto: (arg, view) => textEncoder().encodeInto(arg, view) };\n`,
    1,
  );
  // The decoder's renewal (past 2 GiB decoded, for Safari).
  source = source.replace(/new TextDecoder\(/g, codec("TextDecoder"));
  if (/new Text(En|De)coder\(/.test(source)) throw new Error(`${file}: a TextEncoder or TextDecoder is still made directly`);
  const helper = `function __cphTextCodec(name) {\n    ${GLOBAL_CODEC}\n    if (typeof Codec !== "function") throw new Error(\`cph-jobs needs \${name}, which this JavaScript environment lacks\`);\n    return Codec;\n}\n`;
  // After the glue's imports (an ES module's must come first).
  const lines = source.split("\n");
  let at = 0;
  while (at < lines.length && /^(import |\/\* @ts-self-types)/.test(lines[at])) at++;
  lines.splice(at, 0, helper);
  writeFileSync(file, lines.join("\n"));
}

// A trap (`unreachable`, out of memory) inside a callback of the instance
// (a timer, a fetch answer, wasm-bindgen's task queue) would escape as an
// uncaught error, which ends a Node process, and the call it served would
// never settle. So each closure's call reports a trap to the loader
// (__cph_on_trap, see api.js), which ends the calls in flight with kind
// "internal" and starts the next call on a fresh instance
// (__wbg_reset_state); and a callback of an instance that was replaced does
// nothing instead of throwing. The rewrites assert what they expect.
function guardClosures(file) {
  let source = readFileSync(file, "utf8");
  const replace = (from, to) => {
    const found = source.split(from).length - 1;
    if (found !== 1) throw new Error(`${file}: expected one ${JSON.stringify(from)}, found ${found}; has the wasm-bindgen glue changed?`);
    source = source.replace(from, to);
  };
  if (!source.includes("export function __wbg_reset_state")) throw new Error(`${file}: built without --experimental-reset-state-function`);
  replace(
    "            throw new Error('Cannot invoke closure from previous WASM instance');",
    "            return;",
  );
  replace(
    "            return f(a, state.b, ...args);\n        } finally {",
    "            return f(a, state.b, ...args);\n        } catch (e) {\n            if (!(e instanceof WebAssembly.RuntimeError)) throw e;\n            __cphOnTrap(e);\n        } finally {",
  );
  source += "\nlet __cphOnTrap = () => {};\n/** The loader's hook for a trap inside a callback of the instance. */\nexport function __cph_on_trap(hook) {\n    __cphOnTrap = hook;\n}\n";
  writeFileSync(file, source);
}

/** The Node bundle's glue falls back to util's codecs (see lazyTextCodecs). */
const NODE_TEXT_CODECS = {
  name: "node-text-codecs",
  setup(build) {
    // The plain glue: the signing module's glue is made by its factory.
    build.onLoad({ filter: /web[\\/]cph_jobs\.js$/ }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      if (source.split(GLOBAL_CODEC).length !== 2) throw new Error(`${path}: expected one ${GLOBAL_CODEC}`);
      return { contents: source.replace(GLOBAL_CODEC, 'const Codec = globalThis[name] ?? require("util")[name];'), loader: "js" };
    });
  },
};

let errorModule;
{
  const from = join(builds, "web");
  const to = join(out, "web");
  if (!existsSync(join(from, "cph_jobs_bg.wasm"))) throw new Error(`missing web build in ${from}; run make pkg`);
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
  optimise(join(to, "cph_jobs_bg.wasm"));
  shortImports(join(to, "cph_jobs_bg.wasm"), join(to, "cph_jobs.js"), "cph_jobs");
  lazyTextCodecs(join(to, "cph_jobs.js"));
  guardClosures(join(to, "cph_jobs.js"));

  // wasm-bindgen declares `[Symbol.dispose]()` on classes; this names the
  // library that types it, so a consumer's `lib` setting need not.
  const dts = join(to, "cph_jobs.d.ts");
  writeFileSync(dts, `/// <reference lib="esnext.disposable" />\n${readFileSync(dts, "utf8")}`);

  errorModule = `./${relative(out, findFile(join(to, "snippets"), "error.js")).split("\\").join("/")}`;
  // The loader of the package's functions, beside the module it loads.
  cpSync(join(here, "api.js"), join(to, "api.js"));
}

/**
 * Copies the wasm-pack build `name` from target/wasm-pack/`build` into `to`:
 * its .wasm, optimised, and its glue, which imports the plain build's error
 * snippet, so that every module rejects with the one CphError class. Its own
 * copy of the snippet, and its .d.ts (the package's types are written by
 * hand or come from the plain build), are left out.
 */
function copySecondBuild(build, name, to, client) {
  const from = join(builds, build);
  if (!existsSync(join(from, `${name}_bg.wasm`))) throw new Error(`missing ${build} build in ${from}; run make pkg`);
  mkdirSync(to);
  cpSync(join(from, `${name}_bg.wasm`), join(to, `${name}_bg.wasm`));
  optimise(join(to, `${name}_bg.wasm`));
  const glue = readFileSync(join(from, `${name}.js`), "utf8");
  const snippetImport = /from '\.\/snippets\/[^']*\/error\.js'/g;
  const shared = `from '${relative(to, join(out, errorModule)).split("\\").join("/")}'`;
  if ((glue.match(snippetImport) ?? []).length !== 1) throw new Error(`${build} glue: expected one import of the error snippet`);
  // The glue names its .d.ts for TypeScript, and this copy has none.
  writeFileSync(join(to, `${name}.js`), glue.replace(snippetImport, shared).replace(/^\/\* @ts-self-types=.*\*\/\n/m, ""));
  shortImports(join(to, `${name}_bg.wasm`), join(to, `${name}.js`), name);
  lazyTextCodecs(join(to, `${name}.js`));
  if (client) guardClosures(join(to, `${name}.js`));
}

// The web build's signing module, in web/signing/, which only a page whose
// client signs loads, and Node's entry bundles.
copySecondBuild("web-signing", "cph_jobs_signing", join(out, "web", "signing"), true);
// One glue for both: the plain one becomes a factory the signing one uses.
shareGlue(
  { glue: join(out, "web", "cph_jobs.js"), wasm: join(out, "web", "cph_jobs_bg.wasm"), name: "cph_jobs_bg.wasm" },
  { glue: join(out, "web", "signing", "cph_jobs_signing.js"), wasm: join(out, "web", "signing", "cph_jobs_signing_bg.wasm"), name: "cph_jobs_signing_bg.wasm", fromSigning: "../cph_jobs.js" },
);
// The proxy's checks alone, in proxy/, which only cph-jobs/proxy loads (on a
// server): about 10 KB of gzip that no page should download.
copySecondBuild("proxy", "cph_jobs_proxy", join(out, "proxy"), false);
// Node's entry, node.cjs, bundles a copy of the error snippet, so its
// CphError is another class than the web build's. The proxy's glue for Node
// (proxy.js, which Bun and Deno load too) takes CphError from node.cjs, so
// that `instanceof` holds with the class `require("cph-jobs")` and
// `import "cph-jobs"` give there; proxy-workerd.js keeps the web build's.
{
  const glue = readFileSync(join(out, "proxy", "cph_jobs_proxy.js"), "utf8");
  const snippetImport = /^import \{ CphError \} from '[^']*\/error\.js';$/m;
  if (!snippetImport.test(glue)) throw new Error("proxy glue: expected `import { CphError } from '.../error.js';`");
  const fromNode = 'import { createRequire } from "node:module";\nconst { CphError } = createRequire(import.meta.url)("../node.cjs");';
  writeFileSync(join(out, "proxy", "cph_jobs_proxy_node.js"), glue.replace(snippetImport, fromNode));
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

// Three browser-side entries from one template, apart only in where each
// module comes from when init() is given nothing (see index.js):
//   index.js    the .wasm beside the glue, by new URL(..., import.meta.url)
//   workerd.js  the .wasm imported, a WebAssembly.Module in workerd (wrangler
//               and miniflare make every imported .wasm one)
//   inline.js   the signing .wasm carried as base64 in JavaScript, for
//               tools that cannot handle a .wasm asset (cph-jobs/inline)
const entries = {
  "index.js": { WASM_IMPORTS: "", PLAIN_DEFAULT: "() => undefined", SIGNING_DEFAULT: "async () => undefined" },
  "workerd.js": {
    WASM_IMPORTS: 'import plainWasm from "./web/cph_jobs_bg.wasm";\nimport signingWasm from "./web/signing/cph_jobs_signing_bg.wasm";',
    PLAIN_DEFAULT: "() => plainWasm",
    SIGNING_DEFAULT: "async () => signingWasm",
  },
  // One module, not two: the signing one, which does everything. A second,
  // the plain one, would save an inline page 11 KB of gzip that signs
  // nothing, but cost the package 53 KB (docs/size-study.md).
  "inline.js": {
    WASM_IMPORTS: 'import { bytes as moduleBytes } from "./web/signing/cph_jobs_signing_bg.wasm.js";',
    PLAIN_DEFAULT: "moduleBytes",
    SIGNING_DEFAULT: "null",
  },
};
for (const [file, values] of Object.entries(entries)) {
  writeFileSync(join(out, file), fill(template("index.js"), { ERROR_MODULE: errorModule, ...values }));
}
// The inline entry's module: gzip, then base64, unpacked on first use. A
// tarball or a bundle that gzips base64 of the raw .wasm ends up a third
// larger than the .wasm gzipped (the 6-bit symbols hide the repeats), while
// base64 of the gzipped .wasm stays within 1% of it: 35 KB less of the
// package, and of a page that loads cph-jobs/inline (docs/size-study.md).
// DecompressionStream has been in every browser since 2023 and in Node 18.
{
  const wasm = join(out, "web", "signing", "cph_jobs_signing_bg.wasm");
  writeFileSync(`${wasm}.js`, inlineModule(wasm));
}

/** The module for cph-jobs/inline of a .wasm: `bytes()` resolves with it. */
function inlineModule(wasm) {
  const base64 = gzipSync(readFileSync(wasm), { level: 9 }).toString("base64");
  return (
    `// ${basename(wasm)}, gzipped and in base64, for cph-jobs/inline: unpacked on first use.\n` +
    `const BASE64 = "${base64}";\n` +
    "export async function bytes() {\n" +
    "  if (typeof DecompressionStream !== \"function\") throw new Error(\"cph-jobs/inline needs DecompressionStream, which this JavaScript environment lacks\");\n" +
    "  let packed;\n" +
    "  if (typeof Uint8Array.fromBase64 === \"function\") packed = Uint8Array.fromBase64(BASE64);\n" +
    "  else {\n" +
    "    const text = atob(BASE64);\n" +
    "    packed = new Uint8Array(text.length);\n" +
    "    for (let i = 0; i < text.length; i++) packed[i] = text.charCodeAt(i);\n" +
    "  }\n" +
    "  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream(\"gzip\"));\n" +
    "  return new Uint8Array(await new Response(stream).arrayBuffer());\n" +
    "}\n"
  );
}
writeFileSync(join(out, "node.mjs"), template("node.mjs"));
// Node's entry: the signing module and the loader, bundled into one
// CommonJS file (for `require`, and for tools such as Jest that run
// CommonJS), from the ES modules as they are, before they are minified.
{
  const entry = join(out, "node-entry.js");
  writeFileSync(entry, fill(template("node.js"), { ERROR_MODULE: errorModule }));
  await build({
    entryPoints: [entry],
    outfile: join(out, "node.cjs"),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node18",
    // The glue's `new URL(…, import.meta.url)` default is for browsers; Node
    // hands initSync the bytes.
    logOverride: { "empty-import-meta": "silent" },
    plugins: [NODE_TEXT_CODECS],
  });
  rmSync(entry);
}
writeFileSync(join(out, "cli.mjs"), template("cli.mjs"), { mode: 0o755 }); // the `cph-jobs` bin
// cph-jobs/proxy, for servers: three entries of proxy.js, apart only in which
// glue they import and how they get the checks' module (see proxy.js); the
// CLI's proxy command. proxy.js carries the module as base64, not as a file
// it reads: a server bundle (Next.js bundles its routes' packages) moves or
// renames the files beside it, and turns `new URL(…, import.meta.url)` into
// a URL that is no file. proxy-edge.js imports it as Next.js's Edge runtime
// takes one (`?module`, a WebAssembly.Module compiled outside the edge
// sandbox, so not an instance of the sandbox's WebAssembly.Module, which the
// glue's initSync checks for).
// serveProxy's upstream transport (node:http and node:https) in the Node
// entry alone: the workerd and edge entries' bundlers refuse node: modules,
// even in an import() that never runs there.
const NO_NODE_MODULES = 'const nodeModules = () => Promise.reject(new Error("serveProxy needs node:http; this is cph-jobs/proxy\'s entry for a fetch handler"));';
const proxyEntries = {
  // The .wasm read from beside this file. Not by `new URL("./proxy/…",
  // import.meta.url)` as a literal: bundlers (Next.js's server build) take
  // that for an asset and hand back a URL that is no file; given the base
  // in a variable, they leave it, and import.meta.url is this file's. (As
  // base64 in the JavaScript it would cost the package 23 KB more.)
  "proxy.js": {
    PROXY_GLUE: "./proxy/cph_jobs_proxy_node.js",
    PROXY_WASM:
      'import { readFileSync } from "node:fs";\n' +
      "const here = import.meta.url;\n" +
      'const proxyWasm = () => readFileSync(new URL("./proxy/cph_jobs_proxy_bg.wasm", here));',
    NODE_MODULES: 'const nodeModules = () => Promise.all([import("node:http"), import("node:https")]);',
  },
  "proxy-workerd.js": {
    PROXY_GLUE: "./proxy/cph_jobs_proxy.js",
    PROXY_WASM: 'import wasm from "./proxy/cph_jobs_proxy_bg.wasm";\nconst proxyWasm = () => wasm;',
    NODE_MODULES: NO_NODE_MODULES,
  },
  "proxy-edge.js": {
    PROXY_GLUE: "./proxy/cph_jobs_proxy.js",
    PROXY_WASM:
      'import wasm from "./proxy/cph_jobs_proxy_bg.wasm?module";\n' +
      "const proxyWasm = () => (wasm instanceof WebAssembly.Module ? wasm : Object.setPrototypeOf(wasm, WebAssembly.Module.prototype));",
    NODE_MODULES: NO_NODE_MODULES,
  },
};
for (const [file, values] of Object.entries(proxyEntries)) writeFileSync(join(out, file), fill(template("proxy.js"), values));
for (const file of ["proxy.d.ts", "cli-proxy.mjs", "cli-output.mjs"]) writeFileSync(join(out, file), template(file));
writeFileSync(join(out, "index.d.ts"), fill(template("index.d.ts"), { BUILD: "./web/cph_jobs.js" }));
writeFileSync(join(out, "index.d.cts"), fill(template("index.d.ts"), { BUILD: "./web/cph_jobs.js" }));

// The web build's JavaScript is minified, with a source map beside each
// file (the readable source inside it) for debuggers: a browser downloads
// every byte of it, comments included, unless a bundler minifies it again.
// terser, not esbuild: it renames the local names (about 1 KB of the page
// after gzip, measured in docs/size-study.md) while it keeps every class and
// function name as written, so classes show as themselves
// (`err.constructor.name` is "CphError"); esbuild renames a module's
// top-level names too, or keeps them only through helpers (class static
// blocks) that older browsers cannot parse. Exports keep their spelling;
// other top-level bindings are renamed like locals. The Node build, which
// nothing downloads, stays as written. The inline entry's base64 module is
// left as it is, without a map: it is generated, already as short as base64
// is, and a map of it would only carry the base64 again (two such maps were
// 406 KB of a 1.5 MB package).
const jsFiles = [join(out, "index.js"), join(out, "workerd.js"), join(out, "inline.js"), ...findFiles(join(out, "web"), ".js")];
for (const file of jsFiles.filter((file) => !file.endsWith(".wasm.js"))) {
  const source = readFileSync(file, "utf8");
  const name = basename(file);
  const { code, map } = await minify(
    // Apart from the minified file's own name, so a debugger shows both.
    { [`source/${name}`]: source },
    {
      module: true,
      ecma: 2020,
      keep_classnames: true,
      keep_fnames: true,
      // The glue's pointer to its types, which a minifier would drop.
      format: { comments: /@ts-self-types=/ },
      sourceMap: { filename: name, url: `${name}.map`, includeSources: true },
    },
  );
  writeFileSync(file, `${code}\n`);
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
