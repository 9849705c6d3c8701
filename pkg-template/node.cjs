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

// The nodejs build instantiates its module when it loads: init() and
// initSync() are there for code shared with the web build, and do nothing.
const init = async () => {};
const initSync = () => {};

module.exports = { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient, CphError, JobStatus, memoryBytes, init, initSync };
