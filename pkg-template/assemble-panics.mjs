// A build step of assemble.mjs: the bodies of std's panic and formatting
// machinery, in a .wasm as wasm-bindgen wrote it (names kept), become a
// single `unreachable`, before wasm-opt runs and drops what only they
// reached.
//
// Why it is sound: the crate builds with `panic = "abort"` and sets no
// panic hook, and on wasm32-unknown-unknown std's stderr writes nothing, so
// a panic already ends in `unreachable` (a trap, which the loader turns into
// an "internal" CphError and a fresh instance) after formatting a message
// that no one ever sees. An allocation failure (`rust_oom`) ends the same
// way. Stubbed, each still traps, at once. `core::fmt` itself is reached
// only from those paths: the check below proves it on every build, so a
// `to_string()` or `format!` on a path that does not panic fails the build
// instead of turning into a trap. (Nightly's `panic_immediate_abort` would
// do this in the compiler; no nightly toolchain is available to the build.)
//
// Measured in docs/size-study.md: the page's .wasm about 2.4 KB smaller after
// gzip, with no change in speed (nothing on a call's path runs this code).

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

/**
 * The functions stubbed, by name without crate hashes. Every one must be in
 * each module, or the build fails: a name that moved in a new Rust release
 * must be found again, not silently skipped.
 */
export const STUBBED = [
  // Where every panic and failed allocation goes (`panic = "abort"`).
  "core::panicking::panic_fmt",
  "std::alloc::rust_oom",
  "std::panicking::panic_with_hook",
  // The panic payloads, which format the message; called through vtables.
  "<std::panicking::panic_handler::FormatStringPayload as core::panic::PanicPayload>::take_box",
  "<std::panicking::panic_handler::FormatStringPayload as core::panic::PanicPayload>::get",
  "<std::panicking::panic_handler::StaticStrPayload as core::panic::PanicPayload>::take_box",
  "<std::panicking::panic_handler::StaticStrPayload as core::panic::PanicPayload>::get",
  // core::fmt's entry and its padding: the Display and Debug impls that the
  // panic messages' vtables keep in the table call these.
  "core::fmt::write",
  "<core::fmt::Formatter>::pad",
  "<core::fmt::Formatter>::pad_integral",
];

/**
 * std's other ways into a panic (a bounds check, a `RefCell` borrow, a
 * `None` unwrapped, a `str` cut off a character boundary, a failed
 * allocation), each of which builds its message's arguments and calls
 * `panic_fmt`: stubbed too where a module has them, so the `Debug` and
 * `Display` impls those arguments point at leave the module with them. Each
 * never returns (`-> !`), so a stub of one returns nothing, which is
 * checked.
 */
const DIVERGING = [
  /^core::panicking::/,
  /^core::cell::(lazy::)?panic_\w+$/,
  /^core::option::(unwrap|expect)_failed$/,
  /^core::result::unwrap_failed$/,
  /^core::slice::index::\w+_fail$/,
  /^core::slice::copy_from_slice_impl::len_mismatch_fail$/,
  /^core::str::slice_error_fail(_rt)?$/,
  /^alloc::raw_vec::(capacity_overflow|handle_error)$/,
  /^alloc::alloc::handle_alloc_error$/,
  /^<alloc::vec::Vec<_, _>>::\w+::assert_failed$/,
];

/** The formatting entry points no path that does not panic may reach. */
const FORMATTING = ["core::fmt::write", "<core::fmt::Formatter>::pad", "<core::fmt::Formatter>::pad_integral"];

/**
 * Trait methods that only `core::fmt::write` and the panic handler call,
 * through the `&mut dyn Write` and `&dyn Display` they are handed: in the
 * function table, but not where a call of the program starts.
 */
const FORMATTING_IMPL = /as core::(fmt::(Display|Debug|Write)|panic::PanicPayload)>::/;

/** binaryen.js's flag for a wasm-opt option: "--enable-bulk-memory" is BulkMemory. */
function featureOf(option) {
  const name = option.replace(/^--enable-/, "").replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
  const fixed = { NontrappingFloatToInt: "NontrappingFPToInt" }[name] ?? name;
  if (!(fixed in binaryen.Features)) throw new Error(`binaryen.js knows no feature ${fixed} (from ${option})`);
  // wasm-opt's --enable-bulk-memory enables its memory.copy/fill half too.
  return fixed === "BulkMemory" ? binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt : binaryen.Features[fixed];
}

