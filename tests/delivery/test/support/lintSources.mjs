// Lints source texts as if they stood at the given repository paths, with the repository's own
// ESLint configuration, in one ESLint instance; prints each text's messages as JSON.
// stdin: [{ file, code }]; stdout: [{ file, messages: [{ ruleId, message }] }].
import path from "node:path";
import { ESLint } from "eslint";

const repo = path.resolve(import.meta.dirname, "../../../..");
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const sources = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const eslint = new ESLint({ cwd: repo });
const results = [];
for (const { file, code } of sources) {
  const [result] = await eslint.lintText(code, { filePath: path.join(repo, file) });
  const messages = (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
  results.push({ file, messages });
}
process.stdout.write(JSON.stringify(results));
