#!/usr/bin/env node
// cph-jobs: list or watch the jobs of Cloud Phone (CPH) batch operations from a
// terminal or a CI pipeline. The package's `bin`; Node 18+, no dependencies.
//
// Secrets come only from the environment or a file: a command-line argument
// can be read by every user of the machine in the process list.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { count, err, formatDuration, oneLine, out, printJobs, progressReporter, secrets } from "./cli-output.mjs";

const EXIT = Object.freeze({ succeeded: 0, failed: 1, usage: 2, api: 3, timeout: 4 });
// 128 + the signal's number, as shells report a program a signal ended.
const EXIT_BY_SIGNAL = Object.freeze({ SIGINT: 130, SIGTERM: 143 });
const LIST_TIMEOUT = "30s";
const WATCH_TIMEOUT = "10m";
const WATCH_INTERVAL = "2s";
// The library's own defaults; the longest pause must not be below --interval.
const MAX_DELAY_MS = 30_000;
const PAGE_LIMIT = 100;
const MAX_IDS_PER_CALL = 20;
const MAX_DURATION_MS = 2_147_483_647;

const SELECTION = `--project-id ID (--request-id ID | --request-ids A,B,...) (--endpoint URL | --region R)`;
const SELECTION_HELP = `  --project-id ID      the project (default: HUAWEICLOUD_SDK_PROJECT_ID)
  --request-id ID      the request_id a batch operation answered with
  --request-ids A,B    several of them, comma-separated
  --endpoint URL       the API's base URL, e.g. https://cph.cn-north-4.myhuaweicloud.com
  --region R           a CPH region, e.g. cn-north-4, instead of --endpoint
  --token-file PATH    read the token from this file ("-" for stdin) instead of CPH_TOKEN`;
const CREDENTIALS_HELP = `Credentials come from the environment, never from arguments, where other users of the
machine could read them in the process list:
  CPH_TOKEN                       an IAM token (X-Auth-Token); --token-file PATH wins over it
  HUAWEICLOUD_SDK_AK and _SK      otherwise an access key pair, which signs each request
  HUAWEICLOUD_SDK_SECURITY_TOKEN  with the pair, for temporary credentials
  HUAWEICLOUD_SDK_PROJECT_ID      the project id, when --project-id is not given`;
const EXIT_HELP = `Exit codes: 0 every job succeeded (list: none failed), 1 some job failed or has an
unknown status, 2 usage error, 3 API or network error, 4 timed out, 130 interrupted.`;

const HELP = {
  main: `cph-jobs: list or watch the jobs of Huawei Cloud Cloud Phone (CPH) batch operations.

Usage:
  cph-jobs list  ${SELECTION}
                 [--limit N] [--offset N | --all] [--json] [--timeout ${LIST_TIMEOUT}]
  cph-jobs watch ${SELECTION}
                 [--interval ${WATCH_INTERVAL}] [--timeout ${WATCH_TIMEOUT}] [--json]
  cph-jobs proxy (--region R | --upstream URL) [--port 8787] [--allow-origin ORIGIN]...
  cph-jobs COMMAND --help      the options of a command
  cph-jobs --version

Commands:
  list    one look at the jobs of one or more batch requests: a table, or JSON lines
  watch   poll until no job is running, with a live progress bar, then the table
  proxy   serve the same-origin proxy a browser console needs to reach ListJobs

${CREDENTIALS_HELP}

${EXIT_HELP}`,
  list: `Usage: cph-jobs list ${SELECTION}
                     [--limit N] [--offset N | --all] [--json] [--timeout ${LIST_TIMEOUT}]

Lists the jobs of one or more batch requests once, as an aligned table (coloured on a
terminal unless NO_COLOR is set) or, with --json, as JSON lines: one job object a line.
Without --all one page is listed, and a full page ends with a note on stderr.

Options:
${SELECTION_HELP}
  --limit N            jobs per page, 1 to 100 (default 100)
  --offset N           jobs to skip (default 0)
  --all                follow every page, and take any number of --request-ids
  --json               one JSON object per job instead of the table
  --timeout DURATION   deadline of the whole call, retries included (default ${LIST_TIMEOUT})
  -h, --help           this help
Durations: 500ms, 30s, 10m, 1h, 1m30s.

${CREDENTIALS_HELP}

${EXIT_HELP} Running jobs do not change list's exit code.`,
  watch: `Usage: cph-jobs watch ${SELECTION}
                      [--interval ${WATCH_INTERVAL}] [--timeout ${WATCH_TIMEOUT}] [--json]

Polls until no job is running, then prints the jobs as a table (or JSON lines with --json)
on stdout. Progress goes to stderr: on a terminal a bar redrawn in place (done/total,
running, failed, elapsed); otherwise one line each time the counts change.

Options:
${SELECTION_HELP}
  --interval DURATION  first pause between polls; later ones grow 1.5 times, up to 30s
                       (or the interval, if longer) (default ${WATCH_INTERVAL})
  --timeout DURATION   give up after this long, with exit code 4 (default ${WATCH_TIMEOUT})
  --json               one JSON object per job instead of the table
  -h, --help           this help
Durations: 500ms, 30s, 10m, 1h, 1m30s.

${CREDENTIALS_HELP}

${EXIT_HELP}`,
};
const helpText = (command) => HELP[command];

