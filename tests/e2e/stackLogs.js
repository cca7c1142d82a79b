// The stack's service logs for a test file that failed, printed under Jest's own report: the
// end-to-end stack logs into memory, and a failure in CI would otherwise leave nothing to read.
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** Lines printed per stack: the warnings and errors before the failure, not the whole run. */
const TAIL_LINES = 200;

// One directory per checkout, so two clones testing on the same machine keep apart.
const logDir = path.join(
  os.tmpdir(),
  "e2e-stack-logs",
  createHash("sha1").update(__dirname).digest("hex").slice(0, 12),
);

/** Where a stack started by the test file at testPath writes its log lines. */
function logFileFor(testPath, stackId) {
  return path.join(logDir, `${path.basename(testPath)}.${stackId}.log`);
}

function logFilesOf(testPath) {
  const prefix = `${path.basename(testPath)}.`;
  if (!fs.existsSync(logDir)) return [];
  return fs
    .readdirSync(logDir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".log"))
    .map((name) => path.join(logDir, name));
}

class StackLogReporter {
  onTestFileStart(test) {
    // An earlier run's lines are not this run's.
    for (const file of logFilesOf(test.path)) fs.rmSync(file, { force: true });
  }

  onTestFileResult(test, result) {
    const files = logFilesOf(test.path);
    if (result.numFailingTests === 0 && !result.testExecError) {
      for (const file of files) fs.rmSync(file, { force: true });
      return;
    }
    for (const file of files) {
      const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
      const shown = lines.slice(-TAIL_LINES);
      process.stderr.write(
        `\n--- stack log of ${path.basename(test.path)} (${file}), ` +
          `last ${shown.length} of ${lines.length} lines ---\n${shown.join("\n")}\n--- end ---\n`,
      );
    }
  }
}

module.exports = StackLogReporter;
module.exports.logFileFor = logFileFor;
