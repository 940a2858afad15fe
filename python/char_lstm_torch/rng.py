"""char-lstm's seeded PRNG (src/rng.ts: xoshiro128** seeded through splitmix32) and its parameter init
(src/params.ts initParams), so a run started here from a seed has exactly the weights `char-lstm train
--seed N` would start from, and the RNG state a checkpoint carries stays meaningful to char-lstm.
"""
import math

import numpy as np

M32 = 0xFFFFFFFF


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Rng:
    def __init__(self, seed=0):
        x = ((int(seed) & M32) ^ (int(seed) // 2 ** 32)) & M32
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & M32
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            s.append(z ^ (z >> 16))
        if not any(s):
            s[0] = 1
        self.s = s

    @classmethod
    def from_state(cls, state):
        if len(state) != 4 or not all(isinstance(w, int) and 0 <= w <= M32 for w in state):
            raise ValueError("invalid RNG state: expected four uint32 words")
        r = cls(0)
        r.s = list(state)
        return r

    def state(self):
        return list(self.s)

    def next_u32(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def next_float(self):
        return (self.next_u32() >> 8) / 16777216


def init_params(specs, hidden, rng, forget_bias=0.0):
    """{name: float32 numpy array}: every tensor U(-1/sqrt(H), 1/sqrt(H)) drawn in spec order from `rng`
    (PyTorch's nn.LSTM and nn.Linear(H, V) init), then `forget_bias` added to the forget-gate slice [H, 2H)
    of every bias_ih when it is not 0 (src/params.ts initParams, bit for bit: the sum is taken in float64
    and rounded to float32 once, as a Float32Array store does)."""
    k = 1 / math.sqrt(hidden)
    lo, span = -k, k - (-k)
    out = {}
    s0, s1, s2, s3 = rng.s
    for name, shape in specs:
        n = 1
        for d in shape:
            n *= d
        vals = [0.0] * n
        for i in range(n):   # xoshiro128** inlined: this loop is the whole cost
            r = (((((s1 * 5) & M32) << 7 | ((s1 * 5) & M32) >> 25) & M32) * 9) & M32
            t = (s1 << 9) & M32
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = ((s3 << 11) | (s3 >> 21)) & M32
            vals[i] = lo + span * ((r >> 8) / 16777216)
        a = np.array(vals, dtype=np.float64).astype(np.float32).reshape(shape)
        if forget_bias != 0 and name.startswith("lstm.bias_ih_"):
            a[hidden:2 * hidden] = (a[hidden:2 * hidden].astype(np.float64) + float(forget_bias)).astype(np.float32)
        out[name] = a
    rng.s = [s0, s1, s2, s3]
    return out
