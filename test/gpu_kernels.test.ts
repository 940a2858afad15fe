// Every WGSL kernel (src/gpu/wgsl) against the js reference backend on awkward shapes (1, 3, 17, 65: not
// multiples of any tile), on SwiftShader. Tolerances: index-exact kernels (gather, scatter in the same
// order, dropout) must agree to the bit; products, sums in another order and transcendental functions
// within 2e-6 (·√K for a K-long sum) relative to the largest magnitude of the result
// (|gpu − js| ≤ tol·(1 + max|js|)), f32 against f32.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gpuSuite, testDevice } from "./gpu_env.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { GpuKit } from "../src/gpu/kit.js";
import * as gk from "../src/gpu/kernels.js";
import type { GpuDevice } from "../src/gpu/device.js";
import { Rng } from "../src/rng.js";
import { Optimizer } from "../src/optim/optimizer.js";
import { clipGradients } from "../src/optim/clip.js";
import { CTL, CTL_WORDS } from "../src/gpu/wgsl/common.js";
import { tokenOrder } from "../src/gpu/wgsl/scatter_cols.js";

const js = jsKernels("f32");
const SIZES = [1, 3, 17, 65];

function rand(n: number, rng: Rng, s = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-s, s);
  return a;
}

function close(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let mx = 0, err = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    mx = Math.max(mx, Math.abs(want[i]));
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= err)) { err = e; at = i; }
  }
  assert.ok(err <= tol * (1 + mx), `${what}: max |gpu − js| ${err} at ${at} (gpu ${got[at]}, js ${want[at]}), bound ${tol * (1 + mx)}`);
}

