// Checkpoints: one safetensors file whose tensor names are a PyTorch state_dict (params.ts), plus the
// training state that makes a resume exact.
//
//   lstm.* / head.*            the parameters, F32, PyTorch names and shapes
//   optim.m.<name>, optim.v.<name>   optimizer moments, same shapes (only those the optimizer keeps)
//   state.h, state.c           carried LSTM state (L, B, H)
//   __metadata__               format "char-lstm/1", vocab (JSON array of the characters in index order),
//                              model (JSON ModelConfig), train (JSON TrainConfig), state (JSON TrainState:
//                              step, epoch, window cursor, RNG, Adam t, lr scale, best val, history),
//                              corpus (fingerprint of the training text), documents (JSON [{path, chars}]:
//                              the input files in reading order), step, best_val_bpc
//
// The model's shape is read from the tensor shapes (V and H from head.weight, L from the layer count);
// every tensor is checked against it. Anything malformed is a CheckpointError with a one-line message.

import { defaultTrain, validateTrain, type ModelConfig, type TrainConfig } from "./config.js";
import { Vocab } from "./data/vocab.js";
import type { Kernels } from "./kernels/types.js";
import { CharLSTM } from "./model.js";
import { paramSpec } from "./params.js";
import { encodeSafetensors, openSafetensors, SafetensorsError, type SafetensorsFile, type Tensor } from "./safetensors.js";
import type { FloatArray } from "./kernels/types.js";
import type { TrainState } from "./train.js";

export const FORMAT = "char-lstm/1";
const FORMAT_VERSION = 1;
const VERSION = "0.1.0";

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

const f32 = (a: Float32Array | Float64Array): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

/**
 * What a checkpoint stores about a run besides the weights, as plain data: a CPU Trainer and the WebGPU
 * engine (read back through Trainer.sync) hand over the same record (Trainer.record()).
 */
export interface TrainingRecord {
  config: TrainConfig;
  state: TrainState;
  /** The training text's fingerprint (Corpus.fingerprint()). */ corpus: string;
  documents?: { path: string; chars: number }[];
  /** Optimizer moments by tensor-name prefix ("m", "v"), flat in the parameter layout. */
  moments: [string, FloatArray][];
  /** Carried (h, c), (L, B, H) each. */
  carried: { h: Float32Array; c: Float32Array; B: number };
}

/** A TrainingRecord, or something that makes one (a Trainer). */
export type TrainingSource = TrainingRecord | { record(): TrainingRecord };

const asRecord = (run: TrainingSource): TrainingRecord => ("record" in run ? run.record() : run);

/** Serialize a model and its vocabulary, and with a run's record everything a resume needs, into one buffer. */
export function encodeCheckpoint(model: CharLSTM, vocab: Vocab, run?: TrainingSource): Uint8Array {
  const { tensors, metadata } = checkpointTensors(model, vocab, run);
  return encodeSafetensors(tensors, metadata);
}

/**
 * The tensors (views of the model's and the record's buffers, not copies) and metadata of a checkpoint,
 * for a writer that streams them (io/checkpoint_file.ts: any size) or for encodeCheckpoint.
 */
export function checkpointTensors(model: CharLSTM, vocab: Vocab, source?: TrainingSource): { tensors: [string, Tensor][]; metadata: Record<string, string> } {
  if (!Number.isFinite(model.kernels.sumSquares(model.params, model.params.length))) {
    throw new CheckpointError("refusing to save a checkpoint: the parameters hold NaN or Infinity (training diverged; lower --lr)");
  }
  const tensors: [string, Tensor][] = [];
  for (const s of model.specs) {
    tensors.push([s.name, { dtype: "F32", shape: s.shape, data: f32(model.params.subarray(s.offset, s.offset + s.size)) }]);
  }
  const meta: Record<string, string> = {
    format: FORMAT,
    software: `char-lstm ${VERSION}`,
    vocab: JSON.stringify(vocab.chars),
    model: JSON.stringify(model.config),
  };
  if (source) {
    const run = asRecord(source);
    for (const [key, buf] of run.moments) {
      for (const s of model.specs) {
        tensors.push([`optim.${key}.${s.name}`, { dtype: "F32", shape: s.shape, data: f32(buf.subarray(s.offset, s.offset + s.size)) }]);
      }
    }
    const { B, h, c } = run.carried, { layers: L, hidden: H } = model.config;
    tensors.push(["state.h", { dtype: "F32", shape: [L, B, H], data: h }], ["state.c", { dtype: "F32", shape: [L, B, H], data: c }]);
    meta.train = JSON.stringify(run.config);
    meta.state = JSON.stringify(run.state);
    meta.corpus = run.corpus;
    if (run.documents) meta.documents = JSON.stringify(run.documents);
    meta.step = String(run.state.step);
    if (run.state.bestVal !== null) meta.best_val_bpc = String(run.state.bestVal / Math.LN2);
  }
  return { tensors, metadata: meta };
}

