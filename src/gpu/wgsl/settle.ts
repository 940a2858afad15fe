// The end of a step on the device: the non-finite-step rules and the carried state.
//
// settle (one invocation), after the update: as the CPU Trainer does with TrainState,
//   bad step:  badSteps += 1, and from the second in a row lrScale ×= ½
//   good step: badSteps = 0, t += 1
// carry (per layer, over B·H): the state for the next window, slot 0 of h and c ←
//   zero   after a bad step (its state may be poisoned) or at the end of an epoch (reset, from the host)
//   slot T otherwise (truncated BPTT carries (h, c) across windows)

import { ctlStruct } from "./common.js";

export const settleWgsl = /* wgsl */ `
${ctlStruct}
@group(0) @binding(0) var<storage, read_write> ctl: Ctl;

@compute @workgroup_size(1)
fn main() {
  let bad = ctl.lossBad != 0u || ctl.normBad != 0u;
  if (bad) {
    ctl.badSteps = ctl.badSteps + 1u;
    if (ctl.badSteps >= 2u) { ctl.lrScale = ctl.lrScale * 0.5; }
    ctl.bad = 1u;
  } else {
    ctl.badSteps = 0u;
    ctl.t = ctl.t + 1.0;
    ctl.bad = 0u;
  }
}
`;

export const carryWgsl = /* wgsl */ `
${ctlStruct}
struct P { S: u32, T: u32 }
struct StepU { lr: f32, reset: u32 }
@group(0) @binding(0) var<storage, read_write> h: array<f32>;
@group(0) @binding(1) var<storage, read_write> c: array<f32>;
@group(0) @binding(2) var<storage, read> ctl: Ctl;
@group(0) @binding(3) var<uniform> p: P;
@group(0) @binding(4) var<uniform> step: StepU;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.S) { return; }
  if (ctl.bad != 0u || step.reset != 0u) {
    h[i] = 0.0; c[i] = 0.0;
  } else {
    h[i] = h[p.T * p.S + i]; c[i] = c[p.T * p.S + i];
  }
}
`;
