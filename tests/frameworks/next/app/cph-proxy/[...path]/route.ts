import { createProxy } from "cph-jobs/proxy";

// The same-origin proxy, in the Node runtime, in front of the mock (a real
// console gives `region` instead of `upstream`).
export const GET = createProxy({ upstream: process.env.CPH_MOCK_URL, basePath: "/cph-proxy" });
