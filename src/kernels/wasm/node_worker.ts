// Node worker entry for the wasm backend's pool (started by node_pool.ts): instantiate the shared module over
// the shared memory, say ready, then run jobs until told to exit.

import { parentPort, workerData } from "node:worker_threads";
import { runWorkerLoop, type WorkerInit } from "./protocol.js";
import { webAssembly, type WasmModule } from "./wasm_api.js";

const init = workerData as WorkerInit;
const instance = new (webAssembly()!.Instance)(init.module as WasmModule, { env: { memory: init.memory } });
runWorkerLoop(instance.exports, init.memory, init.ctrl, init.spin, () => parentPort!.postMessage("ready"));
