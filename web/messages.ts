// The messages between the page (main.ts) and its engine workers (worker.ts). One worker holds the loaded
// model for sampling and tracing; another trains. Both run the library itself, on the wasm kernels where the
// page can (cross-origin isolated, SIMD), else on the js kernels.

import type { DoneReport, SampleOptions, Trace, TrainConfig } from "../src/index.js";

export interface ModelInfo {
  name: string;
  layers: number;
  hidden: number;
  vocab_size: number;
  vocab: string[];
  params: number;
  step: number | null;
  best_val_bpc: number | null;
  /** The run's history in bits/char (as GET /api/history gives it); empty for a checkpoint without one. */
  history: CurvePoint[];
}

export interface CurvePoint { step: number; seconds: number | null; train_bpc: number | null; val_bpc: number | null }

export interface TrainRequest {
  text: string;
  layers: number;
  hidden: number;
  seq: number;
  batch: number;
  lr: number;
  /** Step budget, 0 for none. */
  steps: number;
  /** Time budget in seconds, 0 for none; a cosine/linear decay ends with it. */
  maxTime?: number;
  dropout?: number;
  decay?: TrainConfig["decay"];
  lrMin?: number;
  warmup?: number;
  evalEvery: number;
  sampleEvery: number;
  seed: number;
  /** Where the steps run: a hardware GPU when there is one (auto), WebGPU on any adapter, or the CPU kernels. */
  device: "auto" | "webgpu" | "cpu";
}

export type ToWorker =
  | { type: "init"; wasmUrl: string; threads: number; backend: "auto" | "wasm" | "js" }
  | { type: "load"; bytes: ArrayBuffer; name: string }
  | { type: "sample"; id: number; opts: SampleOptions & { beam?: number } }
  | { type: "stop"; id: number }
  | { type: "trace"; id: number; text: string }
  | { type: "train"; req: TrainRequest }
  | { type: "stopTrain" }
  | { type: "checkpoint"; id: number };

export type FromWorker =
  | { type: "ready"; backend: string; threads: number; notice?: string }
  | { type: "loaded"; info: ModelInfo }
  | { type: "text"; id: number; text: string }
  | { type: "done"; id: number; length: number; seed: number; ms: number; beam?: number; logProb?: number }
  | { type: "trace"; id: number; trace: Trace }
  | { type: "started"; params: number; vocab: number; trainChars: number; valChars: number; gpu?: string; gpuNotice?: string }
  | { type: "step"; step: number; bpc: number; epoch: number; charsPerSec: number; elapsed?: number }
  | { type: "eval"; step: number; bpc: number; best: boolean }
  | { type: "trainSample"; step: number; text: string }
  | { type: "trainDone"; report: DoneReport }
  | { type: "checkpoint"; id: number; bytes: ArrayBuffer; step: number }
  | { type: "error"; scope: "init" | "load" | "sample" | "trace" | "train" | "checkpoint"; id?: number; message: string };
