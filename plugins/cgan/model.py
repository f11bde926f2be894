"""CGAN (Mirza & Osindero 2014) on the shared step: G(z | y) and D(x | y), the label reaching both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ganzoo import ConditionalGAN, DataInfo
from ganzoo_plugins.cgan.networks import (
    ConvConditionalDiscriminator,
    ConvConditionalGenerator,
    MLPConditionalDiscriminator,
    MLPConditionalGenerator,
)


class CGAN(ConditionalGAN):
    """``model.backbone`` picks conv (DCGAN networks with label maps) or the paper's MLP."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.z_dim = m["z_dim"]
        channels, size = info.shape[0], info.shape[-1]
        if m["backbone"] == "conv":
            self.generator = ConvConditionalGenerator(self.z_dim, self.num_classes, channels, size, m["g_channels"])
            self.discriminator = ConvConditionalDiscriminator(self.num_classes, channels, size, m["d_channels"])
        else:
            self.generator = MLPConditionalGenerator(self.z_dim, self.num_classes, info.shape)
            self.discriminator = MLPConditionalDiscriminator(self.num_classes, info.shape)
