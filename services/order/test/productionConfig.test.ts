import path from "node:path";
import { expectProductionRefusal } from "@app/shared/testing";

// Production must never run on a secret this repository publishes: the default internal token
// (the one INTERNAL_TOKENS and CATALOG_TOKEN fall back to) is refused before anything starts.
test("order service in production exits 78 with one line naming every variable left on the documented internal token", () =>
  expectProductionRefusal(
    path.resolve(__dirname, "../dist/main.js"),
    { CATALOG_TOKEN: "local-internal-token" },
    ["INTERNAL_TOKENS", "CATALOG_TOKEN"],
  ));
