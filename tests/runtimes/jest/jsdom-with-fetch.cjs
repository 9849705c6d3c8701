// Jest's jsdom environment has no fetch (nor Request, Response, Headers):
// this one is jsdom with Node's. A console project that tests calls against
// a real or mock server needs it, or a fetch polyfill, whatever the package.
const { TestEnvironment } = require("jest-environment-jsdom");

module.exports = class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    Object.assign(this.global, { fetch, Request, Response, Headers });
  }
};
