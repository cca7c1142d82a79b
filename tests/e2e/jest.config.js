module.exports = {
  ...require("../../jest.preset.js"),
  rootDir: __dirname,
  testTimeout: 180_000,
  // A failed file's report ends with its stack's service logs.
  reporters: ["default", "<rootDir>/stackLogs.js"],
};
