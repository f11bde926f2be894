"""The ``policy_gradient`` loss: REINFORCE with per-token rewards, SeqGAN's generator objective."""

from __future__ import annotations

import torch


class PolicyGradient:
    """J = -mean_n sum_t Q(y_<t, y_t) log G(y_t | y_<t): rewards are constants, gradients flow into log G.

    ``baseline`` is subtracted from every reward (0 as in the paper); it lowers variance, not the optimum.
    """

    role = "policy"

    def __init__(self, baseline: float = 0.0) -> None:
        self.baseline = baseline

    def generator_loss(
        self, log_probs: torch.Tensor, rewards: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Loss for token log-probabilities (N x L) of sampled sequences and their rewards (N x L)."""
        advantage = rewards.detach().float() - self.baseline
        terms = log_probs.float() * advantage
        if mask is not None:
            terms = terms * mask
        return -terms.sum(dim=1).mean()
