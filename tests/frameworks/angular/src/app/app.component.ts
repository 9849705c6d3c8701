import { Component, OnInit, signal } from '@angular/core';
import * as cph from 'cph-jobs/inline';
import { listJobs, type Job } from 'cph-jobs/inline';
import { runChecks } from '../checks.mjs';

// A console's component: lists a batch through the same-origin proxy
// (/cph-proxy: the dev server's proxy configuration under ng serve), since
// CPH sends no CORS headers. For the test runner it also sets
// window.cphRun, the five checks against any endpoint.
@Component({
  selector: 'app-root',
  template: `
    <h1>Jobs</h1>
    @if (jobs(); as jobs) {
      <ul id="jobs">
        @for (job of jobs; track job.jobId) {
          <li>{{ job.jobId }} {{ job.status }}</li>
        }
      </ul>
    } @else if (error()) {
      <p id="error">{{ error() }}</p>
    } @else {
      <p>Loading…</p>
    }
  `,
})
export class AppComponent implements OnInit {
  readonly jobs = signal<Job[] | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);

  ngOnInit(): void {
    Object.assign(window, { cphRun: (endpoint: string) => runChecks(cph, endpoint), cphReady: true });
    listJobs(`${location.origin}/cph-proxy`, 'proj_1', 'doc-example', 'token-for-angular').then(
      (result) => this.jobs.set(result.jobs),
      (err) => this.error.set(`${err.kind}: ${err.message}`),
    );
  }
}
