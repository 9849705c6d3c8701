"use strict";
// Node, CommonJS: the nodejs build instantiates its module synchronously.
const wasm = require("./node/cph_jobs.js");
const runtime = require("__RUNTIME_MODULE__");
const { api } = require("./node/driver.js");

const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient } = api(wasm, runtime);
const { CphError, JobStatus } = runtime;
const { memoryBytes } = wasm;

module.exports = { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient, CphError, JobStatus, memoryBytes };
