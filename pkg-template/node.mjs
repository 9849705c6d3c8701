// Node, ESM: the same instance as the CommonJS entry, so a program that both
// imports and requires the package still has one CphError class.
import cjs from "./node.cjs";

export const { listJobs, listAllJobs, paginateJobs, waitForJobs, CphClient, CphError, JobStatus, memoryBytes, init, initSync } = cjs;
