"""Precision choice (bf16 where the CPU has it), float32 losses under autocast, and flat memory over steps."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest
import torch

import ganzoo
from ganzoo import create_loss
from ganzoo.errors import UserError
from ganzoo.trainer import precision
from ganzoo.trainer.context import StepContext

CPU = torch.device("cpu")


def _cpuinfo_flags() -> set[str]:
    path = Path("/proc/cpuinfo")
    if not path.is_file():
        pytest.skip("no /proc/cpuinfo to compare with")
    for line in path.read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    pytest.skip("/proc/cpuinfo lists no flags")


def test_native_bf16_detection_agrees_with_the_cpu_flags() -> None:
    flags = _cpuinfo_flags()
    assert precision.cpu_has_native_bf16() == bool({"avx512_bf16", "amx_bf16"} & flags)


@pytest.mark.parametrize("native, expected", [(True, "bf16"), (False, "fp32")])
def test_auto_is_bf16_only_on_a_cpu_with_native_bf16(
    monkeypatch: pytest.MonkeyPatch, native: bool, expected: str
) -> None:
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: native)
    assert precision.resolve_precision("auto", CPU) == expected
    assert precision.resolve_precision("fp32", CPU) == "fp32"
    assert precision.resolve_precision("bf16", CPU) == "bf16"


def test_fp16_on_the_cpu_is_a_user_error() -> None:
    with pytest.raises(UserError, match="fp16 needs a CUDA device"):
        precision.resolve_precision("fp16", CPU)


def test_networks_run_in_bf16_while_losses_and_gradients_stay_float32() -> None:
    from ganzoo.nn import DCGANDiscriminator as Discriminator

    critic = Discriminator(1, 28, 8).to(memory_format=torch.channels_last)
    ctx = StepContext(lambda: {}, CPU, "bf16", None, {})
    images = torch.randn(4, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    with ctx.autocast():
        scores = critic(images)
    assert scores.dtype == torch.bfloat16
    loss = create_loss("bce").discriminator_loss(scores, scores.flip(0))
    assert loss.dtype == torch.float32
    loss.backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in critic.parameters())


class _CountTensors(ganzoo.Callback):
    """Counts live tensors (and their bytes) after chosen steps, right after a logging step."""

    def __init__(self, at: tuple[int, ...]) -> None:
        self.at, self.counts = at, {}

    def on_step_end(self, trainer) -> None:  # type: ignore[no-untyped-def]
        if trainer.step in self.at:
            gc.collect()
            with warnings.catch_warnings():  # isinstance touches deprecated torch attributes
                warnings.simplefilter("ignore")
                tensors = [o for o in gc.get_objects() if isinstance(o, torch.Tensor)]
            self.counts[trainer.step] = (len(tensors), sum(t.numel() * t.element_size() for t in tensors))


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_steps(in_tmp: Path) -> None:

    counter = _CountTensors(at=(10, 30))
    overrides = [
        "train.steps=30",
        "train.log_every=5",
        "train.batch_size=16",
        "model.g_channels=8",
        "model.d_channels=8",
        "train.sample_every=1000",
        "train.checkpoint_every=1000",
    ]
    ganzoo.train("dcgan", "digits", "r", sets=overrides, callbacks=[counter])
    assert counter.counts[30] == counter.counts[10]
