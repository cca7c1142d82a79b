import net from "node:net";
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from "kafkajs";
import { classifySendError, kafkaCheck, KafkaClient, runHealthChecks } from "../src";
import { testServers } from "../src/testing";

// As kafkajs builds them from a broker's error code (src/protocol/error.js).
const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError(
    Object.assign(new Error(`${type} from the broker`), { type, code: 0, retriable }),
  );
const retriesExceeded = (cause: Error) =>
  new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 3000 });

describe("classifying a failed send", () => {
  it("calls a refusal of the message itself rejected, also when wrapped by kafkajs", () => {
    for (const type of [
      "MESSAGE_TOO_LARGE",
      "RECORD_LIST_TOO_LARGE",
      "INVALID_RECORD",
      "CORRUPT_MESSAGE",
    ]) {
      expect(classifySendError(protocolError(type, false))).toBe("rejected");
      expect(classifySendError(retriesExceeded(protocolError(type, false)))).toBe("rejected");
    }
  });

  it("calls everything that says nothing about the message unavailable: connection, timeout, leadership, retries exhausted", () => {
    const refused = new KafkaJSConnectionError(
      "Connection error: connect ECONNREFUSED 127.0.0.1:1",
    );
    for (const error of [
      refused,
      retriesExceeded(refused),
      new KafkaJSRequestTimeoutError("Request Produce(key: 0, version: 7) timed out"),
      retriesExceeded(protocolError("LEADER_NOT_AVAILABLE", true)),
      protocolError("NOT_LEADER_FOR_PARTITION", true),
      protocolError("BROKER_NOT_AVAILABLE", false),
      protocolError("UNKNOWN_PRODUCER_ID", false),
      new Error("send timed out after 2000 ms"),
      "not even an error",
    ]) {
      expect(classifySendError(error)).toBe("unavailable");
    }
  });
});

describe("kafka readiness probe", () => {
  it("passes against a running broker", async () => {
    const report = await runHealthChecks([
      kafkaCheck(new KafkaClient({ brokers: testServers().kafkaBrokers, clientId: "probe-test" })),
    ]);
    expect(report.checks.kafka).toMatchObject({ status: "ok" });
  });

  it("fails at once, without retrying, when nothing listens at the broker address", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const started = Date.now();
    const report = await runHealthChecks([
      kafkaCheck(
        new KafkaClient({ brokers: [`127.0.0.1:${port}`], clientId: "probe-test" }),
        10_000,
      ),
    ]);
    expect(report.checks.kafka).toMatchObject({ status: "fail" });
    expect(report.checks.kafka?.error).not.toMatch(/timed out/);
    // The client's own retries would take seconds (200 ms doubling, five times).
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
