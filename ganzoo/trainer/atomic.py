"""Atomic file writes: a crash or kill leaves either the old file or the new one, never half of it.

Torch-free, so the run directory's light readers and writers (metrics, status, listing) stay cheap.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ganzoo.errors import UserError


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(file)`` on a temp file beside ``path``, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise UserError(f"cannot write {path}: a folder of that name is in the way; remove or rename it")
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
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
