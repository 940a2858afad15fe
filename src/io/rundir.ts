// Run directories: made with a bounded loop, claimed with an exclusive lock, and cleaned after a failure
// by removing exactly what this process made — never a path someone else may own.
//
//   DIR/.char-lstm.lock   {"pid": N, "started": ISO time}, created with O_EXCL ("wx") and removed on every
//                         exit (train registers its claim with the CLI's exit actions, cli/cleanup.ts); a
//                         lock whose process is gone is stale and taken over with a line saying so
//   DIR/last.safetensors, best.safetensors, tokens.bin, tokens.json, history.svg   what makes DIR "hold a run"
//
// Directories are made by makeDirs() (io/dirs.ts), which returns the ones it created: the only ones a
// cleanup may remove.

import { closeSync, lstatSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pidAlive, removeDirs } from "./dirs.js";
import { describe, IOError } from "./errors.js";
import { ensureWritableDir, removeStaleTemps } from "./node.js";

export { makeDirs, removeDirs, pidAlive } from "./dirs.js";

/** The files that make a directory hold a run. */
export const RUN_FILES = ["last.safetensors", "best.safetensors", "tokens.bin", "tokens.json", "history.svg"];
export const LOCK_FILE = ".char-lstm.lock";

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** The run directory is locked by a live process. */
export class RunInUseError extends IOError {}

/** An exclusive claim on a run directory by this process. */
export class RunLock {
  private released = false;
  private constructor(readonly path: string) {}

  /**
   * Take DIR's lock, or throw naming the process that holds it. A lock left by a dead process is taken
   * over; `say` gets a line about it.
   */
  static acquire(dir: string, say: (line: string) => void): RunLock {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = openSync(path, "wx");
      } catch (e) {
        if (code(e) !== "EEXIST") throw describe(e, path, "create");
        const owner = readOwner(path);
        if (owner === "gone") continue;                 // released meanwhile: try again
        if (owner !== null && pidAlive(owner.pid)) {
          throw new RunInUseError(`${dir} is in use by another char-lstm training (pid ${owner.pid}, since ${owner.started}); wait for it, stop it, or choose another --out (if no such process runs, delete ${path})`);
        }
        // stale: remove it only if it is still the file we judged (another process may have taken it over)
        const again = readOwner(path);
        if (again !== "gone" && JSON.stringify(again) === JSON.stringify(owner)) {
          try { unlinkSync(path); } catch { /* taken over meanwhile */ }
          say(owner ? `taking over the lock of ${dir} left by pid ${owner.pid}, which is no longer running` : `taking over an unreadable lock file ${path}`);
        }
        continue;
      }
      try {
        const body = JSON.stringify({ pid: process.pid, started: new Date().toISOString() }) + "\n";
        writeSync(fd, body);
      } finally {
        closeSync(fd);
      }
      return new RunLock(path);
    }
    throw new IOError(`${dir}: could not take the lock ${path} (other processes keep taking it); try again`);
  }

  /** Remove the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const owner = readOwner(this.path);
    if (owner !== "gone" && owner?.pid === process.pid) try { unlinkSync(this.path); } catch { /* gone */ }
  }
}

interface Owner { pid: number; started: string }

/** The lock's owner; null when unreadable (an empty file of a process killed mid-create), "gone" when absent. */
function readOwner(path: string): Owner | null | "gone" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return code(e) === "ENOENT" ? "gone" : null;
  }
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    return typeof o.pid === "number" ? { pid: o.pid, started: String(o.started ?? "?") } : null;
  } catch {
    return null;
  }
}

/** The run files DIR already holds. */
export function runFilesIn(dir: string): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return RUN_FILES.filter((f) => names.includes(f));
}

/**
 * What one invocation made in a run directory, so that a failure removes exactly that: the directories
 * makeDirs created, and the files this process wrote that did not exist before it wrote them.
 */
export class RunDirClaim {
  private readonly created: string[];
  private readonly newFiles = new Set<string>();

  constructor(readonly dir: string, readonly lock: RunLock, created: string[], readonly existing: string[]) {
    this.created = created;
  }

  /** Call before writing `path`: if nothing is there yet, the file is ours to remove on failure. */
  willWrite(path: string): void {
    try { lstatSync(path); } catch { this.newFiles.add(path); }
  }

  /** --overwrite, as training starts: remove the old run's files (from then on every run file is this run's). */
  clearOldRun(): void {
    for (const f of RUN_FILES) try { unlinkSync(join(this.dir, f)); } catch { /* not there */ }
  }

  /** Undo: remove the files this process created and then the directories it created (if empty). Once. */
  undo(): void {
    for (const f of this.newFiles) try { unlinkSync(f); } catch { /* already gone */ }
    this.newFiles.clear();
    this.lock.release();
    removeDirs(this.created.splice(0));
  }

  release(): void {
    this.lock.release();
  }
}

export type ClaimMode = "new" | "continue" | "overwrite";

/**
 * Claim a run directory: create it (bounded), lock it, clear dead processes' temp files, and check what
 * it holds. "new" refuses a directory that holds a run (naming --resume and --overwrite) unless
 * `suffix` is set, in which case DIR-2, DIR-3, … are tried instead (the default --out never clobbers).
 */
export function claimRunDir(dir: string, mode: ClaimMode, say: (line: string) => void, suffix = false): RunDirClaim {
  for (let i = 1; i <= (suffix ? 1000 : 1); i++) {
    const d = i === 1 ? dir : `${dir}-${i}`;
    const created = ensureWritableDir(d);
    let lock: RunLock;
    try {
      lock = RunLock.acquire(d, say);
    } catch (e) {
      removeDirs(created);
      if (suffix && e instanceof RunInUseError) continue;
      throw e;
    }
    removeStaleTemps(d);
    const files = runFilesIn(d);
    if (files.length && mode === "new") {
      lock.release();
      removeDirs(created);
      if (suffix) continue;
      const cont = files.includes("last.safetensors") ? `continue it with --resume ${join(d, "last.safetensors")}, ` : "";
      throw new IOError(`${d} already holds a run (${files.join(", ")}); ${cont}choose another --out, or replace it with --overwrite`);
    }
    return new RunDirClaim(d, lock, created, files);
  }
  throw new IOError(`${dir} and ${dir}-2 … ${dir}-1000 all hold runs; choose a directory with --out`);
}
