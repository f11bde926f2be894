"""The DCGAN convolutional generator and discriminator (Radford et al. 2015, arXiv 1511.06434).

Sizes 28 (7 -> 14 -> 28), 32 (4 -> ... -> 32) and 64 (4 -> ... -> 64): the generator doubles the
resolution with stride-2 transposed convolutions from a ``start`` x ``start`` map; the discriminator
halves it back with stride-2 convolutions, then one ``start`` x ``start`` convolution gives the score.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ganzoo.errors import UserError
from ganzoo.nn.init import init_weights
from ganzoo.nn.norms import apply_spectral_norm, check_norm, norm_layer

SIZES = (28, 32, 64)
GENERATOR_NORMS = ("batch", "none")


class LatentProjection(nn.ConvTranspose2d):
    """The generator's first layer: a transposed convolution from a 1 x 1 input (same weights and state dict),
    computed as one matrix product. On the CPU, oneDNN's transposed convolution of a 1 x 1 map and the bf16
    cast of its channels-last weight cost about a tenth of a DCGAN step; the product does the same arithmetic.
    """

    def forward(self, input: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:
        if input.shape[-2:] != (1, 1) or output_size is not None or self.stride != (1, 1) or self.padding != (0, 0):
            return super().forward(input, output_size)
        n, (height, width) = input.shape[0], self.kernel_size
        latent = input.reshape(n, self.in_channels)
        if self.weight.is_contiguous(memory_format=torch.channels_last):  # keep the layout the next layers use
            out = latent @ self.weight.permute(0, 2, 3, 1).reshape(self.in_channels, -1)
            out = out.view(n, height, width, self.out_channels).permute(0, 3, 1, 2)
        else:
            out = (latent @ self.weight.reshape(self.in_channels, -1)).view(n, self.out_channels, height, width)
        return out if self.bias is None else out + self.bias.view(1, -1, 1, 1).to(out.dtype)


def layout(size: int) -> tuple[int, int]:
    """(start resolution, number of x2 stages) for an output of ``size`` pixels."""
    if size not in SIZES:
        raise UserError(
            f"the DCGAN backbone supports image sizes {', '.join(map(str, SIZES))}, got {size}; "
            f"set data.image_size to one of them"
        )
    start = 7 if size == 28 else 4
    return start, int(math.log2(size // start))


class DCGANGenerator(nn.Module):
    """z (N x in_dim) -> image (N x channels x size x size) in [-1, 1]: BN + ReLU, tanh output; ``norm="none"``
    drops the batch norm (BEGAN's decoder and generator, whose batches of real and fake images differ)."""

    def __init__(self, in_dim: int, channels: int, size: int, base: int = 64, norm: str = "batch") -> None:
        super().__init__()
        if in_dim < 1 or base < 1:
            raise UserError(
                f"the DCGAN generator needs an input size and a width of at least 1, got {in_dim} and "
                f"{base}; raise model.z_dim or model.g_channels"
            )
        if norm not in GENERATOR_NORMS:
            raise UserError(f"the DCGAN generator's norm must be one of {', '.join(GENERATOR_NORMS)}, got {norm!r}")
        start, stages = layout(size)
        width = base * 2 ** (stages - 1)
        batch = norm == "batch"

        def normalise(features: int) -> nn.Module:
            return nn.BatchNorm2d(features) if batch else nn.Identity()

        layers: list[nn.Module] = [
            LatentProjection(in_dim, width, start, 1, 0, bias=not batch),
            normalise(width),
            nn.ReLU(True),
        ]
        for _ in range(stages - 1):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=not batch),
                normalise(width // 2),
                nn.ReLU(True),
            ]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.reshape(z.shape[0], -1, 1, 1))


class DCGANDiscriminator(nn.Module):
    """image (N x channels x size x size) -> score (N,) with LeakyReLU(0.2); ``norm`` is one of ``NORMS``
    (``spectral``: spectral norm on every convolution, no activation normalisation). ``features`` exposes
    the body for extra heads (InfoGAN's Q)."""

    def __init__(self, channels: int, size: int, base: int = 64, norm: str = "batch") -> None:
        super().__init__()
        if base < 1:
            raise UserError(f"the DCGAN discriminator needs a width of at least 1, got {base}; raise model.d_channels")
        check_norm(norm)
        start, stages = layout(size)
        width = base
        layers: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for _ in range(stages - 1):
            layers += [
                nn.Conv2d(width, width * 2, 4, 2, 1, bias=norm in ("none", "spectral")),
                norm_layer(norm, width * 2),
                nn.LeakyReLU(0.2, True),
            ]
            width *= 2
        self.body = nn.Sequential(*layers)
        self.feature_channels = width
        self.feature_size = start
        self.head = nn.Conv2d(width, 1, start, 1, 0)
        init_weights(self)
        if norm == "spectral":
            apply_spectral_norm(self)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The body's output: N x feature_channels x feature_size x feature_size."""
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x)).flatten()
