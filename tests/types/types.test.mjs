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
