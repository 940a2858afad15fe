// The memory arena both fast backends (wasm, native) keep every tensor in: ONE shared WebAssembly.Memory with
// a bump allocator owned by the TypeScript side. alloc(n) returns a Float32Array view at a 64-byte-aligned
// offset; wasm kernels take view.byteOffset as the pointer, native kernels base + byteOffset, so no call
// copies. Growing a shared memory never detaches existing views (each keeps its own SharedArrayBuffer object
// over the same, never-moving backing store), so we grow freely and old views stay valid. There is no free:
// the model allocates its tensors once and reuses them.
// Platform-neutral (no Node imports).

import { PAGE, webAssembly, type WasmMemory } from "./wasm/wasm_api.js";

export interface Arena {
  readonly memory: WasmMemory;
  /** Byte offset of a fresh 64-byte-aligned region of `bytes` bytes (contents unspecified). */
  reserve(bytes: number): number;
  /** A zero-filled Float32Array of n elements in the arena. */
  alloc(n: number): Float32Array;
  /** A zero-filled Int32Array of n elements in the arena. */
  allocInt(n: number): Int32Array;
  /** Bytes handed out so far (including alignment). */
  allocatedBytes(): number;
}

const ALIGN = 64;
const MAX_PAGES = 65536;        // what dist/kernels.wasm declares (4 GiB)
const MIN_GROW_BYTES = 16 << 20;

/** A new arena of at most `maxMemoryBytes` (default 4 GiB, the wasm32 limit; lowered if the host refuses). */
export function createArena(maxMemoryBytes?: number): Arena {
  const wa = webAssembly();
  if (!wa) throw new Error("this runtime has no WebAssembly");
  if (typeof SharedArrayBuffer === "undefined") {
    throw new Error("SharedArrayBuffer is unavailable (a browser page needs cross-origin isolation)");
  }
  // Some hosts refuse a 4 GiB reservation: retry smaller.
  let maxPages = Math.min(MAX_PAGES, Math.max(1, Math.floor((maxMemoryBytes ?? MAX_PAGES * PAGE) / PAGE)));
  let memory: WasmMemory | undefined;
  for (;;) {
    try {
      memory = new wa.Memory({ initial: Math.min(256, maxPages), maximum: maxPages, shared: true });
      break;
    } catch (e) {
      if (maxPages <= 4096) throw e;
      maxPages = Math.floor(maxPages / 2);
    }
  }
  const mem = memory;
  // Page 0 stays unused (no real buffer sits at address 0).
  let top = PAGE;
  const ensure = (end: number): void => {
    const have = mem.buffer.byteLength;
    if (end <= have) return;
    const want = Math.max(end - have, MIN_GROW_BYTES, have >>> 3);
    const pages = Math.min(Math.ceil(want / PAGE), maxPages - have / PAGE);
    if (have + pages * PAGE < end) {
      throw new RangeError(`kernel memory: out of memory (${end} bytes needed, limit ${maxPages * PAGE})`);
    }
    mem.grow(pages);
  };
  const reserve = (bytes: number): number => {
    const off = Math.ceil(top / ALIGN) * ALIGN;
    ensure(off + bytes);
    top = off + bytes;
    return off;
  };
  return {
    memory: mem,
    reserve,
    // reserve first: it may grow the memory, and only a view made after that reaches the new pages
    alloc: (n) => { const off = reserve(n * 4); return new Float32Array(mem.buffer, off, n).fill(0); },
    allocInt: (n) => { const off = reserve(n * 4); return new Int32Array(mem.buffer, off, n).fill(0); },
    allocatedBytes: () => top - PAGE,
  };
}
