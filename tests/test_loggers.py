"""Optional loggers: TensorBoard event files hold the run's scalars, sample grids and text samples."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from ganzoo.errors import UserError
from ganzoo.trainer.loggers import TensorBoardLogger, check_loggers

FAST = [
    "--no-progress",
    "--set",
    "model.hidden=16",
    "--set",
    "model.depth=2",
    "--set",
    "train.batch_size=8",
    "--set",
    "train.num_samples=16",
]


def _events(folder: Path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    return EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0, "tensors": 0}).Reload()


def test_tensorboard_logger_writes_scalars_and_sample_grids(in_tmp: Path, cli) -> None:
    pytest.importorskip("tensorboard")
    code, _, err = cli(
        "run",
        "gan",
        "-d",
        "ring8",
        "--out",
        "tb",
        "--set",
        "train.steps=4",
        "--set",
        "train.log_every=2",
        "--set",
        "train.sample_every=2",
        "--set",
        "train.loggers=[jsonl,tensorboard]",
        *FAST,
    )
    assert code == 0, err
    events = _events(in_tmp / "tb" / "tensorboard")
    tags = events.Tags()
    assert {"adversarial/d_loss", "adversarial/g_loss", "adversarial/samples_per_s"} <= set(tags["scalars"])
    logged = [json.loads(line) for line in (in_tmp / "tb" / "metrics.jsonl").read_text().splitlines()]
    d_loss = events.Scalars("adversarial/d_loss")
    assert [e.step for e in d_loss] == [r["step"] for r in logged] == [2, 4]
    assert d_loss[-1].value == pytest.approx(logged[-1]["d_loss"], rel=1e-5)
    assert {"samples", "samples/final"} <= set(tags["images"])
    assert [e.step for e in events.Images("samples")] == [2, 4]
    assert events.Images("samples/final")[0].encoded_image_string.startswith(b"\x89PNG")


def test_tensorboard_logger_writes_text_samples(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    samples = tmp_path / "final.txt"
    samples.write_text("a fine film\nnot good at all\n", encoding="utf-8")
    logger = TensorBoardLogger(tmp_path / "tb")
    logger.on_samples(SimpleNamespace(step=7), samples)  # type: ignore[arg-type]
    logger.on_fit_end(SimpleNamespace(step=7))  # type: ignore[arg-type]
    events = _events(tmp_path / "tb")
    [event] = events.Tensors("samples/final/text_summary")
    assert event.step == 7 and b"not good at all" in event.tensor_proto.string_val[0]


def test_unknown_logger_is_one_line_error(in_tmp: Path, cli) -> None:
    code, _, err = cli("run", "gan", "-d", "ring8", "--set", "train.loggers=[wandb]", "--set", "train.steps=1", *FAST)
    assert code == 2 and "unknown logger 'wandb'; choose from jsonl, tensorboard" in err
    assert not (in_tmp / "runs").exists() or not any((in_tmp / "runs").iterdir())


def test_missing_tensorboard_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "tensorboard", None)
    with pytest.raises(UserError, match=r'pip install "ganzoo\[tensorboard\]"'):
        check_loggers(["jsonl", "tensorboard"])
