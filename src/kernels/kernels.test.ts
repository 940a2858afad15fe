// One suite for every kernel, run against every backend available here: js (f32), js (f64), wasm and native
// (AVX-512 or AVX2 C kernels, see native/) with 1 and 2 threads. Each kernel is compared with a naive float64 computation on seeded random data, over many
// shapes (tiny, odd, non-multiples of the SIMD widths and block sizes, sub-array views at odd offsets), with
// tolerances by precision; NaN/Inf must propagate; and the wasm and native backends must give bit-identical
// results with 1 and 2 threads (exact resume depends on it).

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jsKernels } from "./js/index.js";
import type { FloatArray, Kernels } from "./types.js";
import { createWasmKernels, simdSupported, type WasmKernels } from "./wasm/backend.js";
import { loadWasmKernelsNode, loadWasmModuleNode } from "./wasm/node.js";
import { backendLabel, createKernels, defaultThreads } from "./select.js";
import { loadNativeKernelsNode, type NativeKernels } from "./native/backend.js";
import { nativeSkipReason } from "../../test/backends.js";

// ---------------------------------------------------------------------------------------------------------
// backends

const SIMD = simdSupported();
// The 2-thread backend splits every job, however small, so that the split logic meets every odd shape here.
const wasm1: WasmKernels | undefined = SIMD ? await loadWasmKernelsNode({ threads: 1 }) : undefined;
const wasm2: WasmKernels | undefined = SIMD
  ? await loadWasmKernelsNode({ threads: 2, spin: 20, parallelMinFlops: 0, parallelColdMinFlops: 0, parallelMinCells: 0 })
  : undefined;
// Native: a missing addon fails here (npm test builds it) unless this CPU cannot run it (see test/backends.ts).
const NATIVE_SKIP = nativeSkipReason();
if (NATIVE_SKIP) console.log(`# native backend not tested: ${NATIVE_SKIP}`);
const native1: NativeKernels | undefined = NATIVE_SKIP ? undefined : await loadNativeKernelsNode({ threads: 1 });
const native2: NativeKernels | undefined = NATIVE_SKIP ? undefined
  : await loadNativeKernelsNode({ threads: 2, spin: 20, parallelMinFlops: 0, parallelColdMinFlops: 0, parallelMinCells: 0 });
after(() => {
  wasm1?.dispose();
  wasm2?.dispose();
  native1?.dispose();
  native2?.dispose();
});

interface Backend { label: string; k: Kernels; f64: boolean }
const BACKENDS: Backend[] = [
  { label: "js-f32", k: jsKernels("f32"), f64: false },
  { label: "js-f64", k: jsKernels("f64"), f64: true },
];
if (wasm1) BACKENDS.push({ label: "wasm-1thread", k: wasm1, f64: false });
if (wasm2) BACKENDS.push({ label: "wasm-2threads", k: wasm2, f64: false });
if (native1) BACKENDS.push({ label: `native-${native1.isa}-1thread`, k: native1, f64: false });
if (native2) BACKENDS.push({ label: `native-${native2.isa}-2threads`, k: native2, f64: false });

// ---------------------------------------------------------------------------------------------------------
// helpers

/** mulberry32: a small seeded PRNG, so every run sees the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A buffer of n elements from the backend at an element offset `off` inside a larger allocation, filled
 * with uniform values in [lo, hi) (odd offsets make wasm rows start unaligned, as sub-views do in the model).
 */
function buf(k: Kernels, n: number, r: () => number, lo = -1, hi = 1, off = 0): FloatArray {
  const a = k.alloc(n + off + 3).subarray(off, off + n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

function ints(k: Kernels, n: number, r: () => number, max: number): Int32Array {
  const a = k.allocInt(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(r() * max);
  return a;
}

/** The values as float64 (a copy, so later in-place kernel calls cannot change the reference inputs). */
const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a);

/**
 * Asserts |got − want| ≤ atol + rtol·scale for every element (scale defaults to |want|); NaN must match NaN
 * and ±Inf must match exactly.
 */
function close(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string,
               scale?: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `${what}[${i}]: expected NaN, got ${g}`);
      continue;
    }
    if (!Number.isFinite(w)) {
      assert.equal(g, w, `${what}[${i}]`);
      continue;
    }
    const s = scale ? scale[i] : Math.abs(w);
    const err = Math.abs(g - w);
    if (!(err <= atol + rtol * s)) {
      assert.fail(`${what}[${i}]: got ${g}, want ${w} (err ${err.toExponential(2)} > ${(atol + rtol * s).toExponential(2)})`);
    }
  }
}

const sameBits = (a: FloatArray, b: FloatArray, what: string): void => {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) assert.fail(`${what}[${i}]: ${a[i]} (1 thread) !== ${b[i]} (2 threads)`);
  }
};

/** Naive float64 gemm; also returns Σ|a·b| + |beta·C| per element, the natural scale of its rounding error. */
function refGemm(tA: boolean, tB: boolean, M: number, N: number, K: number, A: ArrayLike<number>,
                 B: ArrayLike<number>, C: ArrayLike<number>, beta: 0 | 1): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(M * N), mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = beta ? C[i * N + j] : 0, m = Math.abs(s);
      for (let k = 0; k < K; k++) {
        const p = (tA ? A[k * M + i] : A[i * K + k]) * (tB ? B[j * K + k] : B[k * N + j]);
        s += p;
        m += Math.abs(p);
      }
      c[i * N + j] = s;
      mag[i * N + j] = m;
    }
  }
  return { c, mag };
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const TRANS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];
const tname = (tA: boolean, tB: boolean): string => (tA ? "T" : "N") + (tB ? "T" : "N");

// Shapes (M, N, K): tiny, odd, around MR=2 / NR=16 / 4-lane edges, across KC=128, MC=64 and NC=1024 blocks,
// the gemv cases M = 1 and N = 1, and K = 1.
const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 2, 3], [2, 1, 3], [3, 5, 7], [2, 16, 4], [4, 8, 1], [5, 17, 33], [7, 3, 2], [6, 7, 5],
  [1, 33, 130], [1, 100, 37], [37, 1, 100], [16, 15, 129], [33, 65, 129], [64, 48, 256], [65, 31, 20],
  [70, 1030, 9], [3, 2100, 5], [130, 47, 300],
];

// ---------------------------------------------------------------------------------------------------------
// the suite, once per backend

