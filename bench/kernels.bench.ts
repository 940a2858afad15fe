// Kernel micro-benchmark: validate, then time, each kernel per backend at LSTM shapes.
//
//   npm run bench:kernels                       # js, wasm and native (where built), 1 and 2 threads
//   node dist/bench/kernels.bench.js --quick    # shorter timings, fewer shapes
//   node dist/bench/kernels.bench.js --threads 4 --spin 0 --budget 0.5 --rounds 5
//
// Every case first runs once on each backend from the same inputs and is compared with the js reference
// (a mismatch fails the benchmark: a fast wrong kernel is worth nothing); then each backend repeats it in
// `--rounds` rounds of at least budget/rounds seconds and reports the best round's mean (other processes on
// a small machine only ever make a round slower): GFLOP/s for gemm, µs per call otherwise.

import { jsKernels } from "../src/kernels/js/index.js";
import type { FloatArray, Kernels } from "../src/kernels/types.js";
import { loadWasmKernelsNode } from "../src/kernels/wasm/node.js";
import type { WasmKernels } from "../src/kernels/wasm/backend.js";
import { loadNativeKernelsNode, nativeUnavailable } from "../src/kernels/native/backend.js";

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
};
const QUICK = flag("quick");
const BUDGET_S = opt("budget", QUICK ? 0.15 : 0.4);
const ROUNDS = Math.max(1, opt("rounds", 3));
const THREADS = opt("threads", 2);
const SPIN = opt("spin", 50);
/** js gemms above this many flops are not timed (they would take seconds each). */
const JS_MAX_FLOPS = 2.5e9;

interface Bk { label: string; k: Kernels }
const js = jsKernels("f32");
const w1 = await loadWasmKernelsNode({ threads: 1 });
const wN = THREADS > 1 ? await loadWasmKernelsNode({ threads: THREADS, spin: SPIN }) : undefined;
const BACKENDS: Bk[] = [{ label: "js", k: js }, { label: "wasm-1t", k: w1 }];
if (wN) BACKENDS.push({ label: `wasm-${THREADS}t`, k: wN });
const noNative = nativeUnavailable();
const n1 = noNative ? undefined : await loadNativeKernelsNode({ threads: 1 });
if (n1) {
  BACKENDS.push({ label: "native-1t", k: n1 });
  if (THREADS > 1) BACKENDS.push({ label: `native-${THREADS}t`, k: await loadNativeKernelsNode({ threads: THREADS, spin: SPIN }) });
}

let seed = 12345;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};

/** The same data in every backend's memory. */
function data(n: number, lo = -1, hi = 1): FloatArray[] {
  const src = new Float32Array(n);
  for (let i = 0; i < n; i++) src[i] = lo + (hi - lo) * rand();
  return BACKENDS.map(({ k }) => {
    const a = k.alloc(n);
    a.set(src);
    return a;
  });
}
function intData(n: number, max: number): Int32Array[] {
  const src = new Int32Array(n);
  for (let i = 0; i < n; i++) src[i] = Math.floor(rand() * max);
  return BACKENDS.map(({ k }) => {
    const a = k.allocInt(n);
    a.set(src);
    return a;
  });
}

/** Max of |x − ref| / (1 + |ref|) over the arrays, or Infinity on a NaN mismatch. */
function maxErr(x: FloatArray, ref: FloatArray): number {
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    if (Number.isNaN(ref[i]) !== Number.isNaN(x[i])) return Infinity;
    const d = Math.abs(x[i] - ref[i]) / (1 + Math.abs(ref[i]));
    if (d > e) e = d;
  }
  return e;
}

/** Seconds per call of fn: the best of ROUNDS rounds of at least BUDGET_S/ROUNDS each (after a warm-up call). */
function time(fn: () => void): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    let reps = 0, dt = 0;
    const t0 = performance.now();
    do {
      fn();
      reps++;
      dt = (performance.now() - t0) / 1000;
    } while (dt < BUDGET_S / ROUNDS);
    best = Math.min(best, dt / reps);
  }
  return best;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : " ".repeat(n - s.length) + s);

