// The `wasm` backend: AssemblyScript kernels (assembly/*.ts → dist/kernels.wasm, SIMD128) over ONE shared
// WebAssembly.Memory, plus an optional pool of workers that share that memory and the compiled module.
//
// Platform-neutral: no fs, no process, no worker_threads. The caller brings the wasm bytes or a compiled
// module, and (for threads > 1) a WorkerFactory that starts one worker running runWorkerLoop (see
// node_pool.ts for Node; a browser would start Web Workers the same way). node.ts wires both up for Node.
//
// Memory: the arena (../arena.ts), a bump allocator over the shared memory; kernels take view.byteOffset as
// the pointer, so there are no copies per call. Threads: the pool (../pool.ts), shared with the native
// backend, which builds on this one (it keeps the wasm kernels it does not replace, in the same memory).

import type { FloatArray, Kernels, RecurrentPack } from "../types.js";
import { createArena, type Arena } from "../arena.js";
import { createPool, part, type Pool, type WorkerFactory } from "../pool.js";
import { webAssembly, type WasmBytes, type WasmMemory, type WasmModule } from "./wasm_api.js";

export type { PoolWorker, WorkerFactory } from "../pool.js";

export interface WasmKernelsOptions {
  /** A compiled dist/kernels.wasm; or give `bytes`. */
  module?: WasmModule;
  /** The bytes of dist/kernels.wasm; compiled here when no `module` is given. */
  bytes?: WasmBytes;
  /** Threads including the calling one (default 1). More than 1 needs `workerFactory`. */
  threads?: number;
  /** Microseconds to spin before sleeping in Atomics.wait, on both sides of a handoff (default 50). */
  spin?: number;
  /** Starts the workers for threads > 1. */
  workerFactory?: WorkerFactory;
  /** Largest the memory may grow to, in bytes (default 4 GiB, the wasm32 limit; lowered if refused). */
  maxMemoryBytes?: number;
  /** Jobs below this many flops run on the calling thread alone (default 2^18: below it a handoff costs more;
   *  at 2^18 the batch-1 sampling gemvs of a 2×256 model split across threads, 11k → 14k chars/s). */
  parallelMinFlops?: number;
  /**
   * Jobs below this many flops split only while every worker is awake (spinning after its last job); with a
   * worker asleep in Atomics.wait they run on the calling thread, since a wake-up (~30 µs and more in a VM)
   * costs more than they take, and the sleeping worker is nudged awake for the next one. Default 2^21 (never
   * below parallelMinFlops). Generation hands over every few µs and keeps the workers awake; sparse small jobs
   * (batch-1 training) stay local.
   */
  parallelColdMinFlops?: number;
  /**
   * LSTM cell forward steps with fewer than this many units (B·H) run on the calling thread alone (default
   * 8192); the backward pass splits from 4x as many.
   */
  parallelMinCells?: number;
}

export interface WasmKernelsStats {
  /** Kernel calls that were split across threads. */
  parallelCalls: number;
  /** Worker shares the calling thread took back and ran itself because the worker had not started them. */
  revokedShares: number;
  /** Bytes handed out by alloc/allocInt so far (including alignment). */
  allocatedBytes: number;
  /** Current size of the memory in bytes. */
  memoryBytes: number;
}

export interface WasmKernels extends Kernels {
  readonly name: "wasm";
  readonly dtype: "f32";
  /** Threads in use (1 after dispose). */
  readonly threads: number;
  /** The shared memory every buffer of this backend lives in. */
  readonly memory: WasmMemory;
  alloc(n: number): Float32Array;
  stats(): WasmKernelsStats;
  /** Stops the workers; the kernels keep working on the calling thread alone. Idempotent. */
  dispose(): void;
}

