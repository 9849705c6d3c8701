// The five checks every row of the runtime matrix runs, against the mock at
// `endpoint`. Written for any JavaScript runtime: no imports, only the
// package object handed in, `AbortController` and `setTimeout`.
//
// Each check resolves with nothing or throws an Error that says what differs.
// runChecks() runs them in order and resolves with one result per check:
// { name, ok, detail? }, which each row reports as one line (see run.mjs).

const TOKEN = "token-for-runtime-matrix";

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("resolved where a rejection was expected");
}

export const checks = [
  {
    name: "example",
    // The API page's example answer, decoded to camelCase.
    async run(pkg, endpoint) {
      const { requestId, jobs } = await pkg.listJobs(endpoint, "proj_1", "doc-example", TOKEN);
      expect(requestId === "6a63a18b8bab40ffb71ebd9cb80d0085", `requestId ${requestId}`);
      expect(jobs.length === 2, `${jobs.length} jobs`);
      const [failed, done] = jobs;
      expect(failed.jobId === "1564567b8bab40f34711234cb80d0123", `jobId ${failed.jobId}`);
      expect(failed.status === pkg.JobStatus.Failed && failed.errorCode === "CPS0005", `first job ${failed.status} ${failed.errorCode}`);
      expect(done.status === pkg.JobStatus.Succeeded && done.endTime === "2017-10-25T00:00:32Z", `second job ${done.status} ${done.endTime}`);
    },
  },
  {
    name: "404",
    async run(pkg, endpoint) {
      const error = await rejection(pkg.listJobs(endpoint, "proj_1", "err-404", TOKEN));
      expect(error instanceof pkg.CphError, `not a CphError: ${error?.constructor?.name}: ${error?.message}`);
      expect(error.kind === "http" && error.status === 404, `kind ${error.kind}, status ${error.status}`);
    },
  },
  {
    name: "abort",
    // A call to a server that never answers, stopped by its signal.
    async run(pkg, endpoint) {
      const controller = new AbortController();
      const call = pkg.listJobs(endpoint, "proj_1", "hang", TOKEN, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error = await rejection(call);
      expect(error instanceof pkg.CphError && error.kind === "aborted", `${error?.constructor?.name} ${error?.kind}: ${error?.message}`);
    },
  },
  {
    name: "100-job page",
    async run(pkg, endpoint) {
      const { jobs } = await pkg.listJobs(endpoint, "proj_1", "jobs-100", TOKEN, { limit: 100 });
      expect(jobs.length === 100, `${jobs.length} jobs`);
      expect(jobs[99].jobId === "jobs-100-000099", `last jobId ${jobs[99].jobId}`);
      expect(jobs.filter((job) => job.status === pkg.JobStatus.Failed).length === 10, "not 10 failed jobs");
    },
  },
  {
    name: "10 concurrent",
    async run(pkg, endpoint) {
      const ids = Array.from({ length: 10 }, (_, i) => `jobs-3-c${i}`);
      const results = await Promise.all(ids.map((id) => pkg.listJobs(endpoint, "proj_1", id, TOKEN)));
      results.forEach((result, i) => {
        expect(result.requestId === ids[i], `call ${i}: requestId ${result.requestId}`);
        expect(result.jobs.length === 3 && result.jobs[2].jobId === `${ids[i]}-000002`, `call ${i}: jobs ${result.jobs.map((j) => j.jobId)}`);
      });
    },
  },
];

/** Runs every check; never rejects. */
export async function runChecks(pkg, endpoint) {
  const results = [];
  for (const { name, run } of checks) {
    try {
      await run(pkg, endpoint);
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, detail: String(error?.stack ?? error) });
    }
  }
  return results;
}

/** The line a row prints for run.mjs to read. */
export const RESULT_PREFIX = "CPH-RUNTIME-RESULT ";
