// `char-lstm plot CKPT [--out FILE]`: the run's learning curves (its history, kept in every checkpoint a
// trainer wrote) as an SVG file a browser opens. A thin shell over plot.ts.

import { dirname, join, basename, extname } from "node:path";
import { CheckpointError } from "../checkpoint.js";
import { loadCheckpointFile } from "../io/checkpoint_file.js";
import { writeAtomic } from "../io/node.js";
import { jsKernels } from "../kernels/js/index.js";
import { bestPoint, curveTitle, historySvg } from "../plot.js";
import { bool, str, type CliContext, type Flags } from "./context.js";

export async function plotCommand(flags: Flags, [ckptPath]: string[], ctx: CliContext): Promise<number> {
  // only the history is needed: the js kernels decode the tensors without starting a thread pool
  const ck = loadCheckpointFile(ckptPath, jsKernels("f32"));
  if (!ck.state) throw new CheckpointError(`${ckptPath} holds no training history (it was not written by char-lstm train); plot a run's last.safetensors or best.safetensors`);
  const history = ck.state.history;
  const name = basename(dirname(ckptPath)) || basename(ckptPath);
  const svg = historySvg(history, { title: curveTitle(ck.model.config, ck.train, name) });
  const out = str(flags, "out") ?? join(dirname(ckptPath), `${basename(ckptPath, extname(ckptPath))}.svg`);
  if (out === "-") { ctx.out(svg); return 0; }
  writeAtomic(out, new TextEncoder().encode(svg));
  const best = bestPoint(history);
  const summary = { path: out, points: history.length, best_val_bpc: best ? best.val! / Math.LN2 : null, best_step: best?.step ?? null };
  if (bool(flags, "json")) ctx.out(JSON.stringify(summary) + "\n");
  else ctx.out(`wrote ${out}: ${history.length} history points${best ? `, best ${summary.best_val_bpc!.toFixed(4)} bits/char at step ${best.step}` : ""}\n`);
  return 0;
}
