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
