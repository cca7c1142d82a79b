import fs from "node:fs";
import { composeValidator, readCompose, type ComposeFile } from "../src/compose";
import { composeArgv, serviceImage } from "../src/containers";
import { repoPath, SERVICES } from "../src/paths";
import { SERVICE_BUILDS, SERVICE_DOCKERFILE } from "../src/serviceImages";
import { nginxRoutes, routeTable } from "../src/routes";
import { composeNginxConf, renderNginxConf } from "../../../scripts/gateway/nginxConf";

const validate = composeValidator();
let compose: ComposeFile;

beforeAll(() => {
  compose = readCompose(repoPath("docker-compose.yml"));
});

const dependsOn = (service: string) =>
  compose.services[service].depends_on as Record<string, { condition: string }>;

describe("docker-compose.yml", () => {
  it("is valid against the Compose specification schema", () => {
    expect(validate(compose)).toEqual([]);
  });

  it("is rejected by the same validator when a service has an unknown key", () => {
    const broken = structuredClone(compose);
    broken.services.auth.healthchek = { test: ["CMD", "true"] };
    expect(validate(broken).join("\n")).toMatch(/additional properties/);
  });

  it("builds every service it names from a Dockerfile that exists", () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.length).toBeGreaterThan(0);
    for (const [, s] of built) {
      expect(fs.existsSync(repoPath(s.build.context, s.build.dockerfile))).toBe(true);
    }
    const images = new Set(built.map(([, s]) => s.build.dockerfile));
    expect([...images].sort()).toEqual([SERVICE_DOCKERFILE, "gateway/Dockerfile"].sort());
  });

  it("builds each service's image with its target and build arguments, service and migrations alike", () => {
    const built = Object.entries(compose.services).filter(
      ([, s]) => s.build?.dockerfile === SERVICE_DOCKERFILE,
    );
    const named = new Set<string>();
    for (const [name, s] of built) {
      const service = s.build.args.SERVICE as (typeof SERVICES)[number];
      named.add(service);
      expect({ name, image: s.image }).toEqual({
        name,
        image: `product-ordering/${service}:local`,
      });
      expect({ name, target: s.build.target, args: s.build.args }).toEqual({
        name,
        ...SERVICE_BUILDS[service],
      });
    }
    expect([...named].sort()).toEqual([...SERVICES].sort());
  });

  it("runs MySQL 8.4, Redis 7 and a single KRaft Kafka node with healthchecks", () => {
    expect(compose.services.mysql.image).toBe("mysql:8.4");
    expect(compose.services.redis.image).toMatch(/^redis:7/);
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(compose.services.kafka.environment.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    for (const infra of ["mysql", "redis", "kafka"])
      expect(compose.services[infra].healthcheck.test).toBeDefined();
  });

  it("keeps MySQL 8.4's default authentication: no mysql_native_password anywhere", () => {
    expect(fs.readFileSync(repoPath("docker-compose.yml"), "utf8")).not.toMatch(
      /mysql_native_password/,
    );
  });

  it("connects every service as its own user, granted only its database by the init SQL", () => {
    const initDir = compose.services.mysql.volumes
      .map((v: string) => v.split(":"))
      .find(([, target]: string[]) => target === "/docker-entrypoint-initdb.d")?.[0];
    expect(initDir).toBeDefined();
    const initSql = fs
      .readdirSync(repoPath(initDir))
      .map((f) => fs.readFileSync(repoPath(initDir, f), "utf8"))
      .join("\n");
    const grants = new Map(
      [...initSql.matchAll(/^GRANT (.+) ON (\w+)\.\* TO '(\w+)'@'%';$/gm)].map((m) => [
        m[3]!,
        { privileges: m[1]!, database: m[2]! },
      ]),
    );
    const urls = Object.entries(compose.services).filter(
      ([, s]) => typeof s.environment?.DATABASE_URL === "string",
    );
    expect(urls.length).toBeGreaterThanOrEqual(9);
    for (const [name, s] of urls) {
      const url = new URL(s.environment.DATABASE_URL as string);
      const database = url.pathname.slice(1);
      expect({ name, user: url.username }).not.toEqual({ name, user: "root" });
      expect({ name, grant: grants.get(url.username)?.database }).toEqual({
        name,
        grant: database,
      });
      // caching_sha2_password without TLS: the driver may fetch the server's RSA key.
      expect(url.searchParams.get("allowPublicKeyRetrieval")).toBe("true");
      expect(new RegExp(`IDENTIFIED BY '${decodeURIComponent(url.password)}'`).test(initSql)).toBe(
        true,
      );
    }
    // Only the owners (service + migration job) may change the schema.
    expect(grants.get("relay")?.privileges).toBe("SELECT, INSERT, UPDATE, DELETE");
    expect(grants.get("archiver")?.privileges).toBe("SELECT, INSERT, UPDATE, DELETE");
  });

  it.each(["auth", "catalog", "order", "notifier"])(
    "starts %s only after its migrations completed and the infrastructure is healthy",
    (service) => {
      const deps = dependsOn(service);
      expect(deps[`${service}-migrate`]).toEqual({ condition: "service_completed_successfully" });
      expect(deps.mysql).toEqual({ condition: "service_healthy" });
      expect(deps.redis).toEqual({ condition: "service_healthy" });
      expect(compose.services[`${service}-migrate`].command).toEqual([
        "node",
        "/app/node_modules/@app/shared/dist/migrations/cli.js",
        "migrations",
      ]);
    },
  );

  it("starts the relay and the archiver after the order database is migrated", () => {
    expect(dependsOn("outbox-relay")["order-migrate"]).toEqual({
      condition: "service_completed_successfully",
    });
    expect(dependsOn("archiver")["order-migrate"]).toEqual({
      condition: "service_completed_successfully",
    });
    expect(new URL(compose.services["outbox-relay"].environment.DATABASE_URL).pathname).toBe(
      "/orders",
    );
  });

  it("keeps the archiver out of `docker compose up`: a one-shot profile", () => {
    expect(compose.services.archiver.profiles).toEqual(["archive"]);
    expect(compose.services.archiver.restart).toBe("no");
  });

  it("`docker compose --profile archive run --rm archiver --dry-run` runs `node dist/main.js --dry-run` under tini", () => {
    const archiver = compose.services.archiver;
    const image = serviceImage("archiver");
    expect(composeArgv(image, archiver, ["--dry-run"])).toEqual([
      "/sbin/tini",
      "--",
      "node",
      "dist/main.js",
      "--dry-run",
    ]);
    expect(composeArgv(image, archiver)).toEqual(["/sbin/tini", "--", "node", "dist/main.js"]);
  });

  it("runs every service and migration one-shot of its image under tini", () => {
    const built = Object.entries(compose.services).filter(
      ([, s]) => s.build?.dockerfile === SERVICE_DOCKERFILE,
    );
    expect(built.length).toBeGreaterThanOrEqual(SERVICES.length);
    for (const [name, s] of built) {
      const service = s.build.args.SERVICE as string;
      const expected = name.endsWith("-migrate")
        ? ["node", "/app/node_modules/@app/shared/dist/migrations/cli.js", "migrations"]
        : ["node", "dist/main.js"];
      expect({ name, argv: composeArgv(serviceImage(service), s) }).toEqual({
        name,
        argv: ["/sbin/tini", "--", ...expected],
      });
    }
  });

  it("tells the relay the partition count kafka-init creates order-events with", () => {
    const init = (compose.services["kafka-init"].command as string[]).join(" ");
    const partitions = /--topic order-events --partitions (\d+)/.exec(init)?.[1];
    expect(partitions).toBeDefined();
    expect(compose.services["outbox-relay"].environment.ORDER_EVENTS_PARTITIONS).toBe(partitions);
  });

  it("publishes the gateway on loopback unless GATEWAY_BIND says otherwise", () => {
    const ports = compose.services.gateway.ports as string[];
    expect(ports).toHaveLength(1);
    const [, variable, fallback, rest] = /^\$\{(\w+):-([^}]*)\}:(.*)$/.exec(ports[0]!) ?? [];
    expect(variable).toBe("GATEWAY_BIND");
    expect(fallback).toBe("127.0.0.1");
    expect(rest).toBe("8080:8080");
  });

  it("creates both topics with a configurable replication factor and min.insync.replicas", () => {
    const init = (compose.services["kafka-init"].command as string[]).join(" ");
    for (const topic of ["order-events", "order-events.dlq"]) {
      expect(init).toMatch(
        new RegExp(
          `--topic ${topic.replace(".", "\\.")} --partitions \\d+ --replication-factor \\$\\{KAFKA_REPLICATION_FACTOR:-1\\} --config min\\.insync\\.replicas=\\$\\{KAFKA_MIN_INSYNC_REPLICAS:-1\\}`,
        ),
      );
    }
  });

  it("exposes only the gateway, which waits for every public service to be healthy", () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports)
      .map(([name]) => name);
    expect(published).toEqual(["gateway"]);
    const deps = dependsOn("gateway");
    for (const service of new Set(routeTable().routes.map((r) => r.service))) {
      expect(deps[service]).toEqual({ condition: "service_healthy" });
    }
    expect(compose.services.gateway.volumes).toContain(
      "./gateway/nginx.conf:/etc/nginx/nginx.conf:ro",
    );
  });
});

