import path from "node:path";
import { expectProductionRefusal } from "@app/shared/testing";

// Production must never run on a secret this repository publishes: the default internal token
// (the one INTERNAL_TOKENS and ORDER_TOKEN fall back to) is refused before anything starts.
test("catalog service in production exits 78 with one line naming every variable left on the documented internal token", () =>
  expectProductionRefusal(
    path.resolve(__dirname, "../dist/main.js"),
    { INTERNAL_TOKENS: "a-real-token, local-internal-token" },
    ["INTERNAL_TOKENS", "ORDER_TOKEN"],
  ));
