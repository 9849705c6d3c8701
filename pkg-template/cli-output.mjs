// The cph-jobs command's output: redaction, the job table, the summary and
// the watch command's progress bar. Imported by cli.mjs; every line it
// writes passes redact().

/** The secrets of this run, which no output may show (cli.mjs adds them). */
export const secrets = [];
/** Every line leaves through here, so no secret can reach the screen or a log. */
function redact(text) {
  let out = String(text);
  for (const secret of secrets) out = out.split(secret).join("[REDACTED]");
  return out;
}
export const out = (text) => process.stdout.write(redact(text));
export const err = (text) => process.stderr.write(redact(text));

const wantsColour = (stream) => Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
const paint = (on) => (code, text) => (on && text ? `\x1b[${code}m${text}\x1b[0m` : text);

const STATUS = { 1: ["Running", "33"], 2: ["Succeeded", "32"], [-1]: ["Failed", "31"] };
const statusText = (status) => STATUS[status]?.[0] ?? `unknown (${status})`;
const statusColour = (status) => STATUS[status]?.[1] ?? "35";

export function count(jobs) {
  const c = { total: jobs.length, running: 0, succeeded: 0, failed: 0, other: 0 };
  for (const job of jobs) {
    if (job.status === 1) c.running++;
    else if (job.status === 2) c.succeeded++;
    else if (job.status === -1) c.failed++;
    else c.other++;
  }
  c.done = c.total - c.running;
  return c;
}

function summary(c) {
  if (c.total === 0) return "no jobs";
  const parts = [`${c.succeeded} succeeded`, `${c.failed} failed`];
  if (c.running) parts.push(`${c.running} running`);
  if (c.other) parts.push(`${c.other} unknown`);
  return `${c.total} job${c.total === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** 4s, 2m05s, 1h02m: the API's times have whole seconds. */
export function formatDuration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** m:ss, or h:mm:ss after an hour. */
function clock(ms) {
  const s = Math.floor(ms / 1000);
  const mmss = `${Math.floor(s / 60) % 60}:${String(s % 60).padStart(2, "0")}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, "0")}` : mmss;
}

/** End minus begin; for a running job the time so far, marked with "…". */
function jobDuration(job, now) {
  const begin = Date.parse(job.beginTime ?? "");
  if (Number.isNaN(begin)) return "";
  if (job.endTime) {
    const end = Date.parse(job.endTime);
    return Number.isNaN(end) ? "" : formatDuration(Math.max(0, end - begin));
  }
  return job.status === 1 ? `${formatDuration(Math.max(0, now - begin))}…` : "";
}

const utc = (time) => (time ? time.replace("T", " ").replace(/Z$/, "") : "");

/** The jobs as aligned columns; colour only in the status column and the header. */
function renderTable(jobs, { colour, byRequest }) {
  const c = paint(colour);
  const now = Date.now();
  const columns = [
    ["JOB ID", (j) => j.jobId],
    ...(byRequest ? [["REQUEST ID", (j) => j.requestId ?? ""]] : []),
    ["PHONE / SERVER", (j) => j.phoneId ?? j.serverId ?? j.nodeId ?? ""],
    ["STATUS", (j) => statusText(j.status)],
    ["BEGIN (UTC)", (j) => utc(j.beginTime)],
    ["DURATION", (j) => jobDuration(j, now)],
    ["ERROR", (j) => [j.errorCode, j.errorMsg].filter(Boolean).join(" ")],
  ];
  const statusColumn = columns.findIndex(([name]) => name === "STATUS");
  const rows = jobs.map((job) => columns.map(([, cell]) => oneLine(cell(job) || "-")));
  const widths = columns.map(([name], i) => Math.max(name.length, ...rows.map((r) => r[i].length)));
  // The last column is not padded, so no line ends in spaces. Nothing is cut
  // to the terminal's width: an id or an error message is worth a wrapped line.
  const line = (cells, style) => cells.map((cell, i) => style(i, i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
  const header = line(columns.map(([name]) => name), (_, text) => c("1", text));
  const body = rows.map((cells, r) =>
    line(cells, (i, text) => (i === statusColumn ? c(statusColour(jobs[r].status), text) : text)),
  );
  return `${[header, ...body].join("\n")}\n`;
}

export const oneLine = (text) => String(text).replace(/[\r\n\t]+/g, " ");

export function printJobs(jobs, { json, byRequest }) {
  if (json) {
    out(jobs.map((job) => `${JSON.stringify(job)}\n`).join(""));
    return;
  }
  const colour = wantsColour(process.stdout);
  const attributed = byRequest && jobs.some((job) => job.requestId !== undefined);
  if (jobs.length > 0) out(renderTable(jobs, { colour, byRequest: attributed }));
  out(`${summary(count(jobs))}\n`);
}

// ---- watch progress ----------------------------------------------------------

/** A bar redrawn in place on a terminal; elsewhere one line per change. */
export function progressReporter(stream, started) {
  const live = Boolean(stream.isTTY) && process.env.TERM !== "dumb";
  const c = paint(wantsColour(stream));
  let counts = null;
  let ticker = null;

  const elapsed = () => clock(Date.now() - started);
  const countsText = (separator) =>
    [`${counts.done}/${counts.total} done`, `${counts.running} running`, `${counts.failed} failed`].join(separator);
  const text = () => (counts ? `${countsText(" · ")} · ${elapsed()}` : `waiting for the first answer  ${elapsed()}`);
  const bar = (size) => {
    if (!counts || counts.total === 0) return "░".repeat(size);
    const ok = Math.round((size * counts.succeeded) / counts.total);
    const bad = Math.round((size * (counts.done - counts.succeeded)) / counts.total);
    const failed = Math.min(bad, size - ok);
    return c("32", "█".repeat(ok)) + c("31", "█".repeat(failed)) + "░".repeat(Math.max(0, size - ok - failed));
  };
  const draw = () => {
    const words = text();
    const columns = stream.columns || 80;
    const size = Math.max(0, Math.min(30, columns - words.length - 4));
    const line = size >= 10 ? `${bar(size)}  ${words}` : words.slice(0, columns - 1);
    // \r and "erase line" (CSI 2K) redraw the bar where it stands.
    stream.write(redact(`\r\x1b[2K${line}`));
  };

  return {
    start() {
      if (!live) return;
      draw();
      ticker = setInterval(draw, 1000);
      ticker.unref();
    },
    update(jobs) {
      const next = count(jobs);
      const changed = !counts || ["total", "done", "running", "failed"].some((k) => next[k] !== counts[k]);
      counts = next;
      if (live) return draw();
      if (changed) stream.write(redact(`[${elapsed()}] ${countsText(", ")}\n`));
    },
    /** Leaves the last bar on screen, so the summary follows below it. */
    stop() {
      if (ticker) clearInterval(ticker);
      ticker = null;
      if (live) {
        draw();
        stream.write("\n");
      }
    },
  };
}
