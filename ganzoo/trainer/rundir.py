"""Run directories: never overwritten silently; ``--resume`` continues one, otherwise a new one is made.

Choosing and creating a directory is one step (``mkdir`` without ``exist_ok``, then its lock), retried
with the next suffix, so runs started at once never share a directory; see ``runlock``.
"""

from __future__ import annotations

from pathlib import Path

from ganzoo.errors import UserError
from ganzoo.trainer.runlock import LOCK, holder, mark_created, release, try_lock

RUNS = Path("runs")
# What a run writes; a directory holding only these (or nothing) is safe to start a run in.
RUN_ENTRIES = {
    "config.yaml",
    "metrics.jsonl",
    "samples",
    "checkpoints",
    "loss_curves.png",
    "eval.jsonl",
    LOCK,
    "status.json",
    "tensorboard",
}


def new_run_dir(requested: str | None, default_name: str) -> Path:
    """Create and lock ``requested`` (or ``runs/DEFAULT_NAME``), with ``-2``, ``-3``... appended if it is taken."""
    base = Path(requested) if requested else RUNS / default_name
    if base.name in ("", ".."):
        raise UserError(f"--out {requested!r} names no new directory to write the run in; give one such as runs/my-run")
    blocking = next((p for p in reversed(base.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise UserError(f"--out {requested}: {blocking} is a file, not a folder; choose another --out")
    base.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = base, 1
    while not _claim(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _claim(path: Path) -> bool:
    """Make ``path`` ours: create it (or take an empty directory) and lock it; False when it is taken."""
    try:
        path.mkdir()
        mark_created(path)
    except FileExistsError:
        if not path.is_dir():
            return False
    if not try_lock(path):
        return False
    if any(p.name != LOCK for p in path.iterdir()):
        release(path)
        return False
    return True


def lock_for_resume(path: Path) -> None:
    """Hold ``path`` for this process, or refuse naming the process that holds it."""
    if not try_lock(path):
        raise UserError(
            f"cannot resume: {path} is in use by process {holder(path)} (it holds {path / LOCK}); "
            f"wait for that run to end or stop it"
        )


def existing_run_dir(requested: str | None, default_name: str) -> Path:
    """The run to resume: ``requested``, else the newest ``runs/DEFAULT_NAME[-N]``.

    The directory may hold only a run's leftovers (a run killed before its first checkpoint); a missing
    directory, or anything else that is not a ganzoo run directory, is refused.
    """
    if requested:
        path = Path(requested)
    else:
        family = [
            p
            for p in RUNS.glob(f"{default_name}*")
            if p.name == default_name or p.name.removeprefix(f"{default_name}-").isdigit()
        ]
        if not family:
            raise UserError(f"nothing to resume: no run directory {RUNS / default_name}; pass --out RUN_DIR")
        path = max(family, key=lambda p: p.stat().st_mtime)
    if not path.exists():
        raise UserError(f"nothing to resume: no run directory {path}; check --out, or drop --resume to start a new run")
    if not path.is_dir():
        raise UserError(f"cannot resume: {path} is a file, not a run directory")
    if not (path / "config.yaml").is_file() and not only_run_leftovers(path):
        raise UserError(f"cannot resume: {path} is not a ganzoo run directory (no config.yaml)")
    return path


def is_run_dir(path: Path) -> bool:
    """A directory that ``--resume`` can continue: a run's config, or only what a run writes."""
    return path.is_dir() and ((path / "config.yaml").is_file() or only_run_leftovers(path))


def only_run_leftovers(path: Path) -> bool:
    """True when ``path`` holds nothing but what a run writes (and its hidden temp files)."""
    return all(p.name in RUN_ENTRIES or (p.name.startswith(".") and p.name.endswith(".tmp")) for p in path.iterdir())
