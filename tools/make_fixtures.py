#!/usr/bin/env python3
"""Generate the golden test fixture test/golden/tiny.safetensors for char-lstm.

Dev-only script: run by hand, NOT in CI. The output file is committed.

    /usr/bin/python3 tools/make_fixtures.py

(Use Debian's /usr/bin/python3 with the python3-torch package; there is no
safetensors package, so the format is read and written by hand below.)

What it does
------------
A PyTorch reference CharLSTM (nn.LSTM, time-major, + nn.Linear head) is run in
float64 on a tiny config (V=7, H=5, L=2, B=3, T=4) and everything the
TypeScript implementation must reproduce is stored:

  1. the initial parameters, under their exact PyTorch state_dict names;
  2. one forward/backward pass on window 0 from a NON-zero initial state
     (h0, c0): logits, loss, final state, and gradients w.r.t. every
     parameter and w.r.t. h0/c0;
  3. a 5-step Adam run (truncated BPTT over 5 consecutive windows, state
     carried but detached, zero initial state, grad-norm clipping at 5.0):
     the per-step losses and the final parameters.

PyTorch LSTM conventions to match
---------------------------------
* The 4H rows of weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}
  are stacked in gate order i, f, g, o (input, forget, cell candidate,
  output), each a block of H rows:
      i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
      f = sigmoid(W_if x + b_if + W_hf h + b_hf)
      g = tanh   (W_ig x + b_ig + W_hg h + b_hg)
      o = sigmoid(W_io x + b_io + W_ho h + b_ho)
      c' = f * c + i * g
      h' = o * tanh(c')
* PyTorch has TWO bias vectors per layer, b_ih and b_hh; both are added.
  (A single-bias implementation must use b = b_ih + b_hh.)
* Our init convention: PyTorch's default init exactly (every tensor
  U(-1/sqrt(H), 1/sqrt(H)), no forget-gate offset), as char-lstm's.

safetensors layout
------------------
8-byte little-endian u64 header length N, then N bytes of UTF-8 JSON padded
with spaces to a multiple of 8, then the raw little-endian tensor data.
The header maps name -> {"dtype", "shape", "data_offsets": [begin, end]}
(offsets relative to the start of the data section, tensors contiguous in
header order), plus "__metadata__": {str: str}.
"""

import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------
V, H, L, B, T = 7, 5, 2, 3, 4
N_WINDOWS = 5
LR = 1e-2
BETAS = (0.9, 0.999)
EPS = 1e-8
CLIP = 5.0
SEED = 1234

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_PATH = os.path.join(REPO_ROOT, "test", "golden", "tiny.safetensors")


# ---------------------------------------------------------------------------
# Reference model
# ---------------------------------------------------------------------------
class CharLSTM(nn.Module):
    def __init__(self, V, H, L, dropout=0.0):
        super().__init__()
        self.V = V
        self.lstm = nn.LSTM(input_size=V, hidden_size=H, num_layers=L, dropout=dropout)  # time-major (T, B, V)
        self.head = nn.Linear(H, V)

    def forward(self, x, state):  # x: (T, B) int64
        out, state = self.lstm(F.one_hot(x, self.V).double(), state)
        return self.head(out), state  # logits (T, B, V)


def mean_ce(logits, y):
    """Mean cross-entropy (nats) over all T*B targets. logits (T,B,V), y (T,B)."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def window(tokens, k):
    """Window k of the (B, 5T+1) token streams -> time-major x, y of shape (T, B)."""
    x = tokens[:, k * T : k * T + T].t().contiguous()
    y = tokens[:, k * T + 1 : k * T + T + 1].t().contiguous()
    return x, y


# ---------------------------------------------------------------------------
# safetensors writer / reader (hand-rolled, little-endian)
# ---------------------------------------------------------------------------
_DTYPES = {
    # name: (torch dtype, itemsize)
    "F64": (torch.float64, 8),
    "F32": (torch.float32, 4),
    "I32": (torch.int32, 4),
}
_TORCH_TO_ST = {v[0]: k for k, v in _DTYPES.items()}

assert sys.byteorder == "little", "raw tensor bytes are written in native (little-endian) order"


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, tensor) in the order to lay them out."""
    header = {"__metadata__": dict(metadata)}
    blobs = []
    offset = 0
    for name, t in tensors:
        t = t.detach().cpu().contiguous()
        dtype = _TORCH_TO_ST[t.dtype]
        raw = t.numpy().tobytes()
        assert len(raw) == t.numel() * _DTYPES[dtype][1]
        header[name] = {
            "dtype": dtype,
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)  # pad with spaces to a multiple of 8
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Returns (ordered dict name -> tensor, metadata dict)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    data = buf[8 + n :]
    metadata = header.pop("__metadata__", {})
    out = {}
    expected = 0
    for name, info in header.items():  # json preserves order (py3.7+)
        tdtype, size = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        assert begin == expected, f"{name}: non-contiguous layout"
        numel = 1
        for d in info["shape"]:
            numel *= d
        assert end - begin == numel * size, f"{name}: size mismatch"
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=tdtype) if numel else torch.empty(0, dtype=tdtype)
        out[name] = t.reshape(info["shape"]).clone()
        expected = end
    assert expected == len(data), "trailing bytes after last tensor"
    return out, metadata


