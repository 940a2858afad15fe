// Deterministic reductions (no float atomics): the step's mean loss and the gradient's global L2 norm.
//
// loss:   one workgroup of 256; invocation l sums rows l, l+256, … in order, then a tree in workgroup
//         memory; ctl.loss = Σ / R, ctl.lossBad when any row's loss is non-finite.
// norm:   two passes over the flat gradient (spec-table layout, padding zero): pass 1 gives each of W
//         workgroups a fixed contiguous chunk and writes its Σ g² (Inf when the chunk holds a NaN/Inf
//         entry); pass 2, one workgroup, sums the W partials the same way: ctl.norm = √Σ, ctl.normBad.
//         A grid of fixed W and fixed chunks means the same sums in the same order on every run.

import { ctlStruct, nonFinite } from "./common.js";

const tree = /* wgsl */ `
var<workgroup> red: array<f32, 256>;
var<workgroup> badw: array<u32, 256>;
fn reduce256(lid: u32, s: f32, bad: u32) {
  red[lid] = s; badw[lid] = bad;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (lid < k) { red[lid] = red[lid] + red[lid + k]; badw[lid] = badw[lid] | badw[lid + k]; }
    workgroupBarrier();
  }
}
`;

export const lossReduceWgsl = /* wgsl */ `
${ctlStruct}
${nonFinite}
${tree}
struct P { R: u32 }
@group(0) @binding(0) var<storage, read> rowLoss: array<f32>;
@group(0) @binding(1) var<storage, read_write> ctl: Ctl;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  var bad = 0u;
  for (var r = lid; r < p.R; r += 256u) {
    let x = rowLoss[r];
    if (nonFinite(x)) { bad = 1u; }
    s = s + x;
  }
  reduce256(lid, s, bad);
  if (lid == 0u) {
    ctl.loss = red[0] / f32(p.R);
    ctl.lossBad = badw[0];
  }
}
`;

export const sumSquaresWgsl = /* wgsl */ `
${nonFinite}
${tree}
struct P { n: u32, chunk: u32 }
@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let start = wg.x * p.chunk;
  let end = min(p.n, start + p.chunk);
  var s = 0.0;
  var bad = 0u;
  for (var i = start + lid; i < end; i += 256u) {
    let x = g[i];
    if (nonFinite(x)) { bad = 1u; }
    s = s + x * x;
  }
  reduce256(lid, s, bad);
  if (lid == 0u) { partial[wg.x] = select(red[0], bitcast<f32>(0x7f800000u | (lid & 0u)), badw[0] != 0u); }
}
`;

export const normFinalWgsl = /* wgsl */ `
${ctlStruct}
${nonFinite}
${tree}
struct P { W: u32 }
@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> ctl: Ctl;
@group(0) @binding(2) var<uniform> p: P;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  var bad = 0u;
  for (var i = lid; i < p.W; i += 256u) {
    let x = partial[i];
    if (nonFinite(x)) { bad = 1u; }
    s = s + x;
  }
  reduce256(lid, s, bad);
  if (lid == 0u) {
    let norm = sqrt(red[0]);
    ctl.norm = norm;
    ctl.normBad = select(0u, 1u, badw[0] != 0u || nonFinite(norm));
  }
}
`;
