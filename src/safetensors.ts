// The safetensors container, read and written by hand (no dependency; the format is tiny):
//   8 bytes   u64 little-endian N, the header length
//   N bytes   UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
//             padded with spaces to a multiple of 8 so the data section is aligned
//   …         raw little-endian tensor data; offsets are relative to the start of this section
// Every malformed input is a SafetensorsError with a one-line message, never a crash or a partial read.

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

/** Encode tensors (in the given order) and string metadata into one buffer. */
export function encodeSafetensors(tensors: [string, Tensor][], metadata: Record<string, string>): Uint8Array {
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
  const out = new Uint8Array(8 + hb.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let pos = 8 + hb.length;
  for (const [, t] of tensors) {
    // typed arrays are little-endian on every platform we run on (x86, ARM, wasm)
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(src, pos);
    pos += src.length;
  }
  return out;
}

export interface Decoded {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** Decode a whole file; throws SafetensorsError naming the first problem. */
export function decodeSafetensors(buf: Uint8Array): Decoded {
  if (buf.length < 8) throw new SafetensorsError(`file is ${buf.length} bytes, too short for a safetensors header`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = dv.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, buf.length - 8))) {
    throw new SafetensorsError(`header length ${n} exceeds the file (${buf.length} bytes): not a safetensors file, or truncated`);
  }
  const hlen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(8, 8 + hlen)));
  } catch {
    throw new SafetensorsError("header is not valid UTF-8 JSON: not a safetensors file");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new SafetensorsError("header is not a JSON object");
  const dataStart = 8 + hlen, dataLen = buf.length - dataStart;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  let covered = 0;
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
    const size = BYTES[e.dtype];
    if (end - b !== count * size) throw new SafetensorsError(`tensor ${name}: ${end - b} bytes do not hold shape [${e.shape}] of ${e.dtype}`);
    // copy out into a fresh buffer: the source may be unaligned (or a pooled Node Buffer, whose slice()
    // is a view), and callers own the result
    const bytes = new Uint8Array(end - b);
    bytes.set(buf.subarray(dataStart + b, dataStart + end));
    const data = e.dtype === "F32" ? new Float32Array(bytes.buffer) : e.dtype === "F64" ? new Float64Array(bytes.buffer) : new Int32Array(bytes.buffer);
    tensors.set(name, { dtype: e.dtype, shape: e.shape as number[], data });
    covered += end - b;
  }
  if (covered > dataLen) throw new SafetensorsError("tensors overlap");
  return { tensors, metadata };
}
