// The page's engine, in a Web Worker so the page never freezes: load a checkpoint, sample from it (streamed
// in small batches), trace a text through it for the cell view, or train a new model with runTraining.
// All of it is the library itself (src/), on the kernels loadKernelsBrowser picks.

import {
  Corpus, Trainer, generate, decodeCheckpoint, defaultTrain, encodeCheckpoint, runTraining, traceText,
  validateModel, validateTrain, type CharLSTM, type SampleOptions, type Kernels, type TrainConfig, type Vocab,
} from "../src/index.js";
import { loadKernelsBrowser } from "../src/kernels/wasm/browser.js";
import { WorkspacePool } from "../src/server/pool.js";
import { openDevice } from "../src/gpu/device.js";
import { GpuEngine } from "../src/gpu/engine.js";
import type { FromWorker, ModelInfo, ToWorker, TrainRequest } from "./messages.js";

let kernelsReady: Promise<Kernels> | null = null;
/** The loaded model; generations and traces borrow workspaces from its pool (the wasm arena never frees). */
let loaded: { model: CharLSTM; vocab: Vocab; pool: WorkspacePool } | null = null;
let trainer: Trainer | null = null;
let stopTraining = false;
/** Checkpoint requests made while training runs, served between steps (runTraining's wantSync/onSynced). */
let training = false;
const checkpointsWanted: number[] = [];
const cancelled = new Set<number>();

