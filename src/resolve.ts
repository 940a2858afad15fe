// resolveTrainConfig: the model and training config of a run, from the options a user gave (by config
// field, as any shell collects them) and, on a resume or a fine-tune, a checkpoint. Pure: no files, no
// clock, no printing; every refusal is a RangeError naming fields (spelling.ts), which each shell spells.
//
//   new run     defaults ← given; no budget → 3 minutes; a time budget alone → the budget's recipe
//               (recipe.ts) for the fields not given, once the text's size is known (`chars`): the row
//               the shell's probe chose (`pick`, from this machine's chars/s), else the row at the tuning
//               machine's speed; the text's size also spaces validation out on a large text (spaceValidation)
//   resume      the checkpoint's config; given fields the option table marks resumable replace it, the
//               others are ignored (and listed); a new budget replaces the whole budget; none continues
//               what is left of an interrupted run's time span (resume.ts continuedTime); how the run's
//               recipe row was chosen (TrainState.recipe) comes back as `recorded`, never chosen again
//   fine-tune   the checkpoint's shape; batch, window, optimizer and schedule from the checkpoint's own run
//               (the settings that trained this model: its "recipe"), given fields win; a budget as a new run

import { defaultModel, defaultTrain, validateModel, validateTrain, type ModelConfig, type TrainConfig } from "./config.js";
import { RESUMABLE, type ModelField, type OptionField, type TrainField } from "./options.js";
import { applyRecipe, isRecipeRecord, type RecipeChoice, type RecipePick, type RecipeRecord } from "./recipe.js";
import { continuedTime } from "./resume.js";
import { configError, type Spelling } from "./spelling.js";
import type { TrainState } from "./train.js";

/** The options a user gave, by config field (absent = not given). */
export type GivenOptions = Partial<Pick<ModelConfig, ModelField> & TrainConfig>;

/** What resolveTrainConfig reads of a checkpoint: its model config and, when it has them, run and state. */
export interface CheckpointConfig {
  model: ModelConfig;
  train?: TrainConfig;
  state?: TrainState;
}

export interface ResolveOptions {
  /** "off": no recipe (plain defaults for a new run, for a fine-tune not the checkpoint's run either). */
  recipe?: "auto" | "off";
  /**
   * Characters of the training text (an estimate will do): a new run's recipe is applied only once this
   * is known; a fine-tune validates at least once an epoch of it.
   */
  chars?: number;
  /** The checkpoint is an --init-from (a new run from its weights), not a resume. */
  fineTune?: boolean;
  /**
   * The recipe row the shell chose for this budget and text from this machine's measured speed
   * (recipe.ts probeRecipe); absent: the row at the tuning machine's speed (chooseRecipe without rates).
   */
  pick?: RecipePick;
}

export interface ResolvedConfig {
  model: Omit<ModelConfig, "vocabSize">;
  train: TrainConfig;
  /** Given fields that the checkpoint defines on a resume (so they were ignored). */
  ignored: OptionField[];
  /** The recipe row used and which fields it filled (a new run with a time budget alone, chars known). */
  recipe: RecipeChoice | null;
  /** A recipe will apply once `chars` is known (resolve again with it; the shell probes first). */
  recipePending: boolean;
  /** On a resume: how the run's recipe row was chosen at its start (never chosen again). */
  recorded?: RecipeRecord;
  /** Where a fine-tune's settings come from, for the banner. */
  source?: string;
  /** A new run on a large text: how its validation cadence was spaced (spaceValidation), for the banner. */
  validation?: string;
}

/** The budget of a run given none (npm start): 3 minutes. */
export const DEFAULT_MAX_TIME = 180;
const BUDGET = ["maxSteps", "maxTime", "epochs"] as const;
/** What a fine-tune takes from the checkpoint's own run: what shaped and drove its updates. */
const FROM_RUN = ["batch", "seq", "optimizer", "lr", "beta1", "beta2", "eps", "momentum", "clip", "clipMode", "decay", "decayRate", "decayEvery", "lrMin", "evalEvery", "sampleEvery", "checkpointEvery"] as const;

