// Bias gradients: db[n] += Σ_r d[r, n] over all R = T·B positions (d: (R, N)), into one or two gradient
// tensors (an LSTM layer's b_ih and b_hh get the same sum, as on the CPU). One invocation per column,
// rows in increasing order: the same f32 sequence of additions as the js backend's sumRows.

export const sumRowsWgsl = /* wgsl */ `
struct P { R: u32, N: u32, dOff: u32, o1: u32, o2: u32, two: u32 }
@group(0) @binding(0) var<storage, read_write> db: array<f32>;
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.N) { return; }
  var s1 = db[p.o1 + n];
  var s2 = db[p.o2 + n];
  for (var r = 0u; r < p.R; r++) {
    let v = d[p.dOff + r * p.N + n];
    s1 = s1 + v;
    s2 = s2 + v;
  }
  db[p.o1 + n] = s1;
  if (p.two != 0u) { db[p.o2 + n] = s2; }
}
`;
