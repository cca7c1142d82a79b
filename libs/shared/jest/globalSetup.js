module.exports = require("../dist/testing/infrastructure").globalSetup;
