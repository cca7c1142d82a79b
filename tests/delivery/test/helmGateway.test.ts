import fs from "node:fs";
import { freePort } from "@app/shared/testing";
import { ENVS, GATEWAY_PORT, podSpec, renderedChartForFile, SHA } from "../src/helmChart";
import { repoPath } from "../src/paths";
import { nginxRoutes, routeTable } from "../src/routes";
import { HELM_NGINX_CONF, helmNginxConf } from "../../../scripts/gateway/nginxConf";
import { startGateway, type RunningGateway } from "../../../scripts/stack/gateway";

const chart = renderedChartForFile("helm-gateway");
const { byKind, named } = chart;

describe("helm chart, the API documentation gateway", () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    // The chart's config, run by a real nginx against the repository's files.
    gateway = await startGateway({ port: await freePort(), upstreams: {}, filesOnly: true });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it.each(ENVS)(
    "%s: a gateway Deployment runs the gateway image with the chart's files/gateway-nginx.conf, which npm run gateway:render writes",
    (env) => {
      const file = fs.readFileSync(repoPath(HELM_NGINX_CONF), "utf8");
      expect(file).toBe(helmNginxConf());
      const config = byKind(env, "ConfigMap").find(
        (c) => c.metadata.name === "po-product-ordering-gateway",
      )!;
      expect(config.data["nginx.conf"]).toBe(file);
      const deployment = named(env, "Deployment", "gateway")!;
      const pod = podSpec(deployment);
      expect(pod.containers[0].image).toBe(
        `ghcr.io/example/product-ordering/gateway:${env === "dev" ? "main" : SHA}`,
      );
      // The image's own CMD (nginx in the foreground): no command or args.
      expect(pod.containers[0].command).toBeUndefined();
      expect(pod.containers[0].args).toBeUndefined();
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: "config",
        mountPath: "/etc/nginx/nginx.conf",
        subPath: "nginx.conf",
        readOnly: true,
      });
      expect(pod.volumes).toContainEqual({
        name: "config",
        configMap: { name: "po-product-ordering-gateway" },
      });
      expect(named(env, "Service", "gateway")!.spec.ports[0].port).toBe(GATEWAY_PORT);
    },
  );

  it("its config serves the files of gateway/routes.json and proxies nothing", () => {
    const conf = helmNginxConf();
    expect(nginxRoutes(conf)).toEqual([]);
    expect(conf).not.toMatch(/^\s*upstream |proxy_pass/m);
    for (const f of routeTable().files) expect(conf).toContain(`location = ${f.path} {`);
  });

  it("that config, in a real nginx, serves the OpenAPI document, the docs page and its script, its health, and 404 for every other path", async () => {
    const get = (p: string) => fetch(`${gateway.url}${p}`);
    const spec = await get("/api/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.headers.get("content-type")).toMatch(/^application\/json/);
    const document = (await spec.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths)).toContain("/api/v1/orders");
    const page = await get("/api/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("/api/docs/scalar.js");
    const script = await get("/api/docs/scalar.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(1000);
    const health = await get("/health/live");
    expect({ status: health.status, body: await health.json() }).toEqual({
      status: 200,
      body: { status: "ok" },
    });
    for (const path of ["/api/v1/products", "/internal/v1/reservations", "/"]) {
      const other = await get(path);
      expect({ path, status: other.status }).toEqual({ path, status: 404 });
      expect(((await other.json()) as { code: string }).code).toBe("NOT_FOUND");
    }
  });

  it("gateway.enabled false renders no gateway and routes no documentation path", () => {
    const name = "no-gateway";
    expect(chart.rendered[name]!.error).toBeUndefined();
    expect(
      chart.rendered[name]!.manifests.filter(
        (m) =>
          m.metadata.labels?.["app.kubernetes.io/component"] === "gateway" && m.kind !== "Ingress",
      ),
    ).toEqual([]);
    const [ingress] = byKind(name, "Ingress");
    const paths = JSON.stringify(ingress!.spec.rules);
    expect(paths).not.toContain("/api/docs");
    expect(paths).not.toContain("/api/openapi.json");
  });
});
