"""char-lstm checkpoints (DESIGN.md §4, src/checkpoint.ts), read and written from PyTorch.

    lstm.* / head.*                  the parameters: exactly CharLSTM's state_dict, F32
    optim.m.<name>, optim.v.<name>   optimizer moments, same shapes (only those the optimizer keeps):
                                     Adam m/v = torch's exp_avg/exp_avg_sq, RMSprop v = square_avg,
                                     Adagrad v = sum, SGD m = momentum_buffer
    state.h, state.c                 carried LSTM state (L, B, H) of the whole (global) batch
    __metadata__                     format "char-lstm/1", vocab, model, train, state, corpus, step, best_val_bpc
"""
import json
import math

import torch

from .model import CharLSTM, param_specs
from .safetensors_io import SafetensorsError, read_safetensors, write_safetensors

FORMAT = "char-lstm/1"
FORMAT_VERSION = 1
SOFTWARE = "char-lstm-torch 0.1.0"

# which moment buffers each optimizer keeps (src/optim/optimizer.ts), and torch's name for each
MOMENTS = {"adam": {"m": "exp_avg", "v": "exp_avg_sq"}, "rmsprop": {"v": "square_avg"},
           "adagrad": {"v": "sum"}, "sgd": {"m": "momentum_buffer"}}


class CheckpointError(ValueError):
    pass


def clean_json(o):
    """JSON as JavaScript's JSON.stringify writes it: NaN and infinities become null."""
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: clean_json(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean_json(v) for v in o]
    return o


def dumps(o):
    return json.dumps(clean_json(o), separators=(",", ":"), allow_nan=False)


class Checkpoint:
    """A decoded checkpoint: model (CharLSTM on CPU, float32), vocab (list of characters), metadata, and
    when a trainer wrote it: train (TrainConfig dict), state (TrainState dict), corpus (fingerprint),
    moments {"m"|"v": {name: tensor}}, carried (h, c) each (L, B, H)."""

    def __init__(self, model, vocab, metadata, train=None, state=None, corpus=None, moments=None, carried=None):
        self.model, self.vocab, self.metadata = model, vocab, metadata
        self.train, self.state, self.corpus = train, state, corpus
        self.moments = moments or {}
        self.carried = carried


def _json(meta, key, what):
    try:
        return json.loads(meta[key])
    except ValueError:
        raise CheckpointError(f'{what}: metadata "{key}" is not valid JSON: the file is damaged') from None


def load_checkpoint(path):
    what = str(path)
    try:
        tensors, meta = read_safetensors(path)
    except SafetensorsError as e:
        raise CheckpointError(f"{what} is not a readable checkpoint: {e}") from None
    except OSError as e:
        raise CheckpointError(f"cannot read {what}: {e.strerror}") from None
    fmt = meta.get("format")
    if fmt is None:
        raise CheckpointError(f'{what} is a safetensors file but not a char-lstm checkpoint (no "format" metadata)')
    if not fmt.startswith("char-lstm/") or not fmt[len("char-lstm/"):].isdigit():
        raise CheckpointError(f'{what} has format "{fmt}", not a char-lstm checkpoint')
    if int(fmt[len("char-lstm/"):]) > FORMAT_VERSION:
        raise CheckpointError(f"{what} was written by a newer char-lstm (format {fmt}); this reads {FORMAT}")
    if "vocab" not in meta:
        raise CheckpointError(f"{what} has no vocabulary metadata: the file is damaged")
    vocab = _json(meta, "vocab", what)
    if not isinstance(vocab, list) or not all(isinstance(c, str) and len(c) == 1 for c in vocab):
        raise CheckpointError(f"{what}: vocabulary metadata is not a list of characters")
    head = tensors.get("head.weight")
    if head is None or head.dim() != 2:
        raise CheckpointError(f"{what} lacks head.weight (V, H)")
    V, H = head.shape
    if V != len(vocab):
        raise CheckpointError(f"{what}: head.weight has {V} rows but the vocabulary has {len(vocab)} characters")
    L = 0
    while f"lstm.weight_ih_l{L}" in tensors:
        L += 1
    if L == 0 or H < 1:
        raise CheckpointError(f"{what} has no LSTM layers (lstm.weight_ih_l0)")
    stored = _json(meta, "model", what) if "model" in meta else {}
    p = stored.get("dropout", 0) if isinstance(stored, dict) else 0
    dropout = p if isinstance(p, (int, float)) and 0 <= p < 1 else 0.0
    specs = param_specs(V, H, L)

    def take(name, shape):
        t = tensors.get(name)
        if t is None:
            raise CheckpointError(f"{what} lacks tensor {name}")
        if t.dtype == torch.int32:
            raise CheckpointError(f"{what}: tensor {name} is I32, expected F32")
        if list(t.shape) != list(shape):
            raise CheckpointError(f"{what}: tensor {name} has shape {list(t.shape)} but a {L}x{H} model with {V} characters needs {shape}")
        return t.float()

    model = CharLSTM(V, H, L, float(dropout))
    sd = {}
    for name, shape in specs:
        t = take(name, shape)
        if not torch.isfinite(t).all():
            raise CheckpointError(f"{what}: tensor {name} holds non-finite values; the checkpoint is damaged")
        sd[name] = t
    model.load_state_dict(sd)
    ck = Checkpoint(model, vocab, meta)
    if "state" in meta:
        ck.train = _json(meta, "train", what) if "train" in meta else None
        ck.state = _json(meta, "state", what)
        ck.corpus = meta.get("corpus")
        for key in ("m", "v"):
            if f"optim.{key}.{specs[0][0]}" in tensors:
                ck.moments[key] = {name: take(f"optim.{key}.{name}", shape) for name, shape in specs}
        h, c = tensors.get("state.h"), tensors.get("state.c")
        if h is not None and c is not None and h.dim() == 3:
            B = h.shape[1]
            ck.carried = (take("state.h", [L, B, H]), take("state.c", [L, B, H]))
    return ck


def save_checkpoint(path, model, vocab, train=None, state=None, corpus=None, moments=None, carried=None):
    """Write a char-lstm checkpoint atomically. model: CharLSTM (any device); moments: {"m"|"v": {name: tensor}}
    in MOMENTS order; carried: (h, c) of the global batch. Without `state` it is a weights-only file (best
    for sampling); with it, a file `char-lstm train --resume` continues from."""
    sd = model.state_dict()
    specs = param_specs(model.V, model.H, model.L)
    tensors = [(name, sd[name].detach().float().cpu()) for name, _ in specs]
    meta = {"format": FORMAT, "software": f"{SOFTWARE} (torch {torch.__version__})",
            "vocab": json.dumps(list(vocab)), "model": dumps(model.config)}
    if state is not None:
        for key in ("m", "v"):
            if moments and key in moments:
                tensors += [(f"optim.{key}.{name}", moments[key][name].detach().float().cpu()) for name, _ in specs]
        if carried is not None:
            tensors += [("state.h", carried[0].detach().float().cpu()), ("state.c", carried[1].detach().float().cpu())]
        meta["train"] = dumps(train)
        meta["state"] = dumps(state)
        if corpus is not None:
            meta["corpus"] = corpus
        meta["step"] = str(state["step"])
        if state.get("bestVal") is not None:
            meta["best_val_bpc"] = repr(state["bestVal"] / math.log(2))
    write_safetensors(path, tensors, meta)