/** A 1-function module that returns a v128 constant: validates only where SIMD128 is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,       // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,             // type: () -> v128
  0x03, 0x02, 0x01, 0x00,                               // func 0: type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c,             // code: v128.const
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0x0b,                                                 // end
]);

/** Whether this runtime has WebAssembly with SIMD128 (what dist/kernels.wasm needs, with shared memory). */
export function simdSupported(): boolean {
  const wa = webAssembly();
  if (!wa || typeof SharedArrayBuffer === "undefined") return false;
  try {
    return wa.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export interface WasmExports {
  gemmScratchBytes(): number;
  gemm(tA: number, tB: number, M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number,
       C: number, ldc: number, beta: number, scratch: number): void;
  gemv(tB: number, N: number, K: number, a: number, B: number, ldb: number, C: number, beta: number): void;
  addBias(out: number, bias: number, R: number, N: number): void;
  sumRows(db: number, d: number, R: number, N: number): void;
  gatherCols(out: number, W: number, idx: number, R: number, N: number, V: number, scratch: number, floats: number): void;
  scatterAddCols(dW: number, d: number, idx: number, R: number, N: number, V: number, scratch: number, floats: number): void;
  recurrentPackFloats(H: number): number;
  packRecurrent(Whh: number, H: number, dst: number, backward: number): void;
  lstmStepForward(a: number, hPrev: number, Whh: number, pack: number, c: number, tanhC: number, h: number,
                  cPrev: number, B: number, H: number, u0: number, u1: number, k: number, scratch: number): void;
  lstmStepBackward(dANext: number, dA: number, dc: number, dh: number, gates: number, cPrev: number, tanhC: number,
                   Whh: number, pack: number, B: number, H: number, u0: number, u1: number, k: number,
                   scratch: number): void;
  lstmStep1(xv: number, D: number, Wih: number, bih: number, bhh: number, hPrev: number, Whh: number, a: number,
            H: number, r0: number, r1: number): void;
  mathConstantsBytes(): number;
  writeMathConstants(k: number): void;
  lstmCellForward(gates: number, c: number, tanhC: number, h: number, cPrev: number, B: number, H: number,
                  k: number): void;
  lstmCellBackward(dA: number, dc: number, dh: number, gates: number, cPrev: number, tanhC: number,
                   B: number, H: number, k: number): void;
  softmaxXent(logits: number, targets: number, R: number, V: number, scale: number, k: number): number;
  mul(out: number, a: number, b: number, n: number): void;
  sumSquares(x: number, n: number): number;
  scale(x: number, s: number, n: number): void;
  clamp(x: number, c: number, n: number): void;
  adam(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number,
       eps: number, bc1: number, bc2: number): void;
  rmsprop(p: number, g: number, v: number, n: number, lr: number, alpha: number, eps: number): void;
  adagrad(p: number, g: number, v: number, n: number, lr: number, eps: number): void;
  sgd(p: number, g: number, m: number, n: number, lr: number, momentum: number): void;
}

/** This backend's RecurrentPack: a region of the memory (byte offset `ptr`). */
class WasmPack implements RecurrentPack {
  constructor(readonly H: number, readonly ptr: number, readonly owner: object) {}
}

/** What the native backend builds on: the wasm kernels object and the pieces under it. */
export interface WasmCore {
  kernels: WasmKernels;
  arena: Arena;
  pool: Pool;
  exports: WasmExports;
  /** Byte offset of the vector-math constants table. */
  consts: number;
  /** Byte offsets of each thread's gemm scratch (index 0: the calling thread). */
  scratch: readonly number[];
}

/** Creates the wasm backend. Rejects when WebAssembly/SIMD/shared memory is missing or the module is invalid. */
export async function createWasmKernels(opts: WasmKernelsOptions): Promise<WasmKernels> {
  return (await createWasmCore(opts)).kernels;
}

/**
 * The wasm backend and its arena and pool. `native`: the addon file every pool worker loads as well (the
 * native backend runs its kernels on the same workers).
 */
export async function createWasmCore(opts: WasmKernelsOptions & { native?: string }): Promise<WasmCore> {
  const wa = webAssembly();
  if (!wa) throw new Error("this runtime has no WebAssembly");
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  if (threads > 1 && !opts.workerFactory) throw new Error(`threads = ${threads} needs a workerFactory`);
  const spin = Math.max(0, opts.spin ?? 50);
  const parallelMinFlops = opts.parallelMinFlops ?? 1 << 18;
  const parallelMinCells = opts.parallelMinCells ?? 8192;
  const parallelColdMinFlops = Math.max(parallelMinFlops, opts.parallelColdMinFlops ?? 1 << 21);

  let module = opts.module;
  if (!module) {
    if (!opts.bytes) throw new Error("createWasmKernels needs the wasm `module` or its `bytes`");
    module = await wa.compile(opts.bytes);
  }

  const arena = createArena(opts.maxMemoryBytes);
  const mem = arena.memory;
  const reserve = arena.reserve;
  const instance = await wa.instantiate(module, { env: { memory: mem } });
  const x = instance.exports as unknown as WasmExports;

  // The constants table of the vector math (exp, σ, tanh): written once, read by every thread.
  const consts = reserve(x.mathConstantsBytes());
  x.writeMathConstants(consts);

  // Per-thread gemm scratch, then the pool (its control blocks live in the arena too).
  const scratchBytes = x.gemmScratchBytes();
  const scratchFloats = Math.floor(scratchBytes / 4);
  const scratch: number[] = [];
  for (let t = 0; t < threads; t++) scratch.push(reserve(scratchBytes));
  const pool = await createPool({
    arena, threads, spin, workerFactory: opts.workerFactory, module, native: opts.native,
    parallelMinFlops, parallelColdMinFlops, label: "wasm backend",
  });

  type Fn = (...args: number[]) => void;
  const worthSplitting = pool.worthSplitting;
  /** Runs a wasm export split into jobs (see Pool.runSplit); `scratchArg`: the job's gemm scratch pointer. */
  const runSplit = (op: "gemm" | "gemv" | "lstmCellForward" | "lstmCellBackward" | "lstmStepForward" |
                          "lstmStepBackward" | "lstmStep1", jobs: number[][], scratchArg = -1): void =>
    pool.runSplit(op, x[op] as Fn, jobs, scratchArg >= 0 ? (job) => { job[scratchArg] = scratch[0]; } : undefined);

  const gemm = (transA: boolean, transB: boolean, M: number, N: number, K: number,
                A: FloatArray, B: FloatArray, C: FloatArray, beta: 0 | 1): void => {
    if (M <= 0 || N <= 0) return;
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const lda = transA ? M : K, ldb = transB ? K : N;
    const a = A.byteOffset, b = B.byteOffset, c = C.byteOffset;
    const T = pool.threads;
    const par = worthSplitting(2 * M * N * K);

    // One-row A (batch-1 sampling) and one-column B: a gemv over the long dimension, streaming the matrix.
    if (M === 1 || N === 1) {
      // M = 1: C (1, N) = a·op(B).  N = 1: C (M, 1) = op(A)·b, the same with A in B's place, transposed.
      const L = M === 1 ? N : M;
      const gt = M === 1 ? tB : 1 - tA, vec = M === 1 ? a : b, mat = M === 1 ? b : a, ld = M === 1 ? ldb : lda;
      if (!par) return x.gemv(gt, L, K, vec, mat, ld, c, beta);
      // Split the output elements; `step` is the byte distance between consecutive output rows of mat.
      const step = gt === 1 ? ld * 4 : 4;
      const jobs: number[][] = [];
      for (let t = 0; t < T; t++) {
        const [j0, j1] = part(L, T, 32, t);
        if (j1 <= j0) break;
        jobs.push([gt, j1 - j0, K, vec, mat + j0 * step, ld, c + j0 * 4, beta]);
      }
      return runSplit("gemv", jobs);
    }
    if (!par) return x.gemm(tA, tB, M, N, K, a, lda, b, ldb, c, N, beta, scratch[0]);
    // Tall problems (dW over a window, the head over B·T rows) split rows; LSTM steps (M = batch) split columns.
    const splitRows = M >= N;
    const jobs: number[][] = [];
    for (let t = 0; t < T; t++) {
      if (splitRows) {
        const [i0, i1] = part(M, T, 2, t);
        if (i1 <= i0) break;
        const ao = a + (transA ? i0 : i0 * lda) * 4;
        jobs.push([tA, tB, i1 - i0, N, K, ao, lda, b, ldb, c + i0 * N * 4, N, beta, scratch[t]]);
      } else {
        const [j0, j1] = part(N, T, 16, t);
        if (j1 <= j0) break;
        const bo = b + (transB ? j0 * ldb : j0) * 4;
        jobs.push([tA, tB, M, j1 - j0, K, a, lda, bo, ldb, c + j0 * 4, N, beta, scratch[t]]);
      }
    }
    runSplit("gemm", jobs, 12);
  };

  // The LSTM cell pair splits batch rows once a step is big enough to pay for the handoff.
  // The backward pass is ~6x cheaper per unit than the forward one (no exp), so it needs 4x the units.
  const cellRows = (B: number, H: number, cost: number): number =>
    (pool.threads > 1 && B > 1 && B * H * cost >= parallelMinCells ? pool.threads : 1);

  const lstmCellForward = (gates: FloatArray, c: FloatArray, tanhC: FloatArray, h: FloatArray,
                           cPrev: FloatArray, B: number, H: number): void => {
    const T = cellRows(B, H, 1);
    const g = gates.byteOffset, cc = c.byteOffset, tc = tanhC.byteOffset, hh = h.byteOffset, cp = cPrev.byteOffset;
    if (T === 1) return x.lstmCellForward(g, cc, tc, hh, cp, B, H, consts);
    const jobs: number[][] = [];
    for (let t = 0; t < T; t++) {
      const [b0, b1] = part(B, T, 1, t);
      if (b1 <= b0) break;
      const o4 = b0 * 16 * H, o1 = b0 * 4 * H;          // byte offsets of row b0 in (B, 4H) and (B, H)
      jobs.push([g + o4, cc + o1, tc + o1, hh + o1, cp + o1, b1 - b0, H, consts]);
    }
    runSplit("lstmCellForward", jobs);
  };

  const lstmCellBackward = (dA: FloatArray, dc: FloatArray, dh: FloatArray, gates: FloatArray,
                            cPrev: FloatArray, tanhC: FloatArray, B: number, H: number): void => {
    const T = cellRows(B, H, 0.25);
    const da = dA.byteOffset, dcc = dc.byteOffset, dhh = dh.byteOffset, g = gates.byteOffset;
    const cp = cPrev.byteOffset, tc = tanhC.byteOffset;
    if (T === 1) return x.lstmCellBackward(da, dcc, dhh, g, cp, tc, B, H, consts);
    const jobs: number[][] = [];
    for (let t = 0; t < T; t++) {
      const [b0, b1] = part(B, T, 1, t);
      if (b1 <= b0) break;
      const o4 = b0 * 16 * H, o1 = b0 * 4 * H;
      jobs.push([da + o4, dcc + o1, dhh + o1, g + o4, cp + o1, tc + o1, b1 - b0, H, consts]);
    }
    runSplit("lstmCellBackward", jobs);
  };

  // ---- fused LSTM steps: split by hidden unit (multiples of 16, the packed panel width) ----
  const owner = {};
  const packPtr = (pack: RecurrentPack | null, H: number): number => {
    if (pack === null) return 0;
    if (!(pack instanceof WasmPack) || pack.owner !== owner || pack.H !== H) {
      throw new Error("wasm backend: a RecurrentPack from another backend or of another size");
    }
    return pack.ptr;
  };
  /** The unit ranges of a step of 2·B·4H·H flops: one range, or one per thread. */
  const unitParts = (B: number, H: number): [number, number][] => {
    const T = pool.threads;
    if (!worthSplitting(8 * B * H * H)) return [[0, H]];
    const out: [number, number][] = [];
    for (let t = 0; t < T; t++) {
      const [u0, u1] = part(H, T, 16, t);
      if (u1 > u0) out.push([u0, u1]);
    }
    return out;
  };

  const lstmStepForward: Kernels["lstmStepForward"] = (a, hPrev, Whh, pack, c, tanhC, h, cPrev, B, H) => {
    if (B === 1) {
      // batch 1: split by gate rows, as lstmStep1 does (contiguous weight blocks per thread); no pack used
      packPtr(pack, H);
      gemm(false, true, 1, 4 * H, H, hPrev, Whh, a, 1);
      return lstmCellForward(a, c, tanhC, h, cPrev, 1, H);
    }
    const job = (u0: number, u1: number, t: number): number[] =>
      [a.byteOffset, hPrev.byteOffset, Whh.byteOffset, packPtr(pack, H), c.byteOffset, tanhC.byteOffset,
       h.byteOffset, cPrev.byteOffset, B, H, u0, u1, consts, scratch[t]];
    const parts = unitParts(B, H);
    if (parts.length === 1) return (x.lstmStepForward as Fn)(...job(0, H, 0));
    runSplit("lstmStepForward", parts.map(([u0, u1], t) => job(u0, u1, t)), 13);
  };

  const lstmStepBackward: Kernels["lstmStepBackward"] = (dANext, dA, dc, dh, gates, cPrev, tanhC, Whh, pack, B, H) => {
    const job = (u0: number, u1: number, t: number): number[] =>
      [dANext ? dANext.byteOffset : 0, dA.byteOffset, dc.byteOffset, dh.byteOffset, gates.byteOffset,
       cPrev.byteOffset, tanhC.byteOffset, Whh.byteOffset, packPtr(pack, H), B, H, u0, u1, consts, scratch[t]];
    // without the product, the cell alone is too little work to hand over
    const parts = dANext ? unitParts(B, H) : [[0, H]];
    if (parts.length === 1) return (x.lstmStepBackward as Fn)(...job(0, H, 0));
    runSplit("lstmStepBackward", parts.map(([u0, u1], t) => job(u0, u1, t)), 14);
  };

  const lstmStep1: Kernels["lstmStep1"] = (xin, D, Wih, bih, bhh, hPrev, Whh, a, c, tanhC, h, cPrev, H) => {
    const token = typeof xin === "number";
    if (token && !(Number.isInteger(xin) && xin >= 0 && xin < D)) throw new RangeError(`token ${xin} outside the vocabulary of ${D}`);
    const G = 4 * H, T = pool.threads;
    const job = (r0: number, r1: number): number[] =>
      [token ? xin : xin.byteOffset, token ? -D : D, Wih.byteOffset, bih.byteOffset, bhh.byteOffset, hPrev.byteOffset,
       Whh.byteOffset, a.byteOffset, H, r0, r1];
    // the pre-activations split by gate rows (see assembly/lstm_step.ts), then the cell here (B = 1: ~1 µs)
    if (!worthSplitting(2 * G * (H + (token ? 0 : D)), true)) (x.lstmStep1 as Fn)(...job(0, G));
    else {
      const jobs: number[][] = [];
      for (let t = 0; t < T; t++) {
        const [r0, r1] = part(G, T, 32, t);
        if (r1 > r0) jobs.push(job(r0, r1));
      }
      runSplit("lstmStep1", jobs);
    }
    x.lstmCellForward(a.byteOffset, c.byteOffset, tanhC.byteOffset, h.byteOffset, cPrev.byteOffset, 1, H, consts);
  };

  const kernels: WasmKernels = {
    name: "wasm",
    dtype: "f32",
    get threads() { return pool.threads; },
    memory: mem,
    alloc: arena.alloc,
    allocInt: arena.allocInt,
    gemm,
    addBias: (out, bias, R, N) => x.addBias(out.byteOffset, bias.byteOffset, R, N),
    sumRows: (db, d, R, N) => x.sumRows(db.byteOffset, d.byteOffset, R, N),
    // Both use the calling thread's gemm scratch as a transpose buffer (kernels never run concurrently on it).
    gatherCols: (out, W, idx, R, N, V) =>
      x.gatherCols(out.byteOffset, W.byteOffset, idx.byteOffset, R, N, V, scratch[0], scratchFloats),
    scatterAddCols: (dW, d, idx, R, N, V) =>
      x.scatterAddCols(dW.byteOffset, d.byteOffset, idx.byteOffset, R, N, V, scratch[0], scratchFloats),
    lstmCellForward,
    lstmCellBackward,
    allocRecurrentPack: (H: number): RecurrentPack => new WasmPack(H, reserve(x.recurrentPackFloats(H) * 4), owner),
    packRecurrent: (pack, Whh, pass) => x.packRecurrent(Whh.byteOffset, pack.H, packPtr(pack, pack.H), pass === "backward" ? 1 : 0),
    lstmStepForward,
    lstmStepBackward,
    lstmStep1,
    softmaxXent: (logits, targets, R, V, scale) =>
      x.softmaxXent(logits.byteOffset, targets.byteOffset, R, V, scale, consts),
    mul: (out, a, b, n) => x.mul(out.byteOffset, a.byteOffset, b.byteOffset, n),
    sumSquares: (v, n) => x.sumSquares(v.byteOffset, n),
    scale: (v, s, n) => x.scale(v.byteOffset, s, n),
    clamp: (v, c, n) => x.clamp(v.byteOffset, c, n),
    adam: (p, g, m, v, n, lr, beta1, beta2, eps, bc1, bc2) =>
      x.adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, n, lr, beta1, beta2, eps, bc1, bc2),
    rmsprop: (p, g, v, n, lr, alpha, eps) => x.rmsprop(p.byteOffset, g.byteOffset, v.byteOffset, n, lr, alpha, eps),
    adagrad: (p, g, v, n, lr, eps) => x.adagrad(p.byteOffset, g.byteOffset, v.byteOffset, n, lr, eps),
    sgd: (p, g, m, n, lr, momentum) => x.sgd(p.byteOffset, g.byteOffset, m.byteOffset, n, lr, momentum),
    stats: () => ({ ...pool.stats(), allocatedBytes: arena.allocatedBytes(), memoryBytes: mem.buffer.byteLength }),
    dispose: () => pool.dispose(),
  };
  return { kernels, arena, pool, exports: x, consts, scratch };
}
