// Learning curves as a standalone SVG document (no script, no external resources): training and validation
// bits/char against steps (left panel) and against training seconds (right panel), the run's shape and best
// value in the title. A pure function of the history, so the CLI writes it beside the checkpoints at each
// evaluation, `char-lstm plot` draws it from any checkpoint, and tests parse it.
//
// Each series is one <polyline class="train|val" data-points="N">, with N (step, bits/char) vertices;
// validation points also get a <circle> each. Points without a finite value are left out; the time panel
// only holds points that carry `seconds` (checkpoints written before it was recorded lack it).
//
// A picture shows at most a few points per pixel column, so a long history (a million evaluations) is decimated
// to the lowest and the highest point of each column (MAX_PER_COLUMN per px, in order): the envelope of the
// curve stays exact, the document stays ~100 KB whatever the history's length, and `data-points` is the
// number of vertices drawn, with `data-total` the series' length when it was decimated. Nothing spreads an
// array of unbounded size into a call (Math.min(...xs) overflows the stack past ~100,000 values).

import type { ModelConfig, TrainConfig } from "./config.js";
import type { HistoryPoint } from "./train.js";

/** The title line of a run's curves: its shape and recipe. */
export function curveTitle(model: ModelConfig, train?: Pick<TrainConfig, "batch" | "seq" | "optimizer" | "lr">, name?: string): string {
  const parts = [`${model.layers}×${model.hidden} LSTM`, `vocabulary ${model.vocabSize}`];
  if (train) parts.push(`batch ${train.batch} × seq ${train.seq}`, `${train.optimizer} lr ${train.lr}`);
  return (name ? `${name}: ` : "") + parts.join(" · ");
}

export interface CurveOptions {
  /** First line of the title, e.g. "2×256 LSTM · batch 32 × seq 64". */
  title: string;
  /** Width and height of the whole picture in px (default 960 × 400). */
  width?: number;
  height?: number;
}

interface XY { x: number; y: number }

/** Points kept per pixel column of a panel: its lowest and highest. */
const MAX_PER_COLUMN = 2;

