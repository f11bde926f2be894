"""Residual blocks: SRResNet's (Ledig et al. 2017) and SNGAN's up/down blocks (Miyato et al. 2018, arXiv
1802.05957, appendix B for 32 px; the layout of the authors' chainer code), with class-conditional batch
norm (Miyato & Koyama 2018, arXiv 1802.05637) for conditional generators.

SNGAN's residual convolutions are Xavier-uniform with gain sqrt(2), its 1x1 shortcuts with gain 1.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.errors import UserError
from ganzoo.nn.init import init_xavier
from ganzoo.nn.norms import apply_spectral_norm

RESIDUAL_GAIN = math.sqrt(2)


class SRResidualBlock(nn.Module):
    """conv3x3 - BN - PReLU - conv3x3 - BN, added to its input (SRResNet's block)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1),
            nn.BatchNorm2d(channels),
            nn.PReLU(channels),
            nn.Conv2d(channels, channels, 3, 1, 1),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ConditionalBatchNorm2d(nn.Module):
    """Batch norm without its own affine; a per-class gain (initially 1) and bias (initially 0) instead."""

    def __init__(self, num_features: int, num_classes: int) -> None:
        super().__init__()
        if num_classes < 1:
            raise UserError(f"conditional batch norm needs at least one class, got {num_classes}")
        self.norm = nn.BatchNorm2d(num_features, affine=False)
        self.gain = nn.Embedding(num_classes, num_features)
        self.bias = nn.Embedding(num_classes, num_features)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        shape = (x.shape[0], -1, 1, 1)
        return self.norm(x) * self.gain(labels).reshape(shape) + self.bias(labels).reshape(shape)


class ResBlockUp(nn.Module):
    """Generator block: (C)BN - ReLU - upsample x2 - conv3x3 - (C)BN - ReLU - conv3x3, plus an upsampled 1x1
    shortcut; with ``num_classes`` > 0 both norms are class-conditional and ``forward`` needs labels."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        hidden_channels: int | None = None,
        upsample: bool = True,
        num_classes: int = 0,
    ) -> None:
        super().__init__()
        hidden = hidden_channels or out_channels
        self.upsample, self.conditional = upsample, num_classes > 0
        self.norm1 = (
            ConditionalBatchNorm2d(in_channels, num_classes) if self.conditional else nn.BatchNorm2d(in_channels)
        )
        self.norm2 = ConditionalBatchNorm2d(hidden, num_classes) if self.conditional else nn.BatchNorm2d(hidden)
        self.conv1 = nn.Conv2d(in_channels, hidden, 3, 1, 1)
        self.conv2 = nn.Conv2d(hidden, out_channels, 3, 1, 1)
        init_xavier(self.conv1, RESIDUAL_GAIN)
        init_xavier(self.conv2, RESIDUAL_GAIN)
        self.shortcut = None
        if in_channels != out_channels or upsample:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, 1, 0)
            init_xavier(self.shortcut)

    def _norm(self, norm: nn.Module, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        if not self.conditional:
            return norm(x)
        if labels is None:
            raise UserError("this ResBlockUp has class-conditional batch norm; pass the labels to forward")
        return norm(x, labels)

    def _up(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=2, mode="nearest") if self.upsample else x

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv1(self._up(F.relu(self._norm(self.norm1, x, labels))))
        h = self.conv2(F.relu(self._norm(self.norm2, h, labels)))
        return h + (self.shortcut(self._up(x)) if self.shortcut is not None else x)


class ResBlockDown(nn.Module):
    """Discriminator block: ReLU - conv3x3 - ReLU - conv3x3 - avg-pool x2, plus a 1x1 shortcut then avg-pool;
    ``spectral`` puts spectral norm on every convolution."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        hidden_channels: int | None = None,
        downsample: bool = True,
        spectral: bool = True,
    ) -> None:
        super().__init__()
        hidden = hidden_channels or in_channels
        self.downsample = downsample
        self.conv1 = nn.Conv2d(in_channels, hidden, 3, 1, 1)
        self.conv2 = nn.Conv2d(hidden, out_channels, 3, 1, 1)
        init_xavier(self.conv1, RESIDUAL_GAIN)
        init_xavier(self.conv2, RESIDUAL_GAIN)
        self.shortcut = None
        if in_channels != out_channels or downsample:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, 1, 0)
            init_xavier(self.shortcut)
        if spectral:
            apply_spectral_norm(self)

    def _down(self, x: torch.Tensor) -> torch.Tensor:
        return F.avg_pool2d(x, 2) if self.downsample else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self._down(self.conv2(F.relu(self.conv1(F.relu(x)))))
        return h + (self._down(self.shortcut(x)) if self.shortcut is not None else x)


class OptimizedResBlockDown(nn.Module):
    """SNGAN's first discriminator block, on the image itself: conv3x3 - ReLU - conv3x3 - avg-pool x2, plus
    avg-pool then a 1x1 shortcut (no ReLU on the input)."""

    def __init__(self, in_channels: int, out_channels: int, spectral: bool = True) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, 1, 1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1)
        self.shortcut = nn.Conv2d(in_channels, out_channels, 1, 1, 0)
        init_xavier(self.conv1, RESIDUAL_GAIN)
        init_xavier(self.conv2, RESIDUAL_GAIN)
        init_xavier(self.shortcut)
        if spectral:
            apply_spectral_norm(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.avg_pool2d(self.conv2(F.relu(self.conv1(x))), 2)
        return h + self.shortcut(F.avg_pool2d(x, 2))
