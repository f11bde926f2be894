"""The least-squares objective of LSGAN with the paper's a-b-c coding, computed in float32."""

from __future__ import annotations

import torch

from ganzoo import AdversarialLoss


class LeastSquaresCoding(AdversarialLoss):
    """D: 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]; G: 1/2 E[(D(G(z)) - c)^2] (eq. 2 of the paper)."""

    def __init__(self, a: float, b: float, c: float) -> None:
        self.a, self.b, self.c = a, b, c

    def discriminator_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        return 0.5 * (real_scores.float() - self.b).pow(2).mean() + 0.5 * (fake_scores.float() - self.a).pow(2).mean()

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        return 0.5 * (fake_scores.float() - self.c).pow(2).mean()


class ZeroOneCoding(LeastSquaresCoding):
    """a=0, b=c=1: the generator pushes fakes to the value real data gets."""

    def __init__(self) -> None:
        super().__init__(a=0.0, b=1.0, c=1.0)


class PearsonCoding(LeastSquaresCoding):
    """a=-1, b=1, c=0: with b - c = 1 and b - a = 2 the generator minimises Pearson chi^2 (eq. 8)."""

    def __init__(self) -> None:
        super().__init__(a=-1.0, b=1.0, c=0.0)
