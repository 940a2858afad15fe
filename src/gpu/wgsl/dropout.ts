// Inverted dropout between LSTM layers (nn.LSTM(dropout=p)), with the CPU Trainer's masks; the same two
// kernels apply weight-drop to W_hh (src = params at W_hh's offset → the layer's W_hh'; backward: dW_hh ⊙= mask
// in the gradient buffer at dxOff).
//
// The masks are drawn on the host from the run's own RNG, exactly as model.ts draws them (one
// rng.nextFloat() < 1 − p per element, layer by layer), so the GPU run sees the CPU's masks bit for bit
// and a resume continues the same stream. They travel as bits (element i of a layer's (T, B, H) block is
// bit i%32 of word i/32 of that layer's words: 1/32 of the floats) and expand here to 0 or 1/(1−p).
//   forward:   dropIn = h ⊙ mask          backward:  dx ⊙= mask

export const dropoutWgsl = /* wgsl */ `
struct P { n: u32, srcOff: u32, wordOff: u32, scale: f32, stride: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> bits: array<u32>;
@group(0) @binding(3) var<uniform> p: P;

fn keep(i: u32) -> f32 {
  return select(0.0, p.scale, ((bits[p.wordOff + i / 32u] >> (i % 32u)) & 1u) != 0u);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  for (var i = gid.x; i < p.n; i += p.stride) { dst[i] = src[p.srcOff + i] * keep(i); }
}
`;

export const dropoutBackWgsl = /* wgsl */ `
struct P { n: u32, dxOff: u32, wordOff: u32, scale: f32, stride: u32 }
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> bits: array<u32>;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  for (var i = gid.x; i < p.n; i += p.stride) {
    let m = select(0.0, p.scale, ((bits[p.wordOff + i / 32u] >> (i % 32u)) & 1u) != 0u);
    dx[p.dxOff + i] = dx[p.dxOff + i] * m;
  }
}
`;
