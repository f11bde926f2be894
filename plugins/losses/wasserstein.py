"""Wasserstein objectives: WGAN's critic loss (Arjovsky et al. 2017) and WGAN-GP's, with a gradient penalty
(Gulrajani et al. 2017)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ganzoo import AdversarialLoss


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """mean((||grad_x critic(x)||_2 - 1)^2) on random interpolates x of real and fake, in float32.

    Autocast is switched off so the double backward runs in float32 even when the networks train in
    bf16/fp16 (half-precision input gradients lose the norm's precision the penalty depends on).
    """
    real, fake = real.detach().float(), fake.detach().float()
    shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    eps = torch.rand(shape, device=real.device, generator=generator)
    interpolates = (eps * real + (1 - eps) * fake).requires_grad_(True)
    with torch.autocast(device_type=real.device.type, enabled=False):
        scores = critic(interpolates).float()
        (grads,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
    norms = grads.flatten(1).norm(2, dim=1)
    return ((norms - 1) ** 2).mean()


class Wasserstein(AdversarialLoss):
    """Critic: E[D(fake)] - E[D(real)]; generator: -E[D(fake)] (Arjovsky et al. 2017; the critic's Lipschitz
    bound comes from elsewhere: WGAN's weight clipping, or the penalty of ``WassersteinGP``)."""

    def discriminator_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        return fake_scores.float().mean() - real_scores.float().mean()

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        return -fake_scores.float().mean()


class WassersteinGP(Wasserstein):
    """The Wasserstein loss plus lambda * gradient penalty on the critic."""

    def __init__(self, gp_weight: float = 10.0) -> None:
        self.gp_weight = gp_weight

    def penalty(
        self, critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor
    ) -> torch.Tensor:
        return self.gp_weight * gradient_penalty(critic, real, fake)
