// File-system errors as one-line messages: an IOError names the path and what to do about it.

export class IOError extends Error {
  override name = "IOError";
}

/** An fs error as a one-line IOError naming `path`. */
export function describe(e: unknown, path: string, verb: string): IOError {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT": return new IOError(`${path}: no such file; check the path`);
    case "EISDIR": return new IOError(`${path} is a directory; give a file`);
    case "EACCES": case "EPERM": return new IOError(`${path}: permission denied when trying to ${verb} it`);
    case "ENOSPC": return new IOError(`${path}: the disk is full; free some space (the previous file was kept)`);
    case "EROFS": return new IOError(`${path}: the file system is read-only; choose another --out`);
    case "ENOTDIR": return new IOError(`${path}: a part of the path is not a directory`);
    case "ESPIPE": return new IOError(`${path} is a pipe or a terminal, which char-lstm cannot read by position; save the data to a file first`);
    case "EIO": return new IOError(`${path}: input/output error when trying to ${verb} it (a failing disk, or a special file such as /proc/self/mem); give a regular file`);
    case "ENXIO": return new IOError(`${path}: no such device (a socket or an unopened device); give a regular file`);
    case "ELOOP": return new IOError(`${path}: too many levels of symbolic links (a link loop); check the path`);
    case "ENAMETOOLONG": return new IOError(`${path}: the path is too long`);
    case "EMFILE": case "ENFILE": return new IOError(`${path}: too many open files; close some programs or raise ulimit -n`);
    default: return new IOError(`${path}: cannot ${verb} it (${code ?? (e as Error).message})`);
  }
}
