"""One process per run directory: an ``fcntl.flock`` on ``RUN_DIR/.lock`` that holds the owner's pid.

The kernel drops the lock when its process ends, however it ends, so a crashed run leaves no stale lock
(the file stays and is simply locked again). Locks are held per process until ``release_all``.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

LOCK = ".lock"
_held: dict[Path, int] = {}
_created: set[Path] = set()  # directories this process made: removed again if a run fails before writing


def mark_created(folder: Path) -> None:
    """Note that this process made ``folder``, so ``release_all`` removes it if nothing was written there."""
    _created.add(folder.resolve())


def try_lock(folder: Path) -> bool:
    """Lock ``folder`` for this process and write our pid; False when another process holds it."""
    key = folder.resolve()
    if key in _held:
        return True
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    _held[key] = fd
    return True


def holder(folder: Path, attempts: int = 50) -> str:
    """The pid written by the process holding ``folder``'s lock (``unknown`` when unreadable). The holder
    writes its pid just after taking the lock, so an empty file is read again for up to half a second."""
    for _ in range(attempts):
        try:
            text = (folder / LOCK).read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            return "unknown"
        if text.isdigit():
            return text
        time.sleep(0.01)
    return "unknown"


def release(folder: Path) -> None:
    """Give up this process's lock on ``folder`` (if it holds one)."""
    fd = _held.pop(folder.resolve(), None)
    if fd is not None:
        os.close(fd)


def release_all() -> None:
    """Give up every lock this process holds (a run ended, or a test calls the CLI again in-process), and
    remove the directories it made that still hold nothing but their lock (a run that failed at start)."""
    for folder, fd in _held.items():
        if folder in _created and [p.name for p in folder.iterdir()] == [LOCK]:
            (folder / LOCK).unlink()
            folder.rmdir()
        os.close(fd)
    _held.clear()
    _created.clear()


def is_held(folder: Path) -> bool:
    """Whether some process (this one included) holds ``folder``'s lock now, i.e. a run is training there."""
    if folder.resolve() in _held:
        return True
    try:
        fd = os.open(folder / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops our probe lock too
    return False
