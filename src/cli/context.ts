// What a command receives from main(): output streams, terminal facts and the stop signal. Commands
// never call process.exit or touch process.argv; tests inject all of this.

import { availableParallelism } from "node:os";
import type { Kernels } from "../kernels/types.js";
import { jsKernels } from "../kernels/js/index.js";
import type { FlagValue } from "./args.js";

export interface CliContext {
  /** Standard output and error writers. */
  out(s: string): void;
  err(s: string): void;
  /** stdout is a terminal (progress redraws in place). */
  tty: boolean;
  /** The terminal's width in columns, asked again at each use (a resized terminal answers anew); 80 when absent. */
  columns?(): number;
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
  let threads = num(flags, "threads");
  if (threads !== undefined && (threads < 1 || threads > 64)) throw new RangeError(`--threads must be in 1..64, got ${threads}`);
  // more threads than cores only costs: each is a worker with its own stack and a share of every step's
  // barrier (64 on 2 cores: 628 MB and a 5 s start), so a larger --threads is capped, and said
  const cores = availableParallelism();
  let notice: string | undefined;
  if (threads !== undefined && threads > cores) {
    notice = `--threads ${threads} is more than the ${cores} available cores; using ${cores} (more threads than cores only adds memory and start-up time)`;
    threads = cores;
  }
  if (backend === "js") return { kernels: jsKernels("f32"), notice };
  const { createKernels } = await import("../kernels/select.js");
  const opened = await createKernels({ backend, threads });
  return notice ? { ...opened, notice: opened.notice ? `${notice}; ${opened.notice}` : notice } : opened;
}
