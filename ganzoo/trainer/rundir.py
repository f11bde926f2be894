"""Run directories: never overwritten silently; ``--resume`` continues one, otherwise a new one is made."""

from __future__ import annotations

from pathlib import Path

from ganzoo.errors import UserError

RUNS = Path("runs")


def new_run_dir(requested: str | None, default_name: str) -> Path:
    """``requested`` (or ``runs/DEFAULT_NAME``), with ``-2``, ``-3``... appended if it already exists."""
    base = Path(requested) if requested else RUNS / default_name
    candidate, n = base, 1
    while _taken(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def existing_run_dir(requested: str | None, default_name: str) -> Path:
    """The run to resume: ``requested``, else the newest ``runs/DEFAULT_NAME[-N]``."""
    if requested:
        path = Path(requested)
    else:
        family = [p for p in RUNS.glob(f"{default_name}*") if p.name == default_name
                  or p.name.removeprefix(f"{default_name}-").isdigit()]
        if not family:
            raise UserError(f"nothing to resume: no run directory {RUNS / default_name}; pass --out RUN_DIR")
        path = max(family, key=lambda p: p.stat().st_mtime)
    if not (path / "config.yaml").is_file():
        raise UserError(f"cannot resume: {path} is not a ganzoo run directory (no config.yaml)")
    return path


def _taken(path: Path) -> bool:
    """A path is taken when it exists and is not an empty directory."""
    return path.exists() and (not path.is_dir() or any(path.iterdir()))
