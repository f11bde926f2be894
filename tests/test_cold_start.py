"""Listing is cheap: ``import ganzoo``, ``ganzoo list``, ``info`` and ``plugins`` never import torch; training on
MNIST-format files that are present never imports torchvision (about 15 MiB a run), and its loss plot does not
import matplotlib (about 37 MiB)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mnist_files import write_idx

PROBE = (
    "import sys; from ganzoo.cli import main; code = main(sys.argv[1:]); "
    "heavy = sorted(m for m in ('torch', 'numpy', 'torchvision', 'matplotlib') if m in sys.modules); "
    "print('HEAVY', code, heavy, file=sys.stderr)"
)


@pytest.mark.parametrize(
    "command", [["list"], ["list", "models", "*gan"], ["info", "dcgan"], ["info", "digits"], ["plugins"]]
)
def test_listing_commands_do_not_import_torch(command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, *command], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "HEAVY 0 []", result.stderr


def test_the_package_root_and_its_spec_types_are_torch_free() -> None:
    code = (
        "import sys, ganzoo; from ganzoo import ModelSpec, Key, hookimpl, IMAGE; ganzoo.list_models(); "
        "print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_an_mnist_run_its_samples_and_loss_plot_import_neither_torchvision_nor_matplotlib(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name, array in (
        ("train-images-idx3-ubyte", rng.integers(0, 256, (16, 28, 28))),
        ("train-labels-idx1-ubyte", rng.integers(0, 10, 16)),
    ):
        write_idx(raw / name, array)
    run = [
        "run",
        "dcgan",
        "--dataset",
        "mnist",
        "--out",
        str(tmp_path / "run"),
        "--no-progress",
        "--set",
        f"data.root={tmp_path}",
    ]
    tiny = ["train.steps=2", "train.batch_size=8", "train.num_samples=4", "model.g_channels=4", "model.d_channels=4"]
    command = [*run, *(arg for key in tiny for arg in ("--set", key))]
    result = subprocess.run([sys.executable, "-c", PROBE, *command], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "HEAVY 0 ['numpy', 'torch']", result.stderr
    assert (tmp_path / "run" / "samples").is_dir() and any((tmp_path / "run" / "samples").glob("*.png"))
    assert (tmp_path / "run" / "loss_curves.png").is_file()
