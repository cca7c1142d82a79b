module.exports = require("../dist/testing/infrastructure").globalTeardown;
