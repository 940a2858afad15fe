// Finds and loads the native addon (build/Release/char_lstm_native.node, built by node-gyp when the package
// is installed; see tools/build-native.mjs) and says in one line why it cannot be used when it cannot: not
// built (install scripts disabled, no compiler), not x86-64, or a CPU without AVX2 + FMA. Node only.
//
// Environment (for tests and diagnosis): CHAR_LSTM_NATIVE_ADDON, the addon file to load instead;
// CHAR_LSTM_NATIVE_ISA=avx2, use the AVX2 kernels even where AVX-512 is available.

import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The addon's functions. Pointers are absolute addresses (address(view) + byteOffset), counts are elements. */
export interface NativeAddon {
  isa(): "avx512" | "avx2" | "none";
  setIsa(name: string): "avx512" | "avx2" | "none";
  /** Address of a typed array's first element (a view of the shared memory). */
  address(view: ArrayBufferView): number;
  gemm(tA: number, tB: number, M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number,
       C: number, ldc: number, beta: number): void;
  gemv(tB: number, N: number, K: number, a: number, B: number, ldb: number, C: number, beta: number): void;
  recurrentPackFloats(H: number): number;
  packRecurrent(Whh: number, H: number, dst: number, backward: number): void;
  lstmStepForward(a: number, hPrev: number, Whh: number, pack: number, c: number, tanhC: number, h: number,
                  cPrev: number, B: number, H: number, u0: number, u1: number): void;
  lstmStepBackward(dANext: number, dA: number, dc: number, dh: number, gates: number, cPrev: number, tanhC: number,
                   Whh: number, pack: number, B: number, H: number, u0: number, u1: number): void;
  lstmStep1(xv: number, D: number, Wih: number, bih: number, bhh: number, hPrev: number, Whh: number, a: number,
            H: number, r0: number, r1: number): void;
  lstmCellForward(gates: number, c: number, tanhC: number, h: number, cPrev: number, B: number, H: number): void;
  lstmCellBackward(dA: number, dc: number, dh: number, gates: number, cPrev: number, tanhC: number, B: number, H: number): void;
  softmaxXent(logits: number, targets: number, R: number, V: number, scale: number): number;
  adam(p: number, g: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number, eps: number,
       bc1: number, bc2: number): void;
  rmsprop(p: number, g: number, v: number, n: number, lr: number, alpha: number, eps: number): void;
  adagrad(p: number, g: number, v: number, n: number, lr: number, eps: number): void;
  sgd(p: number, g: number, m: number, n: number, lr: number, momentum: number): void;
  /** GFLOP/s of register-only FMA chains on the calling thread for about `ms` ms (the machine's FMA peak). */
  peakGflops(ms: number): number;
}

export type NativeLoad =
  | { ok: true; addon: NativeAddon; path: string; isa: "avx512" | "avx2" }
  | { ok: false; reason: string };

// dist/src/kernels/native/loader.js is four levels under the package root; src/kernels/native/loader.ts three.
const CANDIDATES = ["../../../../build/Release/char_lstm_native.node", "../../../build/Release/char_lstm_native.node"]
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)));

const require = createRequire(import.meta.url);
let cached: NativeLoad | undefined;

function tryLoad(): NativeLoad {
  if (process.arch !== "x64") return { ok: false, reason: `the native kernels are x86-64 only (this is ${process.arch})` };
  const override = process.env.CHAR_LSTM_NATIVE_ADDON;
  const path = override || CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    return { ok: false, reason: "the native addon is not built (install scripts were skipped or no C compiler was found; `npm rebuild char-lstm` builds it)" };
  }
  let addon: NativeAddon;
  try {
    addon = require(path) as NativeAddon;
  } catch (e) {
    return { ok: false, reason: `the native addon failed to load (${((e as Error).message ?? String(e)).split("\n")[0]})` };
  }
  if (process.env.CHAR_LSTM_NATIVE_ISA) addon.setIsa(process.env.CHAR_LSTM_NATIVE_ISA);
  const isa = addon.isa();
  if (isa === "none") return { ok: false, reason: "this CPU lacks AVX2 + FMA, which the native kernels need" };
  return { ok: true, addon, path, isa };
}

/** The addon, loaded once per thread, or why not. */
export function loadNative(): NativeLoad {
  cached ??= tryLoad();
  return cached;
}

/** A pool worker's view of the addon at `path`: its functions under the pool's op names (wasm/protocol.ts). */
export function nativeOps(path: string): Record<string, unknown> {
  const a = require(path) as NativeAddon;
  if (process.env.CHAR_LSTM_NATIVE_ISA) a.setIsa(process.env.CHAR_LSTM_NATIVE_ISA);
  return {
    nativeGemm: a.gemm, nativeGemv: a.gemv, nativeLstmCellForward: a.lstmCellForward,
    nativeLstmCellBackward: a.lstmCellBackward, nativeLstmStepForward: a.lstmStepForward,
    nativeLstmStepBackward: a.lstmStepBackward, nativeLstmStep1: a.lstmStep1,
  };
}