for (const { label, k, f64: isF64 } of BACKENDS) {
  // f32 backends: gemm error relative to Σ|a·b|; pointwise error relative to the value (plus a small floor).
  const GEMM_RTOL = isF64 ? 1e-13 : 1e-5;
  const PW_TOL = isF64 ? 1e-12 : 1e-6;

  describe(`kernels [${label}]`, () => {
    it("alloc / allocInt give zero-filled arrays of the backend's dtype", () => {
      const a = k.alloc(13), b = k.allocInt(7);
      assert.equal(a.length, 13);
      assert.equal(b.length, 7);
      assert.ok(b instanceof Int32Array);
      assert.ok(k.dtype === "f64" ? a instanceof Float64Array : a instanceof Float32Array);
      assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0));
      assert.equal(k.alloc(0).length, 0);
      if (k.name === "wasm") {
        assert.equal(a.byteOffset % 16, 0, "wasm buffers are 16-byte aligned");
        assert.equal(b.byteOffset % 16, 0);
      }
    });

    it("old buffers stay valid (and addressable by the kernels) after the memory grows", () => {
      const small = k.alloc(10);
      small.fill(2);
      const big = k.alloc(40 << 20);            // 160 MiB (f32): forces wasm memory.grow
      big[big.length - 1] = 1;
      assert.ok(small.every((v) => v === 2));
      k.scale(small, 3, 10);
      assert.ok(small.every((v) => v === 6));
      k.scale(big.subarray(big.length - 4), 5, 4);
      assert.equal(big[big.length - 1], 5);
    });

    for (const [tA, tB] of TRANS) {
      it(`gemm ${tname(tA, tB)} matches float64 over ${GEMM_SHAPES.length} shapes, beta 0 and 1`, () => {
        const r = rng(1000 + (tA ? 2 : 0) + (tB ? 1 : 0));
        let off = 0;
        for (const [M, N, K] of GEMM_SHAPES) {
          for (const beta of [0, 1] as const) {
            off = (off + 1) % 4;
            const A = buf(k, M * K, r, -1, 1, off), B = buf(k, K * N, r, -1, 1, 3 - off);
            const C = buf(k, M * N, r, -1, 1, off);
            if (beta === 0) C.fill(NaN);        // beta = 0 must not read C at all
            const want = refGemm(tA, tB, M, N, K, A, B, C, beta);
            k.gemm(tA, tB, M, N, K, A, B, C, beta);
            close(C, want.c, GEMM_RTOL, 1e-30, `gemm ${tname(tA, tB)} M=${M} N=${N} K=${K} beta=${beta}`, want.mag);
          }
        }
      });
    }

    it("gemm with K = 0 gives beta·C", () => {
      for (const [tA, tB] of TRANS) {
        for (const [M, N] of [[1, 5], [3, 1], [4, 20]]) {
          const A = k.alloc(1), B = k.alloc(1), C = k.alloc(M * N);
          C.fill(7);
          k.gemm(tA, tB, M, N, 0, A, B, C, 1);
          assert.ok(C.every((v) => v === 7));
          C.fill(NaN);
          k.gemm(tA, tB, M, N, 0, A, B, C, 0);
          assert.ok(C.every((v) => v === 0));
        }
      }
    });

    it("gemm propagates NaN and Inf (rows of A, columns of B)", () => {
      const r = rng(7);
      for (const [M, N, K] of [[1, 40, 9], [9, 1, 33], [5, 37, 19], [70, 130, 140]]) {
        for (const [tA, tB] of TRANS) {
          const A = buf(k, M * K, r, 0.5, 1), B = buf(k, K * N, r, 0.5, 1), C = k.alloc(M * N);
          const i0 = M - 1, k0 = K >> 1, j0 = N >> 1, k1 = K - 1;
          A[tA ? k0 * M + i0 : i0 * K + k0] = NaN;
          B[tB ? j0 * K + k1 : k1 * N + j0] = Infinity;
          k.gemm(tA, tB, M, N, K, A, B, C, 0);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              const v = C[i * N + j], at = `gemm ${tname(tA, tB)} ${M}x${N}x${K} C[${i},${j}] = ${v}`;
              if (i === i0) assert.ok(Number.isNaN(v), at);
              else if (j === j0) assert.equal(v, Infinity, at);
              else assert.ok(Number.isFinite(v), at);
            }
          }
        }
      }
    });

    it("addBias and sumRows", () => {
      const r = rng(11);
      for (const [R, N] of [[1, 1], [3, 5], [4, 16], [7, 33], [64, 100], [2, 1030]]) {
        const out = buf(k, R * N, r, -1, 1, 1), bias = buf(k, N, r, -1, 1, 2);
        const want = f64(out);
        for (let i = 0; i < R; i++) for (let j = 0; j < N; j++) want[i * N + j] += bias[j];
        k.addBias(out, bias, R, N);
        close(out, want, PW_TOL, PW_TOL, `addBias ${R}x${N}`);

        const d = buf(k, R * N, r, -1, 1, 3), db = buf(k, N, r);
        const wdb = f64(db), mag = Float64Array.from(db, Math.abs);
        for (let i = 0; i < R; i++) for (let j = 0; j < N; j++) { wdb[j] += d[i * N + j]; mag[j] += Math.abs(d[i * N + j]); }
        k.sumRows(db, d, R, N);
        close(db, wdb, isF64 ? 1e-13 : 1e-6, 1e-30, `sumRows ${R}x${N}`, mag);
      }
    });

    it("gatherCols and scatterAddCols (repeated indices accumulate)", () => {
      const r = rng(13);
      for (const [R, N, V] of [[1, 1, 1], [5, 7, 3], [64, 37, 11], [9, 33, 80], [4, 60, 5000], [3, 20, 10000]]) {
        const W = buf(k, N * V, r), idx = ints(k, R, r, V), out = buf(k, R * N, r, -1, 1, 1);
        k.gatherCols(out, W, idx, R, N, V);
        const want = new Float64Array(R * N);
        for (let i = 0; i < R; i++) for (let j = 0; j < N; j++) want[i * N + j] = W[j * V + idx[i]];
        close(out, want, 0, 0, `gatherCols ${R}x${N}x${V}`);

        const dW = buf(k, N * V, r), d = buf(k, R * N, r, -1, 1, 2);
        const wdW = f64(dW);
        for (let i = 0; i < R; i++) for (let j = 0; j < N; j++) wdW[j * V + idx[i]] += d[i * N + j];
        k.scatterAddCols(dW, d, idx, R, N, V);
        close(dW, wdW, PW_TOL, PW_TOL, `scatterAddCols ${R}x${N}x${V}`);
      }
    });

    const CELL_SHAPES: [number, number][] = [[1, 1], [2, 3], [3, 5], [4, 8], [5, 13], [32, 64], [3, 130]];

    it("lstmCellForward matches float64 (gates, c, tanh c, h), including saturated inputs", () => {
      const r = rng(17);
      for (const [B, H] of CELL_SHAPES) {
        const gates = buf(k, B * 4 * H, r, -6, 6, 1), cPrev = buf(k, B * H, r, -3, 3, 2);
        gates[0] = 100; gates[gates.length - 1] = -100; gates[gates.length >> 1] = 0;
        if (B * H > 2) { gates[2 * H] = 95; gates[Math.min(gates.length - 2, 2 * H + 1)] = -95; }
        const c = buf(k, B * H, r), tanhC = buf(k, B * H, r), h = buf(k, B * H, r);
        const a = f64(gates), cp = f64(cPrev);
        k.lstmCellForward(gates, c, tanhC, h, cPrev, B, H);
        const wg = new Float64Array(B * 4 * H), wc = new Float64Array(B * H), wt = new Float64Array(B * H), wh = new Float64Array(B * H);
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < H; j++) {
            const g0 = b * 4 * H;
            const i = sig(a[g0 + j]), f = sig(a[g0 + H + j]), g = Math.tanh(a[g0 + 2 * H + j]), o = sig(a[g0 + 3 * H + j]);
            wg[g0 + j] = i; wg[g0 + H + j] = f; wg[g0 + 2 * H + j] = g; wg[g0 + 3 * H + j] = o;
            const ct = f * cp[b * H + j] + i * g;
            wc[b * H + j] = ct; wt[b * H + j] = Math.tanh(ct); wh[b * H + j] = o * Math.tanh(ct);
          }
        }
        close(gates, wg, PW_TOL, PW_TOL, `lstm fwd gates ${B}x${H}`);
        close(c, wc, PW_TOL, PW_TOL, `lstm fwd c ${B}x${H}`);
        close(tanhC, wt, PW_TOL, PW_TOL, `lstm fwd tanhC ${B}x${H}`);
        close(h, wh, PW_TOL, PW_TOL, `lstm fwd h ${B}x${H}`);
      }
    });

    it("lstmCellForward propagates NaN to exactly that unit", () => {
      const B = 3, H = 7, r = rng(19);
      const gates = buf(k, B * 4 * H, r, -2, 2), cPrev = buf(k, B * H, r);
      const c = k.alloc(B * H), tanhC = k.alloc(B * H), h = k.alloc(B * H);
      gates[1 * 4 * H + H + 5] = NaN;             // f gate of unit (b=1, j=5)
      k.lstmCellForward(gates, c, tanhC, h, cPrev, B, H);
      for (let i = 0; i < B * H; i++) {
        const bad = i === 1 * H + 5;
        assert.equal(Number.isNaN(c[i]), bad, `c[${i}]`);
        assert.equal(Number.isNaN(h[i]), bad, `h[${i}]`);
      }
    });

    it("lstmCellBackward matches float64 (dA, dc in place)", () => {
      const r = rng(23);
      for (const [B, H] of CELL_SHAPES) {
        const gates = buf(k, B * 4 * H, r, 0.01, 0.99, 1);
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) gates[b * 4 * H + 2 * H + j] = 2 * r() - 1;
        const cPrev = buf(k, B * H, r, -2, 2, 2), tanhC = buf(k, B * H, r, -0.99, 0.99, 3);
        const dc = buf(k, B * H, r), dh = buf(k, B * H, r), dA = buf(k, B * 4 * H, r, -1, 1, 1);
        const G = f64(gates), cp = f64(cPrev), tc = f64(tanhC), dc0 = f64(dc), dh0 = f64(dh);
        k.lstmCellBackward(dA, dc, dh, gates, cPrev, tanhC, B, H);
        const wdA = new Float64Array(B * 4 * H), wdc = new Float64Array(B * H);
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < H; j++) {
            const g0 = b * 4 * H, s = b * H + j;
            const i = G[g0 + j], f = G[g0 + H + j], g = G[g0 + 2 * H + j], o = G[g0 + 3 * H + j];
            const dct = dc0[s] + dh0[s] * o * (1 - tc[s] * tc[s]);
            wdc[s] = dct * f;
            wdA[g0 + j] = dct * g * i * (1 - i);
            wdA[g0 + H + j] = dct * cp[s] * f * (1 - f);
            wdA[g0 + 2 * H + j] = dct * i * (1 - g * g);
            wdA[g0 + 3 * H + j] = dh0[s] * tc[s] * o * (1 - o);
          }
        }
        close(dA, wdA, PW_TOL, PW_TOL, `lstm bwd dA ${B}x${H}`);
        close(dc, wdc, PW_TOL, PW_TOL, `lstm bwd dc ${B}x${H}`);
      }
    });

    it("lstmCellBackward propagates NaN", () => {
      const B = 2, H = 5, r = rng(29);
      const gates = buf(k, B * 4 * H, r, 0.1, 0.9), cPrev = buf(k, B * H, r), tanhC = buf(k, B * H, r);
      const dc = buf(k, B * H, r), dh = buf(k, B * H, r), dA = k.alloc(B * 4 * H);
      dh[H + 2] = NaN;                             // unit (b=1, j=2)
      k.lstmCellBackward(dA, dc, dh, gates, cPrev, tanhC, B, H);
      for (let q = 0; q < 4; q++) assert.ok(Number.isNaN(dA[4 * H + q * H + 2]), `gate ${q}`);
      assert.ok(Number.isNaN(dc[H + 2]));
      assert.ok(Number.isFinite(dA[0]) && Number.isFinite(dc[0]));
    });

    it("fused LSTM steps equal gemm + cell bit for bit, packed or not, batch 1 and odd widths", () => {
      const r = rng(37);
      for (const [B, H] of [[1, 5], [1, 37], [2, 3], [3, 20], [5, 33], [32, 64], [4, 130]]) {
        const G = 4 * H;
        const Whh = buf(k, G * H, r, -0.5, 0.5, 1), hPrev = buf(k, B * H, r), cPrev = buf(k, B * H, r);
        const pack = k.allocRecurrentPack(H);
        for (const usePack of [false, true]) {
          // forward: reference = gemm then cell, on copies of the same inputs
          const a0 = buf(k, B * G, r, -1, 1, 2), a1 = k.alloc(B * G);
          a1.set(a0);
          const out = (): FloatArray[] => [k.alloc(B * H), k.alloc(B * H), k.alloc(B * H)];
          const [c0, t0, h0] = out(), [c1, t1, h1] = out();
          k.gemm(false, true, B, G, H, hPrev, Whh, a0, 1);
          k.lstmCellForward(a0, c0, t0, h0, cPrev, B, H);
          if (usePack) k.packRecurrent(pack, Whh, "forward");
          k.lstmStepForward(a1, hPrev, Whh, usePack ? pack : null, c1, t1, h1, cPrev, B, H);
          const what = `${B}x${H}${usePack ? " packed" : ""}`;
          sameBits(a1, a0, `step fwd gates ${what}`);
          sameBits(c1, c0, `step fwd c ${what}`);
          sameBits(t1, t0, `step fwd tanhC ${what}`);
          sameBits(h1, h0, `step fwd h ${what}`);
          // backward, with and without the recurrent product from step t+1
          if (usePack) k.packRecurrent(pack, Whh, "backward");
          for (const withNext of [true, false]) {
            const dANext = buf(k, B * G, r), dh0 = buf(k, B * H, r), dc0 = buf(k, B * H, r);
            const dh1 = k.alloc(B * H), dc1 = k.alloc(B * H), dA0 = k.alloc(B * G), dA1 = k.alloc(B * G);
            dh1.set(dh0); dc1.set(dc0);
            if (withNext) k.gemm(false, false, B, H, G, dANext, Whh, dh0, 1);
            k.lstmCellBackward(dA0, dc0, dh0, a0, cPrev, t0, B, H);
            k.lstmStepBackward(withNext ? dANext : null, dA1, dc1, dh1, a0, cPrev, t0, Whh, usePack ? pack : null, B, H);
            sameBits(dA1, dA0, `step bwd dA ${what} next=${withNext}`);
            sameBits(dc1, dc0, `step bwd dc ${what} next=${withNext}`);
            sameBits(dh1, dh0, `step bwd dh ${what} next=${withNext}`);
          }
        }
      }
    });

    it("lstmStep1 equals the windowed path at T = B = 1 bit for bit (token and dense input)", () => {
      const r = rng(41);
      for (const [D, H] of [[7, 5], [83, 37], [40, 64], [130, 20]]) {
        const G = 4 * H;
        const Wih = buf(k, G * D, r, -0.5, 0.5, 1), Whh = buf(k, G * H, r, -0.5, 0.5, 2);
        const bih = buf(k, G, r), bhh = buf(k, G, r), hPrev = buf(k, H, r), cPrev = buf(k, H, r), xd = buf(k, D, r);
        for (const input of [Math.floor(r() * D), xd]) {
          const a0 = k.alloc(G), a1 = k.alloc(G);
          const out = (): FloatArray[] => [k.alloc(H), k.alloc(H), k.alloc(H)];
          const [c0, t0, h0] = out(), [c1, t1, h1] = out();
          const tok = k.allocInt(1);
          if (typeof input === "number") { tok[0] = input; k.gatherCols(a0, Wih, tok, 1, G, D); }
          else k.gemm(false, true, 1, G, D, input, Wih, a0, 0);
          k.addBias(a0, bih, 1, G);
          k.addBias(a0, bhh, 1, G);
          k.lstmStepForward(a0, hPrev, Whh, null, c0, t0, h0, cPrev, 1, H);
          k.lstmStep1(input, D, Wih, bih, bhh, hPrev, Whh, a1, c1, t1, h1, cPrev, H);
          const what = `D=${D} H=${H} ${typeof input === "number" ? "token" : "dense"}`;
          sameBits(a1, a0, `step1 gates ${what}`);
          sameBits(c1, c0, `step1 c ${what}`);
          sameBits(t1, t0, `step1 tanhC ${what}`);
          sameBits(h1, h0, `step1 h ${what}`);
        }
      }
    });

    it("softmaxXent matches float64 (loss and scaled gradient), large logits included", () => {
      const r = rng(31);
      for (const [R, V] of [[1, 1], [1, 2], [3, 5], [4, 8], [7, 83], [64, 80], [2, 300]]) {
        for (const scale of [1, 1 / R]) {
          const logits = buf(k, R * V, r, -5, 5, 1), targets = ints(k, R, r, V);
          if (V > 2) { logits[1] = 80; logits[V - 1] = -80; }
          if (R > 1) logits[V] = 1000;
          const z = f64(logits);
          const loss = k.softmaxXent(logits, targets, R, V, scale);
          const want = new Float64Array(R * V);
          let wloss = 0;
          for (let i = 0; i < R; i++) {
            let mx = -Infinity;
            for (let v = 0; v < V; v++) mx = Math.max(mx, z[i * V + v]);
            let s = 0;
            for (let v = 0; v < V; v++) s += Math.exp(z[i * V + v] - mx);
            wloss += Math.log(s) - (z[i * V + targets[i]] - mx);
            for (let v = 0; v < V; v++) want[i * V + v] = scale * (Math.exp(z[i * V + v] - mx) / s - (v === targets[i] ? 1 : 0));
          }
          assert.ok(Math.abs(loss - wloss) <= PW_TOL * (1 + Math.abs(wloss)), `softmaxXent ${R}x${V} loss ${loss} vs ${wloss}`);
          close(logits, want, isF64 ? 1e-12 : 1e-5, PW_TOL * scale, `softmaxXent ${R}x${V} grad`);
        }
      }
    });

    it("softmaxXent propagates NaN (loss and that row)", () => {
      const R = 3, V = 9, r = rng(37);
      const logits = buf(k, R * V, r), targets = ints(k, R, r, V);
      logits[V + 4] = NaN;
      const loss = k.softmaxXent(logits, targets, R, V, 1);
      assert.ok(Number.isNaN(loss));
      for (let v = 0; v < V; v++) {
        assert.ok(Number.isNaN(logits[V + v]), `row 1 [${v}]`);
        assert.ok(Number.isFinite(logits[v]) && Number.isFinite(logits[2 * V + v]), `rows 0, 2 [${v}]`);
      }
    });

    it("mul, scale, clamp (NaN kept), sumSquares (float64 accumulation, NaN/Inf)", () => {
      const r = rng(41);
      for (const n of [0, 1, 3, 4, 7, 8, 9, 1001]) {
        const a = buf(k, n, r, -3, 3, 1), b = buf(k, n, r, -3, 3, 2), out = buf(k, n, r);
        const wm = new Float64Array(n);
        for (let i = 0; i < n; i++) wm[i] = a[i] * b[i];
        k.mul(out, a, b, n);
        close(out, wm, PW_TOL, PW_TOL, `mul ${n}`);

        const x = buf(k, n, r, -3, 3, 3);
        const ws = Float64Array.from(x, (v) => v * 0.37);
        k.scale(x, 0.37, n);
        close(x, ws, PW_TOL, PW_TOL, `scale ${n}`);

        const y = buf(k, n, r, -3, 3, 1);
        if (n > 2) { y[0] = NaN; y[1] = Infinity; y[2] = -Infinity; }
        const wc = Float64Array.from(y, (v) => (v > 1.5 ? 1.5 : v < -1.5 ? -1.5 : v));
        k.clamp(y, 1.5, n);
        close(y, wc, 0, 0, `clamp ${n}`);

        const q = buf(k, n, r, -3, 3, 2);
        let wq = 0;
        for (let i = 0; i < n; i++) wq += q[i] * q[i];
        assert.ok(Math.abs(k.sumSquares(q, n) - wq) <= 1e-12 * wq, `sumSquares ${n}`);
      }
      const z = buf(k, 37, r);
      z[20] = NaN;
      assert.ok(Number.isNaN(k.sumSquares(z, 37)));
      z[20] = -Infinity;
      assert.equal(k.sumSquares(z, 37), Infinity);
      const big = k.alloc(3);
      big.fill(3e30);                             // each square overflows f32 but not f64
      assert.ok(Math.abs(k.sumSquares(big, 3) / 2.7e61 - 1) < 1e-6);
    });

    // Optimizers: three steps, each checked against float64 applied to the backend's own state before it.
    const OPT_N = [1, 3, 4, 7, 1001];
    const optCheck = (name: string, n: number,
                      step: (p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, t: number) => void,
                      ref: (p: number, g: number, m: number, v: number, t: number) => [number, number, number],
                      positiveV = false) => {
      const r = rng(43 + n);
      const p = buf(k, n, r, -1, 1, 1), m = buf(k, n, r, -0.1, 0.1, 2), v = buf(k, n, r, 0, positiveV ? 0.01 : 0, 3);
      for (let t = 1; t <= 3; t++) {
        const g = buf(k, n, r, -1, 1, t);
        const wp = new Float64Array(n), wm = new Float64Array(n), wv = new Float64Array(n);
        for (let i = 0; i < n; i++) [wp[i], wm[i], wv[i]] = ref(p[i], g[i], m[i], v[i], t);
        step(p, g, m, v, t);
        close(p, wp, PW_TOL, PW_TOL, `${name} n=${n} t=${t} p`);
        close(m, wm, PW_TOL, PW_TOL, `${name} n=${n} t=${t} m`);
        close(v, wv, PW_TOL, PW_TOL, `${name} n=${n} t=${t} v`);
      }
    };

    it("adam (PyTorch formula, bias-corrected)", () => {
      const lr = 2e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8;
      for (const n of OPT_N) {
        optCheck("adam", n,
          (p, g, m, v, t) => k.adam(p, g, m, v, n, lr, b1, b2, eps, 1 - b1 ** t, 1 - b2 ** t),
          (p, g, m, v, t) => {
            const m2 = b1 * m + (1 - b1) * g, v2 = b2 * v + (1 - b2) * g * g;
            return [p - (lr / (1 - b1 ** t)) * m2 / (Math.sqrt(v2) / Math.sqrt(1 - b2 ** t) + eps), m2, v2];
          });
      }
    });

    it("rmsprop, adagrad", () => {
      const lr = 1e-2, alpha = 0.99, eps = 1e-8;
      for (const n of OPT_N) {
        optCheck("rmsprop", n, (p, g, _m, v) => k.rmsprop(p, g, v, n, lr, alpha, eps), (p, g, m, v) => {
          const v2 = alpha * v + (1 - alpha) * g * g;
          return [p - lr * g / (Math.sqrt(v2) + eps), m, v2];
        }, true);
        optCheck("adagrad", n, (p, g, _m, v) => k.adagrad(p, g, v, n, lr, eps), (p, g, m, v) => {
          const v2 = v + g * g;
          return [p - lr * g / (Math.sqrt(v2) + eps), m, v2];
        }, true);
      }
    });

    it("sgd, plain and with momentum", () => {
      const lr = 0.1;
      for (const n of OPT_N) {
        optCheck("sgd", n, (p, g, m) => k.sgd(p, g, m, n, lr, 0), (p, g, m, v) => [p - lr * g, m, v]);
        optCheck("sgd-momentum", n, (p, g, m) => k.sgd(p, g, m, n, lr, 0.9), (p, g, m, v) => {
          const m2 = 0.9 * m + g;
          return [p - lr * m2, m2, v];
        });
      }
    });

    it("optimizers propagate a NaN gradient into the parameter", () => {
      const n = 9, r = rng(47);
      const run = (f: (p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray) => void, name: string) => {
        const p = buf(k, n, r), g = buf(k, n, r), m = k.alloc(n), v = k.alloc(n);
        g[5] = NaN;
        f(p, g, m, v);
        assert.ok(Number.isNaN(p[5]), name);
        assert.ok(Number.isFinite(p[4]) && Number.isFinite(p[8]), name);
      };
      run((p, g, m, v) => k.adam(p, g, m, v, n, 1e-3, 0.9, 0.999, 1e-8, 0.1, 0.001), "adam");
      run((p, g, _m, v) => k.rmsprop(p, g, v, n, 1e-3, 0.99, 1e-8), "rmsprop");
      run((p, g, _m, v) => k.adagrad(p, g, v, n, 1e-3, 1e-8), "adagrad");
      run((p, g, m) => k.sgd(p, g, m, n, 1e-3, 0.9), "sgd");
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// wasm only: 1 vs 2 threads, lifecycle, selection

type Threaded = Kernels & { stats(): { parallelCalls: number } };

/** 1 vs 2 threads of one backend: every split path gives the bits of the unsplit one. */
function threadSuite(label: string, w1: Threaded, w2: Threaded): void {

  /** The same random inputs in both backends' memories. */
  const pair = (n: number, r: () => number, off = 0): [FloatArray, FloatArray] => {
    const a = buf(w1, n, r, -1, 1, off), b = w2.alloc(n + off + 3).subarray(off, off + n);
    b.set(a);
    return [a, b];
  };

  it(`${label}: gemm is bit-identical with 1 and 2 threads (all transposes, beta 0/1, odd and LSTM shapes)`, () => {
    const r = rng(53);
    const before = w2.stats().parallelCalls;
    const shapes: [number, number, number][] = [
      ...GEMM_SHAPES, [32, 1024, 256], [1024, 256, 300], [1, 2048, 512], [512, 1, 300], [80, 256, 640], [64, 1030, 140],
    ];
    let calls = 0;
    for (const [M, N, K] of shapes) {
      for (const [tA, tB] of TRANS) {
        for (const beta of [0, 1] as const) {
          const [A1, A2] = pair(M * K, r, 1), [B1, B2] = pair(K * N, r, 2), [C1, C2] = pair(M * N, r, 3);
          w1.gemm(tA, tB, M, N, K, A1, B1, C1, beta);
          w2.gemm(tA, tB, M, N, K, A2, B2, C2, beta);
          sameBits(C1, C2, `gemm ${tname(tA, tB)} M=${M} N=${N} K=${K} beta=${beta}`);
          calls++;
        }
      }
    }
    // every call was split (parallelMinFlops: 0, parallelColdMinFlops: 0), so the split paths were all exercised
    assert.equal(w2.stats().parallelCalls - before, calls);
    assert.equal(w1.stats().parallelCalls, 0);
  });

  it(`${label}: the LSTM cell pair is bit-identical with 1 and 2 threads`, () => {
    const r = rng(59);
    for (const [B, H] of [[2, 3], [5, 13], [32, 256], [64, 100]]) {
      const [g1, g2] = pair(B * 4 * H, r), [cp1, cp2] = pair(B * H, r);
      const [c1, c2] = pair(B * H, r), [t1, t2] = pair(B * H, r), [h1, h2] = pair(B * H, r);
      w1.lstmCellForward(g1, c1, t1, h1, cp1, B, H);
      w2.lstmCellForward(g2, c2, t2, h2, cp2, B, H);
      for (const [a, b, n] of [[g1, g2, "gates"], [c1, c2, "c"], [t1, t2, "tanhC"], [h1, h2, "h"]] as const) {
        sameBits(a, b, `lstm fwd ${n} ${B}x${H}`);
      }
      const [dA1, dA2] = pair(B * 4 * H, r), [dc1, dc2] = pair(B * H, r), [dh1, dh2] = pair(B * H, r);
      w1.lstmCellBackward(dA1, dc1, dh1, g1, cp1, t1, B, H);
      w2.lstmCellBackward(dA2, dc2, dh2, g2, cp2, t2, B, H);
      sameBits(dA1, dA2, `lstm bwd dA ${B}x${H}`);
      sameBits(dc1, dc2, `lstm bwd dc ${B}x${H}`);
    }
  });

  it(`${label}: fused LSTM steps are bit-identical with 1 and 2 threads; a pack of another backend is refused`, () => {
    const r = rng(67);
    for (const [B, H] of [[1, 40], [3, 40], [32, 256], [5, 100]]) {
      const G = 4 * H;
      const [W1, W2] = pair(G * H, r), [hp1, hp2] = pair(B * H, r), [cp1, cp2] = pair(B * H, r);
      const [a1, a2] = pair(B * G, r), [c1, c2] = pair(B * H, r), [t1, t2] = pair(B * H, r), [h1, h2] = pair(B * H, r);
      const p1 = w1.allocRecurrentPack(H), p2 = w2.allocRecurrentPack(H);
      w1.packRecurrent(p1, W1, "forward");
      w2.packRecurrent(p2, W2, "forward");
      const before = w2.stats().parallelCalls;
      w1.lstmStepForward(a1, hp1, W1, p1, c1, t1, h1, cp1, B, H);
      w2.lstmStepForward(a2, hp2, W2, p2, c2, t2, h2, cp2, B, H);
      assert.equal(w2.stats().parallelCalls, before + 1, "the 2-thread step was split");
      sameBits(a1, a2, `step fwd gates ${B}x${H}`);
      sameBits(h1, h2, `step fwd h ${B}x${H}`);
      sameBits(c1, c2, `step fwd c ${B}x${H}`);
      w1.packRecurrent(p1, W1, "backward");
      w2.packRecurrent(p2, W2, "backward");
      const [n1, n2] = pair(B * G, r), [dA1, dA2] = pair(B * G, r), [dc1, dc2] = pair(B * H, r), [dh1, dh2] = pair(B * H, r);
      w1.lstmStepBackward(n1, dA1, dc1, dh1, a1, cp1, t1, W1, p1, B, H);
      w2.lstmStepBackward(n2, dA2, dc2, dh2, a2, cp2, t2, W2, p2, B, H);
      sameBits(dA1, dA2, `step bwd dA ${B}x${H}`);
      sameBits(dc1, dc2, `step bwd dc ${B}x${H}`);
      sameBits(dh1, dh2, `step bwd dh ${B}x${H}`);
      assert.throws(() => w2.lstmStepForward(a2, hp2, W2, p1, c2, t2, h2, cp2, B, H), /another backend/);
      assert.throws(() => w1.lstmStepForward(a1, hp1, W1, jsKernels().allocRecurrentPack(H), c1, t1, h1, cp1, B, H),
                    /another backend/);
    }
  });

  it(`${label}: lstmStep1 is bit-identical with 1 and 2 threads; a token outside the vocabulary is refused`, () => {
    const r = rng(71);
    for (const [D, H] of [[83, 256], [40, 100]]) {
      const G = 4 * H;
      const [Wi1, Wi2] = pair(G * D, r), [Wh1, Wh2] = pair(G * H, r), [bi1, bi2] = pair(G, r), [bh1, bh2] = pair(G, r);
      const [hp1, hp2] = pair(H, r), [cp1, cp2] = pair(H, r), [x1, x2] = pair(D, r);
      for (const token of [true, false]) {
        const [a1, a2] = pair(G, r), [c1, c2] = pair(H, r), [t1, t2] = pair(H, r), [h1, h2] = pair(H, r);
        const before = w2.stats().parallelCalls;
        w1.lstmStep1(token ? 5 : x1, D, Wi1, bi1, bh1, hp1, Wh1, a1, c1, t1, h1, cp1, H);
        w2.lstmStep1(token ? 5 : x2, D, Wi2, bi2, bh2, hp2, Wh2, a2, c2, t2, h2, cp2, H);
        assert.equal(w2.stats().parallelCalls, before + 1, "the 2-thread step was split");
        for (const [u, v, n] of [[a1, a2, "gates"], [c1, c2, "c"], [t1, t2, "tanhC"], [h1, h2, "h"]] as const) {
          sameBits(u, v, `step1 ${n} D=${D} H=${H} token=${token}`);
        }
      }
      const [a, c, t, h] = [w1.alloc(G), w1.alloc(H), w1.alloc(H), w1.alloc(H)];
      assert.throws(() => w1.lstmStep1(D, D, Wi1, bi1, bh1, hp1, Wh1, a, c, t, h, cp1, H), /outside the vocabulary/);
    }
  });
}

if (wasm1 && wasm2) describe("wasm backend: threads", () => threadSuite("wasm", wasm1, wasm2));
if (native1 && native2) describe("native backend: threads", () => threadSuite("native", native1, native2));

describe("wasm backend: lifecycle", { skip: SIMD ? false : "WebAssembly SIMD is not supported here" }, () => {
  const w1 = wasm1!;

  it("default thresholds: a 2-thread backend splits big gemms only, and agrees bit for bit", async () => {
    const w = await loadWasmKernelsNode({ threads: 2 });
    try {
      assert.equal(w.threads, 2);
      const r = rng(61);
      const small = (): void => {
        const A = buf(w, 8 * 8, r), B = buf(w, 8 * 8, r), C = w.alloc(64);
        w.gemm(false, false, 8, 8, 8, A, B, C, 0);
      };
      small();
      assert.equal(w.stats().parallelCalls, 0, "a 1 KFLOP gemm stays on the calling thread");
      const M = 32, N = 1024, K = 256;
      const A = buf(w, M * K, r), B = buf(w, N * K, r), C = w.alloc(M * N);
      const A1 = w1.alloc(M * K), B1 = w1.alloc(N * K), C1 = w1.alloc(M * N);
      A1.set(A); B1.set(B);
      w.gemm(false, true, M, N, K, A, B, C, 0);
      w1.gemm(false, true, M, N, K, A1, B1, C1, 0);
      assert.equal(w.stats().parallelCalls, 1);
      sameBits(C1, C, "gemm NT 32x1024x256");
    } finally {
      w.dispose();
    }
  });

  it("shares a stalled worker never claimed are taken back and run by the caller, bit for bit", async () => {
    // A pool whose "worker" never runs: every share posted to it must be revoked and computed by the caller.
    const w = await createWasmKernels({
      module: await loadWasmModuleNode(), threads: 2, parallelMinFlops: 0, parallelColdMinFlops: 0, parallelMinCells: 0,
      workerFactory: async () => ({ terminate: () => {} }),
    });
    try {
      const r = rng(73);
      const cases: [boolean, boolean, number, number, number][] = [[false, true, 32, 1024, 64], [true, false, 300, 40, 50], [false, false, 1, 500, 30]];
      for (const [tA, tB, M, N, K] of cases) {
        const A1 = buf(w1, M * K, r), B1 = buf(w1, K * N, r), C1 = w1.alloc(M * N);
        const A = w.alloc(M * K), B = w.alloc(K * N), C = w.alloc(M * N);
        A.set(A1); B.set(B1);
        w1.gemm(tA, tB, M, N, K, A1, B1, C1, 0);
        w.gemm(tA, tB, M, N, K, A, B, C, 0);
        sameBits(C1, C, `gemm ${tname(tA, tB)} ${M}x${N}x${K} with a stalled worker`);
      }
      const B = 4, H = 9;
      const g1 = buf(w1, B * 4 * H, r, -3, 3), cp1 = buf(w1, B * H, r), c1 = w1.alloc(B * H), t1 = w1.alloc(B * H), h1 = w1.alloc(B * H);
      const g = w.alloc(B * 4 * H), cp = w.alloc(B * H), c = w.alloc(B * H), t = w.alloc(B * H), h = w.alloc(B * H);
      g.set(g1); cp.set(cp1);
      w1.lstmCellForward(g1, c1, t1, h1, cp1, B, H);
      w.lstmCellForward(g, c, t, h, cp, B, H);
      sameBits(h1, h, "lstm fwd h with a stalled worker");
      const st = w.stats();
      assert.equal(st.parallelCalls, 4);
      assert.equal(st.revokedShares, 4);
    } finally {
      w.dispose();
    }
  });

  it("jobs below parallelColdMinFlops split only while the worker is awake; results are the same either way", async () => {
    const small = [32, 64, 128] as const, big = [64, 128, 256] as const;   // 0.5 and 4.2 MFLOP
    const run = (k: Kernels, [M, N, K]: readonly [number, number, number]): FloatArray => {
      const A = buf(k, M * K, rng(M)), B = buf(k, K * N, rng(N)), C = k.alloc(M * N);
      k.gemm(false, false, M, N, K, A, B, C, 0);
      return C;
    };
    const want = [run(w1, small), run(w1, big)];
    // spin 0: the worker sleeps in Atomics.wait whenever it is idle
    const cold = await loadWasmKernelsNode({ threads: 2, spin: 0 });
    // spin 5 s: after a job the worker stays awake, spinning, for the rest of this test
    const hot = await loadWasmKernelsNode({ threads: 2, spin: 5_000_000 });
    try {
      await new Promise((res) => setTimeout(res, 50));
      let before = cold.stats().parallelCalls;
      sameBits(run(cold, small), want[0], "small gemm, worker asleep");
      assert.equal(cold.stats().parallelCalls, before, "a small job is not handed to a sleeping worker");
      sameBits(run(cold, big), want[1], "big gemm, worker asleep");
      assert.equal(cold.stats().parallelCalls, before + 1, "a big job wakes the worker");
      sameBits(run(hot, big), want[1], "big gemm");
      before = hot.stats().parallelCalls;
      sameBits(run(hot, small), want[0], "small gemm, worker awake");
      assert.equal(hot.stats().parallelCalls, before + 1, "a small job is split while the worker spins");
    } finally {
      cold.dispose();
      hot.dispose();
    }
  });

  it("dispose stops the workers; the kernels keep working on one thread; dispose is idempotent", async () => {
    const w = await loadWasmKernelsNode({ threads: 2, parallelMinFlops: 0, parallelColdMinFlops: 0 });
    const r = rng(67);
    const A = buf(w, 40 * 30, r), B = buf(w, 30 * 50, r), C = w.alloc(40 * 50);
    w.gemm(false, false, 40, 50, 30, A, B, C, 0);
    w.dispose();
    w.dispose();
    assert.equal(w.threads, 1);
    const want = refGemm(false, false, 40, 50, 30, A, B, C, 0);
    C.fill(0);
    w.gemm(false, false, 40, 50, 30, A, B, C, 0);
    close(C, want.c, 1e-5, 1e-30, "gemm after dispose", want.mag);
  });

  it("a process that never calls dispose still exits on its own", () => {
    const node = fileURLToPath(new URL("./wasm/node.js", import.meta.url));
    const script = `
      const { loadWasmKernelsNode } = await import(${JSON.stringify(node)});
      const k = await loadWasmKernelsNode({ threads: 2, parallelMinFlops: 0, parallelColdMinFlops: 0 });
      const a = k.alloc(64 * 64), c = k.alloc(64 * 64);
      a.fill(1);
      k.gemm(false, false, 64, 64, 64, a, a, c, 0);
      console.log(c[0]);`;
    const res = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    assert.equal(res.error, undefined, `child did not exit: ${String(res.error)}`);
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout.trim(), "64");
  });
});

describe("createKernels (backend selection)", () => {
  it("js is always available", async () => {
    const { kernels, notice } = await createKernels({ backend: "js" });
    assert.equal(kernels.name, "js");
    assert.equal(notice, undefined);
  });

  it("auto picks native where the addon loads (else wasm with a notice saying why)", async () => {
    const { kernels, notice } = await createKernels({ backend: "auto", threads: 1 });
    try {
      if (native1) {
        assert.equal(kernels.name, "native");
        assert.equal(backendLabel(kernels), `native (${native1.isa})`);
        assert.equal(notice, undefined);
      } else if (SIMD) {
        assert.equal(kernels.name, "wasm");
        assert.match(notice ?? "", /native backend unavailable.*; using wasm/);
      } else {
        assert.equal(kernels.name, "js");
        assert.match(notice ?? "", /SIMD/);
      }
    } finally {
      kernels.dispose?.();
    }
  });

  it("without the addon: auto falls back to wasm saying why, and --backend native fails in one line", { skip: SIMD ? false : "no SIMD" }, () => {
    const select = fileURLToPath(new URL("./select.js", import.meta.url));
    const script = `
      const { createKernels, backendLabel } = await import(${JSON.stringify(select)});
      const { kernels, notice } = await createKernels({ backend: "auto", threads: 1 });
      console.log(backendLabel(kernels) + " | " + notice);
      kernels.dispose?.();
      try { await createKernels({ backend: "native" }); console.log("native loaded?!"); }
      catch (e) { console.log("error: " + e.message); }`;
    const res = spawnSync(process.execPath, ["--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 30_000, env: { ...process.env, CHAR_LSTM_NATIVE_ADDON: "/nonexistent/char_lstm_native.node" } });
    assert.equal(res.error, undefined, String(res.error));
    assert.equal(res.status, 0, res.stderr);
    const [auto, forced] = res.stdout.trim().split("\n");
    assert.match(auto, /^wasm \| native backend unavailable: the native addon is not built .*; using wasm$/);
    assert.match(forced, /^error: backend native: the native addon is not built/);
  });

  it("wasm with threads, and bad arguments are clear errors", { skip: SIMD ? false : "no SIMD" }, async () => {
    const { kernels } = await createKernels({ backend: "wasm", threads: 2 });
    assert.equal((kernels as WasmKernels).threads, 2);
    kernels.dispose?.();
    await assert.rejects(createKernels({ backend: "wasm", threads: 0 }), /threads/);
    await assert.rejects(createKernels({ backend: "gpu" as "js" }), /unknown backend/);
  });

  it("defaultThreads is the number of available cores", async () => {
    const os = await import("node:os");
    assert.equal(defaultThreads(), Math.max(1, os.availableParallelism()));
  });
});

describe("node worker pool", () => {
  it("workers get the parent's module-loading options and none of its per-process, entry or runner options", async () => {
    const { workerExecArgv } = await import("./wasm/node_pool.js");
    assert.deepEqual(workerExecArgv(["--input-type=module", "-e", "code", "--max-old-space-size=100"]), []);
    assert.deepEqual(workerExecArgv(["--input-type", "module", "--eval", "--import=x.js"]), []);
    // what Node 26's test runner gives each test file: per-process options a Worker refuses
    assert.deepEqual(workerExecArgv(["--test-concurrency=0", "--experimental-addon-modules", "--stack-trace-limit=10",
      "--use-largepages=off", "--secure-heap-min=2", "--test-isolation=process", "--node-snapshot", "--secure-heap=0",
      "--v8-pool-size=4", "--require", "./hook.cjs", "--conditions=dev", "--enable-source-maps"]),
      ["--experimental-addon-modules", "--require", "./hook.cjs", "--conditions=dev", "--enable-source-maps"]);
    assert.deepEqual(workerExecArgv(["--import", "tsx", "--test", "--test-reporter", "spec", "--test-name-pattern=x", "-p", "1"]),
      ["--import", "tsx"]);
  });
});

describe("wasm backend: failures", { skip: SIMD ? false : "WebAssembly SIMD is not supported here" }, () => {
  it("a kernel that traps (here: a shape far larger than its buffers) throws, and the pool keeps working", async () => {
    // A backend of its own: the failing call scribbles over its memory before it runs off the end.
    const w = await loadWasmKernelsNode({ threads: 2, parallelMinFlops: 0, parallelColdMinFlops: 0 });
    try {
      const A = w.alloc(16), B = w.alloc(16), C = w.alloc(16);
      assert.throws(() => w.gemm(false, false, 2, 1 << 28, 1, A, B, C, 0));
      const r = rng(71);
      const A2 = buf(w, 6 * 5, r), B2 = buf(w, 5 * 40, r), C2 = w.alloc(6 * 40);
      w.gemm(false, false, 6, 40, 5, A2, B2, C2, 0);
      const want = refGemm(false, false, 6, 40, 5, A2, B2, C2, 0);
      close(C2, want.c, 1e-5, 1e-30, "gemm after a failed call", want.mag);
    } finally {
      w.dispose();
    }
  });
});
