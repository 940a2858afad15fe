// Checkpoint files on disk, of any size the model can have: written tensor by tensor straight from the
// model's and optimizer's buffers (atomically: temp file, fsync, rename), and read by positioned reads,
// header first, then each tensor into its own array as the loader asks for it. Neither side ever holds
// the whole file in one buffer (fs calls move at most 2 GiB; a 2×4096 model with Adam moments is 2.4 GB).

import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError, checkpointTensors, decodeCheckpoint, unreadable, type LoadedCheckpoint, type TrainingSource } from "../checkpoint.js";
import type { Vocab } from "../data/vocab.js";
import type { Kernels } from "../kernels/types.js";
import type { CharLSTM } from "../model.js";
import { headerLength, parseHeader, SafetensorsError, safetensorsPieces, tensorFromBytes, type SafetensorsFile, type Tensor } from "../safetensors.js";

import { describe, openRegularFile, writeAtomic } from "./node.js";

/** Bytes per read call (fs.readSync refuses 2 GiB and more). */
const READ_CHUNK = 1 << 30;

/** Read a byte at the start of a file that stat says is (nearly) empty: a special file's read error surfaces. */
function probe(fd: number, path: string): void {
  try { readSync(fd, new Uint8Array(1), 0, 1, 0); } catch (e) { throw describe(e, path, "read"); }
}

function readAt(fd: number, buf: Uint8Array, pos: number, path: string): void {
  let got = 0;
  while (got < buf.length) {
    let r: number;
    try {
      r = readSync(fd, buf, got, Math.min(READ_CHUNK, buf.length - got), pos + got);
    } catch (e) {
      throw describe(e, path, "read");
    }
    if (r === 0) throw new SafetensorsError(`the file ended at byte ${pos + got}, before its data: it is truncated`);
    got += r;
  }
}

/** Open a safetensors file for reading tensor by tensor; close() when done. */
export function openSafetensorsFile(path: string): SafetensorsFile & { close(): void } {
  const fd = openRegularFile(path);   // a FIFO, a device, a directory: one line, never a blocking open
  let size: number;
  try {
    size = fstatSync(fd).size;
    // a file that claims 0 bytes may be a special one (/proc/self/mem): reading says what it really is
    if (size < 8) probe(fd, path);
    const first = new Uint8Array(Math.min(32, size));   // 8 bytes of length; the rest to recognise text
    readAt(fd, first, 0, path);
    const hlen = headerLength(first, size);
    const json = new Uint8Array(hlen);
    readAt(fd, json, 8, path);
    const dataStart = 8 + hlen;
    const { infos, metadata } = parseHeader(json, size - dataStart);
    const f = fd;
    return {
      infos, metadata,
      read(name: string): Tensor {
        const info = infos.get(name);
        if (!info) throw new SafetensorsError(`no tensor ${name}`);
        const bytes = new Uint8Array(info.end - info.begin);
        readAt(f, bytes, dataStart + info.begin, path);
        return tensorFromBytes(info, bytes);
      },
      close: () => closeSync(f),
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The checkpoint a path names: the path itself, or for a run directory (`sample runs/x`) its
 * `which`.safetensors — best for sampling and fine-tuning, last for a resume — or, for sampling, the
 * other one when only that exists. A directory with neither is one line naming what it lacks.
 */
export function checkpointIn(path: string, which: "best" | "last"): string {
  let dir = false;
  try { dir = statSync(path).isDirectory(); } catch { return path; }   // missing: the loader says so
  if (!dir) return path;
  const want = join(path, `${which}.safetensors`);
  if (existsSync(want)) return want;
  const other = join(path, `${which === "best" ? "last" : "best"}.safetensors`);
  if (which === "best" && existsSync(other)) return other;
  throw new CheckpointError(`${path} is a directory, not a checkpoint, and holds no ${which}.safetensors${existsSync(other) ? ` (it has ${other}${which === "last" ? ", which is for sampling: a resume needs last.safetensors" : ""})` : ""}; give a .safetensors file`);
}

/** Load a checkpoint file (or a run directory's best.safetensors: checkpointIn) into a model on `kernels`, one tensor at a time. */
export function loadCheckpointFile(path: string, kernels: Kernels): LoadedCheckpoint {
  let file: SafetensorsFile & { close(): void };
  path = checkpointIn(path, "best");
  try {
    file = openSafetensorsFile(path);
  } catch (e) {
    throw unreadable(e, path);
  }
  try {
    return decodeCheckpoint(file, kernels, path);
  } catch (e) {
    throw unreadable(e, path);
  } finally {
    file.close();
  }
}

/** Write tensors and metadata as a safetensors file, atomically, streamed piece by piece. */
export function writeSafetensorsFile(path: string, tensors: [string, Tensor][], metadata: Record<string, string>): void {
  writeAtomic(path, (put) => { for (const piece of safetensorsPieces(tensors, metadata)) put(piece); });
}

/** Save a checkpoint (with a trainer: everything a resume needs) atomically, streamed from the buffers. */
export function saveCheckpointFile(path: string, model: CharLSTM, vocab: Vocab, run?: TrainingSource): void {
  const { tensors, metadata } = checkpointTensors(model, vocab, run);
  writeSafetensorsFile(path, tensors, metadata);
}
