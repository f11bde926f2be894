"""SRGAN's networks (Ledig et al. 2017, Fig. 4): the SRResNet generator and the VGG-style discriminator."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo import UserError
from ganzoo.nn import SRResidualBlock


def upsampling_stages(scale: int) -> int:
    """Number of x2 sub-pixel (PixelShuffle) stages for ``scale``, which must be a power of two."""
    stages = int(math.log2(scale)) if scale >= 2 else 0
    if 2**stages != scale:
        raise UserError(f"SRResNet upscales by powers of two (2, 4, 8), got data.scale={scale}")
    return stages


class SRResNet(nn.Module):
    """LR image (N x 3 x h x w) -> SR image (N x 3 x h*scale x w*scale), same value range as its training
    targets ([-1, 1] here); 9x9 head and tail, ``blocks`` residual blocks under a global skip.

    ``bicubic_residual`` (not in the paper, off by default) adds the bicubic upscaled input to the output
    and zero-initialises the tail, so training starts at bicubic and learns only the missing detail.
    """

    def __init__(
        self,
        scale: int = 4,
        channels: int = 64,
        blocks: int = 16,
        image_channels: int = 3,
        bicubic_residual: bool = False,
    ) -> None:
        super().__init__()
        self.scale, self.bicubic_residual = scale, bicubic_residual
        self.head = nn.Sequential(nn.Conv2d(image_channels, channels, 9, 1, 4), nn.PReLU(channels))
        self.body = nn.Sequential(
            *(SRResidualBlock(channels) for _ in range(blocks)),
            nn.Conv2d(channels, channels, 3, 1, 1),
            nn.BatchNorm2d(channels),
        )
        up: list[nn.Module] = []
        for _ in range(upsampling_stages(scale)):
            up += [nn.Conv2d(channels, channels * 4, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU(channels)]
        self.upsample = nn.Sequential(*up)
        self.tail = nn.Conv2d(channels, image_channels, 9, 1, 4)
        if bicubic_residual:
            nn.init.zeros_(self.tail.weight)
            assert self.tail.bias is not None  # Conv2d's default bias=True
            nn.init.zeros_(self.tail.bias)

    def forward(self, lr: torch.Tensor) -> torch.Tensor:
        features = self.head(lr)
        sr = self.tail(self.upsample(features + self.body(features)))
        if self.bicubic_residual:
            sr = sr + F.interpolate(lr, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return sr


class Discriminator(nn.Module):
    """HR image (N x 3 x size x size) -> one logit per image: eight 3x3 convolutions (64 -> 512 channels
    at the paper's width, every second one strided), BN, LeakyReLU(0.2), dense ``dense`` units, dense 1."""

    def __init__(self, size: int, channels: int = 64, dense: int = 1024, image_channels: int = 3) -> None:
        super().__init__()
        if size < 16:
            raise UserError(
                f"the SRGAN discriminator needs HR crops of at least 16 pixels, got {size}; set data.hr_size (e.g. 96)"
            )
        layers: list[nn.Module] = [nn.Conv2d(image_channels, channels, 3, 1, 1), nn.LeakyReLU(0.2, True)]
        width = channels
        for index in range(7):
            out = channels * 2 ** ((index + 1) // 2)
            layers += [
                nn.Conv2d(width, out, 3, 2 if index % 2 == 0 else 1, 1, bias=False),
                nn.BatchNorm2d(out),
                nn.LeakyReLU(0.2, True),
            ]
            width = out
        self.features = nn.Sequential(*layers)
        side = size
        for _ in range(4):
            side = (side + 1) // 2
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(width * side * side, dense), nn.LeakyReLU(0.2, True), nn.Linear(dense, 1)
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(image)).flatten()
