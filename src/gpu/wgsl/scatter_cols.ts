// Backward of the gather: dW_ih[n, x_r] += dA[r, n] for every position r (dW_ih: (4H, V), dA: (R, 4H)).
// One invocation per row n of dW_ih walks r in increasing order, so no two invocations write the same
// element and no float atomics are needed: the sums are in a fixed order.

export const scatterColsWgsl = /* wgsl */ `
struct P { R: u32, G: u32, V: u32, dwOff: u32 }
@group(0) @binding(0) var<storage, read_write> dW: array<f32>;
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<i32>;
@group(0) @binding(3) var<uniform> p: P;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.G) { return; }
  for (var r = 0u; r < p.R; r++) {
    let o = p.dwOff + n * p.V + u32(x[r]);
    dW[o] = dW[o] + d[r * p.G + n];
  }
}
`;
