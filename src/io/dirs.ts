// Directories made with a bounded loop, and removed again only by whoever made them.
//
// makeDirs() walks up the path once (one step per component) to the deepest existing ancestor and creates
// each missing directory with a plain mkdir, so a file system that answers ENOENT to a mkdir (/proc) is an
// error, not the endless loop of Node's recursive mkdir. It returns the directories it created: the only
// ones a cleanup may remove (with rmdir, which refuses a directory someone filled meanwhile). Every place
// the project makes a directory goes through it.

import { lstatSync, mkdirSync, rmdirSync, statSync } from "node:fs";
import { dirname, normalize } from "node:path";
import { describe, IOError } from "./errors.js";

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** Create `dir` and its missing parents; returns the directories created, outermost first. */
export function makeDirs(dir: string): string[] {
  if (dir === "") throw new IOError("the directory name is empty; give a path");
  const missing: string[] = [];
  let p = normalize(dir);
  // at most one step per path component: dirname() shortens p until it is "." or the root
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      if (code(e) !== "ENOENT") throw dirError(e, p);
      if (isDanglingLink(p)) throw new IOError(`${p} is a symbolic link to a missing directory; create its target or choose another path`);
      missing.push(p);
      const up = dirname(p);
      if (up === p) throw new IOError(`${p}: the root of the path does not exist`);
      p = up;
      continue;
    }
    if (!isDir) throw new IOError(`${p}: a part of the path is not a directory`);
    break;
  }
  const created: string[] = [];
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
      created.push(m);
    } catch (e) {
      if (code(e) === "EEXIST" && isDirectory(m)) continue;   // made meanwhile by someone else: not ours
      removeDirs(created);
      throw dirError(e, m);
    }
  }
  return created;
}

/** Remove directories this process created (deepest first), each only while it is empty. */
export function removeDirs(created: string[]): void {
  for (const d of [...created].reverse()) {
    try { rmdirSync(d); } catch { /* not empty (someone else's files now) or gone: keep it */ }
  }
}

function isDirectory(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

function isDanglingLink(p: string): boolean {
  try { return lstatSync(p).isSymbolicLink(); } catch { return false; }
}

function dirError(e: unknown, p: string): IOError {
  switch (code(e)) {
    case "ENOENT": return new IOError(`${p}: the file system does not allow creating a directory here; choose another path`);
    case "ELOOP": return new IOError(`${p}: a symbolic link loop; choose another path`);
    case "EEXIST": return new IOError(`${p} exists and is not a directory; choose another path`);
    default: return describe(e, p, "create");
  }
}

/** Whether process `pid` is alive (EPERM: alive, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return code(e) === "EPERM";
  }
}