export function resolveTrainConfig(given: GivenOptions, checkpoint?: CheckpointConfig, opts: ResolveOptions = {}): ResolvedConfig {
  const has = (f: OptionField) => given[f] !== undefined;
  // 0 means "no limit" for each budget; with no other budget that would be an endless run
  const budgets = BUDGET.filter(has);
  if (budgets.length && budgets.every((f) => given[f] === 0)) {
    throw configError((s) => `${budgets.map((f) => s(f, "0")).join(" with ")} leaves the run without a budget (0 = no limit): give a positive ${s("maxSteps")}, ${s("maxTime")} or ${s("epochs")}`);
  }
  const ignored: OptionField[] = [];
  const setBudget = (train: TrainConfig) => {
    if (budgets.length) for (const f of BUDGET) train[f] = given[f] ?? 0;
    if (!train.maxSteps && !train.maxTime && !train.epochs) train.maxTime = DEFAULT_MAX_TIME;
  };

  if (checkpoint && !opts.fineTune) {
    // a resume: the checkpoint's run, with what a resume may change
    if (!checkpoint.train || !checkpoint.state) throw configError(() => "the checkpoint holds no training state (best.safetensors is for sampling); resume from last.safetensors");
    const train: TrainConfig = { ...defaultTrain, ...checkpoint.train };
    for (const f of Object.keys(defaultTrain) as TrainField[]) {
      if (!has(f) || BUDGET.includes(f as (typeof BUDGET)[number])) continue;
      if (RESUMABLE.has(f)) (train as unknown as Record<string, unknown>)[f] = given[f];
      else if (given[f] !== train[f]) ignored.push(f);
    }
    for (const f of ["layers", "hidden", "dropout"] as const) if (has(f) && given[f] !== checkpoint.model[f]) ignored.push(f);
    // a budget given on resume replaces the run's whole budget (a 3-minute default must not linger);
    // none continues what is left of an interrupted time span
    if (!budgets.length) train.maxTime = continuedTime(train, checkpoint.state);
    setBudget(train);
    validateTrain(train);
    checkBudgetLeft(train, checkpoint.state, budgets.length > 0);
    const { layers, hidden, dropout } = checkpoint.model;
    return { model: { layers, hidden, dropout }, train, ignored, recipe: null, recipePending: false,
             recorded: isRecipeRecord(checkpoint.state.recipe) ? checkpoint.state.recipe : undefined };
  }

  if (checkpoint) {
    // a fine-tune: the checkpoint's shape; its run's batch, window, optimizer and schedule unless given
    const m = checkpoint.model;
    for (const f of ["layers", "hidden"] as const) {
      if (has(f) && given[f] !== m[f]) throw configError((s) => `${s(f, String(given[f]))} conflicts with ${s("initFrom")}: the checkpoint is a ${m.layers}×${m.hidden} model (leave ${s(f)} out)`);
    }
    const model = { layers: m.layers, hidden: m.hidden, dropout: given.dropout ?? m.dropout };
    const train: TrainConfig = { ...defaultTrain };
    const run = opts.recipe !== "off" ? checkpoint.train : undefined;
    const taken: string[] = [];
    if (run) for (const f of FROM_RUN) if (!has(f) && run[f] !== undefined) { (train as unknown as Record<string, unknown>)[f] = run[f]; taken.push(f); }
    for (const f of Object.keys(defaultTrain) as TrainField[]) if (has(f)) (train as unknown as Record<string, unknown>)[f] = given[f];
    setBudget(train);
    // a decaying schedule needs a step or time budget to end at; an epoch budget alone keeps the rate
    if ((train.decay === "cosine" || train.decay === "linear") && !has("decay") && !train.maxSteps && !train.maxTime) train.decay = "none";
    if (train.lrMin > train.lr && !has("lrMin")) train.lrMin = 0.1 * train.lr;
    validateModel({ ...model, vocabSize: 1 });
    validateTrain(train);
    let source = opts.recipe === "off" ? "the plain defaults (--recipe off)"
      : !checkpoint.train ? "the plain defaults (the checkpoint holds no training config to take them from)"
      : taken.length ? "the checkpoint's own run (what trained this model; flags you give win)" : "your flags";
    // a fine-tune's text is often small: one validation per epoch at most, so memorising it shows (and
    // best.safetensors keeps the step before) long before the run's own cadence would look
    // and a large one no more often than its validation split can afford (spaceValidation)
    if (opts.chars !== undefined && !has("evalEvery") && train.evalEvery > 0) {
      const spaced = spaceValidation(train, opts.chars);
      const epoch = Math.max(1, Math.floor((opts.chars * (1 - train.valFrac - train.testFrac)) / (train.batch * train.seq)));
      if (epoch < train.evalEvery) {
        train.evalEvery = epoch;
        if (!has("checkpointEvery") && train.checkpointEvery > epoch) train.checkpointEvery = epoch;
        source += `; validation every ${epoch} steps, about once an epoch of this text`;
      } else if (spaced) source += `; ${spaced}`;
    }
    return { model, train, ignored, recipe: null, recipePending: false, source };
  }

  // a new run
  const model = { layers: given.layers ?? defaultModel.layers, hidden: given.hidden ?? defaultModel.hidden, dropout: given.dropout ?? defaultModel.dropout };
  const train: TrainConfig = { ...defaultTrain };
  for (const f of Object.keys(defaultTrain) as TrainField[]) if (has(f)) (train as unknown as Record<string, unknown>)[f] = given[f];
  setBudget(train);
  validateModel({ ...model, vocabSize: 1 });
  validateTrain(train);
  const wantsRecipe = opts.recipe !== "off" && train.maxTime > 0 && !train.maxSteps && !train.epochs;
  let recipe: RecipeChoice | null = null;
  if (wantsRecipe && opts.chars !== undefined) {
    recipe = applyRecipe(model, train, opts.chars, has, undefined, opts.pick);
    validateModel({ ...model, vocabSize: 1 });
    validateTrain(train);
  }
  const validation = opts.chars !== undefined && !has("evalEvery") ? spaceValidation(train, opts.chars) : undefined;
  return { model, train, ignored, recipe, recipePending: wantsRecipe && opts.chars === undefined, ...(validation ? { validation } : {}) };
}

