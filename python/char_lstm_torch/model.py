"""The reference module of char-lstm's DESIGN.md §4: its state_dict IS a char-lstm checkpoint's tensors.

    lstm = nn.LSTM(input_size=V, hidden_size=H, num_layers=L, dropout=p)   # time-major, fed one-hot x
    head = nn.Linear(H, V)
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .rng import Rng, init_params


def param_specs(V, H, L):
    """[(name, shape)] in char-lstm's spec-table order (src/params.ts), which is nn.LSTM's order too."""
    specs = []
    for k in range(L):
        D = V if k == 0 else H
        specs += [(f"lstm.weight_ih_l{k}", [4 * H, D]), (f"lstm.weight_hh_l{k}", [4 * H, H]),
                  (f"lstm.bias_ih_l{k}", [4 * H]), (f"lstm.bias_hh_l{k}", [4 * H])]
    return specs + [("head.weight", [V, H]), ("head.bias", [V])]


class CharLSTM(nn.Module):
    def __init__(self, V, H, L, dropout=0.0):
        super().__init__()
        self.V, self.H, self.L, self.dropout = V, H, L, dropout
        self.lstm = nn.LSTM(input_size=V, hidden_size=H, num_layers=L, dropout=dropout)
        self.head = nn.Linear(H, V)

    @property
    def config(self):
        """char-lstm's ModelConfig."""
        return {"layers": self.L, "hidden": self.H, "dropout": self.dropout, "vocabSize": self.V}

    def specs(self):
        return param_specs(self.V, self.H, self.L)

    def forward(self, x, state=None):
        """x: (T, B) int64 token ids; state: (h, c), each (L, B, H), or None for zeros.
        Returns logits (T, B, V) and the final (h, c)."""
        out, state = self.lstm(F.one_hot(x, self.V).float(), state)
        return self.head(out), state

    def zero_state(self, B, device=None):
        z = torch.zeros(self.L, B, self.H, device=device)
        return z, z.clone()

    @torch.no_grad()
    def init_from_seed(self, seed, forget_bias=0.0):
        """char-lstm's init for `--seed seed [--forget-bias X]`, bit for bit (PyTorch's own distribution,
        drawn from char-lstm's PRNG); returns the RNG state after it (what a fresh char-lstm run carries in
        its checkpoint)."""
        rng = Rng(seed)
        values = init_params(self.specs(), self.H, rng, forget_bias)
        sd = self.state_dict()
        for name, a in values.items():
            sd[name].copy_(torch.from_numpy(a))
        return rng.state()
