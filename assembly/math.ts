// Vector math for the pointwise kernels: a Cephes-style expf on f32x4 and the gate nonlinearities built on it.
//
// exp(x) = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; e^r is Cephes' degree-6 polynomial (max relative
// error ≈ 1e-7 over the clamped range). n is rounded by the 1.5·2²³ "magic add": t = x·log2e + 1.5·2²³ has
// n in its low mantissa bits, so bits(t) − bits(1.5·2²³) = n and 2^n = bits((n + 127) << 23).
// The clamp uses pmin/pmax (one minps/maxps each in V8; the IEEE f32x4.min/max lower to long NaN-fixing
// sequences). pmin/pmax keep a NaN operand in the first position, so NaN inputs still give NaN outputs.

// @ts-ignore: decorator
@inline const EXP_HI: f32 = 88.3762626647949;   // ln(FLT_MAX)
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -87.33654475;       // ln(2^-126): keeps 2^n a normal number
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0;          // 1.5 · 2^23
// @ts-ignore: decorator
@inline const MAGIC_BITS: i32 = 0x4B400000;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

// @ts-ignore: decorator
@inline
export function vexp(x: v128): v128 {
  x = f32x4.pmin(x, f32x4.splat(EXP_HI));
  x = f32x4.pmax(x, f32x4.splat(EXP_LO));
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const n = f32x4.sub(t, f32x4.splat(MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(f32x4.splat(1.9875691500e-4), r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  const e = i32x4.sub(t, i32x4.splat(MAGIC_BITS));
  const pow2 = i32x4.shl(i32x4.add(e, i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2);
}

/** σ(x) = 1 / (1 + e^−x). */
// @ts-ignore: decorator
@inline
export function vsigmoid(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

/** tanh(x) = 2σ(2x) − 1 (absolute error ≈ 1e-7 near 0, where the subtraction cancels). */
// @ts-ignore: decorator
@inline
export function vtanh(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const e = vexp(f32x4.mul(x, f32x4.splat(-2.0)));
  return f32x4.sub(f32x4.div(f32x4.splat(2.0), f32x4.add(one, e)), one);
}

/** Scalar forms, via lane 0 of the vector code so tails get exactly the same values as full vectors. */
export function sexp(x: f32): f32 { return f32x4.extract_lane(vexp(f32x4.splat(x)), 0); }
export function ssigmoid(x: f32): f32 { return f32x4.extract_lane(vsigmoid(f32x4.splat(x)), 0); }
export function stanh(x: f32): f32 { return f32x4.extract_lane(vtanh(f32x4.splat(x)), 0); }
