// The `native` backend: C kernels (native/*.c, AVX-512 or AVX2 + FMA, chosen at run time) through a Node-API
// addon, over the SAME shared WebAssembly.Memory and worker pool as the wasm backend. It is a wasm backend
// (createWasmCore) whose hot kernels are replaced: every gemm shape BPTT uses, the fused LSTM steps and the
// batch-1 generation step, the cell pair, softmax + cross-entropy and the optimizer updates. What stays on
// wasm is memory-bound and cheap (bias adds, row sums, gathers/scatters of one-hot inputs, dropout masks,
// gradient norms/clipping). Params, grads, moments and activations never move: a kernel gets absolute
// addresses, the memory's base address + view.byteOffset.
//
// Threads: the pool's workers load the addon too (context-aware) and run the native ops on their share of
// a job, synchronously; splits are by whole output rows/columns/hidden units (never K), so results are
// bit-identical for 1 and N threads, as the wasm backend's are. Node only (loads the addon).

import type { FloatArray, Kernels, RecurrentPack } from "../types.js";
import { createWasmCore, type WasmKernels, type WasmKernelsStats } from "../wasm/backend.js";
import { part } from "../pool.js";
import { loadWasmModuleNode, type NodeWasmOptions } from "../wasm/node.js";
import { nodeWorkerFactory } from "../wasm/node_pool.js";
import { loadNative } from "./loader.js";

export interface NativeKernels extends Omit<WasmKernels, "name"> {
  readonly name: "native";
  /** The instruction set of the kernels in use. */
  readonly isa: "avx512" | "avx2";
  stats(): WasmKernelsStats;
  /** The calling thread's FMA peak in GFLOP/s, measured for about `ms` milliseconds (see native/peak.c). */
  peakGflops(ms?: number): number;
}

/** This backend's RecurrentPack: a region of the arena. */
class NativePack implements RecurrentPack {
  constructor(readonly H: number, readonly ptr: number, readonly owner: object) {}
}

/** Why the native backend cannot run here, or undefined when it can. */
export function nativeUnavailable(): string | undefined {
  const l = loadNative();
  return l.ok ? undefined : l.reason;
}

