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
//   rounded up to 16; see nn/lstm.ts) + (2L + 1)·4H·H masked W_hh, masks and gradient scratch (weight-drop)
// e.g. 2×256, B=32, T=64, V=80: ≈ 10.4 M floats = 42 MB; params 0.8 M floats each for p, grad, m, v.

import type { ModelConfig } from "./config.js";
import type { FloatArray, Kernels } from "./kernels/types.js";
import { linearBackward, linearForward } from "./nn/linear.js";
import { allocLSTMCache, lstmBackward, lstmForward, type LSTMCache, type LSTMInput } from "./nn/lstm.js";
import { softmaxXentForwardBackward } from "./nn/softmax_xent.js";
import { initParams, paramCount, paramSpec, paramViews, type InitOptions, type LayerViews, type ParamSpec, type ParamViews } from "./params.js";
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
  /**
   * Weight-drop (ForwardOptions.weightDrop), allocated on its first use: per layer W_hh ⊙ mask (4H, H), the
   * mask (0 or 1/(1−p)), and one (4H, H) scratch for the masked weights' gradient.
   */
  whhDrop: FloatArray[];
  whhMasks: FloatArray[];
  dWhh: FloatArray | null;
  /** Whether the last forward used the masked W_hh (backward must too). */
  weightDropped: boolean;
}

export interface ForwardOptions {
  /** Training mode: dropout on (when the model has dropout), using this RNG for the masks. */
  rng?: Rng;
  /** The parameters are unchanged since this workspace's previous forward (generation): reuse its packed W_hh. */
  frozen?: boolean;
  /**
   * Training mode only (with rng): DropConnect on every layer's recurrent weights (AWD-LSTM's WeightDrop):
   * each element of W_hh is kept with probability 1 − p and scaled by 1/(1−p), one mask per layer and
   * forward, shared by the batch and every step of the window. Evaluation and sampling use W_hh as it is.
   */
  weightDrop?: number;
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
      whhDrop: [], whhMasks: [], dWhh: null, weightDropped: false,
    };
  }

  /** The input each layer saw in the last forward: tokens, a layer's output, or its dropped-out copy. */
  private layerInput(ws: Workspace, l: number, T: number): LSTMInput {
    const { B } = ws, H = this.config.hidden;
    if (l === 0) return ws.x.subarray(0, T * B);
    if (ws.dropped) return ws.dropIn[l - 1].subarray(0, T * B * H);
    return ws.caches[l - 1].h.subarray(B * H, (T + 1) * B * H);
  }

  /** A layer's weights as the last forward used them: W_hh masked under weight-drop. */
  private layerWeights(ws: Workspace, l: number): LayerViews {
    return ws.weightDropped ? { ...this.p.layers[l], Whh: ws.whhDrop[l] } : this.p.layers[l];
  }

  /** Logits (T, B, V) into ws.logits from ws.x and the carried state in slot 0 of every cache. */
  forward(ws: Workspace, T: number, opts: ForwardOptions = {}): void {
    if (T < 1 || T > ws.Tmax) throw new RangeError(`window of ${T} steps does not fit a workspace of ${ws.Tmax}`);
    const k = this.kernels, { B } = ws, { hidden: H, layers: L, vocabSize: V, dropout } = this.config;
    const N = T * B;
    ws.dropped = dropout > 0 && opts.rng !== undefined;
    const wd = opts.rng !== undefined ? opts.weightDrop ?? 0 : 0;
    ws.weightDropped = wd > 0;
    if (ws.weightDropped && !ws.whhDrop.length) {
      ws.whhDrop = Array.from({ length: L }, () => k.alloc(4 * H * H));
      ws.whhMasks = Array.from({ length: L }, () => k.alloc(4 * H * H));
      ws.dWhh = k.alloc(4 * H * H);
    }
    for (let l = 0; l < L; l++) {
      if (ws.weightDropped) {
        // W_hh' = W_hh ⊙ mask, this layer's mask drawn before its forward (the order the GPU engine replays)
        const mask = ws.whhMasks[l], keep = 1 - wd;
        opts.rng!.keepMask(mask, 4 * H * H, keep, 1 / keep);
        k.mul(ws.whhDrop[l], this.p.layers[l].Whh, mask, 4 * H * H);
      }
      lstmForward(k, ws.caches[l], this.layerInput(ws, l, T), this.layerWeights(ws, l), { B, T, D: l === 0 ? V : H, H }, opts.frozen);
      if (ws.dropped && l < L - 1) {
        // inverted dropout on this layer's output, as nn.LSTM(dropout=p) does between layers
        const mask = ws.masks[l], keep = 1 - dropout;
        opts.rng!.keepMask(mask, N * H, keep, 1 / keep);   // rng.nextFloat() < keep per element, in order
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
      // under weight-drop the layer ran on W_hh' = W_hh ⊙ mask: its gradient goes to a scratch, then
      // ∂L/∂W_hh = ∂L/∂W_hh' ⊙ mask joins the gradient buffer
      const grads = ws.weightDropped ? { ...this.g.layers[l], Whh: ws.dWhh!.fill(0) } : this.g.layers[l];
      lstmBackward(k, { dx, dh0: ws.dh0[l], dc0: ws.dc0[l], dA: ws.dA }, grads, ws.dH[cur].subarray(0, N * H),
                   ws.caches[l], this.layerInput(ws, l, T), this.layerWeights(ws, l), { B, T, D: l === 0 ? V : H, H });
      if (ws.weightDropped) {
        const d = ws.dWhh!, gW = this.g.layers[l].Whh;
        k.mul(d, d, ws.whhMasks[l], d.length);
        for (let i = 0; i < d.length; i++) gW[i] += d[i];
      }
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
