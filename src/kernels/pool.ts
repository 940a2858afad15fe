// The worker pool both fast backends (wasm, native) split kernels over: the calling thread plus threads − 1
// workers sharing the arena's memory. Each worker owns a control block in that memory (see wasm/protocol.ts)
// and runs, by op index, either a wasm export (its own instance of dist/kernels.wasm over the shared memory)
// or a native addon function (the addon loads in every worker: it is context-aware); no thread is created
// per call. Platform-neutral: the caller brings a WorkerFactory (node_pool.ts for Node, Web Workers in
// browser.ts).
//
// A job is split so that each output element is computed by exactly the same sequence of f32 operations
// whatever the thread count (gemm splits whole columns or rows, never K): results are bit-identical for 1
// and N threads, which exact resume relies on. The calling thread does its share itself and then waits
// (short spin, then Atomics.wait), so the Kernels interface stays synchronous.

import type { Arena } from "./arena.js";
import { ARGS_BYTE, ASLEEP, CTRL_BYTES, DONE, ERR, MAX_ARGS, OP, OP_EXIT, SEQ, STATE, nextToken, opIndex, waitChange,
         type OpName, type WorkerInit } from "./wasm/protocol.js";

/** A started worker, as the pool sees it. */
export interface PoolWorker {
  /** Stops the worker for good (after it was sent OP_EXIT). */
  terminate(): void;
}

/**
 * Starts one worker that instantiates init.module with init.memory as env.memory (and loads init.native, the
 * addon, when given) and then calls runWorkerLoop(exports, init.memory, init.ctrl, init.spin, ready);
 * resolves once `ready` was called. The worker must not keep its host alive on its own (Node: unref()).
 */
export type WorkerFactory = (init: WorkerInit) => Promise<PoolWorker>;

export interface PoolOptions {
  arena: Arena;
  /** Threads including the calling one. More than 1 needs `workerFactory`. */
  threads: number;
  /** Microseconds to spin before sleeping in Atomics.wait, on both sides of a handoff. */
  spin: number;
  workerFactory?: WorkerFactory;
  /** The compiled dist/kernels.wasm every worker instantiates. */
  module: unknown;
  /** File of the native addon every worker loads too (native backend). */
  native?: string;
  /** Jobs below this many flops run on the calling thread alone. */
  parallelMinFlops: number;
  /** Jobs below this many flops split only while every worker is awake (see worthSplitting). */
  parallelColdMinFlops: number;
  /** Names the backend in errors ("wasm backend"). */
  label: string;
}

type Fn = (...args: number[]) => unknown;

export interface Pool {
  /** Threads in use, the calling one included (1 after dispose). */
  readonly threads: number;
  /**
   * Runs one kernel split into jobs: jobs[0] on the calling thread (through `here`), jobs[t] on worker t−1
   * (op `op`). Each worker share still unclaimed when the caller is done is revoked and run here (a
   * descheduled worker costs nothing but its share); claimed ones are waited for. `fixHere` adjusts a job
   * before it runs on the calling thread (wasm: its own gemm scratch). An error of a share run here wins;
   * otherwise a worker's failure becomes an error here.
   */
  runSplit(op: OpName, here: Fn, jobs: number[][], fixHere?: (job: number[]) => void): void;
  /** Whether a job of this many flops should be split now; `recurring`: it comes back every few µs. */
  worthSplitting(flops: number, recurring?: boolean): boolean;
  /** Kernel calls split across threads, and worker shares the caller took back. */
  stats(): { parallelCalls: number; revokedShares: number };
  /** Stops the workers; idempotent. */
  dispose(): void;
}

interface Slot {
  worker: PoolWorker;
  i32: Int32Array;
  args: Float64Array;
  seq: number;
}

/** Least time between two nudges of sleeping workers (see worthSplitting). */
const NUDGE_MS = 10;

/** [start, end) of part t when `total` is cut into `parts` pieces, each a multiple of `align`. */
export function part(total: number, parts: number, align: number, t: number): [number, number] {
  const size = Math.ceil(total / parts / align) * align;
  return [Math.min(total, t * size), Math.min(total, (t + 1) * size)];
}

