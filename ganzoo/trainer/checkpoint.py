"""Checkpoints: written atomically (temp file, fsync, rename), sealed with a digest, read with ``weights_only=True``.

The digest (SHA-256 over every tensor's bytes and every plain value) catches corruption that still
unpickles, such as a flipped byte inside a tensor; ``--resume`` uses it to fall back to the newest
checkpoint that is whole.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from ganzoo.errors import UserError
from ganzoo.trainer.atomic import atomic_write as atomic_write  # re-exported: callers import it from here

FORMAT = "ganzoo-checkpoint"
FORMAT_VERSION = 2  # 2 adds the digest; version 1 files (no digest) still load
LAST = "last.pt"
STEP_FILE = re.compile(r"^step_(\d+)\.pt$")
# What a trainer checkpoint must hold for ``--resume`` to continue from it.
RESUME_KEYS = ("step", "config", "data_info", "model", "optimizers", "rng", "batches")


class CheckpointError(UserError):
    """A checkpoint that cannot be used; ``problem`` says why without the advice that follows it."""

    def __init__(self, problem: str, advice: str = "resume from an earlier checkpoint or retrain") -> None:
        super().__init__(f"{problem}; {advice}")
        self.problem = problem


def _to_cpu(value: Any) -> Any:
    """The same nested state with every tensor on the CPU (detached), so it can be digested and saved."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, Mapping):
        items = ((k, _to_cpu(v)) for k, v in value.items())
        return type(value)(items) if isinstance(value, dict) else dict(items)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(v) for v in value)
    return value


def digest(state: Mapping[str, Any]) -> str:
    """SHA-256 over ``state`` (without its own ``digest``): keys, plain values, tensor dtypes, shapes, bytes."""
    hasher = hashlib.sha256()

    def feed(value: Any) -> None:
        if isinstance(value, torch.Tensor):
            tensor = value.detach().cpu().contiguous()
            hasher.update(f"T{tensor.dtype}{tuple(tensor.shape)}".encode())
            hasher.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
        elif isinstance(value, Mapping):
            hasher.update(f"M{len(value)}".encode())
            for key, item in value.items():
                hasher.update(repr(key).encode())
                feed(item)
        elif isinstance(value, (list, tuple)):
            hasher.update(f"L{len(value)}".encode())
            for item in value:
                feed(item)
        else:
            hasher.update(f"V{value!r}".encode())

    feed({k: v for k, v in state.items() if k != "digest"})
    return hasher.hexdigest()


def encode_checkpoint(state: Mapping[str, Any]) -> bytes:
    """The bytes of a checkpoint file for ``state`` (plain containers and tensors only), digest included."""
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, **_to_cpu(dict(state))}
    payload["digest"] = digest(payload)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def save_checkpoint(path: Path, state: Mapping[str, Any]) -> None:
    """Write ``state`` atomically to ``path``."""
    data = encode_checkpoint(state)
    atomic_write(path, lambda handle: handle.write(data))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint safely; a missing, corrupt or code-carrying file is a ``UserError``."""
    if path.exists() and not path.is_file():
        raise CheckpointError(f"checkpoint {path} is not a file")
    if not path.is_file():
        raise UserError(f"checkpoint {path} does not exist; train first with `ganzoo run`")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        blocked = re.search(r"GLOBAL (\S+)", str(exc))
        if blocked is None:
            raise CheckpointError(f"checkpoint {path} is corrupt (it does not unpickle)") from None
        raise CheckpointError(
            f"checkpoint {path} was refused: it holds objects that could run code "
            f"(it asks for {blocked.group(1)[:80]})",
            "only load checkpoints you trust",
        ) from None
    except Exception as exc:  # damaged bytes reach torch's rebuild code, which raises any type
        raise CheckpointError(f"checkpoint {path} is corrupt or truncated ({type(exc).__name__})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a ganzoo checkpoint", "point at a file that `ganzoo run` wrote")
    version = state.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint {path} has format version {version!r}, newer than this ganzoo reads ({FORMAT_VERSION})",
            "upgrade ganzoo",
        )
    if version >= 2 and state.get("digest") != digest(state):
        raise CheckpointError(f"checkpoint {path} is corrupt (its contents do not match its digest)")
    return state


def checkpoint_candidates(folder: Path) -> list[Path]:
    """``last.pt``, then ``step_N.pt`` newest first: the order ``--resume`` tries them in."""
    numbered = {p: int(match.group(1)) for p in folder.glob("step_*.pt") if (match := STEP_FILE.match(p.name))}
    steps = sorted(numbered, key=numbered.__getitem__, reverse=True)
    last = folder / LAST
    return ([last] if last.exists() else []) + steps


def load_resumable(folder: Path, warn: Callable[[str], None]) -> tuple[dict[str, Any], Path] | None:
    """The newest whole checkpoint in ``folder`` and its path; ``None`` when there is no checkpoint at all.

    Each corrupt or incomplete file is reported through ``warn`` (one line) and skipped; when files exist
    but none loads, that is a ``UserError`` naming them.
    """
    candidates = checkpoint_candidates(folder)
    if not candidates:
        return None
    for path in candidates:
        try:
            state = load_checkpoint(path)
        except CheckpointError as exc:
            warn(f"{exc.problem}; falling back to the previous checkpoint")
            continue
        missing = [key for key in RESUME_KEYS if key not in state]
        if missing:
            warn(f"checkpoint {path} is incomplete (no {', '.join(missing)}); falling back to the previous checkpoint")
            continue
        return state, path
    raise UserError(
        f"no loadable checkpoint in {folder} (tried {', '.join(p.name for p in candidates)}); "
        f"start a new run without --resume"
    )
