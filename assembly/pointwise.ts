// Pointwise kernels over f32 buffers: bias, gather/scatter, the fused LSTM cell pair, softmax + cross-entropy,
// and the small vector helpers. Semantics are those of src/kernels/js/pointwise.ts; pointers are byte offsets
// into the shared memory, counts are elements. Loads are unaligned-safe (rows of odd width are fine).

import { dlog, K_ONE, vexp, vsigmoid, vtanh } from "./math";

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** out (R, N) row r += bias (N). */
export function addBias(out: usize, bias: usize, R: i32, N: i32): void {
  for (let r = 0; r < R; r++) {
    const o = f(out, r * N);
    let j = 0;
    for (; j + 4 <= N; j += 4) v128.store(f(o, j), f32x4.add(v128.load(f(o, j)), v128.load(f(bias, j))));
    for (; j < N; j++) store<f32>(f(o, j), load<f32>(f(o, j)) + load<f32>(f(bias, j)));
  }
}

/**
 * db (N) += Σ_r d (R, N) row r, in the js order (db, then rows in turn): rows stream contiguously while db
 * (N floats) stays in L1.
 */
export function sumRows(db: usize, d: usize, R: i32, N: i32): void {
  for (let r = 0; r < R; r++) {
    const o = f(d, r * N);
    let j = 0;
    for (; j + 4 <= N; j += 4) v128.store(f(db, j), f32x4.add(v128.load(f(db, j)), v128.load(f(o, j))));
    for (; j < N; j++) store<f32>(f(db, j), load<f32>(f(db, j)) + load<f32>(f(o, j)));
  }
}

/** Columns of W (N, V) per transposed block so that the block (V × nb floats) fits in `scratchFloats`. */
// @ts-ignore: decorator
@inline function colBlock(N: i32, V: i32, scratchFloats: i32): i32 {
  let nb = scratchFloats / (V > 0 ? V : 1);
  nb = nb & ~3;
  if (nb < 4) nb = 4;
  return nb < N ? nb : N;
}

/** S (V, nb) = W[j0 .. j0+nb, :]ᵀ, or its inverse (W block = Sᵀ) when back is set. */
function transposeBlock(W: usize, S: usize, j0: i32, nb: i32, V: i32, back: bool): void {
  for (let jj = 0; jj < nb; jj++) {
    const w = f(W, (j0 + jj) * V);
    const s = f(S, jj);
    const sb = <usize>nb << 2;
    if (back) for (let v = 0; v < V; v++) store<f32>(w + (<usize>v << 2), load<f32>(s + <usize>v * sb));
    else for (let v = 0; v < V; v++) store<f32>(s + <usize>v * sb, load<f32>(w + (<usize>v << 2)));
  }
}

/**
 * out (R, N) row r = W (N, V) column idx[r]. W is transposed block by block into scratch (V rows of nb
 * contiguous floats), so each output row is a run of vector copies instead of N strided loads.
 */
export function gatherCols(out: usize, W: usize, idx: usize, R: i32, N: i32, V: i32, scratch: usize, scratchFloats: i32): void {
  const NB = colBlock(N, V, scratchFloats);
  if (V < 4 || NB < 16 || R * 8 < V) {
    // tiny vocabularies, or few rows (sampling: R = 1): the direct strided form wins, since a block
    // transpose touches all N·V weights to read R·N of them
    for (let r = 0; r < R; r++) {
      const v = load<i32>(f(idx, r));
      const o = f(out, r * N);
      for (let j = 0; j < N; j++) store<f32>(f(o, j), load<f32>(f(W, j * V + v)));
    }
    return;
  }
  for (let j0 = 0; j0 < N; j0 += NB) {
    const nb = j0 + NB < N ? NB : N - j0;
    transposeBlock(W, scratch, j0, nb, V, false);
    for (let r = 0; r < R; r++) {
      const src = f(scratch, load<i32>(f(idx, r)) * nb);
      const dst = f(out, r * N + j0);
      let j = 0;
      for (; j + 4 <= nb; j += 4) v128.store(f(dst, j), v128.load(f(src, j)));
      for (; j < nb; j++) store<f32>(f(dst, j), load<f32>(f(src, j)));
    }
  }
}

