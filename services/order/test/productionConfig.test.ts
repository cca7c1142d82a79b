import path from "node:path";
import { startupExit } from "@app/shared/testing";

// Production must never run on a secret this repository publishes: the default internal token
// (the one INTERNAL_TOKENS and CATALOG_TOKEN fall back to) is refused before anything starts.
describe("order service in production", () => {
  it("exits 78 with one line naming every variable left on the documented internal token", () => {
    const { code, stderrLines } = startupExit(path.resolve(__dirname, "../dist/main.js"), {
      NODE_ENV: "production",
      CATALOG_TOKEN: "local-internal-token",
    });

    expect(code).toBe(78);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(/^Invalid configuration: /);
    expect(stderrLines[0]).toMatch(/INTERNAL_TOKENS \(holds a documented development secret/);
    expect(stderrLines[0]).toMatch(/CATALOG_TOKEN \(holds a documented development secret/);
  });
});
