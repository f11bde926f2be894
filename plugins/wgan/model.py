"""WGAN (Arjovsky et al. 2017) on the shared step: the ``wasserstein`` loss, ``train.d_steps=5`` critic
updates per generator update, RMSprop, and every critic weight clipped to [-c, c] after each critic update
(``after_discriminator_update``), which keeps the critic K-Lipschitz for some K."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import AdversarialGAN, DataInfo
from ganzoo.nn import DCGANDiscriminator, DCGANGenerator


class WGAN(AdversarialGAN):
    """DCGAN generator; DCGAN critic with a linear output and clipped weights."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim, self.clip = m["z_dim"], m["clip"]
        self.generator = DCGANGenerator(self.z_dim, channels, size, m["g_channels"])
        self.discriminator = DCGANDiscriminator(channels, size, m["d_channels"], norm=m["critic_norm"])
        self.after_discriminator_update()  # the paper's critic starts inside the clipping box too

    @torch.no_grad()
    def after_discriminator_update(self) -> None:
        """Clip every critic parameter (normalisation scales included, as the authors' code) to [-c, c]."""
        for parameter in self.discriminator.parameters():
            parameter.clamp_(-self.clip, self.clip)

    def step_logs(
        self, logs: dict[str, torch.Tensor], draw: dict[str, torch.Tensor], fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        """The critic's Wasserstein estimate, E[D(real)] - E[D(fake)], averaged over the critic updates."""
        return {"wasserstein": logs["d_real"] - logs["d_fake"]}
