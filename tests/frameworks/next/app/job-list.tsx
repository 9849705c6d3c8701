// The list both pages render, as the test runner reads it (#jobs): no hooks,
// so the server page and the client component can both use it.
import type { Job } from "cph-jobs";

export default function JobList({ jobs }: { jobs: Job[] }) {
  return (
    <ul id="jobs">
      {jobs.map((job) => (
        <li key={job.jobId}>
          {job.jobId} {job.status}
        </li>
      ))}
    </ul>
  );
}
