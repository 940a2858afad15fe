// The little WebGPU plumbing the engine and its tests share: buffers it owns (and destroys), compute
// pipelines compiled once per WGSL source, uniform blocks, and a Dispatch record (pipeline + bind group +
// grid) so a whole training step is a precomputed list replayed into one compute pass.
//
// Bind groups use the pipelines' "auto" layouts: binding i of a dispatch is buffers[i], in the order the
// kernel declares them (every kernel uses every binding it declares).

/** GPUBufferUsage / GPUMapMode values (constants of the spec, so no global is needed to name them). */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;

export interface Dispatch {
  pipeline: GPUComputePipeline;
  bind: GPUBindGroup;
  groups: [number, number, number];
}

/** A uniform field: a u32, or {f} for an f32. */
export type UniformField = number | { f: number };

/** Pipelines per device and WGSL source: compiled once however many engines a device serves. */
const compiled = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export class GpuKit {
  readonly device: GPUDevice;
  private readonly pipes: Map<string, GPUComputePipeline>;
  private readonly owned: GPUBuffer[] = [];
  /** The size asked for (a buffer is at least 16 bytes). */
  private readonly sizes = new WeakMap<GPUBuffer, number>();

  constructor(device: GPUDevice) {
    this.device = device;
    let pipes = compiled.get(device);
    if (!pipes) compiled.set(device, (pipes = new Map()));
    this.pipes = pipes;
  }

  /** A storage buffer of `bytes` (at least 16), zero-filled, copyable both ways. */
  storage(bytes: number, label?: string): GPUBuffer {
    const max = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > max) throw new RangeError(`${label ?? "a buffer"} needs ${(bytes / 2 ** 20).toFixed(0)} MiB, beyond this adapter's ${(max / 2 ** 20).toFixed(0)} MiB per storage buffer; lower --batch, --seq or --hidden`);
    const b = this.track(this.device.createBuffer({ label, size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST }));
    this.sizes.set(b, bytes);
    return b;
  }

  /** A uniform block holding `fields` in order (4 bytes each, padded to 16 bytes). */
  uniform(fields: UniformField[], label?: string): GPUBuffer {
    const words = Math.max(4, Math.ceil(fields.length / 4) * 4);
    const data = new ArrayBuffer(words * 4), u = new Uint32Array(data), f = new Float32Array(data);
    fields.forEach((v, i) => { if (typeof v === "number") u[i] = v; else f[i] = v.f; });
    const buf = this.track(this.device.createBuffer({ label, size: words * 4, usage: USAGE.UNIFORM | USAGE.COPY_DST }));
    this.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }

  /** A buffer the host maps to read results back. */
  staging(bytes: number): GPUBuffer {
    return this.track(this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: USAGE.MAP_READ | USAGE.COPY_DST }));
  }

  pipeline(code: string): GPUComputePipeline {
    let p = this.pipes.get(code);
    if (!p) {
      p = this.device.createComputePipeline({ layout: "auto", compute: { module: this.device.createShaderModule({ code }), entryPoint: "main" } });
      this.pipes.set(code, p);
    }
    return p;
  }

  dispatch(code: string, buffers: GPUBuffer[], groups: [number, number?, number?]): Dispatch {
    const pipeline = this.pipeline(code);
    const bind = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    return { pipeline, bind, groups: [groups[0], groups[1] ?? 1, groups[2] ?? 1] };
  }

  /** Record dispatches, in order, into one compute pass (WebGPU orders their storage writes). */
  encode(enc: GPUCommandEncoder, list: Dispatch[]): void {
    const pass = enc.beginComputePass();
    for (const d of list) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bind);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    }
    pass.end();
  }

  /** Run dispatches now (tests, one-off work). */
  run(list: Dispatch[]): void {
    const enc = this.device.createCommandEncoder();
    this.encode(enc, list);
    this.device.queue.submit([enc.finish()]);
  }

  /** Copy `bytes` of `src` from `offset` to the host (waits for the queue's work before it). */
  async read(src: GPUBuffer, offset = 0, bytes = src.size - offset): Promise<ArrayBuffer> {
    const st = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    try {
      const enc = this.device.createCommandEncoder();
      enc.copyBufferToBuffer(src, offset, st, 0, Math.ceil(bytes / 4) * 4);
      this.device.queue.submit([enc.finish()]);
      await st.mapAsync(MAP_MODE_READ);
      const out = st.getMappedRange().slice(0, bytes);
      st.unmap();
      return out;
    } finally {
      st.destroy();
    }
  }

  async readF32(src: GPUBuffer, offsetFloats = 0, n = (this.sizes.get(src) ?? src.size) / 4 - offsetFloats): Promise<Float32Array> {
    return new Float32Array(await this.read(src, offsetFloats * 4, n * 4));
  }

  write(dst: GPUBuffer, data: ArrayBufferView, offsetBytes = 0): void {
    this.device.queue.writeBuffer(dst, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Bytes of every buffer this kit made. */
  get bytes(): number {
    return this.owned.reduce((a, b) => a + b.size, 0);
  }

  /** Destroy every buffer this kit made (the device itself is its owner's to destroy). */
  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }

  private track(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }
}

/** Workgroups for a grid-stride loop over n elements with 256 invocations each (at most 4096 groups). */
export function strideGroups(n: number): { groups: number; stride: number } {
  const groups = Math.max(1, Math.min(4096, Math.ceil(n / 256)));
  return { groups, stride: groups * 256 };
}

export const MAP_READ = MAP_MODE_READ;
