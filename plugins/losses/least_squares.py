"""Least-squares GAN objective (Mao et al. 2017), the 0-1 coding of the paper's equation (9)."""

from __future__ import annotations

import torch

from ganzoo import AdversarialLoss


class LeastSquares(AdversarialLoss):
    """D: 1/2 E[(D(real) - 1)^2] + 1/2 E[D(fake)^2]; G: 1/2 E[(D(fake) - 1)^2] (a=0, b=c=1)."""

    def discriminator_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((real_scores.float() - 1) ** 2).mean() + 0.5 * (fake_scores.float() ** 2).mean()

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        return 0.5 * ((fake_scores.float() - 1) ** 2).mean()