/** A function's name as written in the source: no crate disambiguators, no legacy hash. */
export const plainName = (name) => name.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");

/**
 * Stubs STUBBED in `wasm` (a file, rewritten in place, names kept), then
 * proves that no export or indirect call target outside the formatting
 * impls reaches FORMATTING. `wasmOpt` is the pinned wasm-opt, `features` its
 * feature flags. Returns the names stubbed.
 */
export function stubPanics(wasm, wasmOpt, features) {
  const module = binaryen.readBinary(readFileSync(wasm));
  try {
    // Exactly the features wasm-opt is given: with more, binaryen would be
    // free to write newer encodings (compact imports, say) that the next
    // steps and older engines cannot read.
    module.setFeatures(features.map(featureOf).reduce((all, feature) => all | feature, binaryen.Features.MVP));
    const found = new Map();
    const diverging = [];
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const func = module.getFunctionByIndex(i);
      const info = binaryen.getFunctionInfo(func);
      const name = plainName(info.name);
      if (info.module !== "") continue; // an import
      if (STUBBED.includes(name)) {
        if (found.has(name)) throw new Error(`${wasm}: two functions named ${name}; which one to stub is not clear`);
        found.set(name, func);
      } else if (DIVERGING.some((pattern) => pattern.test(name))) {
        if (info.results !== binaryen.none) throw new Error(`${wasm}: ${name} returns a value, so it is not one of std's panics; see DIVERGING in assemble-panics.mjs`);
        diverging.push(func);
      }
    }
    const missing = STUBBED.filter((name) => !found.has(name));
    if (missing.length > 0) throw new Error(`${wasm}: no function named ${missing.join(", ")}; has the Rust toolchain renamed std's panic machinery? See assemble-panics.mjs`);
    for (const func of [...found.values(), ...diverging]) binaryen.Function.setBody(func, module.unreachable());
    if (!module.validate()) throw new Error(`${wasm}: the module does not validate once stubbed`);
    binaryen.setDebugInfo(true);
    writeFileSync(wasm, module.emitBinary());
  } finally {
    binaryen.setDebugInfo(false);
    module.dispose();
  }
  checkUnreached(wasm, wasmOpt, features);
  return STUBBED;
}

/** Fails if a call of the program can reach FORMATTING once the stubs are in. */
function checkUnreached(wasm, wasmOpt, features) {
  const dot = execFileSync(wasmOpt, [...features, "--print-call-graph", wasm, "-o", "/dev/null"], { encoding: "utf8", maxBuffer: 256 << 20 });
  const calls = new Map();
  const roots = [];
  for (const line of dot.split("\n")) {
    const edge = line.match(/^ {2}"(.*)" -> "(.*)"; \/\/ call$/);
    if (edge) {
      const [caller, callee] = [plainName(edge[1]), plainName(edge[2])];
      if (!calls.has(caller)) calls.set(caller, []);
      calls.get(caller).push(callee);
      continue;
    }
    // Exports are grey; indirect call targets (the function table) rounded.
    const node = line.match(/^ {2}"(.*)" \[style="filled(, rounded)?", fillcolor="(gray|white)"\];$/);
    if (node && (node[3] === "gray" || node[2]) && !FORMATTING_IMPL.test(plainName(node[1]))) roots.push(plainName(node[1]));
  }
  if (roots.length === 0) throw new Error(`${wasm}: wasm-opt's call graph lists no exports; has its format changed?`);
  const from = new Map(roots.map((root) => [root, null]));
  const queue = [...roots];
  while (queue.length > 0) {
    const caller = queue.shift();
    for (const callee of calls.get(caller) ?? []) {
      if (!from.has(callee)) {
        from.set(callee, caller);
        queue.push(callee);
      }
    }
  }
  for (const name of FORMATTING) {
    if (!from.has(name)) continue;
    const path = [name];
    while (from.get(path[0])) path.unshift(from.get(path[0]));
    throw new Error(`${wasm}: ${name} is reached by a path that does not panic, so its stub would trap there:\n  ${path.join("\n  -> ")}`);
  }
}
