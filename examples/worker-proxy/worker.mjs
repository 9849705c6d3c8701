// A Cloudflare Worker (workerd) that is the same-origin proxy a browser
// console needs for CPH ListJobs: the package's own handler, configured from
// the Worker's variables (wrangler.toml). Route it at the console's origin,
// e.g. https://console.example.com/cph-proxy/*, and give the console
// `https://console.example.com/cph-proxy` as its endpoint.
import { createProxy } from "cph-jobs/proxy";

let proxy;

export default {
  /** @param {Request} request */
  fetch(request, env) {
    // Built once per isolate, on the first request: variables arrive with it.
    proxy ??= createProxy({
      // One of the two: a region's official endpoint, or (tests) an upstream.
      region: env.CPH_REGION || undefined,
      upstream: env.CPH_UPSTREAM || undefined,
      allowedOrigins: (env.ALLOWED_ORIGINS ?? "").split(",").filter(Boolean),
      basePath: env.BASE_PATH ?? "/cph-proxy",
      redactIds: env.REDACT_IDS === "true",
      // Workers Logs keep what console.log writes: one line per request, no token.
      log: (line) => console.log(line),
    });
    return proxy(request);
  },
};
