"""char-lstm's training step on PyTorch, on one process or many (DistributedDataParallel).

The step is src/train.ts Trainer.step, engine for engine:
  window w of the B streams (time-major), forward from the carried (h, c), mean cross-entropy over B*T,
  backward, clip (global norm or value), optimizer update with learningRate(config, step) * lrScale, carry
  the state detached (truncated BPTT), advance the cursor; at epoch end the state resets to zero. A
  non-finite loss or gradient skips the update, resets the state, counts a bad step, halves the learning
  rate from the second one in a row and stops the run at maxBadSteps.

Under torchrun the global batch's B streams are sharded: rank r owns streams [r*B/N, (r+1)*B/N). Each rank's
loss is the mean over its B/N*T targets and DDP averages gradients over the N equal shards, so the update is
the single-process update of the global batch. Rank 0 gathers the carried state of all streams and writes
char-lstm checkpoints (last.safetensors, best.safetensors) that `char-lstm train --resume` continues.
"""
import argparse
import copy
import datetime
import json
import math
import os
import signal
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

from .checkpoint import MOMENTS, CheckpointError, clean_json, load_checkpoint, save_checkpoint
from .config import DEFAULT_MODEL, DEFAULT_TRAIN, RESUMABLE, kebab, learning_rate, train_flags, validate_train
from .evaluate import evaluate_split
from .model import CharLSTM
from .tokens import StreamBatcher, Tokens, TokensError

# flags of char-lstm's TrainConfig offered here, from the option table (config.train_flags: the rows marked
# python; the budget is --steps / --max-time, no progress samples, no early stopping: those fields ride in
# the config only so that checkpoints move between the engines unchanged)
TRAIN_FLAGS = [key for key, *_ in train_flags()]


class RunError(Exception):
    pass


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        prog="train_ddp.py",
        description="Train a char-lstm model with PyTorch (one process, or many under torchrun) and write "
                    "char-lstm checkpoints.",
        epilog="example: torchrun --nproc_per_node 4 python/train_ddp.py --tokens tok/ --init runs/x/last.safetensors "
               "--steps 20000 --out runs/x-ddp")
    ap.add_argument("--tokens", required=True, metavar="DIR", help="token file from `char-lstm export-tokens TEXT --out DIR`")
    ap.add_argument("--init", metavar="CKPT", help="continue this char-lstm checkpoint (a run's last.safetensors)")
    ap.add_argument("--layers", type=int, help=f"from scratch: stacked LSTM layers (default {DEFAULT_MODEL['layers']})")
    ap.add_argument("--hidden", type=int, help=f"from scratch: units per layer (default {DEFAULT_MODEL['hidden']})")
    ap.add_argument("--dropout", type=float, help="from scratch: dropout between LSTM layers (default 0)")
    ap.add_argument("--steps", type=int, required=True, metavar="N", help="stop at N TOTAL steps (counting the checkpoint's)")
    ap.add_argument("--max-time", type=float, metavar="SECONDS", help="also stop after this many seconds of this invocation")
    ap.add_argument("--out", required=True, metavar="DIR", help="directory for last.safetensors and best.safetensors "
                    "(one that already holds a run is refused unless --init continues it or --overwrite)")
    ap.add_argument("--overwrite", action="store_true", help="replace the run already in --out")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="auto: CUDA (nccl) when available, else CPU (gloo)")
    ap.add_argument("--threads", type=int, help="CPU threads per process (default: cores / processes on this node)")
    ap.add_argument("--json", action="store_true", help="one JSON object per line on stdout (rank 0), as `char-lstm train --json`")
    ap.add_argument("--log-every", type=int, default=10, metavar="N", help="progress line every N steps without --json")
    ap.add_argument("--verify-tokens", action="store_true", help="recompute the token file's fingerprint (one pass over it)")
    for key, flag, kind, choices, help_text in train_flags():
        ap.add_argument(flag, dest=key, type=kind, choices=choices, default=None, help=help_text)
    return ap.parse_args(argv)


