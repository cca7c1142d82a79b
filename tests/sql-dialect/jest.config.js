// No servers: the gate reads files only, so the shared global setup is left out.
const {
  globalSetup: _setup,
  globalTeardown: _teardown,
  ...preset
} = require("../../jest.preset.js");
module.exports = { ...preset, rootDir: __dirname };
