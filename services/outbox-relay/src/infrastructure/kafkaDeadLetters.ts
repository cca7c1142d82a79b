import type { KafkaClient } from "@app/shared";
import type { DeadLetterSource } from "../application/replayDeadLetters";
import { toDeadLetter, type DeadLetter } from "../domain/deadLetter";

/** The dead-letter topic read through the shared Kafka adapter. */
export class KafkaDeadLetterSource implements DeadLetterSource {
  constructor(
    private readonly kafka: KafkaClient,
    private readonly topic: string,
  ) {}

  async readAll(): Promise<DeadLetter[]> {
    return (await this.kafka.readAll(this.topic)).map(toDeadLetter);
  }
}
