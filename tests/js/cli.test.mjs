// The `cph-jobs` command, run as users run it: the bin of the tarball that
// install-tarball.mjs installed into .tmp/consumer, against the mock service.
// Every run is also checked for the secrets it was given: none may appear in
// stdout or stderr, whatever the exit code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { closedUrl, startMock, DOC_EXAMPLE } from "../mock/server.mjs";
import { DEMO_CREDENTIALS, DEMO_TEMPORARY_CREDENTIALS } from "../mock/aksk.mjs";

const consumer = fileURLToPath(new URL("../../.tmp/consumer/", import.meta.url));
const BIN = join(consumer, "node_modules", ".bin", "cph-jobs");
const TOKEN = "MIIT-cli-test-token-5e1d9b7a3c2f4086";
const SECRETS = [TOKEN, DEMO_CREDENTIALS.secretKey, DEMO_TEMPORARY_CREDENTIALS.secretKey, DEMO_TEMPORARY_CREDENTIALS.securityToken];
const ANSI = /\x1b\[/;
const COLOUR = /\x1b\[3\dm/;

let mock;
let pkg;
let scratch;
let runs = 0;

before(async () => {
  mock = await startMock({ timeScale: 0.01 });
  pkg = await import(join(consumer, "esm.mjs"));
  scratch = mkdtempSync(join(tmpdir(), "cph-cli-"));
});
after(async () => {
  await mock.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A clean environment: nothing of the caller's credentials, colours or terminal leaks in. */
function environment(extra = {}) {
  // Offline: npx must find the installed bin, never ask the registry.
  const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: process.env.HOME ?? scratch, LANG: "C.UTF-8", npm_config_offline: "true" };
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** A fresh demo batch for each run, so every watch sees a batch start. */
const batch = (name = "demo") => `${name}-${process.pid}-${++runs}`;

/**
 * Runs a command to its end; `onStderr` may act on the progress as it comes
 * (to interrupt it). Resolves with the exit code and both outputs.
 */
function exec(command, args, { env, input, onStderr, cwd = consumer } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      for (const secret of SECRETS) {
        assert.ok(!stdout.includes(secret), `a secret in stdout of ${args.join(" ")}`);
        assert.ok(!stderr.includes(secret), `a secret in stderr of ${args.join(" ")}`);
      }
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

/** `cph-jobs ARGS` with a token in CPH_TOKEN unless `env` says otherwise. */
const cli = (args, { env = {}, ...options } = {}) => exec(BIN, args, { env: environment({ CPH_TOKEN: TOKEN, ...env }), ...options });

const shellQuote = (word) => `'${String(word).replace(/'/g, "'\\''")}'`;

/** The same under a pseudo-terminal (util-linux `script`): stdout and stderr are one TTY. */
function underTerminal(args, { env = {} } = {}) {
  const command = [BIN, ...args].map(shellQuote).join(" ");
  return exec("script", ["-qec", command, "/dev/null"], { env: environment({ CPH_TOKEN: TOKEN, TERM: "xterm-256color", ...env }) });
}

const select = (requestId, ...more) => ["--project-id", "proj-1", "--request-id", requestId, "--endpoint", mock.url, ...more];
const jsonLines = (text) => text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
const tableRows = (text) => text.split("\n").filter((line) => line && !/^\d+ jobs?:|^no jobs$/.test(line));
const plain = (text) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

/** Where each header's column starts: every row must have a cell boundary there. */
function assertAligned(rows) {
  const header = rows[0];
  const starts = [...header.matchAll(/(?:^|(?<=  ))\S/g)].map((m) => m.index);
  assert.ok(starts.length >= 6, header);
  for (const row of rows.slice(1)) {
    for (const start of starts.slice(1)) {
      assert.equal(row.slice(start - 2, start), "  ", `column at ${start} in:\n${header}\n${row}`);
      assert.notEqual(row[start], " ", `column at ${start} in:\n${header}\n${row}`);
    }
  }
}

describe("usage", { timeout: 120_000 }, () => {
  test("--help of each command exits 0 and shows its options", async () => {
    const main = await cli(["--help"]);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /cph-jobs list +--project-id ID/);
    assert.match(main.stdout, /cph-jobs watch --project-id ID/);
    for (const [command, option] of [["list", "--all"], ["watch", "--interval DURATION"]]) {
      const help = await cli([command, "--help"]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: cph-jobs ${command} `));
      assert.ok(help.stdout.includes(option), help.stdout);
      assert.match(help.stdout, /HUAWEICLOUD_SDK_AK/);
      assert.match(help.stdout, /Exit codes: 0 /);
    }
  });

  test("--version prints the package's version, also through npx", async () => {
    const { version } = JSON.parse(readFileSync(join(consumer, "node_modules", "cph-jobs", "package.json"), "utf8"));
    const direct = await cli(["--version"]);
    assert.deepEqual([direct.code, direct.stdout], [0, `${version}\n`]);
    const npx = await exec("npx", ["--no", "--", "cph-jobs", "--version"], { env: environment() });
    assert.deepEqual([npx.code, npx.stdout], [0, `${version}\n`], npx.stderr);
  });

  const mistakes = [
    [[], /a command is required/],
    [["lst"], /unknown command "lst"/],
    [["list"], /--project-id is required/],
    [["list", "--project-id", "p", "--endpoint", "http://127.0.0.1:1"], /--request-id ID or --request-ids/],
    [["list", "--project-id", "p", "--request-id", "a", "--request-ids", "b", "--region", "cn-north-4"], /one of the two/],
    [["list", "--project-id", "p", "--request-id", "a"], /--region R .* or --endpoint URL/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "mars"], /invalid --region: .*cn-north-4/],
    [["list", "--project-id", "p", "--request-id", "a", "--endpoint", "ftp://x"], /invalid --endpoint/],
    [["list", "--project-id", "p p", "--request-id", "a", "--region", "cn-north-4"], /invalid --project-id/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--limit", "500"], /invalid --limit: .*1 to 100/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--limit", "ten"], /--limit takes a whole number/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--timeout", "30"], /--timeout takes a duration such as 500ms, 30s/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--all", "--offset", "5"], /--all .* --offset/],
    [["list", "--project-id", "p", "--request-ids", Array.from({ length: 21 }, (_, i) => `id${i}`).join(","), "--region", "cn-north-4"], /at most 20 .* --all/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--requestid", "b"], /unknown option --requestid; did you mean --request-id\?/],
    [["list", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "stray"], /takes no arguments besides options \(got 1\)/],
    [["watch", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--all"], /--all is an option of list, not of watch/],
    [["watch", "--project-id", "p", "--request-id", "a", "--region", "cn-north-4", "--interval", "soon"], /--interval takes a duration/],
  ];
  for (const [args, message] of mistakes) {
    test(`exit 2: cph-jobs ${args.join(" ").slice(0, 90)}`, async () => {
      const run = await cli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Run "cph-jobs (list |watch )?--help" for usage\.\n$/);
      assert.equal(run.stdout, "");
    });
  }
});

describe("credentials", { timeout: 120_000 }, () => {
  for (const [args, where] of [
    [["--token", TOKEN], /set CPH_TOKEN, or .* --token-file PATH/],
    [[`--token=${TOKEN}`], /set CPH_TOKEN/],
    [["--sk", DEMO_CREDENTIALS.secretKey], /HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/],
    [[`--secret-key=${DEMO_CREDENTIALS.secretKey}`], /HUAWEICLOUD_SDK_SK/],
    [["--security-token", DEMO_TEMPORARY_CREDENTIALS.securityToken], /HUAWEICLOUD_SDK_SECURITY_TOKEN/],
  ]) {
    test(`a secret as an argument is refused: ${args[0].split("=")[0]}`, async () => {
      // exec() fails the test if the secret is echoed anywhere.
      const run = await cli(["list", ...select("demo"), ...args]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /secrets are not taken as arguments, where other users of this machine could read them in the process list/);
      assert.match(run.stderr, where);
    });
  }

  test("without any credentials: exit 2 naming the variables", async () => {
    const run = await cli(["list", ...select("demo")], { env: { CPH_TOKEN: "" } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no credentials: set CPH_TOKEN .*--token-file PATH.*HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/);
  });

  test("an access key without its secret key: exit 2", async () => {
    const run = await cli(["list", ...select("demo")], { env: { CPH_TOKEN: undefined, HUAWEICLOUD_SDK_AK: DEMO_CREDENTIALS.accessKey } });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /HUAWEICLOUD_SDK_SK is not set/);
  });

  test("--token-file reads the token (trailing newline and all), and wins over CPH_TOKEN", async () => {
    const file = join(scratch, "token");
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const run = await cli(["list", ...select("jobs-3"), "--token-file", file], { env: { CPH_TOKEN: "bad-token" } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(tableRows(run.stdout).length, 4);
  });

  test("--token-file - reads the token from stdin", async () => {
    const run = await cli(["list", ...select("jobs-3"), "--token-file", "-", "--json"], { env: { CPH_TOKEN: undefined }, input: `${TOKEN}\n` });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(jsonLines(run.stdout).length, 3);
  });

  test("an unreadable or empty token file: exit 2", async () => {
    const missing = await cli(["list", ...select("demo"), "--token-file", join(scratch, "nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the token file .*nope: ENOENT/);
    const empty = join(scratch, "empty");
    writeFileSync(empty, "\n");
    const blank = await cli(["list", ...select("demo"), "--token-file", empty]);
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /is empty/);
  });

  test("the project id may come from HUAWEICLOUD_SDK_PROJECT_ID", async () => {
    const run = await cli(["list", "--request-id", "jobs-2", "--endpoint", mock.url, "--json"], { env: { HUAWEICLOUD_SDK_PROJECT_ID: "proj-env" } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(jsonLines(run.stdout).length, 2);
    const bad = await cli(["list", "--request-id", "jobs-2", "--endpoint", mock.url], { env: { HUAWEICLOUD_SDK_PROJECT_ID: "has space" } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid HUAWEICLOUD_SDK_PROJECT_ID/);
  });

  test("a token the service echoes back never reaches the output", async () => {
    const run = await cli(["list", ...select("echo-token")]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /CPS\.0013/);
  });
});

describe("list", { timeout: 120_000 }, () => {
  test("an aligned table, no colour in a pipe, exit 1 when a job failed", async () => {
    const run = await cli(["list", ...select("doc-example")]);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stdout, ANSI);
    const rows = tableRows(run.stdout);
    assert.match(rows[0], /^JOB ID +PHONE \/ SERVER +STATUS +BEGIN \(UTC\) +DURATION +ERROR$/);
    assert.equal(rows.length, 3);
    assertAligned(rows);
    const [failed, succeeded] = DOC_EXAMPLE.jobs;
    assert.match(rows[1], new RegExp(`^${failed.job_id} +${failed.phone_id} +Failed +2017-10-25 00:00:00 +30s +CPS0005 Phone not found\\.$`));
    assert.match(rows[2], new RegExp(`^${succeeded.job_id} +${succeeded.phone_id} +Succeeded +2017-10-25 00:00:00 +32s +-$`));
    assert.match(run.stdout, /\n2 jobs: 1 succeeded, 1 failed\n$/);
  });

  test("--json: the package's job objects, one a line", async () => {
    const run = await cli(["list", ...select("doc-example"), "--json"]);
    assert.equal(run.code, 1);
    const expected = await (pkg.default ?? pkg).listJobs(mock.url, "proj-1", "doc-example", TOKEN);
    assert.deepEqual(jsonLines(run.stdout), JSON.parse(JSON.stringify(expected.jobs)));
    assert.ok(run.stdout.endsWith("}\n"));
  });

  test("exit 0 when no job failed; running jobs and unknown statuses", async () => {
    assert.equal((await cli(["list", ...select("jobs-3")])).code, 0);
    const nulls = await cli(["list", ...select("nulls")]);
    assert.equal(nulls.code, 1, "an unknown status is not a success");
    assert.match(nulls.stdout, /j-unknown +- +unknown \(3\)/);
    assert.match(nulls.stdout, /4 jobs: 1 succeeded, 1 failed, 1 running, 1 unknown\n$/);
    const empty = await cli(["list", ...select("empty")]);
    assert.deepEqual([empty.code, empty.stdout], [0, "no jobs\n"]);
  });

  test("one page by default, with a note when it is full; --limit and --offset choose the page", async () => {
    const first = await cli(["list", ...select("jobs-250"), "--json"]);
    assert.equal(first.code, 1);
    assert.equal(jsonLines(first.stdout).length, 100);
    assert.match(first.stderr, /the page is full.*--offset 100 .*--all/);
    const page = await cli(["list", ...select("jobs-250"), "--json", "--limit", "10", "--offset", "240"]);
    assert.deepEqual(jsonLines(page.stdout).map((j) => j.jobId), Array.from({ length: 10 }, (_, i) => `jobs-250-${String(240 + i).padStart(6, "0")}`));
    assert.match(page.stderr, /--offset 250 for the next page/);
    const last = await cli(["list", ...select("jobs-250"), "--json", "--limit", "10", "--offset", "245"]);
    assert.equal(jsonLines(last.stdout).length, 5);
    assert.equal(last.stderr, "", "a short page is the last");
  });

  test("--all follows every page, and takes more than 20 ids", async () => {
    const all = await cli(["list", ...select("jobs-250"), "--all", "--json"]);
    const jobs = jsonLines(all.stdout);
    assert.equal(jobs.length, 250);
    assert.equal(new Set(jobs.map((j) => j.jobId)).size, 250);
    assert.equal(all.stderr, "");
    const ids = Array.from({ length: 23 }, (_, i) => `jobs-2-${i}`).join(",");
    const many = await cli(["list", "--project-id", "p", "--request-ids", ids, "--endpoint", mock.url, "--all", "--json"]);
    assert.equal(many.code, 0, many.stderr);
    assert.equal(jsonLines(many.stdout).length, 46);
  });

  test("colour on a terminal, none with NO_COLOR", async () => {
    const tty = await underTerminal(["list", ...select("doc-example")]);
    assert.equal(tty.code, 1, tty.stdout);
    assert.match(tty.stdout, /\x1b\[31mFailed/);
    assert.match(tty.stdout, /\x1b\[32mSucceeded/);
    assertAligned(tableRows(plain(tty.stdout).replace(/\r/g, "")));
    const noColour = await underTerminal(["list", ...select("doc-example")], { env: { NO_COLOR: "1" } });
    assert.equal(noColour.code, 1);
    assert.doesNotMatch(noColour.stdout, ANSI);
  });
});

describe("errors", { timeout: 120_000 }, () => {
  test("exit 3 for an API error, with kind, status, code and X-Request-Id", async () => {
    const run = await cli(["list", ...select("err-503")]);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^cph-jobs: HTTP 503 .*CPS\.0503/);
    assert.match(run.stderr, /\n  kind: +http\n/);
    assert.match(run.stderr, /\n  status: +503\n/);
    assert.match(run.stderr, /\n  code: +CPS\.0503\n/);
    assert.match(run.stderr, /\n  X-Request-Id: +[0-9a-f]{32}\n/);
    assert.match(run.stderr, /\n  attempts: +3\n/);
  });

  test("exit 3 for a refused token, with advice", async () => {
    const run = await cli(["watch", ...select("demo")], { env: { CPH_TOKEN: "bad-token" } });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /\n  code: +APIG\.0301\n/);
    assert.match(run.stderr, /refused the credentials/);
  });

  test("exit 3 for a network error", async () => {
    const run = await cli(["list", "--project-id", "p", "--request-id", "demo", "--endpoint", await closedUrl()]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /\n  kind: +network\n/);
    assert.match(run.stderr, /check --endpoint or --region/);
  });

  test("exit 4 when list passes --timeout", async () => {
    const run = await cli(["list", ...select("hang", "--timeout", "300ms")]);
    assert.equal(run.code, 4);
    assert.match(run.stderr, /^cph-jobs: timed out after 300ms \(--timeout\)\n$/);
  });
});

describe("watch", { timeout: 120_000 }, () => {
  test("in a pipe: one plain line per change, then the summary table", async () => {
    const run = await cli(["watch", ...select(batch()), "--interval", "100ms"]);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    assert.doesNotMatch(run.stderr + run.stdout, /[\r\x1b]/);
    const lines = run.stderr.split("\n").filter(Boolean);
    assert.ok(lines.length >= 1);
    for (const line of lines) assert.match(line, /^\[\d+:\d\d\] \d+\/12 done, \d+ running, \d+ failed$/);
    assert.equal(new Set(lines.map((l) => l.replace(/^\[[^\]]+\] /, ""))).size, lines.length, "a line only when the counts change");
    assert.match(lines.at(-1), /12\/12 done, 0 running, \d+ failed$/);
    const rows = tableRows(run.stdout);
    assert.equal(rows.length, 13);
    assertAligned(rows);
    assert.doesNotMatch(run.stdout, /Running/);
    const failed = Number(lines.at(-1).match(/(\d+) failed$/)[1]);
    assert.match(run.stdout, new RegExp(`\\n12 jobs: ${12 - failed} succeeded, ${failed} failed\\n$`));
    assert.equal(run.code, failed ? 1 : 0);
  });

  test("--json: the final jobs as JSON lines; the exit code follows them", async () => {
    const run = await cli(["watch", ...select(batch()), "--interval", "100ms", "--json"]);
    const jobs = jsonLines(run.stdout);
    assert.equal(jobs.length, 12);
    assert.ok(jobs.every((j) => j.status === 2 || j.status === -1));
    assert.equal(run.code, jobs.some((j) => j.status === -1) ? 1 : 0);
    const ok = await cli(["watch", ...select("jobs-8"), "--json"]);
    assert.deepEqual([ok.code, jsonLines(ok.stdout).length], [0, 8]);
  });

  test("on a terminal: a bar redrawn in place, then the table", async () => {
    const run = await underTerminal(["watch", ...select(batch()), "--interval", "100ms"]);
    assert.ok(run.code === 0 || run.code === 1, run.stdout);
    const [progress, rest] = [run.stdout.slice(0, run.stdout.indexOf("JOB ID") - 4), run.stdout];
    // Each redraw: carriage return, erase the line, draw again.
    const draws = progress.split("\r\x1b[2K").slice(1);
    assert.ok(draws.length >= 3, JSON.stringify(progress));
    assert.match(plain(draws[0]), /^░+  waiting for the first answer  0:0\d$/);
    assert.match(plain(draws.at(-1)), /^█+  12\/12 done · 0 running · \d+ failed · \d+:\d\d\r?\n$/);
    assert.match(draws.at(-1), /\x1b\[32m█/, "the bar is coloured");
    assert.match(rest, /\x1b\[1mJOB ID/);
    assert.match(plain(rest), /12 jobs: \d+ succeeded, \d+ failed\r?\n$/);
  });

  test("on a terminal with NO_COLOR: still redrawn, not coloured", async () => {
    const run = await underTerminal(["watch", ...select(batch()), "--interval", "100ms"], { env: { NO_COLOR: "1" } });
    assert.ok(run.stdout.split("\r\x1b[2K").length >= 4);
    assert.doesNotMatch(run.stdout, COLOUR);
    assert.doesNotMatch(run.stdout, /\x1b\[1m/);
  });

  test("exit 4 at --timeout, with the jobs as they last were", async () => {
    const run = await cli(["watch", ...select(batch("running")), "--interval", "100ms", "--timeout", "600ms", "--json"]);
    assert.equal(run.code, 4);
    const jobs = jsonLines(run.stdout);
    assert.equal(jobs.length, 12);
    assert.ok(jobs.every((j) => j.status === 1));
    assert.match(run.stderr, /cph-jobs: timed out after 600ms with 12 jobs still running \(--timeout\)\n$/);
  });

  test("exit 3 when a poll fails", async () => {
    const run = await cli(["watch", ...select("err-404")]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /\n  status: +404\n/);
  });
});

describe("interrupted", { timeout: 120_000 }, () => {
  for (const [command, scenario] of [["watch", "running"], ["list", "hang"]]) {
    test(`SIGINT during ${command} aborts the work in flight: exit 130`, async () => {
      const before = mock.requests();
      // watch: after its first progress line; list: once its request hangs in the mock.
      const ready = command === "watch" ? (stderr) => /done/.test(stderr) : () => mock.requests() > before;
      const run = await interruptible([command, ...select(batch(scenario)), "--timeout", "1h"], ready);
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /cph-jobs: interrupted\n$/);
    });
  }

  test("Ctrl-C in a terminal, through npx: exit 130", async () => {
    // The terminal turns ^C into SIGINT for npx and the command alike.
    const command = ["npx", "--no", "--", "cph-jobs", "watch", ...select(batch("running"))].map(shellQuote).join(" ");
    const run = await new Promise((resolve, reject) => {
      const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: consumer, env: environment({ CPH_TOKEN: TOKEN, TERM: "xterm" }) });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (d) => {
        output += d;
        if (/running ·/.test(output) && !child.stdin.writableEnded) child.stdin.end("\x03");
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, output }));
    });
    assert.equal(run.code, 130, run.output);
    assert.match(run.output, /cph-jobs: interrupted/);
    assert.ok(!run.output.includes(TOKEN));
  });
});

/** Runs the command and sends it SIGINT once `ready(stderr so far)` says it is mid-work. */
function interruptible(args, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: consumer, env: environment({ CPH_TOKEN: TOKEN }) });
    let stderr = "";
    let sent = false;
    const poll = setInterval(() => {
      if (!sent && ready(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    }, 20);
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(poll);
      assert.ok(!stderr.includes(TOKEN));
      resolve({ code, stderr });
    });
  });
}

// The mock verifies SDK-HMAC-SHA256 signatures against its demo keys (tests/mock/aksk.mjs).
describe("with an access key pair", { timeout: 120_000 }, () => {
  const keys = (credentials) => ({
    CPH_TOKEN: undefined,
    HUAWEICLOUD_SDK_AK: credentials.accessKey,
    HUAWEICLOUD_SDK_SK: credentials.secretKey,
    HUAWEICLOUD_SDK_SECURITY_TOKEN: credentials.securityToken,
  });

  test("list and watch sign their requests", async () => {
    const list = await cli(["list", ...select("doc-example"), "--json"], { env: keys(DEMO_CREDENTIALS) });
    assert.equal(list.code, 1, list.stderr);
    assert.equal(jsonLines(list.stdout).length, 2);
    const watch = await cli(["watch", ...select(batch()), "--interval", "100ms"], { env: keys(DEMO_CREDENTIALS) });
    assert.ok(watch.code === 0 || watch.code === 1, watch.stderr);
    assert.match(watch.stdout, /\n12 jobs: /);
  });

  test("watch on a terminal with temporary credentials", async () => {
    // underTerminal() goes through exec(), which fails on any secret in the output.
    const run = await underTerminal(["watch", ...select(batch()), "--interval", "100ms"], { env: keys(DEMO_TEMPORARY_CREDENTIALS) });
    assert.ok(run.code === 0 || run.code === 1, run.stdout);
    assert.match(plain(run.stdout), /12\/12 done · 0 running/);
  });

  test("temporary credentials send their security token", async () => {
    const run = await cli(["list", ...select("jobs-3")], { env: keys(DEMO_TEMPORARY_CREDENTIALS) });
    assert.equal(run.code, 0, run.stderr);
    const without = await cli(["list", ...select("jobs-3")], { env: keys({ ...DEMO_TEMPORARY_CREDENTIALS, securityToken: undefined }) });
    assert.equal(without.code, 3);
    assert.match(without.stderr, /\n  code: +APIG\.0301\n/);
  });

  test("a wrong secret key: exit 3 with 401 APIG.0301, the key in no output", async () => {
    const wrong = `${DEMO_CREDENTIALS.secretKey}-wrong`;
    SECRETS.push(wrong);
    const run = await cli(["list", ...select("demo")], { env: keys({ ...DEMO_CREDENTIALS, secretKey: wrong }) });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /\n  status: +401\n  code: +APIG\.0301\n/);
  });

  test("a token wins over the access key pair", async () => {
    const run = await cli(["list", ...select("jobs-3")], { env: { ...keys(DEMO_CREDENTIALS), CPH_TOKEN: TOKEN } });
    assert.equal(run.code, 0, run.stderr);
  });
});
