// Node's WorkerFactory for the wasm backend: one worker_threads Worker per extra thread, handed the compiled
// module and the shared memory through workerData. Workers are unref()'d, so an idle pool never keeps the
// process alive; WasmKernels.dispose() stops them explicitly.

import { Worker } from "node:worker_threads";
import type { PoolWorker, WorkerFactory } from "./backend.js";
import type { WorkerInit } from "./protocol.js";

/**
 * The parent's Node options minus those that describe the parent's own entry or runner (`node -e` code and
 * its `--input-type`, the test runner's and --watch's flags, with their values), which a worker would
 * inherit and then refuse to start with. Everything else (--import loaders, memory limits) carries over.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const drop = /^(-e|-p|-pe|--eval|--print|--input-type|--test[\w-]*|--experimental-test[\w-]*|--watch[\w-]*)$/;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i], eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    if (!drop.test(name)) {
      out.push(a);
      continue;
    }
    // a dropped flag's value, when given as the next argument rather than after "="
    const takesValue = /^(-e|-p|-pe|--eval|--print|--input-type|--test-(reporter|reporter-destination|name-pattern|skip-pattern|concurrency|timeout|shard)|--watch-path)$/;
    if (eq < 0 && takesValue.test(name) && i + 1 < execArgv.length) i++;
  }
  return out;
}

export const nodeWorkerFactory: WorkerFactory = (init: WorkerInit): Promise<PoolWorker> =>
  new Promise<PoolWorker>((resolve, reject) => {
    const worker = new Worker(new URL("./node_worker.js", import.meta.url), { workerData: init, execArgv: workerExecArgv() });
    const fail = (err: unknown): void => {
      reject(err instanceof Error ? err : new Error(`kernel worker exited early (code ${String(err)})`));
    };
    worker.once("error", fail);
    worker.once("exit", fail);
    worker.once("message", (m: unknown) => {
      worker.off("error", fail);
      worker.off("exit", fail);
      if (m !== "ready") {
        void worker.terminate();
        reject(new Error(`kernel worker: unexpected message ${String(m)}`));
        return;
      }
      // A failure after start-up is reported to the caller through the control block; swallow the event
      // here so it cannot crash the process as an unhandled 'error'.
      worker.on("error", () => {});
      worker.unref();
      resolve({ terminate: () => void worker.terminate() });
    });
  });
