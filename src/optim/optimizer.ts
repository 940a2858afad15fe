// Optimizers over the flat parameter buffer: Adam (default), RMSprop, Adagrad, SGD with momentum.
//
// Each keeps its moments in flat buffers with the parameters' layout, so one kernel call updates the whole
// model and a checkpoint saves a moment as one more set of tensors. Formulas follow torch.optim.

import type { OptimizerName } from "../config.js";
import type { FloatArray, Kernels } from "../kernels/types.js";

export interface OptimizerHyper {
  beta1: number;
  beta2: number;
  eps: number;
  momentum: number;
  /**
   * AdamW's decoupled weight decay λ (Loshchilov & Hutter; torch.optim.AdamW): every update first shrinks
   * each parameter, p ← p·(1 − lr·λ), then takes the Adam step. 0: plain Adam. Adam only (validateTrain).
   */
  weightDecay?: number;
}

export class Optimizer {
  readonly kind: OptimizerName;
  /** Update count (Adam's bias-correction t). */
  t = 0;
  /** First moment (Adam m, SGD momentum buffer); unused by RMSprop and Adagrad. */
  readonly m: FloatArray;
  /** Second moment (Adam v, RMSprop square average, Adagrad sum of squares). */
  readonly v: FloatArray;
  private readonly k: Kernels;
  private readonly hyper: OptimizerHyper;

  constructor(kind: OptimizerName, kernels: Kernels, size: number, hyper: OptimizerHyper) {
    this.kind = kind;
    this.k = kernels;
    this.hyper = hyper;
    this.m = kernels.alloc(kind === "adam" || kind === "sgd" ? size : 0);
    this.v = kernels.alloc(kind === "sgd" ? 0 : size);
  }

  /** The moment buffers that a checkpoint must carry, by tensor-name prefix. */
  moments(): [string, FloatArray][] {
    const out: [string, FloatArray][] = [];
    if (this.m.length) out.push(["m", this.m]);
    if (this.v.length) out.push(["v", this.v]);
    return out;
  }

  step(params: FloatArray, grads: FloatArray, lr: number): void {
    const n = params.length, { beta1, beta2, eps, momentum } = this.hyper, k = this.k;
    this.t++;
    switch (this.kind) {
      case "adam":
        if (this.hyper.weightDecay) k.scale(params, 1 - lr * this.hyper.weightDecay, n);
        k.adam(params, grads, this.m, this.v, n, lr, beta1, beta2, eps, 1 - beta1 ** this.t, 1 - beta2 ** this.t);
        break;
      case "rmsprop":
        k.rmsprop(params, grads, this.v, n, lr, beta2, eps);
        break;
      case "adagrad":
        k.adagrad(params, grads, this.v, n, lr, eps);
        break;
      case "sgd":
        k.sgd(params, grads, this.m, n, lr, momentum);
        break;
    }
  }
}
