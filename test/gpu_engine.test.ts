// The WebGPU engine against the CPU Trainer (js backend, f32), on SwiftShader: one window's loss and every
// gradient within 1e-4 relative; 50 steps with dropout within 1e-3; every optimizer with clipping by norm
// and by value; a resume on the same adapter bit for bit; checkpoints moving GPU → CPU and CPU → GPU; and
// runTraining driving the engine (evaluation and sampling from read-back weights). Small shapes that are
// multiples of no tile (H 17, B 3, T 7): SwiftShader is slow.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gpuSuite, testDevice } from "./gpu_env.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { createKernels } from "../src/kernels/select.js";
import type { Kernels } from "../src/kernels/types.js";
import { Corpus } from "../src/data/corpus.js";
import { defaultTrain, type TrainConfig } from "../src/config.js";
import { Trainer, runTraining, type StepReport } from "../src/train.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/checkpoint.js";
import { restoreTrainer } from "../src/resume.js";
import { GpuEngine } from "../src/gpu/engine.js";
import type { GpuDevice } from "../src/gpu/device.js";
import { readFileSync } from "node:fs";
import { decodeSafetensors } from "../src/safetensors.js";
import { paramSpec } from "../src/params.js";

const js = jsKernels("f32");
const corpus = Corpus.fromText("it was the best of times, it was the worst of times; it was the age of wisdom. ".repeat(40), { valFrac: 0.1, testFrac: 0 });
/** A text of a few windows, so a run crosses an epoch's end within a few steps. */
const small = Corpus.fromText("the sea, the whale; the ship and the deep white sea. ".repeat(4), { valFrac: 0.1, testFrac: 0 });
const shape = { layers: 2, hidden: 17, dropout: 0.25 };
const base: TrainConfig = { ...defaultTrain, batch: 3, seq: 7, lr: 1e-2, maxSteps: 0, maxTime: 0, epochs: 0, evalEvery: 0, checkpointEvery: 0, sampleEvery: 0 };

