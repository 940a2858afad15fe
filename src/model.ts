// CharLSTM: one-hot input → L stacked LSTM layers → linear head → softmax cross-entropy.
//
// Parameters and gradients are two flat buffers laid out by the spec table of params.ts, with named views.
// Activations live in a Workspace allocated once per (B, Tmax) and reused every step; a window may be
// shorter than Tmax (the last window of an eval pass), never longer.
//
// Training step, in the caller's order:
//   model.zeroGrad(); model.forward(ws, T, {rng}); loss = model.loss(ws, T); model.backward(ws, T);
//   …clip and update…; model.carryState(ws, T)
//
// Workspace size in floats, for L layers (U = Tmax·B):
//   L·(7·U·H + 2·B·H) caches + U·V logits + 4·U·H backward scratch + 2·U·H ping-pong
//   + 2·(L−1)·U·H dropout inputs and masks (only when dropout > 0) + L·4H·H16 packed W_hh (B > 1, H16 = H
//   rounded up to 16; see nn/lstm.ts)
// e.g. 2×256, B=32, T=64, V=80: ≈ 10.4 M floats = 42 MB; params 0.8 M floats each for p, grad, m, v.

import type { ModelConfig } from "./config.js";
import type { FloatArray, Kernels } from "./kernels/types.js";
import { linearBackward, linearForward } from "./nn/linear.js";
import { allocLSTMCache, lstmBackward, lstmForward, type LSTMCache, type LSTMInput } from "./nn/lstm.js";
import { softmaxXentForwardBackward } from "./nn/softmax_xent.js";
import { initParams, paramCount, paramSpec, paramViews, type InitOptions, type ParamSpec, type ParamViews } from "./params.js";
import type { Rng } from "./rng.js";

export interface Workspace {
  readonly B: number;
  readonly Tmax: number;
  /** (Tmax, B) input tokens, time-major: x[t·B + b]. */ readonly x: Int32Array;
  /** (Tmax, B) target tokens. */ readonly y: Int32Array;
  readonly caches: LSTMCache[];
  /** (Tmax, B, V): logits after forward; ∂loss/∂logits after loss(). */ readonly logits: FloatArray;
  /** Per layer (B, H): ∂L/∂h_{-1} and ∂L/∂c_{-1} after backward. */ readonly dh0: FloatArray[];
  readonly dc0: FloatArray[];
  /** (Tmax, B, 4H) backward scratch, shared by the layers. */ readonly dA: FloatArray;
  /** Two (Tmax, B, H) buffers for ∂L/∂h flowing down the stack. */ readonly dH: [FloatArray, FloatArray];
  /** Per layer l ≥ 1 (index l−1): the dropped-out input (Tmax, B, H) and its mask (0 or 1/(1−p)). */
  readonly dropIn: FloatArray[];
  readonly masks: FloatArray[];
  /** Whether the last forward applied dropout (backward must then apply the same masks). */
  dropped: boolean;
}

export interface ForwardOptions {
  /** Training mode: dropout on (when the model has dropout), using this RNG for the masks. */
  rng?: Rng;
  /** The parameters are unchanged since this workspace's previous forward (generation): reuse its packed W_hh. */
  frozen?: boolean;
}

export class CharLSTM {
  readonly config: ModelConfig;
  readonly kernels: Kernels;
  readonly specs: ParamSpec[];
  /** Flat parameter buffer, spec-table layout. */ readonly params: FloatArray;
  /** Flat gradient buffer, same layout. */ readonly grads: FloatArray;
  readonly p: ParamViews;
  readonly g: ParamViews;

  /** A model with PyTorch's init drawn from `rng` (params.ts initParams), or all zeros (to be loaded) without one. */
  constructor(config: ModelConfig, kernels: Kernels, rng?: Rng, init: InitOptions = {}) {
    this.config = { ...config };
    this.kernels = kernels;
    const { specs, total } = paramSpec(config);
    this.specs = specs;
    this.params = kernels.alloc(total);
    this.grads = kernels.alloc(total);
    this.p = paramViews(this.params, specs, config.layers);
    this.g = paramViews(this.grads, specs, config.layers);
    if (rng) initParams(this.params, specs, config, rng, init);
  }

  /** Trainable parameters (excluding alignment padding). */
  get numParams(): number {
    return paramCount(this.specs);
  }

  workspace(B: number, Tmax: number): Workspace {
    const k = this.kernels, { hidden: H, layers: L, vocabSize: V, dropout } = this.config;
    const U = Tmax * B;
    const drop = dropout > 0 ? L - 1 : 0;
    return {
      B, Tmax,
      x: k.allocInt(U), y: k.allocInt(U),
      caches: Array.from({ length: L }, () => allocLSTMCache(k, Tmax, B, H)),
      logits: k.alloc(U * V),
      dh0: Array.from({ length: L }, () => k.alloc(B * H)),
      dc0: Array.from({ length: L }, () => k.alloc(B * H)),
      dA: k.alloc(U * 4 * H),
      dH: [k.alloc(U * H), k.alloc(U * H)],
      dropIn: Array.from({ length: drop }, () => k.alloc(U * H)),
      masks: Array.from({ length: drop }, () => k.alloc(U * H)),
      dropped: false,
    };
  }

