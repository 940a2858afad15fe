#!/usr/bin/env python3
"""The PyTorch peer for `npm run bench`: the same char-LSTM, written as a competent PyTorch user would.

nn.LSTM + nn.Linear on one-hot input, Adam, gradient clipping by global norm, truncated BPTT over B
contiguous streams with the carried (h, c) detached between windows: exactly char-lstm's training step.

Run with Debian's python3 (apt-get install python3-torch libopenblas0-openmp), with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset so OpenBLAS picks its best kernels for this CPU:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peers/torch_charlstm.py \
      --text FILE --layers 2 --hidden 256 --batch 32 --seq 64 --threads 1 --steps 30 [--seconds S]

Prints one JSON line: training chars/s (after warm-up steps), sampling chars/s (batch 1), peak RSS, the
BLAS torch loaded, and for --seconds runs the validation bits/char reached in that wall time.
"""
import argparse, json, math, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CharLSTM(nn.Module):
    def __init__(self, V, H, L, forget_bias=0.0):
        super().__init__()
        self.V = V
        self.lstm = nn.LSTM(input_size=V, hidden_size=H, num_layers=L)
        self.head = nn.Linear(H, V)
        if forget_bias:   # char-lstm's --forget-bias X: added to the forget-gate slice of bias_ih
            with torch.no_grad():
                for k in range(L):
                    getattr(self.lstm, f"bias_ih_l{k}")[H:2 * H] += forget_bias

    def forward(self, x, state):
        out, state = self.lstm(F.one_hot(x, self.V).float(), state)
        return self.head(out), state


def blas_info():
    """The BLAS library actually mapped into this process (Debian's torch links the generic libblas.so.3,
    which the alternatives system points at OpenBLAS when libopenblas0-openmp is installed)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))   # make sure BLAS is loaded
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in path.lower():
                libs.add(path.rsplit("/", 1)[-1])
    return ",".join(sorted(libs)) or "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", required=True)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=0, help="train for this wall time and report val bpc")
    ap.add_argument("--sample", type=int, default=0, help="sampling chars to time at batch 1")
    ap.add_argument("--val-frac", type=float, default=0.05)
    ap.add_argument("--test-frac", type=float, default=0.05)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--forget-bias", type=float, default=0.0, help="as char-lstm's --forget-bias (0: PyTorch's init)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    text = open(args.text, encoding="utf-8").read()
    chars = sorted(set(text))
    idx = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([idx[c] for c in text], dtype=torch.long)
    n = len(data)
    n_test, n_val = int(n * args.test_frac), int(n * args.val_frac)
    train = data[: n - n_val - n_test]
    val = data[n - n_val - n_test: n - n_test]
    V, B, T = len(chars), args.batch, args.seq

    model = CharLSTM(V, args.hidden, args.layers, args.forget_bias)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    S = (len(train) - 1) // B
    streams = train[: B * S + 1]
    windows = S // T

    def batch(w):
        base = torch.arange(B) * S + w * T
        pos = base[None, :] + torch.arange(T)[:, None]          # (T, B), time-major
        return streams[pos], streams[pos + 1]

    def zero_state(b):
        z = torch.zeros(args.layers, b, args.hidden)
        return (z, z.clone())

    state = zero_state(B)
    w = 0

    def step():
        nonlocal state, w
        x, y = batch(w)
        logits, st = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        state = (st[0].detach(), st[1].detach())
        w += 1
        if w >= windows:
            w = 0
            state = zero_state(B)
        return loss.item()

    @torch.no_grad()
    def evaluate():
        nv = len(val)
        b = max(1, min(B, (nv - 1) // T))
        s = (nv - 1) // b
        st = zero_state(b)
        total, count = 0.0, 0
        for start in range(0, s, T):
            t = min(T, s - start)
            base = torch.arange(b) * s + start
            pos = base[None, :] + torch.arange(t)[:, None]
            logits, st = model(val[pos], st)
            total += F.cross_entropy(logits.reshape(-1, V), val[pos + 1].reshape(-1), reduction="sum").item()
            count += t * b
        return total / count / math.log(2)

    out = {"peer": "pytorch", "torch": torch.__version__, "blas": blas_info(), "threads": args.threads,
           "layers": args.layers, "hidden": args.hidden, "batch": B, "seq": T}
    if args.seconds > 0:
        t0 = time.perf_counter()
        steps = 0
        while time.perf_counter() - t0 < args.seconds:
            last = step()
            steps += 1
        out.update(steps=steps, train_loss=last, val_bpc=evaluate(), seconds=time.perf_counter() - t0)
    else:
        for _ in range(args.warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()
        dt = time.perf_counter() - t0
        out.update(train_chars_per_s=args.steps * B * T / dt)
    if args.sample > 0:
        with torch.no_grad():
            st = zero_state(1)
            x = torch.zeros(1, 1, dtype=torch.long)
            g = torch.Generator().manual_seed(1)
            t0 = time.perf_counter()
            for _ in range(args.sample):
                logits, st = model(x, st)
                p = torch.softmax(logits[0, 0], dim=-1)
                x = torch.multinomial(p, 1, generator=g).view(1, 1)
            out["sample_chars_per_s"] = args.sample / (time.perf_counter() - t0)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
