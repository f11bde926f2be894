"""The DCGAN convolutional backbone, shared by the image GANs (CGAN, InfoGAN, WGAN-GP reuse it).

Sizes 28 (7 -> 14 -> 28), 32 (4 -> ... -> 32) and 64 (4 -> ... -> 64): the generator doubles the
resolution with stride-2 transposed convolutions from a ``start`` x ``start`` map; the discriminator
halves it back with stride-2 convolutions, then one ``start`` x ``start`` convolution gives the score.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganzoo import UserError

SIZES = (28, 32, 64)


def layout(size: int) -> tuple[int, int]:
    """(start resolution, number of x2 stages) for an output of ``size`` pixels."""
    if size not in SIZES:
        raise UserError(f"the DCGAN backbone supports image sizes {', '.join(map(str, SIZES))}, got {size}; "
                        f"set data.image_size to one of them")
    start = 7 if size == 28 else 4
    return start, int(math.log2(size // start))


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: convolutions N(0, 0.02), batch-norm scales N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def norm_layer(kind: str, channels: int) -> nn.Module:
    """``batch``, ``layer`` (over C, H, W, per-channel affine; what WGAN-GP's critic uses) or ``none``."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        return nn.GroupNorm(1, channels)
    if kind == "none":
        return nn.Identity()
    raise UserError(f"unknown normalisation '{kind}'; use batch, layer or none")


class Generator(nn.Module):
    """z (N x in_dim) -> image (N x channels x size x size) in [-1, 1]."""

    def __init__(self, in_dim: int, channels: int, size: int, base: int = 64) -> None:
        super().__init__()
        if in_dim < 1 or base < 1:
            raise UserError(f"the DCGAN generator needs an input size and a width of at least 1, got {in_dim} and "
                            f"{base}; raise model.z_dim or model.g_channels")
        start, stages = layout(size)
        width = base * 2 ** (stages - 1)
        layers: list[nn.Module] = [nn.ConvTranspose2d(in_dim, width, start, 1, 0, bias=False),
                                   nn.BatchNorm2d(width), nn.ReLU(True)]
        for _ in range(stages - 1):
            layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2),
                       nn.ReLU(True)]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.reshape(z.shape[0], -1, 1, 1))


class Discriminator(nn.Module):
    """image (N x channels x size x size) -> score (N,); ``features`` exposes the body for extra heads."""

    def __init__(self, channels: int, size: int, base: int = 64, norm: str = "batch") -> None:
        super().__init__()
        if base < 1:
            raise UserError(f"the DCGAN discriminator needs a width of at least 1, got {base}; raise model.d_channels")
        start, stages = layout(size)
        width = base
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for _ in range(stages - 1):
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=norm == "none"), norm_layer(norm, width * 2),
                       nn.LeakyReLU(0.2, True)]
            width *= 2
        self.body = nn.Sequential(*layers)
        self.feature_channels = width
        self.feature_size = start
        self.head = nn.Conv2d(width, 1, start, 1, 0)
        init_weights(self)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The body's output: N x feature_channels x start x start."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x)).flatten()
