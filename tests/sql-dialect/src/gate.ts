import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { checkStatement, type Violation } from "./check";
import { isExempt } from "./exemptions";
import {
  codeStatements,
  markdownStatements,
  sqlFileStatements,
  type FoundStatement,
} from "./extract";

export const REPO_ROOT = path.resolve(__dirname, "../../..");

// Build output, installed packages, and the gate's own workspace (its rules and its tests hold
// the forbidden SQL on purpose).
const SKIPPED =
  /(?:^|\/)(?:node_modules|dist|generated|\.turbo|\.cache|coverage)\/|^tests\/sql-dialect\//;

/** Files git tracks or would track (new files too), relative to the root. */
export function repositoryFiles(root = REPO_ROOT): string[] {
  const out = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.split("\0").filter((f) => f && !SKIPPED.test(f));
}

/** Every statement in one file the gate reads: .sql, TypeScript/JavaScript, Markdown. */
export function statementsOf(file: string, text: string): FoundStatement[] {
  if (file.endsWith(".sql")) return sqlFileStatements(file, text);
  if (file.endsWith(".md")) return markdownStatements(file, text);
  if (/\.(?:ts|tsx|js|mjs|cjs)$/.test(file) && !file.endsWith(".d.ts"))
    return codeStatements(file, text);
  return [];
}

export interface GateResult {
  statements: FoundStatement[];
  violations: Violation[];
}

/** The gate over the whole repository. */
export function checkRepository(root = REPO_ROOT): GateResult {
  const statements: FoundStatement[] = [];
  for (const file of repositoryFiles(root)) {
    let text: string;
    try {
      text = readFileSync(path.join(root, file), "utf8");
    } catch {
      continue; // listed by git but deleted in the work tree
    }
    statements.push(...statementsOf(file, text));
  }
  const violations = statements
    .filter((s) => !isExempt(s.file, s.sql))
    .flatMap((s) => checkStatement(s));
  return { statements, violations };
}
