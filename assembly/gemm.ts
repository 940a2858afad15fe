// Single-precision gemm: BLIS-style packing around one 2×16 f32x4 micro-kernel, plus a gemv for one-row A.
//
// C (M, N) = beta·C + op(A) (M, K) · op(B) (K, N), every matrix row-major with an explicit leading dimension
// (elements between rows), so a thread's share of a problem is the same call on offset pointers.
// Transposes are handled only by the packers, which read through (row, column) strides; the micro-kernel
// always sees A as 2-row k-major panels and B as 16-column k-major panels.
//
// Numerics, relied on for bit-identical results whatever the thread split: every C element is computed as
//   for each K block (its bounds depend on K only): acc = 0; for k in the block: acc = acc + a·b (f32 mul, then
//   f32 add, no fused multiply-add); C = acc for the first block when beta = 0, else C = C + acc.
// Zero padding of edge panels only feeds lanes that are never stored, so the tile an element falls in, and thus
// where the problem was split, changes nothing.
//
// Measured on the target machine (see shared/KERNELS.md): 2×16 keeps the 8 accumulators + 2 A splats + 4 B
// loads inside V8's 15 usable xmm registers; a rolled k-loop beats an unrolled one; KC=128, MC=64, NC=1024.

// @ts-ignore: decorator
@inline export const MR: i32 = 2;
// @ts-ignore: decorator
@inline export const NR: i32 = 16;
// @ts-ignore: decorator
@inline export const KC: i32 = 128;
// @ts-ignore: decorator
@inline export const MC: i32 = 64;
// @ts-ignore: decorator
@inline export const NC: i32 = 1024;

// Per-thread scratch: packed A block, packed B block, one edge tile.
// @ts-ignore: decorator
@inline export const AP_BYTES: usize = <usize>(MC * KC * 4);
// @ts-ignore: decorator
@inline export const BP_BYTES: usize = <usize>(KC * NC * 4);
// @ts-ignore: decorator
@inline const TILE_BYTES: usize = <usize>(MR * NR * 4);

/** Bytes of scratch one thread needs for gemm (the TypeScript side allocates one region per thread). */
export function gemmScratchBytes(): i32 {
  return <i32>(AP_BYTES + BP_BYTES + TILE_BYTES);
}

// @ts-ignore: decorator
@inline export function imin(a: i32, b: i32): i32 { return a < b ? a : b; }

/**
 * The 2×16 micro-kernel: c[0..2, 0..16] (=|+=) Σ_k pa[k] ⊗ pb[k] over kc steps.
 * pa: kc pairs (a0k, a1k); pb: kc rows of 16; c: row stride ldcB bytes.
 */
function kernel2x16(kc: i32, pa: usize, pb: usize, c: usize, ldcB: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa, 4);
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c02 = f32x4.add(c02, f32x4.mul(a0, b2));
    c03 = f32x4.add(c03, f32x4.mul(a0, b3));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c12 = f32x4.add(c12, f32x4.mul(a1, b2));
    c13 = f32x4.add(c13, f32x4.mul(a1, b3));
    pa += 8;
    pb += 64;
  }
  const c1 = c + ldcB;
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02);
    c03 = f32x4.add(v128.load(c, 48), c03);
    c10 = f32x4.add(v128.load(c1), c10);
    c11 = f32x4.add(v128.load(c1, 16), c11);
    c12 = f32x4.add(v128.load(c1, 32), c12);
    c13 = f32x4.add(v128.load(c1, 48), c13);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c, c03, 48);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c1, c12, 32);
  v128.store(c1, c13, 48);
}

/** Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into 2-row panels (k-major pairs), zero-padding a last odd row. */
export function packA(transA: bool, A: usize, lda: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  const ldaB = <usize>lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = imin(MR, mc - ir);
    let d = dst + (<usize>(ir * kc) << 2);
    if (!transA) {
      // A stored (M, K): row i is contiguous along k.
      const r0 = A + (<usize>(i0 + ir) * ldaB) + (<usize>p0 << 2);
      if (rows == 2) {
        const r1 = r0 + ldaB;
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const x = v128.load(r0 + (<usize>k << 2));
          const y = v128.load(r1 + (<usize>k << 2));
          v128.store(d, v128.shuffle<f32>(x, y, 0, 4, 1, 5));
          v128.store(d, v128.shuffle<f32>(x, y, 2, 6, 3, 7), 16);
          d += 32;
        }
        for (; k < kc; k++) {
          store<f32>(d, load<f32>(r0 + (<usize>k << 2)));
          store<f32>(d, load<f32>(r1 + (<usize>k << 2)), 4);
          d += 8;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(r0 + (<usize>k << 2)));
          store<f32>(d, 0, 4);
          d += 8;
        }
      }
    } else {
      // A stored (K, M): the pair (i, i+1) at one k is contiguous.
      let p = A + (<usize>p0 * ldaB) + (<usize>(i0 + ir) << 2);
      if (rows == 2) {
        for (let k = 0; k < kc; k++) {
          store<u64>(d, load<u64>(p));
          p += ldaB;
          d += 8;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          store<f32>(d, load<f32>(p));
          store<f32>(d, 0, 4);
          p += ldaB;
          d += 8;
        }
      }
    }
  }
}

/** Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into 16-column panels (k-major rows of 16), zero-padding the last. */
function packB(transB: bool, B: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  const ldbB = <usize>ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = imin(NR, nc - jr);
    let d = dst + (<usize>(jr * kc) << 2);
    if (!transB) {
      // B stored (K, N): row k is contiguous along j.
      let s = B + (<usize>p0 * ldbB) + (<usize>(j0 + jr) << 2);
      if (cols == NR) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          v128.store(d, v128.load(s, 32), 32);
          v128.store(d, v128.load(s, 48), 48);
          s += ldbB;
          d += 64;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          let jj = 0;
          for (; jj < cols; jj++) store<f32>(d + (<usize>jj << 2), load<f32>(s + (<usize>jj << 2)));
          for (; jj < NR; jj++) store<f32>(d + (<usize>jj << 2), 0);
          s += ldbB;
          d += 64;
        }
      }
    } else {
      // B stored (N, K): column j of op(B) is row j of storage; transpose 4×4 blocks through registers.
      const s = B + (<usize>(j0 + jr) * ldbB) + (<usize>p0 << 2);
      if (cols == NR) {
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const dk = d + (<usize>k << 6);
          for (let jq = 0; jq < 4; jq++) {
            const r = s + (<usize>(jq * 4) * ldbB) + (<usize>k << 2);
            const r0 = v128.load(r);
            const r1 = v128.load(r + ldbB);
            const r2 = v128.load(r + 2 * ldbB);
            const r3 = v128.load(r + 3 * ldbB);
            const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
            const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
            const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
            const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
            const o = dk + (<usize>jq << 4);
            v128.store(o, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
            v128.store(o, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 64);
            v128.store(o, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 128);
            v128.store(o, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 192);
          }
        }
        for (; k < kc; k++) {
          const dk = d + (<usize>k << 6);
          for (let jj = 0; jj < NR; jj++) {
            store<f32>(dk + (<usize>jj << 2), load<f32>(s + (<usize>jj * ldbB) + (<usize>k << 2)));
          }
        }
      } else {
        for (let k = 0; k < kc; k++) {
          const dk = d + (<usize>k << 6);
          let jj = 0;
          for (; jj < cols; jj++) store<f32>(dk + (<usize>jj << 2), load<f32>(s + (<usize>jj * ldbB) + (<usize>k << 2)));
          for (; jj < NR; jj++) store<f32>(dk + (<usize>jj << 2), 0);
        }
      }
    }
  }
}

/** C rows [0, M) × cols [0, N) = 0 (beta = 0 with K = 0). */
function zeroC(M: i32, N: i32, C: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) memory.fill(C + (<usize>(i * ldc) << 2), 0, <usize>N << 2);
}

/** Size of the K blocks: as close to KC as possible with equal blocks; depends on K only (see header). */
// @ts-ignore: decorator
@inline export function kBlock(K: i32): i32 {
  const nb = (K + KC - 1) / KC;
  return (K + nb - 1) / nb;
}

/**
 * The panel loops: C[0..mc, 0..nc] (=|+=) the packed A block at ap (mc/2 panels of kc pairs) · the packed B
 * block at bp (nc/16 panels of kc×16, panel jr at bp + jr·kc floats). Edge tiles go through `tile`.
 */
// @ts-ignore: decorator
@inline export function panels(mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, C: usize, ldcB: usize, acc: bool,
                               tile: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = imin(NR, nc - jr);
    const pb = bp + (<usize>(jr * kc) << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = imin(MR, mc - ir);
      const pa = ap + (<usize>(ir * kc) << 2);
      const c = C + <usize>ir * ldcB + (<usize>jr << 2);
      if (mr == MR && nr == NR) {
        kernel2x16(kc, pa, pb, c, ldcB, acc);
      } else {
        kernel2x16(kc, pa, pb, tile, <usize>(NR << 2), false);
        for (let i = 0; i < mr; i++) {
          const ci = c + <usize>i * ldcB;
          const ti = tile + (<usize>(i * NR) << 2);
          if (acc) {
            for (let j = 0; j < nr; j++) {
              const o = <usize>j << 2;
              store<f32>(ci + o, load<f32>(ci + o) + load<f32>(ti + o));
            }
          } else {
            for (let j = 0; j < nr; j++) {
              const o = <usize>j << 2;
              store<f32>(ci + o, load<f32>(ti + o));
            }
          }
        }
      }
    }
  }
}

