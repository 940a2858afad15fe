// Child processes of the real CLI under a kill timer: a hang fails the test that caused it (timedOut), it
// never times out the suite. Used by the signal, pipe and bad-input tests.

import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { BIN } from "./harness.js";

export interface Exit { code: number | null; signal: NodeJS.Signals | null; out: string; err: string; timedOut: boolean }

export interface Bounded { child: ChildProcess; exit: Promise<Exit>; err(): string; out(): string }

/** `char-lstm ...args` as a child, SIGKILLed after `timeoutMs`. */
export function spawnBin(args: string[], opts: { timeoutMs?: number; stdio?: StdioOptions; env?: NodeJS.ProcessEnv } = {}): Bounded {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: opts.stdio ?? ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
  let out = "", err = "", timedOut = false;
  child.stdout?.on("data", (d) => (out += d));
  child.stdout?.on("error", () => {});
  child.stderr?.on("data", (d) => (err += d));
  const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, opts.timeoutMs ?? 30_000);
  const exit = new Promise<Exit>((resolve) => child.on("close", (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err, timedOut }); }));
  return { child, exit, err: () => err, out: () => out };
}

/** Run to the end (bounded). */
export const runBounded = (args: string[], opts: Parameters<typeof spawnBin>[1] = {}): Promise<Exit> => spawnBin(args, opts).exit;

/** Poll until `cond()` holds (true) or `ms` pass (false). */
export async function waitFor(cond: () => boolean, ms = 20_000, every = 10): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return cond();
}

export const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** One line on stderr, no stack trace. */
export function oneLine(err: string): boolean {
  return err.trim().split("\n").length === 1 && !/\bat .*\.js:\d+/.test(err);
}
