// The WebGPU training engine: the CPU Trainer's step (model.ts + nn/*.ts + optim/*.ts), step for step, as
// WGSL dispatches over GPU-resident weights, gradients, moments, activations and carried state — as
// llm.c's train_gpt2.cu mirrors train_gpt2.c. The Trainer (train.ts) keeps driving the run: data cursor,
// RNG, schedule, bookkeeping and checkpoints; this file only runs steps (the StepEngine seam).
//
// One step = one command buffer:
//   clear grads
//   forward   layer 0: gather W_ih[:, x] + b_ih + b_hh → T × lstmForwardStep
//             layer l ≥ 1: [dropout of layer l−1's output] → one matmul over all T·B positions (+ biases)
//                          → T × lstmForwardStep
//             head: one matmul (+ b_y) → softmaxXent (row losses, dlogits in place) → loss reduction
//   backward  head: dW_y += dlogitsᵀ h, db_y, dh = dlogits W_y
//             layer l = L−1 … 0: T × lstmBackwardStep (t = T−1 … 0) → dW_hh += dAᵀ h_{t−1} (one matmul
//             over the window) → db_ih, db_hh → dW_ih (a scatter for the one-hot layer, else a matmul)
//             and dx = dA W_ih [⊙ mask]
//   norm      two-pass global L2 norm (fixed order) → ctl.norm, ctl.normBad
//   update    clip + optimizer, skipped on a non-finite step → settle (counters) → carry (h, c)
//   copy ctl (32 bytes) to a staging buffer of a ring of four, mapped asynchronously
// The host writes only the window's tokens (and their positions sorted by token, for dW_ih), the dropout
// mask bits and the step's learning rate (queue writes, ordered before the submit). Nothing is waited on
// per step: submit() returns a promise of the step's loss and norm, which the Trainer collects a step or
// two later. The column sums (bias gradients) go through a scratch of ⌈T·B/256⌉·max(4H, V) floats.
//
// Memory (floats): params, grads and 0–2 moments of P each; per layer gates 4·T·B·H + h, c (T+1)·B·H +
// tanhC T·B·H; logits T·B·V; dA T·B·4H; two dH T·B·H; dropout inputs (L−1)·T·B·H (with dropout); L masked
// copies W_hh' of 4H·H (with weight-drop: each layer's step kernels read W_hh' = W_hh ⊙ mask, made by the
// dropout kernel at the start of its forward, and its dW_hh slice is masked the same way after backward).

import type { ModelConfig, TrainConfig } from "../config.js";
import { paramSpec } from "../params.js";
import type { EngineState, StepEngine, StepOutcome } from "../train.js";
import type { GpuDevice } from "./device.js";
import { carry, dropoutBackward, dropoutForward, gather, globalNorm, lossReduce, lstmBackwardStep, lstmForwardStep, matmul,
         normPartials, scatterCols, settle, softmaxXent, sumRows, sumRowsScratch, update, type LayerBuffers } from "./kernels.js";
import { tokenOrder } from "./wgsl/scatter_cols.js";
import { GpuKit, MAP_READ, type Dispatch } from "./kit.js";
import { CTL, CTL_WORDS } from "./wgsl/common.js";

const RING = 4;

/** The run settings the engine bakes into its dispatches. */
export type EngineConfig = Pick<TrainConfig, "batch" | "seq" | "optimizer" | "clip" | "clipMode" | "beta1" | "beta2" | "eps" | "momentum">
  & Partial<Pick<TrainConfig, "weightDecay" | "weightDrop">>;

