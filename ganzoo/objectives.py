"""The interface of adversarial loss plugins, so any model can switch loss with ``--set loss=NAME``."""

from __future__ import annotations

from collections.abc import Callable

import torch


class AdversarialLoss:
    """Turns discriminator scores (raw logits or critic values) into the two players' losses.

    Implementations compute in float32 whatever precision the networks ran in.
    """

    def discriminator_loss(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        """Loss the discriminator minimises on real and generated samples."""
        raise NotImplementedError

    def generator_loss(self, fake_scores: torch.Tensor) -> torch.Tensor:
        """Loss the generator minimises on its samples' scores."""
        raise NotImplementedError

    def penalty(
        self, critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor
    ) -> torch.Tensor | None:
        """An extra discriminator term (such as a gradient penalty); ``None`` when the loss has none."""
        return None
