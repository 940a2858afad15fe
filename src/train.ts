// The training loop: truncated BPTT over B streams, optimizer, clipping, schedule, evaluation, health checks.
//
// A Trainer owns every piece of state that decides what the next step does: parameters and moments, the
// carried (h, c), the data cursor (epoch, window), the RNG (dropout) and the learning-rate scale. A
// checkpoint saves all of it (checkpoint.ts), so a resumed run continues bit for bit.
//
// runTraining() drives a Trainer until a budget runs out, reporting through callbacks; it never touches
// process, fs or the DOM (the CLI and the web worker pass the hooks).
//
// The steps themselves run on the CPU model (step()) or on a device engine (useEngine: the WebGPU engine of
// src/gpu, behind the StepEngine seam below). With an engine the Trainer still owns the cursor, the RNG
// (dropout masks are drawn here and shipped as bits), the schedule and TrainState; the device runs the
// step and the non-finite rules, and its loss arrives a step or two later (advance() returns the reports
// that have arrived). sync() brings the weights, moments and carried state back into the CPU model, where
// evaluation, sampling and checkpoints read them.

import type { ModelConfig, TrainConfig } from "./config.js";
import type { Corpus, Split } from "./data/corpus.js";
import { StreamBatcher } from "./data/loader.js";
import type { TokenSource } from "./data/tokens.js";
import { CharLSTM, type Workspace } from "./model.js";
import { clipGradients } from "./optim/clip.js";
import { followsTime, learningRate, scheduleProgress, type TimeSpan } from "./optim/schedule.js";
import { Optimizer } from "./optim/optimizer.js";
import type { RecipeRecord } from "./recipe.js";
import { Rng, type RngState } from "./rng.js";
import type { Kernels } from "./kernels/types.js";
import type { TrainingRecord } from "./checkpoint.js";
import { sampleText } from "./sample.js";

export const LN2 = Math.LN2;
export const bpc = (nats: number): number => nats / LN2;

export class TrainingError extends Error {
  override name = "TrainingError";
}

export interface HistoryPoint {
  step: number;
  /** Mean training loss (nats) since the previous point. */
  train: number;
  /** Validation loss (nats) at this step, when evaluated. */
  val?: number;
  /** Training seconds (over all invocations) when the point was recorded; absent in older checkpoints. */
  seconds?: number;
}

/** Everything besides tensors that a checkpoint must carry to resume exactly. */
export interface TrainState {
  /** Optimizer steps taken (including skipped bad steps). */ step: number;
  /** Completed epochs. */ epoch: number;
  /** Next window within the epoch. */ window: number;
  rng: RngState;
  /** Optimizer update count (Adam's t). */ optT: number;
  /** Multiplier on the scheduled learning rate, halved on repeated non-finite steps. */ lrScale: number;
  /** Consecutive non-finite steps. */ badSteps: number;
  /** Best validation loss so far (nats), or null. */ bestVal: number | null;
  history: HistoryPoint[];
  /** Training seconds over all invocations. */ seconds: number;
  /**
   * The stretch of `seconds` a time-based schedule (cosine/linear decay with --max-time and no --max-steps)
   * decays over; set by runTraining, kept on a resume that continues the same budget. Absent otherwise.
   */
  lrSpan?: TimeSpan;
  /**
   * How a budget run's recipe row was chosen (recipe.ts: the probe's chars/s, the work, the row), set once at
   * the start of a new run and kept by every resume, which never probes again. Absent without a recipe.
   */
  recipe?: RecipeRecord;
}

export interface StepReport {
  step: number;
  epoch: number;
  /** Mean loss of this window (nats); NaN when the step was skipped. */ loss: number;
  bpc: number;
  lr: number;
  gradNorm: number;
  /** The step was non-finite and skipped (no update, state reset). */ skipped: boolean;
}

export interface EvalReport {
  step: number;
  /** Mean loss (nats) over every evaluated character. */ loss: number;
  bpc: number;
  chars: number;
}

