"""A suite's tasks as submitit jobs (SLURM, or submitit's local executor), one job per (cell, seed).

A job that SLURM preempts or times out is requeued by submitit (``checkpoint``) and resumes from its
run directory's last checkpoint, as a rerun of the suite does; finished seeds are never rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console

from ganzoo.bench.launch import Launch
from ganzoo.bench.seeds import SeedTask, run_seed
from ganzoo.errors import UserError

submitit: ModuleType | None  # None without the optional `cluster` extra
try:
    import submitit
    from submitit.helpers import Checkpointable, DelayedSubmission
except ImportError:
    submitit = None
    Checkpointable = object  # type: ignore[assignment,misc]

GENERIC = {"timeout_min", "gpus_per_node", "cpus_per_task", "nodes", "tasks_per_node", "mem_gb", "name"}
ALIASES = {"time": "timeout_min", "gpus": "gpus_per_node", "cpus": "cpus_per_task"}


class SeedJob(Checkpointable):
    """The callable a job runs; requeued on preemption or timeout (the seed resumes from its checkpoint)."""

    def __call__(self, task: SeedTask) -> str:
        return str(run_seed(task)["status"])

    def checkpoint(self, task: SeedTask) -> Any:
        return DelayedSubmission(SeedJob(), task)


def executor_parameters(given: dict[str, object]) -> dict[str, object]:
    """``--slurm KEY=VALUE`` settings as AutoExecutor parameters: generic ones as they are (``time``,
    ``gpus``, ``cpus`` as aliases), every other key as ``slurm_KEY``."""
    named = {ALIASES.get(key, key): value for key, value in given.items()}
    return {
        key if key in GENERIC or key.startswith("slurm_") else f"slurm_{key}": value for key, value in named.items()
    }


def run_on_submitit(tasks: Sequence[SeedTask], launch: Launch, console: Console) -> None:
    """Submit one job per task (an array, at most ``launch.jobs`` running at once) and wait for all."""
    if submitit is None:
        raise UserError('--launcher submitit needs submitit: pip install "ganzoo[cluster]"')
    if not tasks:
        return
    folder = Path(launch.folder or tasks[0].out / "submitit")
    executor = submitit.AutoExecutor(folder=folder, cluster=None if launch.cluster == "auto" else launch.cluster)
    try:
        executor.update_parameters(
            name=f"ganzoo-{tasks[0].cell.model}",
            slurm_array_parallelism=launch.jobs,
            **executor_parameters(launch.parameters),
        )
    except ValueError as exc:
        raise UserError(f"--slurm: {str(exc).splitlines()[0]}") from None
    jobs = executor.map_array(SeedJob(), list(tasks))
    console.print(f"submitted {len(jobs)} job(s) to {executor.cluster} (logs in {folder})")
    for job, task in zip(jobs, tasks):
        try:
            job.result()
        except Exception as exc:  # the seed's record (if any) says more; the others go on
            console.print(
                f"[red]{task.cell.name} seed {task.seed}: job {job.job_id} failed: "
                f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__}[/]",
                highlight=False,
            )