export class GpuEngine implements StepEngine {
  readonly label: string;
  readonly gpu: GpuDevice;
  private readonly kit: GpuKit;
  private readonly m: ModelConfig;
  private readonly B: number;
  private readonly T: number;
  private readonly P: number;
  private readonly kinds: string[];
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly moments: Map<string, GPUBuffer>;
  private readonly layers: LayerBuffers[];
  private readonly x: GPUBuffer;
  private readonly y: GPUBuffer;
  /** The window's positions grouped by token, for dW_ih (host-sorted, wgsl/scatter_cols.ts). */
  private readonly order: GPUBuffer;
  private readonly orderHost: Uint32Array;
  private readonly bits: GPUBuffer | null;
  private readonly words: number;
  /** Weight-drop mask bits, L layers of whhWords each (null without weight-drop). */
  private readonly whhBits: GPUBuffer | null;
  private readonly whhWords: number;
  private readonly ctl: GPUBuffer;
  private readonly stepU: GPUBuffer;
  private readonly ring: { buf: GPUBuffer; busy: Promise<unknown> | null }[] = [];
  private readonly list: Dispatch[] = [];
  private next = 0;
  private disposed = false;

  /**
   * An engine whose buffers and pipelines the device accepted: WebGPU reports an allocation that failed or a
   * pipeline it refused asynchronously (error scopes), not as an exception, so this waits for the verdict.
   */
  static async create(gpu: GpuDevice, model: ModelConfig, config: EngineConfig): Promise<GpuEngine> {
    const { device } = gpu;
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    let engine: GpuEngine | null = null;
    try {
      engine = new GpuEngine(gpu, model, config);
    } finally {
      const invalid = await device.popErrorScope();
      const oom = await device.popErrorScope();
      const e = oom ?? invalid;
      if (e && engine) {
        const gb = (engine.kit.bytes / 1e9).toFixed(2);
        engine.dispose(true);
        throw new RangeError(oom
          ? `not enough GPU memory on ${gpu.name} for a ${model.layers}×${model.hidden} model at batch ${config.batch} × seq ${config.seq} (about ${gb} GB): lower --hidden, --layers, --batch or --seq`
          : `the GPU refused the engine (${e.message})`);
      }
    }
    return engine;
  }