class Dist:
    """Who we are: world size, rank, device; set up from torchrun's environment (or a single process)."""

    def __init__(self, device_flag, threads):
        self.distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
        self.rank = int(os.environ.get("RANK", 0))
        self.world = int(os.environ.get("WORLD_SIZE", 1))
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", 1))
        cuda = torch.cuda.is_available() if device_flag == "auto" else device_flag == "cuda"
        if cuda and not torch.cuda.is_available():
            raise RunError("--device cuda, but this torch sees no CUDA device")
        if cuda:
            torch.cuda.set_device(self.local_rank % torch.cuda.device_count())
            self.device = torch.device("cuda", torch.cuda.current_device())
        else:
            self.device = torch.device("cpu")
            torch.set_num_threads(threads or max(1, (os.cpu_count() or 1) // local_world))
        self.backend = "nccl" if cuda else "gloo"
        if self.distributed:
            dist.init_process_group(self.backend, timeout=datetime.timedelta(minutes=30))

    def all_sum(self, values):
        """Sum a list of floats over ranks (one small all-reduce)."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def gather_streams(self, t):
        """(L, B/N, H) on every rank -> (L, B, H) of the global batch, streams in rank order."""
        if not self.distributed:
            return t
        parts = [torch.empty_like(t) for _ in range(self.world)]
        dist.all_gather(parts, t.contiguous())
        return torch.cat(parts, dim=1)

    def close(self):
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()


def make_optimizer(cfg, params):
    kind = cfg["optimizer"]
    if kind == "adam" and cfg.get("weightDecay", 0) > 0:
        # char-lstm's --weight-decay is AdamW's decoupled decay: p *= 1 - lr*wd, then the Adam step
        return torch.optim.AdamW(params, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"],
                                 weight_decay=cfg["weightDecay"])
    if kind == "adam":
        return torch.optim.Adam(params, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"])
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=cfg["lr"], alpha=cfg["beta2"], eps=cfg["eps"])
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=cfg["lr"], eps=cfg["eps"])
    return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"])


def load_moments(opt, cfg, named, moments, opt_t, device, what):
    """char-lstm's flat moments -> torch's optimizer state, per parameter; Adam/RMSprop/Adagrad's step = optT."""
    kind = cfg["optimizer"]
    for key in MOMENTS[kind]:
        if key not in moments:
            if opt_t > 0:
                raise CheckpointError(f"{what} lacks the optimizer's {key} moments")
            return
    for name, p in named:
        st = opt.state[p]
        for key, tname in MOMENTS[kind].items():
            if kind == "sgd" and cfg["momentum"] == 0:
                continue
            st[tname] = moments[key][name].to(device).clone()
        if kind != "sgd":
            st["step"] = torch.tensor(float(opt_t))


def save_moments(opt, cfg, named):
    out = {}
    for key, tname in MOMENTS[cfg["optimizer"]].items():
        out[key] = {}
        for name, p in named:
            t = opt.state.get(p, {}).get(tname)
            out[key][name] = t.detach() if t is not None else torch.zeros_like(p)
    return out


def _error(msg, d=None):
    who = f" (rank {d.rank})" if d is not None and d.world > 1 else ""
    sys.stderr.write(f"train_ddp: error{who}: {msg}\n")   # one write: ranks' lines do not interleave
    sys.stderr.flush()


def main(argv=None):
    args = parse_args(argv)
    try:
        d = Dist(args.device, args.threads)
    except RunError as e:
        _error(e)
        return 2
    try:
        return run(args, d)
    except (RunError, CheckpointError, TokensError, ValueError) as e:
        _error(e, d)
        return 1
    finally:
        d.close()


def run(args, d):
    rank0 = d.rank == 0
    out = sys.stdout if not args.json else sys.stderr

    def say(s):
        if rank0:
            print(s, file=out, flush=True)

    def emit(o):
        if rank0 and args.json:
            print(json.dumps(clean_json(o), allow_nan=False), flush=True)

    # never replace another run's checkpoints silently (as `char-lstm train` refuses such an --out)
    held = [f for f in ("last.safetensors", "best.safetensors") if os.path.exists(os.path.join(args.out, f))]
    continuing = args.init is not None and os.path.realpath(os.path.dirname(args.init) or ".") == os.path.realpath(args.out)
    if held and not continuing and not args.overwrite:
        raise RunError(f"{args.out} already holds a run ({', '.join(held)}); continue it with --init "
                       f"{os.path.join(args.out, 'last.safetensors')}, choose another --out, or replace it with --overwrite")

    tokens = Tokens(args.tokens, verify=args.verify_tokens)
    V = len(tokens.vocab)
    flags = {k: getattr(args, k) for k in TRAIN_FLAGS if getattr(args, k) is not None}

    if args.init:
        ck = load_checkpoint(args.init)
        if ck.state is None or ck.train is None:
            raise RunError(f"{args.init} holds no training state (best.safetensors is for sampling); continue from last.safetensors")
        if ck.vocab != tokens.vocab:
            raise RunError(f"{args.init} has a different vocabulary ({len(ck.vocab)} characters) than {args.tokens} ({V}); "
                           "export the tokens of the text the run was trained on")
        if ck.corpus and tokens.fingerprint and ck.corpus != tokens.fingerprint:
            raise RunError(f"{args.init} was trained on a different text (fingerprint {ck.corpus}, {args.tokens} has "
                           f"{tokens.fingerprint}); export the tokens of the same file")
        cfg = {**DEFAULT_TRAIN, **ck.train}
        ignored = [f"--{kebab(k)}" for k, v in flags.items() if k not in RESUMABLE and v != cfg[k]]
        cfg.update({k: v for k, v in flags.items() if k in RESUMABLE})
        ignored += [f"--{f}" for f in ("layers", "hidden", "dropout") if getattr(args, f) is not None]
        if ignored:
            say(f"train_ddp: continuing {args.init}: {', '.join(ignored)} ignored (the checkpoint defines them)")
        if cfg.get("weightDrop", 0) > 0:
            raise RunError(f"{args.init} trains with --weight-drop {cfg['weightDrop']} (DropConnect on W_hh), which this "
                           "PyTorch leg does not implement; continue it with char-lstm train --resume")
        model = ck.model
        state = copy.deepcopy(ck.state)
        defaults = {"step": 0, "epoch": 0, "window": 0, "optT": 0, "lrScale": 1, "badSteps": 0, "bestVal": None,
                    "history": [], "seconds": 0}
        state = {**defaults, **state}
        if "rng" not in state:
            state["rng"] = CharLSTM(1, 1, 1).init_from_seed(cfg["seed"])   # any valid state; only dropout uses it
    else:
        cfg = {**DEFAULT_TRAIN, **flags}
        L = args.layers if args.layers is not None else DEFAULT_MODEL["layers"]
        H = args.hidden if args.hidden is not None else DEFAULT_MODEL["hidden"]
        p = args.dropout if args.dropout is not None else DEFAULT_MODEL["dropout"]
        if not (1 <= L <= 16 and 1 <= H <= 8192 and 0 <= p < 1):
            raise RunError(f"--layers {L} / --hidden {H} / --dropout {p} out of range (1..16, 1..8192, [0, 1))")
        ck = None
        model = CharLSTM(V, H, L, p)
        rng = model.init_from_seed(cfg["seed"], cfg["forgetBias"])   # the weights `char-lstm train --seed N` starts from
        state = {"step": 0, "epoch": 0, "window": 0, "rng": rng, "optT": 0, "lrScale": 1, "badSteps": 0,
                 "bestVal": None, "history": [], "seconds": 0}
    # this invocation's budget, as `char-lstm train --resume --max-steps N [--max-time S]` would record it
    cfg["maxSteps"] = args.steps
    cfg["maxTime"] = args.max_time or 0
    validate_train(cfg)
    B, T = cfg["batch"], cfg["seq"]
    if B % d.world:
        raise RunError(f"batch {B} is not divisible by {d.world} processes: the B streams are shared out evenly, "
                       f"so use a process count that divides {B}")
    b0, b1 = d.rank * B // d.world, (d.rank + 1) * B // d.world
    train_split, val_split, _ = tokens.splits(cfg["valFrac"], cfg["testFrac"])
    batcher = StreamBatcher(tokens.ids, train_split, B, T, streams=(b0, b1))
    nval = val_split[1] - val_split[0]
    if nval < T + 1:
        raise RunError(f"the validation split has {nval} characters, but seq {T} needs at least {T + 1}; "
                       "use a longer text, a larger --val-frac or a smaller --seq")
    if state["window"] >= batcher.windows:
        raise RunError(f"the checkpoint's window cursor {state['window']} is past the {batcher.windows} windows of an epoch: "
                       "the token file does not match the run")

    device = d.device
    model.to(device)
    model.lstm.flatten_parameters()
    named = list(model.named_parameters())
    opt = make_optimizer(cfg, [p for _, p in named])
    opt_t = int(state["optT"])
    if ck is not None:
        load_moments(opt, cfg, named, ck.moments, opt_t, device, args.init)
    if ck is not None and ck.carried is not None and ck.carried[0].shape[1] == B:
        carried = (ck.carried[0][:, b0:b1].contiguous().to(device), ck.carried[1][:, b0:b1].contiguous().to(device))
    elif ck is not None and state["step"] > 0 and state["window"] > 0:
        raise CheckpointError(f"{args.init} lacks the carried LSTM state for batch {B}")
    else:
        carried = model.zero_state(b1 - b0, device)
    net = model
    if d.distributed:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    # dropout masks come from torch's generator: a different stream per rank and per (re)start
    torch.manual_seed((cfg["seed"] * 1_000_003 + d.rank * 7919 + state["step"]) % (2 ** 63))

    os.makedirs(args.out, exist_ok=True)
    last_path, best_path = os.path.join(args.out, "last.safetensors"), os.path.join(args.out, "best.safetensors")
    nparams = sum(p.numel() for p in model.parameters())
    say(f"train_ddp: {'continuing ' + args.init + ' at step ' + str(state['step']) if ck else 'training from scratch'} "
        f"on {args.tokens} ({len(tokens):,} chars, vocabulary {V}); {model.L}x{model.H} LSTM, dropout {model.dropout}, "
        f"{nparams:,} parameters")
    say(f"  {d.world} process(es) on {device.type} ({d.backend if d.distributed else 'single process'}), "
        f"batch {B} = {d.world} x {b1 - b0} streams x seq {T}; {cfg['optimizer']} lr {cfg['lr']}, clip {cfg['clip']} "
        f"({cfg['clipMode']}), decay {cfg['decay']}; until step {args.steps}; checkpoints in {args.out}/")

    stop_signal = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda s, f: stop_signal.append(s))

    def checkpoint(best):
        # collective: every rank takes part in gathering the state, rank 0 writes
        h, c = d.gather_streams(carried[0]), d.gather_streams(carried[1])
        moments = save_moments(opt, cfg, named)
        if rank0:
            st = dict(state, optT=opt_t)
            save_checkpoint(last_path, model, tokens.vocab, cfg, st, tokens.fingerprint, moments, (h, c))
            emit({"event": "checkpoint", "step": state["step"], "path": last_path})
            if best:
                save_checkpoint(best_path, model, tokens.vocab, cfg, st, tokens.fingerprint, moments, (h, c))
                emit({"event": "checkpoint", "step": state["step"], "path": best_path})

    loss_sum, loss_count = 0.0, 0
    last_eval_step = None

    def evaluate_and_save():
        nonlocal loss_sum, loss_count, last_eval_step
        best = False
        if rank0:
            val = evaluate_split(model, tokens.ids, val_split, B, T, device)
            best = state["bestVal"] is None or val < state["bestVal"]
            if best:
                state["bestVal"] = val
            state["history"].append({"step": state["step"], "train": loss_sum / loss_count if loss_count else float("nan"), "val": val})
            emit({"event": "eval", "step": state["step"], "val_loss": val, "val_bpc": val / math.log(2)})
            if not args.json:
                say(f"step {state['step']}: val loss {val:.4f} nats = {val / math.log(2):.4f} bits/char{' (best)' if best else ''}")
        loss_sum, loss_count, last_eval_step = 0.0, 0, state["step"]
        checkpoint(best)

    t0 = time.perf_counter()
    seconds_before = state["seconds"]
    last_loss = float("nan")
    rate_time, rate_steps, chars_per_s = 0.0, 0, 0.0      # chars/s over step time only, as char-lstm reports it
    reason = "max-steps"
    model.train()
    while state["step"] < args.steps:
        ts = time.perf_counter()
        x, y = batcher.window(state["window"])
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        logits, (h, c) = net(x, carried)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        lr = learning_rate(cfg, state["step"]) * state["lrScale"]
        opt.zero_grad(set_to_none=True)
        loss.backward()                 # DDP: gradients averaged over the ranks' equal shards
        want_stop = bool(stop_signal) or (args.max_time is not None and time.perf_counter() - t0 >= args.max_time)
        loss_total, stops = d.all_sum([loss.item(), float(want_stop)])
        gloss = loss_total / d.world
        params = [p for _, p in named]
        if cfg["clipMode"] == "norm":
            norm = float(torch.nn.utils.clip_grad_norm_(params, cfg["clip"] if cfg["clip"] > 0 else float("inf")))
        else:
            norm = float(torch.nn.utils.clip_grad_norm_(params, float("inf")))
            if cfg["clip"] > 0 and math.isfinite(norm):
                torch.nn.utils.clip_grad_value_(params, cfg["clip"])
        skipped = not (math.isfinite(gloss) and math.isfinite(norm))
        if skipped:
            state["badSteps"] += 1
            if state["badSteps"] >= cfg["maxBadSteps"]:
                raise RunError(f"loss or gradients were non-finite for {state['badSteps']} steps in a row (step {state['step'] + 1}); "
                               "lower --lr or --clip, or check the data")
            if state["badSteps"] >= 2:
                state["lrScale"] *= 0.5
            carried = model.zero_state(b1 - b0, device)
        else:
            state["badSteps"] = 0
            for g in opt.param_groups:
                g["lr"] = lr
            opt.step()
            opt_t += 1
            carried = (h.detach(), c.detach())
            loss_sum += gloss
            loss_count += 1
            last_loss = gloss
        state["step"] += 1
        state["optT"] = opt_t
        state["window"] += 1
        if state["window"] >= batcher.windows:
            state["window"] = 0
            state["epoch"] += 1
            carried = model.zero_state(b1 - b0, device)
        now = time.perf_counter()
        state["seconds"] = seconds_before + (now - t0)
        rate_time += now - ts
        rate_steps += 1
        if rate_time > 1 or chars_per_s == 0:
            chars_per_s, rate_time, rate_steps = rate_steps * B * T / max(rate_time, 1e-9), 0.0, 0
        epoch = state["epoch"] + state["window"] / batcher.windows
        step_event = {"event": "step", "step": state["step"], "epoch": epoch, "loss": gloss if not skipped else None,
                      "bpc": gloss / math.log(2) if not skipped else None, "chars_per_s": chars_per_s, "lr": lr,
                      "grad_norm": norm if math.isfinite(norm) else None}
        if skipped:
            step_event["skipped"] = True
        emit(step_event)
        if not args.json and (state["step"] % args.log_every == 0 or skipped):
            say(f"step {state['step']}/{args.steps} epoch {epoch:.3f}: loss {gloss:.4f} ({gloss / math.log(2):.4f} bpc), "
                f"lr {lr:.3g}, {chars_per_s:,.0f} chars/s{' SKIPPED (non-finite)' if skipped else ''}")
        if cfg["evalEvery"] and state["step"] % cfg["evalEvery"] == 0:
            evaluate_and_save()
        elif cfg["checkpointEvery"] and state["step"] % cfg["checkpointEvery"] == 0:
            checkpoint(False)
        if stops > 0:
            reason = "stopped" if stop_signal else "max-time"
            break
    if last_eval_step != state["step"]:
        evaluate_and_save()
    best_val = state["bestVal"]
    emit({"event": "done", "step": state["step"], "train_loss": last_loss, "seconds": time.perf_counter() - t0,
          "reason": reason, "best_val_bpc": best_val / math.log(2) if best_val is not None else None})
    if not args.json:
        say(f"done at step {state['step']} ({reason}) after {time.perf_counter() - t0:.1f}s: train loss {last_loss:.4f}; saved {last_path}")
        say(f"continue with char-lstm:  npx char-lstm train TEXT --resume {last_path} --max-steps N")
    return 130 if reason == "stopped" else 0
