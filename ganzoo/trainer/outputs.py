"""Files a run writes: metrics as JSON lines and loss curves as a plot (samples: ``ganzoo.render``)."""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ganzoo.trainer.atomic import atomic_write

METRICS = "metrics.jsonl"
CONFIG = "config.yaml"
SAMPLES = "samples"
CHECKPOINTS = "checkpoints"
LOSS_PLOT = "loss_curves.png"
STATUS = "status.json"
FINISHED, INTERRUPTED, FAILED = "finished", "interrupted", "failed"


class MetricsLog:
    """Appends one JSON object per line and flushes, so a killed run keeps every line it logged."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, record: dict[str, Any]) -> None:
        """Append ``record`` as one line."""
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def truncate_after(self, step: int) -> None:
        """Drop lines past ``step`` (left by a run that died after its last checkpoint)."""
        if not self.path.exists():
            return
        kept = [r for r in read_metrics(self.path) if r["step"] <= step]
        text = "".join(json.dumps(r) + "\n" for r in kept).encode("utf-8")
        atomic_write(self.path, lambda handle: handle.write(text))  # a kill now keeps the old file whole


def write_status(run_dir: Path, state: str, step: int, error: str = "") -> None:
    """Record how the run's process ended (``finished``, ``interrupted`` or ``failed``), atomically."""
    record = {"state": state, "step": step, "time": round(time.time(), 3), **({"error": error} if error else {})}
    text = json.dumps(record).encode("utf-8")
    atomic_write(run_dir / STATUS, lambda handle: handle.write(text))


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """All complete records of a metrics file: a torn last line, or a hand-edited one that is not a record
    with an integer ``step``, is skipped."""
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict) and type(record.get("step")) is int:
            records.append(record)
    return records


def plot_loss_curves(metrics_path: Path, out: Path) -> None:
    """One line per logged scalar against step, one panel per training phase."""
    from ganzoo.chart import Panel, save_line_charts

    series: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    skip = {"step", "phase", "time", "samples_per_s"}
    for record in read_metrics(metrics_path):
        for key, value in record.items():
            if key not in skip and isinstance(value, (int, float)) and math.isfinite(value):
                series[record.get("phase", "")][key].append((record["step"], value))
    if series:
        save_line_charts([Panel(phase or "training", curves) for phase, curves in series.items()], out)
