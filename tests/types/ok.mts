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
    const kind: "invalid-input" | "network" | "timeout" | "aborted" | "http" | "decode" | "limit-exceeded" | "internal" = err.kind;
    const status: number | undefined = err.status;
    const code: string | undefined = err.errorCode;
    const msg: string | undefined = err.errorMsg;
    const requestId: string | undefined = err.requestId;
    const base: Error = err;
    console.error(kind, status, code, msg, requestId, base.message, err.name);
  }
});

// The waiter, paging, batches and the client.
import { listAllJobs, paginateJobs, waitForJobs, CphClient } from "cph-jobs";
import type { CphClientConfig, JobsQuery, ListJobsResult, ResponseMetadata, WaitForJobsOptions } from "cph-jobs";

async function beyondOneCall(): Promise<void> {
  const endpoint = "https://cph.cn-north-4.myhuaweicloud.com";
  const all: ListJobsResult = await listAllJobs(endpoint, "p", ["r1", "r2"], "t", { limit: 50, maxAttempts: 1, maxTotalJobs: 200_000 });
  const metadata: ResponseMetadata = all.$metadata;
  const attempts: number = metadata.attempts;
  const polls: number | undefined = metadata.polls;
  for await (const page of paginateJobs(endpoint, "p", "r", "t", { offset: 0, limit: 100 })) {
    console.log(page.jobs.length, page.$metadata.attempts);
  }
  const wait: WaitForJobsOptions = {
    timeoutMs: 60_000,
    minDelayMs: 1000,
    maxDelayMs: 10_000,
    onProgress: (response) => console.log(response.jobs.length),
  };
  const done: ListJobsResponse = await waitForJobs(endpoint, "p", "r", "t", wait);
  const config: CphClientConfig = {
    region: "cn-north-4",
    projectId: "p",
    tokenProvider: async ({ refresh }) => (refresh ? "new" : "cached"),
    maxAttempts: 5,
    maxTotalJobs: 500_000,
    fetch: (input, init) => fetch(input, init),
  };
  const client = new CphClient(config);
  const query: JobsQuery = { requestIds: ["a", "b"] };
  await client.listJobs({ ...query, limit: 10 });
  await client.listAllJobs({ requestId: "r", timeoutMs: 1000 });
  await client.waitForJobs({ requestIds: ["a"], minDelayMs: 500 });
  for await (const page of client.paginateJobs({ requestId: "r" })) console.log(page.requestId);
  client.free();
  try {
    await client.listJobs({ requestId: "r" });
  } catch (err) {
    if (err instanceof CphError) console.log(err.attempts, err.lastResponse?.jobs.length);
  }
  console.log(attempts, polls, done.jobs.length, all.jobs[0]?.requestId);
}
beyondOneCall().catch(() => {});

// Handing in the module, as a bundler that emits no .wasm beside the package needs.
import { init, initSync } from "cph-jobs";
import type { InitInput } from "cph-jobs";
async function handInTheModule(url: URL, bytes: Uint8Array, module: WebAssembly.Module): Promise<void> {
  const input: InitInput = url;
  await init(input);
  await init();
  await init({ module_or_path: fetch(url) });
  initSync({ module: bytes });
  initSync(module);
}
handInTheModule(new URL("https://example.com/cph_jobs_bg.wasm"), new Uint8Array(), {} as WebAssembly.Module).catch(() => {});
