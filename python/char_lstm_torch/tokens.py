"""char-lstm's token file (written by `char-lstm export-tokens TEXT --out DIR`), its splits and batch layout.

    DIR/tokens.bin   raw little-endian unsigned ints, one per character (Unicode code point) of the text:
                     u8 when V <= 256, u16 when V <= 65536, else u32
    DIR/tokens.json  {"format": "char-lstm-tokens/1", "vocab": [chars in index order], "dtype": "u8"|"u16"|"u32",
                      "count": N, "fingerprint": "<string>", "source": "<file name>", "check": "<hex8>"}
                     "check" (absent in older files) is bin_check() of tokens.bin: a bin and a json that were
                     not replaced together are refused

Splits (src/data/corpus.ts): nTest = floor(N*testFrac), nVal = floor(N*valFrac), train = [0, N-nVal-nTest),
val = the next nVal, test = the tail.
Batches (src/data/loader.ts): a split of n tokens is cut into B streams of S = floor((n-1)/B); window w, step t,
stream b: x = tok[start + b*S + w*T + t], y = the next token; floor(S/T) full windows per epoch.
"""
import json
import math
import os

import numpy as np
import torch

FORMAT = "char-lstm-tokens/1"
_NP = {"u8": np.dtype("<u1"), "u16": np.dtype("<u2"), "u32": np.dtype("<u4")}


class TokensError(ValueError):
    pass


def dtype_for(V):
    return "u8" if V <= 256 else "u16" if V <= 65536 else "u32"


def fingerprint(ids):
    """char-lstm's Corpus.fingerprint(): FNV-1a over the low two bytes of each id, "N:hex8"."""
    h = 0x811C9DC5
    for t in np.asarray(ids).tolist():
        h = ((h ^ (t & 0xFF)) * 0x01000193) & 0xFFFFFFFF
        h = ((h ^ ((t >> 8) & 0xFF)) * 0x01000193) & 0xFFFFFFFF
    return f"{len(ids)}:{h:08x}"


CHECK_BYTES = 4096


def _check(head, tail, size):
    """src/data/tokens.ts binCheck(): FNV-1a over the first and last 4096 bytes of tokens.bin, then its size."""
    h = 0x811C9DC5
    for b in bytes(head) + bytes(tail):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    for _ in range(8):
        h = ((h ^ (size % 256)) * 0x01000193) & 0xFFFFFFFF
        size //= 256
    return f"{h:08x}"


def bin_check(data):
    """The "check" of tokens.bin's bytes `data`."""
    n = min(CHECK_BYTES, len(data))
    return _check(data[:n], data[len(data) - n:], len(data))


def encode_text(text, chars, unknown="error"):
    """Token ids (int64 numpy) of `text` under the vocabulary `chars`; unknown characters are an error
    naming them, or dropped with unknown="skip" (src/data/vocab.ts encode)."""
    index = {c: i for i, c in enumerate(chars)}
    ids, missing = [], {}
    for ch in text:
        i = index.get(ch)
        if i is not None:
            ids.append(i)
        elif unknown == "error":
            missing.setdefault(ch, None)
    if missing:
        show = ", ".join(json.dumps(c) for c in list(missing)[:10])
        raise TokensError(f"{len(missing)} character(s) not in the model's vocabulary: {show} (use --unknown skip to drop them)")
    return np.array(ids, dtype=np.int64)


