// The safetensors container, read and written by hand (no dependency; the format is tiny):
//   8 bytes   u64 little-endian N, the header length
//   N bytes   UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
//             padded with spaces to a multiple of 8 so the data section is aligned
//   …         raw little-endian tensor data; offsets are relative to the start of this section
// Every malformed input is a SafetensorsError with a one-line message, never a crash or a partial read.
// Writing and reading go piece by piece (header, then one tensor at a time), so a file may be larger than
// any one buffer (a 2×4096 model with Adam moments is 2.4 GB; one fs call moves at most 2 GiB).

export type DType = "F32" | "F64" | "I32";

export interface Tensor {
  dtype: DType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array;
}

export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

const BYTES: Record<DType, number> = { F32: 4, F64: 8, I32: 4 };
const MAX_HEADER = 100 * 1024 * 1024;

/** A tensor's entry in the header: its type, shape and byte range in the data section. */
export interface TensorInfo {
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * A parsed safetensors file whose tensor data is read on demand: from a buffer in memory, or from disk
 * (io/checkpoint_file.ts) so that a file of any size loads one tensor at a time.
 */
export interface SafetensorsFile {
  infos: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** The values of tensor `name` (a fresh, aligned array the caller owns). */
  read(name: string): Tensor;
}

/** The header bytes (8-byte length + padded JSON) of `tensors` laid out in order; `size` is the whole file. */
export function safetensorsHeader(tensors: [string, Tensor][], metadata: Record<string, string>): { header: Uint8Array; size: number } {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new SafetensorsError(`tensor ${name}: shape [${t.shape}] does not match ${t.data.length} values`);
    const bytes = n * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - (hb.length % 8)) % 8;
  if (pad) { json += " ".repeat(pad); hb = enc.encode(json); }
  const out = new Uint8Array(8 + hb.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  return { header: out, size: out.length + offset };
}

/**
 * The file as a sequence of pieces: the header, then each tensor's bytes as a view of its data (no copy),
 * so a writer can stream a file larger than any one buffer.
 */
export function* safetensorsPieces(tensors: [string, Tensor][], metadata: Record<string, string>): Generator<Uint8Array> {
  yield safetensorsHeader(tensors, metadata).header;
  // typed arrays are little-endian on every platform we run on (x86, ARM, wasm)
  for (const [, t] of tensors) yield new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Encode tensors (in the given order) and string metadata into one buffer. */
export function encodeSafetensors(tensors: [string, Tensor][], metadata: Record<string, string>): Uint8Array {
  const out = new Uint8Array(safetensorsHeader(tensors, metadata).size);
  let pos = 0;
  for (const piece of safetensorsPieces(tensors, metadata)) { out.set(piece, pos); pos += piece.length; }
  return out;
}

export interface Decoded {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/**
 * The header length N from a file's first 8 bytes, checked against the file's size. `first` may hold more
 * of the file's start (up to ~40 bytes): a file that is text says so with its first words, rather than a
 * header length of 7584941881947220294.
 */
export function headerLength(first: Uint8Array, fileLength: number): number {
  const text = startsAsText(first);
  if (fileLength < 8 || first.length < 8) {
    throw new SafetensorsError(text !== undefined ? `not a safetensors file: it is ${fileLength} bytes of text (${JSON.stringify(text)})` : `file is ${fileLength} bytes, too short for a safetensors header`);
  }
  const n = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, fileLength - 8))) {
    if (text !== undefined) throw new SafetensorsError(`not a safetensors file: it is text, beginning ${JSON.stringify(text + "…")}`);
    throw new SafetensorsError(`not a safetensors file, or truncated: its first 8 bytes give a header of ${n} bytes, and the file has ${fileLength}`);
  }
  return Number(n);
}

/** The start of `bytes` as a string when it reads as text (UTF-8, no control characters but whitespace). */
function startsAsText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  // a multi-byte character cut at the end of the sample is not a reason to call it binary
  let end = bytes.length;
  while (end > 0 && end > bytes.length - 3 && (bytes[end - 1] & 0xc0) === 0x80) end--;
  if (end > 0 && bytes[end - 1] >= 0xc0) end--;
  let s: string;
  try { s = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end)); } catch { return undefined; }
  return /^[^\x00-\x08\x0b\x0e-\x1f\x7f]*$/.test(s) ? s : undefined;
}

