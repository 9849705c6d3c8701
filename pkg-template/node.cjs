"use strict";
// Node, CommonJS: the nodejs build instantiates its module synchronously.
const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient, memoryBytes } = require("./node/cph_jobs.js");
const { CphError, JobStatus } = require("__RUNTIME_MODULE__");

module.exports = { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient, CphError, JobStatus, memoryBytes };
