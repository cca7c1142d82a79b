// Shared Jest settings: TypeScript through SWC, real servers from the global setup.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } },
    ],
  },
  testMatch: ["<rootDir>/test/**/*.test.ts", "<rootDir>/src/**/*.test.ts"],
  // Every test process refuses connections outside loopback and the named test servers.
  setupFiles: [require.resolve("./libs/shared/jest/blockOutboundNetwork.js")],
  globalSetup: require.resolve("./libs/shared/jest/globalSetup.js"),
  globalTeardown: require.resolve("./libs/shared/jest/globalTeardown.js"),
  testTimeout: 60_000,
  maxWorkers: 2,
  forceExit: false,
};
