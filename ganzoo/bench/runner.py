"""Runs a suite: every cell and seed through the normal runner and run directory, resumably.

Layout of ``--out DIR``::

    DIR/runs/MODEL-DATASET-sSEED/   the normal run directory (config, metrics, samples, checkpoints/best.pt)
    DIR/cells/MODEL__DATASET/seedN.json   the record of one finished seed (its presence = done)
    DIR/results.json, DIR/report.md, DIR/plots/*.png

A seed whose record says ``ok`` is never rerun; an interrupted one resumes from its run directory's last
checkpoint (its wall-clock budget and evaluation history start afresh); one whose record is for other
settings gets a new run directory beside the old one. Nothing the harness did not write is removed or
overwritten (see ``ownership``). A failing seed is recorded with its error and the suite goes on.
"""

from __future__ import annotations

import json
import math
import statistics
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from ganzoo.bench.callback import EvalCallback
from ganzoo.bench.ownership import claim_output
from ganzoo.bench.suite import Cell, Suite
from ganzoo.bench.system import device_name, environment, peak_memory_mb, reset_peak_memory
from ganzoo.errors import UserError, did_you_mean
from ganzoo.registry import Registry, get_registry
from ganzoo.trainer.checkpoint import atomic_write
from ganzoo.trainer.precision import resolve_device
from ganzoo.trainer.rundir import is_run_dir

RESULTS = "results.json"


@dataclass
class SeedRun:
    """The outcome of one cell with one seed."""

    record: dict[str, Any]
    reused: bool


def cell_folder(out: Path, cell: Cell) -> Path:
    """Where a cell's per-seed records live."""
    return out / "cells" / f"{cell.model}__{cell.dataset}".replace("/", "_")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, allow_nan=False) + "\n"
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _clean(metrics: dict[str, float]) -> dict[str, float | None]:
    return {k: _finite(float(v)) for k, v in metrics.items()}


class _CellRunner:
    """Trains one cell for one seed and turns what happened into a record."""

    def __init__(self, cell: Cell, seed: int, out: Path, data_root: str | None, registry: Registry,
                 console: Console, show_progress: bool, resumable: bool = True) -> None:
        self.cell, self.seed, self.out, self.data_root, self.resumable = cell, seed, out, data_root, resumable
        self.registry, self.console, self.show_progress = registry, console, show_progress

    def run(self) -> dict[str, Any]:
        record: dict[str, Any] = {"cell": self.cell.name, "model": self.cell.model, "dataset": self.cell.dataset,
                                  "seed": self.seed, "budget": self.cell.budget.describe(),
                                  "fingerprint": self.cell.fingerprint()}
        started = time.perf_counter()
        try:
            record.update(status="ok", error=None, **self._train())
        except Exception as exc:  # a failing cell is recorded and the suite goes on
            message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            record.update(status="failed", error=message.splitlines()[0] if message else type(exc).__name__)
            if not isinstance(exc, UserError):
                record["traceback"] = traceback.format_exc(limit=8)
        record["wall_s"] = round(time.perf_counter() - started, 3)
        return record

    def _train(self) -> dict[str, Any]:
        from ganzoo.metrics.evaluate import EvalContext, build_evaluator
        from ganzoo.runner import RunRequest, load_data, resolve_config, run

        cell = self.cell
        overrides = [f"train.steps={cell.budget.steps}", *cell.set_args()]
        if self.data_root:
            overrides.append(f"data.root={self.data_root}")
        request = RunRequest(cell.model, cell.dataset, overrides=overrides, device=cell.device, seed=self.seed,
                             out=str(self.out / "runs" / f"{cell.model}-{cell.dataset}-s{self.seed}"))
        config, model_spec, dataset_spec = resolve_config(request, self.registry)
        device = resolve_device(config["device"])
        evaluator = None
        if cell.eval.enabled:
            context = EvalContext(model_spec, dataset_spec, config["data"]["root"], self.console)
            evaluator = build_evaluator(load_data(config, self.registry), cell.eval, context, self.registry)
            if evaluator is None:
                raise UserError(f"no evaluator scores {cell.dataset}'s kind of data; set `eval: false` for this cell")
        request.resume = self.resumable and is_run_dir(Path(request.out))  # an interrupted attempt continues
        callback = EvalCallback(evaluator, cell.eval.every, cell.budget.minutes * 60)
        reset_peak_memory(device)
        result = run(request, console=self.console, show_progress=self.show_progress, registry=self.registry,
                     callbacks=[callback])
        peak, peak_kind = peak_memory_mb(device)
        trainer_s = max(result.seconds - callback.eval_s, 1e-9)
        record = {
            "run_dir": str(result.run_dir), "steps": result.steps, "train_s": round(trainer_s, 3),
            "eval_s": round(callback.eval_s, 3), "samples_per_s": round(callback.samples_seen / trainer_s, 2),
            "peak_memory_mb": round(peak, 1), "memory_kind": peak_kind, "device": str(device),
            "device_name": device_name(device), "primary": evaluator.primary if evaluator else None,
            "higher_is_better": evaluator.higher_is_better if evaluator else None,
            "final": {"step": result.steps, "metrics": {}}, "best": {"step": result.steps, "metrics": {}},
            "history": [],
        }
        if callback.history:
            final, best = callback.history[-1], callback.best or callback.history[-1]
            record.update(final={"step": final.step, "metrics": _clean(final.metrics)},
                          best={"step": best.step, "metrics": _clean(best.metrics)},
                          history=[{**e.to_dict(), "metrics": _clean(e.metrics)} for e in callback.history])
        return record


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
            raise UserError(f"{where}: unknown metric '{unknown[0]}'{did_you_mean(unknown[0], spec.metrics)}; "
                            f"evaluator '{spec.name}' reports {', '.join(spec.metrics)}")