function header(title: string, unit: string): void {
  console.log(`\n${title} (${unit})`);
  console.log(pad("case", 34) + BACKENDS.map((b) => lpad(b.label, 11)).join("") + lpad("wasm/js", 9) + lpad("max rel err", 13));
}

function row(label: string, vals: (number | undefined)[], err: number, higherIsBetter: boolean, digits: number): void {
  const cells = vals.map((v) => lpad(v === undefined ? "-" : v.toFixed(digits), 11)).join("");
  const best = vals.slice(1).filter((v): v is number => v !== undefined);
  const j = vals[0];
  let ratio = "-";
  if (j !== undefined && best.length) {
    ratio = (higherIsBetter ? Math.max(...best) / j : j / Math.min(...best)).toFixed(1) + "x";
  }
  console.log(pad(label, 34) + cells + lpad(ratio, 9) + lpad(err.toExponential(1), 13));
}

/**
 * One case: make inputs with setup(), run once per backend and validate against js (tolerance tol),
 * then time each backend. run(i) runs the kernel on backend i; out(i) is the array to validate.
 */
function bench(label: string, run: (i: number) => void, out: (i: number) => FloatArray, tol: number,
               opts: { flops?: number; reset?: (i: number) => void; skipJs?: boolean }): void {
  for (let i = 0; i < BACKENDS.length; i++) {
    opts.reset?.(i);
    run(i);
  }
  let err = 0;
  for (let i = 1; i < BACKENDS.length; i++) err = Math.max(err, maxErr(out(i), out(0)));
  if (!(err <= tol)) {
    console.error(`VALIDATION FAILED: ${label}: max relative error ${err} > ${tol}`);
    process.exitCode = 1;
    return;
  }
  const vals = BACKENDS.map((_, i) => {
    if (i === 0 && opts.skipJs) return undefined;
    const s = time(() => {
      opts.reset?.(i);
      run(i);
    });
    return opts.flops ? opts.flops / s / 1e9 : s * 1e6;
  });
  row(label, vals, err, !!opts.flops, opts.flops ? 1 : 1);
}

function gemmCase(tA: boolean, tB: boolean, M: number, N: number, K: number, what = ""): void {
  const A = data(M * K), B = data(K * N), C = data(M * N);
  const flops = 2 * M * N * K;
  const t = (tA ? "T" : "N") + (tB ? "T" : "N");
  bench(`${t} ${M}x${N}x${K}${what ? " " + what : ""}`, (i) => BACKENDS[i].k.gemm(tA, tB, M, N, K, A[i], B[i], C[i], 0),
    (i) => C[i], 1e-4, { flops, skipJs: flops > JS_MAX_FLOPS });
}

console.log(`kernel benchmark: node ${process.version}, threads ${THREADS}, spin ${SPIN} µs, ` +
  `budget ${BUDGET_S} s per case and backend, best of ${ROUNDS} rounds`);
if (n1) {
  console.log(`native: ${n1.isa}; FMA peak of one core (register-only FMA chains, best of ~0.5 s): ` +
    `${n1.peakGflops(500).toFixed(0)} GFLOP/s`);
} else console.log(`native: not measured (${noNative})`);

header("gemm, shapes from the brief", "GFLOP/s");
gemmCase(false, false, 32, 1024, 256);
gemmCase(false, true, 32, 1024, 256);
gemmCase(true, false, 32, 1024, 256);
gemmCase(true, false, 1024, 256, 2048);

const Bs = QUICK ? [32] : [32, 64];
const Hs = QUICK ? [256] : [128, 256, 512];
const T = 64;
header("gemm at LSTM shapes (T=64): step fwd h·W_hhᵀ, step bwd dA·W_hh, window dW = dAᵀ·h, head, sampling", "GFLOP/s");
for (const B of Bs) {
  for (const H of Hs) {
    gemmCase(false, true, B, 4 * H, H, `fwd B${B} H${H}`);
    gemmCase(false, false, B, H, 4 * H, `bwd B${B} H${H}`);
    gemmCase(true, false, 4 * H, H, T * B, `dW B${B} H${H}`);
  }
}
for (const H of Hs) gemmCase(false, true, T * 32, 80, H, `head V80 H${H}`);
for (const H of Hs) gemmCase(false, true, 1, 4 * H, H, `sample B1 H${H}`);

