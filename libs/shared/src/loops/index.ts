export { startIntervalLoop, type IntervalLoop, type IntervalLoopSettings } from "./intervalLoop";
export { startWorkerLoop, type LoopSettings, type WorkerLoop } from "./workerLoop";
