#!/usr/bin/env node
// `prisma generate` for the service in the current directory, offline: Prisma 7's client needs
// no engine, and the CLI only checks that PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const cli = require.resolve("prisma/build/index.js");
execFileSync(
  process.execPath,
  [cli, "generate", "--schema", path.resolve("prisma/schema.prisma")],
  {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  },
);
