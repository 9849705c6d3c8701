// jsdom, given Node's fetch (jsdom-with-fetch.cjs): the package itself needs
// nothing more of jsdom since it makes TextEncoder/TextDecoder on first use.
module.exports = { testEnvironment: "<rootDir>/jsdom-with-fetch.cjs", testMatch: ["<rootDir>/checks.test.cjs"] };
