// Node, CommonJS: require the package; the checks are an ES module, loaded with import().
const pkg = require("cph-jobs");

import("../checks.mjs").then(async ({ RESULT_PREFIX, runChecks }) => {
  console.log(RESULT_PREFIX + JSON.stringify(await runChecks(pkg, process.env.CPH_MOCK_URL)));
});
