"""Runs a suite: every cell and seed through the normal runner and run directory, resumably.

Layout of ``--out DIR``::

    DIR/runs/MODEL-DATASET-sSEED/   the normal run directory (config, metrics, samples, checkpoints/best.pt)
    DIR/cells/MODEL__DATASET/seedN.json   the record of one finished seed (its presence = done)
    DIR/results.json, DIR/report.md, DIR/plots/*.png

A seed whose record says ``ok`` is never rerun; an interrupted one resumes from its run directory's last
checkpoint (its wall-clock budget and evaluation history start afresh); one whose record is for other
settings gets a new run directory beside the old one. Nothing the harness did not write is removed or
overwritten (see ``ownership``). A failing seed is recorded with its error and the suite goes on.

Each (cell, seed) is one task (``seeds.run_seed``); ``launch`` runs the tasks here, in ``--jobs N``
worker processes or as submitit jobs, and the summary is read back from the records, so every path
writes the same records and the same report.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from ganzoo.bench.launch import Launch, run_tasks, worker_threads
from ganzoo.bench.ownership import claim_output
from ganzoo.bench.seeds import SeedTask, cell_folder, read_record, write_json
from ganzoo.bench.suite import Cell, Suite
from ganzoo.bench.system import device_name, environment
from ganzoo.errors import UserError, did_you_mean
from ganzoo.registry import Registry, get_registry

RESULTS = "results.json"


def check_suite(suite: Suite, registry: Registry) -> None:
    """Every cell's model and dataset must be installed and every metric asked for one its evaluator reports;
    otherwise a ``UserError`` with the closest names, before anything trains."""
    from ganzoo.metrics.evaluate import evaluator_spec

    for cell in suite.cells:
        where = f"suite {suite.name}: cell {cell.name}"
        try:
            registry.model(cell.model)
            dataset = registry.dataset(cell.dataset)
        except UserError as exc:
            raise UserError(f"{where}: {exc}") from None
        if not cell.eval.enabled:
            continue
        spec = evaluator_spec(dataset, registry)
        if spec is None:
            raise UserError(f"{where}: no evaluator scores {dataset.kind} data; install one or set `eval: false`")
        unknown = [name for name in cell.eval.metrics if name not in spec.metrics]
        if unknown:
            raise UserError(
                f"{where}: unknown metric '{unknown[0]}'{did_you_mean(unknown[0], spec.metrics)}; "
                f"evaluator '{spec.name}' reports {', '.join(spec.metrics)}"
            )


def summarize(cell: Cell, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard deviation over seeds of every metric (final and best), time and memory."""
    ok = [r for r in records if r["status"] == "ok"]
    summary: dict[str, Any] = {
        "cell": cell.name,
        "model": cell.model,
        "dataset": cell.dataset,
        "budget": cell.budget.describe(),
        "seeds": [r["seed"] for r in records],
        "status": "ok"
        if len(ok) == len(records)
        else ("partial" if ok else records[0]["status"] if records else "failed"),
        "errors": sorted({r["error"] for r in records if r.get("error")}),
    }
    if not ok:
        return summary
    for which in ("final", "best"):
        names = list(dict.fromkeys(k for r in ok for k in r[which]["metrics"]))
        summary[which] = {name: _mean_std([r[which]["metrics"].get(name) for r in ok]) for name in names}
    summary["best_step"] = _mean_std([r["best"]["step"] for r in ok])
    for key in ("steps", "wall_s", "train_s", "samples_per_s"):
        summary[key] = _mean_std([r[key] for r in ok])
    summary["peak_memory_mb"] = max(r["peak_memory_mb"] for r in ok)
    first = ok[0]
    for key in ("primary", "higher_is_better", "memory_kind", "device", "device_name"):
        summary[key] = first[key]
    summary["history"] = {str(r["seed"]): r["history"] for r in ok}
    return summary


def _mean_std(values: Sequence[float | None]) -> dict[str, float | None]:
    present = [float(v) for v in values if v is not None]
    if not present:
        return {"mean": None, "std": None, "n": 0}
    std = statistics.pstdev(present) if len(present) > 1 else 0.0
    return {"mean": statistics.fmean(present), "std": std, "n": len(present)}


def run_suite(
    suite: Suite,
    out: Path,
    only: str | None = None,
    console: Console | None = None,
    show_progress: bool = False,
    registry: Registry | None = None,
    seed: int | None = None,
    force: bool = False,
    launch: Launch | None = None,
) -> dict[str, Any]:
    """Run the selected cells' seeds not already done (only seed ``seed`` when given; ``launch``: in
    worker processes or as cluster jobs), then write ``results.json``, the report and the plots
    (``force``: even over a report another suite or a person left in ``out``)."""
    from ganzoo.bench.plots import write_plots
    from ganzoo.bench.report import print_tables, write_report

    console = console or Console(stderr=True)
    registry = registry or get_registry()
    launch = launch or Launch()
    cells = suite.select(only)  # the others are reported from their records, when they have some
    check_suite(suite, registry)
    claim_output(out, suite.name, force)
    serial = launch.jobs == 1 and launch.launcher == "local"
    tasks = plan_tasks(suite, cells, out, registry, seed, 0 if serial else worker_threads(suite.threads, launch.jobs))
    threads = torch.get_num_threads()
    if suite.threads and serial:
        torch.set_num_threads(suite.threads)
    try:
        run_tasks(tasks, launch, registry, console, show_progress)
    finally:
        torch.set_num_threads(threads)
    recorded = [_recorded(cell, out) for cell in suite.cells]
    pending = [c.name for c, s in zip(suite.cells, recorded) if s is None or not s["seeds"]]
    summaries = [s for s in recorded if s is not None and s["seeds"]]
    results = {
        "suite": suite.name,
        "created": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "environment": {**environment(), "device_name": _device_names(summaries)},
        "cells": summaries,
        "pending": pending,
    }
    write_json(out / RESULTS, results)
    write_plots(results, out / "plots")
    write_report(results, out / "report.md")
    print_tables(results, console, out / "report.md")
    return results


def plan_tasks(
    suite: Suite, cells: Sequence[Cell], out: Path, registry: Registry, only_seed: int | None, threads: int
) -> list[SeedTask]:
    """The (cell, seed) tasks of ``cells`` (seed ``only_seed`` alone when given); a cell whose model is not
    installed never gets here: ``check_suite`` refuses the suite first."""
    tasks = []
    for index, cell in enumerate(cells, 1):
        seeds = [s for s in range(cell.seeds) if only_seed is None or s == only_seed]
        tasks += [SeedTask(cell, s, out, suite.data_root, f"{index}/{len(cells)}", threads) for s in seeds]
    return tasks


def _recorded(cell: Cell, out: Path) -> dict[str, Any] | None:
    """The summary of a cell from the records of its seeds (those for its current settings)."""
    paths = [cell_folder(out, cell) / f"seed{seed}.json" for seed in range(cell.seeds)]
    records = [r for r in map(read_record, paths) if r is not None and r.get("fingerprint") == cell.fingerprint()]
    return summarize(cell, records) if records else None


def _device_names(summaries: Sequence[dict[str, Any]]) -> str:
    names = sorted({s["device_name"] for s in summaries if "device_name" in s})
    return ", ".join(names) or device_name(torch.device("cpu"))