export async function createPool(opts: PoolOptions): Promise<Pool> {
  const { arena, spin, label } = opts;
  const threads = Math.max(1, Math.floor(opts.threads));
  if (threads > 1 && !opts.workerFactory) throw new Error(`threads = ${threads} needs a workerFactory`);
  const mem = arena.memory;
  const ctrls: number[] = [];
  for (let t = 1; t < threads; t++) {
    const off = arena.reserve(CTRL_BYTES);
    new Uint8Array(mem.buffer, off, CTRL_BYTES).fill(0);
    ctrls.push(off);
  }
  let slots: Slot[] = [];
  if (threads > 1) {
    const started = await Promise.allSettled(ctrls.map((ctrl) =>
      opts.workerFactory!({ module: opts.module, memory: mem, ctrl, spin, ...(opts.native ? { native: opts.native } : {}) })));
    const failed = started.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
    if (failed) {
      for (const s of started) if (s.status === "fulfilled") s.value.terminate();
      throw new Error(`${label}: a worker failed to start: ${String((failed.reason as Error)?.message ?? failed.reason)}`);
    }
    slots = started.map((s, w) => ({
      worker: (s as PromiseFulfilledResult<PoolWorker>).value,
      i32: new Int32Array(mem.buffer, ctrls[w], CTRL_BYTES / 4),
      args: new Float64Array(mem.buffer, ctrls[w] + ARGS_BYTE, MAX_ARGS),
      seq: 0,
    }));
  }
  let parallelCalls = 0, revoked = 0;

  const post = (s: Slot, op: number, args: readonly number[]): void => {
    for (let i = 0; i < args.length; i++) s.args[i] = args[i];
    s.seq = nextToken(s.seq);
    Atomics.store(s.i32, OP, op);
    Atomics.store(s.i32, STATE, s.seq);
    Atomics.store(s.i32, SEQ, s.seq);
    Atomics.notify(s.i32, SEQ);
  };

  const runSplit = (op: OpName, fn: Fn, jobs: number[][], fixHere?: (job: number[]) => void): void => {
    const code = opIndex(op);
    for (let t = 1; t < jobs.length; t++) post(slots[t - 1], code, jobs[t]);
    parallelCalls++;
    let err: unknown, failed = false;
    const here = (job: number[]): void => {
      if (err !== undefined) return;
      fixHere?.(job);
      try {
        fn(...job);
      } catch (e) {
        err = e ?? new Error(`${label}: kernel failed`);
      }
    };
    here(jobs[0]);
    for (let t = 1; t < jobs.length; t++) {
      const s = slots[t - 1];
      if (Atomics.compareExchange(s.i32, STATE, s.seq, 0) === s.seq) {
        revoked++;
        here(jobs[t]);
        continue;
      }
      let done = Atomics.load(s.i32, DONE);
      while (done !== s.seq) done = waitChange(s.i32, DONE, done, spin);
      if (Atomics.load(s.i32, ERR) !== 0) {
        Atomics.store(s.i32, ERR, 0);
        failed = true;
      }
    }
    if (err !== undefined) throw err;
    if (failed) throw new Error(`${label}: a kernel failed in a worker thread (out-of-bounds buffer or shape?)`);
  };

  let lastNudge = -Infinity;
  /**
   * Jobs of at least parallelColdMinFlops always split. Smaller ones (but ≥ parallelMinFlops) split only while
   * every worker is awake (spinning after its last job): a small job finding a worker asleep runs here, since
   * a wake-up (~30 µs and more in a VM) costs more than it takes, and the sleepers are nudged awake for the
   * next one. `recurring` (a generation step, every few µs) nudges every time; other small jobs at most once
   * per NUDGE_MS, since a wake-up costs the caller too (a syscall and, in a VM, an interrupt to the other
   * core), which sparse small jobs (batch-1 training) would pay on every step for nothing.
   */
  const worthSplitting = (flops: number, recurring = false): boolean => {
    if (slots.length === 0 || flops < opts.parallelMinFlops) return false;
    if (flops >= opts.parallelColdMinFlops) return true;
    let awake = true;
    for (const s of slots) if (Atomics.load(s.i32, ASLEEP) !== 0) awake = false;
    if (!awake) {
      const now = performance.now();
      if (recurring || now - lastNudge > NUDGE_MS) {
        lastNudge = now;
        for (const s of slots) if (Atomics.load(s.i32, ASLEEP) !== 0) Atomics.notify(s.i32, SEQ);
      }
    }
    return awake;
  };

  let disposed = false;
  return {
    get threads() { return slots.length + 1; },
    runSplit,
    worthSplitting,
    stats: () => ({ parallelCalls, revokedShares: revoked }),
    dispose(): void {
      if (disposed) return;
      disposed = true;
      const old = slots;
      slots = [];
      for (const s of old) {
        post(s, OP_EXIT, []);
        s.worker.terminate();
      }
    },
  };
}
