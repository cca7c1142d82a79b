// `npm start`: infrastructure, migrations, every service, the demo catalog and the gateway,
// with every process's logs prefixed; Ctrl-C or SIGTERM stops all of it.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { REPO, startStack } from "./stack";
import { seedDemoCatalog } from "./seed";

const env = process.env;
const int = (name: string, fallback: number) => Number(env[name] ?? fallback);

async function main() {
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (env.SKIP_INFRA !== "1")
    execFileSync("bash", [path.join(REPO, "scripts/infra/up.sh")], { stdio: "inherit" });
  const options = {
    databaseUrl: env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/",
    redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379",
    kafkaBrokers: env.KAFKA_BROKERS ?? "127.0.0.1:9092",
    dbPrefix: env.DB_PREFIX ?? "",
    redisPrefix: env.REDIS_PREFIX ?? "",
    topic: env.ORDER_EVENTS_TOPIC ?? "order-events",
    ports: {
      gateway: int("GATEWAY_PORT", 8080),
      auth: int("AUTH_PORT", 3001),
      catalog: int("CATALOG_PORT", 3002),
      order: int("ORDER_PORT", 3003),
      notifier: int("NOTIFIER_PORT", 3004),
      relay: int("RELAY_PORT", 3005),
    },
    gatewayDir: path.join(REPO, ".local/gateway"),
    adminEmail: env.ADMIN_EMAIL ?? "admin@example.com",
    adminPassword: env.ADMIN_PASSWORD ?? "change-me-admin-1",
    mailInbox: {
      smtpPort: int("MAIL_SMTP_PORT", 1025),
      httpPort: int("MAIL_INBOX_PORT", 8025),
      file: path.join(REPO, ".local/mail/inbox.jsonl"),
    },
    log,
    onUnexpectedExit: (service: string) => {
      log(`[stack] ${service} died; stopping the stack (see its last log lines above)`);
      void running.stack?.stop().then(() => process.exit(1));
    },
  };
  // Filled once started: a service dying later stops the rest; during start-up startStack does.
  const running: { stack?: Awaited<ReturnType<typeof startStack>> } = {};
  const stack = await startStack(options);
  running.stack = stack;
  // The seed's token comes from auth's own command: a throttled public login cannot stop start-up.
  const seeded = await seedDemoCatalog(stack.gateway.url, await stack.adminToken());
  log(`[stack] demo catalog: ${seeded.created} created, ${seeded.existing} already there`);
  log("");
  log(`[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`[stack]   gateway       http://localhost:${options.ports.gateway}   (the public API)`);
  for (const [name, s] of Object.entries(stack.services))
    log(`[stack]   ${name.padEnd(13)} ${s.url}`);
  log(`[stack]   admin         ${options.adminEmail} / ${options.adminPassword}`);
  if (stack.mailInbox)
    log(
      `[stack]   mail          ${stack.mailInbox.url}   (inbox page; SMTP on 127.0.0.1:${stack.mailInbox.smtpPort}, also appended to ${path.relative(REPO, stack.mailInbox.file!)})`,
    );
  log("[stack] Ctrl-C stops everything.");

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`[stack] ${signal}: stopping every service`);
    void stack.stop().then(() => {
      log("[stack] stopped");
      process.exit(0);
    });
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[stack] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
