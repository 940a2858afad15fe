// Fused softmax + cross-entropy (the GPU form of Kernels.softmaxXent), one workgroup of 64 per row:
//   loss_r = log Σ_v e^{z_v − max} − (z_y − max)
//   z ← scale·(softmax(z) − onehot(y))          (scale = 1/R: the gradient of the mean loss)
// The row's max and sum are tree reductions over the 64 invocations in a fixed order. A row with a NaN or
// +Inf logit writes NaN as its loss (tested on the bits: max() may drop a NaN), as the CPU's arithmetic
// gives NaN there; a −Inf logit is a zero probability, as on the CPU. The loss reduction turns a non-finite
// row loss into the step's non-finite flag.

export const softmaxXentWgsl = /* wgsl */ `
struct P { R: u32, V: u32, scale: f32, rowsX: u32 }
@group(0) @binding(0) var<storage, read_write> z: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<i32>;
@group(0) @binding(2) var<storage, read_write> rowLoss: array<f32>;
@group(0) @binding(3) var<uniform> p: P;

var<workgroup> red: array<f32, 64>;
var<workgroup> badw: array<u32, 64>;

// NaN (any sign) or +Inf; −Inf (0xff800000) passes
fn nanOrPosInf(x: f32) -> bool {
  let b = bitcast<u32>(x);
  return ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u) || b == 0x7f800000u;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wg.y * p.rowsX + wg.x;
  if (r >= p.R) { return; }
  let o = r * p.V;
  let yt = u32(y[r]);
  let zy = z[o + yt];
  var mx = -3.4e38;
  var bad = 0u;
  for (var v = lid; v < p.V; v += 64u) {
    let x = z[o + v];
    if (nanOrPosInf(x)) { bad = 1u; }
    mx = max(mx, x);
  }
  red[lid] = mx; badw[lid] = bad;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); badw[lid] = badw[lid] | badw[lid + s]; }
    workgroupBarrier();
  }
  mx = red[0];
  bad = badw[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var v = lid; v < p.V; v += 64u) {
    let e = exp(z[o + v] - mx);
    z[o + v] = e;
    sum = sum + e;
  }
  red[lid] = sum;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  sum = red[0];
  let inv = 1.0 / sum;
  for (var v = lid; v < p.V; v += 64u) {
    var g = z[o + v] * inv * p.scale;
    if (v == yt) { g = g - p.scale; }
    z[o + v] = g;
  }
  if (lid == 0u) {
    var l = log(sum) - (zy - mx);
    if (bad != 0u) { l = bitcast<f32>(0x7fc00000u | (lid & 0u)); }
    rowLoss[r] = l;
  }
}
`;
