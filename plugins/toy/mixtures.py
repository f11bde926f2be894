"""Gaussian-mixture datasets. The mode centres and the standard deviation travel in ``DataInfo.extras``
(``means``, ``std``), so the mode metrics can score samples from the run's checkpoint alone."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import VECTORS, DataInfo, LoadedData, UserError

DATA_SEED = 0  # the data are fixed; the run seed only changes the model and the batch order


def ring_means(modes: int, radius: float) -> torch.Tensor:
    """``modes`` centres evenly spaced on a circle of ``radius``."""
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    return torch.stack([radius * angles.cos(), radius * angles.sin()], dim=1).float()


def grid_means(side: int, spacing: float) -> torch.Tensor:
    """A ``side`` x ``side`` grid of centres, ``spacing`` apart, centred on the origin."""
    axis = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(axis, axis)


def mixture(name: str, means: torch.Tensor, std: float, size: int) -> LoadedData:
    """``size`` points drawn uniformly over the modes of an isotropic Gaussian mixture."""
    if size < 1 or std <= 0:
        raise UserError(f"{name}: data.size must be >= 1 and data.std > 0, got {size} and {std}")
    generator = torch.Generator().manual_seed(DATA_SEED)
    which = torch.randint(len(means), (size,), generator=generator)
    points = means[which] + std * torch.randn(size, means.shape[1], generator=generator)
    info = DataInfo(name, VECTORS, (means.shape[1],), extras={"means": means.tolist(), "std": float(std)})
    return LoadedData(info, tensors={"x": points}, description=f"{len(means)} Gaussians, std {std}, {size} points")


def load_ring8(cfg: Mapping[str, Any]) -> LoadedData:
    """8 modes on a circle (radius 2, std 0.02 by default)."""
    return mixture("ring8", ring_means(8, float(cfg["radius"])), float(cfg["std"]), int(cfg["size"]))


def load_grid25(cfg: Mapping[str, Any]) -> LoadedData:
    """25 modes on a 5 x 5 grid (spacing 2, so centres at -4..4; std 0.05 by default)."""
    return mixture("grid25", grid_means(5, float(cfg["spacing"])), float(cfg["std"]), int(cfg["size"]))
