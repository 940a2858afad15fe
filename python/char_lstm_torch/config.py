"""char-lstm's TrainConfig defaults, bounds and flags (the option table of src/options.ts, read from
options.json) and learning-rate schedule (src/optim/schedule.ts).

The train config travels as JSON in every checkpoint under the same keys, so a run moves between the two
engines unchanged.
"""
import json
import math
import os

# The option table of src/options.ts, written by `npm run docs` (a test keeps the two equal): per field its
# default, kind, choices, bounds, whether a resume may change it, whether train_ddp.py offers it, and help.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "options.json"), encoding="utf-8") as _f:
    OPTIONS = json.load(_f)

DEFAULT_MODEL = {k: r["default"] for k, r in OPTIONS["model"].items()}
DEFAULT_TRAIN = {k: r["default"] for k, r in OPTIONS["train"].items()}

# What a resumed run may change; everything else comes from the checkpoint.
RESUMABLE = {k for k, r in OPTIONS["train"].items() if r["resumable"]}

OPTIMIZERS = tuple(OPTIONS["train"]["optimizer"]["choices"])


def kebab(key):
    return "".join("-" + c.lower() if c.isupper() else c for c in key)


def train_flags():
    """train_ddp.py's TrainConfig flags, from the table: (field, flag, type, choices, help) per offered row."""
    kinds = {"int": int, "number": float, "duration": float, "choice": str}
    out = []
    for key, r in OPTIONS["train"].items():
        if not r["python"]:
            continue
        resumable = ", resumable" if r["resumable"] else ""
        out.append((key, "--" + kebab(key), kinds[r["kind"]], tuple(r["choices"]) if "choices" in r else None,
                    f"{r['help']} (default {r['default']}{resumable})"))
    return out


def _within(r, v):
    if r["kind"] == "choice":
        return v in r["choices"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return False
    if r["kind"] == "int" and v != int(v):
        return False
    lo, hi = r.get("min", -math.inf), r.get("max", math.inf)
    return (v > lo if r.get("minOpen") else v >= lo) and (v < hi if r.get("maxOpen") else v <= hi)


def _bounds(r):
    if r["kind"] == "choice":
        return "one of " + ", ".join(r["choices"])
    lo, hi = r.get("min", -math.inf), r.get("max", math.inf)
    if r["kind"] == "int":
        return f"an integer in {lo}..{hi}" if hi != math.inf else f"an integer >= {lo}"
    return f"a number in {'(' if r.get('minOpen') else '['}{lo}, {hi}{')' if r.get('maxOpen') else ']'}"


def validate_train(c):
    """src/config.ts validateTrain, from the same table; raises ValueError naming the flag."""
    for key, r in OPTIONS["train"].items():
        if key in c and not _within(r, c[key]):
            raise ValueError(f"--{kebab(key)} must be {_bounds(r)}, got {c[key]}")
    if c["valFrac"] + c["testFrac"] >= 1:
        raise ValueError(f"--val-frac + --test-frac must be below 1, got {c['valFrac'] + c['testFrac']}")
    if c["lrMin"] > c["lr"]:
        raise ValueError(f"--lr-min must be at most --lr ({c['lr']}), got {c['lrMin']}")
    if c["decay"] in ("cosine", "linear") and not c["maxSteps"] and not c["maxTime"]:
        raise ValueError(f"--decay {c['decay']} needs --max-steps or --max-time (the schedule ends there)")


def _along(span, x):
    """Progress along a span (src/optim/schedule.ts): from span.from at span.start to 1 at span.end."""
    q = min(max((x - span["start"]) / (span["end"] - span["start"]), 0), 1) if span["end"] > span["start"] else 1
    f = span.get("from", 0)
    return f + (1 - f) * q


def learning_rate(c, step, seconds=0.0, span=None):
    """Learning rate for the update after `step` updates (src/optim/schedule.ts): warm-up over the first
    `warmup` steps times none / step / cosine / linear decay at progress p = step / maxSteps with a step
    budget, else p = (seconds - span.start) / (span.end - span.start) over a time span (TrainState.lrSpan)."""
    warm = min(1.0, (step + 1) / c["warmup"]) if c.get("warmup", 0) > 0 else 1.0
    if c["decay"] == "none":
        return c["lr"] * warm
    if c["decay"] == "step":
        return c["lr"] * c["decayRate"] ** (step // c["decayEvery"]) * warm
    steps_span = bool(span) and span.get("unit") == "steps"
    if c["maxSteps"] > 0:
        p = _along(span, step) if steps_span else min(step / c["maxSteps"], 1)
    elif span and not steps_span and span["end"] > span["start"]:
        p = _along(span, seconds)
    else:
        p = 0
    if c["decay"] == "linear":
        return (c["lr"] - (c["lr"] - c["lrMin"]) * p) * warm
    return (c["lrMin"] + 0.5 * (c["lr"] - c["lrMin"]) * (1 + math.cos(math.pi * p))) * warm