/** What a device engine starts from and hands back: flat tensors in the spec-table layout, and counters. */
export interface EngineState {
  params: Float32Array;
  /** Optimizer moments by key ("m", "v"), as Optimizer.moments() names them. */
  moments: Map<string, Float32Array>;
  /** Carried state (L, B, H). */ h: Float32Array;
  c: Float32Array;
  optT: number;
  lrScale: number;
  badSteps: number;
}

export interface StepOutcome {
  /** Mean loss of the window (nats); NaN or ±Inf when non-finite, as the CPU computes it. */ loss: number;
  /** Gradient norm before clipping; NaN when the loss or a gradient was non-finite. */ gradNorm: number;
}

/**
 * A device that runs whole training steps (forward, backward, clipping, update, the non-finite rules and
 * the carried state) on its own copy of the run's tensors: the seam between the Trainer and src/gpu.
 */
export interface StepEngine {
  /** "webgpu (NVIDIA …)": how banners name it. */ readonly label: string;
  /** 32-bit words of dropout mask bits per layer (submit's masks hold L−1 of these). */ readonly maskWords: number;
  /** 32-bit words of weight-drop mask bits per layer (submit's whhMasks hold L of these). */ readonly whhMaskWords: number;
  load(s: EngineState): void;
  /** Run one step on a (T, B) window; `lr` is the scheduled rate (the engine applies its own lrScale). */
  submit(x: Int32Array, y: Int32Array, masks: Uint32Array | null, lr: number, reset: boolean, whhMasks?: Uint32Array | null): Promise<StepOutcome>;
  /** Everything a checkpoint needs, read back after the steps submitted so far. */
  read(): Promise<EngineState>;
  dispose(): void;
}

/** A step submitted to an engine, waiting for its loss. */
interface InFlight {
  outcome: Promise<StepOutcome>;
  step: number;
  epoch: number;
  /** The scheduled rate (before lrScale). */ lr: number;
}

/** Steps an engine may have in flight before advance() waits for the oldest. */
const ENGINE_DEPTH = 2;

export class Trainer {
  readonly model: CharLSTM;
  readonly corpus: Corpus;
  readonly config: TrainConfig;
  readonly optimizer: Optimizer;
  readonly batcher: StreamBatcher;
  readonly state: TrainState;
  private readonly rng: Rng;
  private _ws: Workspace | null = null;
  /** Carried (h, c) for a workspace not allocated yet, or the engine's last read-back. */
  private carry0: { h: Float32Array; c: Float32Array } | null = null;
  private engine: StepEngine | null = null;
  private readonly inFlight: InFlight[] = [];
  /** The engine's window and mask bits (host side). */
  private hostX: Int32Array | null = null;
  private hostY: Int32Array | null = null;
  private maskBits: Uint32Array | null = null;
  private whhBits: Uint32Array | null = null;
  private evalWs: Workspace | null = null;
  private sampleWs: Workspace | null = null;
  private lossSum = 0;
  private lossCount = 0;

  /** A fresh run: a model initialized from `config.seed`. */
  static create(corpus: Corpus, model: Omit<ModelConfig, "vocabSize">, config: TrainConfig, kernels: Kernels): Trainer {
    const rng = new Rng(config.seed);
    const m = new CharLSTM({ ...model, vocabSize: corpus.vocab.size }, kernels, rng, { forgetBias: config.forgetBias });
    return new Trainer(m, corpus, config, {
      step: 0, epoch: 0, window: 0, rng: rng.state(), optT: 0, lrScale: 1, badSteps: 0, bestVal: null, history: [], seconds: 0,
    });
  }

  /** Assemble around an existing model and state (a resume fills params, moments and carried state after). */
  constructor(model: CharLSTM, corpus: Corpus, config: TrainConfig, state: TrainState) {
    if (model.config.vocabSize !== corpus.vocab.size) throw new TrainingError("model and corpus vocabularies differ");
    this.model = model;
    this.corpus = corpus;
    this.config = config;
    this.state = state;
    this.rng = Rng.fromState(state.rng);
    this.batcher = new StreamBatcher(corpus.source, corpus.train, config.batch, config.seq);
    this.optimizer = new Optimizer(config.optimizer, model.kernels, model.params.length, config);
    this.optimizer.t = state.optT;
  }

  /** The learning rate the next update uses. */
  get lr(): number {
    return learningRate(this.config, this.state.step, this.state.seconds, this.state.lrSpan) * this.state.lrScale;
  }