function post(m: FromWorker, transfer: Transferable[] = []): void {
  postMessage(m, { transfer });
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * One generation: the library's generation stream (src/generate.ts), whose ~16 ms slices each post one text
 * message; between slices the stream gives the worker's event loop a turn, so a stop message gets in.
 */
async function sample(id: number, opts: SampleOptions & { beam?: number }): Promise<void> {
  if (!loaded) throw new Error("no model is loaded");
  const t0 = performance.now();
  const lease = loaded.pool.borrow();
  let n = 0, logProb: number | undefined;
  try {
    const events = generate(lease.model, loaded.vocab, { ...opts, beam: opts.beam ?? 0 }, { signal: { get aborted() { return cancelled.has(id); } }, sliceMs: 16 });
    for await (const ev of events) {
      if (ev.type === "text") { post({ type: "text", id, text: ev.text }); n += [...ev.text].length; }
      else if (ev.type === "result") logProb = ev.logProb;
    }
  } finally {
    lease.release();
    cancelled.delete(id);
  }
  post({ type: "done", id, length: n, seed: opts.seed, ms: performance.now() - t0, beam: opts.beam || undefined, logProb });
}

async function train(req: TrainRequest, kernels: Kernels): Promise<void> {
  stopTraining = false;
  const config: TrainConfig = {
    ...defaultTrain,
    valFrac: 0.1, testFrac: 0, batch: req.batch, seq: req.seq, lr: req.lr, maxSteps: req.steps, maxTime: req.maxTime ?? 0,
    decay: req.decay ?? "none", lrMin: req.lrMin ?? 0, warmup: req.warmup ?? 0,
    evalEvery: req.evalEvery, sampleEvery: req.sampleEvery, sampleLength: 200, checkpointEvery: 0, seed: req.seed,
  };
  const modelConfig = { layers: req.layers, hidden: req.hidden, dropout: req.dropout ?? 0 };
  validateModel({ ...modelConfig, vocabSize: 1 });
  validateTrain(config);
  const corpus = Corpus.fromText(req.text, { valFrac: config.valFrac, testFrac: config.testFrac });
  trainer?.stepEngine?.dispose();
  trainer = Trainer.create(corpus, modelConfig, config, kernels);
  trainer.evalBatcher();   // a validation split too short for one window fails now, not after training
  const { gpu, notice } = await useGpu(trainer, req.device);
  post({ type: "started", params: trainer.model.numParams, vocab: corpus.vocab.size,
         trainChars: corpus.train.end - corpus.train.start, valChars: corpus.val.end - corpus.val.start, gpu, gpuNotice: notice });
  // steps are reported at most every 50 ms, as the mean bits/char since the last report
  let sum = 0, count = 0, last = 0;
  training = true;
  const report = await runTraining(trainer, {
    shouldStop: () => stopTraining,
    wantSync: () => checkpointsWanted.length > 0,
    onSynced: serveCheckpoints,
    onStep: (r) => {
      if (r.skipped) return;
      sum += r.bpc;
      count++;
      const now = performance.now();
      if (now - last > 50 || r.step === config.maxSteps) {
        post({ type: "step", step: r.step, bpc: sum / count, epoch: r.epoch, charsPerSec: r.charsPerSec, elapsed: r.elapsed });
        sum = 0; count = 0; last = now;
      }
    },
    onEval: (e) => post({ type: "eval", step: e.step, bpc: e.bpc, best: e.best }),
    onSample: (step, text) => post({ type: "trainSample", step, text }),
  }).finally(() => { training = false; });
  serveCheckpoints();
  post({ type: "trainDone", report });
}

/**
 * The WebGPU engine for a run (the worker's navigator.gpu): on a hardware adapter for "auto", on any adapter
 * for "webgpu"; the CPU kernels otherwise. Returns the adapter's name, or why the GPU is not used.
 */
async function useGpu(tr: Trainer, device: TrainRequest["device"]): Promise<{ gpu?: string; notice?: string }> {
  if (device === "cpu") return {};
  const gpuApi = (self.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpuApi) return { notice: "this browser has no WebGPU" };
  let dev: Awaited<ReturnType<typeof openDevice>> | null = null;
  try {
    dev = await openDevice(gpuApi);
    if (device === "auto" && dev.software) {
      dev.destroy();
      return { notice: `${dev.name} is a software adapter, slower than the CPU kernels` };
    }
    tr.useEngine(await GpuEngine.create(dev, tr.model.config, tr.config));
    return { gpu: dev.name };
  } catch (e) {
    dev?.destroy();
    if (device === "webgpu") throw e;
    return { notice: `WebGPU failed: ${errorText(e)}` };
  }
}

function serveCheckpoints(): void {
  for (const id of checkpointsWanted.splice(0)) {
    try {
      checkpoint(id);
    } catch (e) {
      post({ type: "error", scope: "checkpoint", id, message: errorText(e) });
    }
  }
}

function checkpoint(id: number): void {
  const source = trainer ? { model: trainer.model, vocab: trainer.corpus.vocab } : loaded;
  if (!source) throw new Error("there is no model yet");
  const bytes = encodeCheckpoint(source.model, source.vocab, trainer ?? undefined);
  const copy = bytes.slice().buffer as ArrayBuffer;
  post({ type: "checkpoint", id, bytes: copy, step: trainer?.state.step ?? 0 }, [copy]);
}

let init: Extract<ToWorker, { type: "init" }> | null = null;

function kernels(): Promise<Kernels> {
  if (!kernelsReady) {
    const opts = init ?? { wasmUrl: "", threads: 1, backend: "js" as const };
    kernelsReady = loadKernelsBrowser({
      backend: opts.backend, wasmUrl: opts.wasmUrl, threads: opts.threads,
      createWorker: () => new Worker(new URL("./kernel_worker.ts", import.meta.url), { type: "module" }),
    }).then(({ kernels, notice }) => {
      post({ type: "ready", backend: kernels.name, threads: (kernels as { threads?: number }).threads ?? 1, notice });
      return kernels;
    });
  }
  return kernelsReady;
}

addEventListener("message", (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.type) {
    case "init":
      init = m;
      kernels().catch((e) => post({ type: "error", scope: "init", message: errorText(e) }));
      return;
    case "load":
      kernels().then((k) => {
        const ck = decodeCheckpoint(new Uint8Array(m.bytes), k, m.name);
        loaded = { model: ck.model, vocab: ck.vocab, pool: new WorkspacePool(ck.model) };
        const c = ck.model.config;
        const info: ModelInfo = {
          name: m.name, layers: c.layers, hidden: c.hidden, vocab_size: c.vocabSize, vocab: ck.vocab.chars,
          params: ck.model.numParams, step: ck.state?.step ?? (ck.metadata.step ? Number(ck.metadata.step) : null),
          best_val_bpc: ck.metadata.best_val_bpc ? Number(ck.metadata.best_val_bpc) : null,
          history: (ck.state?.history ?? []).map((p) => ({
            step: p.step, seconds: p.seconds ?? null,
            train_bpc: Number.isFinite(p.train) ? p.train / Math.LN2 : null,
            val_bpc: p.val !== undefined && Number.isFinite(p.val) ? p.val / Math.LN2 : null,
          })),
        };
        post({ type: "loaded", info });
      }).catch((e) => post({ type: "error", scope: "load", message: errorText(e) }));
      return;
    case "sample":
      sample(m.id, m.opts).catch((e) => post({ type: "error", scope: "sample", id: m.id, message: errorText(e) }));
      return;
    case "stop":
      cancelled.add(m.id);
      return;
    case "trace":
      try {
        if (!loaded) throw new Error("no model is loaded");
        const lease = loaded.pool.borrow();
        let trace;
        try {
          trace = traceText(lease.model, loaded.vocab, m.text, { unknown: "skip" });
        } finally {
          lease.release();
        }
        const transfer = [trace.ids.buffer, trace.topIds.buffer, trace.topProbs.buffer, trace.bits.buffer,
                          ...trace.c.map((a) => a.buffer), ...trace.h.map((a) => a.buffer)] as ArrayBuffer[];
        post({ type: "trace", id: m.id, trace }, transfer);
      } catch (e) {
        post({ type: "error", scope: "trace", id: m.id, message: errorText(e) });
      }
      return;
    case "train":
      kernels().then((k) => train(m.req, k)).catch((e) => post({ type: "error", scope: "train", message: errorText(e) }));
      return;
    case "stopTrain":
      stopTraining = true;
      return;
    case "checkpoint":
      // during a run on the GPU the tensors come back between steps first (on the CPU too, for one code path)
      if (training) { checkpointsWanted.push(m.id); return; }
      try {
        checkpoint(m.id);
      } catch (e) {
        post({ type: "error", scope: "checkpoint", id: m.id, message: errorText(e) });
      }
      return;
  }
});
