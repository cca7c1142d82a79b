import fs from "node:fs";
import type { SASLOptions } from "kafkajs";
import { z } from "zod";
import { ConfigError, env } from "../config";

/**
 * The environment variables every Kafka client reads, for a service schema to spread in:
 * TLS and SASL for managed clusters (MSK, Confluent Cloud), and whether the service may create
 * its topics (the local stack and tests; in a cluster a Helm Job or the operator does).
 */
export const kafkaConnectionEnv = {
  KAFKA_SSL: env.bool(false),
  /** PEM files; unset: the system's trusted CAs, no client certificate. */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.bool(true),
  KAFKA_SASL_MECHANISM: z.enum(["plain", "scram-sha-256", "scram-sha-512"]).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_CREATE_TOPICS: env.bool(true),
};

/** A service consuming the order events: the brokers, their security, the topic and its group. */
export const orderEventsConsumerEnv = (defaultGroupId: string) => ({
  KAFKA_BROKERS: env.list("127.0.0.1:9092"),
  /** KAFKA_SSL*, KAFKA_SASL_* and KAFKA_CREATE_TOPICS (README, "Kafka security"). */
  ...kafkaConnectionEnv,
  ORDER_EVENTS_TOPIC: z.string().min(1).default("order-events"),
  /** Partitions when this service happens to create the topic first (same value as the relay's). */
  ORDER_EVENTS_PARTITIONS: env.int(3, 1),
  KAFKA_GROUP_ID: z.string().min(1).default(defaultGroupId),
});

export type KafkaConnectionConfig = z.infer<z.ZodObject<typeof kafkaConnectionEnv>>;

export interface KafkaSecurity {
  ssl?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  sasl?: SASLOptions;
}

const read = (variable: string, file: string | undefined): string | undefined => {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([
      { variable, message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}` },
    ]);
  }
};

/** TLS and SASL options for the Kafka adapter; a ConfigError names what is missing or unreadable. */
export function kafkaSecurity(config: KafkaConnectionConfig): KafkaSecurity {
  const security: KafkaSecurity = {};
  const files = [config.KAFKA_SSL_CA_FILE, config.KAFKA_SSL_CERT_FILE, config.KAFKA_SSL_KEY_FILE];
  if (config.KAFKA_SSL || files.some(Boolean)) {
    if (Boolean(config.KAFKA_SSL_CERT_FILE) !== Boolean(config.KAFKA_SSL_KEY_FILE))
      throw new ConfigError([
        { variable: "KAFKA_SSL_CERT_FILE", message: "a client certificate needs its key file" },
      ]);
    security.ssl =
      files.some(Boolean) || !config.KAFKA_SSL_REJECT_UNAUTHORIZED
        ? {
            ca: read("KAFKA_SSL_CA_FILE", config.KAFKA_SSL_CA_FILE),
            cert: read("KAFKA_SSL_CERT_FILE", config.KAFKA_SSL_CERT_FILE),
            key: read("KAFKA_SSL_KEY_FILE", config.KAFKA_SSL_KEY_FILE),
            rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED,
          }
        : true;
  }
  if (config.KAFKA_SASL_MECHANISM) {
    const missing = (["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const).filter(
      (v) => !config[v],
    );
    if (missing.length)
      throw new ConfigError(
        missing.map((variable) => ({
          variable,
          message: `required with KAFKA_SASL_MECHANISM=${config.KAFKA_SASL_MECHANISM}`,
        })),
      );
    security.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME!,
      password: config.KAFKA_SASL_PASSWORD!,
    } as SASLOptions;
  }
  return security;
}

/** What orderEventsConsumerEnv read, as startReliableConsumer takes it. */
export function orderEventsConsumerWiring(
  config: KafkaConnectionConfig & {
    KAFKA_BROKERS: string[];
    ORDER_EVENTS_TOPIC: string;
    ORDER_EVENTS_PARTITIONS: number;
    KAFKA_GROUP_ID: string;
  },
  clientId: string,
) {
  return {
    brokers: config.KAFKA_BROKERS,
    clientId,
    topic: config.ORDER_EVENTS_TOPIC,
    partitions: config.ORDER_EVENTS_PARTITIONS,
    groupId: config.KAFKA_GROUP_ID,
    security: kafkaSecurity(config),
    createTopics: config.KAFKA_CREATE_TOPICS,
  };
}
