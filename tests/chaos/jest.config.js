module.exports = { ...require("../../jest.preset.js"), rootDir: __dirname, testTimeout: 900_000 };
