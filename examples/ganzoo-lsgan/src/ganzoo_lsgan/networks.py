"""LSGAN's convolutional networks: the paper's architecture (figure 3) scaled to small images, with DCGAN's
weight initialisation from ``ganzoo.nn`` (the vector MLPs are ``ganzoo.nn.mlp``).

Images: the generator maps z through a linear layer to a (size/4)^2 map, then two stages of a stride-2
and a stride-1 3x3 transposed convolution (BN + ReLU), then a 3x3 convolution and tanh; the
discriminator is 5x5 stride-2 convolutions with LeakyReLU(0.2) (BN after the first) and a linear score
with no sigmoid, since the least-squares loss regresses raw scores onto targets.
"""

from __future__ import annotations

import torch
from torch import nn

from ganzoo import UserError
from ganzoo.nn import init_weights


class ImageGenerator(nn.Module):
    """z (N x z_dim) -> image (N x channels x size x size) in [-1, 1]; ``size`` must be a multiple of 4."""

    def __init__(self, z_dim: int, channels: int, size: int, base: int) -> None:
        super().__init__()
        if size % 4:
            raise UserError(f"lsgan needs an image size divisible by 4, got {size}; set data.image_size")
        self.start, self.width = size // 4, base * 4
        self.project = nn.Sequential(
            nn.Linear(z_dim, self.width * self.start**2, bias=False),
            nn.BatchNorm1d(self.width * self.start**2),
            nn.ReLU(True),
        )
        layers: list[nn.Module] = []
        width = self.width
        for _ in range(2):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 3, 2, 1, output_padding=1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(True),
                nn.ConvTranspose2d(width // 2, width // 2, 3, 1, 1, bias=False),
                nn.BatchNorm2d(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers += [nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh()]
        self.body = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(self.project(z).reshape(-1, self.width, self.start, self.start))


class ImageDiscriminator(nn.Module):
    """image -> raw score (N,): three 5x5 stride-2 convolutions, then a linear layer."""

    def __init__(self, channels: int, size: int, base: int) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(channels, base, 5, 2, 2), nn.LeakyReLU(0.2, True)]
        width = base
        for _ in range(2):
            layers += [
                nn.Conv2d(width, width * 2, 5, 2, 2, bias=False),
                nn.BatchNorm2d(width * 2),
                nn.LeakyReLU(0.2, True),
            ]
            width *= 2
        self.body = nn.Sequential(*layers, nn.Flatten())
        side = size
        for _ in range(3):
            side = (side - 1) // 2 + 1
        self.score = nn.Linear(width * side * side, 1)
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.score(self.body(x)).flatten()
