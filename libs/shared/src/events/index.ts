export * from "./envelope";
export * from "./kafka";
export * from "./reliableHandler";
export * from "./reliableConsumer";
export * from "./deliveryCounter";
export * from "./contract";
export * from "./kafkaConnection";
