// The package's .d.ts under `tsc --strict`, resolved through the installed
// tarball's exports map: the consumer files must compile, and each fail-* file
// must fail with the error code its first line names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
const work = join(root, ".tmp", "consumer", "types");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const file of readdirSync(here)) if (/\.(mts|cts|json)$/.test(file)) cpSync(join(here, file), join(work, file));

// One project per file, so each fail-* file is judged on its own errors.
function compileOne(file) {
  const config = join(work, `tsconfig.${file}.json`);
  writeFileSync(config, JSON.stringify({ extends: "./tsconfig.json", files: [file] }));
  return spawnSync(process.execPath, [tsc, "-p", config], { cwd: work, encoding: "utf8" });
}

test("the consumer files compile under --strict", () => {
  for (const file of ["ok.mts", "ok.cts"]) {
    const result = compileOne(file);
    assert.equal(result.status, 0, `${file}:\n${result.stdout}${result.stderr}`);
  }
});

for (const file of readdirSync(here).filter((f) => f.startsWith("fail-"))) {
  test(`${file} fails to compile`, () => {
    const expected = readFileSync(join(here, file), "utf8").match(/^\/\/ expect: (TS\d+)/)?.[1];
    assert.ok(expected, `${file} must name its expected error on line 1`);
    const result = compileOne(file);
    assert.notEqual(result.status, 0, `${file} compiled, but must not`);
    assert.ok(result.stdout.includes(`error ${expected}`), `${file}: wanted ${expected}, got:\n${result.stdout}`);
  });
}

// The public types are a contract: any change to them shows up as a diff of
// this checked-in reference. After an intended change, refresh it with
//   UPDATE_TYPES=1 node --test tests/types/
test("the published declarations match the checked-in reference", () => {
  const pkg = join(root, ".tmp", "consumer", "node_modules", "cph-jobs");
  // wasm-bindgen's InitOutput lists hashed internal exports that change with
  // every build; the public part ends before it.
  const generated = readFileSync(join(pkg, "web", "cph_jobs.d.ts"), "utf8").split("export type InitInput")[0];
  const actual = `// index.d.ts\n${readFileSync(join(pkg, "index.d.ts"), "utf8")}\n// web/cph_jobs.d.ts (public part)\n${generated.trimEnd()}\n`;
  const reference = join(here, "api.d.ts.txt");
  if (process.env.UPDATE_TYPES) writeFileSync(reference, actual);
  assert.equal(actual, readFileSync(reference, "utf8"), "the public types changed; see the comment above this test");
});
