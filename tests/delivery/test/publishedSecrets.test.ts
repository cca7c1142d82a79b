import fs from "node:fs";
import { parse } from "yaml";
import { developmentSecretIssues } from "@app/shared";
import { readCompose } from "../src/compose";
import { CHART, repoPath } from "../src/paths";

// Every credential the repository publishes is one a production service refuses to start with
// (NODE_ENV=production): the chart's dev values and compose put theirs in plain text.
const refused = (value: string) =>
  developmentSecretIssues({ NODE_ENV: "production", VALUE: value }).length > 0;

describe("credentials the repository publishes", () => {
  it("the chart's dev values: tokens, admin password, database and Redis passwords", () => {
    const { secrets } = parse(fs.readFileSync(`${CHART}/values-dev.yaml`, "utf8")) as {
      secrets: Record<string, unknown>;
    };
    const published = [
      secrets.internalTokens,
      secrets.serviceToken,
      secrets.adminPassword,
      ...Object.values(secrets.databaseUrls as Record<string, string>),
    ].filter((v): v is string => typeof v === "string");
    expect(published.length).toBeGreaterThanOrEqual(7);
    expect(published.filter((v) => !refused(v))).toEqual([]);
  });

  it("compose: every password, token and database URL with a password", () => {
    const compose = readCompose(repoPath("docker-compose.yml"));
    const published = Object.values(compose.services).flatMap((service) =>
      Object.entries((service.environment ?? {}) as Record<string, unknown>)
        .filter(
          ([name, value]) =>
            typeof value === "string" &&
            (/PASSWORD|TOKEN/.test(name) || /:\/\/[^/@]+:[^/@]+@/.test(value)),
        )
        .map(([, value]) => value as string),
    );
    expect(published.length).toBeGreaterThanOrEqual(8);
    expect([...new Set(published.filter((v) => !refused(v)))]).toEqual([]);
  });
});
