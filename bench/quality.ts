// `npm run bench:quality [-- MODE] [options]`: what a user's minutes buy, measured.
//
//   sweep    (default) every candidate recipe (quality_lib.ts CANDIDATES) for every budget, each a fresh
//            `char-lstm train --max-time B` process, scored by held-out bits/char; the winners are what
//            src/recipe.ts's table should hold. Budgets 3m,10m by default (--budgets 3m,10m,30m adds 30).
//            Each cell also gives the run's steps and training characters (steps × B × T: the work a row
//            is keyed on) and its final training loss beside the held-out one (the gap shows memorising).
//   ladder   what more time buys with the table as it is: for each budget (1m,3m,10m,30m) a bare
//            `char-lstm train --max-time B` (the row its probe picks on this machine), scored as the sweep is;
//            the row, the chars/s the probe measured, the steps, the training characters and the last
//            step's training loss beside the held-out figure, and whether held-out bits/char strictly
//            improves from each budget to the next (the issue's "monotone" target). With --speed 0.5 it is
//            the ladder of a machine half as fast, with --threads 1 on one thread, with --text FILE on another text.
//   compare  quality per wall time against PyTorch: for each budget (2m,5m,10m) char-lstm with its default
//            recipe (the row its probe chose on this machine, with the chars/s it measured) and PyTorch
//            (bench/peers/torch_charlstm.py) running the SAME recipe (shape, lr, the time-based
//            cosine/linear decay, warm-up, dropout), plus `npm start` as it is; bits/char and the fraction of
//            generated words found in the training text.
//   steps    equal steps: the 3m recipe for --steps N steps (schedule over the steps) in char-lstm and in
//            PyTorch from the identical initial weights (char-lstm's init, seeds 1 and 2).
//
// Scoring is the same for both engines: the validation split (char-lstm's 0.90/0.05/0.05 split of the
// bundled corpus) read as one continuous stream from a zero state (`char-lstm eval`'s loss), in bits/char;
// words: a 2,000-character sample at temperature 0.8 after a newline, split on whitespace, punctuation
// stripped, lower-cased, counted against the words of the training split.
//
// Options: --budgets 3m,10m · --candidates a,b,… · --steps N · --section KEY (a sweep's section name) ·
// --threads N (every char-lstm run and its recipe probe on N threads; on a 2-core machine one thread runs the
// small-batch rows at 80-105% of two threads' speed, so it is another thread count more than a slower machine)
// · --speed F (ladder: a machine F times as fast as this one; each budget B runs B × F seconds here, which buys
// the characters B buys there, and the probe picks that machine's row) · --text FILE (train and score on another
// text, e.g. source code or a larger text — `npm run bench:corpus` makes one of 10-100 MB — instead of the
// bundled corpus) · --kept (sweep, ladder: train with the default validation cadence and also score
// best.safetensors, what a user's run keeps, and last.safetensors on the test split; cells are judged by the
// kept figure) · --seeds N (sweep, ladder: every cell N times, --seed 1 … N, judged by the mean, its range beside
// it, so a difference can be read against the noise between seeds) · --keep-start DIR (compare: keep the npm
// start run's directory) · --torch-threads N (default: the threads char-lstm uses) · --quick (20 s budgets,
// 30 steps, prints instead of writing) · --no-write.
// Results go into BENCHMARKS.md between <!-- quality:KEY:begin/end --> markers (KEY: sweep-3m, sweep-10m, …,
// compare-2m-5m-10m, steps-500: keyed by the budgets or the step count, then -t1 for --threads 1, -x0.5 for
// --speed 0.5, -s3 for --seeds 3, -kept for --kept and -NAME for --text NAME.txt: quality_lib.ts sectionKey);
// the rest is kept.