/**
 * dW (N, V) column idx[r] += d (R, N) row r. Same blocking as gatherCols: transpose a block of dW into
 * scratch, add whole rows of d into it, transpose back. Per element the order is the js one (dW, then r
 * ascending), so the result is bit-identical to the reference in f32.
 */
export function scatterAddCols(dW: usize, d: usize, idx: usize, R: i32, N: i32, V: i32, scratch: usize, scratchFloats: i32): void {
  const NB = colBlock(N, V, scratchFloats);
  if (V < 4 || NB < 16 || R * 8 < V) {
    for (let r = 0; r < R; r++) {
      const v = load<i32>(f(idx, r));
      const o = f(d, r * N);
      for (let j = 0; j < N; j++) {
        const p = f(dW, j * V + v);
        store<f32>(p, load<f32>(p) + load<f32>(f(o, j)));
      }
    }
    return;
  }
  for (let j0 = 0; j0 < N; j0 += NB) {
    const nb = j0 + NB < N ? NB : N - j0;
    transposeBlock(dW, scratch, j0, nb, V, false);
    for (let r = 0; r < R; r++) {
      const dst = f(scratch, load<i32>(f(idx, r)) * nb);
      const src = f(d, r * N + j0);
      let j = 0;
      for (; j + 4 <= nb; j += 4) v128.store(f(dst, j), f32x4.add(v128.load(f(dst, j)), v128.load(f(src, j))));
      for (; j < nb; j++) store<f32>(f(dst, j), load<f32>(f(dst, j)) + load<f32>(f(src, j)));
    }
    transposeBlock(dW, scratch, j0, nb, V, true);
  }
}

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32, n: i32, full: bool): v128 {
  // A full vector, or (the tail of an odd H) a lane-by-lane partial load. `full` is a constant at every call
  // site, so each loop body keeps only one of the two forms.
  if (full) return v128.load(f(p, i));
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(f(p, i)));
  if (i + 1 < n) v = f32x4.replace_lane(v, 1, load<f32>(f(p, i + 1)));
  if (i + 2 < n) v = f32x4.replace_lane(v, 2, load<f32>(f(p, i + 2)));
  return v;
}

// @ts-ignore: decorator
@inline function st(p: usize, i: i32, n: i32, v: v128, full: bool): void {
  if (full) { v128.store(f(p, i), v); return; }
  store<f32>(f(p, i), f32x4.extract_lane(v, 0));
  if (i + 1 < n) store<f32>(f(p, i + 1), f32x4.extract_lane(v, 1));
  if (i + 2 < n) store<f32>(f(p, i + 2), f32x4.extract_lane(v, 2));
}

// @ts-ignore: decorator
@inline function cellForward4(gi: usize, cb: usize, tb: usize, hb: usize, pb: usize, j: i32, H: i32, n: i32,
                              k: usize, full: bool): void {
  const gf = f(gi, H), gg = f(gi, 2 * H), go = f(gi, 3 * H);
  const i = vsigmoid(ld(gi, j, n, full), k);
  const fg = vsigmoid(ld(gf, j, n, full), k);
  const g = vtanh(ld(gg, j, n, full), k);
  const o = vsigmoid(ld(go, j, n, full), k);
  st(gi, j, n, i, full); st(gf, j, n, fg, full); st(gg, j, n, g, full); st(go, j, n, o, full);
  const ct = f32x4.add(f32x4.mul(fg, ld(pb, j, n, full)), f32x4.mul(i, g));
  const tc = vtanh(ct, k);
  st(cb, j, n, ct, full);
  st(tb, j, n, tc, full);
  st(hb, j, n, f32x4.mul(o, tc), full);
}

/**
 * Fused LSTM cell forward for one step. gates (B, 4H) pre-activations [a_i a_f a_g a_o] → [i f g o] in place;
 * c = f⊙cPrev + i⊙g; tanhC = tanh(c); h = o⊙tanhC. k: the math constants table (math.ts).
 */
export function lstmCellForward(gates: usize, c: usize, tanhC: usize, h: usize, cPrev: usize, B: i32, H: i32,
                                k: usize): void {
  cellForwardUnits(gates, c, tanhC, h, cPrev, B, H, 0, H, k);
}

