"use strict";
// Node, CommonJS: the nodejs build instantiates its module synchronously.
// It signs as well: Node is where access keys belong, and the signer's bytes
// cost a Node program no download.
const wasm = require("./node/cph_jobs.js");
const runtime = require("__RUNTIME_MODULE__");
const { api } = require("./node/driver.js");

const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(runtime, wasm, wasm);
const { CphError, JobStatus } = runtime;
const { memoryBytes } = wasm;

module.exports = { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient, CphError, JobStatus, memoryBytes };
