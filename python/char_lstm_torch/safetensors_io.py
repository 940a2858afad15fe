"""The safetensors container, read and written by hand (Debian's python3-torch has no safetensors package).

    8 bytes   u64 little-endian N, the header length
    N bytes   UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
              padded with spaces to a multiple of 8 so the data section is aligned
    ...       raw little-endian tensor data; offsets are relative to the start of this section

Same rules as char-lstm's src/safetensors.ts: anything malformed is a SafetensorsError with a one-line
message, never a partial read. Writes are atomic (temporary file, fsync, rename).
"""
import json
import os
import struct

import numpy as np
import torch

__all__ = ["SafetensorsError", "read_safetensors", "write_safetensors", "encode_safetensors", "decode_safetensors"]

# safetensors dtype -> (numpy little-endian dtype, bytes per value)
_DTYPES = {"F32": (np.dtype("<f4"), 4), "F64": (np.dtype("<f8"), 8), "I32": (np.dtype("<i4"), 4)}
_FROM_TORCH = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32"}
_MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    pass


def encode_safetensors(tensors, metadata):
    """tensors: iterable of (name, torch.Tensor) in file order; metadata: {str: str}. Returns bytes."""
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for name, t in tensors:
        t = t.detach()
        if t.dtype not in _FROM_TORCH:
            raise SafetensorsError(f"tensor {name}: dtype {t.dtype} is not F32, F64 or I32")
        dtype = _FROM_TORCH[t.dtype]
        raw = t.cpu().contiguous().numpy().astype(_DTYPES[dtype][0], copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    return b"".join([struct.pack("<Q", len(hjson)), hjson, *blobs])


def write_safetensors(path, tensors, metadata):
    """Atomic write: a temporary file in the same directory, fsync, rename over `path`."""
    data = encode_safetensors(tensors, metadata)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    try:   # make the rename durable too
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def decode_safetensors(buf):
    """bytes -> ({name: torch.Tensor} in file order, metadata {str: str})."""
    if len(buf) < 8:
        raise SafetensorsError(f"file is {len(buf)} bytes, too short for a safetensors header")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > min(_MAX_HEADER, len(buf) - 8):
        raise SafetensorsError(f"header length {n} exceeds the file ({len(buf)} bytes): not a safetensors file, or truncated")
    try:
        header = json.loads(bytes(buf[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SafetensorsError("header is not valid UTF-8 JSON: not a safetensors file") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object")
    data = memoryview(buf)[8 + n:]
    metadata, tensors = {}, {}
    for name, e in header.items():
        if name == "__metadata__":
            if not isinstance(e, dict) or not all(isinstance(v, str) for v in e.values()):
                raise SafetensorsError("__metadata__ must map strings to strings")
            metadata = e
            continue
        if not isinstance(e, dict):
            raise SafetensorsError(f"tensor {name}: entry is not an object")
        if e.get("dtype") not in _DTYPES:
            raise SafetensorsError(f"tensor {name}: unsupported dtype {e.get('dtype')} (expected F32, F64 or I32)")
        shape, off = e.get("shape"), e.get("data_offsets")
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise SafetensorsError(f"tensor {name}: bad shape")
        if (not isinstance(off, list) or len(off) != 2 or not all(isinstance(o, int) and o >= 0 for o in off)
                or off[0] > off[1]):
            raise SafetensorsError(f"tensor {name}: bad data_offsets")
        begin, end = off
        if end > len(data):
            raise SafetensorsError(f"tensor {name} ends at byte {end} of a {len(data)}-byte data section: the file is truncated")
        np_dtype, size = _DTYPES[e["dtype"]]
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * size:
            raise SafetensorsError(f"tensor {name}: {end - begin} bytes do not hold shape {shape} of {e['dtype']}")
        arr = np.frombuffer(data[begin:end], dtype=np_dtype).astype(np_dtype.newbyteorder("="), copy=True)
        tensors[name] = torch.from_numpy(arr).reshape(shape)
    return tensors, metadata


def read_safetensors(path):
    with open(path, "rb") as f:
        return decode_safetensors(f.read())

