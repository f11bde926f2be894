"""A mixture of 2D Gaussians on a circle, generated in memory from a seed (no files, no network)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from ganzoo import VECTORS, DataInfo, LoadedData, UserError


def load_mixture(cfg: Mapping[str, Any]) -> LoadedData:
    """``size`` points from ``modes`` equally weighted Gaussians (std ``std``) on a circle of ``radius``."""
    modes, size = int(cfg["modes"]), int(cfg["size"])
    if modes < 1 or size < 1:
        raise UserError(f"data.modes and data.size must be >= 1, got {modes} and {size}")
    angles = torch.arange(modes, dtype=torch.float64) * (2 * math.pi / modes)
    means = float(cfg["radius"]) * torch.stack([angles.cos(), angles.sin()], dim=1)
    generator = torch.Generator().manual_seed(int(cfg["seed"]))
    which = torch.randint(modes, (size,), generator=generator)
    points = means[which] + float(cfg["std"]) * torch.randn(size, 2, generator=generator, dtype=torch.float64)
    info = DataInfo("lsgan-mog", VECTORS, (2,), extras={"means": means.tolist(), "std": float(cfg["std"])})
    return LoadedData(info, tensors={"x": points.float()}, description=f"{size} points from {modes} Gaussians")
