// Lists the jobs of one batch request as a table, and follows the batch until
// every job has finished.
//
//   CPH_ENDPOINT=https://cph.cn-north-4.myhuaweicloud.com CPH_PROJECT_ID=... \
//   CPH_REQUEST_ID=... CPH_TOKEN=... node examples/list-jobs.mjs
//
// `make demo` runs it against the mock service. In your own project, import
// from "cph-jobs" instead of the freshly built ../pkg.
import { listJobs, CphError, JobStatus } from "../pkg/node.mjs";

const endpoint = process.env.CPH_ENDPOINT;
const projectId = process.env.CPH_PROJECT_ID ?? "demo-project";
const requestId = process.env.CPH_REQUEST_ID ?? "demo";
const token = process.env.CPH_TOKEN ?? "demo-token";
if (!endpoint) {
  console.error("Set CPH_ENDPOINT (and CPH_PROJECT_ID, CPH_REQUEST_ID, CPH_TOKEN).");
  process.exit(2);
}

const STATUS = { [JobStatus.Running]: "Running", [JobStatus.Succeeded]: "Succeeded", [JobStatus.Failed]: "Failed" };
const statusText = (n) => STATUS[n] ?? `unknown (${n})`;
const seconds = (job) => (job.beginTime && job.endTime ? `${(Date.parse(job.endTime) - Date.parse(job.beginTime)) / 1000} s` : "");

function printTable(jobs) {
  const rows = [
    ["JOB", "PHONE", "STATUS", "BEGIN (UTC)", "TOOK", "ERROR"],
    ...jobs.map((j) => [
      j.jobId.slice(0, 12),
      (j.phoneId ?? j.serverId ?? "").slice(0, 12),
      statusText(j.status),
      j.beginTime ?? "",
      seconds(j),
      j.errorCode ? `${j.errorCode} ${j.errorMsg ?? ""}` : "",
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
}

function summary(jobs) {
  const count = (s) => jobs.filter((j) => j.status === s).length;
  return `${jobs.length} jobs: ${count(JobStatus.Running)} running, ${count(JobStatus.Succeeded)} succeeded, ${count(JobStatus.Failed)} failed`;
}

try {
  let response = await listJobs(endpoint, projectId, requestId, token);
  console.log(`Request ${response.requestId} at ${endpoint}`);
  printTable(response.jobs);
  console.log(summary(response.jobs));
  while (response.jobs.some((j) => j.status === JobStatus.Running)) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    response = await listJobs(endpoint, projectId, requestId, token);
    console.log(`  ... ${summary(response.jobs)}`);
  }
  console.log("\nFinished:");
  printTable(response.jobs);
  console.log(summary(response.jobs));
} catch (err) {
  if (!(err instanceof CphError)) throw err;
  console.error(`ListJobs failed (${err.kind}${err.status ? ` ${err.status}` : ""}): ${err.message}`);
  if (err.requestId) console.error(`X-Request-Id: ${err.requestId}`);
  process.exit(1);
}
