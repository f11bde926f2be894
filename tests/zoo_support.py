"""Helpers for the zoo models' tests: build a model from its spec, run its step through a real StepContext."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ganzoo import IMAGE, DataInfo, GANModule
from ganzoo.runner import RunRequest, build_model, resolve_config
from ganzoo.trainer.context import StepContext
from ganzoo.trainer.policy import StepPolicy

DIGITS = DataInfo("digits", IMAGE, (1, 28, 28), 10)


def build(model: str, *overrides: str, dataset: str = "digits", info: DataInfo = DIGITS) -> GANModule:
    """``model`` with its defaults plus ``overrides``, on data described by ``info``, seeded."""
    config, _, _ = resolve_config(RunRequest(model, dataset, overrides=list(overrides)))
    torch.manual_seed(0)
    return build_model(config, info)


def images(n: int, shape: tuple[int, ...] = (1, 28, 28)) -> torch.Tensor:
    """Random images in [-1, 1]."""
    return torch.rand(n, *shape) * 2 - 1


def context(
    module: GANModule,
    next_batch: Callable[[], dict[str, torch.Tensor]],
    reduce_mean: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> StepContext:
    """The trainer's step context over ``module``'s own optimizers and policy, on the CPU in fp32."""
    return StepContext(
        next_batch,
        torch.device("cpu"),
        "fp32",
        None,
        module.configure_optimizers(),
        StepPolicy.from_config(module.config["train"]),
        reduce_mean=reduce_mean,
    )


def labelled_batch(n: int = 8) -> dict[str, torch.Tensor]:
    """A random labelled image batch."""
    return {"image": images(n), "label": torch.randint(0, 10, (n,))}
