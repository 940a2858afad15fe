// What a command must undo however the process ends: a normal return, an error, a second Ctrl-C
// (process.exit), a closed pipe. Commands register an action here (a temporary path to remove, a run
// directory to give back: train's claim removes what it made and its lock); run() in main.ts runs whatever
// is still registered when the process exits. One registry for every command, so nothing is cleaned twice
// or forgotten. (SIGKILL cannot be caught; nothing can clean up after it: a stale run lock is taken over
// by the next training, stale temp files are removed by the next run in that directory.)

import { rmSync } from "node:fs";

const actions = new Set<() => void>();

/** Run `action` (synchronous) at exit unless the returned function is called first. */
export function atExit(action: () => void): () => void {
  actions.add(action);
  return () => { actions.delete(action); };
}

/** Remove `path` (file or directory) at exit unless `release()`d first; returns release. */
export function removeOnExit(path: string): () => void {
  return atExit(() => rmSync(path, { recursive: true, force: true }));
}

/** Run every registered action now, newest first (called from the process "exit" event: synchronous only). */
export function runExitActions(): void {
  for (const a of [...actions].reverse()) {
    try { a(); } catch { /* best effort at exit */ }
  }
  actions.clear();
}
