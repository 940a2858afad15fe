"""char-lstm on PyTorch: the same model, checkpoints and token files as the TypeScript library, so a run can
move to PyTorch's distributed engine (torchrun, DDP) and back. See docs/scale.md.

    from char_lstm_torch import CharLSTM, load_checkpoint, save_checkpoint, Tokens, evaluate_tokens
"""
from .checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from .config import DEFAULT_MODEL, DEFAULT_TRAIN, learning_rate
from .evaluate import evaluate_split, evaluate_tokens
from .model import CharLSTM, param_specs
from .rng import Rng
from .safetensors_io import SafetensorsError, read_safetensors, write_safetensors
from .tokens import StreamBatcher, Tokens, TokensError, encode_text, fingerprint, read_text, write_tokens

__version__ = "0.1.0"
__all__ = ["CharLSTM", "Checkpoint", "CheckpointError", "DEFAULT_MODEL", "DEFAULT_TRAIN", "Rng", "SafetensorsError",
           "StreamBatcher", "Tokens", "TokensError", "encode_text", "evaluate_split", "evaluate_tokens", "fingerprint",
           "learning_rate", "load_checkpoint", "param_specs", "read_safetensors", "read_text", "save_checkpoint",
           "write_safetensors", "write_tokens"]
