// A Cloudflare Worker, bundled as wrangler does (esbuild, the `workerd`,
// `worker` and `browser` conditions, each imported .wasm a module of its
// own) and served by workerd: GET /?endpoint=URL runs the checks.
import * as pkg from "cph-jobs";
import { runChecks } from "../checks.mjs";

export default {
  async fetch(request) {
    const endpoint = new URL(request.url).searchParams.get("endpoint");
    return Response.json(await runChecks(pkg, endpoint));
  },
};
