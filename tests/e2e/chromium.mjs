// Launches Debian's Chromium through playwright-core: never a downloaded browser.
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startMock } from "../mock/server.mjs";

/** The package as users receive it: the tarball installed by install-tarball.mjs. */
const INSTALLED = fileURLToPath(new URL("../../.tmp/consumer/node_modules/cph-jobs/", import.meta.url));

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root Chromium needs --no-sandbox; the rest keep it off the network,
    // which refuses everything here but loopback.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/**
 * Chromium on a page of one mock (`site`), which serves the installed tarball
 * at "/pkg/", with a second mock (`api`) on another origin, so every call the
 * page makes to it also passes the CORS preflight. `close()` stops them all.
 */
export async function packagePage({ siteLog, apiLog } = {}) {
  const e2e = fileURLToPath(new URL(".", import.meta.url));
  const site = await startMock({ timeScale: 0.01, staticDirs: { "/pkg/": INSTALLED, "/e2e/": e2e }, log: siteLog });
  const api = await startMock({ timeScale: 0.01, log: apiLog });
  const browser = await launch();
  const page = await browser.newPage();
  await page.goto(`${site.url}/e2e/blank.html`);
  const close = async () => {
    await browser.close();
    await site.close();
    await api.close();
  };
  return { site, api, browser, page, close };
}

/**
 * Runs a shared case in the page: `run(pkg, args, describe)`, sent as source
 * text with the package's browser entry imported there, so it may use only
 * its parameters and globals.
 */
export function runCase(page, run, describe, args) {
  return page.evaluate(
    async ({ run, describe, args }) => {
      const pkg = await import("/pkg/index.js");
      const fn = new Function("pkg", "args", `return (${run})(pkg, args, ${describe});`);
      return fn(pkg, args);
    },
    { run: run.toString().replace(/^async run\(/, "async function run("), describe: describe.toString(), args },
  );
}
