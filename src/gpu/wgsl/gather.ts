// The one-hot first layer's input projection as a gather (never a dense product by a one-hot vector):
//   a[r, n] = (W_ih[n, x_r] + b_ih[n]) + b_hh[n]        a: (R, 4H) gates, W_ih: (4H, V)
// in the CPU order (gatherCols, then addBias twice), so it is bit-identical to the js backend.

export const gatherWgsl = /* wgsl */ `
struct P { R: u32, G: u32, V: u32, wOff: u32, b1Off: u32, b2Off: u32, stride: u32 }
@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<i32>;
@group(0) @binding(2) var<storage, read_write> gates: array<f32>;
@group(0) @binding(3) var<uniform> p: P;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  for (var i = gid.x; i < p.R * p.G; i += p.stride) {
    let r = i / p.G; let n = i % p.G;
    gates[i] = (W[p.wOff + n * p.V + u32(x[r])] + W[p.b1Off + n]) + W[p.b2Off + n];
  }
}
`;
