"""``ganzoo runs [DIR]``: the run directories under DIR with model, dataset, step, state and last losses.

The state is ``running`` while a process holds the run's lock, else what ``status.json`` recorded when
training ended (the runner writes it on finishing, on a signal and on an error). A run with no status (killed
outright, or older than status files) is ``finished`` when it has final samples, ``interrupted`` when it has a
checkpoint to resume from, and ``failed`` otherwise.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from ganzoo.errors import UserError
from ganzoo.trainer.outputs import (
    CHECKPOINTS,
    CONFIG,
    FAILED,
    FINISHED,
    INTERRUPTED,
    METRICS,
    SAMPLES,
    STATUS,
    read_metrics,
)
from ganzoo.trainer.runlock import is_held

RUNNING = "running"
STYLES = {FINISHED: "green", RUNNING: "cyan", INTERRUPTED: "yellow", FAILED: "red"}


@dataclass
class RunSummary:
    """What ``ganzoo runs`` shows of one run directory."""

    path: Path
    model: str
    dataset: str
    step: int | None
    steps: int | None
    state: str
    losses: dict[str, float]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The runs command's options."""
    parser.add_argument("root", nargs="?", default="runs", metavar="DIR", help="folder to search (default runs/)")


def cmd_runs(args: argparse.Namespace) -> None:
    """Print one table row per run directory under ``args.root``."""
    root = Path(args.root)
    if not root.is_dir():
        raise UserError(f"no folder {root}; give the folder that holds your runs (default runs/)")
    summaries = [summarize(path) for path in find_runs(root)]
    console = Console()
    if not summaries:
        console.print(f"no runs under {root}", markup=False, highlight=False)
        return
    table = Table(title=f"runs in {root} ({len(summaries)})", title_justify="left")
    for column in ("run", "model", "dataset", "step", "state", "last losses"):
        table.add_column(column, overflow="fold")
    for run in summaries:
        step = "-" if run.step is None else f"{run.step}/{run.steps}" if run.steps else str(run.step)
        losses = "  ".join(f"{name} {value:.4g}" for name, value in run.losses.items())
        table.add_row(
            str(run.path.relative_to(root)) if run.path != root else str(root),
            run.model,
            run.dataset,
            step,
            f"[{STYLES[run.state]}]{run.state}[/]",
            losses,
        )
    console.print(table)


def find_runs(root: Path) -> list[Path]:
    """Every folder at or under ``root`` holding a run's ``config.yaml``, by path."""
    return sorted({config.parent for config in root.rglob(CONFIG) if config.is_file()})


def summarize(path: Path) -> RunSummary:
    """Model, dataset, last step, state and last losses of the run in ``path`` (unreadable files give ``?``)."""
    config = _read_yaml(path / CONFIG)
    records = read_metrics(path / METRICS) if (path / METRICS).is_file() else []
    last = records[-1] if records else {}
    status = _read_json(path / STATUS)
    step = status.get("step") if isinstance(status.get("step"), int) else last.get("step")
    steps = _get(config, "train", "steps")
    losses = {k: float(v) for k, v in last.items() if k.endswith("loss") and isinstance(v, (int, float))}
    return RunSummary(
        path,
        str(_get(config, "model", "name") or "?"),
        str(_get(config, "data", "name") or "?"),
        step,
        steps if isinstance(steps, int) else None,
        run_state(path, status),
        losses,
    )


def run_state(path: Path, status: dict[str, Any]) -> str:
    """``running``, ``finished``, ``interrupted`` or ``failed`` (see the module docstring)."""
    if is_held(path):
        return RUNNING
    if status.get("state") in (FINISHED, INTERRUPTED, FAILED):
        return str(status["state"])
    if any((path / SAMPLES).glob("final.*")):
        return FINISHED
    return INTERRUPTED if any((path / CHECKPOINTS).glob("*.pt")) else FAILED


def _get(config: Any, section: str, key: str) -> Any:
    value = config.get(section) if isinstance(config, dict) else None
    return value.get(key) if isinstance(value, dict) else None


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
        return None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}