/**
 * How far apart validations are at least, in training characters per character of the validation split.
 * A validation reads the whole split forward at the run's batch (runTraining: best.safetensors needs the
 * whole split's loss), about a third of a training step's work per character, so VALIDATION_SPACING = 4
 * keeps validating under a twelfth of the run. The default cadence, 200 steps of B32 × T64 = 409,600
 * characters, met that only for splits up to 102,400 characters (texts up to about 2M at --val-frac 0.05): a
 * 25M-character text's 1.25M-character split, read every 409,600 training characters, took about half of
 * every run.
 */
export const VALIDATION_SPACING = 4;

/**
 * Stretch a cadence the user did not give (train.evalEvery, in steps; 0 = never stays never) so that at
 * least VALIDATION_SPACING × the validation split's characters are trained between validations, for a text
 * of `chars` characters; says what it did, or undefined when the cadence already affords the split.
 * Checkpoints keep their own cadence (last.safetensors between validations is what a crash resumes from).
 */
export function spaceValidation(train: TrainConfig, chars: number): string | undefined {
  if (!(train.evalEvery > 0)) return undefined;
  const split = Math.floor(chars * train.valFrac), perStep = train.batch * train.seq;
  const steps = Math.ceil((VALIDATION_SPACING * split) / perStep);
  if (steps <= train.evalEvery) return undefined;
  train.evalEvery = steps;
  const n = (x: number) => x.toLocaleString("en-US");
  return `validation every ${n(steps)} steps (${n(steps * perStep)} training characters, ${VALIDATION_SPACING}× the ${n(split)}-character validation split, so validating stays under a twelfth of the run; --eval-every N to choose)`;
}

/** A resume whose budget is already spent would train nothing: refuse it, saying what to give. */
export function checkBudgetLeft(config: TrainConfig, state: Pick<TrainState, "step" | "epoch">, given: boolean): void {
  const { step, epoch } = state;
  if (config.maxSteps && step >= config.maxSteps) {
    throw configError((s: Spelling) => given
      ? `${s("maxSteps", String(config.maxSteps))} is not above the run's step ${step}: nothing to train (${s("maxSteps")} counts the steps before the resume); give more, e.g. ${s("maxSteps", String(step + 1000))}`
      : `the run already reached its budget of ${config.maxSteps} steps (at step ${step}); give a larger ${s("maxSteps")} or a ${s("maxTime")} to continue it`);
  }
  if (config.epochs && epoch >= config.epochs) {
    throw configError((s: Spelling) => given
      ? `${s("epochs", String(config.epochs))} is not above the run's epoch ${epoch.toFixed(2)}: nothing to train (${s("epochs")} counts the epochs before the resume); give more`
      : `the run already reached its budget of ${config.epochs} epochs; give a larger ${s("epochs")} or a ${s("maxTime")} to continue it`);
  }
}
