"""A run directory belongs to one process: concurrent runs get their own, a held one is refused by pid."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.outputs import read_metrics

TINY = [
    "--no-progress",
    "--device",
    "cpu",
    "--set",
    "model.g_channels=8",
    "--set",
    "model.d_channels=8",
    "--set",
    "train.batch_size=16",
    "--set",
    "train.log_every=1",
    "--set",
    "train.sample_every=100000",
    "--set",
    "train.precision=fp32",
]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ganzoo", "run", "dcgan", *TINY, *args],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hold(folder: Path) -> int:
    """Lock ``folder`` the way a running ganzoo does (another open file, so this process's runs conflict)."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


@pytest.mark.subprocess
@pytest.mark.slow
def test_runs_started_at_once_get_separate_directories_and_lose_nothing(tmp_path: Path) -> None:
    seeds = (11, 12, 13)
    procs = [_start(tmp_path, "--seed", str(seed), "--set", "train.steps=3") for seed in seeds]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [err for _, err in results]
    dirs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert dirs == ["dcgan-digits", "dcgan-digits-2", "dcgan-digits-3"]
    said = sorted(out.split("-> ")[-1].strip() for out, _ in results)
    assert said == [f"runs/{name}" for name in dirs]
    by_seed = {load_checkpoint(tmp_path / "runs" / name / "checkpoints" / "last.pt")["config"]["seed"] for name in dirs}
    assert by_seed == set(seeds)
    for name in dirs:
        assert [r["step"] for r in read_metrics(tmp_path / "runs" / name / "metrics.jsonl")] == [1, 2, 3]


def test_a_held_run_directory_is_refused_naming_the_pid_and_new_runs_go_beside_it(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=2")[0] == 0
    fd = _hold(in_tmp / "run")
    try:
        code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *TINY, "--set", "train.steps=3")
        assert code == 2
        assert err.strip().splitlines() == [
            f"error: cannot resume: run is in use by process {os.getpid()} (it "
            f"holds run/.lock); wait for that run to end or stop it"
        ]
        (in_tmp / "empty").mkdir()
        held = _hold(in_tmp / "empty")
        code, out, _ = cli("run", "dcgan", "--out", "empty", *TINY, "--set", "train.steps=1")
        assert code == 0 and "-> empty-2" in out and [p.name for p in (in_tmp / "empty").iterdir()] == [".lock"]
        os.close(held)
    finally:
        os.close(fd)
    assert load_checkpoint(in_tmp / "run" / "checkpoints" / "last.pt")["step"] == 2  # untouched while held
    assert cli("run", "dcgan", "--out", "run", "--resume", *TINY, "--set", "train.steps=3")[0] == 0  # free again


@pytest.mark.subprocess
@pytest.mark.slow
def test_two_resumes_at_once_one_runs_and_one_is_refused(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=2")[0] == 0
    procs = [
        _start(in_tmp, "--out", "run", "--resume", "--set", "train.steps=200", "--set", "train.log_every=50")
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=600) for proc in procs]
    codes = sorted(proc.returncode for proc in procs)
    assert codes == [0, 2], [err for _, err in results]
    refused = next(err for proc, (_, err) in zip(procs, results) if proc.returncode == 2)
    winner = next(proc for proc in procs if proc.returncode == 0)
    assert refused.strip().splitlines()[-1] == (
        f"error: cannot resume: run is in use by process {winner.pid} (it "
        f"holds run/.lock); wait for that run to end or stop it"
    )
    assert [r["step"] for r in read_metrics(in_tmp / "run" / "metrics.jsonl")] == [1, 2, 50, 100, 150, 200]


def test_resume_of_a_directory_that_does_not_exist_is_an_error(in_tmp: Path, cli) -> None:
    code, _, err = cli("run", "dcgan", "--out", "tpyo", "--resume", *TINY)
    assert code == 2 and not (in_tmp / "tpyo").exists()
    assert err.strip().splitlines() == [
        "error: nothing to resume: no run directory tpyo; check --out, or drop --resume to start a new run"
    ]