  /** The training workspace, allocated on first use (never while an engine runs the steps). */
  get ws(): Workspace {
    if (!this._ws) {
      this._ws = this.model.workspace(this.config.batch, this.config.seq);
      if (this.carry0) this.writeCarried(this._ws, this.carry0.h, this.carry0.c);
    }
    return this._ws;
  }

  /** The carried (h, c), (L, B, H) each: what the next window starts from. */
  carried(): { h: Float32Array; c: Float32Array; B: number } {
    const B = this.config.batch, { layers: L, hidden: H } = this.model.config, S = B * H;
    if (this._ws && !this.engine) {
      const h = new Float32Array(L * S), c = new Float32Array(L * S);
      this._ws.caches.forEach((cache, l) => { h.set(cache.h.subarray(0, S), l * S); c.set(cache.c.subarray(0, S), l * S); });
      return { h, c, B };
    }
    return { h: this.carry0?.h ?? new Float32Array(L * S), c: this.carry0?.c ?? new Float32Array(L * S), B };
  }

  /** Set the carried (h, c), (L, B, H) each (a resume, before useEngine). */
  setCarried(h: Float32Array, c: Float32Array): void {
    if (this.engine) throw new TrainingError("internal: setCarried on a trainer whose state lives on an engine");
    if (this._ws) this.writeCarried(this._ws, h, c);
    else this.carry0 = { h: h.slice(), c: c.slice() };
  }

  private writeCarried(ws: Workspace, h: Float32Array, c: Float32Array): void {
    const S = ws.B * this.model.config.hidden;
    ws.caches.forEach((cache, l) => { cache.h.set(h.subarray(l * S, (l + 1) * S)); cache.c.set(c.subarray(l * S, (l + 1) * S)); });
  }

  /** The engine running the steps, if any (its label names the device). */
  get stepEngine(): StepEngine | null {
    return this.engine;
  }

  /** Run the steps on a device engine from here on: it starts from this trainer's params, moments and state. */
  useEngine(engine: StepEngine): void {
    const { h, c } = this.carried();
    const moments = new Map<string, Float32Array>();
    for (const [k, buf] of this.optimizer.moments()) moments.set(k, Float32Array.from(buf));
    engine.load({ params: Float32Array.from(this.model.params), moments, h, c, optT: this.state.optT, lrScale: this.state.lrScale, badSteps: this.state.badSteps });
    this.engine = engine;
    this.carry0 = { h, c };
    this._ws = null;
  }

  /**
   * Take the next step (CPU) or submit it (engine); returns the reports that are complete: one on the CPU,
   * zero or more (in step order) with an engine, whose losses arrive a step or two late.
   */
  async advance(): Promise<StepReport[]> {
    if (!this.engine) return [this.step()];
    const { state, config } = this, engine = this.engine;
    const B = config.batch, T = config.seq, { layers: L, hidden: H, dropout } = this.model.config;
    this.hostX ??= new Int32Array(B * T);
    this.hostY ??= new Int32Array(B * T);
    const Tw = this.batcher.fill(this.hostX, this.hostY, state.window);
    if (Tw !== T) throw new TrainingError(`internal: a training window of ${Tw} steps (expected ${T})`);
    // the CPU model's masks, drawn from the same RNG in the same order (model.ts forward: per layer, its
    // weight-drop mask of W_hh, then the dropout mask of its output), as bits
    const n = T * B * H, words = engine.maskWords, keep = 1 - dropout;
    const nW = 4 * H * H, wWords = engine.whhMaskWords, wKeep = 1 - config.weightDrop;
    const masks = dropout > 0 && L > 1 ? (this.maskBits ??= new Uint32Array((L - 1) * words)) : null;
    const whhMasks = config.weightDrop > 0 ? (this.whhBits ??= new Uint32Array(L * wWords)) : null;
    for (let l = 0; l < L; l++) {
      if (whhMasks) this.rng.keepBits(whhMasks, l * wWords, nW, wKeep);
      if (masks && l < L - 1) this.rng.keepBits(masks, l * words, n, keep);
    }
    const lr = learningRate(config, state.step, state.seconds, state.lrSpan);
    state.step++;
    state.window++;
    let reset = false;
    if (state.window >= this.batcher.windows) {
      state.window = 0;
      state.epoch++;
      reset = true;
    }
    state.rng = this.rng.state();
    const epoch = state.epoch + state.window / this.batcher.windows;
    this.inFlight.push({ outcome: engine.submit(this.hostX, this.hostY, masks, lr, reset, whhMasks), step: state.step, epoch, lr });
    const out: StepReport[] = [];
    while (this.inFlight.length > ENGINE_DEPTH) out.push(await this.settle(this.inFlight.shift()!));
    return out;
  }