/** min and max of f over xs, by a loop ([Infinity, −Infinity] when empty). */
function extent<T>(xs: readonly T[], f: (x: T) => number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const x of xs) { const v = f(x); if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

/**
 * The points of a series that a panel `cols` pixels wide can show: when there are more than
 * MAX_PER_COLUMN · cols, per column (x bucket) the lowest and the highest point, in their original order.
 */
export function decimate(pts: XY[], xmin: number, xmax: number, cols: number): XY[] {
  cols = Math.max(1, Math.floor(cols));
  if (pts.length <= MAX_PER_COLUMN * cols) return pts;
  const out: XY[] = [];
  const scale = cols / (xmax - xmin || 1);
  let col = -1, lo: XY | null = null, hi: XY | null = null, loAt = 0, hiAt = 0;
  const flush = () => {
    if (!lo || !hi) return;
    if (lo === hi) out.push(lo);
    else if (loAt < hiAt) out.push(lo, hi);
    else out.push(hi, lo);
  };
  pts.forEach((p, i) => {
    const c = Math.min(cols - 1, Math.max(0, Math.floor((p.x - xmin) * scale)));
    if (c !== col) { flush(); col = c; lo = hi = p; loAt = hiAt = i; return; }
    if (p.y < lo!.y) { lo = p; loAt = i; }
    if (p.y > hi!.y) { hi = p; hiAt = i; }
  });
  flush();
  return out;
}

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
const fmt = (v: number): string => {
  const s = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
};

/** "Nice" tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `n` of them. */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The best validation point of a history (lowest loss), or null. */
export function bestPoint(history: HistoryPoint[]): HistoryPoint | null {
  let best: HistoryPoint | null = null;
  for (const p of history) if (p.val !== undefined && Number.isFinite(p.val) && (!best || p.val < best.val!)) best = p;
  return best;
}

/** The SVG document of a run's history (bits/char = nats / ln 2). */
export function historySvg(history: HistoryPoint[], opts: CurveOptions): string {
  const W = opts.width ?? 960, H = opts.height ?? 400;
  const bits = (nats: number) => nats / Math.LN2;
  const best = bestPoint(history);
  const subtitle = best ? `best validation ${bits(best.val!).toFixed(4)} bits/char at step ${best.step}` : "no validation yet";
  const series = (key: "train" | "val", xOf: (p: HistoryPoint) => number | undefined): XY[] =>
    history.flatMap((p) => {
      const v = p[key], x = xOf(p);
      return v !== undefined && Number.isFinite(v) && x !== undefined && Number.isFinite(x) ? [{ x, y: bits(v) }] : [];
    });
  const panels = [
    { label: "steps", xOf: (p: HistoryPoint) => p.step },
    { label: "training seconds", xOf: (p: HistoryPoint) => p.seconds },
  ];
  const all = panels.flatMap((pn) => [...series("train", pn.xOf), ...series("val", pn.xOf)]);
  let [lo, hi] = extent(all, (p) => p.y);
  if (!all.length) { lo = 0; hi = 8; }
  if (hi - lo < 0.2) { lo -= 0.1; hi += 0.1; }
  lo = Math.max(0, lo - (hi - lo) * 0.05);
  hi += (hi - lo) * 0.05;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<title>${esc(`${opts.title} · ${subtitle}`)}</title>`);
  out.push(`<style>.train{stroke:#3b6fd8}.val{stroke:#d8603b}.grid{stroke:#ddd}.axis{stroke:#666}text{fill:#333}</style>`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title)}</text>`);
  out.push(`<text x="${W / 2}" y="38" text-anchor="middle">${esc(subtitle)}</text>`);
  const pad = { l: 56, r: 16, t: 56, b: 44 }, gap = 24;
  const pw = (W - gap) / 2;
  panels.forEach((pn, i) => {
    const left = i * (pw + gap), x0 = left + pad.l, x1 = left + pw - pad.r, y0 = pad.t, y1 = H - pad.b;
    const trainAll = series("train", pn.xOf), valAll = series("val", pn.xOf);
    const count = trainAll.length + valAll.length;
    const xmin = 0, xmax = count ? Math.max(1e-9, extent(trainAll, (p) => p.x)[1], extent(valAll, (p) => p.x)[1]) : 1;
    const train = decimate(trainAll, xmin, xmax, x1 - x0), val = decimate(valAll, xmin, xmax, x1 - x0);
    const X = (x: number) => x0 + ((x - xmin) / (xmax - xmin)) * (x1 - x0);
    const Y = (y: number) => y0 + (1 - (y - lo) / (hi - lo)) * (y1 - y0);
    const r = (v: number) => v.toFixed(1);
    out.push(`<g class="panel" data-x="${esc(pn.label)}">`);
    for (const t of ticks(lo, hi)) {
      out.push(`<line class="grid" x1="${r(x0)}" y1="${r(Y(t))}" x2="${r(x1)}" y2="${r(Y(t))}"/>`);
      out.push(`<text x="${r(x0 - 6)}" y="${r(Y(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
    }
    for (const t of ticks(xmin, xmax, 4)) out.push(`<text x="${r(X(t))}" y="${r(y1 + 16)}" text-anchor="middle">${fmt(t)}</text>`);
    out.push(`<path class="axis" fill="none" d="M${r(x0)} ${r(y0)}V${r(y1)}H${r(x1)}"/>`);
    out.push(`<text x="${r((x0 + x1) / 2)}" y="${r(H - 8)}" text-anchor="middle">${esc(pn.label)}</text>`);
    out.push(`<text transform="translate(${r(left + 14)} ${r((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">bits/char</text>`);
    if (!count) out.push(`<text x="${r((x0 + x1) / 2)}" y="${r((y0 + y1) / 2)}" text-anchor="middle">no points</text>`);
    for (const [cls, pts, total] of [["train", train, trainAll.length], ["val", val, valAll.length]] as const) {
      out.push(`<polyline class="${cls}" data-points="${pts.length}"${pts.length < total ? ` data-total="${total}"` : ""} fill="none" stroke-width="2" points="${pts.map((p) => `${r(X(p.x))},${r(Y(p.y))}`).join(" ")}"/>`);
      if (cls === "val") for (const p of pts) out.push(`<circle class="val" cx="${r(X(p.x))}" cy="${r(Y(p.y))}" r="3" fill="#d8603b"/>`);
    }
    out.push(`</g>`);
  });
  out.push(`<g transform="translate(${W - 200} 50)"><line class="train" x1="0" y1="0" x2="20" y2="0" stroke-width="2"/><text x="26" y="4">training</text>`
         + `<line class="val" x1="90" y1="0" x2="110" y2="0" stroke-width="2"/><text x="116" y="4">validation</text></g>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
