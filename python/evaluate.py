#!/usr/bin/env python3
"""Held-out loss of a text under a char-lstm checkpoint, exactly as `char-lstm eval` computes it: the text
read as one continuous stream from a zero state, the mean over every character but the first of
-log p(char | everything before it), in nats and bits per character.

    /usr/bin/python3 python/evaluate.py --ckpt runs/x/last.safetensors --text held_out.txt [--json]
    /usr/bin/python3 python/evaluate.py --ckpt CKPT --tokens DIR --split test        (a split of a token file)
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from char_lstm_torch import (CheckpointError, Tokens, TokensError, encode_text, evaluate_tokens,  # noqa: E402
                             load_checkpoint, read_text)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="evaluate.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--ckpt", required=True, help="a char-lstm checkpoint (either engine's)")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="a UTF-8 text file")
    src.add_argument("--tokens", metavar="DIR", help="a token file (char-lstm export-tokens), with --split")
    ap.add_argument("--split", choices=("train", "val", "test", "all"), default="test",
                    help="which split of --tokens (fractions from the checkpoint's train config; default test)")
    ap.add_argument("--unknown", choices=("error", "skip"), default="error", help="characters outside the vocabulary")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument("--json", action="store_true", help='print {"nats", "bpc", "chars"}')
    args = ap.parse_args(argv)
    try:
        ck = load_checkpoint(args.ckpt)
        cuda = torch.cuda.is_available() if args.device == "auto" else args.device == "cuda"
        device = torch.device("cuda" if cuda else "cpu")
        model = ck.model.to(device)
        if args.text:
            ids = encode_text(read_text(args.text), ck.vocab, args.unknown)
            what = args.text
        else:
            tok = Tokens(args.tokens)
            if tok.vocab != ck.vocab:
                raise TokensError(f"{args.tokens} has a different vocabulary than {args.ckpt}")
            train = ck.train or {}
            splits = tok.splits(train.get("valFrac", 0.05), train.get("testFrac", 0.05))
            lo, hi = (0, len(tok)) if args.split == "all" else splits[("train", "val", "test").index(args.split)]
            ids = tok.ids[lo:hi]
            what = f"{args.tokens} ({args.split} split)"
        r = evaluate_tokens(model, torch.from_numpy(ids.astype("int64")), device=device)
    except (CheckpointError, TokensError, ValueError, OSError) as e:
        print(f"evaluate.py: error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(r))
    else:
        print(f"{what}: {r['nats']:.4f} nats/char = {r['bpc']:.4f} bits/char over {r['chars']:,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