import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { Corpus } from "../src/data/corpus.js";
import { defaultCorpusPath } from "../src/io/node.js";
import { createKernels } from "../src/kernels/select.js";
import { count, describePick, describeRecipe, pickRecipe, type Recipe, type RecipeRecord } from "../src/recipe.js";
import { sampleText } from "../src/sample.js";
import { evaluateTokens } from "../src/train.js";
import { benchOptions, CANDIDATES, cellFlags, cellSeeds, describeChange, fmtDiff, fmtDuration, fmtSpread, knownWordFraction, recipeArgs, replaceSection, runArgs, secondsHere, sectionKey, separated, spread, words, type BenchOptions, type Spread } from "./quality_lib.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const BIN = here("../../bin/char-lstm.mjs");
const PEER = here("../../bench/peers/torch_charlstm.py");
const OUT = here("../../BENCHMARKS.md");
const VAL_FRAC = 0.05, TEST_FRAC = 0.05, SAMPLE_CHARS = 2000, TEMPERATURE = 0.8;

// ---- options -------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
let options: BenchOptions;
try {
  options = benchOptions(argv);
} catch (e) {
  console.error(`bench:quality: ${(e as Error).message}`);
  process.exit(2);
}
const { mode, quick, write, budgets, steps: fixedSteps } = options;
const candidateNames = options.candidates;
const cores = availableParallelism();
const threads = options.threads ?? cores;
const torchThreads = options.torchThreads ?? threads;
const textPath = options.text ?? defaultCorpusPath();
const textName = options.text ?? "the bundled corpus";
// how a made text was made (bench/code_corpus.ts leaves FILE.about beside FILE), for the sections' text line
const textAbout = options.text && existsSync(`${options.text}.about`) ? `; ${readFileSync(`${options.text}.about`, "utf8").trim()}` : "";

// ---- the corpus and its scoring ---------------------------------------------------------------------
const text = readFileSync(textPath, "utf8");
const codePoints = Array.from(text);
const probe = Corpus.fromText(text, { valFrac: VAL_FRAC, testFrac: TEST_FRAC });
const trainWords = new Set(words(codePoints.slice(probe.train.start, probe.train.end).join("")));
const { kernels } = await createKernels({ backend: "auto", threads });
const work = mkdtempSync(join(tmpdir(), "char-lstm-quality-"));

/**
 * --kept: a cell's figures on the test split (which neither training nor the choice of best saw): its
 * best.safetensors (the checkpoint a user's run keeps, saved at `bestStep`, the best of `evals` validations)
 * and its last.safetensors.
 */
interface Kept { best: number; last: number; bestStep: number; evals: number }
interface Score { engine: string; steps: number; seconds: number; bpc: number; words: number; sample: string; trainBpc?: number; kept?: Kept }
/** --seeds N: the ranges of a cell's figures over its runs (held-out bits/char, and --kept's best and last). */
interface Seeds { bpc: Spread; best?: Spread; last?: Spread }
type Run = Score & { recipe?: Recipe; choice?: RecipeRecord };
type Cell = Run & { seeds?: Seeds };

type Checkpoint = ReturnType<typeof decodeCheckpoint>;
const load = (path: string): Checkpoint => decodeCheckpoint(readFileSync(path), kernels, path);
/** The text encoded in a run's vocabulary (one run's checkpoints share it), cut into the same splits. */
const corpusOf = (ck: Checkpoint) => Corpus.fromText(text, { valFrac: VAL_FRAC, testFrac: TEST_FRAC, vocab: ck.vocab });

/** Bits/char of a checkpoint on one held-out split (val or test) read as one stream from a zero state. */
function heldOut(ck: Checkpoint, corpus: Corpus, split: "val" | "test"): number {
  const { start, end } = corpus[split], src = corpus.source;
  const tokens = { length: end - start, read: (pos: number, n: number, out: Int32Array) => src.read(start + pos, n, out) };
  return evaluateTokens(ck.model, tokens, 256).bpc;
}

