// Node worker entry for the kernel pool (started by node_pool.ts): instantiate the shared module over the
// shared memory, load the native addon too when the pool belongs to the native backend, say ready, then run
// jobs until told to exit.

import { parentPort, workerData } from "node:worker_threads";
import { runWorkerLoop, type WorkerInit } from "./protocol.js";
import { webAssembly, type WasmModule } from "./wasm_api.js";
import { nativeOps } from "../native/loader.js";

const init = workerData as WorkerInit;
const instance = new (webAssembly()!.Instance)(init.module as WasmModule, { env: { memory: init.memory } });
const exports: Record<string, unknown> = { ...instance.exports, ...(init.native ? nativeOps(init.native) : {}) };
runWorkerLoop(exports, init.memory, init.ctrl, init.spin, () => parentPort!.postMessage("ready"));
