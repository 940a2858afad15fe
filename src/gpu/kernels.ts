// One function per WGSL kernel (wgsl/*.ts): it makes the kernel's uniform block and returns a Dispatch
// over the given buffers. The engine strings these into a training step; the kernel tests call them one
// at a time against the js reference. Offsets and sizes are in elements (f32 or i32), never bytes.

import { strideGroups, type Dispatch, type GpuKit } from "./kit.js";
import { dropoutBackWgsl, dropoutWgsl } from "./wgsl/dropout.js";
import { gatherWgsl } from "./wgsl/gather.js";
import { lstmBackwardWgsl } from "./wgsl/lstm_backward.js";
import { lstmForwardWgsl } from "./wgsl/lstm_forward.js";
import { matmulWgsl } from "./wgsl/matmul.js";
import { lossReduceWgsl, normFinalWgsl, sumSquaresWgsl } from "./wgsl/reduce.js";
import { scatterColsWgsl } from "./wgsl/scatter_cols.js";
import { carryWgsl, settleWgsl } from "./wgsl/settle.js";
import { softmaxXentWgsl } from "./wgsl/softmax_xent.js";
import { ROWS_PER_CHUNK, sumRowsPartialWgsl, sumRowsWgsl } from "./wgsl/sum_rows.js";
import { OPTIMIZER_CODES, updateWgsl } from "./wgsl/update.js";
import type { OptimizerName, ClipMode } from "../config.js";

/** A buffer and an element offset into it. */
export interface At {
  buf: GPUBuffer;
  off?: number;
}

const cdiv = (a: number, b: number) => Math.ceil(a / b);

export interface MatmulArgs {
  M: number; N: number; K: number;
  A: At; B: At; C: At;
  transA?: boolean; transB?: boolean;
  /** 1: C += op(A)op(B); 0: C = op(A)op(B). */ beta?: 0 | 1;
  /** Bias vectors (N) added per column after the product, in order (at most two, in one buffer). */
  bias?: { buf: GPUBuffer; offs: number[] };
}

/** C = beta·C + op(A)·op(B) (+ biases): Kernels.gemm (+ addBias), tiled 64×64 (wgsl/matmul.ts). */
export function matmul(kit: GpuKit, a: MatmulArgs): Dispatch {
  const offs = a.bias?.offs ?? [];
  const u = kit.uniform([a.M, a.N, a.K, a.A.off ?? 0, a.B.off ?? 0, a.C.off ?? 0, a.transA ? 1 : 0, a.transB ? 1 : 0,
                         a.beta ?? 0, offs.length, offs[0] ?? 0, offs[1] ?? 0], "matmul");
  return kit.dispatch(matmulWgsl, [a.A.buf, a.B.buf, a.C.buf, a.bias?.buf ?? a.B.buf, u], [cdiv(a.N, 64), cdiv(a.M, 64)]);
}

/** gates (R, G) = W_ih[:, x_r] + b_ih + b_hh (wgsl/gather.ts); W, b_ih, b_hh at offsets of `params`. */
export function gather(kit: GpuKit, params: GPUBuffer, offs: { W: number; b1: number; b2: number }, x: GPUBuffer, gates: GPUBuffer,
                       R: number, G: number, V: number): Dispatch {
  const { groups, stride } = strideGroups(R * G);
  const u = kit.uniform([R, G, V, offs.W, offs.b1, offs.b2, stride], "gather");
  return kit.dispatch(gatherWgsl, [params, x, gates, u], [groups]);
}

/**
 * dW (G, V) at dwOff: column x_r += d row r, for the positions grouped by token in `order`
 * (wgsl/scatter_cols.ts tokenOrder: V+1 offsets, then R positions).
 */
export function scatterCols(kit: GpuKit, dW: GPUBuffer, dwOff: number, d: GPUBuffer, order: GPUBuffer, G: number, V: number): Dispatch {
  const u = kit.uniform([G, V, dwOff], "scatter");
  return kit.dispatch(scatterColsWgsl, [dW, d, order, u], [cdiv(G, 64), V]);
}

/** Floats of scratch sumRows needs for R rows of N columns. */
export const sumRowsScratch = (R: number, N: number): number => cdiv(R, ROWS_PER_CHUNK) * N;

/** db at o1 (and o2) += Σ_r d (R, N) from dOff, in two fixed-order passes through `scratch` (wgsl/sum_rows.ts). */
export function sumRows(kit: GpuKit, db: GPUBuffer, outs: number[], d: GPUBuffer, dOff: number, R: number, N: number, scratch: GPUBuffer): Dispatch[] {
  const chunks = cdiv(R, ROWS_PER_CHUNK);
  return [
    kit.dispatch(sumRowsPartialWgsl, [scratch, d, kit.uniform([R, N, dOff], "sumRows1")], [cdiv(N, 64), chunks]),
    kit.dispatch(sumRowsWgsl, [db, scratch, kit.uniform([N, chunks, outs[0], outs[1] ?? outs[0], outs.length > 1 ? 1 : 0], "sumRows2")], [cdiv(N, 64)]),
  ];
}

export interface LayerBuffers {
  /** (T, B, 4H) */ gates: GPUBuffer;
  /** (T+1, B, H) */ h: GPUBuffer;
  /** (T+1, B, H) */ c: GPUBuffer;
  /** (T, B, H) */ tanhC: GPUBuffer;
}

/** Step t of a layer forward: recurrent product + cell (wgsl/lstm_forward.ts); W_hh at whhOff of params. */
export function lstmForwardStep(kit: GpuKit, params: GPUBuffer, whhOff: number, L: LayerBuffers, B: number, H: number, t: number): Dispatch {
  const u = kit.uniform([B, H, t, whhOff], "lstmF");
  return kit.dispatch(lstmForwardWgsl, [params, L.gates, L.h, L.c, L.tanhC, u], [cdiv(H, 16), cdiv(B, 16)]);
}

