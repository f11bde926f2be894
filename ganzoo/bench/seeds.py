"""One (cell, seed) task of a suite: the unit every launcher runs, serially, in worker processes or as a job.

``run_seed`` is the whole per-seed body: a seed whose record says ``ok`` (for the same settings) is kept,
an interrupted one resumes from its run directory's last checkpoint, one whose record is for other
settings gets a new run directory, and the record is written atomically when the seed ends. It touches
only that seed's files, so tasks of one suite can run at the same time in any processes sharing ``out``.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from rich.console import Console

from ganzoo.bench.callback import EvalCallback
from ganzoo.bench.suite import Cell
from ganzoo.bench.system import device_name, peak_memory_mb, reset_peak_memory
from ganzoo.errors import UserError
from ganzoo.registry import Registry, get_registry
from ganzoo.trainer.checkpoint import atomic_write
from ganzoo.trainer.precision import resolve_device
from ganzoo.trainer.rundir import is_run_dir


@dataclass(frozen=True)
class SeedTask:
    """What a worker needs to train one seed of one cell into the suite's folder (picklable)."""

    cell: Cell
    seed: int
    out: Path
    data_root: str | None = None
    position: str = ""  # "2/9" in progress lines
    threads: int = 0  # torch CPU threads in the worker (0: leave as is)

    @property
    def record_path(self) -> Path:
        """The seed's record; its presence with status ``ok`` means done."""
        return cell_folder(self.out, self.cell) / f"seed{self.seed}.json"


def cell_folder(out: Path, cell: Cell) -> Path:
    """Where a cell's per-seed records live."""
    return out / "cells" / f"{cell.model}__{cell.dataset}".replace("/", "_")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, allow_nan=False) + "\n"
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def read_record(path: Path) -> dict[str, Any] | None:
    """A seed's record, or ``None`` when it is missing or not a record (a damaged or hand-edited file)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("status"), str) else None


def is_done(task: SeedTask, record: dict[str, Any] | None) -> bool:
    """Whether ``record`` (the task's, read from disk) says the seed finished with the current settings."""
    return record is not None and record.get("status") == "ok" and record.get("fingerprint") == task.cell.fingerprint()


def run_seed(
    task: SeedTask, registry: Registry | None = None, console: Console | None = None, show_progress: bool = False
) -> dict[str, Any]:
    """Train ``task``'s seed unless its record says it is done; write and return its record."""
    console = console or Console(stderr=True)
    cell, previous = task.cell, read_record(task.record_path)
    if is_done(task, previous):
        assert previous is not None  # is_done is False without a record
        console.print(f"[dim]{task.position} {cell.name} seed {task.seed}: done earlier, kept[/]")
        return previous
    if task.threads:
        torch.set_num_threads(task.threads)
    console.print(f"[bold]{task.position} {cell.name}[/] seed {task.seed} ({cell.budget.describe()})")
    resumable = previous is None or previous.get("fingerprint") == cell.fingerprint()
    record = _SeedRunner(task, registry or get_registry(), console, show_progress, resumable).run()
    write_json(task.record_path, record)
    if record["status"] != "ok":
        console.print(f"[red]{cell.name} seed {task.seed} {record['status']}: {record['error']}[/]", highlight=False)
    return record


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _clean(metrics: dict[str, float]) -> dict[str, float | None]:
    return {k: _finite(float(v)) for k, v in metrics.items()}


class _SeedRunner:
    """Trains one cell for one seed and turns what happened into a record."""

    def __init__(
        self, task: SeedTask, registry: Registry, console: Console, show_progress: bool, resumable: bool
    ) -> None:
        self.task, self.cell, self.seed, self.resumable = task, task.cell, task.seed, resumable
        self.registry, self.console, self.show_progress = registry, console, show_progress

    def run(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "cell": self.cell.name,
            "model": self.cell.model,
            "dataset": self.cell.dataset,
            "seed": self.seed,
            "budget": self.cell.budget.describe(),
            "fingerprint": self.cell.fingerprint(),
        }
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

        cell, out = self.cell, self.task.out
        overrides = [f"train.steps={cell.budget.steps}", *cell.set_args()]
        if self.task.data_root:
            overrides.append(f"data.root={self.task.data_root}")
        run_out = str(out / "runs" / f"{cell.model}-{cell.dataset}-s{self.seed}")
        request = RunRequest(
            cell.model,
            cell.dataset,
            overrides=overrides,
            device=cell.device,
            seed=self.seed,
            out=run_out,
        )
        config, model_spec, dataset_spec = resolve_config(request, self.registry)
        device = resolve_device(config["device"])
        evaluator = None
        if cell.eval.enabled:
            context = EvalContext(model_spec, dataset_spec, config["data"]["root"], self.console)
            evaluator = build_evaluator(load_data(config, self.registry), cell.eval, context, self.registry)
            if evaluator is None:
                raise UserError(f"no evaluator scores {cell.dataset}'s kind of data; set `eval: false` for this cell")
        request.resume = self.resumable and is_run_dir(Path(run_out))  # an interrupted attempt continues
        callback = EvalCallback(evaluator, cell.eval.every, cell.budget.minutes * 60)
        reset_peak_memory(device)
        result = run(
            request,
            console=self.console,
            show_progress=self.show_progress,
            registry=self.registry,
            callbacks=[callback],
        )
        peak, peak_kind = peak_memory_mb(device)
        trainer_s = max(result.seconds - callback.eval_s, 1e-9)
        record = {
            "run_dir": str(result.run_dir),
            "steps": result.steps,
            "train_s": round(trainer_s, 3),
            "eval_s": round(callback.eval_s, 3),
            "samples_per_s": round(callback.samples_seen / trainer_s, 2),
            "peak_memory_mb": round(peak, 1),
            "memory_kind": peak_kind,
            "device": str(device),
            "device_name": device_name(device),
            "primary": evaluator.primary if evaluator else None,
            "higher_is_better": evaluator.higher_is_better if evaluator else None,
            "final": {"step": result.steps, "metrics": {}},
            "best": {"step": result.steps, "metrics": {}},
            "history": [],
        }
        if callback.history:
            final, best = callback.history[-1], callback.best or callback.history[-1]
            record.update(
                final={"step": final.step, "metrics": _clean(final.metrics)},
                best={"step": best.step, "metrics": _clean(best.metrics)},
                history=[{**e.to_dict(), "metrics": _clean(e.metrics)} for e in callback.history],
            )
        return record
