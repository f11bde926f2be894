"""The benchmark harness end to end: a small suite runs, resumes without rerunning, records failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ganzoo.bench.runner import run_suite
from ganzoo.bench.suite import load_suite, parse_suite
from ganzoo.errors import UserError

TINY = {
    "train.log_every": 5,
    "train.sample_every": 1000,
    "train.checkpoint_every": 1000,
    "model.hidden": 16,
    "model.depth": 2,
    "train.batch_size": 32,
    "train.precision": "fp32",
}


def suite(**extra: object) -> dict:
    return {
        "name": "tiny",
        "device": "cpu",
        "threads": 1,
        "budget": {"steps": 12},
        "eval": {"every": 4, "samples": 300},
        "set": TINY,
        "cells": [{"model": "gan", "datasets": ["ring8", "grid25"]}],
        **extra,
    }


@pytest.mark.slow
def test_suite_runs_resumes_and_writes_results_report_and_plots(tmp_path: Path) -> None:
    data = suite()
    data["cells"] += [{"model": "gan", "datasets": ["digits"], "set": {"model.no_such_key": 1}}]
    results = run_suite(parse_suite(data), tmp_path)
    cells = {c["cell"]: c for c in results["cells"]}
    assert cells["gan/ring8"]["status"] == cells["gan/grid25"]["status"] == "ok"
    assert cells["gan/digits"]["status"] == "failed"
    assert "model.no_such_key" in cells["gan/digits"]["errors"][0]

    grid = cells["gan/grid25"]
    assert set(grid["final"]) == {"modes", "hq", "mode_kl", "energy", "mmd"}
    assert grid["steps"]["mean"] == 12 and grid["samples_per_s"]["mean"] > 0 and grid["peak_memory_mb"] > 0
    assert [e["step"] for e in grid["history"]["0"]] == [4, 8, 12]
    record = json.loads((tmp_path / "cells" / "gan__grid25" / "seed0.json").read_text())
    run_dir = Path(record["run_dir"])
    assert (run_dir / "checkpoints" / "best.pt").is_file() and (run_dir / "eval.jsonl").is_file()
    assert record["best"]["step"] in (4, 8, 12)
    environment = json.loads((tmp_path / "results.json").read_text())["environment"]
    assert environment["torch"] and environment["git_commit"] and environment["device_name"]

    report = (tmp_path / "report.md").read_text()
    assert "## ring8" in report and "## grid25" in report and "| gan |" in report
    assert "model.no_such_key" in report
    assert (tmp_path / "plots" / "ring8.png").is_file() and (tmp_path / "plots" / "grid25.png").is_file()

    stamp = (tmp_path / "cells" / "gan__ring8" / "seed0.json").stat().st_mtime_ns
    again = run_suite(parse_suite(data), tmp_path, only="gan/ring8")
    assert (tmp_path / "cells" / "gan__ring8" / "seed0.json").stat().st_mtime_ns == stamp
    assert {c["cell"] for c in again["cells"]} >= {"gan/ring8", "gan/grid25"}  # others come from their records


def test_minutes_budget_stops_training_and_seeds_are_summarised(tmp_path: Path) -> None:
    data = suite(budget={"minutes": 0.0001}, seeds=2)
    data["cells"] = [{"model": "gan", "datasets": ["ring8"]}]
    results = run_suite(parse_suite(data), tmp_path)
    cell = results["cells"][0]
    assert cell["status"] == "ok" and cell["seeds"] == [0, 1]
    assert cell["steps"]["mean"] < 100  # stopped by the clock long before the step cap
    assert cell["final"]["hq"]["n"] == 2


def test_bad_suites_are_one_line_errors(tmp_path: Path, cli) -> None:
    with pytest.raises(UserError, match="unknown key 'budgett'"):
        parse_suite({**suite(), "budgett": 1})
    with pytest.raises(UserError, match="matches none"):
        parse_suite(suite()).select("dcgan/*")
    assert [c.name for c in parse_suite(suite()).select("*/grid*")] == ["gan/grid25"]
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump({**suite(), "cells": []}))
    code, _, err = cli("bench", str(path), "--out", str(tmp_path / "out"))
    assert code == 2 and "non-empty list" in err


def test_text_evaluator_scores_real_sentences_above_shuffled_words() -> None:
    import torch

    from ganzoo import TEXT, DataInfo, GANModule, LoadedData
    from ganzoo.metrics.evaluate import EvalSettings, TextEvaluator

    vocab = ["<pad>", "<eos>", "the", "film", "was", "good", "bad", "very", "."]
    rows = [[2, 3, 4, 7, 5, 8, 1, 0], [2, 3, 4, 6, 8, 1, 0, 0]] * 10
    info = DataInfo("toy-text", TEXT, (8,), extras={"vocab": vocab, "pad_id": 0, "eos_id": 1})
    data = LoadedData(info, tensors={"tokens": torch.tensor(rows)})

    class Parrot(GANModule):
        def __init__(self, lines: list[str]) -> None:
            super().__init__({}, info)
            self.lines, self.weight = lines, torch.nn.Parameter(torch.zeros(1))

        def sample_text(self, n: int, generator: torch.Generator | None = None) -> list[str]:
            return [self.lines[i % len(self.lines)] for i in range(n)]

    evaluator = TextEvaluator(data, EvalSettings(samples=20))
    real = evaluator.evaluate(Parrot(["The film was very good.", "the film was bad ."]))
    shuffled = evaluator.evaluate(Parrot(["good very . film the was", "bad the . was film"]))
    assert real["bleu2"] > 0.99 and real["bleu3"] > 0.99
    assert shuffled["bleu2"] < 0.5 * real["bleu2"]
    assert real["self_bleu3"] > 0.99  # two distinct lines, each repeated: no diversity


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parents[1] / "benchmarks").glob("*.yaml")), ids=lambda p: p.name
)
def test_every_shipped_suite_resolves_to_valid_run_configs(path: Path) -> None:
    from ganzoo.runner import RunRequest, resolve_config

    for cell in load_suite(path).cells:
        config, _, _ = resolve_config(RunRequest(cell.model, cell.dataset, overrides=cell.set_args()))
        assert config["model"] and config["data"]["name"] == cell.dataset


def _one_cell(**extra: object) -> dict:
    return {**suite(**extra), "cells": [{"model": "gan", "datasets": ["ring8"]}]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "/abs/dir"}, "name must be a plain name"),
        ({"name": "../../x"}, "name must be a plain name"),
        ({"cells": [{"model": "../gan", "datasets": ["ring8"]}]}, "model must be a plain name"),
        ({"budget": {"minutes": float("nan")}}, "minutes must be a finite number"),
        ({"eval": {"metrics": 5}}, "metrics must be a list of metric names"),
        ({"threads": 100000}, "threads must be an integer from 0"),
        ({"threads": True}, "threads must be"),
    ],
)
def test_suite_values_that_would_escape_or_run_forever_are_one_line(
    tmp_path: Path, cli, change: dict, message: str
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump({**_one_cell(), **change}))
    code, _, err = cli("bench", str(path), "--out", str(tmp_path / "out"))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_bench_keeps_what_it_did_not_write_and_resumes_an_unfinished_cell(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("my own notes")
    with pytest.raises(
        UserError,
        match=r"already holds report.md that this suite \(tiny\) did not write; "
        r"choose another --out, or pass --force",
    ):
        run_suite(parse_suite(_one_cell()), out)
    assert (out / "report.md").read_text() == "my own notes"
    precious = out / "runs" / "gan-ring8-s0" / "notes.txt"
    precious.parent.mkdir(parents=True)
    precious.write_text("precious")
    run_suite(parse_suite(_one_cell()), out, force=True)
    assert precious.read_text() == "precious" and (out / "runs" / "gan-ring8-s0-2" / "config.yaml").is_file()
    assert "## ring8" in (out / "report.md").read_text()
    run_suite(parse_suite(_one_cell()), out)  # its own report: rewritten without --force
    # An interrupted seed (no record yet) continues in its run directory instead of being removed.
    other = tmp_path / "other"
    run_suite(parse_suite(_one_cell()), other)
    (other / "cells" / "gan__ring8" / "seed0.json").unlink()
    log = io.StringIO()
    results = run_suite(parse_suite(_one_cell()), other, console=Console(file=log, width=200))
    assert "resuming from step 12" in log.getvalue() and results["cells"][0]["status"] == "ok"
    assert [p.name for p in (other / "runs").iterdir()] == ["gan-ring8-s0"]