/** lstmCellForward for hidden units [u0, u1) only (a thread's share of a fused step, see lstm_step.ts). */
export function cellForwardUnits(gates: usize, c: usize, tanhC: usize, h: usize, cPrev: usize, B: i32, H: i32,
                                 u0: i32, u1: i32, k: usize): void {
  for (let b = 0; b < B; b++) {
    const gi = f(gates, b * 4 * H);
    const s = b * H;
    const cb = f(c, s), tb = f(tanhC, s), hb = f(h, s), pb = f(cPrev, s);
    let j = u0;
    for (; j + 4 <= u1; j += 4) cellForward4(gi, cb, tb, hb, pb, j, H, u1, k, true);
    if (j < u1) cellForward4(gi, cb, tb, hb, pb, j, H, u1, k, false);
  }
}

// @ts-ignore: decorator
@inline function cellBackward4(gi: usize, di: usize, dcb: usize, dhb: usize, pb: usize, tb: usize, j: i32, H: i32,
                               n: i32, one: v128, full: bool): void {
  const gf = f(gi, H), gg = f(gi, 2 * H), go = f(gi, 3 * H);
  const df = f(di, H), dg = f(di, 2 * H), dO = f(di, 3 * H);
  const i = ld(gi, j, n, full), fg = ld(gf, j, n, full), g = ld(gg, j, n, full), o = ld(go, j, n, full);
  const tc = ld(tb, j, n, full), dhj = ld(dhb, j, n, full);
  // h = o⊙tanh(c) → do = dh⊙tanh(c); dc += dh⊙o⊙(1 − tanh²(c))
  const dct = f32x4.add(ld(dcb, j, n, full), f32x4.mul(f32x4.mul(dhj, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  const dOut = f32x4.mul(dhj, tc);
  // c = f⊙cPrev + i⊙g → di = dc⊙g, df = dc⊙cPrev, dg = dc⊙i, dcPrev = dc⊙f
  const dI = f32x4.mul(dct, g), dF = f32x4.mul(dct, ld(pb, j, n, full)), dG = f32x4.mul(dct, i);
  st(dcb, j, n, f32x4.mul(dct, fg), full);
  // through the nonlinearities: σ' = σ(1−σ), tanh' = 1 − tanh²
  st(di, j, n, f32x4.mul(f32x4.mul(dI, i), f32x4.sub(one, i)), full);
  st(df, j, n, f32x4.mul(f32x4.mul(dF, fg), f32x4.sub(one, fg)), full);
  st(dg, j, n, f32x4.mul(dG, f32x4.sub(one, f32x4.mul(g, g))), full);
  st(dO, j, n, f32x4.mul(f32x4.mul(dOut, o), f32x4.sub(one, o)), full);
}

/**
 * Fused LSTM cell backward for one step. dA (B, 4H) out; dc (B, H) in ∂L/∂c_t, out ∂L/∂c_{t−1};
 * dh (B, H) in; gates post-activations; cPrev, tanhC (B, H). k: the math constants table.
 */
export function lstmCellBackward(dA: usize, dc: usize, dh: usize, gates: usize, cPrev: usize, tanhC: usize,
                                 B: i32, H: i32, k: usize): void {
  cellBackwardUnits(dA, dc, dh, gates, cPrev, tanhC, B, H, 0, H, k);
}

/** lstmCellBackward for hidden units [u0, u1) only. */
export function cellBackwardUnits(dA: usize, dc: usize, dh: usize, gates: usize, cPrev: usize, tanhC: usize,
                                  B: i32, H: i32, u0: i32, u1: i32, k: usize): void {
  const one = v128.load(k, K_ONE);
  for (let b = 0; b < B; b++) {
    const gi = f(gates, b * 4 * H), di = f(dA, b * 4 * H);
    const s = b * H;
    const dcb = f(dc, s), dhb = f(dh, s), pb = f(cPrev, s), tb = f(tanhC, s);
    let j = u0;
    for (; j + 4 <= u1; j += 4) cellBackward4(gi, di, dcb, dhb, pb, tb, j, H, u1, one, true);
    if (j < u1) cellBackward4(gi, di, dcb, dhb, pb, tb, j, H, u1, one, false);
  }
}

/**
 * Fused softmax + cross-entropy over R rows of V logits. Rows become scale·(softmax − onehot(target)).
 * Returns Σ_r (log Σ e^{z−max} − (z_y − max)), accumulated in f64. k: the math constants table. The row max skips NaN (like the js `>`
 * test), so a NaN logit still yields NaN through exp, the sum and the loss.
 */
export function softmaxXent(logits: usize, targets: usize, R: i32, V: i32, scale: f64, k: usize): f64 {
  let loss: f64 = 0;
  const sc = <f32>scale;
  for (let r = 0; r < R; r++) {
    const o = f(logits, r * V);
    // row max: pmax(acc, x) = acc < x ? x : acc keeps acc when x is NaN
    let mv = f32x4.splat(-Infinity);
    let v = 0;
    for (; v + 4 <= V; v += 4) mv = f32x4.pmax(mv, v128.load(f(o, v)));
    let mx = f32x4.extract_lane(mv, 0);
    const m1 = f32x4.extract_lane(mv, 1), m2 = f32x4.extract_lane(mv, 2), m3 = f32x4.extract_lane(mv, 3);
    if (m1 > mx) mx = m1;
    if (m2 > mx) mx = m2;
    if (m3 > mx) mx = m3;
    for (; v < V; v++) { const x = load<f32>(f(o, v)); if (x > mx) mx = x; }
    const y = load<i32>(f(targets, r));
    const zy = <f64>load<f32>(f(o, y)) - <f64>mx;
    // exponentials and their sum
    const mxv = f32x4.splat(mx);
    let sv = f32x4.splat(0);
    v = 0;
    for (; v + 4 <= V; v += 4) {
      const e = vexp(f32x4.sub(v128.load(f(o, v)), mxv), k);
      v128.store(f(o, v), e);
      sv = f32x4.add(sv, e);
    }
    let sum: f64 = <f64>((f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1)) +
                         (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3)));
    for (; v < V; v++) {
      const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(f(o, v)) - mx), k), 0);
      store<f32>(f(o, v), e);
      sum += <f64>e;
    }
    loss += dlog(sum) - zy;
    // gradient: scale·softmax, minus scale at the target
    const w = <f32>(scale / sum);
    const wv = f32x4.splat(w);
    v = 0;
    for (; v + 4 <= V; v += 4) v128.store(f(o, v), f32x4.mul(v128.load(f(o, v)), wv));
    for (; v < V; v++) store<f32>(f(o, v), load<f32>(f(o, v)) * w);
    store<f32>(f(o, y), load<f32>(f(o, y)) - sc);
  }
  return loss;
}

