export { jitteredBackoffMs } from "./backoff";