const COMMON_OPTIONS = {
  "project-id": { type: "string" },
  "request-id": { type: "string" },
  "request-ids": { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  "token-file": { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
};
const OPTIONS = {
  list: { ...COMMON_OPTIONS, limit: { type: "string" }, offset: { type: "string" }, all: { type: "boolean" } },
  watch: { ...COMMON_OPTIONS, interval: { type: "string" } },
};

// Options people reach for to pass a secret, and where the secret goes instead.
const TOKEN_HOME = "set CPH_TOKEN, or put the token in a file and pass --token-file PATH";
const KEY_HOME = "set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary credentials)";
const SECRET_OPTIONS = new Map([
  ...["--token", "--auth-token", "--x-auth-token", "--iam-token", "--password"].map((o) => [o, TOKEN_HOME]),
  ...["--sk", "--secret-key", "--secret-access-key", "--secret", "--security-token", "--ak", "--access-key", "--access-key-id"].map((o) => [o, KEY_HOME]),
]);

// The library names its arguments as JavaScript does; the user typed options.
const OPTION_OF_ARGUMENT = {
  endpoint: "--endpoint",
  region: "--region",
  requestId: "--request-id",
  requestIds: "--request-ids",
  limit: "--limit",
  offset: "--offset",
  timeoutMs: "--timeout",
  minDelayMs: "--interval",
  maxDelayMs: "--interval",
  token: "the token",
  credentials: "the access key pair",
  accessKey: "HUAWEICLOUD_SDK_AK",
  secretKey: "HUAWEICLOUD_SDK_SK",
  securityToken: "HUAWEICLOUD_SDK_SECURITY_TOKEN",
};

/** A mistake in how the command was called: exit code 2, with a pointer to --help. */
class UsageError extends Error {}

/** 1 when some job failed or has a status this tool does not know. */
const exitFor = (jobs) => (jobs.some((job) => job.status !== 1 && job.status !== 2) ? EXIT.failed : EXIT.succeeded);

// ---- arguments -----------------------------------------------------------------

function parseDuration(text, option) {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!text || parts.map((p) => p[0]).join("") !== text) {
    throw new UsageError(`${option} takes a duration such as 500ms, 30s, 10m or 1m30s, not "${text}"`);
  }
  const ms = Math.round(parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0));
  if (ms < 1 || ms > MAX_DURATION_MS) throw new UsageError(`${option} must be from 1ms to 596h (2147483647ms), not "${text}"`);
  return ms;
}

function parseCount(text, option) {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`${option} takes a whole number, not "${text}"`);
  return Number(text);
}

/** Edit distance, for "did you mean". */
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * Refuses secrets and unknown options before parseArgs sees them, naming the
 * option only: a value after "=" may be a secret and is never repeated.
 */