/** Parse and check the JSON header (`json`: its N bytes) of a file whose data section has `dataLen` bytes. */
export function parseHeader(json: Uint8Array, dataLen: number): { infos: Map<string, TensorInfo>; metadata: Record<string, string> } {
  let header: unknown, text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(json);
    header = JSON.parse(text);
  } catch {
    throw new SafetensorsError("header is not valid UTF-8 JSON: not a safetensors file");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new SafetensorsError("header is not a JSON object");
  // JSON.parse keeps the last of two equal keys silently; safetensors forbids them (a tensor named twice would
  // read another tensor's bytes)
  const seen = new Set<string>();
  for (const k of topLevelKeys(text)) {
    if (seen.has(k)) throw new SafetensorsError(`the header names ${JSON.stringify(k.slice(0, 80))} twice: the file is damaged`);
    seen.add(k);
  }
  const infos = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof entry !== "object" || entry === null || Object.values(entry).some((v) => typeof v !== "string")) {
        throw new SafetensorsError("__metadata__ must map strings to strings");
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) throw new SafetensorsError(`tensor ${name}: entry is not an object`);
    if (e.dtype !== "F32" && e.dtype !== "F64" && e.dtype !== "I32") throw new SafetensorsError(`tensor ${name}: unsupported dtype ${String(e.dtype)} (expected F32, F64 or I32)`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new SafetensorsError(`tensor ${name}: bad shape`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new SafetensorsError(`tensor ${name}: bad data_offsets`);
    }
    const [b, end] = off as [number, number];
    if (end > dataLen) throw new SafetensorsError(`tensor ${name} ends at byte ${end} of a ${dataLen}-byte data section: the file is truncated`);
    const count = (e.shape as number[]).reduce((a, d) => a * d, 1);
    if (end - b !== count * BYTES[e.dtype]) throw new SafetensorsError(`tensor ${name}: ${end - b} bytes do not hold shape [${e.shape}] of ${e.dtype}`);
    infos.set(name, { dtype: e.dtype, shape: e.shape as number[], begin: b, end });
  }
  // the byte ranges, in order, must not overlap (safetensors' rule: each byte belongs to one tensor)
  const ranges = [...infos.entries()].filter(([, t]) => t.end > t.begin).sort((x, y) => x[1].begin - y[1].begin);
  for (let i = 1; i < ranges.length; i++) {
    const [a, ta] = ranges[i - 1], [b, tb] = ranges[i];
    if (tb.begin < ta.end) throw new SafetensorsError(`tensors ${a} and ${b} overlap (bytes ${tb.begin}–${Math.min(ta.end, tb.end)} of the data section): the file is damaged`);
  }
  return { infos, metadata };
}

/** The keys of the top-level object of a JSON text already known to be valid, in order (duplicates kept). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0, expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {   // a string: skip to its closing quote (a backslash escapes the next character)
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      if (depth === 1 && expectKey) { keys.push(JSON.parse(text.slice(i, j + 1)) as string); expectKey = false; }
      i = j;
    } else if (c === 0x7b || c === 0x5b) { depth++; if (depth === 1) expectKey = c === 0x7b; }   // { [
    else if (c === 0x7d || c === 0x5d) depth--;                                                  // } ]
    else if (c === 0x2c && depth === 1) expectKey = true;                                        // ,
  }
  return keys;
}

/** Typed values over freshly read bytes (aligned: the caller allocated them). */
export function tensorFromBytes(info: TensorInfo, bytes: Uint8Array): Tensor {
  const data = info.dtype === "F32" ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)
    : info.dtype === "F64" ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8)
    : new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return { dtype: info.dtype, shape: info.shape, data };
}

/** A safetensors file held in memory, tensors read out on demand. */
export function openSafetensors(buf: Uint8Array): SafetensorsFile {
  const hlen = headerLength(buf, buf.length);
  const dataStart = 8 + hlen;
  const { infos, metadata } = parseHeader(buf.subarray(8, dataStart), buf.length - dataStart);
  return {
    infos, metadata,
    read(name) {
      const info = infos.get(name);
      if (!info) throw new SafetensorsError(`no tensor ${name}`);
      // copy out into a fresh buffer: the source may be unaligned (or a pooled Node Buffer, whose slice()
      // is a view), and callers own the result
      const bytes = new Uint8Array(info.end - info.begin);
      bytes.set(buf.subarray(dataStart + info.begin, dataStart + info.end));
      return tensorFromBytes(info, bytes);
    },
  };
}

/** Decode a whole file; throws SafetensorsError naming the first problem. */
export function decodeSafetensors(buf: Uint8Array): Decoded {
  const file = openSafetensors(buf);
  const tensors = new Map<string, Tensor>();
  for (const name of file.infos.keys()) tensors.set(name, file.read(name));
  return { tensors, metadata: file.metadata };
}