/**
 * The macro-kernel: C[0..M, 0..nc] (=|+=) op(A)[0..M, pc..pc+kc] · (the packed B block at bp), A packed here
 * MC rows at a time.
 */
// @ts-ignore: decorator
@inline function macro(transA: i32, M: i32, nc: i32, A: usize, lda: i32, pc: i32, kc: i32, bp: usize,
                       C: usize, ldcB: usize, acc: bool, ap: usize, tile: usize): void {
  for (let ic = 0; ic < M; ic += MC) {
    const mc = imin(MC, M - ic);
    packA(transA != 0, A, lda, ic, mc, pc, kc, ap);
    panels(mc, nc, kc, ap, bp, C + <usize>ic * ldcB, ldcB, acc, tile);
  }
}

/**
 * The blocked gemm on one thread. transA/transB: 0 or 1; lda/ldb/ldc in elements; beta 0 or 1.
 * scratch: gemmScratchBytes() bytes owned by the calling thread.
 */
export function gemm(transA: i32, transB: i32, M: i32, N: i32, K: i32,
                     A: usize, lda: i32, B: usize, ldb: i32, C: usize, ldc: i32,
                     beta: i32, scratch: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (beta == 0) zeroC(M, N, C, ldc);
    return;
  }
  const ap = scratch;
  const bp = scratch + AP_BYTES;
  const tile = bp + BP_BYTES;
  const ldcB = <usize>ldc << 2;
  const kb = kBlock(K);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = imin(NC, N - jc);
    for (let pc = 0; pc < K; pc += kb) {
      const kc = imin(kb, K - pc);
      packB(transB != 0, B, ldb, pc, kc, jc, nc, bp);
      macro(transA, M, nc, A, lda, pc, kc, bp, C + (<usize>jc << 2), ldcB, beta != 0 || pc > 0, ap, tile);
    }
  }
}

// ---- pre-packed B ----
// A weight matrix used against many left operands (the recurrent W_hh, once per time step) is packed once:
// the whole op(B) (K, N) as K blocks of kBlock(K) rows (the same blocks gemm uses), block [pc, pc+kc) at
// float offset pc·N16 (N16 = N rounded up to 16), holding N16/16 panels of kc×16, the panel of columns
// [j, j+16) at + j·kc. gemmPacked then runs exactly gemm's operations, so its results are bit-identical.

/** Floats of a packed (K, N) matrix. */
export function packedFloats(K: i32, N: i32): i32 {
  return K * ((N + NR - 1) / NR * NR);
}

/** Packs op(B) (K, N) whole into dst (packedFloats(K, N) floats). */
export function packMatrix(transB: i32, K: i32, N: i32, B: usize, ldb: i32, dst: usize): void {
  if (K <= 0 || N <= 0) return;
  const N16 = (N + NR - 1) / NR * NR;
  const kb = kBlock(K);
  for (let pc = 0; pc < K; pc += kb) {
    packB(transB != 0, B, ldb, pc, imin(kb, K - pc), 0, N, dst + (<usize>(pc * N16) << 2));
  }
}

/**
 * C (M, N) = beta·C + op(A) (M, K) · columns [j0, j0+N) of a packed op(B) (K, N16 columns; j0 a multiple
 * of 16). C points at the first of those columns. Same operations as gemm, so the same bits.
 */
