// Getting a WebGPU device, in the browser (navigator.gpu) or in Node (the npm package `webgpu`, Google's
// Dawn, through node_gpu.ts), and naming what we got.
//
// A software adapter (SwiftShader, llvmpipe, WARP, or any adapter the browser marks as a fallback) runs
// the engine correctly but slower than the CPU backends: `--backend auto` never picks one (isSoftware),
// tests use one on purpose. Dawn in Node leaves adapter.isFallbackAdapter undefined, so the adapter's
// info (vendor "google", architecture "swiftshader") is what tells SwiftShader apart.

export class GpuUnavailableError extends Error {
  override name = "GpuUnavailableError";
}

export interface GpuDevice {
  readonly device: GPUDevice;
  /** "NVIDIA GeForce RTX 4090", "SwiftShader (google swiftshader)", … */
  readonly name: string;
  /** A CPU implementation of WebGPU (or a fallback adapter): correct, never fast. */
  readonly software: boolean;
  /** Destroy the device (Dawn in Node keeps the process alive until it is destroyed). */
  destroy(): void;
}

/** The adapter's name for banners: its description, else vendor/architecture/device. */
export function adapterName(info: GPUAdapterInfo | undefined): string {
  if (!info) return "unknown adapter";
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s);
  const desc = info.description || "";
  if (desc && parts.length) return `${desc} (${parts.join(" ")})`;
  return desc || parts.join(" ") || "unknown adapter";
}

/** SwiftShader, Mesa's llvmpipe/lavapipe, Microsoft's WARP/Basic Render, or an adapter marked fallback. */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  if ((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true) return true;
  const info = adapter.info;
  if ((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true) return true;
  const text = `${info?.vendor ?? ""} ${info?.architecture ?? ""} ${info?.device ?? ""} ${info?.description ?? ""}`.toLowerCase();
  return /swiftshader|llvmpipe|lavapipe|softpipe|warp|basic render|microsoft basic/.test(text);
}

/**
 * A device from a GPU entry point (navigator.gpu, or node_gpu.ts's). Asks for the limits the engine's
 * kernels use (up to 10 storage buffers per stage, 16 KiB of workgroup memory, the largest buffers the
 * adapter allows) and nothing optional.
 */
export async function openDevice(gpu: GPU, opts: { powerPreference?: GPUPowerPreference } = {}): Promise<GpuDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? "high-performance" });
  if (!adapter) throw new GpuUnavailableError("WebGPU found no GPU adapter (no GPU, or no Vulkan, Metal or D3D12 driver for it)");
  const lim = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: Math.min(10, lim.maxStorageBuffersPerShaderStage),
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxComputeWorkgroupStorageSize: Math.min(16384, lim.maxComputeWorkgroupStorageSize),
      maxComputeInvocationsPerWorkgroup: Math.min(256, lim.maxComputeInvocationsPerWorkgroup),
    },
  });
  let destroyed = false;
  return {
    device,
    name: adapterName(adapter.info),
    software: isSoftwareAdapter(adapter),
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      device.destroy();
    },
  };
}
