"""Fully connected networks: a stack of equal-width hidden layers for toy data and flattened images."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn


def leaky_relu() -> nn.Module:
    """LeakyReLU with slope 0.2, the usual discriminator activation since DCGAN."""
    return nn.LeakyReLU(0.2)


def mlp(
    inputs: int, hidden: int, depth: int, outputs: int, activation: Callable[[], nn.Module] = nn.ReLU
) -> nn.Sequential:
    """``depth`` hidden layers of width ``hidden``, each followed by ``activation()``, then a linear output layer."""
    layers: list[nn.Module] = []
    width = inputs
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), activation()]
        width = hidden
    layers.append(nn.Linear(width, outputs))
    return nn.Sequential(*layers)