function screenArguments(command, args) {
  const options = OPTIONS[command];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") continue;
    const name = arg.split("=")[0];
    const home = SECRET_OPTIONS.get(name.replace(/_/g, "-").toLowerCase());
    if (home) {
      throw new UsageError(
        `${name}: secrets are not taken as arguments, where other users of this machine could read them in the process list; ${home}`,
      );
    }
    if (name.startsWith("--")) {
      const option = options[name.slice(2)];
      if (!option) {
        const wanted = name.slice(2).replace(/_/g, "-").toLowerCase();
        const other = command === "list" ? "watch" : "list";
        if (OPTIONS[other][wanted]) throw new UsageError(`${name} is an option of ${other}, not of ${command}`);
        const near = Object.keys(options).find((known) => distance(known, wanted) <= 2);
        throw new UsageError(`unknown option ${name}${near ? `; did you mean --${near}?` : ""}`);
      }
      if (option.type === "string" && !arg.includes("=")) i++;
    } else if (name !== "-h") {
      throw new UsageError(`unknown option ${name.slice(0, 2)}`);
    }
  }
}

function readTokenFile(path) {
  let text;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the token file ${path === "-" ? "(stdin)" : path}: ${e.code ?? e.message}`);
  }
  const token = text.trim();
  if (!token) throw new UsageError(`the token file ${path === "-" ? "(stdin)" : path} is empty`);
  return token;
}

/** The client's authentication settings: a token, or an access key pair. */
function authFrom(values, env) {
  const token = values["token-file"] !== undefined ? readTokenFile(values["token-file"]) : env.CPH_TOKEN || undefined;
  if (token !== undefined) {
    secrets.push(token);
    return { token };
  }
  const accessKey = env.HUAWEICLOUD_SDK_AK || undefined;
  const secretKey = env.HUAWEICLOUD_SDK_SK || undefined;
  const securityToken = env.HUAWEICLOUD_SDK_SECURITY_TOKEN || undefined;
  if (accessKey || secretKey) {
    if (!accessKey || !secretKey) {
      throw new UsageError(`HUAWEICLOUD_SDK_${accessKey ? "SK" : "AK"} is not set: an access key needs its secret key, and the other way round`);
    }
    secrets.push(secretKey);
    if (securityToken) secrets.push(securityToken);
    return { credentials: securityToken ? { accessKey, secretKey, securityToken } : { accessKey, secretKey } };
  }
  throw new UsageError(
    "no credentials: set CPH_TOKEN (or pass --token-file PATH) for a token, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK for an access key pair",
  );
}

/** Everything a command needs, checked; a UsageError for anything wrong. */
function readCommand(command, args, env) {
  screenArguments(command, args);
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({ args, options: OPTIONS[command], strict: true, allowPositionals: true }));
  } catch (e) {
    throw new UsageError(e.message.split("\n")[0]);
  }
  if (values.help) return { help: true };
  // A stray word may be a pasted secret, so it is counted, not shown.
  if (positionals.length > 0) {
    throw new UsageError(`${command} takes no arguments besides options (got ${positionals.length}); every value follows its option, as in --request-id ID`);
  }
  const projectId = values["project-id"] ?? (env.HUAWEICLOUD_SDK_PROJECT_ID || undefined);
  if (projectId === undefined) throw new UsageError("--project-id is required (or set HUAWEICLOUD_SDK_PROJECT_ID)");
  if ((values["request-id"] === undefined) === (values["request-ids"] === undefined)) {
    throw new UsageError("give --request-id ID or --request-ids A,B,... (one of the two)");
  }
  const requestIds = values["request-ids"]?.split(",").map((id) => id.trim()).filter(Boolean);
  if (requestIds?.length === 0) throw new UsageError("--request-ids needs at least one id");
  if (values.endpoint !== undefined && values.region !== undefined) {
    throw new UsageError("give --endpoint URL or --region R, not both");
  }
  if (values.endpoint === undefined && values.region === undefined) {
    throw new UsageError("say where the API is: --region R (such as cn-north-4) or --endpoint URL");
  }
  const settings = {
    command,
    json: Boolean(values.json),
    query: requestIds ? { requestIds } : { requestId: values["request-id"] },
    byRequest: Boolean(requestIds && requestIds.length > 1), // and only when the API attributed a job
    client: {
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : { region: values.region }),
      projectId,
    },
    timeoutMs: parseDuration(values.timeout ?? (command === "list" ? LIST_TIMEOUT : WATCH_TIMEOUT), "--timeout"),
    projectFromEnv: values["project-id"] === undefined,
  };
  if (command === "list") {
    if (values.all && values.offset !== undefined) throw new UsageError("--all lists every page; it does not take --offset");
    settings.all = Boolean(values.all);
    settings.limit = parseCount(values.limit, "--limit");
    settings.offset = parseCount(values.offset, "--offset");
    if (!settings.all && requestIds && requestIds.length > MAX_IDS_PER_CALL) {
      throw new UsageError(`one page takes at most ${MAX_IDS_PER_CALL} request ids (got ${requestIds.length}); add --all to list any number`);
    }
  } else {
    settings.intervalMs = parseDuration(values.interval ?? WATCH_INTERVAL, "--interval");
  }
  // Last, so that a mistake in the options is reported before a file is read.
  settings.client = { ...settings.client, ...authFrom(values, env) };
  return settings;
}

// ---- running -----------------------------------------------------------------

/** A library error as the user can act on it, with the option names they typed. */
function describeUsage(error, settings) {
  return error.message.replace(/^invalid (\w+):/, (whole, name) => {
    if (name === "projectId") return `invalid ${settings.projectFromEnv ? "HUAWEICLOUD_SDK_PROJECT_ID" : "--project-id"}:`;
    return OPTION_OF_ARGUMENT[name] ? `invalid ${OPTION_OF_ARGUMENT[name]}:` : whole;
  });
}

function reportApiError(error) {
  err(`cph-jobs: ${oneLine(error.message)}\n`);
  const rows = [
    ["kind", error.kind],
    ["status", error.status],
    ["code", error.errorCode],
    ["message", error.errorMsg],
    ["X-Request-Id", error.requestId],
    ["attempts", error.attempts],
  ].filter(([, value]) => value !== undefined && value !== "");
  for (const [name, value] of rows) err(`  ${`${name}:`.padEnd(14)}${oneLine(value)}\n`);
  if (error.kind === "http" && (error.status === 401 || error.status === 403)) {
    err("  The service refused the credentials: check the token or the access key pair, and the project id.\n");
  } else if (error.kind === "network") {
    err("  No answer from the service: check --endpoint or --region, and the network.\n");
  }
}

async function run(settings, signal) {
  const { CphClient } = await import("./node.mjs");
  const client = new CphClient(settings.client);
  const started = Date.now();
  if (settings.command === "list") {
    const call = { ...settings.query, signal, timeoutMs: settings.timeoutMs };
    const result = settings.all
      ? await client.listAllJobs({ ...call, ...(settings.limit !== undefined && { limit: settings.limit }) })
      : await client.listJobs({
          ...call,
          ...(settings.limit !== undefined && { limit: settings.limit }),
          ...(settings.offset !== undefined && { offset: settings.offset }),
        });
    printJobs(result.jobs, settings);
    const limit = settings.limit ?? PAGE_LIMIT;
    if (!settings.all && result.jobs.length === limit) {
      err(`cph-jobs: the page is full, more jobs may follow: --offset ${(settings.offset ?? 0) + limit} for the next page, or --all\n`);
    }
    return exitFor(result.jobs);
  }

  const progress = progressReporter(process.stderr, started);
  progress.start();
  try {
    const result = await client.waitForJobs({
      ...settings.query,
      signal,
      timeoutMs: settings.timeoutMs,
      minDelayMs: settings.intervalMs,
      maxDelayMs: Math.max(MAX_DELAY_MS, settings.intervalMs),
      onProgress: (response) => {
        // A throw here would end the wait as "invalid-input"; drawing must not.
        try {
          progress.update(response.jobs);
        } catch {}
      },
    });
    progress.stop();
    printJobs(result.jobs, settings);
    return exitFor(result.jobs);
  } catch (error) {
    progress.stop();
    if (error?.kind === "timeout" && error.lastResponse) printJobs(error.lastResponse.jobs, settings);
    throw error;
  }
}

async function main(argv, env) {
  const [command, ...args] = argv;
  if (command === undefined) throw new UsageError("a command is required: list or watch");
  if (command === "--help" || command === "-h" || command === "help") {
    const topic = args[0];
    out(`${helpText(OPTIONS[topic] ? topic : "main")}\n`);
    return EXIT.succeeded;
  }
  if (command === "--version" || command === "-V") {
    out(`${createRequire(import.meta.url)("./package.json").version}\n`);
    return EXIT.succeeded;
  }
  if (!OPTIONS[command] && command !== "proxy") {
    // A secret pasted in the wrong place must not be printed back.
    const shown = /^-{0,2}[a-z][a-z-]{0,30}$/.test(command) ? `"${command}"` : "given";
    throw new UsageError(`unknown command ${shown}: the commands are list, watch and proxy`);
  }
  try {
    if (command !== "proxy") return await runCommand(command, args, env);
    // Its own module (cli-proxy.mjs), loaded only for this command.
    const { runProxy } = await import("./cli-proxy.mjs");
    return await runProxy(args, { UsageError, EXIT, EXIT_BY_SIGNAL, out, err, parseCount, parseDuration });
  } catch (error) {
    if (error instanceof UsageError) error.command = command;
    throw error;
  }
}

async function runCommand(command, args, env) {
  const settings = readCommand(command, args, env);
  if (settings.help) {
    out(`${helpText(command)}\n`);
    return EXIT.succeeded;
  }

  // Ctrl-C (or a SIGTERM) aborts the call in flight through its signal, and
  // the exit code says which signal it was; a second one exits at once.
  const controller = new AbortController();
  let interruptedBy = null;
  const onSignal = (signal) => {
    if (interruptedBy) process.exit(EXIT_BY_SIGNAL[signal]);
    interruptedBy = signal;
    controller.abort();
  };
  for (const signal of Object.keys(EXIT_BY_SIGNAL)) process.on(signal, onSignal);
  try {
    return await run(settings, controller.signal);
  } catch (error) {
    if (interruptedBy || error?.kind === "aborted") {
      err("cph-jobs: interrupted\n");
      return EXIT_BY_SIGNAL[interruptedBy ?? "SIGINT"];
    }
    if (error?.kind === "invalid-input") throw new UsageError(describeUsage(error, settings));
    if (error?.kind === "timeout") {
      const still = error.lastResponse ? count(error.lastResponse.jobs).running : 0;
      const after = settings.timeoutMs >= 1000 ? formatDuration(settings.timeoutMs) : `${settings.timeoutMs}ms`;
      err(`cph-jobs: timed out after ${after}${still ? ` with ${still} job${still === 1 ? "" : "s"} still running` : ""} (--timeout)\n`);
      return EXIT.timeout;
    }
    if (error?.kind) {
      reportApiError(error);
      return EXIT.api;
    }
    throw error;
  } finally {
    for (const signal of Object.keys(EXIT_BY_SIGNAL)) process.off(signal, onSignal);
  }
}

/** Exits once both streams have taken everything written. */
function exit(code) {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

// A reader that goes away (`cph-jobs list ... | head`) is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2), process.env).then(exit, (error) => {
  if (error instanceof UsageError) {
    err(`cph-jobs: ${error.message}\n`);
    err(`Run "cph-jobs ${error.command ? `${error.command} ` : ""}--help" for usage.\n`);
    return exit(EXIT.usage);
  }
  err(`cph-jobs: unexpected failure: ${error?.stack ?? error}\n`);
  return exit(EXIT.api);
});
