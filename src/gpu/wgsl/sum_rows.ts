// Bias gradients: db[n] += Σ_r d[r, n] over all R = T·B positions (d: (R, N)), into one or two gradient
// tensors (an LSTM layer's b_ih and b_hh get the same sum, as on the CPU).
//
// Two passes, so thousands of rows spread over many workgroups without float atomics:
//   pass 1: invocation (n, chunk) sums rows [chunk·256, chunk·256 + 256) of column n in order → partial
//   pass 2: invocation n adds the chunks' partials to db[n] in chunk order
// A fixed grid and a fixed order: the same sums on every run.

export const ROWS_PER_CHUNK = 256;

export const sumRowsPartialWgsl = /* wgsl */ `
struct P { R: u32, N: u32, dOff: u32 }
@group(0) @binding(0) var<storage, read_write> partial: array<f32>;
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let chunk = gid.y;
  if (n >= p.N) { return; }
  let end = min(p.R, (chunk + 1u) * ${ROWS_PER_CHUNK}u);
  var s = 0.0;
  for (var r = chunk * ${ROWS_PER_CHUNK}u; r < end; r++) { s = s + d[p.dOff + r * p.N + n]; }
  partial[chunk * p.N + n] = s;
}
`;

export const sumRowsWgsl = /* wgsl */ `
struct P { N: u32, chunks: u32, o1: u32, o2: u32, two: u32 }
@group(0) @binding(0) var<storage, read_write> db: array<f32>;
@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.N) { return; }
  var s = 0.0;
  for (var c = 0u; c < p.chunks; c++) { s = s + partial[c * p.N + n]; }
  db[p.o1 + n] = db[p.o1 + n] + s;
  if (p.two != 0u) { db[p.o2 + n] = db[p.o2 + n] + s; }
}
`;
