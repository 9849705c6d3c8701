import * as cph from "cph-jobs";
import { runChecks } from "@/checks.mjs";

// Rendered at each request, in the Node runtime: the server calls the mock
// itself (no proxy; CORS is a browser's rule).
export const dynamic = "force-dynamic";

export default async function ServerJobs() {
  const endpoint = process.env.CPH_MOCK_URL ?? "";
  const { jobs } = await cph.listJobs(endpoint, "proj_1", "doc-example", "token-for-next");
  const results = await runChecks(cph, endpoint);
  return (
    <main>
      <ul id="jobs">
        {jobs.map((job) => (
          <li key={job.jobId}>
            {job.jobId} {job.status}
          </li>
        ))}
      </ul>
      <pre id="results">{JSON.stringify(results)}</pre>
    </main>
  );
}
