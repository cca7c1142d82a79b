import { DEV_JWT_SECRET, renderedChartForFile } from "../src/helmChart";

const chart = renderedChartForFile("helm-rollout");
const { named } = chart;

describe("helm chart, pods roll when what they read changes", () => {
  const DEPLOYED = ["auth", "catalog", "notifier", "order", "outbox-relay"];
  const template = (name: string, component: string) =>
    named(name, "Deployment", component)!.spec.template;
  /** The Deployments whose pod template differs between two renders. */
  const rolled = (before: string, after: string) =>
    DEPLOYED.filter(
      (c) => JSON.stringify(template(before, c)) !== JSON.stringify(template(after, c)),
    );

  it("a changed admin password rolls auth only, the one workload that reads it", () => {
    expect(rolled("dev", "dev-admin-password-changed")).toEqual(["auth"]);
  });

  // The notifier counts failed deliveries in Redis too (across replicas), so it rolls with them.
  it("a changed Redis URL rolls auth, catalog, order and the notifier, not the relay", () => {
    expect(rolled("dev", "dev-redis-changed")).toEqual(["auth", "catalog", "notifier", "order"]);
  });

  it("a rotated inline signing key rolls auth only", () => {
    expect(rolled("dev-inline-jwt-key", "dev-rotated-jwt-key")).toEqual(["auth"]);
  });

  it("a changed ConfigMap value rolls every Deployment (each reads the whole ConfigMap)", () => {
    expect(rolled("dev", "dev-log-level-changed")).toEqual(DEPLOYED);
  });

  it("the same values roll nothing", () => {
    expect(rolled("dev", "dev-again")).toEqual([]);
  });

  it("with reloader.enabled each Deployment names the Secrets made outside the chart that it reads, for Stakater Reloader", () => {
    const reload = (name: string, component: string) =>
      named(name, "Deployment", component)!.metadata.annotations?.[
        "secret.reloader.stakater.com/reload"
      ];
    for (const c of DEPLOYED) {
      expect({ c, reload: reload("prod-reloader", c) }).toEqual({
        c,
        reload: "product-ordering-prod",
      });
      expect({ c, reload: reload("prod", c) }).toEqual({ c, reload: undefined });
      // dev's values are the chart's own (checksums); only the key's Secret is made outside.
      expect({ c, reload: reload("dev-reloader", c) }).toEqual({
        c,
        reload: c === "auth" ? DEV_JWT_SECRET : undefined,
      });
    }
  });
});
