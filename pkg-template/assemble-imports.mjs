// Short names for the imports of a wasm-bindgen module, and other renames of
// its imports and exports: part of assembling the package (assemble.mjs), not
// shipped.
//
// wasm-bindgen names each import after its JS function plus a 16-digit hash
// (`__wbg_fetch_fdadcb1e610bcd82`), under the module name
// `./cph_jobs_bg.js`; the names sit in the .wasm and again as keys in the
// glue, and hashes do not compress. Renaming them `a`, `b`, … in both
// places saves about 2.9 KB of gzip on a page (docs/size-study.md).
//
// Why by hand: wasm-opt's --minify-imports renames only imports from `env`,
// and --minify-imports-and-exports-and-modules renames the exports too,
// which the glue's public `InitOutput` type names. The import section is a
// list of (module, name, description) records, so rewriting it needs only
// the few lines below.

import { readFileSync, writeFileSync } from "node:fs";

const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;
const MODULE = "a";

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** An unsigned LEB128. */
function encodeLeb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

const utf8 = new TextDecoder();
/** `text` matched literally inside a regular expression. */
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const name = (text) => {
  const bytes = new TextEncoder().encode(text);
  return [...encodeLeb(bytes.length), ...bytes];
};

/** The offset after an import's description (the kind byte at `at`). */
function skipDescription(bytes, at) {
  const limits = (at) => {
    const flags = bytes[at++];
    [, at] = leb(bytes, at);
    if (flags & 1) [, at] = leb(bytes, at);
    return at;
  };
  switch (bytes[at++]) {
    case 0x00: // function: type index
      return leb(bytes, at)[1];
    case 0x01: // table: reference type, limits
      return limits(at + 1);
    case 0x02: // memory: limits
      return limits(at);
    case 0x03: // global: value type, mutability
      return at + 2;
    case 0x04: // tag: attribute, type index
      return leb(bytes, at + 1)[1];
    default:
      throw new Error(`unknown import kind ${bytes[at - 1]}`);
  }
}

/** `a`, `b`, …, `Z`, then `aa`, `ab`, …: short and valid as JS keys. */
function shortName(index) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let text = "";
  do {
    text = letters[index % letters.length] + text;
    index = Math.floor(index / letters.length) - 1;
  } while (index >= 0);
  return text;
}

/** The offset of `section`'s id byte in `bytes`, or throws. */
function findSection(bytes, section, wasm) {
  let at = 8; // magic and version
  while (at < bytes.length && bytes[at] !== section) {
    const [size, body] = leb(bytes, at + 1);
    at = body + size;
  }
  if (at >= bytes.length) throw new Error(`${wasm}: no section ${section}`);
  return at;
}

/**
 * Renames the exports of `wasm` named in `renames` (old name to new). Throws
 * unless each is there exactly once.
 */
export function renameExports(wasm, renames) {
  const bytes = readFileSync(wasm);
  const at = findSection(bytes, EXPORT_SECTION, wasm);
  const [size, body] = leb(bytes, at + 1);
  const [count, first] = leb(bytes, body);
  const section = [...encodeLeb(count)];
  const done = new Set();
  let cursor = first;
  for (let i = 0; i < count; i++) {
    const [length, nameAt] = leb(bytes, cursor);
    const field = utf8.decode(bytes.subarray(nameAt, nameAt + length));
    const descriptionAt = nameAt + length;
    cursor = leb(bytes, descriptionAt + 1)[1]; // kind byte, index
    if (renames.has(field)) {
      if (done.has(field)) throw new Error(`${wasm}: two exports named ${field}`);
      done.add(field);
    }
    section.push(...name(renames.get(field) ?? field), ...bytes.subarray(descriptionAt, cursor));
  }
  if (cursor !== body + size) throw new Error(`${wasm}: the export section did not parse to its end`);
  const missing = [...renames.keys()].filter((field) => !done.has(field));
  if (missing.length > 0) throw new Error(`${wasm}: no export named ${missing.join(", ")}`);
  writeFileSync(wasm, Buffer.concat([bytes.subarray(0, at), Buffer.from([EXPORT_SECTION, ...encodeLeb(section.length)]), Buffer.from(section), bytes.subarray(body + size)]));
}

/**
 * Renames the imports of `wasm` that come from `./<stem>_bg.js` (all of a
 * wasm-bindgen module's) and the keys of its glue `glue` to match. Throws if
 * the glue does not hold each old name exactly once as a key, so a change in
 * wasm-bindgen's output fails the build.
 */
export function shortImports(wasm, glue, stem) {
  const bytes = readFileSync(wasm);
  const from = `./${stem}_bg.js`;
  const at = findSection(bytes, IMPORT_SECTION, wasm);
  const [size, body] = leb(bytes, at + 1);
  const [count, first] = leb(bytes, body);
  const renamed = new Map();
  const section = [...encodeLeb(count)];
  let cursor = first;
  for (let i = 0; i < count; i++) {
    const [moduleLength, moduleAt] = leb(bytes, cursor);
    const module = utf8.decode(bytes.subarray(moduleAt, moduleAt + moduleLength));
    const [fieldLength, fieldAt] = leb(bytes, moduleAt + moduleLength);
    const field = utf8.decode(bytes.subarray(fieldAt, fieldAt + fieldLength));
    const descriptionAt = fieldAt + fieldLength;
    cursor = skipDescription(bytes, descriptionAt);
    if (module !== from) throw new Error(`${wasm}: an import from ${module}, not ${from}`);
    if (!renamed.has(field)) renamed.set(field, shortName(renamed.size));
    section.push(...name(MODULE), ...name(renamed.get(field)), ...bytes.subarray(descriptionAt, cursor));
  }
  if (cursor !== body + size) throw new Error(`${wasm}: the import section did not parse to its end`);
  const head = bytes.subarray(0, at);
  const tail = bytes.subarray(body + size);
  writeFileSync(wasm, Buffer.concat([head, Buffer.from([IMPORT_SECTION, ...encodeLeb(section.length)]), Buffer.from(section), tail]));

  let source = readFileSync(glue, "utf8");
  // `pattern`: a line of the glue, as a regular expression's source.
  const replaceOnce = (pattern, replacement, what) => {
    const found = source.match(new RegExp(pattern, "gm"))?.length ?? 0;
    if (found !== 1) throw new Error(`${glue}: expected one ${what}, found ${found}; has the wasm-bindgen glue changed?`);
    source = source.replace(new RegExp(pattern, "m"), replacement);
  };
  for (const [field, short] of renamed) {
    replaceOnce(`^( {8})${escape(field)}(: function\\()`, `$1${short}$2`, `key ${field}`);
  }
  replaceOnce(`^( {8})"${escape(from)}"(: import0,)$`, `$1${MODULE}$2`, `module ${from}`);
  writeFileSync(glue, source);
}
