"""``--resume`` with changed settings: learning rates and betas take effect; what shapes the run is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.resume_changes import check_resume_changes, load_optimizer

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
    "train.sample_every=100000",
    "--set",
    "train.precision=fp32",
    "--set",
    "train.checkpoint_every=100000",
]


@pytest.fixture
def two_steps(in_tmp: Path, cli) -> Path:
    assert cli("run", "dcgan", "--out", "run", *TINY, "--set", "train.steps=2")[0] == 0
    return in_tmp / "run"


def test_changed_learning_rate_and_betas_reach_the_optimizers_and_the_config(two_steps: Path, cli) -> None:
    code, _, err = cli(
        "run",
        "dcgan",
        "--out",
        "run",
        "--resume",
        *TINY,
        "--set",
        "train.steps=3",
        "--set",
        "train.lr=0.001",
        "--set",
        "train.betas=[0.1, 0.2]",
    )
    assert code == 0, err
    assert "resuming with train.lr 0.0002 -> 0.001" in err
    state = load_checkpoint(two_steps / "checkpoints" / "last.pt")
    groups = [g for opt in state["optimizers"].values() for g in opt["param_groups"]]
    assert len(groups) == 2 and all(g["lr"] == 0.001 and tuple(g["betas"]) == (0.1, 0.2) for g in groups)
    assert any(s["step"] for opt in state["optimizers"].values() for s in opt["state"].values())  # Adam state kept
    saved = yaml.safe_load((two_steps / "config.yaml").read_text())["train"]
    assert saved["lr"] == 0.001 and saved["betas"] == [0.1, 0.2] and state["step"] == 3


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("model.g_channels=16", "model.g_channels"),
        ("data.limit=100", "data.limit"),
        ("seed=5", "seed"),
        ("loss=hinge", "loss"),
        ("train.batch_size=8", "train.batch_size"),
        ("data.image_size=16", "data.image_size"),
    ],
)
def test_changes_that_shape_the_run_are_refused_in_one_line(two_steps: Path, cli, override: str, key: str) -> None:
    before = (two_steps / "checkpoints" / "last.pt").read_bytes()
    code, _, err = cli("run", "dcgan", "--out", "run", "--resume", *TINY, "--set", "train.steps=3", "--set", override)
    assert code == 2
    lines = [line for line in err.strip().splitlines() if not line.startswith("resuming from")]
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot resume run with '{key}' changed (")
    assert "start a new run without --resume" in lines[0]
    assert (two_steps / "checkpoints" / "last.pt").read_bytes() == before


def test_each_optimizer_keeps_its_own_new_rate() -> None:
    """Models with separate G/D rates (InfoGAN's model.g_lr): each optimizer gets what its config says."""
    g, d = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    old = {"g": torch.optim.Adam(g.parameters(), lr=1e-3), "d": torch.optim.Adam(d.parameters(), lr=2e-4)}
    g(torch.ones(2)).sum().backward()
    old["g"].step()
    saved = {name: opt.state_dict() for name, opt in old.items()}
    new = {
        "g": torch.optim.Adam(g.parameters(), lr=5e-4, betas=(0.5, 0.9)),
        "d": torch.optim.Adam(d.parameters(), lr=2e-4),
    }
    for name, opt in new.items():
        load_optimizer(opt, saved[name], apply_settings=True)
    assert new["g"].param_groups[0]["lr"] == 5e-4 and new["g"].param_groups[0]["betas"] == (0.5, 0.9)
    assert new["d"].param_groups[0]["lr"] == 2e-4 and new["g"].state_dict()["state"][0]["step"] == 1
    assert check_resume_changes({"model": {"g_lr": 1e-3}}, {"model": {"g_lr": 5e-4}}, Path("r")) == [
        "model.g_lr 0.001 -> 0.0005"
    ]
