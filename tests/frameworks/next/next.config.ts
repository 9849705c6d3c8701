import type { NextConfig } from "next";

// As create-next-app writes it: cph-jobs needs no setting.
const nextConfig: NextConfig = {};

export default nextConfig;
