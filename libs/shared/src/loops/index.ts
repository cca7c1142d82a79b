export { startWorkerLoop, type LoopSettings, type WorkerLoop } from "./workerLoop";
