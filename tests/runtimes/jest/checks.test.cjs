// Jest 30, CommonJS as most Jest projects run; jest.node.config.cjs and
// jest.jsdom.config.cjs pick the environment. checks.cjs is checks.mjs as
// CommonJS (written by run.mjs).
const pkg = require("cph-jobs");
const { checks } = require("../checks.cjs");

for (const { name, run } of checks) {
  test(name, () => run(pkg, process.env.CPH_MOCK_URL));
}
