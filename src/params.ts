// All parameters in one flat buffer, laid out by one ordered spec table (llm.c's ParameterTensors).
//
// The spec table is the single source of truth for names, shapes, offsets, init and checkpoint order.
// Names and shapes are exactly a PyTorch state_dict of
//     lstm = nn.LSTM(input_size=V, hidden_size=H, num_layers=L); head = nn.Linear(H, V)
// so checkpoints load into PyTorch as they are:
//     lstm.weight_ih_l{k} (4H, D_k)   D_0 = V, D_k = H      rows in gate order i, f, g, o
//     lstm.weight_hh_l{k} (4H, H)
//     lstm.bias_ih_l{k}   (4H)        PyTorch keeps two biases; the gates see b_ih + b_hh
//     lstm.bias_hh_l{k}   (4H)
//     head.weight         (V, H)
//     head.bias           (V)
// Each tensor starts on a 16-float (64-byte) boundary so SIMD kernels see aligned rows; the padding
// between tensors is zero in params, grads and moments alike, so whole-buffer loops (zero-grad, clipping,
// optimizer updates) need not skip it.

import type { ModelConfig } from "./config.js";
import type { FloatArray } from "./kernels/types.js";
import type { Rng } from "./rng.js";

export interface ParamSpec {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface LayerViews {
  /** (4H, D) */ Wih: FloatArray;
  /** (4H, H) */ Whh: FloatArray;
  /** (4H) */ bih: FloatArray;
  /** (4H) */ bhh: FloatArray;
}

export interface ParamViews {
  layers: LayerViews[];
  /** (V, H) */ Wy: FloatArray;
  /** (V) */ by: FloatArray;
}

const ALIGN = 16;

export function paramSpec(m: ModelConfig): { specs: ParamSpec[]; total: number } {
  const { vocabSize: V, hidden: H, layers: L } = m;
  const shapes: [string, number[]][] = [];
  for (let k = 0; k < L; k++) {
    const D = k === 0 ? V : H;
    shapes.push([`lstm.weight_ih_l${k}`, [4 * H, D]], [`lstm.weight_hh_l${k}`, [4 * H, H]],
                [`lstm.bias_ih_l${k}`, [4 * H]], [`lstm.bias_hh_l${k}`, [4 * H]]);
  }
  shapes.push(["head.weight", [V, H]], ["head.bias", [V]]);
  const specs: ParamSpec[] = [];
  let offset = 0;
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, size });
    offset += Math.ceil(size / ALIGN) * ALIGN;
  }
  return { specs, total: offset };
}

/** Named subarray views of a flat buffer laid out by `specs` (params, grads and moments alike). */
export function paramViews(buf: FloatArray, specs: ParamSpec[], layers: number): ParamViews {
  const view = (i: number) => buf.subarray(specs[i].offset, specs[i].offset + specs[i].size);
  const ls: LayerViews[] = [];
  for (let k = 0; k < layers; k++) ls.push({ Wih: view(4 * k), Whh: view(4 * k + 1), bih: view(4 * k + 2), bhh: view(4 * k + 3) });
  return { layers: ls, Wy: view(4 * layers), by: view(4 * layers + 1) };
}

/** Number of trainable parameters (padding excluded). */
export function paramCount(specs: ParamSpec[]): number {
  return specs.reduce((a, s) => a + s.size, 0);
}

/** What a fresh model's init depends on besides the seed (TrainConfig.forgetBias). */
export interface InitOptions {
  /** Added to the forget-gate slice [H, 2H) of every bias_ih after the uniform draw; 0 = PyTorch exactly. */
  forgetBias?: number;
}

/**
 * PyTorch's init bound for every tensor of the model, 1/√H. nn.LSTM's reset_parameters draws every weight
 * and bias from U(−1/√H, 1/√H); nn.Linear(H, V) draws its weight by kaiming_uniform_(a=√5), whose bound
 * √3·√(2/(1+5))/√fan_in is exactly 1/√fan_in, and its bias from U(−1/√fan_in, 1/√fan_in), with fan_in = H.
 */
export function initBound(hidden: number): number {
  return 1 / Math.sqrt(hidden);
}

/**
 * Fill `out` (a whole tensor or any part of one, e.g. the new rows of an extended vocabulary) with
 * U(−1/√H, 1/√H) drawn from `rng` in index order. A whole `lstm.bias_ih_*` tensor (4H long) then gets
 * `forgetBias` added to its forget slice [H, 2H).
 */
export function initTensor(out: FloatArray, name: string, hidden: number, rng: Rng, opts: InitOptions = {}): void {
  const k = initBound(hidden);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-k, k);
  const fb = opts.forgetBias ?? 0;
  if (fb !== 0 && name.startsWith("lstm.bias_ih_") && out.length === 4 * hidden) {
    for (let i = hidden; i < 2 * hidden; i++) out[i] += fb;
  }
}

/**
 * A fresh model, exactly as PyTorch initializes nn.LSTM + nn.Linear: every tensor in spec order from one
 * stream of `rng` (initTensor), padding zero. No forget-gate offset unless opts.forgetBias asks for one
 * (measured here, +1 costs 0.07–0.10 bits/char at 500–1500 steps).
 */
export function initParams(buf: FloatArray, specs: ParamSpec[], m: ModelConfig, rng: Rng, opts: InitOptions = {}): void {
  buf.fill(0);
  for (const s of specs) initTensor(buf.subarray(s.offset, s.offset + s.size), s.name, m.hidden, rng, opts);
}
