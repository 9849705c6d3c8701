// The demo console: lists the jobs of one batch request with cph-jobs and
// follows them until none is running. A plain ES module over the package's
// web build; no framework, no bundler.
import { waitForJobs, CphError, JobStatus } from "/pkg/index.js";

const params = new URLSearchParams(location.search);

/** The first pause between two ListJobs calls while a job runs; `?interval=MS` lets tests poll fast. */
const POLL_INTERVAL_MS = boundedInt(params.get("interval"), 50, 60_000, 2_000);
/** The pauses grow (with jitter) up to 15 times the first, and never past 30 s. */
const MAX_POLL_INTERVAL_MS = Math.max(POLL_INTERVAL_MS, Math.min(30_000, POLL_INTERVAL_MS * 15));
/** How long the page follows a batch before it gives up: a restart takes minutes, not hours. */
const WAIT_TIMEOUT_MS = 30 * 60_000;
/** The form fields, named as the package names its arguments in `invalid-input` messages. */
const FIELDS = ["endpoint", "projectId", "requestId", "token"];

const $ = (id) => document.getElementById(id);
const ui = {
  console: $("console"),
  form: $("query"),
  stop: $("stop"),
  errorPanel: $("error-panel"),
  rows: $("job-rows"),
  table: $("jobs"),
  empty: $("empty"),
  summary: $("summary"),
};

/**
 * Follows one batch request until no job is running: calls `onProgress` with
 * every answer and resolves with the last one. The package's waiter backs off
 * from the first interval, retries throttled and failed calls, and stops at
 * once when the signal aborts.
 */
async function followBatch({ endpoint, projectId, requestId, token }, { signal, onProgress }) {
  return waitForJobs(endpoint, projectId, requestId, token, {
    signal,
    onProgress,
    minDelayMs: POLL_INTERVAL_MS,
    maxDelayMs: MAX_POLL_INTERVAL_MS,
    timeoutMs: WAIT_TIMEOUT_MS,
  });
}

// ---- one run per submit ------------------------------------------------------

/** The run whose answers the page shows; answers of any other run are dropped. */
let current = null;

function start() {
  // An endpoint a link chose gets the token only once the user has said yes to it.
  if (awaitsConfirmation($("endpoint").value)) return holdForConfirmation();
  // A new submit supersedes the run in flight: abort its request and forget its rows.
  current?.controller.abort();
  const run = { controller: new AbortController(), stopRequested: false, lastResponse: null, refreshedAt: null };
  current = run;

  const query = readForm();
  clearFieldErrors();
  hideError();
  clearJobs();
  rememberQuery(query);
  $("results-request").textContent = query.requestId;
  setState("loading");

  followBatch(query, {
    signal: run.controller.signal,
    onProgress(response) {
      if (current !== run) return;
      run.lastResponse = response;
      run.refreshedAt = new Date();
      renderJobs(response.jobs, run.refreshedAt);
      setState(countJobs(response.jobs).running > 0 ? "polling" : "finished", run);
    },
  }).catch((err) => {
    if (current !== run) return;
    if (run.stopRequested) return setState("stopped", run);
    showError(err);
    setState("error", run);
  });
}

function stop() {
  if (!current || current.stopRequested) return;
  current.stopRequested = true;
  current.controller.abort();
}

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  start();
});
ui.stop.addEventListener("click", stop);
for (const name of FIELDS) $(name).addEventListener("input", () => clearFieldError(name));
$("endpoint-confirm").addEventListener("click", () => settleEndpoint(true));
$("endpoint-reject").addEventListener("click", () => settleEndpoint(false));

// ---- the form ----------------------------------------------------------------

// ---- an endpoint from a link -------------------------------------------------

/**
 * The origin of an endpoint that came in the query string from somewhere
 * else, until the user confirms or replaces it; null when there is none.
 * Anyone can link to this page with `?endpoint=https://attacker.example`, and
 * the token goes wherever the endpoint points, so such an endpoint is shown
 * and held: no call is made to it before the user says yes.
 */
let unconfirmedOrigin = null;

/**
 * An endpoint a link may set without asking: one on the page's own origin.
 * Under `make demo` the page is served by the mock service itself, so the
 * demo's mock is this origin too; a same-origin proxy (`/cph-proxy`) is as
 * trusted as the page that uses it. Anything else, including a value that is
 * no absolute URL, must be confirmed.
 */
function trustedWithoutAsking(endpoint) {
  return originOf(endpoint) === location.origin;
}