/** Step t of a layer backward (wgsl/lstm_backward.ts): dA_t from dout_t, dA_{t+1}, dc. */
export function lstmBackwardStep(kit: GpuKit, params: GPUBuffer, whhOff: number, L: LayerBuffers, dA: GPUBuffer, dout: GPUBuffer,
                                 dc: GPUBuffer, B: number, H: number, T: number, t: number): Dispatch {
  const u = kit.uniform([B, H, t, T, whhOff], "lstmB");
  return kit.dispatch(lstmBackwardWgsl, [params, dA, dout, L.gates, L.c, L.tanhC, dc, u], [cdiv(H, 16), cdiv(B, 16)]);
}

/** dst (n) = src[srcOff..] ⊙ mask, the mask bits from word wordOff of `bits` (wgsl/dropout.ts); also W_hh' under weight-drop. */
export function dropoutForward(kit: GpuKit, src: GPUBuffer, srcOff: number, dst: GPUBuffer, bits: GPUBuffer, wordOff: number, n: number, scale: number): Dispatch {
  const { groups, stride } = strideGroups(n);
  const u = kit.uniform([n, srcOff, wordOff, { f: scale }, stride], "dropout");
  return kit.dispatch(dropoutWgsl, [src, dst, bits, u], [groups]);
}

/** dx (n) ⊙= mask. */
export function dropoutBackward(kit: GpuKit, dx: GPUBuffer, bits: GPUBuffer, wordOff: number, n: number, scale: number, dxOff = 0): Dispatch {
  const { groups, stride } = strideGroups(n);
  const u = kit.uniform([n, dxOff, wordOff, { f: scale }, stride], "dropoutB");
  return kit.dispatch(dropoutBackWgsl, [dx, bits, u], [groups]);
}

/** Row losses (R) and logits → scale·(softmax − onehot) (wgsl/softmax_xent.ts). */
export function softmaxXent(kit: GpuKit, logits: GPUBuffer, y: GPUBuffer, rowLoss: GPUBuffer, R: number, V: number, scale: number): Dispatch {
  const rowsX = Math.min(R, 65535);
  const u = kit.uniform([R, V, { f: scale }, rowsX], "xent");
  return kit.dispatch(softmaxXentWgsl, [logits, y, rowLoss, u], [rowsX, cdiv(R, rowsX)]);
}

/** ctl.loss = mean of R row losses, ctl.lossBad (wgsl/reduce.ts). */
export function lossReduce(kit: GpuKit, rowLoss: GPUBuffer, ctl: GPUBuffer, R: number): Dispatch {
  return kit.dispatch(lossReduceWgsl, [rowLoss, ctl, kit.uniform([R], "lossReduce")], [1]);
}

/** The partial-sum count for a global norm over n floats (fixed per n: the order of the sums). */
export function normPartials(n: number): { W: number; chunk: number } {
  const W = Math.max(1, Math.min(1024, Math.ceil(n / 4096)));
  return { W, chunk: Math.ceil(n / W) };
}

/** ctl.norm = ‖g‖₂ over n floats, ctl.normBad; two passes through `partial` (normPartials(n).W floats). */
export function globalNorm(kit: GpuKit, g: GPUBuffer, n: number, partial: GPUBuffer, ctl: GPUBuffer): Dispatch[] {
  const { W, chunk } = normPartials(n);
  return [kit.dispatch(sumSquaresWgsl, [g, partial, kit.uniform([n, chunk], "sumsq")], [W]),
          kit.dispatch(normFinalWgsl, [partial, ctl, kit.uniform([W], "normFinal")], [1])];
}

export interface UpdateHyper {
  optimizer: OptimizerName; clip: number; clipMode: ClipMode; beta1: number; beta2: number; eps: number; momentum: number;
  /** AdamW's decoupled decay (absent: 0). */
  weightDecay?: number;
}

/** Clip + optimizer update over n floats (wgsl/update.ts); the rate comes from the per-step uniform. */
export function update(kit: GpuKit, bufs: { p: GPUBuffer; g: GPUBuffer; m: GPUBuffer; v: GPUBuffer; ctl: GPUBuffer; step: GPUBuffer },
                       n: number, h: UpdateHyper): Dispatch {
  const { groups, stride } = strideGroups(n);
  const u = kit.uniform([n, OPTIMIZER_CODES[h.optimizer], h.clipMode === "value" ? 1 : 0, stride, { f: h.clip }, { f: h.beta1 },
                         { f: h.beta2 }, { f: h.eps }, { f: h.momentum }, { f: h.weightDecay ?? 0 }], "update");
  return kit.dispatch(updateWgsl, [bufs.p, bufs.g, bufs.m, bufs.v, bufs.ctl, u, bufs.step], [groups]);
}

/** The non-finite-step counters (wgsl/settle.ts). */
export function settle(kit: GpuKit, ctl: GPUBuffer): Dispatch {
  return kit.dispatch(settleWgsl, [ctl], [1]);
}

/** Slot 0 of h and c ← slot T, or zero after a bad step or at an epoch's end (wgsl/settle.ts). */
export function carry(kit: GpuKit, L: LayerBuffers, ctl: GPUBuffer, step: GPUBuffer, S: number, T: number): Dispatch {
  return kit.dispatch(carryWgsl, [L.h, L.c, ctl, kit.uniform([S, T], "carry"), step], [cdiv(S, 256)]);
}
