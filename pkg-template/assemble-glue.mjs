// A build step of assemble.mjs: the plain and the signing module share one
// wasm-bindgen glue, so a page whose client signs downloads the glue once.
//
// wasm-bindgen writes a glue per module, and the two are the same code: they
// differ in the hashed names of the closure shims the modules export, in
// where the error snippet is, and in the name of the .wasm they load when
// given none. Once the shims have the same names in both modules, the plain
// glue becomes a factory, `__cph_glue(defaultWasm)`, that makes the glue's
// state (the instance, its memory views, its classes) anew for each module:
// the plain glue exports one made for cph_jobs_bg.wasm, and the signing glue
// is a few lines that make one for cph_jobs_signing_bg.wasm. The step checks
// that the two glues are the same text but for those differences, so a
// change in wasm-bindgen's output, or a module that grows an import of its
// own, fails the build instead of loading the wrong glue. (3.8 KB of gzip off
// a signing page: docs/size-study.md.)

import { readFileSync, writeFileSync } from "node:fs";
import { renameExports } from "./assemble-imports.mjs";

const SHIM = /wasm_bindgen__convert__closures_____invoke__h[0-9a-f]{16}/g;
const EXPORTS = /^export (?:function|class) ([\w$]+)/gm;
const EXPORT_LIST = "export { initSync, __wbg_init as default };\n";

/** Gives the glue's closure shims, and the module's exports of them, names by their order in the glue. */
function nameShims(glue, wasm) {
  let source = readFileSync(glue, "utf8");
  const renames = new Map();
  for (const [shim] of source.matchAll(SHIM)) if (!renames.has(shim)) renames.set(shim, `__cph_closure${renames.size}`);
  renameExports(wasm, renames);
  for (const [shim, short] of renames) source = source.split(shim).join(short);
  return source;
}

/** The glue's text with the parts that differ between modules taken out, and what they were. */
function normalise(source, file, wasmName) {
  const url = `new URL('${wasmName}', import.meta.url)`;
  const check = (text, what) => {
    const found = source.split(text).length - 1;
    if (found !== 1) throw new Error(`${file}: expected one ${what}, found ${found}; has the wasm-bindgen glue changed?`);
  };
  check(url, url);
  check(EXPORT_LIST, "export list");
  const snippet = source.match(/^import \{ CphError \} from '([^']*\/error\.js)';$/m);
  if (!snippet) throw new Error(`${file}: expected the import of the error snippet`);
  const body = source
    .replace(/^\/\* @ts-self-types=.*\*\/\n/m, "")
    .replace(snippet[0], "")
    .replace(url, "__cph_default_wasm()")
    .replace(EXPORT_LIST, "");
  if (body.includes("import.meta")) throw new Error(`${file}: import.meta is used beyond the default .wasm`);
  return { body, snippet: snippet[1] };
}

/**
 * Makes the plain glue (`plain.glue`, for `plain.wasm`, which is named
 * `plain.name`) a factory that the signing glue (`signing.*`, which imports
 * it as `signing.fromSigning`) uses too;
 * rewrites both glues and renames the modules' closure exports.
 */
export function shareGlue(plain, signing) {
  const plainSource = nameShims(plain.glue, plain.wasm);
  const signingSource = nameShims(signing.glue, signing.wasm);
  const a = normalise(plainSource, plain.glue, plain.name);
  const b = normalise(signingSource, signing.glue, signing.name);
  if (a.body !== b.body) {
    const [x, y] = [a.body.split("\n"), b.body.split("\n")];
    const line = x.findIndex((text, i) => text !== y[i]);
    throw new Error(`${signing.glue} is not ${plain.glue} but for the module it loads; first difference at line ${line + 1}:\n  ${x[line]}\n  ${y[line]}`);
  }
  const names = [...a.body.matchAll(EXPORTS)].map(([, name]) => name);
  if (!names.includes("listJobs") || !names.includes("__wbg_reset_state")) throw new Error(`${plain.glue}: expected exports listJobs and __wbg_reset_state`);
  const header = plainSource.match(/^\/\* @ts-self-types=.*\*\/\n/m)?.[0] ?? "";
  const exported = [...names, "initSync"].join(", ");
  writeFileSync(
    plain.glue,
    `${header}import { CphError } from '${a.snippet}';\n\n` +
      "/** The glue's state and exports, made anew for each module: `__cph_default_wasm()` is the .wasm it loads when given none. */\n" +
      `export function __cph_glue(__cph_default_wasm) {\n${a.body.replace(EXPORTS, (text) => text.replace(/^export /, ""))}\n` +
      `return { ${exported}, default: __wbg_init };\n}\n\n` +
      `const glue = __cph_glue(() => new URL('${plain.name}', import.meta.url));\n` +
      `export const { ${exported} } = glue;\nexport default glue.default;\n`,
  );
  writeFileSync(
    signing.glue,
    `// The plain module's glue, made for this module (assemble-glue.mjs).\nimport { __cph_glue } from '${signing.fromSigning}';\n\n` +
      `const glue = __cph_glue(() => new URL('${signing.name}', import.meta.url));\n` +
      `export const { ${exported} } = glue;\nexport default glue.default;\n`,
  );
}
