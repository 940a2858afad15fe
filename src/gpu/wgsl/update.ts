// Gradient clipping and the optimizer update, fused into one pass over the flat buffers (params, grads and
// moments share the spec-table layout, params.ts), the GPU form of optim/clip.ts + optim/optimizer.ts.
//
// Nothing happens when ctl flags the step non-finite (the CPU Trainer skips such a step). Otherwise, with
// t = ctl.t + 1 and lr = (the schedule's rate, from the host) · ctl.lrScale:
//   clip "norm":  g ← g · c/(‖g‖ + 1e-6) when that is < 1 (torch's clip_grad_norm_);  "value": clamp to ±c
//   adam      [AdamW: p ← p·(1 − lr·wd) first]  m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  p −= lr/bc1 · m / (√v/√bc2 + eps),
//             bc1 = 1 − β1^t, bc2 = 1 − β2^t
//   rmsprop   v = β2 v + (1−β2) g²;  p −= lr g / (√v + eps)
//   adagrad   v += g²;  p −= lr g / (√v + eps)
//   sgd       m = μ m + g;  p −= lr m      (μ = 0: p −= lr g)
// The gradient buffer itself is left unclipped (it is zeroed at the next step anyway).

import { ctlStruct } from "./common.js";

export const OPTIMIZER_CODES = { adam: 0, rmsprop: 1, adagrad: 2, sgd: 3 } as const;

export const updateWgsl = /* wgsl */ `
${ctlStruct}
struct U { n: u32, kind: u32, clipValue: u32, stride: u32, clip: f32, beta1: f32, beta2: f32,
           eps: f32, momentum: f32, wd: f32 }
@group(0) @binding(0) var<storage, read_write> prm: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> ctl: Ctl;
@group(0) @binding(5) var<uniform> u: U;
struct StepU { lr: f32, reset: u32 }
@group(0) @binding(6) var<uniform> step: StepU;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (ctl.lossBad != 0u || ctl.normBad != 0u) { return; }
  let t = ctl.t + 1.0;
  let lr = step.lr * ctl.lrScale;
  var coef = 1.0;
  if (u.clipValue == 0u && u.clip > 0.0) { coef = min(1.0, u.clip / (ctl.norm + 1e-6)); }
  let scaled = coef < 1.0;
  let stepSize = lr / (1.0 - pow(u.beta1, t));
  let sqrtBc2 = sqrt(1.0 - pow(u.beta2, t));
  for (var i = gid.x; i < u.n; i += u.stride) {
    var g = grad[i];
    if (scaled) { g = g * coef; }
    if (u.clipValue != 0u && u.clip > 0.0) { g = clamp(g, -u.clip, u.clip); }
    switch u.kind {
      case 0u: {
        let mi = u.beta1 * m[i] + (1.0 - u.beta1) * g;
        let vi = u.beta2 * v[i] + (1.0 - u.beta2) * g * g;
        m[i] = mi; v[i] = vi;
        var pi = prm[i];
        if (u.wd > 0.0) { pi = pi * (1.0 - lr * u.wd); }
        prm[i] = pi - stepSize * mi / (sqrt(vi) / sqrtBc2 + u.eps);
      }
      case 1u: {
        let vi = u.beta2 * v[i] + (1.0 - u.beta2) * g * g;
        v[i] = vi;
        prm[i] = prm[i] - lr * g / (sqrt(vi) + u.eps);
      }
      case 2u: {
        let vi = v[i] + g * g;
        v[i] = vi;
        prm[i] = prm[i] - lr * g / (sqrt(vi) + u.eps);
      }
      default: {
        if (u.momentum == 0.0) {
          prm[i] = prm[i] - lr * g;
        } else {
          let mi = u.momentum * m[i] + g;
          m[i] = mi;
          prm[i] = prm[i] - lr * mi;
        }
      }
    }
  }
}
`;
