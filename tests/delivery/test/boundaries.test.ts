import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// The layer and service boundaries (eslint.boundaries.mjs) are part of `npm run lint`: each source
// below is linted as if it stood at its path, with the repository's own configuration.
interface Source {
  file: string;
  code: string;
}
interface Linted {
  file: string;
  messages: { ruleId: string | null; message: string }[];
}

function lint(sources: Source[]): Promise<Linted[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "support/lintSources.mjs")], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Linted[])
        : reject(new Error(`eslint exited ${code}`)),
    );
    child.stdin.end(JSON.stringify(sources));
  });
}

const violations: (Source & { says: string })[] = [
  {
    file: "services/order/src/domain/fixture.ts",
    code: 'import { Router } from "express";\nexport const fixture = Router;\n',
    says: "domain/ imports no framework",
  },
  {
    file: "services/order/src/domain/fixture.ts",
    code: 'import { MariaDbPlacementStore } from "../infrastructure/mariadbPlacementStore";\nexport const fixture = MariaDbPlacementStore;\n',
    says: "domain/ holds pure rules",
  },
  {
    file: "services/order/src/application/fixture.ts",
    code: 'import { problemFor } from "../api/problems";\nexport const fixture = problemFor;\n',
    says: "application/ defines ports",
  },
  {
    file: "services/catalog/src/application/fixture.ts",
    code: 'import { HttpReservationAbandonment } from "../infrastructure/httpReservationAbandonment";\nexport const fixture = HttpReservationAbandonment;\n',
    says: "application/ defines ports",
  },
  {
    file: "services/order/src/api/fixture.ts",
    code: 'import { MariaDbOrderStore } from "../infrastructure/mariadbOrderStore";\nexport const fixture = MariaDbOrderStore;\n',
    says: "api/ calls use cases",
  },
  {
    file: "services/order/test/fixture.test.ts",
    code: 'import { startCatalog } from "@app/catalog/src/main";\nexport const fixture = startCatalog;\n',
    says: "a service never imports another service",
  },
  {
    file: "services/outbox-relay/scripts/fixture.ts",
    code: 'import { startNotifier } from "@app/notifier";\nexport const fixture = startNotifier;\n',
    says: "a service never imports another service",
  },
];

const allowed: Source[] = [
  {
    file: "services/order/src/api/fixture.ts",
    code: 'import { problems } from "@app/shared";\nimport { placeOrder } from "../application/placeOrder";\nexport const fixture = [problems, placeOrder];\n',
  },
  {
    file: "services/order/src/infrastructure/fixture.ts",
    code: 'import type { OrderStore } from "../application/ports";\nimport { orderView } from "../domain/order";\nexport const fixture = orderView;\nexport type Fixture = OrderStore;\n',
  },
  {
    file: "tests/e2e/test/fixture.test.ts",
    code: 'import { startCatalog } from "@app/catalog/src/main";\nimport { startOrder } from "@app/order/src/main";\nexport const fixture = [startCatalog, startOrder];\n',
  },
];

describe("layer and service boundaries in npm run lint", () => {
  let linted: Linted[];

  // An import of a file that no longer exists names no layer, so the rule would refuse nothing
  // and a violation fixture would pass vacuously: every relative import must name a real module.
  test.each([...violations, ...allowed].map((s) => [s.file, s.code] as const))(
    "%s imports only modules that exist",
    (file, code) => {
      const repository = path.resolve(__dirname, "../../..");
      for (const [, spec] of code.matchAll(/from "(\.[^"]+)"/g)) {
        const target = path.resolve(repository, path.dirname(file), spec!);
        expect([target, existsSync(`${target}.ts`)]).toEqual([target, true]);
      }
    },
  );

  beforeAll(async () => {
    linted = await lint([...violations, ...allowed]);
  }, 180_000);

  test.each(violations.map((v, i) => [v.file, v.says, i] as const))(
    "refuses %s: %s",
    (_file, says, index) => {
      const messages = linted[index]!.messages.filter(
        (m) => m.ruleId === "boundaries/dependencies",
      );
      expect(messages.map((m) => m.message)).toEqual([expect.stringContaining(says)]);
    },
  );

  test.each(allowed.map((a, i) => [a.file, violations.length + i] as const))(
    "lets %s import inward, @app/shared, or (a cross-service suite) any service",
    (_file, index) => {
      expect(linted[index]!.messages).toEqual([]);
    },
  );
});
