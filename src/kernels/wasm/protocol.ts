// The handoff protocol between the thread that calls the kernels and the pool's workers, shared by the
// pool (src/kernels/pool.ts) and every worker entry (node_worker.ts for Node, runPoolWorker in
// browser.ts for Web Workers). Platform-neutral: no Node imports.
//
// Each worker owns a 256-byte control block inside the shared wasm memory:
//   Int32 [0] SEQ    job token (1 .. 2^30−1, wrapping), published by the caller (Atomics.store + notify)
//   Int32 [1] OP     which export to run (OPS index), or OP_EXIT
//   Int32 [2] STATE  the token while the job is unclaimed; token | CLAIMED once the worker took it; 0 once
//                    the caller took it back (revoked)
//   Int32 [3] ASLEEP 1 while the worker sleeps in Atomics.wait (its spin ran out), else 0: the caller keeps
//                    small jobs to itself then, since waking a thread costs more than they take, and
//                    nudges it (Atomics.notify on SEQ without a job) so that it spins for the next one
//   f64  [2..17]     arguments (byte 16 ..< 144), plain numbers passed to the export
//   Int32 [48] DONE  token of the last job the worker finished (Atomics.store + notify)
//   Int32 [49] ERR   non-zero if that job threw (the caller turns it into an exception)
// SEQ and DONE sit on different cache lines, so the two spinning threads do not share a line.
//
// Claiming: a worker runs a job only after compareExchange(STATE, token, token | CLAIMED) succeeds. When the
// caller has finished its own share and a worker has not claimed its share yet (descheduled on a busy
// machine, or still waking from Atomics.wait), the caller revokes it with compareExchange(STATE, token, 0)
// and runs that share itself, instead of waiting. Results do not depend on who runs a share (each output
// element is computed by the same operations either way), so this keeps the 1-vs-N-thread bit-identity.
//
// Waiting is a short spin on Atomics.load (≈1 µs handoff when the other side is quick), then Atomics.wait
// (≈27 µs to wake, but no CPU burnt); see shared/KERNELS.md for the measurements behind the default.

import type { WasmMemory } from "./wasm_api.js";

export const CTRL_BYTES = 256;
export const SEQ = 0;
export const OP = 1;
export const STATE = 2;
export const ASLEEP = 3;
export const DONE = 48;
export const ERR = 49;
export const ARGS_BYTE = 16;
export const MAX_ARGS = 16;
export const OP_EXIT = -1;
export const CLAIMED = 0x40000000;
/** The token after `seq`: 1 .. CLAIMED−1, never 0, never with the CLAIMED bit. */
export const nextToken = (seq: number): number => (seq >= CLAIMED - 1 ? 1 : seq + 1);

/** Exports a worker may be asked to run, by index. */
export const OPS = ["gemm", "gemv", "lstmCellForward", "lstmCellBackward", "lstmStepForward", "lstmStepBackward",
                     "lstmStep1",
                     // the native backend's (addon functions, present in workers started with `native`)
                     "nativeGemm", "nativeGemv", "nativeLstmCellForward", "nativeLstmCellBackward",
                     "nativeLstmStepForward", "nativeLstmStepBackward", "nativeLstmStep1"] as const;
export type OpName = (typeof OPS)[number];
export const opIndex = (name: OpName): number => OPS.indexOf(name);

/** What a worker entry receives (structured-cloned: the Module and the shared Memory travel as themselves). */
export interface WorkerInit {
  module: unknown;
  memory: WasmMemory;
  /** Byte offset of this worker's control block in the memory. */
  ctrl: number;
  /** Microseconds to spin before Atomics.wait. */
  spin: number;
  /** File of the native addon to load as well (Node only): its functions run as the native* ops. */
  native?: string;
}

let waitForbidden = false;

/**
 * Blocks until i32[idx] differs from `old` and returns the new value: spin for up to `spinUs` microseconds,
 * then Atomics.wait. Where Atomics.wait is forbidden (a browser's main thread) it keeps spinning. With
 * `asleep`, i32[asleep] is 1 while sleeping in Atomics.wait. A wake-up without a change (a nudge: the caller
 * expects work soon) starts a new spin before sleeping again.
 */
export function waitChange(i32: Int32Array, idx: number, old: number, spinUs: number, asleep = -1): number {
  for (;;) {
    let v = Atomics.load(i32, idx);
    if (v !== old) return v;
    if (spinUs > 0 || waitForbidden) {
      const t0 = performance.now(), limit = spinUs / 1000;
      for (let n = 1; ; n++) {
        v = Atomics.load(i32, idx);
        if (v !== old) return v;
        if ((n & 127) === 0 && !waitForbidden && performance.now() - t0 > limit) break;
      }
    }
    if (asleep >= 0) Atomics.store(i32, asleep, 1);
    try {
      Atomics.wait(i32, idx, old);
    } catch {
      waitForbidden = true;
    } finally {
      if (asleep >= 0) Atomics.store(i32, asleep, 0);
    }
  }
}

type Fn = (...args: number[]) => unknown;

/**
 * A worker's whole life: run jobs from the control block until OP_EXIT. `ready` is called once the worker
 * has read the current job number and is certain to see the next one (signal the caller from it, never
 * before: a job posted in between would be mistaken for the current one and never run).
 */
export function runWorkerLoop(exports: Record<string, unknown>, memory: WasmMemory, ctrl: number, spinUs: number,
                              ready: () => void): void {
  // Views on a shared buffer stay valid when the memory grows, so these are made once.
  const i32 = new Int32Array(memory.buffer, ctrl, CTRL_BYTES / 4);
  const a = new Float64Array(memory.buffer, ctrl + ARGS_BYTE, MAX_ARGS);
  const fns = OPS.map((name) => exports[name] as Fn);
  let seen = Atomics.load(i32, SEQ);
  ready();
  for (;;) {
    const seq = waitChange(i32, SEQ, seen, spinUs, ASLEEP);
    seen = seq;
    // Taken back by the caller (it ran this share itself): nothing to do, nothing to report.
    if (Atomics.compareExchange(i32, STATE, seq, seq | CLAIMED) !== seq) continue;
    const op = Atomics.load(i32, OP);
    if (op === OP_EXIT) return;
    try {
      fns[op](a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
    } catch {
      Atomics.store(i32, ERR, 1);
    }
    Atomics.store(i32, DONE, seq);
    Atomics.notify(i32, DONE);
  }
}
