"""Adversarial losses on raw discriminator scores, computed in float32."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganzoo import AdversarialLoss


class NonSaturatingBCE(AdversarialLoss):
    """D: BCE(real -> 1, fake -> 0); G: BCE(fake -> 1), the non-saturating generator loss."""

    def discriminator_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        real, fake = real_scores.float(), fake_scores.float()
        return F.binary_cross_entropy_with_logits(real, torch.ones_like(real)) + F.binary_cross_entropy_with_logits(
            fake, torch.zeros_like(fake)
        )

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        fake = fake_scores.float()
        return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


class Hinge(AdversarialLoss):
    """D: mean(relu(1 - real)) + mean(relu(1 + fake)); G: -mean(fake) (Lim & Ye 2017, SAGAN)."""

    def discriminator_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        return F.relu(1 - real_scores.float()).mean() + F.relu(1 + fake_scores.float()).mean()

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        return -fake_scores.float().mean()
