// The package has one driver, in Rust: its hand-written JavaScript loads the
// module and wraps it, and does no transport work of its own. The CLI, the
// proxy (a server, not the client) and the build script are not the client.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const NOT_THE_CLIENT = /^(cli|assemble|proxy)[.-]/;
const handWritten = [
  ...readdirSync(join(root, "pkg-template"))
    .filter((name) => /\.(m|c)?js$/.test(name) && !NOT_THE_CLIENT.test(name))
    .map((name) => join("pkg-template", name)),
  ...readdirSync(join(root, "src", "wasm"), { recursive: true })
    .filter((name) => /\.js$/.test(name))
    .map((name) => join("src", "wasm", name)),
];

test("the package's hand-written JavaScript does no transport work", () => {
  assert.ok(handWritten.length >= 4, `found ${handWritten.join(", ")}`);
  for (const file of handWritten) {
    const source = readFileSync(join(root, file), "utf8");
    for (const name of ["X-Auth-Token", "AbortController", "setTimeout", "Retry-After"]) {
      assert.ok(!source.toLowerCase().includes(name.toLowerCase()), `${file} mentions ${name}`);
    }
  }
});

test("no numeric protocol is copied into the package's JavaScript", () => {
  for (const file of handWritten) {
    const source = readFileSync(join(root, file), "utf8");
    // A named numeric constant (`const SEND = 2;`) is how a protocol with
    // the wasm module would be copied; JobStatus is the API's own table.
    const constants = [...source.matchAll(/^\s*(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*=\s*-?\d+\s*;/gm)].map((m) => m[1]);
    assert.deepEqual(constants, [], `${file} defines numeric constants`);
  }
});
