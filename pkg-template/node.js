// Node: the signing module (Node is where access keys belong, and the
// signer's bytes cost a Node program no download), instantiated
// synchronously. assemble.mjs bundles this file into node.cjs, CommonJS for
// `require`; node.mjs re-exports it, so a program that both imports and
// requires the package has one instance and one CphError class.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as module from "./web/signing/cph_jobs_signing.js";
import { CphError, JobStatus } from "__ERROR_MODULE__";
import { api } from "./web/api.js";

// __dirname: this file becomes CommonJS, beside web/.
module.initSync({ module: readFileSync(join(__dirname, "web", "signing", "cph_jobs_signing_bg.wasm")) });
const load = () => module;
load.loaded = module;

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(load, load, CphError);
export { CphError, JobStatus };
export const { memoryBytes } = module;

// The module is instantiated when this file loads: init() and initSync() are
// here for code shared with the web build, and do nothing.
export const init = async () => {};
export const initSync = () => {};
