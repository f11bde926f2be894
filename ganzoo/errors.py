"""Errors the user can fix. The CLI prints their message as one line and exits with code 2."""

from __future__ import annotations

import difflib
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
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"
