"""Differentiable augmentation (DiffAugment, Zhao et al. 2020, arXiv 2006.10738) of images before D.

The same random transform family is applied to real and fake batches; every op is differentiable, so
G's gradient flows through the augmentation. Semantics follow the paper's reference code: ``color`` is
brightness (+U[-0.5, 0.5]), saturation (x U[0, 2] around the per-pixel channel mean) and contrast
(x U[0.5, 1.5] around the image mean); ``translation`` shifts by up to 1/8 of each side, filling with
zeros; ``cutout`` zeroes a square of half each side centred anywhere in the image (clipped at the border).
One draw per image, all through ``generator``, computed in the input's dtype; no loops over the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganzoo.errors import UserError

TRANSLATION_RATIO = 1 / 8
CUTOUT_RATIO = 1 / 2


def _uniform(x: Tensor, generator: torch.Generator | None) -> Tensor:
    """One U[0, 1) number per image, shaped to broadcast over C x H x W (drawn in float32, then x's dtype)."""
    u = torch.rand(x.shape[0], 1, 1, 1, device=x.device, generator=generator)
    return u.to(x.dtype)


def random_brightness(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Add one U[-0.5, 0.5) offset per image."""
    return x + (_uniform(x, generator) - 0.5)


def random_saturation(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Scale each pixel's deviation from its channel mean by U[0, 2) (a no-op on 1-channel images)."""
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (_uniform(x, generator) * 2) + mean


def random_contrast(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Scale each image's deviation from its mean by U[0.5, 1.5)."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (_uniform(x, generator) + 0.5) + mean


def random_translation(x: Tensor, generator: torch.Generator | None = None, ratio: float = TRANSLATION_RATIO) -> Tensor:
    """Shift each image by whole pixels, up to ``ratio`` of each side either way; vacated pixels are zero.

    Output pixel (i, j) is input pixel (i + dy, j + dx): two gathers on a one-pixel zero border, with
    source indices outside the image clamped onto that border.
    """
    n, c, h, w = x.shape
    reach_y, reach_x = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-reach_y, reach_y + 1, (n, 1), device=x.device, generator=generator)
    dx = torch.randint(-reach_x, reach_x + 1, (n, 1), device=x.device, generator=generator)
    rows = (torch.arange(h, device=x.device) + dy + 1).clamp(0, h + 1)
    cols = (torch.arange(w, device=x.device) + dx + 1).clamp(0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1])
    shifted_rows = padded.gather(2, rows[:, None, :, None].expand(n, c, h, w + 2))
    return shifted_rows.gather(3, cols[:, None, None, :].expand(n, c, h, w))


def random_cutout(x: Tensor, generator: torch.Generator | None = None, ratio: float = CUTOUT_RATIO) -> Tensor:
    """Zero one ``ratio``-of-each-side rectangle per image, centred uniformly at random, clipped at the border."""
    n, _, h, w = x.shape
    size_y, size_x = int(h * ratio + 0.5), int(w * ratio + 0.5)
    centre_y = torch.randint(0, h + 1 - size_y % 2, (n, 1), device=x.device, generator=generator)
    centre_x = torch.randint(0, w + 1 - size_x % 2, (n, 1), device=x.device, generator=generator)
    top, left = centre_y - size_y // 2, centre_x - size_x // 2
    rows, cols = torch.arange(h, device=x.device), torch.arange(w, device=x.device)
    in_rows = (rows >= top) & (rows < top + size_y)
    in_cols = (cols >= left) & (cols < left + size_x)
    keep = ~(in_rows[:, :, None] & in_cols[:, None, :])
    return x * keep[:, None].to(x.dtype)


POLICIES: dict[str, tuple[Callable[[Tensor, torch.Generator | None], Tensor], ...]] = {
    "color": (random_brightness, random_saturation, random_contrast),
    "translation": (random_translation,),
    "cutout": (random_cutout,),
}


def parse_policy(policy: str | Sequence[str]) -> tuple[str, ...]:
    """``"color,translation"`` or ``["color", "translation"]`` -> validated names; ``""`` is no augmentation."""
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    names = [name.strip() for name in names if name.strip()]
    unknown = [name for name in names if name not in POLICIES]
    if unknown:
        raise UserError(
            f"unknown augmentation policy {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(POLICIES)} (comma-separated, e.g. 'color,translation,cutout')"
        )
    return tuple(names)


def diff_augment(x: Tensor, policy: str | Sequence[str], generator: torch.Generator | None = None) -> Tensor:
    """Apply the policies to an N x C x H x W batch, in order, each image with its own random draw."""
    for name in parse_policy(policy):
        for op in POLICIES[name]:
            x = op(x, generator)
    return x


class DiffAugment(nn.Module):
    """``diff_augment`` with a fixed policy, as a module to put in front of a discriminator."""

    def __init__(self, policy: str | Sequence[str]) -> None:
        super().__init__()
        self.policy = parse_policy(policy)

    def forward(self, x: Tensor, generator: torch.Generator | None = None) -> Tensor:
        return diff_augment(x, self.policy, generator)

    def extra_repr(self) -> str:
        return f"policy={','.join(self.policy)!r}"
