// Vector math for the pointwise kernels: a Cephes-style expf on f32x4 and the gate nonlinearities built on it.
//
// exp(x) = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; e^r is Cephes' degree-6 polynomial (max relative
// error ≈ 1e-7 over the clamped range). n is rounded by the 1.5·2²³ "magic add": t = x·log2e + 1.5·2²³ has
// n in its low mantissa bits, so bits(t) − bits(1.5·2²³) = n and 2^n = bits((n + 127) << 23).
// The clamp uses pmin/pmax (one minps/maxps each in V8; the IEEE f32x4.min/max lower to long NaN-fixing
// sequences). pmin/pmax keep a NaN operand in the first position, so NaN inputs still give NaN outputs.
//
// The constants live in a 272-byte table in memory (writeMathConstants, called once by the TypeScript side)
// and are loaded from it in the loops: V8 materializes each v128.const as three instructions (movq imm64,
// movq, punpcklqdq) on every use or spills it, which cost ~30% of the LSTM gate pass; a load is one
// instruction that can be folded into the arithmetic.

// byte offsets in the table
// @ts-ignore: decorator
@inline const K_HI: usize = 0;
// @ts-ignore: decorator
@inline const K_LO: usize = 16;
// @ts-ignore: decorator
@inline const K_LOG2E: usize = 32;
// @ts-ignore: decorator
@inline const K_MAGIC: usize = 48;
// @ts-ignore: decorator
@inline const K_LN2HI: usize = 64;
// @ts-ignore: decorator
@inline const K_LN2LO: usize = 80;
// @ts-ignore: decorator
@inline const K_P0: usize = 96;
// @ts-ignore: decorator
@inline const K_P1: usize = 112;
// @ts-ignore: decorator
@inline const K_P2: usize = 128;
// @ts-ignore: decorator
@inline const K_P3: usize = 144;
// @ts-ignore: decorator
@inline const K_P4: usize = 160;
// @ts-ignore: decorator
@inline const K_P5: usize = 176;
// @ts-ignore: decorator
@inline export const K_ONE: usize = 192;
// @ts-ignore: decorator
@inline const K_BIAS: usize = 208;
// @ts-ignore: decorator
@inline export const K_NEG1: usize = 224;
// @ts-ignore: decorator
@inline const K_NEG2: usize = 240;
// @ts-ignore: decorator
@inline const K_TWO: usize = 256;

/** Bytes of the constants table. */
export function mathConstantsBytes(): i32 { return 272; }

/** Writes the constants table at k (16-byte aligned, mathConstantsBytes() long). */
export function writeMathConstants(k: usize): void {
  v128.store(k, f32x4.splat(88.3762626647949), K_HI);       // ln(FLT_MAX)
  v128.store(k, f32x4.splat(-87.33654475), K_LO);           // ln(2^-126): keeps 2^n a normal number
  v128.store(k, f32x4.splat(1.44269504088896341), K_LOG2E);
  v128.store(k, f32x4.splat(12582912.0), K_MAGIC);          // 1.5 · 2^23
  v128.store(k, f32x4.splat(0.693359375), K_LN2HI);         // ln 2 = LN2HI + LN2LO
  v128.store(k, f32x4.splat(-2.12194440e-4), K_LN2LO);
  v128.store(k, f32x4.splat(1.9875691500e-4), K_P0);        // Cephes expf polynomial
  v128.store(k, f32x4.splat(1.3981999507e-3), K_P1);
  v128.store(k, f32x4.splat(8.3334519073e-3), K_P2);
  v128.store(k, f32x4.splat(4.1665795894e-2), K_P3);
  v128.store(k, f32x4.splat(1.6666665459e-1), K_P4);
  v128.store(k, f32x4.splat(5.0000001201e-1), K_P5);
  v128.store(k, f32x4.splat(1.0), K_ONE);
  v128.store(k, i32x4.splat(0x4B400000 - 127), K_BIAS);    // bits(1.5·2^23) − exponent bias
  v128.store(k, f32x4.splat(-1.0), K_NEG1);
  v128.store(k, f32x4.splat(-2.0), K_NEG2);
  v128.store(k, f32x4.splat(2.0), K_TWO);
}

/** e^x on four lanes; k: the constants table. */
// @ts-ignore: decorator
@inline
export function vexp(x: v128, k: usize): v128 {
  x = f32x4.pmin(x, v128.load(k, K_HI));
  x = f32x4.pmax(x, v128.load(k, K_LO));
  const t = f32x4.add(f32x4.mul(x, v128.load(k, K_LOG2E)), v128.load(k, K_MAGIC));
  const n = f32x4.sub(t, v128.load(k, K_MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, v128.load(k, K_LN2HI)));
  r = f32x4.sub(r, f32x4.mul(n, v128.load(k, K_LN2LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(v128.load(k, K_P0), r), v128.load(k, K_P1));
  p = f32x4.add(f32x4.mul(p, r), v128.load(k, K_P2));
  p = f32x4.add(f32x4.mul(p, r), v128.load(k, K_P3));
  p = f32x4.add(f32x4.mul(p, r), v128.load(k, K_P4));
  p = f32x4.add(f32x4.mul(p, r), v128.load(k, K_P5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), v128.load(k, K_ONE));
  // 2^n = bits((n + 127) << 23), n = bits(t) − bits(1.5·2^23)
  const pow2 = i32x4.shl(i32x4.sub(t, v128.load(k, K_BIAS)), 23);
  return f32x4.mul(p, pow2);
}

/** σ(x) = 1 / (1 + e^−x). */
// @ts-ignore: decorator
@inline
export function vsigmoid(x: v128, k: usize): v128 {
  const one = v128.load(k, K_ONE);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.mul(x, v128.load(k, K_NEG1)), k)));
}

/** tanh(x) = 2σ(2x) − 1 = 2 / (1 + e^−2x) − 1 (absolute error ≈ 1e-7 near 0, where the subtraction cancels). */
// @ts-ignore: decorator
@inline
export function vtanh(x: v128, k: usize): v128 {
  const one = v128.load(k, K_ONE);
  const e = vexp(f32x4.mul(x, v128.load(k, K_NEG2)), k);
  return f32x4.sub(f32x4.div(v128.load(k, K_TWO), f32x4.add(one, e)), one);
}

/**
 * Natural log in f64 without lookup tables (AssemblyScript's Math.log carries a 4 KiB table as an active data
 * segment, which every worker's instantiation would rewrite in the shared memory). x = m·2^e with
 * m ∈ [√½, √2); log m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172, summed to s^23 (error < 1e-17).
 * Used once per softmax row. NaN → NaN, +Inf → +Inf, 0 → −Inf, negative → NaN.
 */
export function dlog(x: f64): f64 {
  if (!(x > 0) || x == Infinity) {
    if (x == 0) return -Infinity;
    return x == Infinity ? x : NaN;
  }
  let bits = reinterpret<u64>(x);
  let e: i32 = <i32>((bits >> 52) & 0x7FF);
  if (e == 0) {                         // subnormal: scale into the normal range
    x *= 18014398509481984.0;           // 2^54
    bits = reinterpret<u64>(x);
    e = <i32>((bits >> 52) & 0x7FF) - 54;
  }
  e -= 1023;
  let m = reinterpret<f64>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000);   // [1, 2)
  if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  let p: f64 = 1.0 / 23.0;
  p = p * z + 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  p = p * z + 1.0;
  return <f64>e * 0.6931471805599453 + 2 * s * p;
}
