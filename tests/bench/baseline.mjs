// The hand-written baseline `make bench` compares listJobs with: what a
// careful developer writes instead of a package, in plain JavaScript (Node
// and browsers). Same request (method, headers, no redirects, same-origin
// cookies, no cache), the same camelCase objects, and the checks a careful
// developer would write. It does less than the package (no input validation,
// no deadline timer, no abort handling, no error-body parsing, no token
// scrubbing), which is the point: the package's cost is measured against it.

const OPTIONAL = [
  ["phone_id", "phoneId"],
  ["server_id", "serverId"],
  ["node_id", "nodeId"],
  ["encode_server_id", "encodeServerId"],
  ["begin_time", "beginTime"],
  ["end_time", "endTime"],
  ["error_code", "errorCode"],
  ["error_msg", "errorMsg"],
  ["execute_msg", "executeMsg"],
];

class ListJobsError extends Error {}

function fail(message) {
  throw new ListJobsError(`ListJobs: ${message}`);
}

/** Lists the jobs of one batch request; resolves like cph-jobs' listJobs. */
export async function listJobsBaseline(endpoint, projectId, requestId, token) {
  const url = `${endpoint.replace(/\/+$/, "")}/v1/${encodeURIComponent(projectId)}/cloud-phone/jobs?request_id=${encodeURIComponent(requestId)}`;
  const res = await fetch(url, {
    method: "GET",
    headers: { "X-Auth-Token": token },
    redirect: "manual",
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!res.ok) fail(`HTTP ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) fail(`unexpected content type "${type}"`);
  let doc;
  try {
    doc = await res.json();
  } catch (cause) {
    fail(`the body is not JSON (${cause.message})`);
  }
  if (doc === null || typeof doc !== "object") fail("the body is not an object");
  if (typeof doc.request_id !== "string") fail("request_id is missing or not a string");
  if (!Array.isArray(doc.jobs)) fail("jobs is missing or not an array");
  const jobs = new Array(doc.jobs.length);
  for (let i = 0; i < doc.jobs.length; i++) {
    const wire = doc.jobs[i];
    if (wire === null || typeof wire !== "object") fail(`jobs[${i}] is not an object`);
    if (typeof wire.job_id !== "string") fail(`jobs[${i}].job_id is missing or not a string`);
    if (!Number.isInteger(wire.status)) fail(`jobs[${i}].status is missing or not an integer`);
    const job = { jobId: wire.job_id, status: wire.status };
    for (const [from, to] of OPTIONAL) {
      const value = wire[from];
      if (value === undefined || value === null) continue;
      if (typeof value !== "string") fail(`jobs[${i}].${from} is not a string`);
      job[to] = value;
    }
    jobs[i] = job;
  }
  return { requestId: doc.request_id, jobs };
}
