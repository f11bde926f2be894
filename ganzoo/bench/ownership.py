"""A suite's output folder: ``ganzoo bench`` writes only into one it made, or one that holds its own results.

A stamp file (``.ganzoo-bench``, the suite name) marks the folder as the suite's. A ``report.md`` or
``results.json`` already there that no run of this suite wrote is kept: the command refuses, and
``--force`` replaces them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ganzoo.errors import UserError, short

STAMP = ".ganzoo-bench"
OWN_FILES = ("report.md", "results.json")
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def check_plain_name(value: object, what: str) -> str:
    """``value`` as a name that is safe as one path component (no ``/``, no ``..``, not absolute)."""
    if not isinstance(value, str) or not PLAIN_NAME.match(value) or ".." in value or len(value) > 100:
        raise UserError(
            f"{what} must be a plain name (letters, digits, '.', '_', '+', '-'; no '/' or '..'), got {short(value)}"
        )
    return value


def _suite_of(out: Path) -> str | None:
    """The suite whose results ``out`` holds, from its stamp or its results.json (``None``: unknown)."""
    try:
        if (out / STAMP).is_file():
            return (out / STAMP).read_text(encoding="utf-8").strip()
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
        return data.get("suite") if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def claim_output(out: Path, suite: str, force: bool) -> None:
    """Make ``out`` the folder of ``suite``, refusing when it holds a report or results of something else."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a folder for the suite's results")
    present = [name for name in OWN_FILES if (out / name).exists()]
    if present and _suite_of(out) != suite and not force:
        raise UserError(
            f"{out} already holds {' and '.join(present)} that this suite ({suite}) did not write; "
            f"choose another --out, or pass --force to replace them"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / STAMP).write_text(f"{suite}\n", encoding="utf-8")
