// `--backend webgpu` and `--backend auto` for training: open the WebGPU engine (src/gpu) for a trainer.
//
// webgpu: the GPU or a clear error (the webgpu package missing, no adapter). auto: the GPU only where
// src/gpu/auto.ts says it gains (a hardware adapter and a big enough model); anything else, quietly the CPU.
// The CPU kernels opened beside it run evaluation and sampling on read-back weights.

import { UsageError } from "./args.js";
import { str, type Flags } from "./context.js";
import type { Trainer } from "../train.js";

export async function openTrainEngine(flags: Flags, trainer: Trainer): Promise<void> {
  const backend = str(flags, "backend") ?? "auto";
  if (backend !== "webgpu" && backend !== "auto") return;
  const { bigEnoughForGpu } = await import("../gpu/auto.js");
  if (backend === "auto" && !bigEnoughForGpu(trainer.model.config, trainer.config.batch, trainer.config.seq)) return;
  const { openNodeDevice } = await import("../gpu/node_gpu.js");
  const { GpuEngine } = await import("../gpu/engine.js");
  let gpu;
  try {
    gpu = await openNodeDevice();
  } catch (e) {
    if (backend === "auto") return;
    throw new UsageError((e as Error).message);
  }
  if (backend === "auto" && gpu.software) {
    gpu.destroy();
    return;
  }
  try {
    trainer.useEngine(await GpuEngine.create(gpu, trainer.model.config, trainer.config));
  } catch (e) {
    gpu.destroy();
    throw e;
  }
}
