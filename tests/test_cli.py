"""The CLI's listings, and every user error exiting 2 with one clear line and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_list_shows_the_builtins(cli) -> None:
    code, out, _ = cli("list")
    assert code == 0
    for name in ("dcgan", "bce", "hinge", "digits", "mnist", "cifar10"):
        assert name in out


def test_list_filters_by_kind_and_pattern(cli) -> None:
    code, out, _ = cli("list", "datasets", "*MNIST")
    assert code == 0 and "fashion-mnist" in out and "scikit" not in out and "dcgan" not in out


def test_info_shows_default_config_as_yaml(cli) -> None:
    code, out, _ = cli("info", "dcgan")
    assert code == 0 and "1511.06434" in out and "z_dim: 100" in out and "batch_size:" in out


def test_plugins_lists_packages(cli) -> None:
    code, out, _ = cli("plugins")
    assert code == 0 and "ganzoo" in out and "dcgan" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "dcgn"], "unknown model 'dcgn' (did you mean: dcgan"),
        (["run", "dcgan", "--dataset", "mnsit"], "unknown dataset 'mnsit'"),
        (["run", "dcgan", "--set", "train.stepz=1"], "unknown config key 'train.stepz'"),
        (["run", "dcgan", "--set", "train.batch_size=big"], "'train.batch_size' must be an integer"),
        (["run", "dcgan", "--config", "/no/such.yaml"], "cannot read config file"),
        (["run", "dcgan", "--device", "tpu"], "device"),
        (
            ["run", "dcgan", "--dataset", "mnist", "--set", "data.root=/nonexistent", "--set", "data.download=false"],
            "mnist not found in /nonexistent",
        ),
        (
            ["run", "dcgan", "--set", "loss=info"],
            "loss 'info' is not an adversarial loss (it is a mutual-information loss), and model 'dcgan'",
        ),
        (["info", "nothing"], "unknown model 'nothing'"),
        (["sample", "/no/run"], "run directory /no/run does not exist"),
        (["sample", "/no/run", "--seed", "-9223372036854775809"], "--seed must be between 0 and 2**63 - 1"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_errors_exit_2_with_one_line(args: list[str], message: str, cli, in_tmp: Path) -> None:
    code, _, err = cli(*args)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("error:")


def test_corrupt_checkpoint_is_one_line(cli, in_tmp: Path) -> None:
    assert (
        cli(
            "run",
            "dcgan",
            "--out",
            "r",
            "--set",
            "train.steps=1",
            "--no-progress",
            "--set",
            "model.g_channels=8",
            "--set",
            "model.d_channels=8",
        )[0]
        == 0
    )
    last = in_tmp / "r" / "checkpoints" / "last.pt"
    last.write_bytes(last.read_bytes()[:1000])
    code, _, err = cli("sample", "r")
    assert code == 2 and "corrupt or truncated" in err


@pytest.mark.subprocess
@pytest.mark.slow
def test_errors_through_the_console_script_have_no_traceback(in_tmp: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ganzoo", "run", "dcgan", "--set", "loss=wasserstien"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "unknown loss 'wasserstien'" in result.stderr
