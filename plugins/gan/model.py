"""The original GAN's MLP networks on the shared adversarial step, on vectors or flattened images.

``pack`` > 1 is PacGAN's packing (Lin et al. 2018, arXiv 1712.04086): the discriminator judges ``pack``
samples concatenated, which penalises a generator whose samples look alike (mode collapse).

Vectors train as they are (batch key ``x``); images are flattened, and the generator ends in tanh so
its output lies in the image range [-1, 1]. The toy-mixture recipe's held-then-decayed learning rate is
the trainer's ``train.lr_schedule=linear`` with ``train.lr_decay_start``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from ganzoo import IMAGE, AdversarialGAN, DataInfo, UserError
from ganzoo.nn import leaky_relu, mlp
from ganzoo.render import density_image


class VanillaGAN(AdversarialGAN):
    """Goodfellow et al. 2014 with ReLU generator and LeakyReLU discriminator MLPs."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        m = config["model"]
        self.images = info.kind == IMAGE
        self.z_dim, self.pack = m["z_dim"], m["pack"]
        if config["train"]["batch_size"] % self.pack:
            raise UserError(f"train.batch_size must be a multiple of model.pack={self.pack}")
        self.data_key = "image" if self.images else "x"
        features = math.prod(info.shape)
        self.generator = mlp(self.z_dim, m["hidden"], m["depth"], features, nn.ReLU)
        self.discriminator = mlp(features * self.pack, m["hidden"], m["depth"], 1, leaky_relu)

    def generate(self, draw: dict[str, torch.Tensor]) -> torch.Tensor:
        """Samples shaped like the data (flattened images are reshaped, squashed by tanh)."""
        out = self.generator(draw["z"])
        return torch.tanh(out).reshape(-1, *self.info.shape) if self.images else out

    def discriminate(self, x: torch.Tensor, conditions: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """One score per pack of ``pack`` consecutive samples."""
        return self.discriminator(x.reshape(x.shape[0] // self.pack, -1)).flatten()

    def sample_grid(self, n: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, int]:
        """Images as a grid; for vectors one density picture (first two coordinates) of 2,000 samples over
        the data's extent."""
        if self.images:
            return super().sample_grid(n, generator)
        points = self.sample(2000, generator)["x"][:, :2]
        means = torch.tensor(self.info.extras.get("means", [[0.0, 0.0]]))
        extent = float(means.abs().max()) + 10 * float(self.info.extras.get("std", 0.1))
        return density_image(points, max(extent, 1.0)), 1
