// Ready to publish: the dry runs of both registries, what each would receive,
// and the npm package's lints. Run by `make test-publish` after `make pkg`.
//
// `cargo publish --dry-run` refuses uncommitted changes to the files it
// packages; CI runs on a clean clone, where it gets no --allow-dirty. In a
// working copy with such changes the flag is added (and said so), so that
// `make test` checks everything else before the commit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = join(root, "pkg");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (command, args, cwd = root) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });

const cargoVersion = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version\s*=\s*"([^"]+)"/m)[1];

/** Whether git sees uncommitted changes to the files the crate packages. */
function crateFilesDirty() {
  const status = spawnSync("git", ["status", "--porcelain", "--", "src", "crates", "Cargo.toml", "Cargo.lock", "README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"], { cwd: root, encoding: "utf8" });
  return status.status === 0 && status.stdout.trim() !== "";
}

// cph-jobs depends on cph-jobs-json (its JSON reader, a crate of its own so
// that it can be built for speed), so the two are published together: cargo
// verifies cph-jobs against the cph-jobs-json it has just packaged.
test("crates.io: cargo publish --dry-run packages and builds both crates", () => {
  const args = ["publish", "--dry-run", "--package", "cph-jobs-json", "--package", "cph-jobs"];
  if (crateFilesDirty()) {
    console.log("uncommitted changes to the crate's files: adding --allow-dirty (a clean clone runs without it)");
    args.push("--allow-dirty");
  }
  const result = spawnSync("cargo", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "inherit", "pipe"] });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /Uploading cph-jobs-json v\d/, "the dry run reaches the upload step of cph-jobs-json");
  assert.match(result.stderr, /Uploading cph-jobs v\d/, "the dry run reaches the upload step of cph-jobs");
  assert.match(result.stderr, /aborting upload due to dry run/);
});

test("crates.io: the crate holds its source and documents only", () => {
  // --allow-dirty changes nothing in the list; it only lets a working copy list it.
  const files = run("cargo", ["package", "--list", "--allow-dirty", "--package", "cph-jobs"]).trim().split("\n");
  const allowed = /^(Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|\.cargo_vcs_info\.json|README\.md|CHANGELOG\.md|LICENSE-MIT|LICENSE-APACHE|src\/[\w/]+\.(rs|js))$/;
  assert.deepEqual(files.filter((file) => !allowed.test(file)), [], "files that do not belong in the crate");
  for (const needed of ["Cargo.toml", "README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE", "src/lib.rs", "src/wasm/error.js"]) {
    assert.ok(files.includes(needed), `${needed} is missing from the crate`);
  }
  console.log(`crates.io would receive ${files.length} files:\n  ${files.join("\n  ")}`);
});

