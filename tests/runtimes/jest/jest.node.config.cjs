module.exports = { testEnvironment: "node", testMatch: ["<rootDir>/checks.test.cjs"] };
