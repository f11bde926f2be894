"""End to end: `ganzoo run dcgan` writes a complete run directory, resumes bit-exactly, samples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganzoo.trainer.checkpoint import load_checkpoint

FAST = ["--no-progress", "--set", "model.g_channels=16", "--set", "model.d_channels=16", "--set", "train.batch_size=32"]


def _weights(run: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(run / "checkpoints" / "last.pt")["model"]


def test_run_on_digits_writes_a_complete_run_directory(in_tmp: Path, cli) -> None:
    code, out, err = cli(
        "run",
        "dcgan",
        "--set",
        "train.steps=30",
        "--set",
        "train.sample_every=15",
        "--set",
        "train.checkpoint_every=20",
        "--set",
        "train.log_every=5",
        *FAST,
    )
    assert code == 0, err
    run = in_tmp / "runs" / "dcgan-digits"
    assert (run / "config.yaml").is_file()
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [5, 10, 15, 20, 25, 30]
    assert all(np.isfinite(r["d_loss"]) and np.isfinite(r["g_loss"]) and r["samples_per_s"] > 0 for r in records)
    assert {p.name for p in (run / "samples").iterdir()} == {"step_0000015.png", "step_0000030.png", "final.png"}
    assert Image.open(run / "samples" / "final.png").size[0] > 32 * 8
    assert (run / "loss_curves.png").is_file()
    assert {p.name for p in (run / "checkpoints").iterdir()} == {"last.pt", "step_0000020.pt"}
    assert load_checkpoint(run / "checkpoints" / "last.pt")["step"] == 30


def test_a_second_run_never_overwrites_the_first(in_tmp: Path, cli) -> None:
    for _ in range(2):
        assert cli("run", "dcgan", "--set", "train.steps=2", *FAST)[0] == 0
    assert (in_tmp / "runs" / "dcgan-digits").is_dir() and (in_tmp / "runs" / "dcgan-digits-2").is_dir()


@pytest.mark.slow
def test_resume_matches_an_uninterrupted_run_bit_exactly(in_tmp: Path, cli) -> None:
    common = ["--set", "train.checkpoint_every=1000", "--set", "train.sample_every=7", *FAST]
    assert cli("run", "dcgan", "--out", "full", "--set", "train.steps=24", *common)[0] == 0
    assert cli("run", "dcgan", "--out", "split", "--set", "train.steps=11", *common)[0] == 0
    assert cli("run", "dcgan", "--out", "split", "--resume", "--set", "train.steps=24", "--no-progress")[0] == 0
    full, split = _weights(in_tmp / "full"), _weights(in_tmp / "split")
    assert full.keys() == split.keys()
    for name in full:
        assert torch.equal(full[name], split[name]), name
    steps = [json.loads(line)["step"] for line in (in_tmp / "split" / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == 24


def test_loss_switches_by_config(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "hinge", "--set", "loss=hinge", "--set", "train.steps=3", *FAST)[0] == 0
    saved = load_checkpoint(in_tmp / "hinge" / "checkpoints" / "last.pt")["config"]
    assert saved["loss"] == "hinge"


def test_run_on_real_mnist(in_tmp: Path, cli, data_dir: Path) -> None:
    code, _, err = cli(
        "run",
        "dcgan",
        "--dataset",
        "mnist",
        "--set",
        "data.limit=2000",
        "--set",
        "train.steps=20",
        "--set",
        "train.sample_every=10",
        *FAST,
    )
    assert code == 0, err
    run = in_tmp / "runs" / "dcgan-mnist"
    assert (run / "samples" / "step_0000010.png").is_file()
    state = load_checkpoint(run / "checkpoints" / "last.pt")
    assert state["data_info"]["shape"] == [1, 28, 28] and state["step"] == 20


def test_sample_writes_png_and_npz(in_tmp: Path, cli) -> None:
    assert cli("run", "dcgan", "--out", "r", "--set", "train.steps=2", *FAST)[0] == 0
    assert cli("sample", "r", "-n", "9", "--out", "grid.png")[0] == 0
    assert Image.open("grid.png").size == (3 * 34 + 2, 3 * 34 + 2)
    assert cli("sample", "r", "-n", "5", "--out", "raw.npz")[0] == 0
    images = np.load("raw.npz")["images"]
    assert images.shape == (5, 32, 32, 1) and images.dtype == np.uint8 and images.max() > images.min()
