"""Errors the user can fix. The CLI prints their message as one line and exits with code 2."""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable


class UserError(Exception):
    """A problem with the user's input (name, config, data, checkpoint) that they can fix."""

    exit_code = 2


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` candidates that look like ``name`` (case-insensitive)."""
    lowered = {c.lower(): c for c in candidates}
    return [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean: a, b?)' suffix for an error message, or '' when nothing is close."""
    matches = closest(name, candidates)
    return f" (did you mean: {', '.join(matches)}?)" if matches else ""


def short(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters, so an error line never echoes a huge bad value."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for str(): Python refuses more than 4,300 digits
        return f"an integer of {len(format(value, 'x')) * 1.2:,.0f} digits or so"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def as_user_error(exc: BaseException) -> UserError | None:
    """The one-line ``UserError`` for an environment failure the user can fix (disk, permissions, memory,
    absurd nesting), or ``None`` for a real bug, whose traceback should show."""
    if isinstance(exc, UserError):
        return exc
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f" ({short(str(exc.filename), 200)})" if exc.filename else ""
        fix = FILESYSTEM_FIXES.get(errno.errorcode.get(exc.errno, ""), "check the path and its permissions")
        return UserError(f"{exc.strerror or 'input/output error'}{where}; {fix}")
    if isinstance(exc, MemoryError) or "out of memory" in str(exc).lower() or "DefaultCPUAllocator" in str(exc):
        return UserError("out of memory; use smaller model sizes, batch size, -n or --tile")
    if isinstance(exc, RecursionError):
        return UserError("input nested too deeply to read (a config or suite nested thousands of levels); flatten it")
    return None


FILESYSTEM_FIXES = {
    "ENOSPC": "free some disk space or write elsewhere (--out)",
    "EDQUOT": "free some disk space or write elsewhere (--out)",
    "EFBIG": "the file-size limit (ulimit -f) is too low; raise it or write smaller outputs",
    "EROFS": "that file system is read-only; write elsewhere (--out)",
    "EACCES": "you may not write or read there; fix its permissions or use another path",
    "EPERM": "you may not write or read there; fix its permissions or use another path",
    "ENAMETOOLONG": "use a shorter path",
    "ENOTDIR": "a part of that path is a file, not a folder; use another path",
    "EISDIR": "that path is a folder; give a file name",
    "EEXIST": "that path already exists; use another one",
}


def one_line(message: str, limit: int = 600) -> str:
    """``message`` on one line, its middle cut when longer than ``limit`` (the advice at its end stays)."""
    text = " ".join(message.split("\n"))
    return text if len(text) <= limit else f"{text[: limit // 2]} ... {text[-limit // 2 :]}"
