"""SNGAN's ResNet generator and spectrally normalised ResNet discriminator (Miyato et al. 2018, appendix B)
at 28, 32 or 64 px, and the projection discriminator (Miyato & Koyama 2018): D(x, y) = psi(phi(x)) +
<embed(y), phi(x)>, with class-conditional batch norm in the generator. Built from ``ganzoo.nn``'s blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganzoo import AdversarialGAN, ConditionalGAN, DataInfo
from ganzoo.nn import OptimizedResBlockDown, ResBlockDown, ResBlockUp, init_xavier, layout


class ResNetGenerator(nn.Module):
    """z -> linear to a start x start map -> ResBlockUp x stages -> BN, ReLU, conv3x3, tanh;
    with ``num_classes`` > 0 the blocks' batch norms are class-conditional."""

    def __init__(self, z_dim: int, channels: int, size: int, width: int, num_classes: int = 0) -> None:
        super().__init__()
        self.start, stages = layout(size)
        self.width = width
        self.linear = nn.Linear(z_dim, width * self.start**2)
        self.blocks = nn.ModuleList(ResBlockUp(width, width, num_classes=num_classes) for _ in range(stages))
        self.out = nn.Sequential(nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, channels, 3, 1, 1), nn.Tanh())
        init_xavier(self.linear)
        init_xavier(self.out)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.linear(z).reshape(z.shape[0], self.width, self.start, self.start)
        for block in self.blocks:
            h = block(h, labels)
        return self.out(h)


class ResNetDiscriminator(nn.Module):
    """image -> OptimizedResBlockDown, ResBlockDown, 2 x ResBlockDown without pooling -> ReLU, sum-pool ->
    SN linear score; with ``num_classes`` > 0, plus the projection <embed(y), phi(x)> (SN embedding)."""

    def __init__(self, channels: int, width: int, num_classes: int = 0) -> None:
        super().__init__()
        self.body = nn.Sequential(
            OptimizedResBlockDown(channels, width),
            ResBlockDown(width, width),
            ResBlockDown(width, width, downsample=False),
            ResBlockDown(width, width, downsample=False),
        )
        self.linear = nn.Linear(width, 1)
        init_xavier(self.linear)
        spectral_norm(self.linear)
        self.embed = None
        if num_classes > 0:
            self.embed = nn.Embedding(num_classes, width)
            nn.init.xavier_uniform_(self.embed.weight)
            spectral_norm(self.embed)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """phi(x): the body's ReLU activations summed over space (N x width)."""
        return F.relu(self.body(images)).sum(dim=(2, 3))

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(images)
        scores = self.linear(h).flatten()
        if self.embed is not None:
            scores = scores + (self.embed(labels) * h).sum(dim=1)
        return scores


class SNGAN(AdversarialGAN):
    """Unconditional SNGAN: ResNet G, spectrally normalised ResNet D."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        build_networks(self, config["model"], info, num_classes=0)


class SNGANProjection(ConditionalGAN):
    """The projection cGAN: labels reach G through conditional BN and D through the projection term."""

    def __init__(self, config: Mapping[str, Any], info: DataInfo) -> None:
        super().__init__(config, info)
        build_networks(self, config["model"], info, num_classes=self.num_classes)


def build_networks(module: AdversarialGAN, m: Mapping[str, Any], info: DataInfo, num_classes: int) -> None:
    """Give ``module`` its z_dim, generator and discriminator from the ``model`` keys."""
    module.z_dim = m["z_dim"]
    module.generator = ResNetGenerator(m["z_dim"], info.shape[0], info.shape[-1], m["g_channels"], num_classes)
    module.discriminator = ResNetDiscriminator(info.shape[0], m["d_channels"], num_classes)