  /** Wait for every step in flight; their reports in step order (none on the CPU). */
  async flush(): Promise<StepReport[]> {
    const out: StepReport[] = [];
    while (this.inFlight.length) out.push(await this.settle(this.inFlight.shift()!));
    return out;
  }

  /**
   * With an engine: wait for the steps in flight, then read the weights, moments and carried state back into
   * the CPU model (evaluation, sampling and checkpoints read them there). Returns the flushed reports.
   */
  async sync(): Promise<StepReport[]> {
    if (!this.engine) return [];
    const out = await this.flush();
    const s = await this.engine.read();
    this.model.params.set(s.params);
    for (const [k, buf] of this.optimizer.moments()) buf.set(s.moments.get(k)!);
    this.carry0 = { h: s.h, c: s.c };
    return out;
  }

  /** An engine step's outcome, through the same rules as step(): the device applied them already. */
  private async settle(f: InFlight): Promise<StepReport> {
    const { state, config } = this;
    const o = await f.outcome;
    const lr = f.lr * state.lrScale;
    const skipped = !Number.isFinite(o.loss) || !Number.isFinite(o.gradNorm);
    if (skipped) {
      state.badSteps++;
      if (state.badSteps >= config.maxBadSteps) {
        throw new TrainingError(`loss or gradients were non-finite for ${state.badSteps} steps in a row (step ${f.step}); lower --lr or --clip, or check the data`);
      }
      if (state.badSteps >= 2) state.lrScale *= 0.5;
    } else {
      state.badSteps = 0;
      state.optT++;
      this.optimizer.t = state.optT;
      this.lossSum += o.loss;
      this.lossCount++;
    }
    return { step: f.step, epoch: f.epoch, loss: o.loss, bpc: bpc(o.loss), lr, gradNorm: o.gradNorm, skipped };
  }

  /** One truncated-BPTT step on the next window (CPU). */
  step(): StepReport {
    if (this.engine) throw new TrainingError("internal: step() on a trainer whose steps run on an engine; use advance()");
    const { model, ws, state, config } = this;
    const T = this.batcher.fill(ws.x, ws.y, state.window);
    model.zeroGrad();
    model.forward(ws, T, { rng: this.rng, weightDrop: config.weightDrop });
    const loss = model.loss(ws, T);
    let gradNorm = NaN;
    const lr = this.lr;
    let skipped = !Number.isFinite(loss);
    if (!skipped) {
      model.backward(ws, T);
      gradNorm = clipGradients(model.kernels, model.grads, config.clipMode, config.clip);
      skipped = !Number.isFinite(gradNorm);
    }
    if (skipped) {
      // never train on NaN: no update, and the carried state may be poisoned, so start the streams afresh
      state.badSteps++;
      if (state.badSteps >= config.maxBadSteps) {
        throw new TrainingError(`loss or gradients were non-finite for ${state.badSteps} steps in a row (step ${state.step + 1}); lower --lr or --clip, or check the data`);
      }
      if (state.badSteps >= 2) state.lrScale *= 0.5;
      model.resetState(ws);
    } else {
      state.badSteps = 0;
      this.optimizer.step(model.params, model.grads, lr);
      model.carryState(ws, T);
      this.lossSum += loss;
      this.lossCount++;
    }
    state.step++;
    state.optT = this.optimizer.t;
    state.window++;
    if (state.window >= this.batcher.windows) {
      state.window = 0;
      state.epoch++;
      model.resetState(ws);
    }
    state.rng = this.rng.state();
    return { step: state.step, epoch: state.epoch + state.window / this.batcher.windows, loss, bpc: bpc(loss), lr, gradNorm, skipped };
  }