export interface LoadedCheckpoint {
  model: CharLSTM;
  vocab: Vocab;
  metadata: Record<string, string>;
  /** Present when the checkpoint was written by a trainer. */
  train?: TrainConfig;
  state?: TrainState;
  corpus?: string;
  /** Optimizer moments by key ("m", "v"), flat in the parameter layout. */
  moments: Map<string, Float32Array>;
  /** Carried state, (L, B, H) each. */
  carried?: { h: Float32Array; c: Float32Array; B: number };
}

function parseJson<T>(meta: Record<string, string>, key: string, what = "checkpoint"): T {
  if (meta[key] === undefined) throw new CheckpointError(`${what} has no "${key}" metadata: the file is damaged (sampling needs only the weights and vocabulary; a resume needs it)`);
  try {
    return JSON.parse(meta[key]) as T;
  } catch {
    throw new CheckpointError(`${what}: metadata "${key}" is not valid JSON: the file is damaged`);
  }
}

/** The largest loss (nats/char) a history point may hold: anything above is damage, not training. */
const MAX_HISTORY_LOSS = 1e6;

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v) ?? String(v));

/**
 * The training metadata of a checkpoint (`train`: TrainConfig, `state`: TrainState), checked field by field as
 * the tensors are: a hand-edited or damaged value is one line naming the field, never a NaN step count or
 * "cannot read properties of undefined" later. Fields a newer TrainConfig added default as on resume.
 */
export function validateTrainingMeta(trainRaw: unknown, stateRaw: unknown, what = "checkpoint"): { train: TrainConfig; state: TrainState } {
  const bad = (field: string, want: string, got: unknown): never => {
    throw new CheckpointError(`${what}: training metadata ${field} must be ${want}, got ${show(got)}: the checkpoint is damaged (or hand-edited)`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(trainRaw)) bad('"train"', "a JSON object (the run's TrainConfig)", trainRaw);
  const t = trainRaw as Record<string, unknown>;
  for (const [k, def] of Object.entries(defaultTrain)) {
    if (k in t && typeof t[k] !== typeof def) bad(`train.${k}`, `a ${typeof def}`, t[k]);
  }
  const train = { ...defaultTrain, ...t } as TrainConfig;
  try {
    validateTrain(train);
  } catch (e) {
    throw new CheckpointError(`${what}: training metadata "train" is out of range (${(e as Error).message}): the checkpoint is damaged (or hand-edited)`);
  }
  if (!isObj(stateRaw)) bad('"state"', "a JSON object (the run's TrainState)", stateRaw);
  const st = stateRaw as Record<string, unknown>;
  const count = (k: string) => { if (!Number.isSafeInteger(st[k]) || (st[k] as number) < 0) bad(`state.${k}`, "a whole number ≥ 0", st[k]); };
  const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  for (const k of ["step", "epoch", "window", "optT", "badSteps"]) count(k);
  const rng = st.rng;
  if (!Array.isArray(rng) || rng.length !== 4 || rng.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff) || rng.every((w) => w === 0)) {
    bad("state.rng", "four 32-bit unsigned integers, not all 0", rng);
  }
  if (!finite(st.lrScale) || (st.lrScale as number) <= 0) bad("state.lrScale", "a number > 0", st.lrScale);
  if (st.bestVal !== null && (!finite(st.bestVal) || (st.bestVal as number) < 0)) bad("state.bestVal", "null or a number ≥ 0", st.bestVal);
  if (!finite(st.seconds) || (st.seconds as number) < 0) bad("state.seconds", "a number ≥ 0", st.seconds);
  if (!Array.isArray(st.history)) bad("state.history", "a list", st.history);
  let prevStep = -1;
  (st.history as unknown[]).forEach((p, i) => {
    // JSON has no NaN: a point's mean training loss is null when every step since the last was skipped. A loss
    // is nats per character: ≥ 0, and far below MAX_HISTORY_LOSS (a uniform guess over 10^6 characters is 13.8)
    const num = (v: unknown) => v === null || (finite(v) && (v as number) >= 0 && (v as number) <= MAX_HISTORY_LOSS);
    if (!isObj(p) || !Number.isSafeInteger(p.step) || (p.step as number) < 0 || !num(p.train) || (p.val !== undefined && !num(p.val))
        || (p.seconds !== undefined && (!finite(p.seconds) || (p.seconds as number) < 0))) {
      bad(`state.history[${i}]`, `{step, train, val?, seconds?} with losses in [0, ${MAX_HISTORY_LOSS}] nats (or null)`, p);
    }
    if ((p as { step: number }).step <= prevStep) bad(`state.history[${i}].step`, `above the step before it (${prevStep}): one point per step, in order`, (p as { step: number }).step);
    prevStep = (p as { step: number }).step;
  });
  return { train, state: st as unknown as TrainState };
}

