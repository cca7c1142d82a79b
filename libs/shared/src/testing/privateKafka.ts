// A Kafka broker of the test's own (scripts/infra/kafka.sh in a temporary home, on free ports),
// for tests that stop the broker or need a listener the shared one on :9092 does not have (SASL,
// ACLs). The shared broker serves everyone else and is never touched.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./freePort";
import { uniqueName } from "./servers";

const run = promisify(execFile);
// libs/shared/{src,dist}/testing -> the repository root.
const KAFKA_SCRIPT = path.resolve(__dirname, "../../../../scripts/infra/kafka.sh");

export interface PrivateKafkaOptions {
  /**
   * A SASL_PLAINTEXT listener too, with these users (name -> password) for PLAIN (the broker's
   * JAAS config) and SCRAM-SHA-256 (credentials stored in the cluster once it runs).
   */
  saslUsers?: Record<string, string>;
  /** The standard authorizer: SASL users may do only what ACLs allow (see `runTool`). */
  acls?: boolean;
}

export interface PrivateKafka {
  /** PLAINTEXT listener: the test's own access (a super user when `acls` is on). */
  address: string;
  /** SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256), when `saslUsers` was given. */
  saslAddress: string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the broker and deletes its data. */
  remove(): Promise<void>;
  /** Runs a Kafka tool class (e.g. org.apache.kafka.tools.AclCommand) and returns its stdout. */
  runTool(className: string, args: string[]): Promise<string>;
}

function saslProperties(
  users: Record<string, string>,
  ports: { plain: number; controller: number; sasl: number },
  acls: boolean,
): string[] {
  const host = "127.0.0.1";
  const plainUsers = Object.entries(users)
    .map(([name, password]) => `user_${name}="${password}"`)
    .join(" ");
  return [
    // Appended after kafka.sh's own lines: the later key wins.
    `listeners=PLAINTEXT://${host}:${ports.plain},CONTROLLER://${host}:${ports.controller},SASL_PLAINTEXT://${host}:${ports.sasl}`,
    `advertised.listeners=PLAINTEXT://${host}:${ports.plain},SASL_PLAINTEXT://${host}:${ports.sasl}`,
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
    "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256",
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
    ...(acls
      ? [
          "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
          // The plaintext listener and the controller are the test itself and the broker.
          "super.users=User:ANONYMOUS",
          "allow.everyone.if.no.acl.found=false",
        ]
      : []),
  ];
}

/** A private broker, not started yet: `start()` it (the jars come once from Maven Central). */
export async function aPrivateKafka(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
  const home = path.join(os.tmpdir(), uniqueName("private_kafka"));
  const ports = { plain: await freePort(), controller: await freePort(), sasl: await freePort() };
  const users = options.saslUsers;
  const env = {
    ...process.env,
    KAFKA_HOME_DIR: home,
    KAFKA_PORT: String(ports.plain),
    KAFKA_CONTROLLER_PORT: String(ports.controller),
    KAFKA_START_TIMEOUT: "150",
    KAFKA_HEAP_OPTS: "-Xmx384m -Xms128m",
    KAFKA_TOOL_OPTS: "-Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
    KAFKA_EXTRA_PROPS: users ? saslProperties(users, ports, options.acls ?? false).join("\n") : "",
  };
  const script = async (args: string[], timeout: number) =>
    (await run("bash", [KAFKA_SCRIPT, ...args], { env, timeout, maxBuffer: 16 << 20 })).stdout;
  let scramStored = false;
  const broker: PrivateKafka = {
    address: `127.0.0.1:${ports.plain}`,
    saslAddress: users ? `127.0.0.1:${ports.sasl}` : undefined,
    async start() {
      await script(["fetch"], 600_000);
      await script(["start"], 180_000);
      if (users && !scramStored) {
        // SCRAM credentials live in the cluster's metadata: stored once, kept across restarts.
        for (const [name, password] of Object.entries(users))
          await broker.runTool("kafka.admin.ConfigCommand", [
            "--bootstrap-server",
            broker.address,
            "--alter",
            "--add-config",
            `SCRAM-SHA-256=[iterations=4096,password=${password}]`,
            "--entity-type",
            "users",
            "--entity-name",
            name,
          ]);
        scramStored = true;
      }
    },
    stop: async () => void (await script(["stop"], 60_000)),
    async remove() {
      await broker.stop().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
    runTool: (className, args) => script(["run", className, ...args], 120_000),
  };
  return broker;
}
