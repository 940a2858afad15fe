"""char-lstm's TrainConfig defaults (src/config.ts) and learning-rate schedule (src/optim/clip.ts).

The train config travels as JSON in every checkpoint under the same keys, so a run moves between the two
engines unchanged.
"""
import math

DEFAULT_MODEL = {"layers": 2, "hidden": 256, "dropout": 0.0}

DEFAULT_TRAIN = {
    "valFrac": 0.05, "testFrac": 0.05,
    "batch": 32, "seq": 64,
    "optimizer": "adam", "lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum": 0.9,
    "clip": 5, "clipMode": "norm",
    "decay": "none", "decayRate": 0.5, "decayEvery": 1000, "lrMin": 0, "warmup": 0,
    "maxSteps": 0, "maxTime": 0, "epochs": 0,
    "evalEvery": 200, "sampleEvery": 200, "sampleLength": 200, "checkpointEvery": 200,
    "seed": 1, "forgetBias": 0.0, "maxBadSteps": 5, "patience": 0,
}

# What a resumed run may change (src/cli/train.ts RESUMABLE); everything else comes from the checkpoint.
RESUMABLE = {"maxSteps", "maxTime", "epochs", "evalEvery", "sampleEvery", "sampleLength", "checkpointEvery",
             "maxBadSteps", "lr", "lrMin", "patience"}

OPTIMIZERS = ("adam", "rmsprop", "adagrad", "sgd")


def kebab(key):
    return "".join("-" + c.lower() if c.isupper() else c for c in key)


def validate_train(c):
    """The checks of src/config.ts validateTrain that matter here; raises ValueError naming the flag."""
    if not (0 < c["valFrac"] < 1) or not (0 <= c["testFrac"] < 1) or c["valFrac"] + c["testFrac"] >= 1:
        raise ValueError(f"--val-frac {c['valFrac']} / --test-frac {c['testFrac']} must be fractions summing below 1")
    for k in ("batch", "seq"):
        if not isinstance(c[k], int) or not 1 <= c[k] <= 4096:
            raise ValueError(f"--{k} must be an integer in 1..4096, got {c[k]}")
    if c["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"--optimizer must be adam, rmsprop, adagrad or sgd, got {c['optimizer']}")
    if c["clipMode"] not in ("norm", "value"):
        raise ValueError(f"--clip-mode must be norm or value, got {c['clipMode']}")
    if c["decay"] not in ("none", "step", "cosine", "linear"):
        raise ValueError(f"--decay must be none, step, cosine or linear, got {c['decay']}")
    if not (c["lr"] > 0):
        raise ValueError(f"--lr must be positive, got {c['lr']}")
    if c["decay"] in ("cosine", "linear") and not c["maxSteps"] and not c["maxTime"]:
        raise ValueError(f"--decay {c['decay']} needs --max-steps or --max-time (the schedule ends there)")


def learning_rate(c, step, seconds=0.0, span=None):
    """Learning rate for the update after `step` updates (src/optim/schedule.ts): warm-up over the first
    `warmup` steps times none / step / cosine / linear decay at progress p = step / maxSteps with a step
    budget, else p = (seconds - span.start) / (span.end - span.start) over a time span (TrainState.lrSpan)."""
    warm = min(1.0, (step + 1) / c["warmup"]) if c.get("warmup", 0) > 0 else 1.0
    if c["decay"] == "none":
        return c["lr"] * warm
    if c["decay"] == "step":
        return c["lr"] * c["decayRate"] ** (step // c["decayEvery"]) * warm
    if c["maxSteps"] > 0:
        p = min(step / c["maxSteps"], 1)
    elif span and span["end"] > span["start"]:
        p = min(max((seconds - span["start"]) / (span["end"] - span["start"]), 0), 1)
    else:
        p = 0
    if c["decay"] == "linear":
        return (c["lr"] - (c["lr"] - c["lrMin"]) * p) * warm
    return (c["lrMin"] + 0.5 * (c["lr"] - c["lrMin"]) * (1 + math.cos(math.pi * p))) * warm
