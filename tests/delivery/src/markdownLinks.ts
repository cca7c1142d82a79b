import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { REPO } from "./paths";

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** Markdown files git tracks or would track (committed, staged or new and not ignored). */
export function markdownFiles(): string[] {
  const out = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "*.md"],
    { cwd: REPO, encoding: "utf8" },
  );
  return out
    .split("\0")
    .filter(Boolean)
    .filter((file) => fs.existsSync(path.join(REPO, file)));
}

// Inline links and images `[text](target "title")` and reference definitions `[id]: target`.
const INLINE = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = headingAnchor(heading[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Links in the line that are relative (no scheme, not protocol-relative, not mailto). */
function relativeTargets(line: string): string[] {
  const targets = [...line.matchAll(INLINE)].map((m) => m[1]!);
  const reference = REFERENCE.exec(line);
  if (reference) targets.push(reference[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("//"));
}

/**
 * Every relative link of a Markdown file that leaves the repository, names a file that does not
 * exist, or names a heading the target file does not have.
 */
export function brokenLinks(file: string, root: string = REPO): BrokenLink[] {
  const absolute = path.join(root, file);
  const broken: BrokenLink[] = [];
  let fenced = false;
  fs.readFileSync(absolute, "utf8")
    .split("\n")
    .forEach((text, index) => {
      if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
      if (fenced) return;
      for (const target of relativeTargets(text.replace(/`[^`]*`/g, ""))) {
        const report = (reason: string) => broken.push({ file, line: index + 1, target, reason });
        const [rawPath, anchor] = target.split("#", 2) as [string, string | undefined];
        const linkPath = decodeURI(rawPath);
        const resolved = linkPath.startsWith("/")
          ? path.join(root, linkPath)
          : path.resolve(path.dirname(absolute), linkPath);
        const inside = path.relative(root, resolved);
        if (inside.startsWith("..") || path.isAbsolute(inside)) {
          report("leaves the repository");
          continue;
        }
        if (!fs.existsSync(resolved)) {
          report("names a missing file");
          continue;
        }
        if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor))
          report(`names a missing heading #${anchor}`);
      }
    });
  return broken;
}
