// Node's WorkerFactory for the wasm backend: one worker_threads Worker per extra thread, handed the compiled
// module and the shared memory through workerData. Workers are unref()'d, so an idle pool never keeps the
// process alive; WasmKernels.dispose() stops them explicitly.

import { Worker } from "node:worker_threads";
import type { PoolWorker, WorkerFactory } from "./backend.js";
import type { WorkerInit } from "./protocol.js";

/**
 * The parent's Node options that a worker needs to load our code the way the parent does: module loaders and
 * resolution (--import, --require, --loader, --conditions), the experimental module and type-stripping
 * switches, source maps and warning settings, each with its value. Everything else is left out on purpose. A
 * Worker refuses per-process and V8 options outright ("invalid execArgv flags"), and the parent's own entry
 * options (-e and --input-type, the test runner's and --watch's flags) describe the parent, not the worker:
 * Node 26's test runner starts every test file with some thirty per-process options (--secure-heap,
 * --node-snapshot, --v8-pool-size, ...), and Node adds more each release, so a list of what to drop is never
 * complete while a list of what to keep is.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const keep = /^(--import|--require|-r|--loader|--experimental-loader|--conditions|-C|--experimental-(?!test)[\w-]+|--no-experimental-[\w-]+|--enable-source-maps|--no-warnings|--no-deprecation|--disable-warning|--preserve-symlinks(-main)?)$/;
  const takesValue = /^(--import|--require|-r|--loader|--experimental-loader|--conditions|-C|--disable-warning)$/;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i], eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    const hasNext = eq < 0 && takesValue.test(name) && i + 1 < execArgv.length;
    if (keep.test(name)) out.push(...(hasNext ? [a, execArgv[i + 1]] : [a]));
    if (hasNext) i++;
    else if (eq < 0 && /^(-e|-p|-pe|--eval|--print|--input-type|--test-(reporter|reporter-destination|name-pattern|skip-pattern|concurrency|timeout|shard|isolation)|--watch-path)$/.test(name) && i + 1 < execArgv.length) i++;
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