/** out[i] = a[i]·b[i]. */
export function mul(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f(out, i), f32x4.mul(v128.load(f(a, i)), v128.load(f(b, i))));
  for (; i < n; i++) store<f32>(f(out, i), load<f32>(f(a, i)) * load<f32>(f(b, i)));
}

/** Σ x[i]², accumulated in f64 (four f64x2 partial sums). */
export function sumSquares(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(f(x, i)), b = v128.load(f(x, i + 4));
    const a0 = f64x2.promote_low_f32x4(a), a1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 2, 3));
    const b0 = f64x2.promote_low_f32x4(b), b1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 2, 3));
    s0 = f64x2.add(s0, f64x2.mul(a0, a0));
    s1 = f64x2.add(s1, f64x2.mul(a1, a1));
    s2 = f64x2.add(s2, f64x2.mul(b0, b0));
    s3 = f64x2.add(s3, f64x2.mul(b1, b1));
  }
  const t = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < n; i++) { const v = <f64>load<f32>(f(x, i)); s += v * v; }
  return s;
}

/** x[i] *= s. */
export function scale(x: usize, s: f32, n: i32): void {
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f(x, i), f32x4.mul(v128.load(f(x, i)), sv));
  for (; i < n; i++) store<f32>(f(x, i), load<f32>(f(x, i)) * s);
}

/** x[i] = clamp(x[i], −c, c), NaN kept: pmin(x, c) = c < x ? c : x; pmax(y, −c) = y < −c ? −c : y. */
export function clamp(x: usize, c: f32, n: i32): void {
  const hi = f32x4.splat(c), lo = f32x4.splat(-c);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(f(x, i), f32x4.pmax(f32x4.pmin(v128.load(f(x, i)), hi), lo));
  for (; i < n; i++) {
    const v = load<f32>(f(x, i));
    store<f32>(f(x, i), v > c ? c : v < -c ? -c : v);
  }
}