/** max |a − b| / max |b| over a tensor. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, mx = 0;
  for (let i = 0; i < b.length; i++) { err = Math.max(err, Math.abs(a[i] - b[i])); mx = Math.max(mx, Math.abs(b[i])); }
  return err / Math.max(mx, 1e-30);
}

async function cpuSteps(tr: Trainer, n: number): Promise<StepReport[]> {
  const out: StepReport[] = [];
  for (let i = 0; i < n; i++) out.push(...(await tr.advance()));
  return out;
}

gpuSuite(import.meta.url, () => {
  let gpu: GpuDevice;
  const engines: GpuEngine[] = [];
  before(async () => { gpu = await testDevice(); });
  after(() => { for (const e of engines) e.dispose(true); gpu?.destroy(); });

  const onGpu = (tr: Trainer): GpuEngine => {
    const e = new GpuEngine(gpu, tr.model.config, tr.config);
    engines.push(e);
    tr.useEngine(e);
    return e;
  };
  const gpuSteps = async (tr: Trainer, n: number) => [...(await cpuSteps(tr, n)), ...(await tr.sync())];

  test("one window: the loss and every gradient within 1e-4 of the js engine (dropout on)", async () => {
    const cfg = { ...base, clip: 0 };
    const cpu = Trainer.create(corpus, shape, cfg, js), g = Trainer.create(corpus, shape, cfg, js);
    const engine = onGpu(g);
    const [rc] = await cpuSteps(cpu, 1), [rg] = await gpuSteps(g, 1);
    assert.ok(Math.abs(rg.loss - rc.loss) <= 1e-4 * rc.loss, `loss ${rg.loss} vs ${rc.loss}`);
    assert.ok(Math.abs(rg.gradNorm - rc.gradNorm) <= 1e-4 * rc.gradNorm, `norm ${rg.gradNorm} vs ${rc.gradNorm}`);
    const grads = await engine.readGrads();
    for (const s of cpu.model.specs) {
      const e = relErr(grads.subarray(s.offset, s.offset + s.size), cpu.model.grads.subarray(s.offset, s.offset + s.size));
      assert.ok(e <= 1e-4, `${s.name}: relative error ${e}`);
    }
  });

  test("50 steps with dropout: every loss within 1e-3 of js, and the weights", async () => {
    const cpu = Trainer.create(corpus, shape, base, js), g = Trainer.create(corpus, shape, base, js);
    onGpu(g);
    const rc = await cpuSteps(cpu, 50), rg = await gpuSteps(g, 50);
    assert.equal(rg.length, 50);
    rg.forEach((r, i) => {
      assert.equal(r.step, rc[i].step);
      assert.ok(Math.abs(r.loss - rc[i].loss) <= 1e-3 * rc[i].loss, `step ${r.step}: loss ${r.loss} vs ${rc[i].loss}`);
    });
    assert.ok(rg[49].loss < rg[0].loss - 0.3, `it learns: ${rg[0].loss} → ${rg[49].loss}`);
    assert.ok(relErr(g.model.params, cpu.model.params) <= 1e-3, `params ${relErr(g.model.params, cpu.model.params)}`);
    assert.deepEqual(g.state.rng, cpu.state.rng, "the same RNG stream (dropout masks)");
    assert.equal(g.state.optT, 50);
  });

  test("weight-drop and AdamW weight decay: one window's gradients within 1e-4 of js, 30 steps' losses and weights within 1e-3", async () => {
    // eps 1e-6: a rare character's W_ih column gets gradients near rounding level (v ~ 1e-15), which Adam at
    // eps 1e-8 turns into full lr-sized steps whose sign the rounding decides (f32 sums differ in order here)
    const cfg: TrainConfig = { ...base, clip: 0, weightDrop: 0.3, weightDecay: 0.1, eps: 1e-6 };
    const cpu = Trainer.create(corpus, shape, cfg, js), g = Trainer.create(corpus, shape, cfg, js);
    const engine = onGpu(g);
    const [rc] = await cpuSteps(cpu, 1), [rg] = await gpuSteps(g, 1);
    assert.ok(Math.abs(rg.loss - rc.loss) <= 1e-4 * rc.loss, `loss ${rg.loss} vs ${rc.loss}`);
    const grads = await engine.readGrads();
    for (const s of cpu.model.specs) {
      const e = relErr(grads.subarray(s.offset, s.offset + s.size), cpu.model.grads.subarray(s.offset, s.offset + s.size));
      assert.ok(e <= 1e-4, `${s.name}: relative error ${e}`);
    }
    const more = await cpuSteps(cpu, 29), gmore = await gpuSteps(g, 29);
    gmore.forEach((r, i) => assert.ok(Math.abs(r.loss - more[i].loss) <= 1e-3 * more[i].loss, `step ${r.step}: ${r.loss} vs ${more[i].loss}`));
    assert.ok(relErr(g.model.params, cpu.model.params) <= 1e-3, `params ${relErr(g.model.params, cpu.model.params)}`);
    assert.deepEqual(g.state.rng, cpu.state.rng, "the same RNG stream (weight-drop and dropout masks)");
  });

  test("every optimizer, clipping by norm and by value: losses and weights within 1e-3 of js", async () => {
    for (const optimizer of ["adam", "rmsprop", "adagrad", "sgd"] as const) {
      for (const [clipMode, clip] of [["norm", 0.3], ["value", 0.02]] as const) {
        const cfg: TrainConfig = { ...base, optimizer, clipMode, clip, momentum: 0.9, lr: optimizer === "sgd" ? 0.5 : 1e-2 };
        const cpu = Trainer.create(corpus, { ...shape, dropout: 0 }, cfg, js), g = Trainer.create(corpus, { ...shape, dropout: 0 }, cfg, js);
        onGpu(g);
        const rc = await cpuSteps(cpu, 4), rg = await gpuSteps(g, 4);
        const what = `${optimizer}, clip ${clipMode} ${clip}`;
        rg.forEach((r, i) => assert.ok(Math.abs(r.loss - rc[i].loss) <= 1e-3 * rc[i].loss, `${what} step ${r.step}: ${r.loss} vs ${rc[i].loss}`));
        assert.ok(relErr(g.model.params, cpu.model.params) <= 1e-3, `${what}: params ${relErr(g.model.params, cpu.model.params)}`);
        for (const [k, m] of g.optimizer.moments()) assert.ok(relErr(m, cpu.optimizer.moments().find(([n]) => n === k)![1]) <= 2e-3, `${what}: moment ${k}`);
      }
    }
  });

  test("resume on the same adapter is bit-identical to the uninterrupted run (epoch wrap included)", async () => {
    const cfg = { ...base };
    const straight = Trainer.create(small, shape, cfg, js);
    onGpu(straight);
    const windows = straight.batcher.windows;
    assert.ok(windows >= 3 && windows <= 12, `${windows} windows an epoch`);
    const total = windows + 3, cut = windows - 1;
    const all = await gpuSteps(straight, total);
    const first = Trainer.create(small, shape, cfg, js);
    onGpu(first);
    await gpuSteps(first, cut);
    const ck = decodeCheckpoint(encodeCheckpoint(first.model, small.vocab, first), js);
    const second = restoreTrainer(ck, small, cfg);
    onGpu(second);
    const rest = await gpuSteps(second, total - cut);
    assert.deepEqual(rest.map((r) => r.loss), all.slice(cut).map((r) => r.loss));
    assert.ok(Buffer.from(second.model.params.buffer).equals(Buffer.from(straight.model.params.buffer)), "params bit for bit");
    assert.deepEqual(second.state, straight.state);
    assert.ok(Buffer.from(second.carried().h.buffer).equals(Buffer.from(straight.carried().h.buffer)), "carried h bit for bit");
  });

  test("a GPU checkpoint resumes on the CPU backends, and a CPU checkpoint on the GPU, within 1e-3", async () => {
    const cpuKernels: Kernels[] = [js];
    const sel = await createKernels({ backend: "auto", threads: 1 }).catch(() => null);
    if (sel && sel.kernels.name !== "js") cpuKernels.push(sel.kernels);
    try {
      // GPU for 6 steps → checkpoint → 4 more on the GPU, and 4 more on each CPU backend
      const g = Trainer.create(corpus, shape, base, js);
      onGpu(g);
      await gpuSteps(g, 6);
      const bytes = encodeCheckpoint(g.model, corpus.vocab, g);
      const gCont = await gpuSteps(g, 4);
      for (const k of cpuKernels) {
        const c = restoreTrainer(decodeCheckpoint(bytes, k), corpus, base);
        const cCont = await cpuSteps(c, 4);
        cCont.forEach((r, i) => assert.ok(Math.abs(r.loss - gCont[i].loss) <= 1e-3 * r.loss, `GPU → ${k.name}, step ${r.step}: ${r.loss} vs ${gCont[i].loss}`));
        assert.ok(relErr(c.model.params, g.model.params) <= 1e-3, `GPU → ${k.name}: params`);
        assert.deepEqual(c.state.rng, g.state.rng);
      }
      // js for 6 steps → checkpoint → 4 more on js, and 4 more on the GPU
      const c = Trainer.create(corpus, shape, base, js);
      await cpuSteps(c, 6);
      const cBytes = encodeCheckpoint(c.model, corpus.vocab, c);
      const cCont = await cpuSteps(c, 4);
      const g2 = restoreTrainer(decodeCheckpoint(cBytes, js), corpus, base);
      onGpu(g2);
      const g2Cont = await gpuSteps(g2, 4);
      g2Cont.forEach((r, i) => assert.ok(Math.abs(r.loss - cCont[i].loss) <= 1e-3 * r.loss, `js → GPU, step ${r.step}: ${r.loss} vs ${cCont[i].loss}`));
      assert.ok(relErr(g2.model.params, c.model.params) <= 1e-3, "js → GPU: params");
    } finally {
      sel?.kernels.dispose?.();
    }
  });

  test("non-finite steps: skipped without an update, lr halved from the second, the run stopped at --max-bad-steps, as on the CPU", async () => {
    const cfg: TrainConfig = { ...base, maxBadSteps: 3 };
    const poison = (tr: Trainer) => { tr.model.params[tr.model.specs[4 * shape.layers].offset] = Infinity; };   // head.weight[0]
    const cpu = Trainer.create(corpus, shape, cfg, js), g = Trainer.create(corpus, shape, cfg, js);
    poison(cpu);
    poison(g);
    onGpu(g);
    const rc = await cpuSteps(cpu, 2), rg = await gpuSteps(g, 2);
    // (a −Inf logit is a zero probability on both: a step can have a finite loss and a NaN gradient)
    assert.deepEqual(rg.map((r) => [r.skipped, Number.isFinite(r.loss), r.lr]), rc.map((r) => [r.skipped, Number.isFinite(r.loss), r.lr]));
    assert.deepEqual(rg.map((r) => r.skipped), [true, true]);
    assert.deepEqual([g.state.badSteps, g.state.lrScale, g.state.optT], [cpu.state.badSteps, cpu.state.lrScale, cpu.state.optT]);
    assert.deepEqual([g.state.badSteps, g.state.lrScale, g.state.optT], [2, 0.5, 0]);
    const bad = g.model.params[g.model.specs[4 * shape.layers].offset];
    assert.equal(bad, Infinity, "no update was applied");
    await assert.rejects(async () => { await cpuSteps(g, 1); await g.sync(); }, /non-finite for 3 steps in a row/);
    assert.throws(() => cpu.step(), /non-finite for 3 steps in a row/);
  });

  test("golden vs PyTorch: window 0's loss and gradients, then 5 Adam steps with clipping and carried state", async () => {
    const fx = decodeSafetensors(readFileSync(new URL("../../test/golden/tiny.safetensors", import.meta.url)));
    const meta = fx.metadata, V = +meta.V, H = +meta.H, L = +meta.L, B = +meta.B, T = +meta.T;
    const get = (name: string) => Float32Array.from(fx.tensors.get(name)!.data);
    const model = { vocabSize: V, hidden: H, layers: L, dropout: 0 };
    const { specs, total } = paramSpec(model);
    const params = new Float32Array(total);
    for (const s of specs) params.set(get(s.name), s.offset);
    const engine = new GpuEngine(gpu, model, { ...defaultTrain, batch: B, seq: T, optimizer: "adam", clip: +meta.clip, clipMode: "norm", beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    engines.push(engine);
    const tok = fx.tensors.get("tokens")!, W = tok.shape[1];
    const x = new Int32Array(B * T), y = new Int32Array(B * T), losses: number[] = [];
    const fill = (k: number) => {
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) { x[t * B + b] = tok.data[b * W + k * T + t]; y[t * B + b] = tok.data[b * W + k * T + t + 1]; }
    };
    // window 0 from the fixture's (h0, c0)
    engine.load({ params, moments: new Map(), h: get("h0"), c: get("c0"), optT: 0, lrScale: 1, badSteps: 0 });
    fill(0);
    const first = await engine.submit(x, y, null, 0, false);
    assert.ok(Math.abs(first.loss - get("loss")[0]) <= 1e-5, `loss ${first.loss} vs PyTorch ${get("loss")[0]}`);
    const grads = await engine.readGrads();
    for (const s of specs) {
      const e = relErr(grads.subarray(s.offset, s.offset + s.size), get(`grad.${s.name}`));
      assert.ok(e <= 1e-4, `grad.${s.name}: relative error ${e}`);
    }
    // 5 steps from a zero state
    const zero = new Float32Array(L * B * H);
    engine.load({ params, moments: new Map(), h: zero, c: zero, optT: 0, lrScale: 1, badSteps: 0 });
    for (let k = 0; k < 5; k++) {
      fill(k);
      losses.push((await engine.submit(x, y, null, +meta.lr, false)).loss);
    }
    const want = get("step_losses");
    losses.forEach((l, i) => assert.ok(Math.abs(l - want[i]) <= 1e-4, `step ${i + 1} loss ${l} vs PyTorch ${want[i]}`));
    const final = (await engine.read()).params;
    // Adam moves an entry whose gradient is rounding noise by up to lr either way (golden.test.ts): lr/20
    for (const s of specs) {
      let d = 0;
      const w = get(`final.${s.name}`);
      for (let i = 0; i < s.size; i++) d = Math.max(d, Math.abs(final[s.offset + i] - w[i]));
      assert.ok(d <= +meta.lr / 20, `final.${s.name}: max diff ${d}`);
    }
  });

  test("runTraining drives the engine: step reports in order, evaluation and samples from read-back weights", async () => {
    const cfg: TrainConfig = { ...base, maxSteps: 8, evalEvery: 5, sampleEvery: 6, sampleLength: 20 };
    const run = async (gpuOn: boolean) => {
      const tr = Trainer.create(corpus, shape, cfg, js);
      if (gpuOn) onGpu(tr);
      const steps: number[] = [], evals: number[] = [], samples: string[] = [];
      const done = await runTraining(tr, { onStep: (r) => { steps.push(r.step); }, onEval: (e) => { evals.push(e.loss); }, onSample: (_s, t) => { samples.push(t); } });
      return { done, steps, evals, samples };
    };
    const c = await run(false), g = await run(true);
    assert.deepEqual(g.steps, c.steps);
    assert.equal(g.done.step, 8);
    assert.equal(g.evals.length, c.evals.length);
    g.evals.forEach((e, i) => assert.ok(Math.abs(e - c.evals[i]) <= 1e-3 * e, `eval ${i}: ${e} vs ${c.evals[i]}`));
    assert.equal(g.samples.length, c.samples.length);
    assert.equal(g.samples.length, 1);
    assert.ok(Math.abs(g.done.trainLoss - c.done.trainLoss) <= 1e-3 * c.done.trainLoss);
  });
});
