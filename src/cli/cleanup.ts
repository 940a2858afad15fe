// Temporary paths a command must remove however the process ends: a normal return, an error, a second
// Ctrl-C (process.exit), a closed pipe. Commands register them here; run() in main.ts removes whatever is
// still registered when the process exits. (SIGKILL cannot be caught; nothing can clean up after it.)

import { rmSync } from "node:fs";

const paths = new Set<string>();

/** Remove `path` (file or directory) at exit unless `release()`d first; returns release. */
export function removeOnExit(path: string): () => void {
  paths.add(path);
  return () => { paths.delete(path); };
}

/** Remove every registered path now (called from the process "exit" event: synchronous only). */
export function removeRegistered(): void {
  for (const p of paths) {
    try { rmSync(p, { recursive: true, force: true }); } catch { /* best effort at exit */ }
  }
  paths.clear();
}
