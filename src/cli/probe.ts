// The train command's recipe probe: before a new budget run fixes its schedule, measure this machine's
// chars/s for the recipe rows' shapes (recipe_probe.ts) and choose the row whose work the budget buys
// (recipe.ts). The probe runs on kernels of the run's own backend and --threads, opened for it and disposed
// after. An engine that supplies no rate (webgpu, for now) skips it, and the banner says so.

import type { TrainConfig } from "../config.js";
import type { Corpus } from "../data/corpus.js";
import type { Kernels } from "../kernels/types.js";
import { candidateShapes, chooseRecipe, probeRecipe, RECIPE_FIELDS, type RateHook, type RecipePick } from "../recipe.js";
import { describeMeasure, probeSlice, trainerProbe } from "../recipe_probe.js";
import type { OptionField } from "../options.js";
import type { Flags } from "./context.js";
import { openKernels, str } from "./context.js";

export interface ProbeOptions {
  flags: Flags;
  /** The run's kernels (their name says whether this engine can be probed). */
  kernels: Kernels;
  corpus: Corpus;
  /** The run's config before the recipe fills it (its budget, seed, optimizer). */
  config: TrainConfig;
  given: (field: OptionField) => boolean;
  signal: AbortSignal;
  /** One line per probed shape, for --verbose logs and --json (optional). */
  log?: (line: string) => void;
  /** A rate hook to use instead of the CPU trainers' (an engine's own, or a test's). */
  rate?: RateHook;
}

/** Engines that supply no rate hook yet: the row is chosen at the tuning machine's speed. */
const UNPROBED = new Set(["webgpu"]);

/** The recipe row for this run's budget and text, from this machine's measured speed where it can be measured. */
export async function pickForRun(o: ProbeOptions): Promise<RecipePick> {
  const seconds = o.config.maxTime, chars = o.corpus.source.length;
  const backend = str(o.flags, "backend") ?? o.kernels.name;
  if (!o.rate && (UNPROBED.has(backend) || UNPROBED.has(o.kernels.name))) {
    return chooseRecipe(seconds, chars, undefined, undefined, { noProbe: `no probe on the ${backend} backend yet` });
  }
  if ((Object.values(RECIPE_FIELDS) as OptionField[]).every((f) => o.given(f))) {
    return chooseRecipe(seconds, chars, undefined, undefined, { noProbe: "not probed (every recipe value given)" });
  }
  const clock = () => performance.now() / 1000;
  if (o.rate) return probeRecipe(seconds, chars, o.rate, undefined, clock);
  const t0 = clock();
  const { kernels } = await openKernels(o.flags);
  try {
    const hook = trainerProbe({
      corpus: o.corpus, config: o.config, kernels, slice: probeSlice(seconds, candidateShapes(chars).length),
      now: () => performance.now(), stop: () => o.signal.aborted, onShape: (shape, m) => o.log?.(describeMeasure(shape, m)),
    });
    const pick = await probeRecipe(seconds, chars, hook, undefined, clock);
    pick.record.probeSeconds = clock() - t0;   // opening the probe's kernels included
    return pick;
  } finally {
    (kernels as { dispose?(): void }).dispose?.();
  }
}
