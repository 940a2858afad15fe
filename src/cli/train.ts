// `char-lstm train`: resolve the config (defaults ← --config? ← flags, or the checkpoint on --resume), build
// the corpus and trainer, run with a progress display (or JSON lines), save checkpoints atomically.
//
// The run directory is never lost (io/rundir.ts): everything that can be refused is checked before the
// disk is touched; the directory is then claimed (created with a bounded loop, locked against a second
// training, refused when it already holds a run unless --resume continues it or --overwrite replaces it;
// the default runs/<name> moves on to runs/<name>-2, …); the token files are staged under temporary names
// and renamed into place only when training starts; a run that fails (or whose process exits) before its
// first checkpoint removes exactly the files and directories it created (cli/cleanup.ts runs the same undo
// at exit). A fine-tune (--init-from) is a new run like any other: the same refusal, lock and undo.

import { realpathSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { ModelConfig, TrainConfig } from "../config.js";
import { CheckpointError, type LoadedCheckpoint } from "../checkpoint.js";
import { Corpus, CorpusError } from "../data/corpus.js";
import { Vocab, type UnknownPolicy } from "../data/vocab.js";
import type { TokenFileMeta, TokenSource } from "../data/tokens.js";
import { checkpointIn, loadCheckpointFile, saveCheckpointFile } from "../io/checkpoint_file.js";
import { checkRegularFile, defaultCorpusPath, tempPath, writeAtomic } from "../io/node.js";
import { claimRunDir, type ClaimMode, type RunDirClaim } from "../io/rundir.js";
import { openTokens, readTokenMeta, stageCopy, stageTextFile, type StagedTokens } from "../io/tokenfile.js";
import { paramSpec } from "../params.js";
import { bpc, runTraining, Trainer, TrainingError, type DoneReport, type StepEngine } from "../train.js";
import { restoreTrainer } from "../resume.js";
import { resolveTrainConfig, type ResolvedConfig } from "../resolve.js";
import { flagSpelling, kebab } from "../spelling.js";
import { describeSchedule } from "../optim/schedule.js";
import { describePick, describeRecipe, describeSize, type RecipeChoice } from "../recipe.js";
import { curveTitle, historySvg } from "../plot.js";
import { UsageError } from "./args.js";
import { atExit } from "./cleanup.js";
import { bool, num, openKernels, str, type CliContext, type Flags } from "./context.js";
import { backendLabel } from "../kernels/label.js";
import { formatDuration, Progress, wrapText } from "./progress.js";
import { describeInputs, docSep, inputFiles } from "./inputs.js";
import { startFineTune } from "./finetune.js";
import { overfitting } from "../finetune.js";
import { trainCmd } from "./commands.js";
import { givenOptions, resumeBudget } from "./train_config.js";
import { openTrainEngine } from "./gpu.js";
import { pickForRun } from "./probe.js";

/** The default run name of an input: a file's name without extension, a directory's, a pattern's literal part. */
function runName(input: string): string {
  const literal = input.split("/").filter((seg) => seg && !/[*?[]/.test(seg)).join("/");
  // "." and ".." are named after the directory they stand for (basename(".") would make the run runs/. itself)
  const base = basename(literal ? resolve(literal) : "corpus");
  return basename(base, extname(base)) || "corpus";
}

type Documents = { path: string; chars: number }[];

/** The documents list a checkpoint stores (JSON in its metadata), or undefined when absent or unreadable. */
function parseDocuments(stored: string | undefined): Documents | undefined {
  if (stored === undefined) return undefined;
  try {
    const docs = JSON.parse(stored) as Documents;
    return Array.isArray(docs) ? docs : undefined;
  } catch {
    return undefined;
  }
}

/** A resume of a several-file run must read the same files (by name and order; the fingerprint checks content). */
function checkSameFiles(stored: string | undefined, files: string[], what: string): void {
  const docs = parseDocuments(stored);
  if (!docs || docs.length <= 1 && files.length <= 1) return;
  const names = (l: string[]) => l.map((p) => basename(p));
  const was = names(docs.map((d) => d.path)), now = names(files);
  const i = was.findIndex((n, k) => n !== now[k]);
  if (was.length === now.length && i < 0) return;
  const where = i >= 0 && i < now.length ? `file ${i + 1} was ${was[i]}, now ${now[i] ?? "missing"}` : was.length > now.length ? `${was[now.length]} is missing` : `${now[was.length]} is new`;
  throw new CheckpointError(`${what} was trained on ${was.length} file${was.length === 1 ? "" : "s"}, this run reads ${now.length} (${where}); resume with the same files, directories or patterns`);
}

export async function trainCommand(flags: Flags, positionals: string[], ctx: CliContext): Promise<number> {
  const json = bool(flags, "json");
  // the first --json event also names the kernel backend (set once the kernels are open)
  let backendTag: string | undefined;
  const emit = (o: object) => {
    ctx.out(JSON.stringify(backendTag ? { ...o, backend: backendTag } : o) + "\n");
    backendTag = undefined;
  };
  // banner and summary lines fit a terminal, broken at spaces (commands with " \\" so they still paste)
  const columns = () => ctx.columns?.() ?? 80;
  const say = (s: string, shell = false) => { if (!json) ctx.out((ctx.tty ? wrapText(s, columns(), { shell }) : s) + "\n"); };
  const note = (s: string) => ctx.err(`char-lstm: ${s}\n`);

  // the options given, by config field (the option table's flags); a new run's config is checked here,
  // before anything touches the disk (a resume's and a fine-tune's once their checkpoint is read)
  const given = givenOptions(flags, trainCmd);
  const resumeFlag = str(flags, "resume");
  const initFlag = str(flags, "init-from");
  const recipeMode = str(flags, "recipe") === "off" ? "off" : "auto";
  if (!resumeFlag && !initFlag) resolveTrainConfig(given, undefined, { recipe: recipeMode });
  // a run directory given where a checkpoint is expected: its last.safetensors (resume) or best (init)
  const resumePath = resumeFlag ? checkpointIn(resumeFlag, "last") : resumeFlag;
  const initPath = initFlag ? checkpointIn(initFlag, "best") : initFlag;
  const outFlag = str(flags, "out");
  const overwrite = bool(flags, "overwrite");
  if (outFlag === "") throw new UsageError("--out is empty; give a directory for the run, e.g. --out runs/NAME");
  if (resumePath === "") throw new UsageError("--resume is empty; give a run's last.safetensors");
  if (initPath === "") throw new UsageError("--init-from is empty; give a checkpoint to start from");
  if (initPath && resumePath) throw new UsageError("give --resume (continue a run exactly) or --init-from (start a new run from its weights), not both");
  // --unknown is part of a fine-tune's run (kept in its config, so a resume applies it again)
  for (const f of ["unknown", "extend-vocab"]) if (flags.has(f) && !initPath && !(f === "unknown" && resumePath)) throw new UsageError(`--${f} applies to fine-tuning: add --init-from CKPT`);
  if (bool(flags, "extend-vocab") && str(flags, "unknown") === "skip") throw new UsageError("--extend-vocab adds the new characters, --unknown skip drops them: give one");
  const sep = docSep(flags);
  // TEXT: files, directories and patterns, read as one corpus (one file: exactly as before). Without TEXT
  // a new run trains on the bundled corpus; a resume reads the run's own token file
  const ownTokens = positionals.length === 0 && resumePath !== undefined;
  const isDefault = positionals.length === 0 && !ownTokens;
  const inputs = isDefault ? { files: [defaultCorpusPath()], skipped: [] } : ownTokens ? { files: [], skipped: [] } : inputFiles(positionals, ctx);
  // a pipe, /dev/zero or a device is refused before anything touches the run directory (no lock, no claim)
  for (const p of inputs.files) checkRegularFile(p, statSync(p));
  const textPath = inputs.files.length === 1 ? inputs.files[0] : inputs.files;
  const name = isDefault ? "moby-dick" : positionals.length ? runName(positionals[0]) : "run";

  const { kernels, notice } = await openKernels(flags);
  let claim: RunDirClaim | undefined;
  let staged: StagedTokens | undefined;
  let source: TokenSource | undefined;
  let savedAny = false;
  let engine: StepEngine | null = null;
  // however the process ends before a first checkpoint (an error, a second Ctrl-C, a closed pipe), the
  // run directory goes back to what it was; after one, only the lock goes
  const cleanUp = () => {
    if (!savedAny) {
      staged?.discard();
      claim?.undo();
    }
    claim?.release();
  };
  const forgetCleanUp = atExit(cleanUp);
  try {
    if (notice) note(notice);
    backendTag = backendLabel(kernels);

    // 1. everything that can be refused without touching the disk
    let ck: LoadedCheckpoint | undefined;
    let initCk: LoadedCheckpoint | undefined;
    let resolved: ResolvedConfig;
    if (resumePath) {
      ck = loadCheckpointFile(resumePath, kernels);
      if (!ck.train || !ck.state) throw new CheckpointError(`${resumePath} holds no training state (best.safetensors is for sampling); resume from last.safetensors`);
      resolved = resolveTrainConfig(given, { model: ck.model.config, train: ck.train, state: ck.state });
      if (resolved.ignored.length) note(`resuming: ${resolved.ignored.map((f) => flagSpelling(f)).join(", ")} ignored (the checkpoint defines them)`);
      if (!ownTokens) checkSameFiles(ck.metadata.documents, inputs.files, resumePath);
    } else if (initPath) {
      initCk = loadCheckpointFile(initPath, kernels);
      // the text's size in bytes (at least its characters) sets how often a fine-tune validates
      const bytes = inputs.files.reduce((a, p) => a + statSync(p).size, 0);
      resolved = resolveTrainConfig(given, { model: initCk.model.config, train: initCk.train, state: initCk.state }, { fineTune: true, recipe: recipeMode, chars: bytes });
    } else {
      resolved = resolveTrainConfig(given, undefined, { recipe: recipeMode });
    }
    let config: TrainConfig = resolved.train;
    const model = resolved.model;

    // 2. the run directory: continue (a resume into its own directory), replace (--overwrite) or new (a
    // fresh run or a fine-tune); claimed only once everything before the corpus has been checked
    const runDir = resumePath ? dirname(resumePath) : undefined;
    const outDir = outFlag ?? runDir ?? join("runs", name);
    const continuing = runDir !== undefined && samePath(runDir, outDir);
    if (continuing && !samePath(resumePath!, join(runDir, "last.safetensors")) && !overwrite && exists(join(runDir, "last.safetensors"))) {
      throw new CheckpointError(`${resumePath} is not the run's last checkpoint: resuming it in ${runDir} would replace last.safetensors with a branch from step ${ck!.state!.step}; resume from ${join(runDir, "last.safetensors")} (best.safetensors is for sampling), or branch into a new directory with --out NEW_DIR`);
    }
    const mode: ClaimMode = continuing ? "continue" : overwrite ? "overwrite" : "new";
    let textLabel = "";
    let docs: Documents | undefined;
    let sepUsed = sep;

    // 3. the tokens, staged beside the run's files (nothing replaced yet), under `vocab` when one is given
    // (a resume's, a fine-tune's) with `unknown` for characters outside it
    const loadCorpus = async (vocab?: Vocab, unknown?: UnknownPolicy): Promise<Corpus> => {
      claim = claimRunDir(outDir, mode, note, outFlag === undefined && !resumePath);
      const dir = claim.dir;
      if (dir !== outDir) note(`${outDir} already holds a run; this one goes to ${dir} (give --out to choose)`);
      let meta: TokenFileMeta;
      if (ownTokens) {
        // a resume without TEXT: the run's own token file, if it is the text the checkpoint was trained on
        let m: TokenFileMeta;
        try {
          m = readTokenMeta(runDir!);
        } catch (e) {
          throw new CorpusError(`no TEXT given, so the resume reads the run's own token file, but ${(e as Error).message}; give the text the run was trained on: char-lstm train TEXT --resume ${shellQuote(resumePath!)}`);
        }
        if ((ck!.corpus && m.fingerprint !== ck!.corpus) || m.vocab.join("\u0000") !== ck!.vocab.chars.join("\u0000")) {
          throw new CorpusError(`no TEXT given, but the run's token file ${join(runDir!, "tokens.bin")} holds a different text (fingerprint ${m.fingerprint}, the checkpoint's ${ck!.corpus}); give the text the run was trained on: char-lstm train TEXT --resume ${shellQuote(resumePath!)}`);
        }
        meta = m;
        source = openTokens(runDir!, m);
        if (!continuing) staged = stageCopy(runDir!, dir, m);
        textLabel = `the run's token file ${join(runDir!, "tokens.bin")} (from ${m.source})`;
        docs = m.documents ?? parseDocuments(ck!.metadata.documents);
        sepUsed = m.docSep ?? sep;
      } else {
        // the staging's temporary files are this run's to remove, also at a second Ctrl-C mid-encode
        for (const f of ["tokens.bin", "tokens.json"]) claim.willWrite(tempPath(join(dir, f)));
        staged = await stageTextFile(textPath, dir, { vocab, maxVocab: num(flags, "max-vocab"), docSep: sep, unknown, signal: ctx.signal,
                                                      unknownHint: initPath ? "use --unknown skip or --extend-vocab" : undefined });
        meta = staged.meta;
        if (ck?.corpus && meta.fingerprint !== ck.corpus) {
          throw new CheckpointError(`${resumePath} was trained on a different text (fingerprint ${ck.corpus}, this text ${meta.fingerprint}); resume with the same ${inputs.files.length > 1 ? "files (and --doc-sep)" : "file"}, or without TEXT to use the run's own token file`);
        }
        source = openTokens(dir, meta, undefined, staged.bin);
        textLabel = isDefault ? "the bundled Moby Dick" : inputs.files.length > 1 ? positionals.join(" ") : inputs.files[0];
        docs = meta.documents ?? [{ path: inputs.files[0], chars: meta.count }];
      }
      const corpus = new Corpus(vocab ?? new Vocab(meta.vocab), source, meta.fingerprint, config.valFrac, config.testFrac);
      corpus.documents = docs;
      return corpus;
    };

    // 4. the trainer (an allocation that fails says how much was needed and what lowers it)
    let trainer: Trainer;
    let fineTuneBanner: string[] = [];
    let recipe: RecipeChoice | null = null;
    if (initPath) {
      // fine-tuning: the shape comes from the --init-from checkpoint, the settings from its run (resolve.ts);
      // the text's characters are checked before loadCorpus claims the directory
      const ft = await startFineTune(flags, initPath, initCk!, inputs.files, sep, config, model.dropout, kernels, (vocab, unknown) => loadCorpus(vocab, unknown));
      trainer = ft.trainer;
      fineTuneBanner = [...ft.banner, `  settings from ${resolved.source}`];
    } else {
      // a resume reads its text under the run's vocabulary and the run's own --unknown policy
      const corpus = await loadCorpus(ck?.vocab, ck ? config.unknown : undefined);
      // a new run, once its text's size is known: with a time budget alone it buys the recipe of the row
      // whose work its budget buys on this machine (a short probe of the rows' shapes, cli/probe.ts; given
      // flags win), and on a large text its validations are spaced out (resolve.ts spaceValidation)
      if (!ck) {
        const pick = resolved.recipePending
          ? await pickForRun({ flags, kernels, corpus, config, given: (f) => (given as Record<string, unknown>)[f] !== undefined, signal: ctx.signal })
          : undefined;
        resolved = resolveTrainConfig(given, undefined, { recipe: recipeMode, chars: corpus.source.length, pick });
        recipe = resolved.recipe;
        config = resolved.train;
        Object.assign(model, resolved.model);
      }
      try {
        trainer = ck ? restoreTrainer(ck, corpus, config, resumePath) : Trainer.create(corpus, model, config, kernels);
        // how the row was chosen travels in every checkpoint: a resume continues it and never probes again
        if (recipe) trainer.state.recipe = recipe.record;
      } catch (e) {
        if (isOutOfMemory(e)) throw outOfMemory(ck ? ck.model.config : { ...model, vocabSize: corpus.vocab.size }, config, e);
        throw e;
      }
    }
    await openTrainEngine(flags, trainer);
    engine = trainer.stepEngine;
    const backendName = engine ? `${engine.label}, evaluation on ${backendLabel(kernels)}` : backendLabel(kernels);
    backendTag = backendName;
    const corpus = trainer.corpus;
    const run = claim;
    if (!run) throw new Error("internal: the corpus was built without claiming the run directory");
    const dir = run.dir;
    const cfg = trainer.config, m = trainer.model.config;
    const lastPath = join(dir, "last.safetensors"), bestPath = join(dir, "best.safetensors"), curvesPath = join(dir, "history.svg");
    const curvesTitle = curveTitle(m, cfg, basename(dir));

    // never start training into a run we would then fail to evaluate
    trainer.evalBatcher();

    // 5. start: the run's files are this run's from here on
    if (mode === "overwrite") run.clearOldRun();
    if (staged) {
      run.willWrite(join(dir, "tokens.bin"));
      run.willWrite(join(dir, "tokens.json"));
      staged.commit();
    }
    for (const p of [lastPath, bestPath, curvesPath]) run.willWrite(p);

    const budget = [cfg.maxSteps ? `${cfg.maxSteps} steps` : "", cfg.maxTime ? formatDuration(cfg.maxTime) : "", cfg.epochs ? `${cfg.epochs} epochs` : ""].filter(Boolean).join(" or ");
    say(`char-lstm: ${resumePath ? `resuming ${resumePath} at step ${trainer.state.step}` : "training"} on ${textLabel}`);
    if (docs && docs.length > 1) say(`  ${describeInputs(docs.length, docs.reduce((a, d) => a + d.chars, 0), inputs.skipped.length)}, separated by ${JSON.stringify(sepUsed)}`);
    for (const line of fineTuneBanner) say(line);
    say(`  text ${corpus.source.length.toLocaleString("en-US")} chars, vocabulary ${corpus.vocab.size}; train/val/test ${corpus.train.end - corpus.train.start}/${corpus.val.end - corpus.val.start}/${corpus.test.end - corpus.test.start}`);
    say(`  model ${m.layers}×${m.hidden} LSTM, dropout ${m.dropout}, ${trainer.model.numParams.toLocaleString("en-US")} parameters; backend ${backendName}`);
    say(`  batch ${cfg.batch} × seq ${cfg.seq}, ${cfg.optimizer} lr ${cfg.lr}, clip ${cfg.clip} (${cfg.clipMode}), schedule ${describeSchedule(cfg, cfg.maxTime, formatDuration)}; budget ${budget}${cfg.patience ? `, patience ${cfg.patience} evaluations` : ""}; seed ${cfg.seed}${cfg.forgetBias ? `, forget bias ${cfg.forgetBias}` : ""}`);
    if (recipe) {
      const flagsOf = (fields: string[]) => fields.map((f) => flagSpelling(f)).join(", ");
      const from = recipe.given.length === 0 ? "every value from the recipe"
        : recipe.filled.length === 0 ? `all overridden by ${flagsOf(recipe.given)}`
        : `${flagsOf(recipe.given)} yours, ${flagsOf(recipe.filled)} from the recipe`;
      say(`  recipe for ${formatDuration(cfg.maxTime)} on ${describeSize(corpus.source.length)} (row ${recipe.row.name}): ${describeRecipe(recipe.row.recipe)} (${from})`);
      say(`  chosen by work: ${describePick(recipe.record)}`);
      if (json) emit({ event: "recipe", name: recipe.row.name, chars: corpus.source.length, recipe: recipe.row.recipe, filled: recipe.filled.map(kebab), given: recipe.given.map(kebab), choice: recipe.record });
    } else if (resolved.recorded) {
      say(`  recipe row ${resolved.recorded.row}, chosen when the run started (not probed again): ${describePick(resolved.recorded, undefined, "then")}`);
    }
    if (resolved.validation) say(`  ${resolved.validation}`);
    say(`  checkpoints in ${dir}/`);

    const progress = new Progress(ctx.out, ctx.tty && !json, columns);
    let lastStepLine: { step: number; loss: number } | null = null;
    let bestSavedAt: number | null = null;
    let warnedOverfit = false;
    const save = (step: number, best: boolean) => {
      saveCheckpointFile(lastPath, trainer.model, corpus.vocab, trainer);
      savedAny = true;
      if (json) emit({ event: "checkpoint", step, path: lastPath });
      if (best) {
        saveCheckpointFile(bestPath, trainer.model, corpus.vocab, trainer);
        bestSavedAt = step;
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
        // a fine-tune that memorises its text: say so once, with the flag that stops such a run
        if (initPath && !cfg.patience && !warnedOverfit && overfitting(trainer.state.history)) {
          warnedOverfit = true;
          const best = trainer.state.bestVal !== null ? ` (best ${bpc(trainer.state.bestVal).toFixed(4)} bits/char, kept in best.safetensors)` : "";
          const line = `validation has risen for 3 evaluations in a row while the training loss fell: the model is memorising this text${best}; --patience 3 stops a run when this happens`;
          if (json) note(`warning: ${line}`); else progress.log(`warning: ${line}`);
        }
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
      const trainLoss = Number.isFinite(done.trainLoss) ? done.trainLoss.toFixed(4) : "n/a (no step ran)";
      say(`${stoppedBySignal ? "stopped" : "done"} at step ${done.step} (${done.reason === "patience" ? `patience: ${cfg.patience} evaluations without a new best` : done.reason}) after ${formatDuration(done.seconds)}: train loss ${trainLoss}, val ${done.valBpc.toFixed(4)} bits/char`);
      say(bestSavedAt !== null ? `saved ${lastPath} and ${bestPath} (step ${bestSavedAt}, the best validation); learning curves in ${curvesPath}`
        : `saved ${lastPath}; ${bestPath} is unchanged (no better validation in this run); learning curves in ${curvesPath}`);
      say(`sample with:  npx char-lstm sample ${shellQuote(bestPath)} --length 500 --temperature 0.8`, true);
      const more = resumeBudget(cfg, trainer.state, done);
      // the line is pasted as it is: the explanation goes before the command, never after it
      say(`resume with (${more.why}):`);
      say(`              npx char-lstm train ${positionals.map((p) => shellQuote(p) + " ").join("")}--resume ${shellQuote(lastPath)}${more.args.map((a) => " " + a).join("")}`, true);
    }
    return stoppedBySignal ? 130 : 0;
  } catch (e) {
    // nothing of this run was saved: leave the directory as it was (remove only what this process made)
    (source as { close?(): void } | undefined)?.close?.();
    source = undefined;
    cleanUp();
    throw e;
  } finally {
    (source as { close?(): void } | undefined)?.close?.();
    claim?.release();
    forgetCleanUp();
    engine?.dispose();
    kernels.dispose?.();
  }
}

const exists = (p: string): boolean => { try { realpathSync(p); return true; } catch { return false; } };
const canonical = (p: string): string => { try { return realpathSync(p); } catch { return resolve(p); } };
const samePath = (a: string, b: string): boolean => canonical(a) === canonical(b);

/** A word the shell reads back as `s` (single quotes when needed; "./" before a relative path starting with "-"). */
export function shellQuote(s: string): string {
  const t = s.startsWith("-") ? `./${s}` : s;
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(t) ? t : `'${t.replace(/'/g, `'\\''`)}'`;
}

/** An allocation that failed: a RangeError from V8 (array buffers) or from the wasm backend's memory. */
export function isOutOfMemory(e: unknown): boolean {
  return e instanceof RangeError && /allocation failed|out of memory|invalid (typed )?array length|array buffer/i.test(e.message);
}

/**
 * What training a model needs, in bytes (docs/modules.md, "Memory"): 4 parameter-sized buffers (params,
 * grads, two optimizer moments) plus the workspace of one (B, T) shape, all float32.
 */
export function trainingBytes(m: ModelConfig, B: number, T: number): number {
  const { layers: L, hidden: H, vocabSize: V } = m, U = T * B, H16 = Math.ceil(H / 16) * 16;
  const P = paramSpec(m).total;
  const ws = L * (7 * U * H + 2 * B * H) + U * V + 6 * U * H + (m.dropout > 0 ? 2 * (L - 1) * U * H : 0) + (B > 1 ? L * 4 * H * H16 : 0);
  return 4 * (4 * P + ws);
}

function outOfMemory(m: ModelConfig, cfg: TrainConfig, e: unknown): TrainingError {
  const gb = (trainingBytes(m, cfg.batch, cfg.seq) / 1e9).toFixed(1);
  return new TrainingError(`not enough memory to train a ${m.layers}×${m.hidden} model at batch ${cfg.batch} × seq ${cfg.seq}: it needs about ${gb} GB (${(e as Error).message}); lower --hidden or --layers (or --batch/--seq)`);
}
