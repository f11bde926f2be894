"""The CUDA path end to end: AMP (fp16 + GradScaler, bf16), float32 penalties under autocast, channels_last,
bit-exact resume on the GPU and NCCL DDP. Skipped without a GPU; ``benchmarks/gpu_check.sh`` runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo import create_loss
from ganzoo.penalties import squared_gradient_norm
from ganzoo.trainer.checkpoint import load_checkpoint
from ganzoo.trainer.context import StepContext

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

CUDA = torch.device("cuda")
SMALL = [
    "model.g_channels=16",
    "model.d_channels=16",
    "train.batch_size=32",
    "train.log_every=2",
    "train.sample_every=1000",
    "train.checkpoint_every=1000",
]


def _run(cli, out: Path, *sets: str, model: str = "dcgan", resume: bool = False) -> dict:
    args = ["run", model, "--dataset", "digits", "--device", "cuda", "--out", str(out), "--no-progress"]
    code, _, err = cli(*args, *(["--resume"] if resume else []), *[a for s in (*SMALL, *sets) for a in ("--set", s)])
    assert code == 0, err
    return load_checkpoint(out / "checkpoints" / "last.pt")


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_mixed_precision_trains_with_finite_losses(tmp_path: Path, cli, precision: str) -> None:
    state = _run(cli, tmp_path / "run", f"train.precision={precision}", "train.steps=6")
    assert state["config"]["train"]["precision"] == precision
    assert (state["scaler"] is not None) == (precision == "fp16")  # GradScaler only for fp16
    if precision == "fp16":
        assert state["scaler"]["scale"] > 0
    rows = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert rows and all("NaN" not in row and "Infinity" not in row for row in rows)


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_networks_run_in_half_while_loss_and_penalty_stay_float32(precision: str) -> None:
    from ganzoo.nn import DCGANDiscriminator

    critic = DCGANDiscriminator(1, 28, 16, norm="layer").to(CUDA, memory_format=torch.channels_last)
    ctx = StepContext(lambda: {}, CUDA, precision, None, {})
    real, fake = (
        torch.randn(8, 1, 28, 28, device=CUDA).contiguous(memory_format=torch.channels_last) for _ in range(2)
    )
    loss = create_loss("wasserstein_gp", role="adversarial")
    with ctx.autocast():
        scores = critic(real)
        penalty = loss.penalty(critic, real, fake)
        r1 = squared_gradient_norm(critic, real)
    assert scores.dtype == (torch.float16 if precision == "fp16" else torch.bfloat16)
    assert penalty.dtype == r1.dtype == torch.float32 and torch.isfinite(penalty)
    exact = loss.penalty(critic, real, fake)  # the same penalty in float32, without autocast
    assert torch.allclose(penalty, exact, rtol=0.05, atol=1e-3)
    assert torch.allclose(r1, squared_gradient_norm(critic, real), rtol=0.05, atol=1e-3)
    (penalty + r1).backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in critic.parameters())


def test_channels_last_reaches_the_networks_and_batches(tmp_path: Path) -> None:
    seen = {}

    class Inspect(ganzoo.Callback):
        def on_step_end(self, trainer) -> None:  # type: ignore[no-untyped-def]
            conv = next(m for m in trainer.module.discriminator.modules() if isinstance(m, torch.nn.Conv2d))
            batch = trainer.batches()
            seen["weight"] = conv.weight.is_contiguous(memory_format=torch.channels_last)
            seen["batch"] = batch["image"].is_contiguous(memory_format=torch.channels_last)
            seen["device"] = batch["image"].device.type

    dataset = "cifar10" if _has_cifar() else "digits"
    ganzoo.train(
        "dcgan", dataset, tmp_path / "run", sets=[*SMALL, "train.steps=1"], device="cuda", callbacks=[Inspect()]
    )
    assert seen == {"weight": True, "batch": True, "device": "cuda"}


def test_compile_trains(tmp_path: Path, cli) -> None:
    state = _run(cli, tmp_path / "run", "train.compile=true", "train.steps=4")
    assert state["step"] == 4 and not any("_orig_mod" in key for key in state["model"])


def test_resume_on_cuda_is_bit_exact(tmp_path: Path, cli) -> None:
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    try:
        straight = _run(cli, tmp_path / "straight", "train.steps=6")
        _run(cli, tmp_path / "split", "train.steps=3")
        resumed = _run(cli, tmp_path / "split", "train.steps=6", resume=True)
    finally:
        torch.use_deterministic_algorithms(False)
    assert resumed["step"] == 6 and "cuda" in resumed["rng"]  # the device's generator state travels with it
    for name, value in straight["model"].items():
        assert torch.equal(value, resumed["model"][name]), name


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="DDP with NCCL needs two GPUs")
def test_ddp_with_nccl_on_two_gpus(tmp_path: Path) -> None:
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "ganzoo",
        "run",
        "dcgan",
        "--dataset",
        "digits",
        "--nproc",
        "2",
        "--device",
        "cuda",
        "--out",
        str(out),
        "--no-progress",
        *[a for s in (*SMALL, "train.steps=4") for a in ("--set", s)],
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-2000:]
    state = load_checkpoint(out / "checkpoints" / "last.pt")
    assert state["step"] == 4 and state["batches"]["world_size"] == 2


def _has_cifar() -> bool:
    from ganzoo.data import data_root

    return (data_root(None) / "cifar-10-batches-py" / "data_batch_1").is_file()
