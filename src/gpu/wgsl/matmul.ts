// Tiled matrix product: C = beta·C + op(A)·op(B) (+ bias1 + bias2 per column), the GPU form of the
// Kernels.gemm contract (kernels/types.ts) with the bias adds of linear/LSTM input projections fused.
//
// A is stored (M, K), or (K, M) when transA; B is stored (K, N), or (N, K) when transB; C is (M, N).
// Every operand is a flat f32 buffer plus an element offset (so weights and gradients are addressed
// inside the one flat parameter/gradient buffer, spec-table layout, params.ts).
//
// Tiling: a workgroup of 16×16 invocations owns a 64×64 block of C; each invocation keeps 4×4
// accumulators for rows ty + 16i and columns tx + 16j (so neighbouring invocations write neighbouring
// columns). K is walked in tiles of 16: the A tile (64×16) and B tile (16×64) are staged in workgroup
// memory (2 × 4 KiB), loaded along whichever axis is contiguous in the stored layout. Each accumulator
// sums k in increasing order: the result is a fixed function of the inputs (no atomics), so a run on one
// adapter is reproducible.

export const matmulWgsl = /* wgsl */ `
struct P { M: u32, N: u32, K: u32, aOff: u32, bOff: u32, cOff: u32, transA: u32, transB: u32,
           beta: u32, nBias: u32, b1Off: u32, b2Off: u32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> Bm: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: P;

var<workgroup> As: array<f32, 1024>;   // [16 k][64 m]
var<workgroup> Bs: array<f32, 1024>;   // [16 k][64 n]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.K; k0 += 16u) {
    for (var e = 0u; e < 4u; e++) {
      let idx = li + e * 256u;
      // A tile element (kk, mm): along k when A is (M, K), along m when stored (K, M)
      var kk = idx % 16u; var mm = idx / 16u;
      if (p.transA != 0u) { kk = idx / 64u; mm = idx % 64u; }
      let m = m0 + mm; let k = k0 + kk;
      var a = 0.0;
      if (m < p.M && k < p.K) {
        if (p.transA != 0u) { a = A[p.aOff + k * p.M + m]; } else { a = A[p.aOff + m * p.K + k]; }
      }
      As[kk * 64u + mm] = a;
      // B tile element (kk, nn): along n when B is (K, N), along k when stored (N, K)
      var bk = idx / 64u; var nn = idx % 64u;
      if (p.transB != 0u) { bk = idx % 16u; nn = idx / 16u; }
      let n = n0 + nn; let kb = k0 + bk;
      var b = 0.0;
      if (n < p.N && kb < p.K) {
        if (p.transB != 0u) { b = Bm[p.bOff + n * p.K + kb]; } else { b = Bm[p.bOff + kb * p.N + n]; }
      }
      Bs[bk * 64u + nn] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { av[i] = As[kk * 64u + lid.y + 16u * i]; bv[i] = Bs[kk * 64u + lid.x + 16u * i]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] = acc[i * 4u + j] + av[i] * bv[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y + 16u * i;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + 16u * j;
      if (n >= p.N) { continue; }
      let o = p.cOff + m * p.N + n;
      var r = acc[i * 4u + j];
      if (p.beta != 0u) { r = C[o] + r; }
      if (p.nBias > 0u) { r = r + bias[p.b1Off + n]; }
      if (p.nBias > 1u) { r = r + bias[p.b2Off + n]; }
      C[o] = r;
    }
  }
}
`;
