import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { brokenLinks, headingAnchor, markdownFiles } from "../src/markdownLinks";
import { REPO } from "../src/paths";

describe("Markdown links", () => {
  it("every relative link in the repository's Markdown names a file (and heading) inside it", () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(["README.md", "docs/README.md", "docs/api.md"]));
    expect(files.flatMap((file) => brokenLinks(file))).toEqual([]);
  });

  it("no file in the repository names the contract outside it (../shared)", () => {
    const grep = spawnSync(
      "git",
      [
        "grep",
        ...["-n", "--untracked", "-I", "-E", "shared/(CONTRACT|STYLE)\\.md", "--", "."],
        // This file names such links on purpose, to prove the check finds them.
        ":(exclude)tests/delivery/test/markdownLinks.test.ts",
      ],
      { cwd: REPO, encoding: "utf8" },
    );
    // git grep: 1 = no match, 0 = matches (listed on stdout).
    expect({ status: grep.status, matches: grep.stdout }).toEqual({ status: 1, matches: "" });
  });

  describe("the check itself", () => {
    let root: string;
    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
      fs.mkdirSync(path.join(root, "docs"));
      fs.writeFileSync(path.join(root, "docs/api.md"), "# HTTP API\n\n## Every code\n");
      fs.writeFileSync(
        path.join(root, "README.md"),
        [
          "[ok](docs/api.md) [ok anchor](docs/api.md#every-code) [web](https://example.com)",
          "[outside](../shared/CONTRACT.md)",
          "[missing](docs/nope.md)",
          "[bad anchor](docs/api.md#no-such-heading)",
          "`[in code](../shared/x.md)`",
          "```",
          "[fenced](../shared/y.md)",
          "```",
          "[ref]: ./docs/gone.md",
        ].join("\n"),
      );
    });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it("reports links that leave the repository, name a missing file or a missing heading", () => {
      expect(brokenLinks("README.md", root).map((b) => [b.line, b.target, b.reason])).toEqual([
        [2, "../shared/CONTRACT.md", "leaves the repository"],
        [3, "docs/nope.md", "names a missing file"],
        [4, "docs/api.md#no-such-heading", "names a missing heading #no-such-heading"],
        [9, "./docs/gone.md", "names a missing file"],
      ]);
    });

    it("makes GitHub's heading anchors", () => {
      expect(headingAnchor("Dead letters: `order-events.dlq`")).toBe(
        "dead-letters-order-eventsdlq",
      );
      expect(headingAnchor("Rate limits and back-pressure")).toBe("rate-limits-and-back-pressure");
    });
  });
});