/** The origin of an absolute http(s) URL; otherwise the trimmed text itself, so it still compares. */
function originOf(endpoint) {
  const text = endpoint.trim();
  try {
    const url = new URL(text);
    return url.origin === "null" ? text : url.origin;
  } catch {
    return text;
  }
}

function awaitsConfirmation(endpoint) {
  return unconfirmedOrigin !== null && originOf(endpoint) === unconfirmedOrigin;
}

function askAboutEndpoint(endpoint) {
  unconfirmedOrigin = originOf(endpoint);
  $("endpoint-check-url").textContent = endpoint;
  $("endpoint-check-origin").textContent = location.origin;
  $("endpoint-check-held").hidden = true;
  $("endpoint-check").hidden = false;
}

/** A submit while the link's endpoint waits for a yes: nothing is sent, and the question gets the focus. */
function holdForConfirmation() {
  $("endpoint-check-held").hidden = false;
  $("announcer").textContent = "Nothing was sent. Confirm or replace the endpoint first.";
  $("endpoint-confirm").focus();
}

/** Yes keeps the link's endpoint; no puts the page's own origin in its place. */
function settleEndpoint(confirmed) {
  if (!confirmed) $("endpoint").value = location.origin;
  unconfirmedOrigin = null;
  $("endpoint-check").hidden = true;
  clearFieldError("endpoint");
  $(confirmed ? "submit" : "endpoint").focus();
}

function prefill() {
  // Everything but the token may come from the URL; the token never does.
  const endpoint = params.get("endpoint");
  $("endpoint").value = endpoint ?? location.origin;
  if (endpoint !== null && !trustedWithoutAsking(endpoint)) askAboutEndpoint(endpoint);
  $("projectId").value = params.get("projectId") ?? "";
  $("requestId").value = params.get("requestId") ?? "";
  const firstEmpty = FIELDS.find((name) => !$(name).value);
  if (location.search.length > 1 && firstEmpty) $(firstEmpty).focus();
}

function readForm() {
  // Pasted IDs often carry stray spaces; the token is sent exactly as typed.
  return Object.fromEntries(FIELDS.map((name) => [name, name === "token" ? $(name).value : $(name).value.trim()]));
}

/**
 * Keeps the address bar shareable: the query's fields, never the token. It
 * replaces the current history entry and adds none; no other code touches
 * the URL or the history.
 */
function rememberQuery({ endpoint, projectId, requestId }) {
  setSearch({ endpoint, projectId, requestId, interval: params.get("interval") });
}

/** The query parameters this page reads; the address bar keeps no other. */
const SHAREABLE = ["endpoint", "projectId", "requestId", "interval"];

/**
 * Drops every other parameter from the address bar as the page loads, so a
 * token that reached the URL some other way (an old copy of this page whose
 * form sent it, a hand-made link) does not stay in it or in this history entry.
 */
function scrubUrl() {
  if ([...params.keys()].every((key) => SHAREABLE.includes(key))) return;
  setSearch(Object.fromEntries(SHAREABLE.map((key) => [key, params.get(key)])));
}

function setSearch(values) {
  const url = new URL(location.href);
  url.search = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== null)).toString();
  history.replaceState(null, "", url);
}

/** The field an `invalid-input` message is about: it names the argument first ("invalid requestId: ..."). */
function fieldAtFault(message) {
  const named = /^(?:invalid\s+)?([A-Za-z]+)\b/.exec(message)?.[1];
  return FIELDS.includes(named) ? named : null;
}

function markFieldError(name, message) {
  const input = $(name);
  const error = $(`${name}-error`);
  input.setAttribute("aria-invalid", "true");
  error.textContent = message;
  error.hidden = false;
  input.focus();
}

function clearFieldError(name) {
  $(name).removeAttribute("aria-invalid");
  $(`${name}-error`).hidden = true;
  $(`${name}-error`).textContent = "";
}

function clearFieldErrors() {
  for (const name of FIELDS) clearFieldError(name);
}

// ---- state and summary -------------------------------------------------------

