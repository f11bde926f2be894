"""CGAN's networks: the DCGAN backbone with one-hot labels joined to z and to the image as label maps,
and the paper's MLP (ReLU generator with dropout, maxout discriminator with dropout)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ganzoo.nn import DCGANDiscriminator, DCGANGenerator


class ConvConditionalGenerator(nn.Module):
    """[z, one_hot(y)] -> image, through the DCGAN generator."""

    def __init__(self, z_dim: int, num_classes: int, channels: int, size: int, base: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.net = DCGANGenerator(z_dim + num_classes, channels, size, base)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([z, F.one_hot(labels, self.num_classes).to(z.dtype)], dim=1))


class ConvConditionalDiscriminator(nn.Module):
    """[image, one_hot(y) broadcast to label maps] -> score, through the DCGAN discriminator."""

    def __init__(self, num_classes: int, channels: int, size: int, base: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.net = DCGANDiscriminator(channels + num_classes, size, base)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        n, _, h, w = images.shape
        maps = F.one_hot(labels, self.num_classes).to(images.dtype).reshape(n, -1, 1, 1).expand(n, -1, h, w)
        return self.net(torch.cat([images, maps], dim=1))


class Maxout(nn.Module):
    """A linear layer of ``units`` maxout units, each the max over ``pieces`` affine pieces."""

    def __init__(self, in_features: int, units: int, pieces: int) -> None:
        super().__init__()
        self.units, self.pieces = units, pieces
        self.linear = nn.Linear(in_features, units * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).reshape(x.shape[0], self.units, self.pieces).amax(dim=2)


class MLPConditionalGenerator(nn.Module):
    """The paper's MNIST generator: z -> 200 ReLU and y -> 1000 ReLU, joined -> 1200 ReLU (dropout 0.5) -> image."""

    def __init__(self, z_dim: int, num_classes: int, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.num_classes, self.shape = num_classes, tuple(shape)
        self.z_layer = nn.Sequential(nn.Linear(z_dim, 200), nn.ReLU(True))
        self.y_layer = nn.Sequential(nn.Linear(num_classes, 1000), nn.ReLU(True))
        self.joint = nn.Sequential(
            nn.Linear(1200, 1200), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(1200, math.prod(self.shape)), nn.Tanh()
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        y = F.one_hot(labels, self.num_classes).to(z.dtype)
        joined = torch.cat([self.z_layer(z), self.y_layer(y)], dim=1)
        return self.joint(joined).reshape(z.shape[0], *self.shape)


class MLPConditionalDiscriminator(nn.Module):
    """The paper's discriminator: x -> 240 maxout (5 pieces), y -> 50 maxout (5), joined -> 240 maxout (4) -> score."""

    def __init__(self, num_classes: int, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.x_layer = nn.Sequential(nn.Dropout(0.5), Maxout(math.prod(shape), 240, 5))
        self.y_layer = nn.Sequential(nn.Dropout(0.5), Maxout(num_classes, 50, 5))
        self.joint = nn.Sequential(nn.Dropout(0.5), Maxout(290, 240, 4), nn.Dropout(0.5), nn.Linear(240, 1))

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        y = F.one_hot(labels, self.num_classes).to(images.dtype)
        joined = torch.cat([self.x_layer(images.flatten(1)), self.y_layer(y)], dim=1)
        return self.joint(joined).flatten()
