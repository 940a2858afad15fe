"""Held-out loss exactly as `char-lstm eval` computes it (src/train.ts evaluateTokens) and the validation
loss of a run exactly as char-lstm's Trainer.evaluate does."""
import math

import torch
import torch.nn.functional as F

from .tokens import StreamBatcher


@torch.no_grad()
def evaluate_tokens(model, ids, chunk=4096, device=None):
    """A token sequence read as one continuous stream from a zero state: the mean over every token but the
    first of -log p(token | all tokens before it). Returns {"nats", "bpc", "chars"}. `chunk` only bounds
    memory (the state carries across chunks, so the result does not depend on it)."""
    ids = torch.as_tensor(ids).long()
    n = len(ids) - 1
    if n < 1:
        raise ValueError(f"need at least 2 characters to evaluate, got {len(ids)}")
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    state = model.zero_state(1, device)
    total = 0.0
    for pos in range(0, n, chunk):
        Tw = min(chunk, n - pos)
        x = ids[pos:pos + Tw].to(device).view(Tw, 1)
        y = ids[pos + 1:pos + Tw + 1].to(device).view(Tw)
        logits, state = model(x, state)
        total += F.cross_entropy(logits.view(Tw, -1).double(), y, reduction="sum").item()
    model.train(was_training)
    nats = total / n
    return {"nats": nats, "bpc": nats / math.log(2), "chars": n}


@torch.no_grad()
def evaluate_split(model, ids, split, B, T, device=None, what="validation split"):
    """Mean loss (nats) over a whole split as up to B streams with state carried across windows (the last
    one may be short), from a zero state, without dropout (src/train.ts Trainer.evaluate/evalBatcher)."""
    n = split[1] - split[0]
    Bv = max(1, min(B, (n - 1) // T))
    batcher = StreamBatcher(ids, split, Bv, T, what=what)
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    state = model.zero_state(Bv, device)
    total, chars = 0.0, 0
    for w in range(batcher.windows_with_tail):
        x, y = batcher.window(w)
        x, y = x.to(device), y.to(device)
        logits, state = model(x, state)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).double(), y.reshape(-1), reduction="sum").item()
        chars += y.numel()
    model.train(was_training)
    return total / chars
