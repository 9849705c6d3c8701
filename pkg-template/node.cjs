"use strict";
// Node, CommonJS: the nodejs build instantiates its module synchronously.
const { listJobs } = require("./node/cph_jobs.js");
const { CphError, JobStatus } = require("__ERROR_MODULE__");

module.exports = { listJobs, CphError, JobStatus };
