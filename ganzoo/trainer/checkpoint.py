"""Checkpoints: written atomically (temp file, fsync, rename) and read with ``weights_only=True``."""

from __future__ import annotations

import os
import pickle
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import torch

from ganzoo.errors import UserError

FORMAT = "ganzoo-checkpoint"
FORMAT_VERSION = 1
LAST = "last.pt"


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(file)`` on a temp file beside ``path``, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write ``state`` (plain containers and tensors only) atomically to ``path``."""
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, **state}
    atomic_write(path, lambda handle: torch.save(payload, handle))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint safely; a missing, corrupt or code-carrying file is a ``UserError``."""
    if not path.is_file():
        raise UserError(f"checkpoint {path} does not exist; train first with `ganzoo run`")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise UserError(f"checkpoint {path} was refused: it holds objects that could run code "
                        f"({str(exc).splitlines()[0][:160]}); only load checkpoints you trust") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError(f"checkpoint {path} is corrupt or truncated ({type(exc).__name__}); "
                        f"resume from an earlier checkpoint or retrain") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise UserError(f"{path} is not a ganzoo checkpoint")
    return state
