// Optimizers and clipping against their formulas written out by hand (PyTorch's torch.optim).

import { test } from "node:test";
import assert from "node:assert/strict";
import { jsKernels } from "../kernels/js/index.js";
import { Optimizer } from "./optimizer.js";
import { clipGradients } from "./clip.js";

const k = jsKernels("f64");
const hyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, momentum: 0.5 };

function run(kind: "adam" | "rmsprop" | "adagrad" | "sgd", steps: number[][]): number {
  const p = k.alloc(1), g = k.alloc(1);
  p[0] = 1;
  const opt = new Optimizer(kind, k, 1, hyper);
  for (const [gv] of steps) { g[0] = gv; opt.step(p, g, 0.1); }
  return p[0];
}

test("Adam, RMSprop, Adagrad and SGD-momentum follow torch.optim's formulas", () => {
  const gs = [[0.5], [-0.2], [0.3]];
  // Adam
  let p = 1, m = 0, v = 0;
  gs.forEach(([g], i) => {
    m = 0.9 * m + 0.1 * g; v = 0.99 * v + 0.01 * g * g;
    p -= 0.1 * (m / (1 - 0.9 ** (i + 1))) / (Math.sqrt(v / (1 - 0.99 ** (i + 1))) + 1e-8);
  });
  assert.ok(Math.abs(run("adam", gs) - p) < 1e-12);
  // RMSprop (alpha = beta2)
  p = 1; v = 0;
  for (const [g] of gs) { v = 0.99 * v + 0.01 * g * g; p -= 0.1 * g / (Math.sqrt(v) + 1e-8); }
  assert.ok(Math.abs(run("rmsprop", gs) - p) < 1e-12);
  // Adagrad
  p = 1; v = 0;
  for (const [g] of gs) { v += g * g; p -= 0.1 * g / (Math.sqrt(v) + 1e-8); }
  assert.ok(Math.abs(run("adagrad", gs) - p) < 1e-12);
  // SGD with momentum
  p = 1; m = 0;
  for (const [g] of gs) { m = 0.5 * m + g; p -= 0.1 * m; }
  assert.ok(Math.abs(run("sgd", gs) - p) < 1e-12);
});

test("clipping by global norm and by value; non-finite norms are reported, not applied", () => {
  const g = k.alloc(4);
  g.set([3, 4, 0, 0]);
  assert.equal(clipGradients(k, g, "norm", 1), 5);
  assert.ok(Math.abs(Math.hypot(...g) - 1) < 1e-6);
  g.set([3, -4, 0.5, 0]);
  clipGradients(k, g, "value", 1);
  assert.deepEqual(Array.from(g), [1, -1, 0.5, 0]);
  g.set([NaN, 1, 0, 0]);
  assert.ok(Number.isNaN(clipGradients(k, g, "norm", 1)));
});

test("AdamW (weightDecay): p ← p·(1 − lr·λ), then the Adam step, as torch.optim.AdamW; λ = 0 is Adam", () => {
  const gs = [[0.5], [-0.2], [0.3]], lam = 0.3, lr = 0.1;
  let p = 1, m = 0, v = 0;
  gs.forEach(([g], i) => {
    p *= 1 - lr * lam;
    m = 0.9 * m + 0.1 * g; v = 0.99 * v + 0.01 * g * g;
    p -= lr * (m / (1 - 0.9 ** (i + 1))) / (Math.sqrt(v / (1 - 0.99 ** (i + 1))) + 1e-8);
  });
  const q = k.alloc(3), g = k.alloc(3);
  q.set([1, 1, 1]);
  const opt = new Optimizer("adam", k, 3, { ...hyper, weightDecay: lam });
  for (const [gv] of gs) { g.fill(gv); opt.step(q, g, lr); }
  for (const x of q) assert.ok(Math.abs(x - p) < 1e-12, `${x} vs ${p}`);
  assert.ok(Math.abs(run("adam", gs) - p) > 1e-3, "the decay changes the result");
  assert.equal(new Optimizer("adam", k, 1, { ...hyper, weightDecay: 0 }).t, 0);
});

test("AdamW against torch.optim.AdamW (torch 1.13, float64): three steps on three weights", () => {
  // torch.optim.AdamW([p], lr=0.1, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.3), p = [1, -2, 0.5]
  const p = k.alloc(3), g = k.alloc(3);
  p.set([1, -2, 0.5]);
  const opt = new Optimizer("adam", k, 3, { ...hyper, weightDecay: 0.3 });
  for (const gv of [[0.5, 0.1, -0.3], [-0.2, 0.4, 0.0], [0.3, -0.1, 0.2]]) { g.set(gv); opt.step(p, g, 0.1); }
  const torch = [0.7304563678261669, -2.0564205509102895, 0.6232068143676411];
  p.forEach((x, i) => assert.ok(Math.abs(x - torch[i]) < 1e-12, `${i}: ${x} vs ${torch[i]}`));
});
