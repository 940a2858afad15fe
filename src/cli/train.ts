// `char-lstm train`: resolve the config (defaults ← --config? ← flags, or the checkpoint on --resume), build
// the corpus and trainer, run with a progress display (or JSON lines), save checkpoints atomically.

import { existsSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { defaultModel, defaultTrain, validateModel, validateTrain, type ModelConfig, type TrainConfig } from "../config.js";
import { decodeCheckpoint, encodeCheckpoint, CheckpointError } from "../checkpoint.js";
import { Corpus } from "../data/corpus.js";
import { Vocab } from "../data/vocab.js";
import { defaultCorpusPath, ensureWritableDir, readBytes, removeStaleTemps, writeAtomic } from "../io/node.js";
import { encodeTextFile, openTokens } from "../io/tokenfile.js";
import { bpc, runTraining, Trainer, type DoneReport } from "../train.js";
import { continuedTime, restoreTrainer } from "../resume.js";
import { describeSchedule } from "../optim/schedule.js";
import { applyRecipe, describeRecipe, describeSize, type RecipeChoice } from "../recipe.js";
import { curveTitle, historySvg } from "../plot.js";
import { UsageError } from "./args.js";
import { bool, num, openKernels, str, type CliContext, type Flags } from "./context.js";
import { backendLabel } from "../kernels/label.js";
import { formatDuration, Progress } from "./progress.js";
import { describeInputs, docSep, inputFiles } from "./inputs.js";
import { startFineTune } from "./finetune.js";
import type { UnknownPolicy } from "../data/vocab.js";

/** The default run name of an input: a file's name without extension, a directory's, a pattern's literal part. */
function runName(input: string): string {
  const literal = input.split("/").filter((seg) => seg && !/[*?[]/.test(seg)).join("/");
  const base = basename(literal || "corpus");
  return basename(base, extname(base)) || "corpus";
}

/** A resume of a several-file run must read the same files (by name and order; the fingerprint checks content). */
function checkSameFiles(stored: string | undefined, files: string[], what: string): void {
  if (stored === undefined) return;
  let docs: { path: string; chars: number }[];
  try { docs = JSON.parse(stored) as { path: string; chars: number }[]; } catch { return; }
  if (!Array.isArray(docs) || docs.length <= 1 && files.length <= 1) return;
  const names = (l: string[]) => l.map((p) => basename(p));
  const was = names(docs.map((d) => d.path)), now = names(files);
  const i = was.findIndex((n, k) => n !== now[k]);
  if (was.length === now.length && i < 0) return;
  const where = i >= 0 && i < now.length ? `file ${i + 1} was ${was[i]}, now ${now[i] ?? "missing"}` : was.length > now.length ? `${was[now.length]} is missing` : `${now[was.length]} is new`;
  throw new CheckpointError(`${what} was trained on ${was.length} file${was.length === 1 ? "" : "s"}, this run reads ${now.length} (${where}); resume with the same files, directories or patterns`);
}

/** Flag name → TrainConfig key, for every flag that sets a TrainConfig field. */
const TRAIN_FLAGS: [string, keyof TrainConfig][] = [
  ["seq", "seq"], ["batch", "batch"], ["optimizer", "optimizer"], ["lr", "lr"], ["beta1", "beta1"], ["beta2", "beta2"],
  ["eps", "eps"], ["momentum", "momentum"], ["clip", "clip"], ["clip-mode", "clipMode"], ["decay", "decay"],
  ["decay-rate", "decayRate"], ["decay-every", "decayEvery"], ["lr-min", "lrMin"], ["warmup", "warmup"], ["val-frac", "valFrac"],
  ["test-frac", "testFrac"], ["max-steps", "maxSteps"], ["max-time", "maxTime"], ["epochs", "epochs"],
  ["eval-every", "evalEvery"], ["sample-every", "sampleEvery"], ["sample-length", "sampleLength"],
  ["checkpoint-every", "checkpointEvery"], ["seed", "seed"], ["forget-bias", "forgetBias"],
  ["max-bad-steps", "maxBadSteps"], ["patience", "patience"],
];
/** What a resumed run may change: budget, reporting, learning rate. The rest comes from the checkpoint. */
const RESUMABLE = new Set<keyof TrainConfig>(["maxSteps", "maxTime", "epochs", "evalEvery", "sampleEvery", "sampleLength", "checkpointEvery", "maxBadSteps", "lr", "lrMin", "patience"]);
const MODEL_FLAGS = ["layers", "hidden", "dropout"];
const DEFAULT_MAX_TIME = 180;

export async function trainCommand(flags: Flags, positionals: string[], ctx: CliContext): Promise<number> {
  const json = bool(flags, "json");
  // the first --json event also names the kernel backend (set once the kernels are open)
  let backendTag: string | undefined;
  const emit = (o: object) => {
    ctx.out(JSON.stringify(backendTag ? { ...o, backend: backendTag } : o) + "\n");
    backendTag = undefined;
  };
  const say = (s: string) => { if (!json) ctx.out(s + "\n"); };

  // 0 means "no limit" for each budget flag; with no other budget that would be an endless run, and the
  // silent 3-minute default would surprise: refuse it
  const budgets = ["max-steps", "max-time", "epochs"].filter((f) => flags.has(f));
  if (budgets.length && budgets.every((f) => num(flags, f) === 0)) {
    throw new UsageError(`${budgets.map((f) => `--${f} 0`).join(" with ")} leaves the run without a budget (0 = no limit): give a positive --max-steps, --max-time or --epochs`);
  }
  const resumePath = str(flags, "resume");
  // files, directories and patterns, read as one corpus (one file: exactly as before)
  const isDefault = positionals.length === 0;
  const inputs = isDefault ? { files: [defaultCorpusPath()], skipped: [] } : inputFiles(positionals, ctx);
  const textPath = inputs.files.length === 1 ? inputs.files[0] : inputs.files;
  const name = isDefault ? "moby-dick" : runName(positionals[0]);
  const outDir = str(flags, "out") ?? (resumePath ? dirname(resumePath) : join("runs", name));
  // the text streams once into a token file in the run directory; training reads windows from it, so
  // memory is bounded by the model and batch, not by the corpus
  // a run that fails before its first step leaves nothing behind in a directory it created
  const outExisted = existsSync(outDir);
  let started = false;
  const initPath = str(flags, "init-from");
  if (initPath && resumePath) throw new UsageError("give --resume (continue a run exactly) or --init-from (start a new run from its weights), not both");
  for (const f of ["unknown", "extend-vocab"]) if (flags.has(f) && !initPath) throw new UsageError(`--${f} applies to fine-tuning: add --init-from CKPT`);
  if (bool(flags, "extend-vocab") && str(flags, "unknown") === "skip") throw new UsageError("--extend-vocab adds the new characters, --unknown skip drops them: give one");
  const loadCorpus = async (valFrac: number, testFrac: number, vocab?: Vocab, unknown?: UnknownPolicy): Promise<Corpus> => {
    ensureWritableDir(outDir);
    removeStaleTemps(outDir);
    const meta = await encodeTextFile(textPath, outDir, { vocab, maxVocab: num(flags, "max-vocab"), docSep: docSep(flags), unknown, signal: ctx.signal,
                                                    unknownHint: initPath ? "use --unknown skip or --extend-vocab" : undefined });
    const corpus = new Corpus(vocab ?? new Vocab(meta.vocab), openTokens(outDir, meta), meta.fingerprint, valFrac, testFrac);
    corpus.documents = meta.documents ?? [{ path: inputs.files[0], chars: meta.count }];
    return corpus;
  };
  const { kernels, notice } = await openKernels(flags);
  try {
    if (notice) ctx.err(`char-lstm: ${notice}\n`);
    backendTag = backendLabel(kernels);

    let trainer: Trainer;
    let fineTuneBanner: string[] = [];
    let recipe: RecipeChoice | null = null;
    if (resumePath) {
      const ck = decodeCheckpoint(readBytes(resumePath), kernels, resumePath);
      if (!ck.train || !ck.state) throw new CheckpointError(`${resumePath} holds no training state (best.safetensors is for sampling); resume from last.safetensors`);
      const config: TrainConfig = { ...defaultTrain, ...ck.train };
      const ignored: string[] = [];
      for (const [flag, key] of TRAIN_FLAGS) {
        if (!flags.has(flag)) continue;
        if (RESUMABLE.has(key)) (config as unknown as Record<string, unknown>)[key] = flags.get(flag);
        else if (flags.get(flag) !== config[key]) ignored.push(`--${flag}`);
      }
      for (const f of MODEL_FLAGS) if (flags.has(f)) ignored.push(`--${f}`);
      // a budget given on resume replaces the run's whole budget (a 3-minute default must not linger)
      if (flags.has("max-time") || flags.has("max-steps") || flags.has("epochs")) {
        config.maxTime = num(flags, "max-time") ?? 0;
        config.maxSteps = num(flags, "max-steps") ?? 0;
        config.epochs = num(flags, "epochs") ?? 0;
      } else {
        config.maxTime = continuedTime(config, ck.state);
      }
      if (!config.maxTime && !config.maxSteps && !config.epochs) config.maxTime = DEFAULT_MAX_TIME;
      validateTrain(config);
      if (ignored.length) ctx.err(`char-lstm: resuming: ${ignored.join(", ")} ignored (the checkpoint defines them)\n`);
      checkSameFiles(ck.metadata.documents, inputs.files, resumePath);
      trainer = restoreTrainer(ck, await loadCorpus(config.valFrac, config.testFrac, ck.vocab), config, resumePath);
    } else {
      const model: Omit<ModelConfig, "vocabSize"> = {
        layers: num(flags, "layers") ?? defaultModel.layers,
        hidden: num(flags, "hidden") ?? defaultModel.hidden,
        dropout: num(flags, "dropout") ?? defaultModel.dropout,
      };
      const config: TrainConfig = { ...defaultTrain };
      for (const [flag, key] of TRAIN_FLAGS) if (flags.has(flag)) (config as unknown as Record<string, unknown>)[key] = flags.get(flag);
      if (!config.maxSteps && !config.maxTime && !config.epochs) config.maxTime = DEFAULT_MAX_TIME;
      validateModel({ ...model, vocabSize: 1 });
      validateTrain(config);
      if (initPath) {
        // fine-tuning: the shape comes from the --init-from checkpoint, so no recipe
        const ft = await startFineTune(flags, initPath, inputs.files, docSep(flags), config, kernels, (vocab, unknown) => loadCorpus(config.valFrac, config.testFrac, vocab, unknown));
        trainer = ft.trainer;
        fineTuneBanner = ft.banner;
      } else {
        const corpus = await loadCorpus(config.valFrac, config.testFrac);
        // a time budget alone buys the recipe of its row in recipe.ts; given flags win
        if (str(flags, "recipe") !== "off" && config.maxTime > 0 && !config.maxSteps && !config.epochs) {
          recipe = applyRecipe(model, config, corpus.source.length, (f) => flags.has(f));
          validateModel({ ...model, vocabSize: 1 });
          validateTrain(config);
        }
        trainer = Trainer.create(corpus, model, config, kernels);
      }
    }

    const cfg = trainer.config, m = trainer.model.config, corpus = trainer.corpus;
    const lastPath = join(outDir, "last.safetensors"), bestPath = join(outDir, "best.safetensors"), curvesPath = join(outDir, "history.svg");
    const curvesTitle = curveTitle(m, cfg, basename(outDir));

    // never start training into a run we would then fail to evaluate
    trainer.evalBatcher();

    const budget = [cfg.maxSteps ? `${cfg.maxSteps} steps` : "", cfg.maxTime ? formatDuration(cfg.maxTime) : "", cfg.epochs ? `${cfg.epochs} epochs` : ""].filter(Boolean).join(" or ");
    const docs = corpus.documents ?? [];
    say(`char-lstm: ${resumePath ? `resuming ${resumePath} at step ${trainer.state.step}` : "training"} on ${isDefault ? "the bundled Moby Dick" : docs.length > 1 ? positionals.join(" ") : inputs.files[0]}`);
    if (docs.length > 1) say(`  ${describeInputs(docs.length, docs.reduce((a, d) => a + d.chars, 0), inputs.skipped.length)}, separated by ${JSON.stringify(docSep(flags))}`);
    for (const line of fineTuneBanner) say(line);
    say(`  text ${corpus.source.length.toLocaleString("en-US")} chars, vocabulary ${corpus.vocab.size}; train/val/test ${corpus.train.end - corpus.train.start}/${corpus.val.end - corpus.val.start}/${corpus.test.end - corpus.test.start}`);
    say(`  model ${m.layers}×${m.hidden} LSTM, dropout ${m.dropout}, ${trainer.model.numParams.toLocaleString("en-US")} parameters; backend ${backendLabel(kernels)}`);
    say(`  batch ${cfg.batch} × seq ${cfg.seq}, ${cfg.optimizer} lr ${cfg.lr}, clip ${cfg.clip} (${cfg.clipMode}), schedule ${describeSchedule(cfg, cfg.maxTime, formatDuration)}; budget ${budget}${cfg.patience ? `, patience ${cfg.patience} evaluations` : ""}; seed ${cfg.seed}${cfg.forgetBias ? `, forget bias ${cfg.forgetBias}` : ""}`);
    if (recipe) {
      const from = recipe.given.length === 0 ? "every value from the recipe"
        : recipe.filled.length === 0 ? `all overridden by ${recipe.given.map((f) => `--${f}`).join(", ")}`
        : `${recipe.given.map((f) => `--${f}`).join(", ")} yours, ${recipe.filled.map((f) => `--${f}`).join(", ")} from the recipe`;
      say(`  recipe for ${formatDuration(cfg.maxTime)} on ${describeSize(corpus.source.length)} (row ${recipe.row.name}): ${describeRecipe(recipe.row.recipe)} (${from})`);
      if (json) emit({ event: "recipe", name: recipe.row.name, chars: corpus.source.length, recipe: recipe.row.recipe, filled: recipe.filled, given: recipe.given });
    }
    say(`  checkpoints in ${outDir}/`);

    started = true;
    const progress = new Progress(ctx.out, ctx.tty && !json);
    let lastStepLine: { step: number; loss: number } | null = null;
    const save = (step: number, best: boolean) => {
      const bytes = encodeCheckpoint(trainer.model, corpus.vocab, trainer);
      writeAtomic(lastPath, bytes);
      if (json) emit({ event: "checkpoint", step, path: lastPath });
      if (best) {
        writeAtomic(bestPath, bytes);
        if (json) emit({ event: "checkpoint", step, path: bestPath });
      }
    };

    const done: DoneReport = await runTraining(trainer, {
      shouldStop: () => ctx.signal.aborted,
      onStep: (r) => {
        if (!r.skipped) lastStepLine = { step: r.step, loss: r.loss };
        if (json) {
          emit({ event: "step", step: r.step, epoch: r.epoch, loss: r.loss, bpc: r.bpc, chars_per_s: r.charsPerSec, lr: r.lr, ...(r.skipped ? { skipped: true } : {}) });
          return;
        }
        if (r.skipped) progress.log(`step ${r.step}: non-finite loss or gradient, step skipped (lr now ×${trainer.state.lrScale})`);
        const fracs = [cfg.maxSteps ? r.step / cfg.maxSteps : 0, cfg.maxTime ? r.elapsed / cfg.maxTime : 0, cfg.epochs ? r.epoch / cfg.epochs : 0];
        const frac = Math.min(1, Math.max(...fracs));
        const eta = frac > 0 ? (r.elapsed / frac) * (1 - frac) : NaN;
        progress.update({ step: r.step, maxSteps: cfg.maxSteps, epoch: r.epoch, loss: lastStepLine?.loss ?? NaN, bpc: bpc(lastStepLine?.loss ?? NaN),
                          charsPerSec: r.charsPerSec, eta, frac }, performance.now());
      },
      onEval: (e) => {
        // the curves beside the checkpoints, replaced atomically (a browser reloading it never sees half)
        writeAtomic(curvesPath, new TextEncoder().encode(historySvg(trainer.state.history, { title: curvesTitle })));
        if (json) emit({ event: "eval", step: e.step, val_loss: e.loss, val_bpc: e.bpc });
        else progress.log(`step ${e.step}: val loss ${e.loss.toFixed(4)} nats = ${e.bpc.toFixed(4)} bits/char${e.best ? " (best)" : ""}`);
      },
      onSample: (step, s) => {
        if (json) emit({ event: "sample", step, text: s });
        else progress.log(`--- sample at step ${step} ---\n${s}\n---`);
      },
      onCheckpoint: (step, best) => save(step, best),
    });
    progress.clear();
    const stoppedBySignal = done.reason === "stopped";
    if (json) {
      emit({ event: "done", step: done.step, train_loss: done.trainLoss, val_bpc: done.valBpc, seconds: done.seconds, reason: done.reason,
             max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) });
    } else {
      say(`${stoppedBySignal ? "stopped" : "done"} at step ${done.step} (${done.reason === "patience" ? `patience: ${cfg.patience} evaluations without a new best` : done.reason}) after ${formatDuration(done.seconds)}: train loss ${done.trainLoss.toFixed(4)}, val ${done.valBpc.toFixed(4)} bits/char`);
      say(`saved ${lastPath} and ${bestPath}; learning curves in ${curvesPath}`);
      say(`sample with:  npx char-lstm sample ${bestPath} --length 500 --temperature 0.8`);
      say(`resume with:  npx char-lstm train ${positionals.map((p) => (/[*?[\s]/.test(p) ? `'${p}'` : p)).join(" ")}${positionals.length ? " " : ""}--resume ${lastPath} --max-time 10m`);
    }
    return stoppedBySignal ? 130 : 0;
  } catch (e) {
    if (!started && !outExisted) rmSync(outDir, { recursive: true, force: true });
    throw e;
  } finally {
    kernels.dispose?.();
  }
}
