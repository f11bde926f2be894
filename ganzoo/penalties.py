"""R1 and R2 gradient penalties (Mescheder et al. 2018, arXiv 1801.04406), combinable with any loss.

Both are ``gamma / 2 * E[||grad_x D(x)||^2]``: R1 on real samples, R2 on generated ones. They regularise
the discriminator only, so the samples are detached. As in WGAN-GP's ``gradient_penalty``, the double
backward runs in float32 with autocast off: half-precision input gradients lose the precision the
squared norm depends on.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from ganzoo.errors import UserError

Critic = Callable[[torch.Tensor], torch.Tensor]


def squared_gradient_norm(critic: Critic, samples: torch.Tensor) -> torch.Tensor:
    """E over the batch of ||grad_x critic(x)||^2, in float32, differentiable in the critic's parameters."""
    x = samples.detach().float().requires_grad_(True)
    with torch.autocast(device_type=x.device.type, enabled=False):
        scores = critic(x).float()
        (grads,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
    return grads.flatten(1).pow(2).sum(dim=1).mean()


def _weighted(gamma: float, critic: Critic, samples: torch.Tensor, name: str) -> torch.Tensor:
    if not gamma >= 0:
        raise UserError(f"the {name} penalty's gamma must be a number >= 0, got {gamma}")
    return gamma / 2 * squared_gradient_norm(critic, samples)


def r1_penalty(critic: Critic, real: torch.Tensor, gamma: float) -> torch.Tensor:
    """R1: gamma/2 * E[||grad D(x)||^2] on real samples (keeps D flat on the data; Mescheder et al.)."""
    return _weighted(gamma, critic, real, "R1")


def r2_penalty(critic: Critic, fake: torch.Tensor, gamma: float) -> torch.Tensor:
    """R2: gamma/2 * E[||grad D(x)||^2] on generated samples (no gradient reaches the generator)."""
    return _weighted(gamma, critic, fake, "R2")
