"""Terminal output: the bench table fits 80 columns, `ganzoo list` shows only what it holds, `ganzoo runs`."""

from __future__ import annotations

import io
import json
import signal
from pathlib import Path

import pytest
from rich.console import Console

import ganzoo
from ganzoo.bench.report import print_tables
from ganzoo.trainer.loop import Trainer

TINY = ["model.hidden=16", "model.depth=2", "train.batch_size=8", "train.num_samples=16", "train.steps=4"]


def _cell(model: str, fid: float) -> dict:
    stat = lambda value: {"mean": value, "std": 0.1, "n": 3}  # noqa: E731
    names = ("fid", "kid", "precision", "recall", "is", "classes", "class_kl", "class_acc", "modes", "hq")
    return {
        "cell": f"{model}/mnist",
        "model": model,
        "dataset": "mnist",
        "status": "ok",
        "primary": "fid",
        "final": {name: stat(fid + i) for i, name in enumerate(names)},
        "best": {"fid": stat(fid)},
        "best_step": stat(4000),
        "budget": "5000 steps",
        "steps": stat(5000),
        "train_s": stat(812.5),
        "samples_per_s": stat(3020.4),
        "peak_memory_mb": 1234.0,
        "seeds": [0, 1, 2],
        "errors": [],
    }


def test_bench_table_fits_80_columns_and_points_to_the_report() -> None:
    buffer = io.StringIO()
    results = {"suite": "mnist", "cells": [_cell("dcgan", 12.345), _cell("wgan-gp", 23.456)]}
    print_tables(results, Console(file=buffer, width=80), Path("bench/mnist/report.md"))
    text = buffer.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "FID" in text and "12.3 ± 0.1" in text and "wgan-gp" in text  # whole cells, not folded to 2 characters
    assert "more column(s) in bench/mnist/report.md: " in text and "peak MiB" in text.splitlines()[-1]


def test_bench_table_shows_every_column_when_wide() -> None:
    buffer = io.StringIO()
    print_tables({"suite": "mnist", "cells": [_cell("dcgan", 12.345)]}, Console(file=buffer, width=400))
    assert "peak MiB" in buffer.getvalue() and "more column" not in buffer.getvalue()


def test_list_hides_empty_tables_and_heads_columns_by_content(cli) -> None:
    code, out, _ = cli("list", "dcgan")
    assert code == 0 and "models (1)" in out and "losses" not in out and "datasets" not in out
    code, out, _ = cli("list", "losses", "hinge")
    assert code == 0 and "role" in out and " data " not in out
    code, out, _ = cli("list", "datasets", "mnist")
    assert code == 0 and "kind and shape" in out and "paper" not in out
    code, out, _ = cli("list", "no-such-thing")
    assert code == 0 and "no models, losses, datasets, evaluators match 'no-such-thing'" in out


class _Stop(ganzoo.Callback):
    """At step 2, either ask for an interrupt (as SIGINT does) or raise an error."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def on_step_end(self, trainer: Trainer) -> None:
        if trainer.step == 2:
            if self.fail:
                raise RuntimeError("disk on fire")
            trainer.request_interrupt(signal.SIGINT)


def _run(out: str, callbacks: list[ganzoo.Callback] = ()) -> None:
    ganzoo.train("gan", "ring8", out, sets=TINY, callbacks=callbacks)


def test_runner_records_how_training_ended(in_tmp: Path) -> None:
    _run("runs/done")
    with pytest.raises(KeyboardInterrupt):
        _run("runs/stopped", [_Stop(fail=False)])
    with pytest.raises(RuntimeError):
        _run("runs/broken", [_Stop(fail=True)])
    states = {
        name: json.loads((in_tmp / "runs" / name / "status.json").read_text()) for name in ("done", "stopped", "broken")
    }
    assert (states["done"]["state"], states["done"]["step"]) == ("finished", 4)
    assert (states["stopped"]["state"], states["stopped"]["step"]) == ("interrupted", 2)
    assert states["broken"]["state"] == "failed" and states["broken"]["error"] == "disk on fire"


def _fake_run(folder: Path, files: dict[str, str]) -> None:
    for name, text in {
        "config.yaml": "model: {name: gan}\ndata: {name: ring8}\ntrain: {steps: 50}\n",
        "metrics.jsonl": '{"step": 10, "d_loss": 1.25, "g_loss": 0.5, "time": 1.0}\n',
        **files,
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def test_runs_lists_model_dataset_step_state_and_losses(in_tmp: Path, cli) -> None:
    _fake_run(in_tmp / "runs" / "a-finished", {"samples/final.png": "", "checkpoints/last.pt": ""})
    _fake_run(in_tmp / "runs" / "b-killed", {"checkpoints/last.pt": ""})
    _fake_run(in_tmp / "runs" / "c-failed", {"status.json": '{"state": "failed", "step": 12}'})
    _fake_run(in_tmp / "runs" / "d-nothing", {})
    code, out, _ = cli("runs")
    assert code == 0
    rows = {line.split()[1]: line for line in out.splitlines() if "-" in line and line.startswith("│")}
    assert "finished" in rows["a-finished"] and "10/50" in rows["a-finished"]
    assert "gan" in rows["a-finished"] and "ring8" in rows["a-finished"] and "d_loss 1.25" in rows["a-finished"]
    assert "interrupted" in rows["b-killed"]
    assert "failed" in rows["c-failed"] and "12/50" in rows["c-failed"]
    assert "failed" in rows["d-nothing"]


def test_runs_shows_a_live_run_as_running_and_refuses_a_missing_folder(in_tmp: Path, cli) -> None:
    from ganzoo.trainer.runlock import release_all, try_lock

    _fake_run(in_tmp / "live", {"status.json": '{"state": "finished", "step": 10}'})
    assert try_lock(in_tmp / "live")
    try:
        assert "running" in cli("runs", ".")[1]
    finally:
        release_all()
    code, _, err = cli("runs", "nowhere")
    assert code == 2 and "error: no folder nowhere" in err
