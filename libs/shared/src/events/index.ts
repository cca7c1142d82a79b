// Topic-agnostic Kafka plumbing; a topic's contract (e.g. ../orderEvents) supplies its envelopes.
export {
  classifySendError,
  KafkaClient,
  type BatchHandler,
  type ConsumeOptions,
  type EventConsumer,
  type EventProducer,
  type IncomingMessage,
  type KafkaSettings,
  type MessageHandler,
  type OutgoingMessage,
  type PartitionLag,
  type SendFailure,
  type TopicSpec,
} from "./kafka";
export { InvalidEnvelopeError, type EnvelopeReader } from "./envelopeReader";
export {
  PermanentEventError,
  reliableHandler,
  type EventOutcome,
  type ReliableHandlerOptions,
} from "./reliableHandler";
export {
  consumerMetrics,
  startReliableConsumer,
  type ConsumerEntryPoint,
  type ReliableConsumerSettings,
  type RunningConsumer,
} from "./reliableConsumer";
export {
  inMemoryDeliveryCounter,
  redisDeliveryCounter,
  type DeliveryCounter,
} from "./deliveryCounter";
export {
  kafkaConnectionEnv,
  orderEventsConsumerEnv,
  orderEventsConsumerWiring,
  kafkaSecurity,
  type KafkaConnectionConfig,
  type KafkaSecurity,
} from "./kafkaConnection";