describe("gateway/nginx.conf", () => {
  const conf = fs.readFileSync(repoPath("gateway/nginx.conf"), "utf8");

  it("routes exactly the paths of gateway/routes.json to their services", () => {
    const table = routeTable();
    expect(nginxRoutes(conf)).toEqual(
      table.routes.map((r) => ({ path: r.path, match: r.match, upstream: r.service })),
    );
  });

  it("points every upstream at the compose service and port of the route table", () => {
    const table = routeTable();
    for (const [service, { port }] of Object.entries(table.services)) {
      expect(conf).toMatch(new RegExp(`upstream ${service} \\{ server ${service}:${port};`));
      expect(compose.services[service]).toBeDefined();
    }
  });

  it("never proxies /internal", () => {
    const internal = /location\s+\/internal\s*\{([^}]*)\}/.exec(conf);
    expect(internal?.[1]).toMatch(/return 404/);
    expect(nginxRoutes(conf).filter((r) => r.path.startsWith("/internal"))).toEqual([]);
  });

  it("is exactly what the renderer npm start runs makes for the compose services (npm run gateway:render)", () => {
    expect(conf).toBe(composeNginxConf());
  });
});

describe("the gateway config npm start and the end-to-end suite run", () => {
  const table = routeTable();
  const conf = fs.readFileSync(repoPath("gateway/nginx.conf"), "utf8");
  const local = (replicas: number) =>
    renderNginxConf({
      listen: "127.0.0.1:18080",
      upstreams: Object.fromEntries(
        Object.keys(table.services).map((service, i) => [
          service,
          Array.from({ length: replicas }, (_, r) => `127.0.0.1:${20000 + i * 10 + r}`),
        ]),
      ),
      runDir: "/tmp/gateway-test",
      filesRoot: "/srv/repo",
      accessLog: "/tmp/gateway-test/access.log",
    });

  it("routes the same paths as the compose gateway, each to its service", () => {
    expect(nginxRoutes(local(1))).toEqual(nginxRoutes(conf));
    expect(nginxRoutes(local(1))).toEqual(
      table.routes.map((r) => ({ path: r.path, match: r.match, upstream: r.service })),
    );
  });

  it("lists every replica of a service in its upstream", () => {
    const rendered = local(2);
    for (const [i, service] of Object.keys(table.services).entries()) {
      const servers = new RegExp(`upstream ${service} \\{ ([^}]*)\\}`).exec(rendered)?.[1];
      expect(servers).toContain(`server 127.0.0.1:${20000 + i * 10}; `);
      expect(servers).toContain(`server 127.0.0.1:${20000 + i * 10 + 1}; `);
    }
  });

  it("differs from the compose config only in listen address, upstream servers and file paths", () => {
    // (The access log is a file here: a Node child process's stdout is a socket nginx cannot open.)
    const shape = (text: string) =>
      text
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .map((l) => l.replace(/server [^;]+; /g, "server S; "))
        .map((l) => l.replace(/(listen|pid|_temp_path|access_log|alias) [^; ]+/, "$1 X"))
        .join("\n");
    expect(shape(local(1))).toBe(shape(conf));
  });

  it("refuses a route whose service has no upstream", () => {
    expect(() =>
      renderNginxConf({
        listen: "8080",
        upstreams: { auth: ["a:1"] },
        runDir: "/tmp",
        filesRoot: "/srv/repo",
      }),
    ).toThrow(/no upstream for/);
  });
});