gpuSuite(import.meta.url, () => {
  let gpu: GpuDevice, kit: GpuKit;
  before(async () => { gpu = await testDevice(); kit = new GpuKit(gpu.device); });
  after(() => { kit?.destroy(); gpu?.destroy(); });

  const up = (a: Float32Array | Int32Array | Uint32Array) => { const b = kit.storage(a.byteLength); kit.write(b, a); return b; };

  test("matmul: every transpose, beta 0 and 1, with biases, on shapes of 1, 3, 17, 65", async () => {
    const rng = new Rng(1);
    for (const [M, N, K] of [[1, 1, 1], [3, 17, 65], [65, 3, 17], [17, 65, 3], [65, 65, 65], [1, 65, 17]]) {
      for (const transA of [false, true]) for (const transB of [false, true]) {
        const beta = (M + N + K + (transA ? 1 : 0)) % 2 as 0 | 1;
        const A = rand(M * K, rng), B = rand(K * N, rng), C = rand(M * N, rng), b1 = rand(N, rng), b2 = rand(N, rng);
        // operands at odd offsets inside bigger buffers, as weights sit inside the flat parameter buffer
        const pad = (a: Float32Array, o: number) => { const x = new Float32Array(a.length + o + 5); x.set(a, o); return x; };
        const Ab = up(pad(A, 3)), Bb = up(pad(B, 7)), Cb = up(pad(C, 1)), biasb = up(pad(new Float32Array([...b1, ...b2]), 2));
        kit.run([gk.matmul(kit, { M, N, K, A: { buf: Ab, off: 3 }, B: { buf: Bb, off: 7 }, C: { buf: Cb, off: 1 }, transA, transB, beta,
                                 bias: { buf: biasb, offs: [2, 2 + N] } })]);
        const want = Float32Array.from(C);
        js.gemm(transA, transB, M, N, K, A, B, want, beta);
        js.addBias(want, b1, M, N);
        js.addBias(want, b2, M, N);
        close((await kit.readF32(Cb)).subarray(1, 1 + M * N), want, 2e-6 * Math.sqrt(K), `matmul ${M}×${N}×${K} tA${+transA} tB${+transB} β${beta}`);
      }
    }
  });

  test("gather (one-hot input + both biases) and its backward scatter are exact", async () => {
    const rng = new Rng(2);
    for (const [R, G, V] of [[1, 4, 1], [3, 12, 17], [65, 68, 3], [17, 260, 65]]) {
      const W = rand(G * V + 2 * G, rng), x = new Int32Array(R).map(() => rng.nextU32() % V);
      const xb = up(x), gates = kit.storage(R * G * 4), Wb = up(W);
      kit.run([gk.gather(kit, Wb, { W: 0, b1: G * V, b2: G * V + G }, xb, gates, R, G, V)]);
      const want = new Float32Array(R * G);
      js.gatherCols(want, W.subarray(0, G * V), x, R, G, V);
      js.addBias(want, W.subarray(G * V, G * V + G), R, G);
      js.addBias(want, W.subarray(G * V + G), R, G);
      assert.deepEqual(await kit.readF32(gates), want, `gather ${R}×${G}×${V}`);
      const d = rand(R * G, rng), dW = rand(G * V, rng), dWb = up(dW);
      kit.run([gk.scatterCols(kit, dWb, 0, up(d), up(tokenOrder(x, V, new Uint32Array(V + 1 + R))), G, V)]);
      js.scatterAddCols(dW, d, x, R, G, V);
      assert.deepEqual(await kit.readF32(dWb), dW, `scatter ${R}×${G}×${V}`);
    }
  });

  test("sumRows (two fixed-order passes) into one and two bias gradients", async () => {
    const rng = new Rng(3);
    for (const [R, N] of [[1, 1], [3, 65], [65, 17], [17, 3], [600, 5]]) {
      const d = rand(R * N + 4, rng), db = rand(2 * N + 8, rng), dbb = up(db);
      kit.run(gk.sumRows(kit, dbb, [1, N + 5], up(d), 4, R, N, kit.storage(gk.sumRowsScratch(R, N) * 4)));
      const w1 = db.slice(1, 1 + N), w2 = db.slice(N + 5, 2 * N + 5);
      js.sumRows(w1, d.subarray(4), R, N);
      js.sumRows(w2, d.subarray(4), R, N);
      const got = await kit.readF32(dbb);
      close(got.slice(1, 1 + N), w1, 2e-6 * Math.sqrt(R), `db_ih R ${R} N ${N}`);
      close(got.slice(N + 5, 2 * N + 5), w2, 2e-6 * Math.sqrt(R), `db_hh R ${R} N ${N}`);
    }
  });

  test("LSTM step forward and backward (recurrent product fused with the cell) match the js step kernels", async () => {
    const rng = new Rng(4);
    for (const [B, H, T] of [[1, 1, 2], [3, 17, 3], [17, 3, 2], [2, 65, 2]]) {
      const G = 4 * H, S = B * H, off = 5;
      const W = rand(off + G * H, rng, 0.5), Whh = W.subarray(off);
      const pre = rand(T * B * G, rng, 2), h = rand((T + 1) * S, rng), c = rand((T + 1) * S, rng, 2);
      const Lb = { gates: up(pre), h: up(h), c: up(c), tanhC: kit.storage(T * S * 4) }, Wb = up(W);
      kit.run(Array.from({ length: T }, (_, t) => gk.lstmForwardStep(kit, Wb, off, Lb, B, H, t)));
      const gates = Float32Array.from(pre), tanhC = new Float32Array(T * S);
      for (let t = 0; t < T; t++) {
        js.lstmStepForward(gates.subarray(t * B * G, (t + 1) * B * G), h.subarray(t * S, (t + 1) * S), Whh, null, c.subarray((t + 1) * S, (t + 2) * S),
                           tanhC.subarray(t * S, (t + 1) * S), h.subarray((t + 1) * S, (t + 2) * S), c.subarray(t * S, (t + 1) * S), B, H);
      }
      const tol = 2e-6 * Math.sqrt(H) * (T + 1);
      close(await kit.readF32(Lb.gates), gates, tol, `gates B${B} H${H}`);
      close(await kit.readF32(Lb.h), h, tol, `h B${B} H${H}`);
      close(await kit.readF32(Lb.c), c, tol, `c B${B} H${H}`);
      close(await kit.readF32(Lb.tanhC), tanhC, tol, `tanhC B${B} H${H}`);
      // backward over the window from the forward's (js) caches
      const dout = rand(T * S, rng), dA = new Float32Array(T * B * G), dc = new Float32Array(S);
      const Lc = { gates: up(gates), h: up(h), c: up(c), tanhC: up(tanhC) }, dAb = kit.storage(dA.byteLength), dcb = up(rand(S, rng));
      kit.run(Array.from({ length: T }, (_, i) => gk.lstmBackwardStep(kit, Wb, off, Lc, dAb, up(dout), dcb, B, H, T, T - 1 - i)));
      const d = Float32Array.from(dout);
      for (let t = T - 1; t >= 0; t--) {
        js.lstmStepBackward(t < T - 1 ? dA.subarray((t + 1) * B * G, (t + 2) * B * G) : null, dA.subarray(t * B * G, (t + 1) * B * G), dc,
                            d.subarray(t * S, (t + 1) * S), gates.subarray(t * B * G, (t + 1) * B * G), c.subarray(t * S, (t + 1) * S),
                            tanhC.subarray(t * S, (t + 1) * S), Whh, null, B, H);
      }
      close(await kit.readF32(dAb), dA, 2e-6 * Math.sqrt(G) * (T + 1), `dA B${B} H${H}`);
      close(await kit.readF32(dcb), dc, 2e-6 * Math.sqrt(G) * (T + 1), `dc B${B} H${H}`);
    }
  });

  test("dropout forward and backward apply the host's mask bits exactly", async () => {
    const rng = new Rng(5), keep = 0.7, scale = Math.fround(1 / keep);
    for (const n of [1, 3, 17, 65]) {
      const h = rand(n + 3, rng), mask = new Float32Array(n), bits = new Uint32Array(2 + Math.ceil(n / 32));
      for (let i = 0; i < n; i++) if (rng.nextFloat() < keep) { mask[i] = scale; bits[2 + (i >>> 5)] |= 1 << (i & 31); }
      const out = kit.storage(n * 4), bb = up(bits);
      kit.run([gk.dropoutForward(kit, up(h), 3, out, bb, 2, n, scale), gk.dropoutBackward(kit, out, bb, 2, n, scale)]);
      const want = new Float32Array(n);
      js.mul(want, h.subarray(3), mask, n);
      js.mul(want, want, mask, n);
      assert.deepEqual(await kit.readF32(out), want, `dropout n ${n}`);
    }
  });

  test("softmax cross-entropy: row losses, the mean (deterministic reduction) and dlogits", async () => {
    const rng = new Rng(6);
    for (const [R, V] of [[1, 1], [3, 65], [65, 17], [17, 3], [300, 5]]) {
      const z = rand(R * V, rng, 4), y = new Int32Array(R).map(() => rng.nextU32() % V);
      const zb = up(z), rows = kit.storage(R * 4), ctl = kit.storage(CTL_WORDS * 4);
      kit.run([gk.softmaxXent(kit, zb, up(y), rows, R, V, Math.fround(1 / R)), gk.lossReduce(kit, rows, ctl, R)]);
      const want = Float32Array.from(z), loss = js.softmaxXent(want, y, R, V, 1 / R) / R;
      close(await kit.readF32(zb), want, 2e-6, `dlogits ${R}×${V}`);
      const c = await kit.readF32(ctl);
      assert.ok(Math.abs(c[CTL.loss] - loss) <= 2e-6 * loss + 1e-7, `loss ${c[CTL.loss]} vs ${loss}`);
      assert.equal(new Uint32Array(c.buffer)[CTL.lossBad], 0);
    }
    // a non-finite logit flags the step
    const z = new Float32Array([0, Infinity, 1, 2]), rows = kit.storage(8), ctl = kit.storage(CTL_WORDS * 4);
    kit.run([gk.softmaxXent(kit, up(z), up(new Int32Array([0, 1])), rows, 2, 2, 0.5), gk.lossReduce(kit, rows, ctl, 2)]);
    assert.equal(new Uint32Array((await kit.readF32(ctl)).buffer)[CTL.lossBad], 1);
  });

  test("global norm (two fixed-order passes), clipping and every optimizer match optim/*.ts", async () => {
    const rng = new Rng(7);
    const hyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, momentum: 0.5 };
    for (const n of [1, 17, 65, 5000]) {
      for (const optimizer of ["adam", "rmsprop", "adagrad", "sgd"] as const) {
        for (const [clipMode, clip] of [["norm", 0.5], ["value", 0.01], ["norm", 0]] as const) {
          const p = rand(n, rng), g = rand(n, rng, 0.05), m = rand(n, rng, 0.01), v = rand(n, rng, 0.01).map(Math.abs);
          const ctlInit = new Float32Array(CTL_WORDS);
          ctlInit[CTL.t] = 3; ctlInit[CTL.lrScale] = 0.5;
          const bufs = { p: up(p), g: up(g), m: up(m), v: up(v), ctl: up(ctlInit), step: kit.uniform([{ f: 0.01 }, 0]) };
          const partial = kit.storage(gk.normPartials(n).W * 4);
          kit.run([...gk.globalNorm(kit, bufs.g, n, partial, bufs.ctl), gk.update(kit, bufs, n, { optimizer, clip, clipMode, ...hyper }), gk.settle(kit, bufs.ctl)]);
          const opt = new Optimizer(optimizer, js, n, hyper);
          opt.t = 3;
          if (opt.m.length) opt.m.set(m);
          if (opt.v.length) opt.v.set(v);
          const gw = Float32Array.from(g), pw = Float32Array.from(p);
          const norm = clipGradients(js, gw, clipMode, clip);
          opt.step(pw, gw, 0.01 * 0.5);
          const what = `${optimizer} clip ${clipMode} ${clip} n ${n}`;
          const c = await kit.readF32(bufs.ctl);
          assert.ok(Math.abs(c[CTL.norm] - norm) <= 1e-6 * norm, `${what}: norm ${c[CTL.norm]} vs ${norm}`);
          assert.equal(c[CTL.t], 4, `${what}: t advances on a good step`);
          close(await kit.readF32(bufs.p), pw, 2e-6, `${what}: params`);
          if (opt.m.length) close(await kit.readF32(bufs.m), opt.m as Float32Array, 2e-6, `${what}: m`);
          if (opt.v.length) close(await kit.readF32(bufs.v), opt.v as Float32Array, 2e-6, `${what}: v`);
        }
      }
    }
  });

  test("a non-finite gradient skips the update and halves lrScale from the second bad step in a row", async () => {
    const n = 40, p = new Float32Array(n).fill(1), g = new Float32Array(n).fill(0.1);
    g[17] = NaN;
    const bufs = { p: up(p), g: up(g), m: kit.storage(n * 4), v: kit.storage(n * 4), ctl: up(Object.assign(new Float32Array(CTL_WORDS), { [CTL.lrScale]: 1 })),
                   step: kit.uniform([{ f: 0.1 }, 0]) };
    const partial = kit.storage(gk.normPartials(n).W * 4);
    const once = [...gk.globalNorm(kit, bufs.g, n, partial, bufs.ctl), gk.update(kit, bufs, n, { optimizer: "adam", clip: 5, clipMode: "norm", beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0 }), gk.settle(kit, bufs.ctl)];
    kit.run(once);
    let c = await kit.readF32(bufs.ctl);
    const u = () => new Uint32Array(c.buffer);
    assert.deepEqual([u()[CTL.normBad], u()[CTL.badSteps], c[CTL.lrScale], c[CTL.t]], [1, 1, 1, 0]);
    kit.run(once);
    c = await kit.readF32(bufs.ctl);
    assert.deepEqual([u()[CTL.badSteps], c[CTL.lrScale], c[CTL.t]], [2, 0.5, 0]);
    assert.deepEqual(await kit.readF32(bufs.p), p, "no update on a bad step");
  });
});
