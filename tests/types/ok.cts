// Must compile under --strict: a CommonJS consumer.
import cph = require("cph-jobs");

cph.listJobs("https://cph.ap-southeast-1.myhuaweicloud.com", "p", "r", "t", { timeoutMs: 5000 }).then(
  (response: cph.ListJobsResponse) => console.log(response.jobs.map((job: cph.Job) => job.jobId)),
  (err: unknown) => console.error(err instanceof cph.CphError ? err.kind : err),
);
