module.exports = { testEnvironment: "jsdom", testMatch: ["<rootDir>/checks.test.cjs"] };
