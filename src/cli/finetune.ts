// `char-lstm train TEXT --init-from CKPT`: fine-tune a checkpoint on a new text (finetune.ts). The vocabulary
// is the checkpoint's; characters of the text outside it are an error naming them, dropped (--unknown skip)
// or added to the model (--extend-vocab).

import type { TrainConfig } from "../config.js";
import type { Corpus } from "../data/corpus.js";
import { checkVocabSize } from "../data/corpus.js";
import { showChar, VocabError, type UnknownPolicy, type Vocab } from "../data/vocab.js";
import { fineTuneModel, fineTuneTrainer } from "../finetune.js";
import type { LoadedCheckpoint } from "../checkpoint.js";
import { scanChars } from "../io/tokenfile.js";
import type { Kernels } from "../kernels/types.js";
import { Rng } from "../rng.js";
import type { Trainer } from "../train.js";
import { bool, num, type Flags } from "./context.js";

const list = (chars: string[]) => chars.slice(0, 10).map(showChar).join(", ") + (chars.length > 10 ? ", …" : "");

export interface FineTuneStart {
  trainer: Trainer;
  /** Banner lines: where the weights came from, what the vocabulary kept and added. */
  banner: string[];
}

/**
 * Build the fine-tuning trainer from the --init-from checkpoint `ck` and the resolved config (resolve.ts:
 * the checkpoint's shape, `dropout`, the settings of its run unless given). `loadCorpus` encodes the run's text under a vocabulary (and policy for
 * characters outside it); `files` and `sep` are the inputs, scanned first to find the new characters.
 */
export async function startFineTune(flags: Flags, initPath: string, ck: LoadedCheckpoint, files: string[], sep: string, config: TrainConfig, dropout: number,
                                    kernels: Kernels, loadCorpus: (vocab: Vocab, unknown: UnknownPolicy) => Promise<Corpus>): Promise<FineTuneStart> {
  const m = ck.model.config;
  const extend = bool(flags, "extend-vocab");
  const unknown = config.unknown;
  const missing = scanChars(files, sep).filter((ch) => ck.vocab.id(ch) < 0);
  if (missing.length && !extend && unknown === "error") {
    throw new VocabError(`${missing.length} character${missing.length > 1 ? "s" : ""} of the text ${missing.length > 1 ? "are" : "is"} not in ${initPath}'s vocabulary: ${list(missing)}; use --unknown skip to drop them or --extend-vocab to add them to the model`);
  }
  const rng = new Rng(config.seed);
  const ft = fineTuneModel(ck.model, ck.vocab, extend ? missing : [], rng, dropout, { forgetBias: config.forgetBias });
  if (ft.added.length) checkVocabSize(ft.vocab.size, num(flags, "max-vocab"));
  const corpus = await loadCorpus(ft.vocab, extend ? "error" : unknown);
  const trainer = fineTuneTrainer(corpus, ft.model, config, rng);
  const from = ck.state ? `step ${ck.state.step}${ck.state.bestVal !== null ? `, best ${(ck.state.bestVal / Math.LN2).toFixed(4)} bits/char` : ""}` : "no training state";
  const banner = [
    `  fine-tuning ${initPath} (${m.layers}×${m.hidden}, ${from}): its weights; a fresh optimizer, step counter, data cursor and history`,
    ft.added.length
      ? `  vocabulary: kept its ${ck.vocab.size} characters, added ${ft.added.length} (ids ${ck.vocab.size}..${ft.vocab.size - 1}): ${list(ft.added)}`
      : missing.length
        ? `  vocabulary: kept its ${ck.vocab.size} characters; dropping ${missing.length} the text has beyond it (--unknown skip): ${list(missing)}`
        : `  vocabulary: kept its ${ck.vocab.size} characters (the text has no others)`,
  ];
  return { trainer, banner };
}
