"""LSGAN on ganzoo's shared adversarial step: the paper's networks, and a least-squares loss by name.

The loss comes from the registry (``loss: lsgan-01`` by default), so ``--set loss=lsgan-pearson`` or any
other adversarial loss plugin switches it; ``train.d_steps``, ``train.ema``, ``train.augment`` and the
other trainer keys work as for every built-in model. The module never moves data, loads files or loops.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import IMAGE, AdversarialGAN, DataInfo
from ganzoo.nn import mlp
from ganzoo.render import density_image
from ganzoo_lsgan.networks import ImageDiscriminator, ImageGenerator


class LSGAN(AdversarialGAN):
    """Mao et al. 2017: convolutional networks for images, MLPs for vectors (the batch key ``x``)."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.z_dim = m["z_dim"]
        self.images = info.kind == IMAGE
        self.data_key = "image" if self.images else "x"
        if self.images:
            channels, size = info.shape[0], info.shape[-1]
            self.generator = ImageGenerator(self.z_dim, channels, size, m["g_channels"])
            self.discriminator = ImageDiscriminator(channels, size, m["d_channels"])
        else:
            features = math.prod(info.shape)
            self.generator = mlp(self.z_dim, m["hidden"], m["depth"], features)
            self.discriminator = mlp(features, m["hidden"], m["depth"], 1)

    def discriminate(self, x: torch.Tensor, conditions: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Raw score per sample (no sigmoid: the least-squares targets are a, b, c)."""
        return self.discriminator(x).flatten()

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Images as a grid; for 2D points one density picture of 2,000 samples over the data's extent."""
        if self.images:
            return super().sample_grid(n, generator)
        points = self.sample(2000, generator)["x"][:, :2].float().cpu()
        means = torch.tensor(self.info.extras.get("means", [[1.0, 1.0]]))
        extent = float(means.abs().max()) + 10 * float(self.info.extras.get("std", 0.1))
        return density_image(points, extent), 1
