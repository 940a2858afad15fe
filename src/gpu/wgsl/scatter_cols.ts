// Backward of the gather: dW_ih[n, v] += Σ_{r: x_r = v} dA[r, n] (dW_ih: (4H, V), dA: (R, 4H)).
//
// The host sorts the window's positions by token once per step (a counting sort of x: `order` holds V+1
// offsets, then the R positions grouped by token, each group in increasing r). Invocation (n, v) then adds
// its positions' rows in increasing r straight into dW_ih[n, v]: the very sequence of f32 additions the js
// backend's scatterAddCols makes, so the result is bit-identical to it, with no atomics and no two
// invocations writing one element. Work is spread over 4H·V invocations (by token frequency).

export const scatterColsWgsl = /* wgsl */ `
struct P { G: u32, V: u32, dwOff: u32 }
@group(0) @binding(0) var<storage, read_write> dW: array<f32>;
@group(0) @binding(1) var<storage, read> d: array<f32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<uniform> p: P;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let v = gid.y;
  if (n >= p.G || v >= p.V) { return; }
  let o = p.dwOff + n * p.V + v;
  var s = dW[o];
  for (var k = order[v]; k < order[v + 1u]; k++) { s = s + d[order[p.V + 1u + k] * p.G + n]; }
  dW[o] = s;
}
`;

/**
 * `order` for a window's tokens x (R of them, ids < V): V+1 offsets, then the positions grouped by token in
 * increasing order (a counting sort). `out` must hold V + 1 + R words.
 */
export function tokenOrder(x: Int32Array, V: number, out: Uint32Array): Uint32Array {
  const R = x.length;
  out.fill(0, 0, V + 1);
  for (let r = 0; r < R; r++) out[x[r] + 1]++;
  for (let v = 0; v < V; v++) out[v + 1] += out[v];
  const next = out.slice(0, V);
  for (let r = 0; r < R; r++) out[V + 1 + next[x[r]]++] = r;
  return out;
}
