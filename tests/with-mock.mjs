// Runs a command with the mock CPH service up, its URL in CPH_MOCK_URL (and
// a URL where nothing listens in CPH_CLOSED_URL):
//
//   node tests/with-mock.mjs [--time-scale X] -- COMMAND ARGS...
//
// The mock stops when the command ends, and the command's exit code is ours.
import { spawn } from "node:child_process";
import { closedUrl, startMock } from "./mock/server.mjs";

const split = process.argv.indexOf("--");
if (split < 0 || split === process.argv.length - 1) {
  console.error("usage: node tests/with-mock.mjs [--time-scale X] -- COMMAND ARGS...");
  process.exit(2);
}
const flags = process.argv.slice(2, split);
const scale = flags.includes("--time-scale") ? Number(flags[flags.indexOf("--time-scale") + 1]) : 0.01;
const mock = await startMock({ timeScale: scale });
const [command, ...args] = process.argv.slice(split + 1);
// CPH_CLOSED_URL: where nothing listens, for connection-refused tests.
const env = { ...process.env, CPH_MOCK_URL: mock.url, CPH_CLOSED_URL: await closedUrl() };
const child = spawn(command, args, { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", async (code, signal) => {
  await mock.close();
  process.exit(code ?? (signal ? 128 : 1));
});
