// WebGPU in Node: the optional peer dependency `webgpu` (Dawn: Vulkan on Linux, Metal on macOS, D3D12 on
// Windows; its binaries ship inside the npm package). Imported only when asked for, so char-lstm installs
// and runs without it; a missing package is one line saying how to get it.
//
// Dawn's device keeps Node's event loop alive until it is destroyed: whoever opens a device destroys it
// (GpuDevice.destroy, called by the engine's dispose), or the process does not exit.

import { GpuUnavailableError, openDevice, type GpuDevice } from "./device.js";

export const INSTALL_HINT = "the webgpu backend needs the npm package webgpu: npm install webgpu";

let entry: Promise<GPU> | null = null;

/** navigator.gpu's counterpart in Node (one Dawn instance per process). */
export function nodeGpu(): Promise<GPU> {
  entry ??= (async () => {
    let mod: { create(flags: string[]): GPU; globals: object };
    try {
      const name = "webgpu";   // a variable: bundlers of the page must not try to resolve it
      mod = (await import(name)) as typeof mod;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new GpuUnavailableError(INSTALL_HINT);
      throw new GpuUnavailableError(`the webgpu package did not load (${(e as Error).message})`);
    }
    // the WebGPU constants (GPUBufferUsage, …) as globals, as a browser has them
    for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    return mod.create([]);
  })();
  return entry;
}

/** A device in Node: the hardware adapter where there is one; throws GpuUnavailableError otherwise. */
export async function openNodeDevice(): Promise<GpuDevice> {
  return openDevice(await nodeGpu());
}
