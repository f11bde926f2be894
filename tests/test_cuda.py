"""On a CUDA device: fp16 with a GradScaler, bf16 autocast, float32 gradient penalties, exact resume.

Skipped without a GPU (``conftest`` skips every ``cuda`` test when ``torch.cuda.is_available()`` is false).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganzoo.penalties import squared_gradient_norm
from ganzoo.runner import RunRequest, run
from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.outputs import read_metrics

pytestmark = pytest.mark.cuda

DCGAN = [
    "model.g_channels=8",
    "model.d_channels=8",
    "train.batch_size=16",
    "train.log_every=2",
    "train.sample_every=1000",
    "train.checkpoint_every=1000",
    "train.num_samples=4",
]
GAN = [
    "model.hidden=32",
    "model.depth=2",
    "train.batch_size=32",
    "train.log_every=2",
    "train.sample_every=1000",
    "train.checkpoint_every=1000",
    "train.num_samples=16",
    "train.precision=fp32",
]


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_dcgan_trains_and_checkpoints_under_autocast(in_tmp: Path, precision: str) -> None:
    run(
        RunRequest(
            "dcgan",
            "digits",
            overrides=[*DCGAN, "train.steps=6", f"train.precision={precision}"],
            out="r",
            device="cuda",
        ),
        show_progress=False,
    )
    state = load_checkpoint(in_tmp / "r" / "checkpoints" / "last.pt")
    assert state["step"] == 6 and all(torch.isfinite(t).all() for t in state["model"].values())
    if precision == "fp16":  # the GradScaler's state is saved, so a resumed run keeps its loss scale
        assert state["scaler"] is not None and state["scaler"]["scale"] > 0
    else:
        assert state["scaler"] is None
    records = read_metrics(in_tmp / "r" / "metrics.jsonl")
    assert [r["step"] for r in records] == [2, 4, 6]
    assert all(torch.isfinite(torch.tensor(r["d_loss"])) for r in records)


@pytest.mark.parametrize("precision, dtype", [("fp16", torch.float16), ("bf16", torch.bfloat16)])
def test_networks_run_in_half_precision_while_the_gradient_penalty_stays_float32(
    precision: str, dtype: torch.dtype
) -> None:
    from ganzoo_plugins.losses.wasserstein import gradient_penalty

    device = torch.device("cuda")
    critic = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)
    ).to(device)
    real, fake = torch.randn(8, 1, 8, 8, device=device), torch.randn(8, 1, 8, 8, device=device)
    with StepContext(lambda: {}, device, precision, None, {}).autocast():
        assert critic(real).dtype == dtype
        penalty = gradient_penalty(critic, real, fake, torch.Generator(device).manual_seed(0))
        norm = squared_gradient_norm(critic, real)
    assert penalty.dtype == norm.dtype == torch.float32
    reference = gradient_penalty(critic, real, fake, torch.Generator(device).manual_seed(0))
    assert torch.allclose(penalty, reference, rtol=1e-5) and torch.allclose(norm, squared_gradient_norm(critic, real))
    penalty.backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in critic.parameters())


def test_resume_on_cuda_matches_an_uninterrupted_run_bit_exactly(in_tmp: Path) -> None:
    def train(out: str, steps: int, resume: bool = False) -> None:
        run(
            RunRequest("gan", "ring8", overrides=[*GAN, f"train.steps={steps}"], out=out, device="cuda", resume=resume),
            show_progress=False,
        )

    train("full", 10)
    train("split", 4)
    train("split", 10, resume=True)
    full = load_checkpoint(in_tmp / "full" / "checkpoints" / "last.pt")
    split = load_checkpoint(in_tmp / "split" / "checkpoints" / "last.pt")
    assert "cuda" in split["rng"]  # the device's generator state travels with the checkpoint
    for name, tensor in full["model"].items():
        assert torch.equal(tensor, split["model"][name]), name
