"""DCGAN (Radford et al. 2015): the DCGAN networks on the shared adversarial step, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ganzoo import AdversarialGAN, DataInfo
from ganzoo.nn import DCGANDiscriminator, DCGANGenerator


class DCGAN(AdversarialGAN):
    """BN+ReLU generator with tanh output, LeakyReLU(0.2) strided-conv discriminator."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        channels, size = info.shape[0], info.shape[-1]
        self.z_dim = m["z_dim"]
        self.generator = DCGANGenerator(self.z_dim, channels, size, m["g_channels"])
        self.discriminator = DCGANDiscriminator(channels, size, m["d_channels"], norm=m["d_norm"])
