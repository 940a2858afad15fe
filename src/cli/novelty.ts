// `char-lstm novelty SAMPLE_FILE --text TRAIN_FILE` (and the report `sample --novelty` prints): how much of a
// sample was copied verbatim from the training text (novelty.ts).

import { CorpusError, decodeUtf8 } from "../data/corpus.js";
import { Cooperator } from "../io/cooperate.js";
import { readBytes } from "../io/node.js";
import { NoveltyIndex, type NoveltyReport } from "../novelty.js";
import { UsageError } from "./args.js";
import { bool, num, str, type CliContext, type Flags } from "./context.js";

/** --min-run, checked (default 20). */
export function minRunFlag(flags: Flags): number {
  const minRun = num(flags, "min-run") ?? 20;
  if (minRun < 1) throw new UsageError(`--min-run must be at least 1, got ${minRun}`);
  return minRun;
}

/** The training text of --text / --novelty, indexed once. */
export function loadNoveltyIndex(path: string): NoveltyIndex {
  return new NoveltyIndex(decodeUtf8(readBytes(path), path));
}

/** The report in one line, e.g. "novelty: longest copy 23 characters (sample @ 10, text @ 5012); 4.1% copied in runs ≥ 20". */
export function formatNovelty(r: NoveltyReport): string {
  const where = r.longest_copy > 0 ? ` (sample @ ${r.longest_copy_at.sample}, text @ ${r.longest_copy_at.text})` : "";
  return `novelty: longest copy ${r.longest_copy} characters${where}; ${(100 * r.copied_fraction).toFixed(1)}% of the sample copied in runs of ≥ ${r.min_run} characters`;
}

export async function noveltyCommand(flags: Flags, [samplePath]: string[], ctx: CliContext): Promise<number> {
  const textPath = str(flags, "text");
  if (!textPath) throw new UsageError("novelty needs --text FILE, the training text to compare with");
  const minRun = minRunFlag(flags);
  const sample = decodeUtf8(readBytes(samplePath), samplePath);
  if (sample.length === 0) throw new CorpusError(`${samplePath} is empty: there is no sample to compare with ${textPath}`);
  // the matching in ~20 ms slices, so Ctrl-C and SIGTERM act at once (130)
  const co = new Cooperator(ctx.signal, 20);
  const report = await loadNoveltyIndex(textPath).reportAsync(sample, minRun, () => co.pause());
  if (!report) return 130;
  ctx.out(bool(flags, "json") ? JSON.stringify(report) + "\n" : `${samplePath}: ${formatNovelty(report)}\n`);
  return 0;
}