/** The native backend for Node; rejects with the reason when the addon is missing or the CPU lacks AVX2 + FMA. */
export async function loadNativeKernelsNode(opts: NodeWasmOptions = {}): Promise<NativeKernels> {
  const l = loadNative();
  if (!l.ok) throw new Error(l.reason);
  const { addon: n, path, isa } = l;
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  // A native handoff is worth it from larger jobs than a wasm one (the kernels are ~4x faster).
  const core = await createWasmCore({
    module: await loadWasmModuleNode(opts.wasmPath), threads, spin: opts.spin, maxMemoryBytes: opts.maxMemoryBytes,
    parallelMinFlops: opts.parallelMinFlops ?? 1 << 20, parallelColdMinFlops: opts.parallelColdMinFlops ?? 1 << 23,
    parallelMinCells: opts.parallelMinCells, workerFactory: threads > 1 ? nodeWorkerFactory : undefined, native: path,
  });
  const { kernels: w, arena, pool } = core;
  const parallelMinCells = opts.parallelMinCells ?? 8192;
  const base = n.address(new Uint8Array(arena.memory.buffer, 0, 1));
  const P = (v: FloatArray | Int32Array): number => base + v.byteOffset;
  type Fn = (...args: number[]) => unknown;

  const gemm = (transA: boolean, transB: boolean, M: number, N: number, K: number,
                A: FloatArray, B: FloatArray, C: FloatArray, beta: 0 | 1): void => {
    if (M <= 0 || N <= 0) return;
    const tA = transA ? 1 : 0, tB = transB ? 1 : 0;
    const lda = transA ? M : K, ldb = transB ? K : N;
    const a = P(A), b = P(B), c = P(C);
    const T = pool.threads;
    const par = pool.worthSplitting(2 * M * N * K);
    // One-row A (batch-1 sampling) and one-column B: a gemv streaming the matrix (as the wasm backend).
    if (M === 1 || N === 1) {
      const L = M === 1 ? N : M;
      const gt = M === 1 ? tB : 1 - tA, vec = M === 1 ? a : b, mat = M === 1 ? b : a, ld = M === 1 ? ldb : lda;
      if (!par) return n.gemv(gt, L, K, vec, mat, ld, c, beta);
      const step = gt === 1 ? ld * 4 : 4;
      const jobs: number[][] = [];
      for (let t = 0; t < T; t++) {
        const [j0, j1] = part(L, T, 32, t);
        if (j1 > j0) jobs.push([gt, j1 - j0, K, vec, mat + j0 * step, ld, c + j0 * 4, beta]);
      }
      return pool.runSplit("nativeGemv", n.gemv as Fn, jobs);
    }
    if (!par) return n.gemm(tA, tB, M, N, K, a, lda, b, ldb, c, N, beta);
    // Tall problems (dW over a window, the head over B·T rows) split rows; LSTM-step shapes split columns.
    const splitRows = M >= N;
    const jobs: number[][] = [];
    for (let t = 0; t < T; t++) {
      if (splitRows) {
        const [i0, i1] = part(M, T, 14, t);
        if (i1 > i0) jobs.push([tA, tB, i1 - i0, N, K, a + (transA ? i0 : i0 * lda) * 4, lda, b, ldb, c + i0 * N * 4, N, beta]);
      } else {
        const [j0, j1] = part(N, T, 32, t);
        if (j1 > j0) jobs.push([tA, tB, M, j1 - j0, K, a, lda, b + (transB ? j0 * ldb : j0) * 4, ldb, c + j0 * 4, N, beta]);
      }
    }
    pool.runSplit("nativeGemm", n.gemm as Fn, jobs);
  };

  // The cell pair splits batch rows once a step is big enough; the backward pass (no exp) needs 4x the units.
  const cellRows = (B: number, H: number, cost: number): number =>
    (pool.threads > 1 && B > 1 && B * H * cost >= parallelMinCells ? pool.threads : 1);
  const lstmCellForward: Kernels["lstmCellForward"] = (gates, c, tanhC, h, cPrev, B, H) => {
    const T = cellRows(B, H, 1);
    const g = P(gates), cc = P(c), tc = P(tanhC), hh = P(h), cp = P(cPrev);
    if (T === 1) return n.lstmCellForward(g, cc, tc, hh, cp, B, H);
    const jobs: number[][] = [];
    for (let t = 0; t < T; t++) {
      const [b0, b1] = part(B, T, 1, t);
      const o4 = b0 * 16 * H, o1 = b0 * 4 * H;          // byte offsets of row b0 in (B, 4H) and (B, H)
      if (b1 > b0) jobs.push([g + o4, cc + o1, tc + o1, hh + o1, cp + o1, b1 - b0, H]);
    }
    pool.runSplit("nativeLstmCellForward", n.lstmCellForward as Fn, jobs);
  };
  const lstmCellBackward: Kernels["lstmCellBackward"] = (dA, dc, dh, gates, cPrev, tanhC, B, H) => {
    const T = cellRows(B, H, 0.25);
    const da = P(dA), dcc = P(dc), dhh = P(dh), g = P(gates), cp = P(cPrev), tc = P(tanhC);
    if (T === 1) return n.lstmCellBackward(da, dcc, dhh, g, cp, tc, B, H);
    const jobs: number[][] = [];
    for (let t = 0; t < T; t++) {
      const [b0, b1] = part(B, T, 1, t);
      const o4 = b0 * 16 * H, o1 = b0 * 4 * H;
      if (b1 > b0) jobs.push([da + o4, dcc + o1, dhh + o1, g + o4, cp + o1, tc + o1, b1 - b0, H]);
    }
    pool.runSplit("nativeLstmCellBackward", n.lstmCellBackward as Fn, jobs);
  };

  // ---- fused LSTM steps: split by hidden unit, in multiples of 32 (the AVX-512 panel width) ----
  const owner = {};
  const packPtr = (pack: RecurrentPack | null, H: number): number => {
    if (pack === null) return 0;
    if (!(pack instanceof NativePack) || pack.owner !== owner || pack.H !== H) {
      throw new Error("native backend: a RecurrentPack from another backend or of another size");
    }
    return pack.ptr;
  };
  const unitParts = (B: number, H: number): [number, number][] => {
    const T = pool.threads;
    if (!pool.worthSplitting(8 * B * H * H)) return [[0, H]];
    const out: [number, number][] = [];
    for (let t = 0; t < T; t++) {
      const [u0, u1] = part(H, T, 32, t);
      if (u1 > u0) out.push([u0, u1]);
    }
    return out;
  };
  const lstmStepForward: Kernels["lstmStepForward"] = (a, hPrev, Whh, pack, c, tanhC, h, cPrev, B, H) => {
    if (B === 1) {
      // batch 1: a gemv split by gate rows plus the cell (the pack is not used)
      packPtr(pack, H);
      gemm(false, true, 1, 4 * H, H, hPrev, Whh, a, 1);
      return lstmCellForward(a, c, tanhC, h, cPrev, 1, H);
    }
    const pk = packPtr(pack, H);
    const job = (u0: number, u1: number): number[] =>
      [P(a), P(hPrev), P(Whh), pk, P(c), P(tanhC), P(h), P(cPrev), B, H, u0, u1];
    const parts = unitParts(B, H);
    if (parts.length === 1) return n.lstmStepForward(...(job(0, H) as Parameters<typeof n.lstmStepForward>));
    pool.runSplit("nativeLstmStepForward", n.lstmStepForward as Fn, parts.map(([u0, u1]) => job(u0, u1)));
  };
  const lstmStepBackward: Kernels["lstmStepBackward"] = (dANext, dA, dc, dh, gates, cPrev, tanhC, Whh, pack, B, H) => {
    const pk = packPtr(pack, H);
    const job = (u0: number, u1: number): number[] =>
      [dANext ? P(dANext) : 0, P(dA), P(dc), P(dh), P(gates), P(cPrev), P(tanhC), P(Whh), pk, B, H, u0, u1];
    const parts = dANext ? unitParts(B, H) : [[0, H] as [number, number]];
    if (parts.length === 1) return n.lstmStepBackward(...(job(0, H) as Parameters<typeof n.lstmStepBackward>));
    pool.runSplit("nativeLstmStepBackward", n.lstmStepBackward as Fn, parts.map(([u0, u1]) => job(u0, u1)));
  };
  const lstmStep1: Kernels["lstmStep1"] = (xin, D, Wih, bih, bhh, hPrev, Whh, a, c, tanhC, h, cPrev, H) => {
    const token = typeof xin === "number";
    if (token && !(Number.isInteger(xin) && xin >= 0 && xin < D)) throw new RangeError(`token ${xin} outside the vocabulary of ${D}`);
    const G = 4 * H, T = pool.threads;
    const job = (r0: number, r1: number): number[] =>
      [token ? xin : P(xin), token ? -D : D, P(Wih), P(bih), P(bhh), P(hPrev), P(Whh), P(a), H, r0, r1];
    // the pre-activations split by gate rows (one contiguous block of each weight matrix per thread), then the cell here
    if (!pool.worthSplitting(2 * G * (H + (token ? 0 : D)), true)) n.lstmStep1(...(job(0, G) as Parameters<typeof n.lstmStep1>));
    else {
      const jobs: number[][] = [];
      for (let t = 0; t < T; t++) {
        const [r0, r1] = part(G, T, 32, t);
        if (r1 > r0) jobs.push(job(r0, r1));
      }
      pool.runSplit("nativeLstmStep1", n.lstmStep1 as Fn, jobs);
    }
    n.lstmCellForward(P(a), P(c), P(tanhC), P(h), P(cPrev), 1, H);
  };

  const kernels: NativeKernels = {
    ...w,
    name: "native",
    isa,
    get threads() { return pool.threads; },
    gemm,
    lstmCellForward,
    lstmCellBackward,
    allocRecurrentPack: (H: number): RecurrentPack => new NativePack(H, base + arena.reserve(n.recurrentPackFloats(H) * 4), owner),
    packRecurrent: (pack, Whh, pass) => n.packRecurrent(P(Whh), pack.H, packPtr(pack, pack.H), pass === "backward" ? 1 : 0),
    lstmStepForward,
    lstmStepBackward,
    lstmStep1,
    softmaxXent: (logits, targets, R, V, scale) => n.softmaxXent(P(logits), P(targets), R, V, scale),
    adam: (p, g, m, v, len, lr, beta1, beta2, eps, bc1, bc2) => n.adam(P(p), P(g), P(m), P(v), len, lr, beta1, beta2, eps, bc1, bc2),
    rmsprop: (p, g, v, len, lr, alpha, eps) => n.rmsprop(P(p), P(g), P(v), len, lr, alpha, eps),
    adagrad: (p, g, v, len, lr, eps) => n.adagrad(P(p), P(g), P(v), len, lr, eps),
    sgd: (p, g, m, len, lr, momentum) => n.sgd(P(p), P(g), P(m), len, lr, momentum),
    stats: () => w.stats(),
    dispose: () => w.dispose(),
    peakGflops: (ms = 200) => n.peakGflops(ms),
  };
  return kernels;
}
