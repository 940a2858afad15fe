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

For `npm run bench:quality` (bench/quality.ts) it runs char-lstm's recipes exactly: --decay cosine|linear
with --lr-min and --lr-warmup follow char-lstm's schedule (src/optim/schedule.ts) over the elapsed fraction of
--seconds, or over --train-steps; --dropout is nn.LSTM's; --init-seed N starts from char-lstm's own init
for --seed N bit for bit (python/char_lstm_torch); --score-stream adds the held-out bits/char of the
validation split read as one stream from a zero state (what `char-lstm eval` computes); --sample-text N
adds N generated characters at --temperature after a newline prime.
"""
import argparse, json, math, os, resource, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def scheduled_lr(a, p, step):
    """char-lstm's learning rate (src/optim/schedule.ts) for the update after `step` updates at progress p."""
    warm = min(1.0, (step + 1) / a.lr_warmup) if a.lr_warmup > 0 else 1.0
    if a.decay == "cosine":
        return (a.lr_min + 0.5 * (a.lr - a.lr_min) * (1 + math.cos(math.pi * p))) * warm
    if a.decay == "linear":
        return (a.lr - (a.lr - a.lr_min) * p) * warm
    return a.lr * warm


class CharLSTM(nn.Module):
    def __init__(self, V, H, L, forget_bias=0.0, dropout=0.0):
        super().__init__()
        self.V = V
        self.lstm = nn.LSTM(input_size=V, hidden_size=H, num_layers=L, dropout=dropout)
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
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--decay", choices=("none", "cosine", "linear"), default="none")
    ap.add_argument("--lr-min", type=float, default=0.0)
    ap.add_argument("--lr-warmup", type=int, default=0, help="linear learning-rate warm-up steps (char-lstm's --warmup)")
    ap.add_argument("--train-steps", type=int, default=0, help="train exactly N steps (the schedule spans them), then report val bpc")
    ap.add_argument("--init-seed", type=int, default=None, help="start from char-lstm's init for --seed N (bit for bit)")
    ap.add_argument("--score-stream", action="store_true", help="also score the validation split as one stream from a zero state")
    ap.add_argument("--sample-text", type=int, default=0, help="generate N characters at --temperature and print them")
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for cuDNN's nn.LSTM on the GPU (bench/gpu.ts)")
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

    model = CharLSTM(V, args.hidden, args.layers, args.forget_bias, args.dropout)
    if args.init_seed is not None:   # char-lstm's own init for this seed, drawn from its PRNG
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
        from char_lstm_torch.model import CharLSTM as Reference
        ref = Reference(V, args.hidden, args.layers, args.dropout)
        ref.init_from_seed(args.init_seed, args.forget_bias)
        model.load_state_dict(ref.state_dict())
    dev = torch.device(args.device)
    model.to(dev)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    updates = 0
    S = (len(train) - 1) // B
    streams = train[: B * S + 1].to(dev)
    windows = S // T

    def batch(w):
        base = torch.arange(B, device=dev) * S + w * T
        pos = base[None, :] + torch.arange(T, device=dev)[:, None]          # (T, B), time-major
        return streams[pos], streams[pos + 1]

    def zero_state(b):
        z = torch.zeros(args.layers, b, args.hidden, device=dev)
        return (z, z.clone())

    state = zero_state(B)
    w = 0

    def step(p=0.0):
        """One update at schedule progress p (0 for the throughput runs: constant lr unless warm-up)."""
        nonlocal state, w, updates
        for group in opt.param_groups:
            group["lr"] = scheduled_lr(args, p, updates)
        updates += 1
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
    def evaluate_stream(T=256):
        """Mean −log2 p over the validation split read as ONE stream from a zero state (char-lstm eval)."""
        model.eval()
        st, total, pos, n = zero_state(1), 0.0, 0, len(val) - 1
        while pos < n:
            t = min(T, n - pos)
            logits, st = model(val[pos:pos + t].view(t, 1), st)
            total += F.cross_entropy(logits.reshape(-1, V), val[pos + 1:pos + t + 1], reduction="sum").item()
            pos += t
        model.train()
        return total / n / math.log(2)

    @torch.no_grad()
    def generate(n):
        model.eval()
        g = torch.Generator().manual_seed(1)
        st = zero_state(1)
        x = torch.tensor([[idx.get("\n", 0)]])
        out = []
        for _ in range(n):
            logits, st = model(x, st)
            p = torch.softmax(logits[0, 0] / args.temperature, dim=-1)
            x = torch.multinomial(p, 1, generator=g).view(1, 1)
            out.append(chars[x.item()])
        model.train()
        return "".join(out)

    @torch.no_grad()
    def evaluate():
        model.eval()
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
        model.train()
        return total / count / math.log(2)

    out = {"peer": "pytorch", "torch": torch.__version__, "blas": blas_info(), "threads": args.threads, "device": args.device,
           "layers": args.layers, "hidden": args.hidden, "batch": B, "seq": T}
    out.update(dropout=args.dropout, lr=args.lr, decay=args.decay, lr_min=args.lr_min, lr_warmup=args.lr_warmup)
    if args.seconds > 0 or args.train_steps > 0:
        t0 = time.perf_counter()
        steps, last = 0, float("nan")
        while (time.perf_counter() - t0 < args.seconds) if args.seconds > 0 else steps < args.train_steps:
            # the schedule's progress: elapsed fraction of the time budget, or of the steps
            p = min((time.perf_counter() - t0) / args.seconds, 1.0) if args.seconds > 0 else steps / args.train_steps
            last = step(p)
            steps += 1
        out.update(steps=steps, train_loss=last, seconds=time.perf_counter() - t0, val_bpc=evaluate())
        if args.score_stream:
            out["val_bpc_stream"] = evaluate_stream()
        if args.sample_text > 0:
            out["sample"] = generate(args.sample_text)
    else:
        for _ in range(args.warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()                     # loss.item() waits for each step, on the GPU too (a training loop's report)
        if dev.type == "cuda":
            torch.cuda.synchronize()
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