# ---------------------------------------------------------------------------
# Fixture generation
# ---------------------------------------------------------------------------
def main():
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(SEED)

    model = CharLSTM(V, H, L, dropout=0.0).double()   # PyTorch's own init, no forget-gate offset

    param_names = [name for name, _ in model.named_parameters()]
    init_params = {name: p.detach().clone() for name, p in model.named_parameters()}

    tokens = torch.randint(0, V, (B, N_WINDOWS * T + 1), dtype=torch.int64)
    h0 = torch.randn(L, B, H) * 0.5
    c0 = torch.randn(L, B, H) * 0.5

    # -- 1. single forward/backward on window 0 from non-zero (h0, c0) -----
    h0_ = h0.clone().requires_grad_(True)
    c0_ = c0.clone().requires_grad_(True)
    x, y = window(tokens, 0)
    model.zero_grad()
    logits, (hT, cT) = model(x, (h0_, c0_))
    loss = mean_ce(logits, y)
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in model.named_parameters()}
    grad_h0 = h0_.grad.detach().clone()
    grad_c0 = c0_.grad.detach().clone()

    # -- 2. 5-step Adam, truncated BPTT, zero initial state -----------------
    model.load_state_dict(init_params)  # exactly the same initial params
    for name, p in model.named_parameters():
        assert torch.equal(p, init_params[name])
    model.zero_grad(set_to_none=True)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS)
    state = (torch.zeros(L, B, H), torch.zeros(L, B, H))
    step_losses = []
    for k in range(N_WINDOWS):
        xk, yk = window(tokens, k)
        opt.zero_grad()
        logits_k, (hk, ck) = model(xk, state)
        loss_k = mean_ce(logits_k, yk)
        loss_k.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        step_losses.append(loss_k.item())
        state = (hk.detach(), ck.detach())  # truncated BPTT: carry state, cut graph
    final_params = {name: p.detach().clone() for name, p in model.named_parameters()}

    # -- write --------------------------------------------------------------
    tensors = [("tokens", tokens.to(torch.int32))]
    tensors += [(name, init_params[name]) for name in param_names]
    tensors += [
        ("h0", h0),
        ("c0", c0),
        ("logits", logits.detach()),
        ("loss", loss.detach().reshape(1)),
        ("hT", hT.detach()),
        ("cT", cT.detach()),
    ]
    tensors += [(f"grad.{name}", grads[name]) for name in param_names]
    tensors += [("grad.h0", grad_h0), ("grad.c0", grad_c0)]
    tensors += [("step_losses", torch.tensor(step_losses, dtype=torch.float64))]
    tensors += [(f"final.{name}", final_params[name]) for name in param_names]

    metadata = {
        "format": "char-lstm-fixture/1",
        "V": str(V),
        "H": str(H),
        "L": str(L),
        "B": str(B),
        "T": str(T),
        "lr": str(LR),
        "clip": str(CLIP),
        "torch_version": torch.__version__,
        "note": (
            "PyTorch float64 reference for char-lstm: nn.LSTM (time-major, gates i,f,g,o, "
            "biases b_ih+b_hh, PyTorch's default init) + Linear head; window-0 "
            "forward/backward from random (h0,c0); 5-step Adam (betas 0.9,0.999, eps 1e-8) "
            "with truncated BPTT from zero state and grad-norm clip."
        ),
    }
    write_safetensors(OUT_PATH, tensors, metadata)

    # -- round-trip check + summary ----------------------------------------
    back, meta_back = read_safetensors(OUT_PATH)
    assert meta_back == metadata
    assert list(back.keys()) == [n for n, _ in tensors]
    for name, t in tensors:
        assert back[name].dtype == t.dtype and torch.equal(back[name], t.detach()), name

    print(f"wrote {os.path.relpath(OUT_PATH, REPO_ROOT)} ({os.path.getsize(OUT_PATH)} bytes), "
          f"torch {torch.__version__}")
    for name, t in back.items():
        print(f"  {name:28s} {_TORCH_TO_ST[t.dtype]} {list(t.shape)}")
    print(f"loss        = {back['loss'].item()!r}")
    print(f"step_losses = {[float(v) for v in back['step_losses']]!r}")
    print("round trip OK")


if __name__ == "__main__":
    main()
