"""Where a suite's (cell, seed) tasks run: in this process, in N worker processes, or as cluster jobs.

Tasks are independent (each writes only its own run directory and record), so the order and the process
they run in change nothing but the wall time: a worker sets torch's thread count and trains exactly as
the serial path does. The parent summarises from the records once every task has ended.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from rich.console import Console

from ganzoo.bench.seeds import SeedTask, is_done, read_record, run_seed
from ganzoo.errors import UserError
from ganzoo.registry import Registry

LAUNCHERS = ("local", "submitit")


@dataclass(frozen=True)
class Launch:
    """How to run a suite's tasks: ``jobs`` at a time, locally or through submitit (``cluster`` is
    submitit's: auto, slurm or local; ``parameters`` are its executor parameters)."""

    jobs: int = 1
    launcher: str = "local"
    folder: str = ""
    cluster: str = "auto"
    parameters: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 1:
            raise UserError(f"--jobs must be an integer >= 1, got {self.jobs}")
        if self.launcher not in LAUNCHERS:
            raise UserError(f"--launcher must be one of {', '.join(LAUNCHERS)}, got {self.launcher!r}")
        if self.launcher != "submitit" and (self.folder or self.parameters):
            raise UserError("--submitit-folder and --slurm need --launcher submitit")


def worker_threads(suite_threads: int, jobs: int) -> int:
    """Torch threads per worker: the suite's ``threads`` when set, else the CPUs shared out evenly."""
    return suite_threads or max(1, (os.cpu_count() or 1) // jobs)


def run_tasks(
    tasks: Sequence[SeedTask], launch: Launch, registry: Registry, console: Console, show_progress: bool
) -> None:
    """Run every task to its record (records, not return values, carry the results); other processes
    are started only for seeds not done yet."""
    if launch.launcher != "local" or launch.jobs > 1:
        tasks = [task for task in tasks if not is_done(task, read_record(task.record_path))]
    if launch.launcher == "submitit":
        from ganzoo.bench.submitit_launch import run_on_submitit

        run_on_submitit(tasks, launch, console)
    elif launch.jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            run_seed(task, registry, console, show_progress)
    else:
        _run_in_processes(tasks, launch.jobs, console)


def _run_in_processes(tasks: Sequence[SeedTask], jobs: int, console: Console) -> None:
    """``jobs`` spawned workers; on Ctrl-C (which reaches the workers too) queued tasks are cancelled and
    running ones checkpoint, so a rerun resumes them."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context)
    try:
        futures = [pool.submit(run_seed, task) for task in tasks]
        wait(futures)
        for future in futures:
            future.result()  # a worker that died (not a failing seed: that is a record) is an error
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
