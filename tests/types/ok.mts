// Must compile under --strict: the API exactly as the README shows it.
import { listJobs, CphError, JobStatus } from "cph-jobs";
import type { Job, ListJobsOptions, ListJobsResponse } from "cph-jobs";

const controller = new AbortController();
const options: ListJobsOptions = { signal: controller.signal, timeoutMs: 10_000 };

async function main(): Promise<void> {
  const response: ListJobsResponse = await listJobs("https://cph.cn-north-4.myhuaweicloud.com", "p", "r", "t", options);
  await listJobs("https://cph.cn-north-4.myhuaweicloud.com", "p", "r", "t");
  await listJobs("https://cph.cn-north-4.myhuaweicloud.com", "p", "r", "t", {});
  const requestId: string = response.requestId;
  for (const job of response.jobs) {
    const id: string = job.jobId;
    const status: number = job.status;
    const phone: string | undefined = job.phoneId;
    if (job.status === JobStatus.Failed) console.log(id, job.errorCode ?? "", job.errorMsg ?? "");
    const done = status === JobStatus.Succeeded || status === JobStatus.Failed;
    console.log(requestId, phone, done, job.serverId, job.encodeServerId, job.beginTime, job.endTime, job.executeMsg);
  }
  const running: 1 = JobStatus.Running;
  const jobs: Job[] = response.jobs;
  console.log(running, jobs.length);
}

main().catch((err: unknown) => {
  if (err instanceof CphError) {
    const kind: "invalid-input" | "network" | "timeout" | "aborted" | "http" | "decode" = err.kind;
    const status: number | undefined = err.status;
    const code: string | undefined = err.errorCode;
    const msg: string | undefined = err.errorMsg;
    const requestId: string | undefined = err.requestId;
    const base: Error = err;
    console.error(kind, status, code, msg, requestId, base.message, err.name);
  }
});
