"""WGAN-GP (Gulrajani et al. 2017) on the shared step: the paper's Algorithm 1 is ``train.d_steps=5``
critic updates per generator update with the ``wasserstein_gp`` loss (its penalty weighted by
``model.gp_weight``). The critic avoids batch norm, which would break the per-sample gradient penalty."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import AdversarialGAN, DataInfo
from ganzoo.nn import DCGANDiscriminator, DCGANGenerator


class WGANGP(AdversarialGAN):
    """Generator as in DCGAN; critic with layer norm (or none) and a linear output."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        m = config["model"]
        options = {"gp_weight": m["gp_weight"]} if config["loss"] == "wasserstein_gp" else {}
        super().__init__(config, info, **options)
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim = m["z_dim"]
        self.generator = DCGANGenerator(self.z_dim, channels, size, m["g_channels"])
        self.discriminator = DCGANDiscriminator(channels, size, m["d_channels"], norm=m["critic_norm"])

    def step_logs(
        self, logs: dict[str, torch.Tensor], draw: dict[str, torch.Tensor], fake: torch.Tensor, side: Any
    ) -> dict[str, torch.Tensor]:
        """The critic's Wasserstein estimate, E[D(real)] - E[D(fake)], averaged over the critic updates."""
        return {"wasserstein": logs["d_real"] - logs["d_fake"]}