header("fused LSTM step forward (product against packed W_hh + cell)", "GFLOP/s of the product");
for (const B of Bs) {
  for (const H of Hs) {
    const G = 4 * H;
    const W = data(G * H, -0.1, 0.1), hp = data(B * H), cp = data(B * H), a0 = data(B * G), a = data(B * G);
    const c = data(B * H), tc = data(B * H), h = data(B * H);
    const packs = BACKENDS.map(({ k }, i) => { const p = k.allocRecurrentPack(H); k.packRecurrent(p, W[i], "forward"); return p; });
    bench(`step fwd B${B} H${H}`, (i) => BACKENDS[i].k.lstmStepForward(a[i], hp[i], W[i], packs[i], c[i], tc[i], h[i], cp[i], B, H),
      (i) => h[i], 1e-4, { flops: 2 * B * G * H, reset: (i) => a[i].set(a0[i]), skipJs: true });
  }
}

header("LSTM cell and other kernels", "µs per call");
for (const B of Bs) {
  for (const H of Hs) {
    const g0 = data(B * 4 * H, -3, 3), gates = data(B * 4 * H), cPrev = data(B * H, -2, 2);
    const c = data(B * H), tc = data(B * H), h = data(B * H);
    bench(`lstmCellForward B${B} H${H}`, (i) => BACKENDS[i].k.lstmCellForward(gates[i], c[i], tc[i], h[i], cPrev[i], B, H),
      (i) => h[i], 2e-6, { reset: (i) => gates[i].set(g0[i]) });
    const dA = data(B * 4 * H), dc0 = data(B * H), dc = data(B * H), dh = data(B * H);
    bench(`lstmCellBackward B${B} H${H}`, (i) => BACKENDS[i].k.lstmCellBackward(dA[i], dc[i], dh[i], gates[i], cPrev[i], tc[i], B, H),
      (i) => dA[i], 2e-6, { reset: (i) => dc[i].set(dc0[i]) });
  }
}
{
  const R = T * 32, V = 80;
  const z0 = data(R * V, -4, 4), z = data(R * V), tg = intData(R, V);
  bench(`softmaxXent R${R} V${V}`, (i) => void BACKENDS[i].k.softmaxXent(z[i], tg[i], R, V, 1 / R), (i) => z[i], 2e-6,
    { reset: (i) => z[i].set(z0[i]) });
  const N = 4 * 256, Vv = 80;
  const W = data(N * Vv), out = data(R * N), idx = intData(R, Vv);
  bench(`gatherCols R${R} N${N} V${Vv}`, (i) => BACKENDS[i].k.gatherCols(out[i], W[i], idx[i], R, N, Vv), (i) => out[i], 0, {});
  const bias = data(N), ob = data(R * N);
  bench(`addBias R${R} N${N}`, (i) => BACKENDS[i].k.addBias(ob[i], bias[i], R, N), (i) => ob[i], 1e-3, {});
  const db = data(N);
  bench(`sumRows R${R} N${N}`, (i) => BACKENDS[i].k.sumRows(db[i], out[i], R, N), (i) => db[i], 1e-3, {});
}
{
  const n = 1 << 20;
  const p = data(n), g = data(n), m = data(n, 0, 0), v = data(n, 0, 0);
  bench(`adam n=${n}`, (i) => BACKENDS[i].k.adam(p[i], g[i], m[i], v[i], n, 1e-3, 0.9, 0.999, 1e-8, 0.1, 0.001),
    (i) => m[i], 1e-4, {});
  const sq = BACKENDS.map(() => 0);
  const sqOut = data(1);
  bench(`sumSquares n=${n}`, (i) => { sq[i] = BACKENDS[i].k.sumSquares(g[i], n); sqOut[i][0] = sq[i] / n; },
    (i) => sqOut[i], 1e-6, {});
}

for (const b of BACKENDS) (b.k as Partial<WasmKernels>).dispose?.();