  /** The input each layer saw in the last forward: tokens, a layer's output, or its dropped-out copy. */
  private layerInput(ws: Workspace, l: number, T: number): LSTMInput {
    const { B } = ws, H = this.config.hidden;
    if (l === 0) return ws.x.subarray(0, T * B);
    if (ws.dropped) return ws.dropIn[l - 1].subarray(0, T * B * H);
    return ws.caches[l - 1].h.subarray(B * H, (T + 1) * B * H);
  }

  /** Logits (T, B, V) into ws.logits from ws.x and the carried state in slot 0 of every cache. */
  forward(ws: Workspace, T: number, opts: ForwardOptions = {}): void {
    if (T < 1 || T > ws.Tmax) throw new RangeError(`window of ${T} steps does not fit a workspace of ${ws.Tmax}`);
    const k = this.kernels, { B } = ws, { hidden: H, layers: L, vocabSize: V, dropout } = this.config;
    const N = T * B;
    ws.dropped = dropout > 0 && opts.rng !== undefined;
    for (let l = 0; l < L; l++) {
      lstmForward(k, ws.caches[l], this.layerInput(ws, l, T), this.p.layers[l], { B, T, D: l === 0 ? V : H, H }, opts.frozen);
      if (ws.dropped && l < L - 1) {
        // inverted dropout on this layer's output, as nn.LSTM(dropout=p) does between layers
        const mask = ws.masks[l], keep = 1 - dropout, scale = 1 / keep, rng = opts.rng!;
        for (let i = 0; i < N * H; i++) mask[i] = rng.nextFloat() < keep ? scale : 0;
        k.mul(ws.dropIn[l], ws.caches[l].h.subarray(B * H, (T + 1) * B * H), mask, N * H);
      }
    }
    const top = ws.caches[L - 1].h.subarray(B * H, (T + 1) * B * H);
    linearForward(k, ws.logits.subarray(0, N * V), top, this.p.Wy, this.p.by, { R: N, D: H, V });
  }

  /** Mean cross-entropy (nats) of ws.logits against ws.y; leaves ∂loss/∂logits in ws.logits. */
  loss(ws: Workspace, T: number): number {
    const N = T * ws.B;
    return softmaxXentForwardBackward(this.kernels, ws.logits.subarray(0, N * this.config.vocabSize), ws.y.subarray(0, N),
                                      N, this.config.vocabSize) / N;
  }

  /**
   * Accumulates ∂loss/∂θ into this.grads (call after loss()). Truncated BPTT: no gradient enters from
   * beyond the window; ws.dh0/dc0 receive the gradient w.r.t. the carried-in state.
   */
  backward(ws: Workspace, T: number): void {
    const k = this.kernels, { B } = ws, { hidden: H, layers: L, vocabSize: V } = this.config;
    const N = T * B;
    let cur = 0;
    const top = ws.caches[L - 1].h.subarray(B * H, (T + 1) * B * H);
    linearBackward(k, ws.dH[cur].subarray(0, N * H), this.g.Wy, this.g.by, ws.logits.subarray(0, N * V), top, this.p.Wy, { R: N, D: H, V });
    for (let l = L - 1; l >= 0; l--) {
      ws.dh0[l].fill(0);
      ws.dc0[l].fill(0);
      const dx = l > 0 ? ws.dH[1 - cur].subarray(0, N * H) : null;
      lstmBackward(k, { dx, dh0: ws.dh0[l], dc0: ws.dc0[l], dA: ws.dA }, this.g.layers[l], ws.dH[cur].subarray(0, N * H),
                   ws.caches[l], this.layerInput(ws, l, T), this.p.layers[l], { B, T, D: l === 0 ? V : H, H });
      if (dx) {
        if (ws.dropped) k.mul(dx, dx, ws.masks[l - 1], N * H);   // inverts: dropIn = h ⊙ mask
        cur = 1 - cur;
      }
    }
  }

  zeroGrad(): void {
    this.grads.fill(0);
  }

  /** Carry (h, c) of the last step of a T-step window into slot 0 for the next window. */
  carryState(ws: Workspace, T: number): void {
    const S = ws.B * this.config.hidden;
    for (const c of ws.caches) {
      c.h.copyWithin(0, T * S, (T + 1) * S);
      c.c.copyWithin(0, T * S, (T + 1) * S);
    }
  }

  /** Zero the carried state (epoch start, evaluation start). */
  resetState(ws: Workspace): void {
    const S = ws.B * this.config.hidden;
    for (const c of ws.caches) {
      c.h.fill(0, 0, S);
      c.c.fill(0, 0, S);
    }
  }
}