  /** Buffers and the step's dispatch list for a (B, T) window of `model` under `config`'s optimizer. */
  constructor(gpu: GpuDevice, model: ModelConfig, config: EngineConfig) {
    this.gpu = gpu;
    this.label = `webgpu (${gpu.name}${gpu.software ? ", software" : ""})`;
    this.kit = new GpuKit(gpu.device);
    this.m = { ...model };
    const kit = this.kit, { vocabSize: V, hidden: H, layers: L, dropout } = model;
    const B = (this.B = config.batch), T = (this.T = config.seq);
    const N = T * B, G = 4 * H, S = B * H;
    const { specs, total } = paramSpec(model);
    const P = (this.P = total);
    const off = (name: string) => specs.find((s) => s.name === name)!.offset;
    try {
      this.params = kit.storage(P * 4, "params");
      this.grads = kit.storage(P * 4, "grads");
      const opt = config.optimizer;
      this.kinds = opt === "adam" ? ["m", "v"] : opt === "sgd" ? ["m"] : ["v"];
      this.moments = new Map(["m", "v"].map((k) => [k, kit.storage(this.kinds.includes(k) ? P * 4 : 16, `moment ${k}`)]));
      this.layers = Array.from({ length: L }, (_, l) => ({
        gates: kit.storage(N * G * 4, `gates ${l}`), h: kit.storage((T + 1) * S * 4, `h ${l}`),
        c: kit.storage((T + 1) * S * 4, `c ${l}`), tanhC: kit.storage(N * H * 4, `tanhC ${l}`),
      }));
      const dropped = dropout > 0 && L > 1;
      const dropIn = dropped ? Array.from({ length: L - 1 }, (_, l) => kit.storage(N * H * 4, `dropout ${l}`)) : [];
      this.words = Math.ceil((N * H) / 32);
      this.bits = dropped ? kit.storage((L - 1) * this.words * 4, "mask bits") : null;
      // weight-drop: each layer's W_hh' = W_hh ⊙ mask, made at the start of its forward from its mask bits
      const wDrop = config.weightDrop ?? 0;
      this.whhWords = Math.ceil((G * H) / 32);
      this.whhBits = wDrop > 0 ? kit.storage(L * this.whhWords * 4, "weight-drop bits") : null;
      const whhDrop = wDrop > 0 ? Array.from({ length: L }, (_, l) => kit.storage(G * H * 4, `W_hh' ${l}`)) : [];
      const wScale = Math.fround(1 / (1 - wDrop));
      // where a layer's step kernels read W_hh: the masked copy, or params itself
      const recurrent = (l: number, whh: number): [GPUBuffer, number] => (wDrop > 0 ? [whhDrop[l], 0] : [params, whh]);
      this.x = kit.storage(N * 4, "x");
      this.y = kit.storage(N * 4, "y");
      this.orderHost = new Uint32Array(V + 1 + N);
      this.order = kit.storage(this.orderHost.byteLength, "token order");
      const scratch = kit.storage(sumRowsScratch(N, Math.max(G, V)) * 4, "column sums");
      const logits = kit.storage(N * V * 4, "logits"), rowLoss = kit.storage(N * 4, "row losses");
      const dA = kit.storage(N * G * 4, "dA"), dH = [kit.storage(N * H * 4, "dH 0"), kit.storage(N * H * 4, "dH 1")];
      const dc = kit.storage(S * 4, "dc"), partial = kit.storage(normPartials(P).W * 4, "norm partials");
      this.ctl = kit.storage(CTL_WORDS * 4, "ctl");
      this.stepU = kit.uniform([{ f: 0 }, 0], "step");
      for (let i = 0; i < RING; i++) this.ring.push({ buf: kit.staging(CTL_WORDS * 4), busy: null });
      const scale = Math.fround(1 / (1 - dropout));
      // the input of layer l ≥ 1: the dropped-out copy of layer l−1's output, or that output (h slots 1..T)
      const input = (l: number) => (dropped ? { buf: dropIn[l - 1], off: 0 } : { buf: this.layers[l - 1].h, off: S });
      const list = this.list, params = this.params, grads = this.grads;

      // forward
      for (let l = 0; l < L; l++) {
        const Ly = this.layers[l], wih = off(`lstm.weight_ih_l${l}`), whh = off(`lstm.weight_hh_l${l}`);
        const b1 = off(`lstm.bias_ih_l${l}`), b2 = off(`lstm.bias_hh_l${l}`);
        if (wDrop > 0) list.push(dropoutForward(kit, params, whh, whhDrop[l], this.whhBits!, l * this.whhWords, G * H, wScale));
        if (l === 0) list.push(gather(kit, params, { W: wih, b1, b2 }, this.x, Ly.gates, N, G, V));
        else list.push(matmul(kit, { M: N, N: G, K: H, A: input(l), B: { buf: params, off: wih }, transB: true, C: { buf: Ly.gates }, bias: { buf: params, offs: [b1, b2] } }));
        const [W, wOff] = recurrent(l, whh);
        for (let t = 0; t < T; t++) list.push(lstmForwardStep(kit, W, wOff, Ly, B, H, t));
        if (dropped && l < L - 1) list.push(dropoutForward(kit, Ly.h, S, dropIn[l], this.bits!, l * this.words, N * H, scale));
      }
      const top = { buf: this.layers[L - 1].h, off: S };
      const wy = off("head.weight"), by = off("head.bias");
      list.push(matmul(kit, { M: N, N: V, K: H, A: top, B: { buf: params, off: wy }, transB: true, C: { buf: logits }, bias: { buf: params, offs: [by] } }));
      list.push(softmaxXent(kit, logits, this.y, rowLoss, N, V, Math.fround(1 / N)));
      list.push(lossReduce(kit, rowLoss, this.ctl, N));

      // backward: inverts logits = h W_yᵀ + b_y
      list.push(matmul(kit, { M: V, N: H, K: N, A: { buf: logits }, transA: true, B: top, C: { buf: grads, off: wy }, beta: 1 }));
      list.push(...sumRows(kit, grads, [by], logits, 0, N, V, scratch));
      list.push(matmul(kit, { M: N, N: H, K: V, A: { buf: logits }, B: { buf: params, off: wy }, C: { buf: dH[0] } }));
      let cur = 0;
      for (let l = L - 1; l >= 0; l--) {
        const Ly = this.layers[l], wih = off(`lstm.weight_ih_l${l}`), whh = off(`lstm.weight_hh_l${l}`);
        const [W, wOff] = recurrent(l, whh);
        for (let t = T - 1; t >= 0; t--) list.push(lstmBackwardStep(kit, W, wOff, Ly, dA, dH[cur], dc, B, H, T, t));
        // dW_hh += dAᵀ h_{t−1} over the window: (4H, T·B)·(T·B, H), h slots 0..T−1 (the only write to this
        // slice of the cleared gradient, so under weight-drop it is ∂L/∂W_hh', masked next into ∂L/∂W_hh)
        list.push(matmul(kit, { M: G, N: H, K: N, A: { buf: dA }, transA: true, B: { buf: Ly.h }, C: { buf: grads, off: whh }, beta: 1 }));
        if (wDrop > 0) list.push(dropoutBackward(kit, grads, this.whhBits!, l * this.whhWords, G * H, wScale, whh));
        list.push(...sumRows(kit, grads, [off(`lstm.bias_ih_l${l}`), off(`lstm.bias_hh_l${l}`)], dA, 0, N, G, scratch));
        if (l === 0) {
          list.push(scatterCols(kit, grads, wih, dA, this.order, G, V));
        } else {
          list.push(matmul(kit, { M: G, N: H, K: N, A: { buf: dA }, transA: true, B: input(l), C: { buf: grads, off: wih }, beta: 1 }));
          list.push(matmul(kit, { M: N, N: H, K: G, A: { buf: dA }, B: { buf: params, off: wih }, C: { buf: dH[1 - cur] } }));
          if (dropped) list.push(dropoutBackward(kit, dH[1 - cur], this.bits!, (l - 1) * this.words, N * H, scale));
          cur = 1 - cur;
        }
      }

      // norm, update, counters, carried state
      list.push(...globalNorm(kit, grads, P, partial, this.ctl));
      list.push(update(kit, { p: params, g: grads, m: this.moments.get("m")!, v: this.moments.get("v")!, ctl: this.ctl, step: this.stepU }, P, config));
      list.push(settle(kit, this.ctl));
      for (const Ly of this.layers) list.push(carry(kit, Ly, this.ctl, this.stepU, S, T));
    } catch (e) {
      this.kit.destroy();
      throw e;
    }
    this.load({ params: new Float32Array(P), moments: new Map(), h: new Float32Array(L * S), c: new Float32Array(L * S), optT: 0, lrScale: 1, badSteps: 0 });
  }

