// The train command's side of the option table: parsed flags → the options given (by config field, for
// resolveTrainConfig), what `train --help` says will be used (a budget run's recipe values, not the plain
// defaults), and the budget a "resume with" line suggests.

import { statSync } from "node:fs";
import { defaultModel, defaultTrain, type TrainConfig } from "../config.js";
import type { ResolvedConfig } from "../resolve.js";
import { resolveTrainConfig, type GivenOptions } from "../resolve.js";
import { fmt, pickRecipe } from "../recipe.js";
import { followsTime } from "../optim/schedule.js";
import { kebab } from "../spelling.js";
import type { DoneReport, TrainState } from "../train.js";
import type { CommandSpec, HelpOptions } from "./args.js";
import type { Flags } from "./context.js";

/** The flags that set config fields (FlagSpec.field), as resolveTrainConfig takes them. */
export function givenOptions(flags: Flags, cmd: CommandSpec): GivenOptions {
  const given: Record<string, unknown> = {};
  for (const f of cmd.flags) if (f.field && flags.has(f.name)) given[f.field] = flags.get(f.name);
  return given as GivenOptions;
}

/** "1h30m", "10m", "45s": a duration as --max-time reads it back (whole seconds, at least 1). */
export function durationArg(seconds: number): string {
  const t = Math.max(1, Math.ceil(seconds - 1e-9));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}

/** A number as --help shows it: 0.0003 → 3e-4, 192 → 192. */
const show = (v: unknown): string => (typeof v === "number" ? fmt(v) : String(v));

/**
 * What `train --help` should say each option will be, given the other flags on the line: a run with a time
 * budget alone (also the 3-minute default of a bare `train`) takes the budget's recipe for what is not
 * given, so those rows show the recipe's value rather than the plain default.
 */
export function trainHelp(flags: Flags, positionals: string[], cmd: CommandSpec, width: number): HelpOptions {
  const given = givenOptions(flags, cmd);
  const notes: string[] = [];
  const used = new Map<string, string>();
  if (flags.has("init-from") || flags.has("resume")) {
    notes.push(flags.has("resume")
      ? "With --resume: the run's own settings; only the options marked resumable below (budget, reporting, learning rate) can change."
      : "With --init-from: the checkpoint's shape; batch, window, optimizer and schedule from the checkpoint's own run unless given (--recipe off: the plain defaults).");
    return { width, notes };
  }
  let chars = 1.2e6;   // the bundled corpus
  if (positionals.length) {
    try { chars = positionals.reduce((a, p) => a + statSync(p).size, 0); } catch { chars = Infinity; }
  }
  let resolved: ResolvedConfig;
  try {
    resolved = resolveTrainConfig(given, undefined, { recipe: flags.get("recipe") === "off" ? "off" : "auto", chars });
  } catch {
    return { width };   // the run itself will say what is wrong
  }
  const spaced = resolved.validation ? `On this text, ${resolved.validation}.` : undefined;
  if (!resolved.recipe) {
    notes.push("With a step or epoch budget, or --recipe off, the defaults below are used as shown.");
    if (spaced) notes.push(spaced);
    return { width, notes };
  }
  const row = resolved.recipe.row;
  const budget = durationArg(resolved.train.maxTime);
  notes.push(`This run (a ${budget} time budget${flags.has("max-time") ? "" : ", the default"}) takes the ${row.name} recipe (src/recipe.ts) for what you do not give: the values marked "used" below, the row a ${budget} budget buys at the speed the table was tuned at; the run measures this machine's speed first (a probe of a few seconds at most) and takes the row whose work the budget buys here, so a slower machine may get a smaller row and a faster one a bigger. A step or epoch budget or --recipe off uses the plain defaults.`);
  if (spaced) notes.push(spaced);
  const all: Record<string, unknown> = { ...resolved.model, ...resolved.train };
  const plain: Record<string, unknown> = { ...defaultModel, ...defaultTrain };
  for (const [field, v] of Object.entries(all)) {
    if (field in given || field === "maxTime" || v === plain[field]) continue;
    if (field === "evalEvery" && resolved.validation) { used.set(kebab(field), `used: ${show(v)}, spaced out for this text (see the notes)`); continue; }
    used.set(kebab(field), `used: ${show(v)} from the ${row.name} recipe; plain default ${show(plain[field])}`);
  }
  return { width, notes, used };
}

/**
 * The budget the "resume with" line suggests for a run that ended for `reason`: nothing more to give
 * when the run was stopped with budget left (the resume continues it), else as much again as this run had.
 */
export function resumeBudget(cfg: TrainConfig, st: Pick<TrainState, "step" | "seconds" | "lrSpan">, done: Pick<DoneReport, "reason" | "seconds">): { args: string[]; why: string } {
  const decays = cfg.decay === "cosine" || cfg.decay === "linear";
  const rate = decays ? "; the learning rate goes on from where it is" : "";
  if (done.reason === "stopped") {
    if (cfg.maxSteps) return { args: [], why: `continues to step ${cfg.maxSteps}, its budget` };
    if (cfg.epochs && !cfg.maxTime) return { args: [], why: `continues to epoch ${cfg.epochs}, its budget` };
    const left = followsTime(cfg) && st.lrSpan && st.lrSpan.unit !== "steps" ? st.lrSpan.end - st.seconds : cfg.maxTime - done.seconds;
    if (left >= 1) {
      return followsTime(cfg) ? { args: [], why: `continues the ${durationArg(left)} left of its schedule${rate}` }
        : { args: ["--max-time", durationArg(left)], why: `the ${durationArg(left)} left of its budget` };
    }
  }
  if (done.reason === "max-steps" || (cfg.maxSteps && done.reason !== "max-time")) {
    return { args: ["--max-steps", String(Math.max(st.step + 1, 2 * st.step))], why: `as many steps again${rate}` };
  }
  if (done.reason === "epochs") return { args: ["--epochs", String(2 * cfg.epochs)], why: `as many epochs again${rate}` };
  const more = durationArg(cfg.maxTime || 180);
  return { args: ["--max-time", more], why: `${more} more${rate}${done.reason === "patience" ? "; it stopped early because validation stopped improving, so more of the same may not help" : ""}` };
}
