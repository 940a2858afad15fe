// The few WebAssembly JS-API types this backend uses. The project compiles with lib ES2022 and Node 20's
// typings, neither of which declares the WebAssembly namespace, so the runtime object is read from globalThis
// through these minimal interfaces instead of a global declaration (which would clash with lib.dom for users).

/** A compiled WebAssembly.Module (opaque here). */
export interface WasmModule { readonly __wasmModule?: never }

/** A WebAssembly.Memory; ours is always shared, so `buffer` is a SharedArrayBuffer that never detaches. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmInstance { readonly exports: Record<string, unknown> }

export type WasmBytes = ArrayBuffer | ArrayBufferView;

interface WebAssemblyApi {
  validate(bytes: WasmBytes): boolean;
  compile(bytes: WasmBytes): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** The runtime's WebAssembly object, or undefined where there is none. */
export function webAssembly(): WebAssemblyApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

/** Bytes of one WebAssembly page. */
export const PAGE = 65536;
