"""Run directories: never overwritten silently; ``--resume`` continues one, otherwise a new one is made."""

from __future__ import annotations

from pathlib import Path

from ganzoo.errors import UserError

RUNS = Path("runs")
# What a run writes; a directory holding only these (or nothing) is safe to start a run in.
RUN_ENTRIES = {"config.yaml", "metrics.jsonl", "samples", "checkpoints", "loss_curves.png"}


def new_run_dir(requested: str | None, default_name: str) -> Path:
    """``requested`` (or ``runs/DEFAULT_NAME``), with ``-2``, ``-3``... appended if it already exists."""
    base = Path(requested) if requested else RUNS / default_name
    if base.name in ("", ".."):
        raise UserError(f"--out {requested!r} names no new directory to write the run in; "
                        f"give one such as runs/my-run")
    candidate, n = base, 1
    while _taken(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def existing_run_dir(requested: str | None, default_name: str) -> Path:
    """The run to resume: ``requested``, else the newest ``runs/DEFAULT_NAME[-N]``.

    The directory may be missing or hold only a run's leftovers (a run killed before its first
    checkpoint); anything else that is not a ganzoo run directory is refused.
    """
    if requested:
        path = Path(requested)
    else:
        family = [p for p in RUNS.glob(f"{default_name}*") if p.name == default_name
                  or p.name.removeprefix(f"{default_name}-").isdigit()]
        if not family:
            raise UserError(f"nothing to resume: no run directory {RUNS / default_name}; pass --out RUN_DIR")
        path = max(family, key=lambda p: p.stat().st_mtime)
    if path.exists() and not path.is_dir():
        raise UserError(f"cannot resume: {path} is a file, not a run directory")
    if path.is_dir() and not (path / "config.yaml").is_file() and not only_run_leftovers(path):
        raise UserError(f"cannot resume: {path} is not a ganzoo run directory (no config.yaml)")
    return path


def only_run_leftovers(path: Path) -> bool:
    """True when ``path`` holds nothing but what a run writes (and its hidden temp files)."""
    return all(p.name in RUN_ENTRIES or (p.name.startswith(".") and p.name.endswith(".tmp")) for p in path.iterdir())


def _taken(path: Path) -> bool:
    """A path is taken when it exists and is not an empty directory."""
    return path.exists() and (not path.is_dir() or any(path.iterdir()))
