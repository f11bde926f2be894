"""Suites across processes and clusters: --jobs N and submitit's local executor give the serial records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganzoo.bench.launch import Launch
from ganzoo.bench.runner import run_suite
from ganzoo.bench.suite import parse_suite
from ganzoo.errors import UserError

TINY = {
    "train.log_every": 10,
    "train.sample_every": 1000,
    "train.checkpoint_every": 10,
    "model.hidden": 16,
    "model.depth": 2,
    "train.batch_size": 32,
    "train.precision": "fp32",
}


def _suite(seeds: int = 2) -> dict:
    return {
        "name": "tiny",
        "device": "cpu",
        "threads": 1,
        "seeds": seeds,
        "budget": {"steps": 20},
        "eval": {"every": 10, "samples": 200},
        "set": TINY,
        "cells": [{"model": "gan", "datasets": ["ring8", "grid25"]}],
    }


def _finals(out: Path) -> dict[str, dict]:
    return {
        f"{p.parent.name}/{p.name}": json.loads(p.read_text())["final"]
        for p in sorted((out / "cells").glob("*/seed*.json"))
    }


@pytest.mark.slow
@pytest.mark.subprocess
def test_jobs_2_gives_the_serial_records(tmp_path: Path) -> None:
    run_suite(parse_suite(_suite()), tmp_path / "serial")
    results = run_suite(parse_suite(_suite()), tmp_path / "jobs", launch=Launch(jobs=2))
    serial, parallel = _finals(tmp_path / "serial"), _finals(tmp_path / "jobs")
    assert len(serial) == 4 and serial == parallel
    assert [c["status"] for c in results["cells"]] == ["ok", "ok"]
    assert (tmp_path / "jobs" / "report.md").is_file() and (tmp_path / "jobs" / "results.json").is_file()


@pytest.mark.slow
@pytest.mark.subprocess
def test_submitit_local_runs_and_resumes_a_half_finished_suite(tmp_path: Path) -> None:
    pytest.importorskip("submitit")
    data = {**_suite(), "cells": [{"model": "gan", "datasets": ["ring8"]}]}
    launch = Launch(jobs=2, launcher="submitit", folder=str(tmp_path / "jobs"), cluster="local", parameters={"time": 5})
    run_suite(parse_suite(data), tmp_path / "out", seed=0, launch=launch)  # half of the suite: seed 0 only
    done = tmp_path / "out" / "cells" / "gan__ring8" / "seed0.json"
    stamp = done.stat().st_mtime_ns
    results = run_suite(parse_suite(data), tmp_path / "out", launch=launch)
    assert done.stat().st_mtime_ns == stamp  # kept, not rerun
    assert results["cells"][0]["seeds"] == [0, 1] and results["cells"][0]["status"] == "ok"
    assert len(list((tmp_path / "jobs").glob("*_result.pkl"))) == 2  # one job per seed; none for the kept one


@pytest.mark.parametrize(
    "args, message",
    [
        (["--jobs", "0"], "error: --jobs must be an integer >= 1, got 0"),
        (["--slurm", "partition=gpu"], "error: --submitit-folder and --slurm need --launcher submitit"),
        (["--launcher", "submitit", "--slurm", "nokey"], "error: --slurm expects KEY=VALUE, got 'nokey'"),
    ],
)
def test_bad_launch_options_are_one_line_errors(tmp_path: Path, cli, args: list[str], message: str) -> None:
    import yaml

    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(_suite(1)))
    code, _, err = cli("bench", str(path), "--out", str(tmp_path / "out"), *args)
    assert code == 2 and err.strip().splitlines() == [message]


def test_submitit_missing_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ganzoo.bench import submitit_launch

    monkeypatch.setattr(submitit_launch, "submitit", None)
    with pytest.raises(UserError, match=r'^--launcher submitit needs submitit: pip install "ganzoo\[cluster\]"$'):
        run_suite(parse_suite(_suite(1)), tmp_path, launch=Launch(launcher="submitit"))


def test_slurm_settings_map_onto_submitit_parameters() -> None:
    from ganzoo.bench.submitit_launch import executor_parameters

    assert executor_parameters({"partition": "gpu", "time": 60, "gpus_per_node": 1, "qos": "high"}) == {
        "slurm_partition": "gpu",
        "timeout_min": 60,
        "gpus_per_node": 1,
        "slurm_qos": "high",
    }