  /**
   * Mean loss over a whole split, as B streams with state carried across windows (the last window may be
   * short), from a zero state and without dropout. The training state is untouched.
   */
  evaluate(split: Split = this.corpus.val, what = "validation split"): EvalReport {
    const steps = this.evaluateSteps(split, what);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /** evaluate() one window at a time (a host gives the event loop a turn between windows); returns the report. */
  *evaluateSteps(split: Split = this.corpus.val, what = "validation split"): Generator<void, EvalReport> {
    const batcher = this.evalBatcher(split, what), B = batcher.B;
    if (!this.evalWs || this.evalWs.B !== B) this.evalWs = this.model.workspace(B, this.config.seq);
    const ws = this.evalWs, model = this.model;
    model.resetState(ws);
    let sum = 0, chars = 0;
    for (let w = 0; w < batcher.windowsWithTail; w++) {
      const Tw = batcher.fill(ws.x, ws.y, w);
      model.forward(ws, Tw);
      sum += model.loss(ws, Tw) * Tw * B;
      chars += Tw * B;
      model.carryState(ws, Tw);
      yield;
    }
    const loss = sum / chars;
    return { step: this.state.step, loss, bpc: bpc(loss), chars };
  }

  /**
   * Streams for evaluating a split: up to B of them, each at least one window long; a split shorter than
   * T + 1 characters is a CorpusError saying so.
   */
  evalBatcher(split: Split = this.corpus.val, what = "validation split"): StreamBatcher {
    const n = split.end - split.start, T = this.config.seq;
    const B = Math.max(1, Math.min(this.config.batch, Math.floor((n - 1) / T)));
    return new StreamBatcher(this.corpus.source, split, B, T, what);
  }

  /** A progress sample from the current weights (its own RNG: the training stream is untouched). */
  sample(length: number, seed: number, temperature = 0.8): string {
    this.sampleWs ??= this.model.workspace(1, 64);
    return sampleText(this.model, this.corpus.vocab, { length, seed, temperature }, this.sampleWs);
  }

  /**
   * What a checkpoint stores about this run (checkpoint.ts). With an engine, call sync() first: the record
   * holds the CPU model's copies.
   */
  record(): TrainingRecord {
    if (this.inFlight.length) throw new TrainingError("internal: a checkpoint of a run with steps in flight; sync() first");
    const rec: TrainingRecord = {
      config: this.config, state: this.state, corpus: this.corpus.fingerprint(),
      moments: this.optimizer.moments(), carried: this.carried(),
    };
    if (this.corpus.documents) rec.documents = this.corpus.documents;
    return rec;
  }

  /** Close a history point with the mean training loss since the last one. */
  recordHistory(val?: number): HistoryPoint {
    const point: HistoryPoint = { step: this.state.step, train: this.lossCount ? this.lossSum / this.lossCount : NaN };
    if (val !== undefined) point.val = val;
    point.seconds = this.state.seconds;
    const h = this.state.history, last = h[h.length - 1];
    if (last && last.step === point.step) {
      // evaluated again at the same step (a resume of a finished run): one point per step, the new one
      if (!this.lossCount) point.train = last.train;
      h[h.length - 1] = point;
    } else h.push(point);
    this.lossSum = 0;
    this.lossCount = 0;
    return point;
  }
}

export interface RunHooks {
  onStep?(r: StepReport & { charsPerSec: number; elapsed: number }): void;
  onEval?(r: EvalReport & { best: boolean }): void | Promise<void>;
  onSample?(step: number, text: string): void;
  /** Save `last` (and `best` when this validation was the best so far). */
  onCheckpoint?(step: number, best: boolean): void | Promise<void>;
  /** Asked between steps; true stops the run cleanly (e.g. Ctrl-C). */
  shouldStop?(): boolean;
  /**
   * Asked between steps; true brings an engine's weights, moments and carried state back to the CPU model
   * now (Trainer.sync; nothing to do on the CPU), then onSynced runs: a host that checkpoints on request
   * (the page's download button) does it there, where TrainState and the tensors agree.
   */
  wantSync?(): boolean;
  onSynced?(): void;
  /** Milliseconds clock (performance.now by default). */
  now?(): number;
}

export interface DoneReport {
  step: number;
  trainLoss: number;
  valLoss: number;
  valBpc: number;
  seconds: number;
  reason: "max-steps" | "max-time" | "epochs" | "patience" | "stopped";
}

/**
 * Evaluations since the best validation loss: the validated history points after the one that set
 * `bestVal` (0 when the latest evaluation is the best). Read from the history, so a resumed run keeps
 * counting where it stopped.
 */
export function evalsSinceBest(history: HistoryPoint[], bestVal: number | null): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const v = history[i].val;
    if (v === undefined) continue;
    if (bestVal !== null && v <= bestVal) return n;
    n++;
  }
  return n;
}