def summarize(cell: Cell, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard deviation over seeds of every metric (final and best), time and memory."""
    ok = [r for r in records if r["status"] == "ok"]
    summary: dict[str, Any] = {"cell": cell.name, "model": cell.model, "dataset": cell.dataset,
                               "budget": cell.budget.describe(), "seeds": [r["seed"] for r in records],
                               "status": "ok" if len(ok) == len(records) else
                               ("partial" if ok else records[0]["status"] if records else "failed"),
                               "errors": sorted({r["error"] for r in records if r.get("error")})}
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


def run_suite(suite: Suite, out: Path, only: str | None = None, console: Console | None = None,
              show_progress: bool = False, registry: Registry | None = None,
              seed: int | None = None, force: bool = False) -> dict[str, Any]:
    """Run the selected cells (skipping seeds already done; only seed ``seed`` when given, so separate
    processes can share the seeds of one suite), then write ``results.json``, the report and the plots
    (``force``: even over a report another suite or a person left in ``out``)."""
    from ganzoo.bench.plots import write_plots
    from ganzoo.bench.report import print_tables, write_report

    console = console or Console(stderr=True)
    registry = registry or get_registry()
    cells = suite.select(only)  # the others are reported from their records, when they have some
    check_suite(suite, registry)
    claim_output(out, suite.name, force)
    threads = torch.get_num_threads()
    if suite.threads:
        torch.set_num_threads(suite.threads)
    try:
        summaries = [_run_cell(cell, f"{index}/{len(cells)}", suite, out, registry, console, show_progress, seed)
                     if cell in cells else _recorded(cell, out) for index, cell in enumerate(suite.cells, 1)]
        pending = [c.name for c, s in zip(suite.cells, summaries) if s is None or not s["seeds"]]
        summaries = [s for s in summaries if s is not None and s["seeds"]]
    finally:
        torch.set_num_threads(threads)
    results = {"suite": suite.name, "created": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
               "environment": {**environment(), "device_name": _device_names(summaries)},
               "cells": summaries, "pending": pending}
    write_json(out / RESULTS, results)
    write_plots(results, out / "plots")
    write_report(results, out / "report.md")
    print_tables(results, console, out / "report.md")
    return results


def _recorded(cell: Cell, out: Path) -> dict[str, Any] | None:
    """The summary of a cell not selected this time, from the seeds it already finished."""
    paths = [cell_folder(out, cell) / f"seed{seed}.json" for seed in range(cell.seeds)]
    records = [r for r in map(_read_record, paths) if r is not None and r.get("fingerprint") == cell.fingerprint()]
    return summarize(cell, records) if records else None


def _read_record(path: Path) -> dict[str, Any] | None:
    """A seed's record, or ``None`` when it is missing or not a record (a damaged or hand-edited file)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("status"), str) else None


def _run_cell(cell: Cell, position: str, suite: Suite, out: Path, registry: Registry, console: Console,
              show_progress: bool, only_seed: int | None = None) -> dict[str, Any]:
    """Run the seeds of ``cell`` not already done and summarise all of them."""
    records = []
    for seed in range(cell.seeds):
        path = cell_folder(out, cell) / f"seed{seed}.json"
        previous = _read_record(path)
        if only_seed is not None and seed != only_seed:
            if previous is not None and previous.get("fingerprint") == cell.fingerprint():
                records.append(previous)
            continue
        if (previous is not None and previous.get("status") == "ok"
                and previous.get("fingerprint") == cell.fingerprint()):
            console.print(f"[dim]{position} {cell.name} seed {seed}: done earlier, kept[/]")
            records.append(previous)
            continue
        console.print(f"[bold]{position} {cell.name}[/] seed {seed} ({cell.budget.describe()})")
        resumable = previous is None or previous.get("fingerprint") == cell.fingerprint()
        record = _CellRunner(cell, seed, out, suite.data_root, registry, console, show_progress, resumable).run()
        write_json(path, record)
        records.append(record)
        if record["status"] != "ok":
            console.print(f"[red]{cell.name} seed {seed} {record['status']}: {record['error']}[/]", highlight=False)
    return summarize(cell, records)


def _device_names(summaries: Sequence[dict[str, Any]]) -> str:
    names = sorted({s["device_name"] for s in summaries if "device_name" in s})
    return ", ".join(names) or device_name(torch.device("cpu"))