export function gemmPacked(transA: i32, M: i32, N: i32, K: i32, A: usize, lda: i32,
                           Bp: usize, N16: i32, j0: i32, C: usize, ldc: i32, beta: i32, scratch: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (beta == 0) zeroC(M, N, C, ldc);
    return;
  }
  const ap = scratch;
  const tile = scratch + AP_BYTES + BP_BYTES;
  const ldcB = <usize>ldc << 2;
  const kb = kBlock(K);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = imin(NC, N - jc);
    for (let pc = 0; pc < K; pc += kb) {
      const kc = imin(kb, K - pc);
      const bp = Bp + (<usize>(pc * N16 + (j0 + jc) * kc) << 2);
      macro(transA, M, nc, A, lda, pc, kc, bp, C + (<usize>jc << 2), ldcB, beta != 0 || pc > 0, ap, tile);
    }
  }
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
         (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** One element of a·B^T: dot of a (K) with row b (K), in the fixed order used by gemv's 4-row blocks. */
// @ts-ignore: decorator
@inline function dotRow(K: i32, a: usize, b: usize): f32 {
  let acc = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    const o = <usize>k << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  let s = hsum(acc);
  for (; k < K; k++) {
    const o = <usize>k << 2;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

/**
 * C (1, N) = beta·C + a (1, K) · op(B): the one-row case (batch-1 sampling), streaming B once without packing.
 * a is K contiguous elements (A (1, K) or (K, 1) alike). Each C element's order of operations depends only on
 * K, never on where the columns were split between threads.
 */
export function gemv(transB: i32, N: i32, K: i32, a: usize, B: usize, ldb: i32, C: usize, beta: i32): void {
  if (N <= 0) return;
  if (K <= 0) {
    if (beta == 0) memory.fill(C, 0, <usize>N << 2);
    return;
  }
  const ldbB = <usize>ldb << 2;
  if (transB == 0) {
    // C[j] = Σ_k a[k]·B[k, j]: 32 columns in 8 registers over all k, then 4, then 1.
    let j = 0;
    for (; j + 32 <= N; j += 32) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
      let p = B + (<usize>j << 2);
      let pa = a;
      for (let k = 0; k < K; k++) {
        const x = v128.load32_splat(pa);
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(p)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(p, 16)));
        s2 = f32x4.add(s2, f32x4.mul(x, v128.load(p, 32)));
        s3 = f32x4.add(s3, f32x4.mul(x, v128.load(p, 48)));
        s4 = f32x4.add(s4, f32x4.mul(x, v128.load(p, 64)));
        s5 = f32x4.add(s5, f32x4.mul(x, v128.load(p, 80)));
        s6 = f32x4.add(s6, f32x4.mul(x, v128.load(p, 96)));
        s7 = f32x4.add(s7, f32x4.mul(x, v128.load(p, 112)));
        p += ldbB;
        pa += 4;
      }
      const c = C + (<usize>j << 2);
      if (beta != 0) {
        s0 = f32x4.add(v128.load(c), s0);
        s1 = f32x4.add(v128.load(c, 16), s1);
        s2 = f32x4.add(v128.load(c, 32), s2);
        s3 = f32x4.add(v128.load(c, 48), s3);
        s4 = f32x4.add(v128.load(c, 64), s4);
        s5 = f32x4.add(v128.load(c, 80), s5);
        s6 = f32x4.add(v128.load(c, 96), s6);
        s7 = f32x4.add(v128.load(c, 112), s7);
      }
      v128.store(c, s0);
      v128.store(c, s1, 16);
      v128.store(c, s2, 32);
      v128.store(c, s3, 48);
      v128.store(c, s4, 64);
      v128.store(c, s5, 80);
      v128.store(c, s6, 96);
      v128.store(c, s7, 112);
    }
    for (; j + 4 <= N; j += 4) {
      let s0 = f32x4.splat(0);
      let p = B + (<usize>j << 2);
      let pa = a;
      for (let k = 0; k < K; k++) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(pa), v128.load(p)));
        p += ldbB;
        pa += 4;
      }
      const c = C + (<usize>j << 2);
      if (beta != 0) s0 = f32x4.add(v128.load(c), s0);
      v128.store(c, s0);
    }
    for (; j < N; j++) {
      let s: f32 = 0;
      let p = B + (<usize>j << 2);
      let pa = a;
      for (let k = 0; k < K; k++) {
        s += load<f32>(pa) * load<f32>(p);
        p += ldbB;
        pa += 4;
      }
      const c = C + (<usize>j << 2);
      store<f32>(c, beta != 0 ? load<f32>(c) + s : s);
    }
  } else {
    // C[j] = a · B[j, :]: four rows at a time share the loads of a.
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = B + <usize>j * ldbB;
      const b1 = b0 + ldbB, b2 = b1 + ldbB, b3 = b2 + ldbB;
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const o = <usize>k << 2;
        const x = v128.load(a + o);
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(b0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(b1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(x, v128.load(b2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(x, v128.load(b3 + o)));
      }
      let r0 = hsum(s0), r1 = hsum(s1), r2 = hsum(s2), r3 = hsum(s3);
      for (; k < K; k++) {
        const o = <usize>k << 2;
        const x = load<f32>(a + o);
        r0 += x * load<f32>(b0 + o);
        r1 += x * load<f32>(b1 + o);
        r2 += x * load<f32>(b2 + o);
        r3 += x * load<f32>(b3 + o);
      }
      const c = C + (<usize>j << 2);
      if (beta != 0) {
        r0 = load<f32>(c) + r0;
        r1 = load<f32>(c, 4) + r1;
        r2 = load<f32>(c, 8) + r2;
        r3 = load<f32>(c, 12) + r3;
      }
      store<f32>(c, r0);
      store<f32>(c, r1, 4);
      store<f32>(c, r2, 8);
      store<f32>(c, r3, 12);
    }
    for (; j < N; j++) {
      const s = dotRow(K, a, B + <usize>j * ldbB);
      const c = C + (<usize>j << 2);
      store<f32>(c, beta != 0 ? load<f32>(c) + s : s);
    }
  }
}