test("crates.io: cph-jobs-json holds its source and documents only, at cph-jobs' version", () => {
  const files = run("cargo", ["package", "--list", "--allow-dirty", "--package", "cph-jobs-json"]).trim().split("\n");
  const allowed = /^(Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|\.cargo_vcs_info\.json|README\.md|LICENSE-MIT|LICENSE-APACHE|src\/[\w/]+\.rs)$/;
  assert.deepEqual(files.filter((file) => !allowed.test(file)), [], "files that do not belong in the crate");
  for (const needed of ["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "src/lib.rs"]) assert.ok(files.includes(needed), `${needed} is missing`);
  const manifest = readFileSync(join(root, "crates", "cph-jobs-json", "Cargo.toml"), "utf8");
  assert.equal(manifest.match(/^version\s*=\s*"([^"]+)"/m)[1], cargoVersion, "released together, so one version");
  assert.match(readFileSync(join(root, "Cargo.toml"), "utf8"), new RegExp(`^cph-jobs-json = \\{ version = "=${cargoVersion.replace(/\./g, "\\.")}"`, "m"), "cph-jobs takes exactly that version");
});

/** The files `npm publish` would send, from its dry run. */
function npmFiles() {
  const out = JSON.parse(run("npm", ["publish", "--dry-run", "--json", "--ignore-scripts"], pkg));
  // npm 10 prints the package's record, npm 11 a map from name to record.
  const record = out.files ? out : out["cph-jobs"];
  assert.ok(record?.files, `unexpected npm output: ${JSON.stringify(out).slice(0, 200)}`);
  assert.equal(record.name, "cph-jobs");
  return { version: record.version, files: record.files.map((file) => file.path).sort() };
}

test("npm: npm publish --dry-run lists only the package's files", () => {
  const { version, files } = npmFiles();
  assert.equal(version, cargoVersion, "the npm version is the crate's");
  const top = ["LICENSE-APACHE", "LICENSE-MIT", "README.md", "cli.mjs", "cli-output.mjs", "index.d.cts", "index.d.ts", "index.js", "index.js.map", "node.cjs", "node.mjs", "package.json"];
  // The workerd and inline entries.
  top.push("workerd.js", "workerd.js.map", "inline.js", "inline.js.map");
  // cph-jobs/proxy, for servers: the handler (for Node, for workerd and for
  // Next.js's Edge runtime), the CLI's proxy command, and the module of the
  // proxy's checks alone.
  top.push("proxy.js", "proxy-workerd.js", "proxy-edge.js", "proxy.d.ts", "cli-proxy.mjs");
  // Two glues of the one module: Node's throws node.cjs's CphError.
  const proxy = ["proxy/cph_jobs_proxy.js", "proxy/cph_jobs_proxy_node.js", "proxy/cph_jobs_proxy_bg.wasm"];
  // Generated base64 of the signing module, the one inline.js carries, so
  // without a source map (it would map to nothing readable).
  const inline = ["web/signing/cph_jobs_signing_bg.wasm.js"];
  // The web build (Node's entry bundles its signing module), with the loader
  // beside it; the browsers' signing module: its glue and .wasm, nothing
  // else; and the source maps of the web build's minified JavaScript.
  const build = ["web/cph_jobs.js", "web/cph_jobs.d.ts", "web/cph_jobs_bg.wasm", "web/api.js"];
  const signing = ["web/signing/cph_jobs_signing.js", "web/signing/cph_jobs_signing_bg.wasm"];
  const maps = ["web/cph_jobs.js.map", "web/api.js.map", "web/signing/cph_jobs_signing.js.map"];
  const snippet = /^web\/snippets\/cph-jobs-[0-9a-f]+\/src\/wasm\/error\.js(\.map)?$/;
  const listed = [...top, ...inline, ...build, ...signing, ...maps, ...proxy];
  assert.deepEqual(files.filter((file) => !listed.includes(file) && !snippet.test(file)), [], "files that do not belong in the npm package");
  assert.deepEqual(listed.filter((file) => !files.includes(file)), [], "files missing from the npm package");
  assert.equal(files.filter((file) => file.endsWith("/error.js")).length, 1, "one error snippet, shared by every module");
  console.log(`npm would receive ${files.length} files:\n  ${files.join("\n  ")}`);
});

test("the web build's minified JavaScript keeps its names and adds no newer syntax", () => {
  for (const file of ["index.js", "workerd.js", "inline.js", "web/cph_jobs.js", "web/api.js", "web/signing/cph_jobs_signing.js"]) {
    const code = readFileSync(join(pkg, file), "utf8");
    // Class static blocks (ES2022, Safari 16.4) are what a minifier adds to
    // keep renamed names; the sources have none.
    assert.ok(!code.includes("static{"), `${file} has a class static block`);
    assert.match(code, /\/\/# sourceMappingURL=[\w.]+\.map\n$/, `${file} names its source map`);
  }
  assert.match(readFileSync(join(pkg, "web/api.js"), "utf8"), /class CphClient\b/);
  assert.match(readFileSync(join(pkg, "web/cph_jobs.js"), "utf8"), /^\/\* @ts-self-types="\.\/cph_jobs\.d\.ts" \*\//);
});

test("one version: Cargo.toml's, in pkg/package.json, the CHANGELOG and the example", () => {
  const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  assert.equal(manifest.version, cargoVersion);
  // The license and repository come from Cargo.toml as well.
  const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
  assert.equal(manifest.license, cargo.match(/^license\s*=\s*"([^"]+)"/m)[1]);
  assert.equal(manifest.repository.url, `git+${cargo.match(/^repository\s*=\s*"([^"]+)"/m)[1]}.git`);
  const changelog = readFileSync(join(root, "CHANGELOG.md"), "utf8");
  const heading = changelog.match(/^## \[?(\d+\.\d+\.\d+[^\]\s]*)/m)?.[1];
  assert.equal(heading, cargoVersion, "the CHANGELOG's latest entry is the current version");
  const example = readFileSync(join(root, "examples", "frontend", "Cargo.toml"), "utf8");
  assert.match(example, /^cph-jobs = \{ path = "\.\.\/\.\." \}$/m, "the example frontend takes the crate by path, so by its version");
});

test("npm: publint --strict finds nothing", () => {
  const result = spawnSync(bin("publint"), ["--strict", pkg], { cwd: root, encoding: "utf8" });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /All good!/);
});

test("npm: attw finds types for node10, node16 (CJS and ESM) and bundlers", () => {
  // The .wasm subpath is an asset, not a module with types; cph-jobs/inline
  // cannot resolve under node10, which knows no subpath exports (its
  // Node resolution is the plain Node build anyway).
  const result = spawnSync(bin("attw"), ["--pack", pkg, "--format", "json", "--exclude-entrypoints", "./cph_jobs_bg.wasm", "--ignore-rules", "untyped-resolution"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const report = JSON.parse(result.stdout);
  // cph-jobs/proxy is an ES module for servers on purpose: require() and
  // node10 resolution (no `exports`) do not reach it, and nothing else may fail.
  const inlineUnderNode10 = (p) => p.entrypoint === "./inline" && p.resolutionKind === "node10" && p.kind === "UntypedResolution";
  const expectedForProxy = (p) => p.entrypoint === "./proxy" && ["CJSResolvesToESM", "NoResolution"].includes(p.kind);
  assert.deepEqual(report.analysis.problems.filter((p) => !inlineUnderNode10(p) && !expectedForProxy(p)), [], "attw problems");
  assert.ok(report.analysis.entrypoints["./proxy"].resolutions["node16-esm"].resolution.isTypeScript, "./proxy has types");
  // attw exits 1 for any problem it is not told to ignore: ./proxy's expected ones.
  assert.equal(result.status, report.analysis.problems.some(expectedForProxy) ? 1 : 0, result.stderr);
  const entry = report.analysis.entrypoints["."];
  assert.ok(entry.hasTypes);
  const expected = {
    node10: "index.d.cts",
    "node16-cjs": "index.d.cts",
    "node16-esm": "index.d.ts",
    bundler: "index.d.ts",
  };
  for (const [kind, file] of Object.entries(expected)) {
    const resolution = entry.resolutions[kind]?.resolution;
    assert.ok(resolution?.isTypeScript, `${kind}: no types resolved`);
    assert.equal(resolution.fileName, `/node_modules/cph-jobs/${file}`, kind);
  }
});
