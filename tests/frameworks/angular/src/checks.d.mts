// The types of tests/runtimes/checks.mjs, which the test runner copies here.
export function runChecks(pkg: unknown, endpoint: string): Promise<{ name: string; ok: boolean; detail?: string }[]>;
