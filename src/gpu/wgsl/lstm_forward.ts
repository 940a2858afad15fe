// One LSTM time step forward for a whole batch, the recurrent product fused with the cell (the GPU form of
// Kernels.lstmStepForward): one dispatch per time step and layer, because WGSL has no barrier across
// workgroups and step t needs every h_{t-1}.
//
//   a_t (B, 4H) += h_{t-1} (B, H) · W_hhᵀ           (a_t already holds W_ih x_t + b_ih + b_hh)
//   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
//   c_t = f⊙c_{t-1} + i⊙g;   h_t = o⊙tanh(c_t)
//
// Layout as on the CPU (nn/lstm.ts): gates (T, B, 4H) time-major, post-activations written in place;
// h and c (T+1, B, H) with slot 0 the carried state; tanhC (T, B, H).
//
// A workgroup of 16×16 invocations owns 16 hidden units j × 16 batch rows b; each invocation computes the
// four gate pre-activations of its (b, j), so the cell needs no second pass. H is walked in tiles of 16:
// the h_{t-1} tile (16 b × 16 k) and the four W_hh tiles (4 × 16 j × 16 k) are staged in workgroup memory
// (5 KiB). tanh's argument is clamped to ±15 (tanh(15) rounds to 1 in f32; SwiftShader's tanh is NaN from
// |x| ≥ 89).

export const lstmForwardWgsl = /* wgsl */ `
struct P { B: u32, H: u32, t: u32, whhOff: u32 }
@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> gates: array<f32>;
@group(0) @binding(2) var<storage, read_write> h: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> tanhC: array<f32>;
@group(0) @binding(5) var<uniform> p: P;

var<workgroup> hs: array<f32, 256>;    // [16 b][16 k]
var<workgroup> ws: array<f32, 1024>;   // [4 gates][16 j][16 k]

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn tanhc(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let H = p.H; let B = p.B; let S = B * H; let G = 4u * H;
  let j = wg.x * 16u + lid.x;
  let b = wg.y * 16u + lid.y;
  var acc = vec4f(0.0);
  for (var k0 = 0u; k0 < H; k0 += 16u) {
    // h_{t-1}[b', k0 + lid.x] for the workgroup's rows b' = wg.y·16 + lid.y
    let k = k0 + lid.x;
    var hv = 0.0;
    if (b < B && k < H) { hv = h[p.t * S + b * H + k]; }
    hs[lid.y * 16u + lid.x] = hv;
    // W_hh[g·H + j', k0 + lid.x] for the workgroup's units j' = wg.x·16 + lid.y (read along k)
    let jr = wg.x * 16u + lid.y;
    for (var g = 0u; g < 4u; g++) {
      var wv = 0.0;
      if (jr < H && k < H) { wv = W[p.whhOff + (g * H + jr) * H + k]; }
      ws[(g * 16u + lid.y) * 16u + lid.x] = wv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let x = hs[lid.y * 16u + kk];
      acc = acc + x * vec4f(ws[lid.x * 16u + kk], ws[(16u + lid.x) * 16u + kk],
                            ws[(32u + lid.x) * 16u + kk], ws[(48u + lid.x) * 16u + kk]);
    }
    workgroupBarrier();
  }
  if (b >= B || j >= H) { return; }
  let g0 = (p.t * B + b) * G;
  let i = sigmoid(gates[g0 + j] + acc.x);
  let f = sigmoid(gates[g0 + H + j] + acc.y);
  let g = tanhc(gates[g0 + 2u * H + j] + acc.z);
  let o = sigmoid(gates[g0 + 3u * H + j] + acc.w);
  gates[g0 + j] = i; gates[g0 + H + j] = f; gates[g0 + 2u * H + j] = g; gates[g0 + 3u * H + j] = o;
  let s = b * H + j;
  let ct = f * c[p.t * S + s] + i * g;
  c[(p.t + 1u) * S + s] = ct;
  let tc = tanhc(ct);
  tanhC[p.t * S + s] = tc;
  h[(p.t + 1u) * S + s] = o * tc;
}
`;
