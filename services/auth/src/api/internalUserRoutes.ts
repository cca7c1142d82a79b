import { parseOrThrow, requireServiceToken } from "@app/shared";
import type { Express } from "express";
import type { UserLookupOutcome } from "../application/lookUpUser";
import { problemFor } from "./problems";
import { userIdParams } from "./schemas";

/** For the notifier only (a customer's email address): service credentials, never routed by the gateway. */
export function internalUserRoutes(deps: {
  lookUpUser(userId: string): Promise<UserLookupOutcome>;
  internalTokens: string[];
}): (app: Express) => void {
  return (app) => {
    app.use("/internal", requireServiceToken(deps.internalTokens, "notifier"));
    app.get("/internal/v1/users/:id", async (req, res) => {
      const { id } = parseOrThrow(userIdParams, req.params, "path");
      const outcome = await deps.lookUpUser(id);
      if (outcome.kind === "not_found") throw problemFor({ kind: "user_not_found" });
      res.json({ ...outcome.user, createdAt: outcome.user.createdAt.toISOString() });
    });
  };
}
