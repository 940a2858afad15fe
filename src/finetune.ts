// Fine-tuning: a new run that starts from a checkpoint's weights (and so its shape and vocabulary) on a
// different text, with a fresh optimizer, step counter, data cursor and history. `--resume` is the other
// thing: the exact continuation of the same run.
//
// Extending the vocabulary by k new characters (V → V' = V + k) touches exactly the tensors whose shape
// has V in it, and only in their new slots:
//   lstm.weight_ih_l0  (4H, V)  → (4H, V')   new columns V..V'−1 (the one-hot inputs of the new characters)
//   head.weight        (V, H)   → (V', H)    new rows V..V'−1 (their logits)
//   head.bias          (V)      → (V')       new entries V..V'−1
// The new slots hold what a fresh model of V' characters would hold there: the model is built with the
// project's init (params.ts initParams) from the run's seed, then every old value is copied over it, so the
// old rows and columns are bit-identical to the checkpoint's and the new ones follow whatever the init is.
// New characters get the ids V..V'−1 (data/vocab.ts extend), so every old id keeps its meaning.

import type { ModelConfig, TrainConfig } from "./config.js";
import type { Corpus } from "./data/corpus.js";
import type { Vocab } from "./data/vocab.js";
import { CharLSTM } from "./model.js";
import type { Rng } from "./rng.js";
import type { InitOptions } from "./params.js";
import { Trainer, type HistoryPoint } from "./train.js";

export interface FineTuneModel {
  model: CharLSTM;
  vocab: Vocab;
  /** The characters appended to the vocabulary (ids vocab.size − added.length …), in id order. */
  added: string[];
}

/**
 * The checkpoint's model on a vocabulary extended by `add` (characters it already has are ignored) and
 * with `dropout` (default: the checkpoint's). New slots are initialised from `rng` as a fresh model's.
 */
export function fineTuneModel(model: CharLSTM, vocab: Vocab, add: string[], rng: Rng, dropout = model.config.dropout, init: InitOptions = {}): FineTuneModel {
  const ext = vocab.extend(add);
  const V = vocab.size, V2 = ext.size;
  const config: ModelConfig = { ...model.config, vocabSize: V2, dropout };
  const out = new CharLSTM(config, model.kernels, rng, init);
  for (const s of model.specs) {
    const src = model.params.subarray(s.offset, s.offset + s.size);
    const t = out.specs.find((x) => x.name === s.name)!;
    const dst = out.params.subarray(t.offset, t.offset + t.size);
    if (s.name === "lstm.weight_ih_l0") {
      // (4H, V) row-major: row r's V old columns go to the first V columns of row r of (4H, V')
      const rows = s.shape[0];
      for (let r = 0; r < rows; r++) dst.set(src.subarray(r * V, r * V + V), r * V2);
    } else {
      // same shape, or (V, H) / (V) whose first V rows are the old ones: a prefix copy either way
      dst.set(src);
    }
  }
  return { model: out, vocab: ext, added: ext.chars.slice(V) };
}

/**
 * A fresh run around `model` (already on the corpus's vocabulary): step 0, a new optimizer and history;
 * dropout masks continue `rng` (the one that initialised the new slots, as Trainer.create does).
 */
export function fineTuneTrainer(corpus: Corpus, model: CharLSTM, config: TrainConfig, rng: Rng): Trainer {
  return new Trainer(model, corpus, config, {
    step: 0, epoch: 0, window: 0, rng: rng.state(), optT: 0, lrScale: 1, badSteps: 0, bestVal: null, history: [], seconds: 0,
  });
}

/**
 * Validation rose at each of the last `n` evaluations while the training loss fell over them: the model is
 * memorising its text (a fine-tune on a small text gets there fast). Read from the run's history, where a
 * point's `train` is the mean training loss since the point before.
 */
export function overfitting(history: HistoryPoint[], n = 3): boolean {
  const evals = history.filter((p) => p.val !== undefined);
  if (evals.length < n + 1) return false;
  const w = evals.slice(-(n + 1));
  for (let i = 1; i < w.length; i++) if (!(w[i].val! > w[i - 1].val!)) return false;
  return w[n].train < w[0].train;
}