/** A SafetensorsError while reading `what` as the CheckpointError a user sees. */
export function unreadable(e: unknown, what: string): unknown {
  return e instanceof SafetensorsError ? new CheckpointError(`${what} is not a readable checkpoint: ${e.message}`) : e;
}

/**
 * Decode a checkpoint into a model on `kernels`: from bytes, or from a SafetensorsFile whose tensors are
 * read one at a time (a file on disk of any size). `what` names the file in messages.
 */
export function decodeCheckpoint(src: Uint8Array | SafetensorsFile, kernels: Kernels, what = "checkpoint"): LoadedCheckpoint {
  let file: SafetensorsFile;
  try {
    file = src instanceof Uint8Array ? openSafetensors(src) : src;
  } catch (e) {
    throw unreadable(e, what);
  }
  const { infos: tensors, metadata } = file;
  const format = metadata.format;
  if (format === undefined) throw new CheckpointError(`${what} is a safetensors file but not a char-lstm checkpoint (no "format" metadata)`);
  const m = /^char-lstm\/(\d+)$/.exec(format);
  if (!m) throw new CheckpointError(`${what} has format "${format}", not a char-lstm checkpoint`);
  if (+m[1] > FORMAT_VERSION) throw new CheckpointError(`${what} was written by a newer char-lstm (format ${format}); this version reads ${FORMAT}: upgrade char-lstm`);
  if (metadata.vocab === undefined) throw new CheckpointError(`${what} has no vocabulary metadata: the file is damaged`);
  const chars = parseJson<unknown>(metadata, "vocab", what);
  if (!Array.isArray(chars) || chars.some((c) => typeof c !== "string")) throw new CheckpointError(`${what}: vocabulary metadata is not a list of characters`);
  let vocab: Vocab;
  try {
    vocab = new Vocab(chars as string[]);
  } catch (e) {
    throw new CheckpointError(`${what}: bad vocabulary: ${(e as Error).message}`);
  }
  const head = tensors.get("head.weight");
  if (!head || head.shape.length !== 2) throw new CheckpointError(`${what} lacks head.weight (V, H)`);
  const [V, H] = head.shape;
  if (V !== vocab.size) throw new CheckpointError(`${what}: head.weight has ${V} rows but the vocabulary has ${vocab.size} characters`);
  let L = 0;
  while (tensors.has(`lstm.weight_ih_l${L}`)) L++;
  if (L === 0 || H < 1) throw new CheckpointError(`${what} has no LSTM layers (lstm.weight_ih_l0)`);
  const stored = metadata.model ? parseJson<Partial<ModelConfig>>(metadata, "model", what) : {};
  const dropout = typeof stored.dropout === "number" && stored.dropout >= 0 && stored.dropout < 1 ? stored.dropout : 0;
  const config: ModelConfig = { vocabSize: V, hidden: H, layers: L, dropout };
  // every shape is checked against the file before anything the size of the model is allocated: a crafted
  // header (head.weight [27, 20000]) must not make us allocate gigabytes for tensors the file does not hold
  if (H > 8192 || L > 16) throw new CheckpointError(`${what}: a ${L}×${H} model is beyond what char-lstm builds (at most 16 layers of 8192): the file is damaged or not ours`);
  const { specs } = paramSpec(config);
  const take = (name: string, shape: number[]): Float32Array | Float64Array => {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(`${what} lacks tensor ${name}`);
    if (t.dtype === "I32") throw new CheckpointError(`${what}: tensor ${name} is ${t.dtype}, expected F32`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(`${what}: tensor ${name} has shape [${t.shape}] but a ${L}×${H} model with ${V} characters needs [${shape}]`);
    }
    return file.read(name).data as Float32Array | Float64Array;
  };
  const finite = (name: string, data: Float32Array | Float64Array, kind: string): void => {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new CheckpointError(`${what}: tensor ${name} holds non-finite values${kind}; the checkpoint is damaged`);
    }
  };
  const weights = specs.map((s) => take(s.name, s.shape));
  weights.forEach((data, i) => finite(specs[i].name, data, ""));
  let training: { train: TrainConfig; state: TrainState } | undefined;
  const moments = new Map<string, (Float32Array | Float64Array)[]>();
  let carried: LoadedCheckpoint["carried"];
  if (metadata.state !== undefined) {
    training = validateTrainingMeta(parseJson<unknown>(metadata, "train", what), parseJson<unknown>(metadata, "state", what), what);
    for (const key of ["m", "v"]) {
      if (!tensors.has(`optim.${key}.${specs[0].name}`)) continue;
      const parts = specs.map((s) => take(`optim.${key}.${s.name}`, s.shape));
      // a NaN moment would poison the first update and be blamed on "training diverged"
      parts.forEach((data, i) => finite(`optim.${key}.${specs[i].name}`, data, " (an optimizer moment)"));
      moments.set(key, parts);
    }
    const h = tensors.get("state.h"), c = tensors.get("state.c");
    if (h && c) {
      const B = h.shape[1];
      const hd = take("state.h", [L, B, H]), cd = take("state.c", [L, B, H]);
      finite("state.h", hd, " (carried state)");
      finite("state.c", cd, " (carried state)");
      carried = { h: f32(hd), c: f32(cd), B };
    }
  }
  const model = new CharLSTM(config, kernels);
  weights.forEach((data, i) => model.params.set(data, specs[i].offset));
  const out: LoadedCheckpoint = { model, vocab, metadata, moments: new Map() };
  if (training) {
    out.train = training.train;
    out.state = training.state;
    out.corpus = metadata.corpus;
    for (const [key, parts] of moments) {
      const flat = new Float32Array(model.params.length);
      parts.forEach((data, i) => flat.set(data, specs[i].offset));
      out.moments.set(key, flat);
    }
    out.carried = carried;
  }
  return out;
}

/** What `char-lstm inspect` and the server's /api/model report about a checkpoint (snake_case JSON). */
export function checkpointSummary(ck: LoadedCheckpoint) {
  const m = ck.model.config;
  return {
    format: ck.metadata.format,
    layers: m.layers,
    hidden: m.hidden,
    vocab_size: m.vocabSize,
    dropout: m.dropout,
    params: ck.model.numParams,
    step: ck.state?.step ?? null,
    epoch: ck.state?.epoch ?? null,
    best_val_bpc: ck.state?.bestVal != null ? ck.state.bestVal / Math.LN2 : null,
    optimizer: ck.train?.optimizer ?? null,
    batch: ck.train?.batch ?? null,
    seq: ck.train?.seq ?? null,
  };
}