const duration = (ms) => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`);
const intervalText = `${duration(POLL_INTERVAL_MS)}–${duration(MAX_POLL_INTERVAL_MS)}`;

/** idle, loading, polling, finished, stopped or error: drives the buttons and the status line. */
function setState(state, run = current) {
  ui.console.dataset.state = state;
  const busy = state === "loading" || state === "polling";
  ui.stop.disabled = !busy;
  $("results").setAttribute("aria-busy", String(state === "loading"));

  const jobs = run?.lastResponse?.jobs ?? [];
  const counts = countJobs(jobs);
  const at = run?.refreshedAt;
  const line = {
    idle: "Not started",
    loading: "Loading…",
    polling: `Refreshing every ${intervalText} while jobs run`,
    finished: jobs.length === 0 ? "No jobs" : "All jobs finished",
    stopped: "Stopped: not refreshing",
    error: at ? "Refresh failed: showing the last answer" : ui.errorPanel.dataset.kind === "invalid-input" ? "Not sent" : "Request failed",
  }[state];
  const pollState = $("poll-state");
  pollState.textContent = line;
  pollState.className = `poll-state poll-${state}`;
  $("refresh-time").hidden = !at;
  if (at) {
    $("refreshed-at").dateTime = at.toISOString();
    $("refreshed-at").textContent = localTime(at);
  }

  if (state === "loading") showEmpty("Loading jobs…", "Asking the service for the jobs of this request.", true);
  else if (jobs.length === 0 && state === "error") {
    const unsent = ui.errorPanel.dataset.kind === "invalid-input";
    showEmpty(unsent ? "Nothing sent yet" : "No jobs to show", unsent ? "Correct the query above and submit again." : "The request failed; see the details above.");
  } else if (jobs.length === 0 && state === "stopped" && !run?.lastResponse) {
    showEmpty("Stopped", "Stopped before the service answered.");
  } else if (jobs.length === 0 && run?.lastResponse) {
    showEmpty("No jobs for this request", "The service knows no job under this request ID.");
  }

  // Announce changes of state, not every refresh, so a screen reader is not flooded.
  const announce = {
    finished: jobs.length ? `All ${jobs.length} jobs finished: ${counts.succeeded} succeeded, ${counts.failed} failed.` : "No jobs for this request.",
    stopped: "Stopped refreshing.",
    error: "ListJobs failed. See the error details.",
  }[state];
  if (announce) $("announcer").textContent = announce;
}

function countJobs(jobs) {
  const counts = { total: jobs.length, running: 0, succeeded: 0, failed: 0, other: 0 };
  for (const job of jobs) counts[statusInfo(job.status).key]++;
  return counts;
}

function renderSummary(jobs) {
  const c = countJobs(jobs);
  ui.summary.hidden = c.total === 0;
  for (const key of ["total", "running", "succeeded", "failed", "other"]) {
    $(`count-${key}`).textContent = String(c[key]);
    $(`count-${key}`).parentElement.classList.toggle("count-zero", c[key] === 0);
  }
  $("count-other-item").hidden = c.other === 0;
  const finished = c.total - c.running;
  const percent = c.total ? Math.round((finished / c.total) * 100) : 0;
  const share = (n) => (c.total ? `${(n / c.total) * 100}%` : "0");
  $("progress-succeeded").style.width = share(c.succeeded);
  $("progress-failed").style.width = share(c.failed);
  $("progress-other").style.width = share(c.other);
  const progress = $("progress");
  progress.setAttribute("aria-valuenow", String(percent));
  progress.setAttribute("aria-valuetext", `${finished} of ${c.total} jobs finished`);
  $("progress-label").textContent = `${finished} of ${c.total} finished · ${percent}%`;
}

// ---- the table ---------------------------------------------------------------

const STATUS = {
  [JobStatus.Running]: { key: "running", text: "Running" },
  [JobStatus.Succeeded]: { key: "succeeded", text: "Succeeded" },
  [JobStatus.Failed]: { key: "failed", text: "Failed" },
};
const statusInfo = (status) => STATUS[status] ?? { key: "other", text: `unknown (${status})` };

const COLUMNS = ["Job ID", "Phone / server", "Status", "Begin time", "Duration", "Error", "Output"];

function clearJobs() {
  ui.rows.replaceChildren();
  ui.summary.hidden = true;
  ui.table.hidden = true;
}

function showEmpty(title, text, busy = false) {
  ui.empty.hidden = false;
  ui.empty.classList.toggle("empty-busy", busy);
  $("empty-title").textContent = title;
  $("empty-text").textContent = text;
}

/**
 * Updates the rows in place, keyed by job ID, so an expanded output or the
 * keyboard focus survives a refresh.
 */
function renderJobs(jobs, now) {
  renderSummary(jobs);
  ui.table.hidden = jobs.length === 0;
  ui.empty.hidden = jobs.length > 0;
  const existing = new Map([...ui.rows.children].map((tr) => [tr.dataset.jobId, tr]));
  const ordered = jobs.map((job) => {
    const tr = existing.get(job.jobId) ?? newRow(job.jobId);
    existing.delete(job.jobId);
    updateRow(tr, job, now);
    return tr;
  });
  for (const gone of existing.values()) gone.remove();
  // A narrow screen leaves out the lines that would only say "none".
  for (const td of ui.rows.querySelectorAll("td")) td.classList.toggle("is-empty", td.firstChild.firstChild?.classList?.contains("none") === true);
  ordered.forEach((tr, i) => {
    if (ui.rows.children[i] !== tr) ui.rows.insertBefore(tr, ui.rows.children[i] ?? null);
  });
}

function newRow(jobId) {
  const tr = document.createElement("tr");
  tr.dataset.jobId = jobId;
  // Explicit roles keep the table a table for screen readers when CSS turns rows into cards.
  tr.setAttribute("role", "row");
  for (const label of COLUMNS) {
    const td = document.createElement("td");
    td.setAttribute("role", "cell");
    td.dataset.label = label;
    // One box per cell, so a narrow screen can set it beside its label.
    const body = document.createElement("div");
    body.className = "cell";
    td.append(body);
    tr.append(td);
  }
  tr.cells[0].firstChild.append(idText(jobId, "job-id"));
  return tr;
}

function updateRow(tr, job, now) {
  const [, where, status, begin, duration, error, output] = [...tr.cells].map((td) => td.firstChild);
  const info = statusInfo(job.status);
  tr.dataset.status = info.key;

  where.replaceChildren(...whereTexts(job));

  if (status.dataset.value !== String(job.status)) {
    status.dataset.value = String(job.status);
    status.replaceChildren(badge(info));
  }

  begin.replaceChildren(job.beginTime ? timeText(job.beginTime) : dash());

  const took = durationMs(job, now);
  if (took === null) duration.replaceChildren(dash());
  else if (job.status !== JobStatus.Running) duration.replaceChildren(formatDuration(took));
  else {
    const note = document.createElement("span");
    note.className = "so-far";
    note.textContent = " so far";
    duration.replaceChildren(formatDuration(took), note);
  }

  error.replaceChildren(...errorTexts(job));

  // Replace the output only when it changed, so an open <details> stays open.
  const message = job.executeMsg ?? "";
  if (output.dataset.value !== message || !output.firstChild) {
    output.dataset.value = message;
    output.replaceChildren(message ? outputDetails(message) : dash());
  }
}

function whereTexts(job) {
  const parts = [];
  if (job.phoneId) parts.push(labelled("Phone", job.phoneId));
  const server = job.serverId ?? job.nodeId;
  if (server) parts.push(labelled("Server", server));
  if (job.encodeServerId) parts.push(labelled("Encode server", job.encodeServerId));
  return parts.length ? parts : [dash()];
}

function labelled(label, id) {
  const div = document.createElement("div");
  div.className = "id-line";
  const span = document.createElement("span");
  span.className = "id-label";
  span.textContent = label;
  div.append(span, idText(id, "id"));
  return div;
}

function idText(id, className) {
  const code = document.createElement("code");
  code.className = className;
  code.textContent = id;
  code.title = id;
  return code;
}

function badge({ key, text }) {
  const span = document.createElement("span");
  span.className = `badge badge-${key}`;
  const icon = document.createElement("span");
  icon.className = "badge-icon";
  icon.setAttribute("aria-hidden", "true");
  span.append(icon, text);
  return span;
}

function errorTexts(job) {
  if (!job.errorCode && !job.errorMsg) return [dash()];
  const parts = [];
  if (job.errorCode) {
    const code = document.createElement("code");
    code.className = "error-code";
    code.textContent = job.errorCode;
    parts.push(code);
  }
  if (job.errorMsg) {
    const msg = document.createElement("span");
    msg.className = "error-text";
    msg.textContent = job.errorMsg;
    parts.push(msg);
  }
  return parts;
}

function outputDetails(message) {
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Show output";
  const pre = document.createElement("pre");
  pre.textContent = message;
  details.append(summary, pre);
  details.addEventListener("toggle", () => {
    summary.textContent = details.open ? "Hide output" : "Show output";
  });
  return details;
}

function timeText(iso) {
  const time = document.createElement("time");
  time.dateTime = iso;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    time.textContent = iso;
    return time;
  }
  time.textContent = localDateTime(date);
  time.title = `${iso} (UTC)`;
  return time;
}

const pad = (n) => String(n).padStart(2, "0");
const localTime = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
/** "2026-11-28 18:00:31" in the browser's time zone: sortable, and the same in every locale. */
const localDateTime = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${localTime(d)}`;