/**
 * Run until --max-steps (total), --max-time (this invocation) or --epochs, until --patience evaluations
 * in a row bring no new best validation loss, or until shouldStop().
 */
export async function runTraining(trainer: Trainer, hooks: RunHooks = {}): Promise<DoneReport> {
  const cfg = trainer.config, st = trainer.state;
  const now = hooks.now ?? (() => performance.now());
  if (!cfg.maxSteps && !cfg.maxTime && !cfg.epochs) throw new TrainingError("no budget: set --max-steps, --max-time or --epochs");
  const t0 = now(), secondsBefore = st.seconds;
  // a time-based schedule spans this invocation's budget, unless the budget is what is left of the span in
  // the state (a resume: resume.ts continueSchedule set it, or the interrupted run's own span); a span that
  // does not fit goes on from the progress it had reached (never back to the peak)
  const span = st.lrSpan;
  if (followsTime(cfg) && cfg.maxTime > 0 && !(span && span.unit !== "steps" && Math.abs(span.end - st.seconds - cfg.maxTime) <= 1e-9 * Math.max(1, cfg.maxTime))) {
    const from = span && span.unit !== "steps" ? scheduleProgress(cfg, st.step, st.seconds, span) : 0;
    st.lrSpan = from > 0 ? { start: st.seconds, end: st.seconds + cfg.maxTime, from } : { start: st.seconds, end: st.seconds + cfg.maxTime };
  }
  const charsPerStep = cfg.batch * cfg.seq;
  let lastYield = t0, lastTrain = NaN, reason: DoneReport["reason"] = "stopped";
  // chars/s over the time spent in steps only (evaluation, sampling and checkpoints excluded)
  let rateTime = 0, rateSteps = 0, charsPerSec = 0;
  let lastEval: EvalReport | null = null;

  const evaluate = async (): Promise<void> => {
    // a long validation split gives the event loop a turn every 100 ms too (a second Ctrl-C quits at once)
    const steps = trainer.evaluateSteps();
    let e: EvalReport, turn = now();
    for (;;) {
      const r = steps.next();
      if (r.done) { e = r.value; break; }
      if (now() - turn > 100) { await new Promise((res) => setTimeout(res, 0)); turn = now(); }
    }
    const best = st.bestVal === null || e.loss < st.bestVal;
    if (best) st.bestVal = e.loss;
    trainer.recordHistory(e.loss);
    lastEval = e;
    await hooks.onEval?.({ ...e, best });
    await hooks.onCheckpoint?.(st.step, best);
  };

  for (;;) {
    if (cfg.maxSteps && st.step >= cfg.maxSteps) { reason = "max-steps"; break; }
    if (cfg.epochs && st.epoch >= cfg.epochs) { reason = "epochs"; break; }
    if (cfg.maxTime && (now() - t0) / 1000 >= cfg.maxTime) { reason = "max-time"; break; }
    if (hooks.shouldStop?.()) { reason = "stopped"; break; }
    const ts = now();
    const reports = await trainer.advance();
    const t = now();
    rateTime += t - ts;
    rateSteps++;
    if (rateTime > 1000 || charsPerSec === 0) { charsPerSec = (rateSteps * charsPerStep) / Math.max(rateTime / 1000, 1e-9); rateTime = 0; rateSteps = 0; }
    st.seconds = secondsBefore + (t - t0) / 1000;
    const report = (r: StepReport) => {
      if (!r.skipped) lastTrain = r.loss;
      hooks.onStep?.({ ...r, charsPerSec, elapsed: (now() - t0) / 1000 });
    };
    reports.forEach(report);
    const sampling = cfg.sampleEvery && st.step % cfg.sampleEvery === 0 && hooks.onSample;
    const evaluating = cfg.evalEvery && st.step % cfg.evalEvery === 0;
    const saving = !evaluating && cfg.checkpointEvery && st.step % cfg.checkpointEvery === 0;
    const asked = hooks.wantSync?.() ?? false;
    // an engine's weights come back to the CPU model for whatever reads them (a no-op on the CPU)
    if (sampling || evaluating || saving || asked) (await trainer.sync()).forEach(report);
    if (asked) hooks.onSynced?.();
    if (sampling) hooks.onSample!(st.step, trainer.sample(cfg.sampleLength, st.step));
    if (evaluating) {
      await evaluate();
      if (cfg.patience && evalsSinceBest(st.history, st.bestVal) >= cfg.patience) { reason = "patience"; break; }
    } else if (saving) await hooks.onCheckpoint?.(st.step, false);
    // let the host deliver signals and paint progress (a macrotask turn, at most every 100 ms)
    if (t - lastYield > 100) { await new Promise((res) => setTimeout(res, 0)); lastYield = now(); }
  }
  const pending = await trainer.sync();
  for (const r of pending) {
    if (!r.skipped) lastTrain = r.loss;
    hooks.onStep?.({ ...r, charsPerSec, elapsed: (now() - t0) / 1000 });
  }
  if (!lastEval || (lastEval as EvalReport).step !== st.step) await evaluate();
  const e = lastEval as unknown as EvalReport;
  st.seconds = secondsBefore + (now() - t0) / 1000;
  return { step: st.step, trainLoss: lastTrain, valLoss: e.loss, valBpc: e.bpc, seconds: (now() - t0) / 1000, reason };
}

