import { parseOrThrow, requireServiceToken } from "@app/shared";
import type { Express } from "express";
import type { UserLookupOutcome } from "../application/lookUpUser";
import type { PublicUser } from "../domain/user";
import { problemFor } from "./problems";
import { userIdParams, userLookupRequest } from "./schemas";
import { userBody } from "./userBody";

/** For the notifier only (customers' email addresses): service credentials, never routed by the gateway. */
export function internalUserRoutes(deps: {
  lookUpUser(userId: string): Promise<UserLookupOutcome>;
  lookUpUsers(userIds: string[]): Promise<PublicUser[]>;
  internalTokens: string[];
}): (app: Express) => void {
  return (app) => {
    app.use("/internal", requireServiceToken(deps.internalTokens, "notifier"));
    // One call for a whole claimed batch of email deliveries.
    app.post("/internal/v1/users/lookup", async (req, res) => {
      const { ids } = parseOrThrow(userLookupRequest, req.body, "body");
      res.json({ users: (await deps.lookUpUsers(ids)).map(userBody) });
    });
    // One user; kept for notifiers of the previous release while a rolling upgrade runs.
    app.get("/internal/v1/users/:id", async (req, res) => {
      const { id } = parseOrThrow(userIdParams, req.params, "path");
      const outcome = await deps.lookUpUser(id);
      if (outcome.kind === "not_found") throw problemFor({ kind: "user_not_found" });
      res.json(userBody(outcome.user));
    });
  };
}