function dash() {
  const span = document.createElement("span");
  span.className = "none";
  const mark = document.createElement("span");
  mark.setAttribute("aria-hidden", "true");
  mark.textContent = "—";
  const words = document.createElement("span");
  words.className = "visually-hidden";
  words.textContent = "none";
  span.append(mark, words);
  return span;
}

/** End minus begin; for a running job, the time so far by this browser's clock. */
function durationMs(job, now) {
  const begin = Date.parse(job.beginTime ?? "");
  if (Number.isNaN(begin)) return null;
  const end = job.endTime ? Date.parse(job.endTime) : job.status === JobStatus.Running ? now.getTime() : NaN;
  return Number.isNaN(end) ? null : Math.max(0, end - begin);
}

function formatDuration(ms) {
  const s = Math.round(ms / 1000);
  // The API's times have whole seconds, so 0 means "under a second".
  if (s < 1) return "< 1 s";
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

// ---- the error panel ---------------------------------------------------------

const ADVICE = {
  "invalid-input": "Nothing was sent. Correct the highlighted field and submit again.",
  network: null, // built from the page's origin, below
  timeout: "No complete answer in time: the service or the proxy may be overloaded, or the batch is still running. Try again.",
  aborted: "The request was cancelled.",
  decode: "The endpoint answered, but not with a ListJobs document. Check that the endpoint points at the CPH API or at a proxy that forwards to it.",
};

function httpAdvice(err) {
  if (err.status === 401) return "The token was refused. Get a fresh IAM token for this project and region.";
  if (err.status === 403) return "The token is valid but may not list jobs in this project.";
  if (err.status === 404) return "Check the project ID and the request ID.";
  if (err.status === 429) return "Requests are being throttled. Wait a moment before refreshing again.";
  if (err.status >= 500) return "The service or a gateway in front of it failed. Try again later; quote the X-Request-Id to support if it persists.";
  return "The service refused the request.";
}

function networkAdvice() {
  return (
    "The browser got no response. Most often this is CORS: the CPH API sends no CORS headers, " +
    "so a page cannot read its answers directly. Serve a same-origin proxy instead (forward a path " +
    `of this site, such as ${location.origin}/cph-proxy/, to https://cph.{region}.myhuaweicloud.com/) ` +
    "and use that URL as the endpoint. Otherwise, check that the endpoint is reachable from this browser."
  );
}

function showError(err) {
  const isCph = err instanceof CphError;
  const kind = isCph ? err.kind : "unexpected";
  const message = err?.message ?? String(err);
  $("error-title").textContent = kind === "invalid-input" ? "Check the query" : "ListJobs failed";
  $("error-message").textContent = message;
  $("error-kind").textContent = kind;
  setDetail("error-status", isCph && err.status ? `${err.status}` : null);
  setDetail("error-code", isCph ? err.errorCode : null);
  setDetail("error-msg", isCph ? err.errorMsg : null);
  setDetail("error-request-id", isCph ? err.requestId : null);
  // When no response came back there is no status, code or request ID to show.
  const answered = isCph && (err.status || err.requestId);
  for (const id of ["error-status", "error-code", "error-msg", "error-request-id"]) $(id).parentElement.hidden = !answered;
  const advice = kind === "network" ? networkAdvice() : kind === "http" ? httpAdvice(err) : ADVICE[kind] ?? "";
  $("error-advice").textContent = advice;
  $("error-advice").hidden = !advice;
  ui.errorPanel.dataset.kind = kind;
  ui.errorPanel.hidden = false;

  const field = kind === "invalid-input" ? fieldAtFault(message) : null;
  if (field) markFieldError(field, message);
}

function setDetail(id, value) {
  const dd = $(id);
  dd.classList.toggle("none", !value);
  dd.textContent = value || "—";
}

function hideError() {
  ui.errorPanel.hidden = true;
}

function boundedInt(text, min, max, fallback) {
  const n = Number.parseInt(text ?? "", 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

scrubUrl();
prefill();
clearJobs();
setState("idle");
ui.console.dataset.ready = "true";
