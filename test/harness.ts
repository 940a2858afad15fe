// Running the CLI from tests: in-process through main() with captured output, or as a real process.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/main.js";

/** The real bin script, for tests that need a separate process (signals, RSS). */
export const BIN = fileURLToPath(new URL("../../bin/char-lstm.mjs", import.meta.url));

export interface CliResult { code: number; out: string; err: string }

/** `char-lstm ...argv` in this process, stdout and stderr captured, not a TTY, never signalled. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let out = "", err = "";
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), tty: false, signal: new AbortController().signal });
  return { code, out, err };
}

/** `char-lstm ...args` as a child process; resolves when it exits. */
export function runBin(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

/** The commands a finished `train` prints ("sample with:" and "resume with (…):"), without "npx char-lstm ". */
export function printedCommands(out: string): { sample: string; resume: string } {
  const sample = /^sample with: +npx char-lstm (.*)$/m.exec(out)?.[1];
  const resume = /^resume with[^\n]*:\n +npx char-lstm (.*)$/m.exec(out)?.[1];
  if (!sample || !resume) throw new Error(`train printed no sample/resume command:\n${out}`);
  return { sample, resume };
}
