// One LSTM time step backward for a whole batch (the GPU form of Kernels.lstmStepBackward), walked from
// t = T−1 down to 0, one dispatch per step and layer:
//
//   dh_t = dout_t + dA_{t+1} (B, 4H) · W_hh (4H, H)        (inverts a_{t+1} += h_t W_hhᵀ; none at t = T−1)
//   h_t = o⊙tanh(c_t)          →  do = dh⊙tanh(c_t);  dc_t += dh⊙o⊙(1 − tanh²(c_t))
//   c_t = f⊙c_{t-1} + i⊙g      →  di = dc⊙g, df = dc⊙c_{t-1}, dg = dc⊙i, dc_{t-1} = dc⊙f
//   gates = σ/tanh(a)          →  dA = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)]
//
// dc (B, H) carries ∂L/∂c from step t+1 to t (zero entering the window's last step: truncated BPTT).
// A workgroup of 16×16 owns 16 units j × 16 rows b; the 4H-long product is walked in tiles of 16 through
// workgroup memory (dA_{t+1} tile 16 b × 16 k, W_hh tile 16 k × 16 j, read along j).

export const lstmBackwardWgsl = /* wgsl */ `
struct P { B: u32, H: u32, t: u32, T: u32, whhOff: u32 }
@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> dA: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> gates: array<f32>;
@group(0) @binding(4) var<storage, read> c: array<f32>;
@group(0) @binding(5) var<storage, read> tanhC: array<f32>;
@group(0) @binding(6) var<storage, read_write> dc: array<f32>;
@group(0) @binding(7) var<uniform> p: P;

var<workgroup> ds: array<f32, 256>;   // [16 b][16 k]
var<workgroup> ws: array<f32, 256>;   // [16 k][16 j]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H; let B = p.B; let S = B * H; let G = 4u * H;
  let j = wg.x * 16u + lid.x;
  let b = wg.y * 16u + lid.y;
  var acc = 0.0;
  if (p.t + 1u < p.T) {
    for (var k0 = 0u; k0 < G; k0 += 16u) {
      var dv = 0.0;
      if (b < B && k0 + lid.x < G) { dv = dA[((p.t + 1u) * B + b) * G + k0 + lid.x]; }
      ds[lid.y * 16u + lid.x] = dv;
      var wv = 0.0;
      if (k0 + lid.y < G && j < H) { wv = W[p.whhOff + (k0 + lid.y) * H + j]; }
      ws[lid.y * 16u + lid.x] = wv;
      workgroupBarrier();
      for (var kk = 0u; kk < 16u; kk++) { acc = acc + ds[lid.y * 16u + kk] * ws[kk * 16u + lid.x]; }
      workgroupBarrier();
    }
  }
  if (b >= B || j >= H) { return; }
  let s = b * H + j;
  let g0 = (p.t * B + b) * G;
  let i = gates[g0 + j]; let f = gates[g0 + H + j]; let g = gates[g0 + 2u * H + j]; let o = gates[g0 + 3u * H + j];
  let tc = tanhC[p.t * S + s];
  let dh = dout[p.t * S + s] + acc;
  var dcIn = 0.0;
  if (p.t + 1u < p.T) { dcIn = dc[s]; }
  let dct = dcIn + dh * o * (1.0 - tc * tc);
  let dO = dh * tc;
  let dI = dct * g; let dF = dct * c[p.t * S + s]; let dG = dct * i;
  dc[s] = dct * f;
  dA[g0 + j] = dI * i * (1.0 - i);
  dA[g0 + H + j] = dF * f * (1.0 - f);
  dA[g0 + 2u * H + j] = dG * (1.0 - g * g);
  dA[g0 + 3u * H + j] = dO * o * (1.0 - o);
}
`;