/**
 * Held-out loss of a token sequence read as one continuous stream from a zero state: the mean over every
 * token but the first of −log p(token | all tokens before it), in nats. Windows of T steps, batch 1. The
 * tokens may be an array or a TokenSource (a token file: a held-out text of any size in bounded memory).
 */
export function evaluateTokens(model: CharLSTM, ids: ArrayLike<number> | TokenSource, T = 256): { loss: number; bpc: number; chars: number } {
  const steps = evaluateWindows(model, ids, T);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * evaluateTokens one window at a time: yields the characters done so far after each window, returns the
 * result. A host that shares its thread (the CLI, for Ctrl-C and closed pipes) gives the event loop a turn
 * between windows.
 */
export function* evaluateWindows(model: CharLSTM, ids: ArrayLike<number> | TokenSource, T = 256): Generator<number, { loss: number; bpc: number; chars: number }> {
  if (ids.length < 2) throw new TrainingError(`need at least 2 characters to evaluate, got ${ids.length}`);
  const src: TokenSource = "read" in ids ? ids : { length: ids.length, read: (pos, n, out) => { for (let i = 0; i < n; i++) out[i] = ids[pos + i]; } };
  const ws = model.workspace(1, Math.min(T, ids.length - 1));
  const window = new Int32Array(ws.Tmax + 1);
  model.resetState(ws);
  let sum = 0, pos = 0;
  const n = ids.length - 1;
  while (pos < n) {
    const Tw = Math.min(ws.Tmax, n - pos);
    src.read(pos, Tw + 1, window);
    ws.x.set(window.subarray(0, Tw));
    ws.y.set(window.subarray(1, Tw + 1));
    model.forward(ws, Tw);
    const loss = model.loss(ws, Tw);
    if (!Number.isFinite(loss)) throw new TrainingError(`the model's loss is not finite (NaN or ±Infinity) in characters ${pos + 1}–${pos + Tw}: its weights overflow float32 arithmetic; this checkpoint cannot score text`);
    sum += loss * Tw;
    model.carryState(ws, Tw);
    pos += Tw;
    if (pos < n) yield pos;
  }
  return { loss: sum / n, bpc: bpc(sum / n), chars: n };
}
