"""The GAN module: the networks and one training step's update rule, nothing else.

The trainer owns devices, precision, data loading, loops, checkpoints and files; a GAN module only says
*what* one step computes, through the ``StepContext`` the trainer hands it. Its networks are its direct
child modules, and every optimizer it needs comes from ``configure_optimizers``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import torch
from torch import nn

from ganzoo.data import DataInfo

if TYPE_CHECKING:
    from ganzoo.trainer.context import StepContext


@dataclass(frozen=True)
class Phase:
    """A stage of training (e.g. SeqGAN's MLE pre-training) that runs for ``steps`` trainer steps."""

    name: str
    steps: int


class GANModule(nn.Module):
    """Base class of every model plugin's networks and update rule."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__()
        self.config = config
        self.info = info

    def phases(self) -> list[Phase]:
        """The training phases in order; by default one adversarial phase of ``train.steps`` steps."""
        return [Phase("adversarial", int(self.config["train"]["steps"]))]

    def parameter_groups(self) -> dict[str, tuple[str, Iterable[nn.Parameter]]]:
        """Name -> (role, parameters) of each optimizer; role ``generator`` or ``discriminator`` picks
        ``train.g_lr`` or ``train.d_lr``. By default the ``generator`` and ``discriminator`` networks."""
        groups = {
            name: (name, getattr(self, name).parameters())
            for name in ("generator", "discriminator")
            if isinstance(getattr(self, name, None), nn.Module)
        }
        if not groups:
            raise NotImplementedError(
                f"{type(self).__name__} has no `generator`/`discriminator` networks: override parameter_groups()"
            )
        return groups

    def configure_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Named optimizers (names are used in checkpoints), built by the trainer's policy from
        ``parameter_groups``: ``train.optimizer`` at each role's rate. API-1 models override this."""
        from ganzoo.trainer.policy import build_optimizer

        return {
            name: build_optimizer(parameters, role, self.config["train"])
            for name, (role, parameters) in self.parameter_groups().items()
        }

    def adam(self, parameters: Iterable[nn.Parameter], lr: float | None = None) -> torch.optim.Adam:
        """Adam with ``train.lr`` (or ``lr``) and ``train.betas`` (plugin API 1; API 2 models declare
        ``parameter_groups`` and the trainer builds their optimizers)."""
        train = self.config["train"]
        betas = cast(tuple[float, float], tuple(float(b) for b in train["betas"]))  # train.betas has length 2
        return torch.optim.Adam(parameters, lr=float(train["lr"] if lr is None else lr), betas=betas)

    def training_step(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        """Run one training step through ``ctx`` and return detached scalars to log."""
        raise NotImplementedError

    def sample(self, n: int, generator: torch.Generator | None = None, **conditions: Any) -> dict[str, torch.Tensor]:
        """Draw ``n`` samples; images come back under ``image`` in [-1, 1], conditions (labels) beside."""
        raise NotImplementedError

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Images for the periodic sample grid and the number per row (square by default)."""
        return self.sample(n, generator=generator)["image"], max(1, int(math.sqrt(n)))

    def sample_text(self, n: int, generator: torch.Generator | None = None) -> list[str]:
        """Decoded samples, for text models (the trainer writes them instead of an image grid)."""
        raise NotImplementedError(f"{type(self).__name__} does not generate text")

    @property
    def device(self) -> torch.device:
        """The device of this module's parameters (where new noise must be drawn)."""
        return next(self.parameters()).device
