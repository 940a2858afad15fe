// The Train tab's loss chart on a plain canvas: training bits/char as a line, validation as a line with
// dots, steps along x. Redraws at most once a frame; the canvas carries data-points / data-val-points and an
// aria-label with the latest values, so tests and screen readers can read it.

interface Point { step: number; bpc: number }

export class LossChart {
  private train: Point[] = [];
  private val: Point[] = [];
  private queued = false;
  private maxStep = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {
    new ResizeObserver(() => this.schedule()).observe(canvas);
  }

  reset(maxStep: number): void {
    this.train = [];
    this.val = [];
    this.maxStep = Math.max(1, maxStep);
    this.schedule();
  }

  addTrain(step: number, bpc: number): void {
    if (Number.isFinite(bpc)) this.train.push({ step, bpc });
    this.schedule();
  }

  addVal(step: number, bpc: number): void {
    if (Number.isFinite(bpc)) this.val.push({ step, bpc });
    this.schedule();
  }

  private schedule(): void {
    const c = this.canvas;
    c.dataset.points = String(this.train.length);
    c.dataset.valPoints = String(this.val.length);
    const last = (a: Point[]) => (a.length ? a[a.length - 1].bpc.toFixed(3) : "none yet");
    c.setAttribute("aria-label", `Loss chart: ${this.train.length} training points, latest ${last(this.train)} bits/char; validation ${last(this.val)}`);
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  private draw(): void {
    const c = this.canvas, dpr = devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;
    if (w === 0 || h === 0) return;
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    const g = c.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const css = getComputedStyle(c);
    const color = (name: string) => css.getPropertyValue(name).trim() || "#888";
    const pad = { l: 44, r: 12, t: 12, b: 28 };
    const all = [...this.train, ...this.val];
    // loops, not Math.max(...xs): a spread of a long history overflows the stack
    let maxStep = this.maxStep, lo = Infinity, hi = -Infinity;
    for (const p of all) { if (p.step > maxStep) maxStep = p.step; if (p.bpc < lo) lo = p.bpc; if (p.bpc > hi) hi = p.bpc; }
    if (!all.length) { lo = 0; hi = 8; }
    if (hi - lo < 0.5) { const mid = (hi + lo) / 2; lo = mid - 0.25; hi = mid + 0.25; }
    lo = Math.max(0, Math.floor(lo * 2) / 2);
    hi = Math.ceil(hi * 2) / 2;
    const x = (s: number) => pad.l + (s / maxStep) * (w - pad.l - pad.r);
    const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);

    // grid and axes
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = color("--muted");
    g.strokeStyle = color("--line");
    g.lineWidth = 1;
    const ticks = 5;
    for (let i = 0; i <= ticks; i++) {
      const v = lo + ((hi - lo) * i) / ticks, yy = Math.round(y(v)) + 0.5;
      g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(w - pad.r, yy); g.stroke();
      g.textAlign = "right"; g.textBaseline = "middle";
      g.fillText(v.toFixed(1), pad.l - 6, yy);
    }
    // step labels at round numbers (1, 2 or 5 × 10^k apart, at most 5 intervals), each kept inside the canvas
    g.textAlign = "center"; g.textBaseline = "top";
    const every = niceStep(maxStep / 5);
    for (let s = 0; s <= maxStep; s += every) {
      const label = s.toLocaleString("en-US"), half = g.measureText(label).width / 2;
      g.fillText(label, Math.min(Math.max(x(s), half + 1), w - half - 1), h - pad.b + 6);
    }
    g.save();
    g.translate(11, pad.t + (h - pad.t - pad.b) / 2);
    g.rotate(-Math.PI / 2);
    g.fillText("bits/char", 0, -6);
    g.restore();

    const line = (pts: Point[], stroke: string, dots: boolean) => {
      if (!pts.length) return;
      g.strokeStyle = stroke;
      g.fillStyle = stroke;
      g.lineWidth = 2;
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo(x(p.step), y(p.bpc)) : g.moveTo(x(p.step), y(p.bpc))));
      g.stroke();
      if (dots) for (const p of pts) { g.beginPath(); g.arc(x(p.step), y(p.bpc), 3.5, 0, 2 * Math.PI); g.fill(); }
    };
    line(this.train, color("--train"), this.train.length === 1);
    line(this.val, color("--val"), true);
  }
}

/** The smallest of 1, 2, 5 × 10^k that is at least `raw` (and at least 1). */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw) ?? 10 * p;
}