def read_text(path):
    """A UTF-8 text as char-lstm reads it: strict UTF-8, a leading BOM dropped, line ends untouched."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TokensError(f"{path} is not valid UTF-8 text: bad byte at offset {e.start}") from None


def write_tokens(text, out_dir, source="text"):
    """Python twin of `char-lstm export-tokens` (for tests and machines without Node)."""
    chars = sorted(set(text))
    ids = encode_text(text, chars)
    dt = dtype_for(len(chars))
    os.makedirs(out_dir, exist_ok=True)
    raw = ids.astype(_NP[dt]).tobytes()
    meta = {"format": FORMAT, "vocab": chars, "dtype": dt, "count": int(len(ids)),
            "fingerprint": fingerprint(ids), "source": source, "check": bin_check(raw)}
    # both to temporary names, then renamed: the pair is replaced together (as src/io/tokenfile.ts does)
    pairs = [(os.path.join(out_dir, f".{name}.tmp-{os.getpid()}"), os.path.join(out_dir, name)) for name in ("tokens.bin", "tokens.json")]
    with open(pairs[0][0], "wb") as f:
        f.write(raw)
    with open(pairs[1][0], "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
    for tmp, path in pairs:
        os.replace(tmp, path)
    return meta


class Tokens:
    """A token file, memory-mapped."""

    def __init__(self, directory, verify=False):
        jpath, bpath = os.path.join(directory, "tokens.json"), os.path.join(directory, "tokens.bin")
        for p in (jpath, bpath):
            if not os.path.isfile(p):
                raise TokensError(f"{p} does not exist: make the token file with `char-lstm export-tokens TEXT --out {directory}`")
        try:
            with open(jpath, encoding="utf-8") as f:
                meta = json.load(f)
        except ValueError:
            raise TokensError(f"{jpath} is not valid JSON") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise TokensError(f"{jpath} has format {meta.get('format') if isinstance(meta, dict) else None!r}, expected {FORMAT!r}")
        vocab, dt, count = meta.get("vocab"), meta.get("dtype"), meta.get("count")
        if not isinstance(vocab, list) or not vocab or not all(isinstance(c, str) and len(c) == 1 for c in vocab):
            raise TokensError(f"{jpath}: vocab must be a non-empty list of single characters")
        # a fresh vocabulary is sorted; an extended one (fine-tuning with --extend-vocab) appends new characters
        if len(set(vocab)) != len(vocab):
            raise TokensError(f"{jpath}: vocab lists a character twice")
        if dt not in _NP:
            raise TokensError(f"{jpath}: dtype {dt!r} is not u8, u16 or u32")
        if not isinstance(count, int) or count < 0:
            raise TokensError(f"{jpath}: count must be a non-negative integer")
        size = os.path.getsize(bpath)
        if size != count * _NP[dt].itemsize:
            raise TokensError(f"{bpath} has {size} bytes but {count} {dt} tokens need {count * _NP[dt].itemsize}: the file is truncated or stale")
        check = meta.get("check")
        if check is not None:
            with open(bpath, "rb") as f:
                n = min(CHECK_BYTES, size)
                head = f.read(n)
                f.seek(size - n)
                tail = f.read(n)
            got = _check(head, tail, size)
            if got != check:
                raise TokensError(f"{bpath} does not match {jpath} (check {got}, the json says {check}): "
                                  "the two files do not belong together; re-export them")
        self.meta = meta
        self.vocab = vocab
        self.fingerprint = meta.get("fingerprint")
        self.source = meta.get("source")
        self.ids = np.memmap(bpath, dtype=_NP[dt], mode="r", shape=(count,)) if count else np.zeros(0, _NP[dt])
        if verify:
            if count and int(self.ids.max()) >= len(vocab):
                raise TokensError(f"{bpath} holds token id {int(self.ids.max())} but the vocabulary has {len(vocab)} characters")
            fp = fingerprint(self.ids)
            if self.fingerprint is not None and fp != self.fingerprint:
                raise TokensError(f"{bpath} has fingerprint {fp} but {jpath} says {self.fingerprint}: the files do not belong together")

    def __len__(self):
        return len(self.ids)

    def splits(self, val_frac, test_frac):
        """(train, val, test) as (start, end) pairs."""
        n = len(self.ids)
        n_test, n_val = math.floor(n * test_frac), math.floor(n * val_frac)
        n_train = n - n_val - n_test
        return (0, n_train), (n_train, n_train + n_val), (n_train + n_val, n)

    def tensor(self, start, end):
        return torch.from_numpy(np.asarray(self.ids[start:end]).astype(np.int64))


class StreamBatcher:
    """src/data/loader.ts StreamBatcher over a token array, restricted to the streams [b0, b1) of the B
    (a DDP rank's shard). Only that shard's characters are held, in a narrow integer tensor."""

    def __init__(self, ids, split, B, T, streams=None, what="training split"):
        start, end = split
        n = end - start
        if n < B * T + 1:
            raise TokensError(f"the {what} has {n} characters, but batch {B} x seq {T} needs at least {B * T + 1}; "
                              "use a longer text or a smaller --batch/--seq")
        self.B, self.T, self.S = B, T, (n - 1) // B
        b0, b1 = streams if streams is not None else (0, B)
        self.streams = (b0, b1)
        lo, hi = start + b0 * self.S, start + b1 * self.S + 1     # one spare for the last target
        a = np.asarray(ids[lo:hi])
        self.data = torch.from_numpy(a.astype(np.uint8 if a.dtype.itemsize == 1 else np.int32))
        self.offsets = torch.arange(b1 - b0) * self.S              # stream starts relative to lo

    @property
    def windows(self):
        """Full windows per epoch."""
        return self.S // self.T

    @property
    def windows_with_tail(self):
        return -(-self.S // self.T)

    def window_length(self, w):
        return min(self.T, self.S - w * self.T)

    def window(self, w):
        """Window w as (x, y), each (Tw, b1 - b0) int64, time-major."""
        Tw = self.window_length(w)
        pos = self.offsets[None, :] + (w * self.T + torch.arange(Tw))[:, None]
        return self.data[pos].long(), self.data[pos + 1].long()
