"use client";
// A console's component: lists a batch in the browser through the
// same-origin proxy (app/cph-proxy), since CPH sends no CORS headers. For
// the test runner it also sets window.cphRun, the five checks against any
// endpoint (the Node or the Edge proxy).
import { useEffect, useState } from "react";
import * as cph from "cph-jobs";
import { listJobs, type Job } from "cph-jobs";
import { runChecks } from "@/checks.mjs";
import JobList from "./job-list";

export default function Jobs() {
  const [jobs, setJobs] = useState<Job[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    Object.assign(window, { cphRun: (endpoint: string) => runChecks(cph, endpoint), cphReady: true });
    listJobs(`${location.origin}/cph-proxy`, "proj_1", "doc-example", "token-for-next").then(
      (result) => setJobs(result.jobs),
      (err) => setError(`${err.kind}: ${err.message}`),
    );
  }, []);
  if (error) return <p id="error">{error}</p>;
  if (!jobs) return <p>Loading…</p>;
  return <JobList jobs={jobs} />;
}
