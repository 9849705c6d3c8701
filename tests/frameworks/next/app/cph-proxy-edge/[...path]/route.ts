import { createProxy } from "cph-jobs/proxy";

// The same proxy in the Edge runtime.
export const runtime = "edge";

export const GET = createProxy({ upstream: process.env.CPH_MOCK_URL, basePath: "/cph-proxy-edge" });