  /** Upload a run's state (a fresh model or a resumed checkpoint): params, moments, carried (h, c), counters. */
  load(s: EngineState): void {
    const { kit } = this, S = this.B * this.m.hidden;
    if (s.params.length !== this.P) throw new RangeError(`engine: ${s.params.length} parameters given, the model has ${this.P}`);
    kit.write(this.params, s.params);
    for (const k of this.kinds) kit.write(this.moments.get(k)!, s.moments.get(k) ?? new Float32Array(this.P));
    this.layers.forEach((Ly, l) => {
      kit.write(Ly.h, s.h.subarray(l * S, (l + 1) * S));
      kit.write(Ly.c, s.c.subarray(l * S, (l + 1) * S));
    });
    const ctl = new ArrayBuffer(CTL_WORDS * 4), f = new Float32Array(ctl), u = new Uint32Array(ctl);
    f[CTL.t] = s.optT;
    f[CTL.lrScale] = s.lrScale;
    u[CTL.badSteps] = s.badSteps;
    kit.write(this.ctl, f);
  }

  /**
   * Submit one step on a (T, B) time-major window: tokens x, targets y, the dropout masks as bits (layer
   * by layer, `words` per layer; null without dropout), the scheduled rate (the device applies its own
   * lrScale), whether the carried state resets after it (epoch end) and the weight-drop masks of W_hh as
   * bits (layer by layer, whhMaskWords each; null without weight-drop). Resolves with the step's loss and
   * gradient norm (NaN where non-finite) once the device has run it.
   */
  submit(x: Int32Array, y: Int32Array, masks: Uint32Array | null, lr: number, reset: boolean, whhMasks: Uint32Array | null = null): Promise<StepOutcome> {
    if (this.disposed) throw new Error("engine: used after dispose()");
    const { kit } = this;
    const slot = this.ring[this.next];
    if (slot.busy) throw new Error(`engine: more than ${RING - 1} steps in flight`);
    this.next = (this.next + 1) % RING;
    kit.write(this.x, x);
    kit.write(this.y, y);
    kit.write(this.order, tokenOrder(x, this.m.vocabSize, this.orderHost));
    if (this.bits && masks) kit.write(this.bits, masks);
    if (this.whhBits && whhMasks) kit.write(this.whhBits, whhMasks);
    const su = new ArrayBuffer(16);
    new Float32Array(su)[0] = lr;
    new Uint32Array(su)[1] = reset ? 1 : 0;
    kit.device.queue.writeBuffer(this.stepU, 0, su);
    const enc = kit.device.createCommandEncoder();
    enc.clearBuffer(this.grads);
    kit.encode(enc, this.list);
    enc.copyBufferToBuffer(this.ctl, 0, slot.buf, 0, CTL_WORDS * 4);
    kit.device.queue.submit([enc.finish()]);
    const p = slot.buf.mapAsync(MAP_READ).then((): StepOutcome => {
      const data = slot.buf.getMappedRange().slice(0);
      slot.buf.unmap();
      const f = new Float32Array(data), u = new Uint32Array(data);
      const lossBad = u[CTL.lossBad] !== 0, normBad = u[CTL.normBad] !== 0;
      // a non-finite loss as computed (NaN or ±Inf, as the CPU would report it); no norm after a bad loss
      return { loss: lossBad && Number.isFinite(f[CTL.loss]) ? NaN : f[CTL.loss], gradNorm: lossBad || normBad ? NaN : f[CTL.norm] };
    }).finally(() => { slot.busy = null; });
    slot.busy = p;
    // a run that stops early (an error, the device destroyed) leaves steps nobody waits for: not an
    // unhandled rejection
    p.catch(() => {});
    return p;
  }

