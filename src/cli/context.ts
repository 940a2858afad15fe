// What a command receives from main(): output streams, terminal facts and the stop signal. Commands
// never call process.exit or touch process.argv; tests inject all of this.

import type { Kernels } from "../kernels/types.js";
import { jsKernels } from "../kernels/js/index.js";
import type { FlagValue } from "./args.js";

export interface CliContext {
  /** Standard output and error writers. */
  out(s: string): void;
  err(s: string): void;
  /** stdout is a terminal (progress redraws in place). */
  tty: boolean;
  /** Aborted on SIGINT / SIGTERM: a training run saves and stops. */
  signal: AbortSignal;
}

export type Flags = Map<string, FlagValue>;

export const str = (f: Flags, k: string): string | undefined => f.get(k) as string | undefined;
export const num = (f: Flags, k: string): number | undefined => f.get(k) as number | undefined;
export const bool = (f: Flags, k: string): boolean => f.get(k) === true;

export interface OpenedKernels {
  kernels: Kernels & { dispose?(): void };
  notice?: string;
}

/** The kernel backend named by --backend/--threads (native where built and supported, else wasm, else js). */
export async function openKernels(flags: Flags): Promise<OpenedKernels> {
  // webgpu trains on the GPU (cli/gpu.ts); the CPU kernels beside it evaluate and sample, as auto picks them
  const flag = str(flags, "backend") ?? "auto";
  const backend = (flag === "webgpu" ? "auto" : flag) as "auto" | "native" | "wasm" | "js";
  const threads = num(flags, "threads");
  if (threads !== undefined && (threads < 1 || threads > 64)) throw new RangeError(`--threads must be in 1..64, got ${threads}`);
  if (backend === "js") return { kernels: jsKernels("f32") };
  const { createKernels } = await import("../kernels/select.js");
  return createKernels({ backend, threads });
}
