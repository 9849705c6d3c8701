import * as cph from "cph-jobs";
import { runChecks } from "@/checks.mjs";
import JobList from "../job-list";

// Rendered at each request, in the Node runtime: the server calls the mock
// itself (no proxy; CORS is a browser's rule).
export const dynamic = "force-dynamic";

export default async function ServerJobs() {
  const endpoint = process.env.CPH_MOCK_URL ?? "";
  const { jobs } = await cph.listJobs(endpoint, "proj_1", "doc-example", "token-for-next");
  const results = await runChecks(cph, endpoint);
  return (
    <main>
      <JobList jobs={jobs} />
      <pre id="results">{JSON.stringify(results)}</pre>
    </main>
  );
}