  /** GPU memory the engine holds (bytes). */
  get bytes(): number {
    return this.kit.bytes;
  }

  /** How many 32-bit words of mask bits one layer takes (submit's `masks` holds L−1 of these). */
  get maskWords(): number {
    return this.words;
  }

  /** 32-bit words of weight-drop mask bits per layer (submit's `whhMasks` holds L of these). */
  get whhMaskWords(): number {
    return this.whhWords;
  }

  /** Read everything a checkpoint needs back to the host (waits for the steps submitted before it). */
  async read(): Promise<EngineState> {
    const { kit } = this, S = this.B * this.m.hidden, L = this.m.layers;
    await Promise.all(this.ring.map((r) => r.busy?.catch(() => undefined)));
    const params = await kit.readF32(this.params);
    const moments = new Map<string, Float32Array>();
    for (const k of this.kinds) moments.set(k, await kit.readF32(this.moments.get(k)!));
    const h = new Float32Array(L * S), c = new Float32Array(L * S);
    for (let l = 0; l < L; l++) {
      h.set(await kit.readF32(this.layers[l].h, 0, S), l * S);
      c.set(await kit.readF32(this.layers[l].c, 0, S), l * S);
    }
    const ctl = await kit.read(this.ctl);
    const f = new Float32Array(ctl), u = new Uint32Array(ctl);
    return { params, moments, h, c, optT: f[CTL.t], lrScale: f[CTL.lrScale], badSteps: u[CTL.badSteps] };
  }

  /** The gradient of the last step (before clipping), flat in the spec-table layout (tests). */
  async readGrads(): Promise<Float32Array> {
    return this.kit.readF32(this.grads);
  }

  /** Destroy every buffer, and the device unless keepDevice (Dawn keeps Node alive until it is destroyed). */
  dispose(keepDevice = false): void {
    if (this.disposed) return;
    this.disposed = true;
    this.kit.destroy();
    if (!keepDevice) this.gpu.destroy();
  }
}
