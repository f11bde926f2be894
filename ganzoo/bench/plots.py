"""Plots of every metric against step and against wall time, one line per model, one figure per dataset.

Each line is the mean over the cell's seeds at the steps every seed evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ganzoo.bench.report import LABELS, _metric_names


def _mean_curve(history: Mapping[str, list[dict[str, Any]]], metric: str) -> tuple[list[int], list[float], list[float]]:
    """(steps, mean wall seconds, mean value) over seeds at the steps all seeds evaluated."""
    runs = [{e["step"]: e for e in evals if e["metrics"].get(metric) is not None} for evals in history.values()]
    if not runs:
        return [], [], []
    steps = sorted(set.intersection(*(set(r) for r in runs)))
    walls = [sum(r[s]["wall_s"] for r in runs) / len(runs) for s in steps]
    values = [sum(r[s]["metrics"][metric] for r in runs) / len(runs) for s in steps]
    return steps, walls, values


def write_plots(results: Mapping[str, Any], folder: Path) -> list[Path]:
    """``folder/DATASET.png``: a row per metric, vs step (left) and vs wall time (right)."""
    from matplotlib.figure import Figure  # not pyplot: no global figure state, the user's backend untouched

    written = []
    cells = [c for c in results["cells"] if c.get("history")]
    for dataset in dict.fromkeys(c["dataset"] for c in cells):
        group = [c for c in cells if c["dataset"] == dataset]
        names = _metric_names(group)
        if not names:
            continue
        fig = Figure(figsize=(11, 3 * len(names)))
        axes = fig.subplots(len(names), 2, squeeze=False)
        for row, metric in enumerate(names):
            for cell in group:
                steps, walls, values = _mean_curve(cell["history"], metric)
                if steps:
                    axes[row][0].plot(steps, values, marker=".", label=cell["model"])
                    axes[row][1].plot(walls, values, marker=".", label=cell["model"])
            axes[row][0].set_ylabel(LABELS.get(metric, metric))
            axes[row][0].set_xlabel("step")
            axes[row][1].set_xlabel("wall time (s)")
            axes[row][0].legend(fontsize="small")
        fig.suptitle(f"{results['suite']}: {dataset}")
        fig.tight_layout()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{dataset}.png"
        fig.savefig(path, dpi=90)
        written.append(path)
    return written
