// `char-lstm/gpu`: the WebGPU training engine for library users. Open a device (openDevice(navigator.gpu) in
// a browser, openNodeDevice() in Node with the `webgpu` package), then
//   trainer.useEngine(await GpuEngine.create(device, trainer.model.config, trainer.config))
// and drive the trainer with runTraining (or advance()/sync()) as on the CPU.

export { GpuEngine, type EngineConfig } from "./engine.js";
export { openDevice, adapterName, isSoftwareAdapter, GpuUnavailableError, type GpuDevice } from "./device.js";
export { openNodeDevice, nodeGpu, INSTALL_HINT } from "./node_gpu.js";
export { AUTO_GPU_MIN_WORK, bigEnoughForGpu, windowWork } from "./auto.js";
