// A seeded PRNG of our own (xoshiro128**), because Math.random cannot be seeded or saved.
//
// The whole state is four uint32 words; `state()` / `setState()` round-trip it through JSON so a checkpoint
// resumes the exact stream. Seeds go through splitmix32 so that nearby seeds give unrelated streams.

export type RngState = [number, number, number, number];

function splitmix32(x: number): () => number {
  return () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s = new Uint32Array(4);

  constructor(seed: number) {
    const next = splitmix32(seed >>> 0 ^ Math.floor(seed / 2 ** 32));
    for (let i = 0; i < 4; i++) this.s[i] = next();
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error("invalid RNG state: expected four uint32 words");
    }
    this.s.set(state);
  }

  /** Next uint32 (xoshiro128**). */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits (exactly representable in float32). */
  nextFloat(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }

  /**
   * A dropout mask: out[i] = scale when nextFloat() < keep, else 0, for i < n — the same draws, in the same
   * order, as that loop, with the state held in locals (masks take hundreds of thousands of draws a step).
   * nextFloat() < keep ⟺ (u >>> 8) < keep·2²⁴, exactly (both sides scaled by a power of two).
   */
  keepMask(out: Float32Array | Float64Array, n: number, keep: number, scale: number): void {
    const thr = keep * 16777216, st = this.s;
    let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
    for (let i = 0; i < n; i++) {
      // nextU32() on locals (int32 bit patterns; every operation is bitwise or imul, so the bits are the same)
      const u = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0, t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      out[i] = u >>> 8 < thr ? scale : 0;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
  }

  /** The same draws as bits: bit (i & 31) of word base + (i >>> 5) set where element i is kept (those words are overwritten). */
  keepBits(out: Uint32Array, base: number, n: number, keep: number): void {
    const thr = keep * 16777216, st = this.s;
    let s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0, word = 0;
    for (let i = 0; i < n; i++) {
      const u = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0, t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      if (u >>> 8 < thr) word |= 1 << (i & 31);
      if ((i & 31) === 31 || i === n - 1) { out[base + (i >>> 5)] = word; word = 0; }
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextFloat();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Index i with probability probs[i] / Σprobs, given a coin in [0, 1). Falls back to the last index with
 * non-zero probability when rounding leaves the running sum short of the coin (llm.c's sample_mult).
 */
export function sampleMult(probs: ArrayLike<number>, n: number, coin: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += probs[i];
  const target = coin * total;
  let cdf = 0, last = 0;
  for (let i = 0; i < n; i++) {
    if (probs[i] > 0) last = i;
    cdf += probs[i];
    if (target < cdf) return i;
  }
  return last;
}