/** Held-out bits/char (validation split) and the word score of a char-lstm checkpoint. */
function scoreCheckpoint(ck: Checkpoint, corpus: Corpus): { bpc: number; words: number; sample: string } {
  const sample = sampleText(ck.model, ck.vocab, { length: SAMPLE_CHARS, seed: 1, temperature: TEMPERATURE });
  return { bpc: heldOut(ck, corpus, "val"), words: knownWordFraction(sample, trainWords).fraction, sample };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${err.slice(-2000)}`))));
  });
}

let backend = "?";
/** A fresh `char-lstm train` process; returns its done event and the score of its last checkpoint. */
async function trainCharLstm(tag: string, args: string[], keep?: string): Promise<Run> {
  const out = join(work, tag);
  const lines = (await run(process.execPath, [BIN, "train", ...runArgs(options, args), "--out", out, "--json"])).trim().split("\n").map((l) => JSON.parse(l));
  backend = lines.find((l) => l.backend)?.backend ?? backend;
  const done = lines.find((l) => l.event === "done"), event = lines.find((l) => l.event === "recipe");
  const last = load(join(out, "last.safetensors")), corpus = corpusOf(last);
  const s = scoreCheckpoint(last, corpus);
  let kept: Kept | undefined;
  if (options.kept) {
    const best = load(join(out, "best.safetensors"));
    kept = { best: heldOut(best, corpus, "test"), last: heldOut(last, corpus, "test"), bestStep: best.state?.step ?? NaN,
             evals: lines.filter((l) => l.event === "eval").length };
  }
  if (keep) cpSync(out, keep, { recursive: true });   // --keep-start: the npm start run, to sample from later
  rmSync(out, { recursive: true, force: true });
  return { engine: "char-lstm", steps: done.step, seconds: done.seconds, ...s, trainBpc: typeof done.train_loss === "number" ? done.train_loss / Math.LN2 : NaN, recipe: event?.recipe, choice: event?.choice, kept };
}

/**
 * One cell of a sweep or a ladder: a run, or with --seeds N one run per seed (1 … N) whose figures are
 * averaged (the cell is judged by the means; `seeds` keeps their ranges). The recipe and
 * the probe's choice are the first run's (a ladder's probe may pick another row for another run: the log says).
 */
async function trainCell(tag: string, args: string[]): Promise<Cell> {
  const seeds = cellSeeds(options);
  if (seeds.length === 1) return trainCharLstm(tag, args);
  const runs: Run[] = [];
  for (const seed of seeds) {
    const r = await trainCharLstm(`${tag}-seed${seed}`, [...args, "--seed", String(seed)]);
    log(`  seed ${seed}: ${f3(r.bpc)} bits/char after ${r.steps} steps${mode === "ladder" && r.choice ? ` (row ${r.choice.row})` : ""}${keptLog(r)}`);
    runs.push(r);
  }
  const mean = (xs: number[]) => spread(xs).mean;
  const kepts = runs.map((r) => r.kept).filter((k): k is Kept => k !== undefined);
  const bpc = spread(runs.map((r) => r.bpc)), best = kepts.length ? spread(kepts.map((k) => k.best)) : undefined;
  const last = kepts.length ? spread(kepts.map((k) => k.last)) : undefined;
  return {
    ...runs[0], steps: Math.round(mean(runs.map((r) => r.steps))), seconds: mean(runs.map((r) => r.seconds)), bpc: bpc.mean,
    words: mean(runs.map((r) => r.words)), trainBpc: mean(runs.map((r) => r.trainBpc ?? NaN)),
    kept: best && last ? { best: best.mean, last: last.mean, bestStep: NaN, evals: NaN } : undefined,
    seeds: { bpc, best, last },
  };
}

function peerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The PyTorch peer on the same recipe: for `seconds` of wall time, or for `steps` steps. */
async function trainTorch(r: Recipe, budget: { seconds?: number; steps?: number; initSeed?: number }): Promise<Score> {
  const args = [PEER, "--text", textPath, "--layers", String(r.layers), "--hidden", String(r.hidden), "--dropout", String(r.dropout),
    "--batch", String(r.batch), "--seq", String(r.seq), "--lr", String(r.lr), "--decay", r.decay === "step" ? "none" : r.decay,
    "--lr-min", String(r.lr * r.lrMinFrac), "--lr-warmup", String(r.warmup), "--threads", String(torchThreads),
    "--val-frac", String(VAL_FRAC), "--test-frac", String(TEST_FRAC), "--score-stream", "--sample-text", String(SAMPLE_CHARS),
    "--temperature", String(TEMPERATURE)];
  if (budget.seconds) args.push("--seconds", String(budget.seconds));
  if (budget.steps) args.push("--train-steps", String(budget.steps));
  if (budget.initSeed !== undefined) args.push("--init-seed", String(budget.initSeed));
  const o = JSON.parse((await run("/usr/bin/python3", args, peerEnv())).trim().split("\n").at(-1)!);
  return { engine: "pytorch", steps: o.steps, seconds: o.seconds, bpc: o.val_bpc_stream, words: knownWordFraction(o.sample, trainWords).fraction, sample: o.sample };
}

function torchVersion(): string | null {
  try {
    return execFileSync("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch { return null; }
}

const f3 = (x: number) => x.toFixed(3), diff = fmtDiff, pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const command = `npm run bench:quality -- ${argv.join(" ")}`.trim();
const machine = () => `${cpus()[0]?.model ?? "?"}, ${cores} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; backend ${backend}, ${threads} thread${threads === 1 ? "" : "s"}`;
const stamp = () => `- command: \`${command}\`\n- machine: ${machine()}\n- text: ${textName} (${codePoints.length.toLocaleString("en-US")} characters${textAbout})\n- date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;
const log = (s: string) => console.error(`bench:quality: ${s}`);

// --kept: what a cell is judged by, and how its sections say so
const rank = (s: Score) => s.kept?.best ?? s.bpc;
const keptLog = (s: Cell) => !s.kept ? "" : s.seeds?.best && s.seeds.last ? `; kept on test ${fmtSpread(s.seeds.best)} (last ${fmtSpread(s.seeds.last)})`
  : `; kept step ${s.kept.bestStep} of ${s.kept.evals} validations: test ${f3(s.kept.best)} (last ${f3(s.kept.last)})`;
// --seeds: the range of the figure a cell is judged by; a figure as its section prints it (the mean and range over seeds)
const rankSpread = (s: Cell): Spread | undefined => s.seeds && (s.kept ? s.seeds.best : s.seeds.bpc);
const fig = (x: number, sp?: Spread) => (sp ? fmtSpread(sp) : f3(x));
const SEEDS_NOTE = (n: number) => [
  `Each cell is ${n} runs (\`--seeds ${n}\`: \`--seed 1\` … \`--seed ${n}\`, so the initial weights and dropout`,
  "masks differ) and is judged by the mean; a figure reads mean (lowest–highest seed), the steps are the mean",
  "over the seeds. A difference whose ranges overlap is not told apart by these seeds.",
];
const change = (s: Cell, prev: Cell) => describeChange(rank(s), rank(prev), rankSpread(s), rankSpread(prev));
const KEPT_NOTE = [
  "Scored as a user's run is kept (`--kept`): each cell trains with the default validation cadence (a bare",
  "`char-lstm train`'s), which keeps best.safetensors, the checkpoint with the best validation loss so far and",
  "the one `sample RUN_DIR` loads; it and last.safetensors are scored on the test split (the last 5% of the",
  "text), which neither training nor the choice of the best checkpoint saw.",
];

function publish(key: string, body: string): void {
  console.log(body);
  if (!write) return;
  const md = existsSync(OUT) ? readFileSync(OUT, "utf8") : "# Benchmarks\n";
  writeFileSync(OUT, replaceSection(md, key, body));
  log(`wrote the ${key} section of BENCHMARKS.md`);
}

// ---- modes ------------------------------------------------------------------------------------------
async function sweep(): Promise<void> {
  const results: Record<string, Record<number, Cell>> = {};
  for (const b of budgets) {
    for (const name of candidateNames) {
      log(`sweep: candidate ${name} (${describeRecipe(CANDIDATES[name])}) for ${fmtDuration(b)} …`);
      const s = (results[name] ??= {})[b] = await trainCell(`sweep-${name}-${b}`, [...cellFlags(options, b), ...recipeArgs(CANDIDATES[name])]);
      log(`  ${fig(s.bpc, s.seeds?.bpc)} bits/char after ${s.steps} steps (train ${f3(s.trainBpc ?? NaN)})${keptLog(s)}`);
    }
  }
  // the candidate of `names` with the lowest figure for budget b
  const lowest = (names: string[], b: number) => names.reduce((x, y) => (rank(results[y][b]) < rank(results[x][b]) ? y : x));
  const best = Object.fromEntries(budgets.map((b) => [b, lowest(candidateNames, b)]));
  const lines = [
    "## Recipe sweep: held-out bits/char per time budget",
    "",
    "Each cell is a fresh `char-lstm train --max-time B` process with the candidate's flags, scored on the",
    "validation split read as one stream from a zero state (lower is better; **bold**: best for the budget;",
    "in parentheses the steps, the training characters they processed — the work src/recipe.ts keys its rows",
    "on — and the last training step's loss in bits/char (one window, noisy), whose gap to the held-out figure",
    "shows memorising).",
    "`src/recipe.ts`'s table should hold each budget's winner.",
    ...(options.kept ? ["", ...KEPT_NOTE, "A cell reads: kept on test (its step); last on test; then last on validation as above; the",
      "winner is the lowest kept figure."] : []),
    ...(options.seeds ? ["", ...SEEDS_NOTE(options.seeds)] : []),
    "",
    stamp(),
    "",
    `| candidate | ${budgets.map((b) => fmtDuration(b)).join(" | ")} |`,
    `|---|${budgets.map(() => "---:").join("|")}|`,
    ...candidateNames.map((n) => `| ${n}: ${describeRecipe(CANDIDATES[n])} | ${budgets.map((b) => {
      const s = results[n][b], lastVal = `${fig(s.bpc, s.seeds?.bpc)} (${s.steps}, ${count(s.steps * CANDIDATES[n].batch * CANDIDATES[n].seq)} chars, train ${f3(s.trainBpc ?? NaN)})`;
      const v = !s.kept ? lastVal : s.seeds ? `${fig(s.kept.best, s.seeds.best)}; last ${fig(s.kept.last, s.seeds.last)}; val ${lastVal}`
        : `${f3(s.kept.best)} (step ${s.kept.bestStep}); last ${f3(s.kept.last)}; val ${lastVal}`;
      return best[b] === n ? `**${v}**` : v;
    }).join(" | ")} |`),
    ...(options.seeds && candidateNames.length > 1 ? ["", ...budgets.map((b) => {
      // the winner against the runner-up, read against the seeds' ranges
      const w = best[b], r = lowest(candidateNames.filter((n) => n !== w), b);
      return `- ${fmtDuration(b)}: ${w} against the runner-up ${r}: ${change(results[w][b], results[r][b])}.`;
    })] : []),
    "",
    `Table when this ran, at the speed it was tuned at (a run probes its own machine first): ${budgets.map((b) => `${fmtDuration(b)} → ${describeRecipe(pickRecipe(b, codePoints.length).recipe)}`).join("; ")}.`,
  ];
  // one section per budget set (sweep-3m, sweep-10m, …), so a sweep of one budget keeps the others' tables
  publish(options.section ?? sectionKey(options), lines.join("\n"));
}

async function ladder(): Promise<void> {
  const rows: string[] = [];
  const got: Cell[] = [];
  const speed = options.speed;
  // on a machine `speed` times as fast, budget b buys what b × speed buys here (secondsHere)
  const label = (b: number) => speed ? `${fmtDuration(b)} (${fmtDuration(secondsHere(b, options))} here)` : fmtDuration(b);
  for (const b of budgets) {
    log(`ladder: ${label(b)}, the recipe the probe picks here …`);
    const s = await trainCell(`ladder-${b}`, cellFlags(options, secondsHere(b, options)));
    const r = s.recipe, c = s.choice;
    const prev = got.at(-1);
    got.push(s);
    const better = prev ? change(s, prev) : "";
    log(`  row ${c?.row ?? "?"}: ${fig(s.bpc, s.seeds?.bpc)} bits/char after ${s.steps} steps (train ${f3(s.trainBpc ?? NaN)})${keptLog(s)}`);
    const keptCells = !s.kept ? "" : s.seeds ? ` **${fig(s.kept.best, s.seeds.best)}** | ${fig(s.kept.last, s.seeds.last)} |`
      : ` **${f3(s.kept.best)}** (step ${s.kept.bestStep}) | ${f3(s.kept.last)} |`;
    const held = fig(s.bpc, s.seeds?.bpc);
    rows.push(`| ${label(b)} | ${c ? `${c.row}: ` : ""}${r ? describeRecipe(r) : "?"} | ${c ? count(c.rates.at(-1)!.charsPerSec) : "?"} | ${s.steps} | ${r ? count(s.steps * r.batch * r.seq) : "?"} | ${f3(s.trainBpc ?? NaN)} |${keptCells} ${s.kept ? held : `**${held}**`} | ${diff(s.bpc - (s.trainBpc ?? NaN))} | ${better} |`);
  }
  const monotone = got.every((s, i) => i === 0 || rank(s) < rank(got[i - 1]));
  // --seeds: how many of the budget-to-budget gains every seed agrees on (their ranges do not overlap)
  const apart = got.slice(1).filter((s, i) => { const a = rankSpread(s), p = rankSpread(got[i]); return a && p && rank(s) < rank(got[i]) && separated(a, p); }).length;
  const lines = [
    "## What more time buys: the recipe table as it is, budget by budget",
    "",
    "Each row is a fresh bare `char-lstm train --max-time B` process: the recipe is the row its probe picked on",
    "this machine (chars/s: what the probe measured for the chosen shape), scored on the validation split read",
    "as one stream from a zero state. \"train\" is the last training step's loss in bits/char (one window, noisy);",
    "\"gap\" is held-out minus train (memorising); the last column is the change from the budget before.",
    ...(speed ? ["", `This is the ladder of a machine ${speed} times as fast as this one (\`--speed ${speed}\`): each budget B ran for`,
      `B × ${speed} here, which buys the characters B buys there (the probe measures this machine's chars/s; the run's`,
      "steps and its probe's share scale with the budget), so the row picked and the work trained are that machine's."] : []),
    ...(options.kept ? ["", ...KEPT_NOTE, "\"kept\" and \"last\" are those two on the test split; \"held-out\" and \"gap\" are the last weights on",
      "validation, as in the ladders without --kept; \"change\" compares the kept figures."] : []),
    ...(options.seeds ? ["", ...SEEDS_NOTE(options.seeds), "The row and the probe's chars/s are the first seed's run."] : []),
    "",
    stamp(),
    "",
    `| budget | row: recipe | chars/s (probe) | steps | training chars | train |${options.kept ? " kept: best.safetensors on test | last on test |" : ""} held-out bits/char | gap | change |`,
    `|---|---|---:|---:|---:|---:|${options.kept ? "---:|---:|" : ""}---:|---:|---:|`,
    ...rows,
    "",
    `${options.kept ? "Kept bits/char on the test split" : "Held-out bits/char"} ${monotone ? "strictly improves with every budget" : "does **not** strictly improve with every budget"} (${got.map((s) => f3(rank(s))).join(" → ")}${options.seeds ? `, means over ${options.seeds} seeds` : ""}).${options.seeds && got.length > 1 ? ` ${apart} of the ${got.length - 1} gains ${apart === 1 ? "is" : "are"} beyond the seeds' ranges (every seed of the longer budget beat every seed of the shorter).` : ""}`,
  ];
  publish(options.section ?? sectionKey(options), lines.join("\n"));
}

async function compare(): Promise<void> {
  const tv = torchVersion();
  if (!tv) { console.error("bench:quality compare needs Debian's python3-torch (/usr/bin/python3 -c 'import torch')"); process.exit(1); }
  const rows: string[] = [];
  for (const b of budgets) {
    const recipe = pickRecipe(b, codePoints.length).recipe;
    log(`compare: ${fmtDuration(b)}, char-lstm with the recipe its probe chooses here (at the tuning speed: ${describeRecipe(recipe)}) …`);
    const ours = await trainCharLstm(`cmp-${b}`, ["--max-time", `${b}s`, "--eval-every", "0", "--sample-every", "0", "--checkpoint-every", "0"]);
    const used = ours.recipe ?? recipe;
    if (ours.choice) log(`  chosen by work: ${describePick(ours.choice)}`);
    log(`  char-lstm ${f3(ours.bpc)} bits/char (train ${f3(ours.trainBpc ?? NaN)}); PyTorch on the same recipe …`);
    const peer = await trainTorch(used, { seconds: b });
    log(`  PyTorch ${f3(peer.bpc)} bits/char`);
    const row = ours.choice ? `row ${ours.choice.row} (${count(ours.choice.rates.at(-1)!.charsPerSec)} chars/s → ${count(ours.choice.work)}): ` : "";
    rows.push(`| ${fmtDuration(b)} | ${row}${describeRecipe(used)} | ${ours.steps} | **${f3(ours.bpc)}** | ${f3(ours.trainBpc ?? NaN)} | ${pct(ours.words)} | ${peer.steps} | ${f3(peer.bpc)} | ${pct(peer.words)} | ${diff(ours.bpc - peer.bpc)} |`);
  }
  // npm start as it is: `char-lstm train` with no flags (3 minutes, evaluations and samples); --quick: 20 s
  log(`compare: npm start as it is${quick ? " (--quick: 20 s)" : " (3 minutes, its defaults)"} …`);
  const start = await trainCharLstm("npm-start", quick ? ["--max-time", "20s"] : [], options.keepStart);
  const lines = [
    "## Quality per wall time: char-lstm's recipe against PyTorch running the same recipe",
    "",
    `For each budget, char-lstm with its default recipe (a bare \`--max-time B\`) and PyTorch ${tv} (bench/peers/torch_charlstm.py,`,
    `${torchThreads} threads) with the same shape, batch, window, lr, time-based decay, warm-up and dropout, for the same wall`,
    "time; both scored on the validation split read as one stream from a zero state, and by the fraction of the",
    `words of a ${SAMPLE_CHARS.toLocaleString("en-US")}-character sample (temperature ${TEMPERATURE}) that occur in the training text. Target: char-lstm ≤ PyTorch − 0.05.`,
    "The recipe column names the row char-lstm's probe chose on this machine: the chars/s it measured and the",
    "training characters that buys in the budget; \"train\" is the loss of char-lstm's last training step in bits/char (one window, so noisy).",
    "",
    stamp(),
    "",
    "| budget | recipe | char-lstm steps | char-lstm bits/char | train | words known | PyTorch steps | PyTorch bits/char | words known | difference |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    `\`npm start\` (its 3-minute default run, evaluations and samples included${options.text ? `, on ${options.text}` : ""}): ${f3(start.bpc)} bits/char after ${start.steps} steps (last step's training loss ${f3(start.trainBpc ?? NaN)}${start.choice ? `; ${describePick(start.choice)}` : ""}), ${pct(start.words)} of generated words in the training text (target ≤ 2.30). Its sample:`,
    "",
    "```",
    start.sample.slice(0, 600),
    "```",
  ];
  // keyed by the budget set (compare-2m-5m-10m, compare-5m, …), as the sweep is, so runs of other budgets are kept
  publish(sectionKey(options), lines.join("\n"));
}

async function equalSteps(): Promise<void> {
  const tv = torchVersion();
  if (!tv) { console.error("bench:quality steps needs Debian's python3-torch (/usr/bin/python3 -c 'import torch')"); process.exit(1); }
  const recipe = pickRecipe(180, codePoints.length).recipe;
  const rows: string[] = [];
  for (const seed of [1, 2]) {
    log(`steps: ${fixedSteps} steps of ${describeRecipe(recipe)}, seed ${seed} …`);
    const ours = await trainCharLstm(`steps-${seed}`, ["--max-steps", String(fixedSteps), ...recipeArgs(recipe), "--seed", String(seed),
      "--eval-every", "0", "--sample-every", "0", "--checkpoint-every", "0"]);
    const peer = await trainTorch(recipe, { steps: fixedSteps, initSeed: seed });
    rows.push(`| ${seed} | ${f3(ours.bpc)} | ${f3(peer.bpc)} | ${diff(ours.bpc - peer.bpc)} |`);
  }
  const lines = [
    "## Equal steps: char-lstm and PyTorch from the same initial weights",
    "",
    `${fixedSteps} steps of the 3-minute recipe (${describeRecipe(recipe)}, the schedule over the steps) in both engines,`,
    `PyTorch ${tv} starting from char-lstm's own init for the seed (python/char_lstm_torch, bit for bit); held-out`,
    "bits/char on the validation split as one stream from a zero state. Target: within ±0.02.",
    "",
    stamp(),
    "",
    "| seed | char-lstm | PyTorch | difference |",
    "|---:|---:|---:|---:|",
    ...rows,
  ];
  publish(sectionKey(options), lines.join("\n"));
}

try {
  if (mode === "sweep") await sweep();
  else if (mode === "ladder") await ladder();
  else if (mode === "compare") await compare();
  else await equalSteps();
} finally {
  rmSync(work, { recursive: true, force: true });
  kernels.dispose?.();
}
