#!/usr/bin/env python3
"""Train a char-lstm model on PyTorch, on one process or many, and write char-lstm checkpoints.

    torchrun --nproc_per_node N python/train_ddp.py --tokens DIR --init CKPT --steps N --out DIR
    torchrun --nproc_per_node N python/train_ddp.py --tokens DIR --layers 2 --hidden 512 --batch 64 --steps N --out DIR
    /usr/bin/python3 python/train_ddp.py ...            (one process, no torchrun)

DIR of --tokens comes from `char-lstm export-tokens TEXT --out DIR`; --steps counts TOTAL steps, as
char-lstm's --max-steps does; DIR/last.safetensors continues with `char-lstm train TEXT --resume`.
CPU runs use gloo, CUDA runs nccl (auto when CUDA is available; --device cpu|cuda to choose).
See docs/scale.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from char_lstm_torch.train import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
