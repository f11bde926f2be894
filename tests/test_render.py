"""Sample grids: ganzoo tiles and encodes them itself, pixel for pixel what torchvision's ``save_image`` writes."""

from __future__ import annotations

import io

import pytest
import torch
from PIL import Image
from torchvision.utils import save_image

from ganzoo import render


@pytest.mark.parametrize(
    ("shape", "nrow"), [((1, 1, 28, 28), 8), ((16, 1, 28, 28), 4), ((10, 3, 32, 32), 4), ((7, 3, 5, 9), 3)]
)
def test_grids_are_the_png_torchvision_writes(shape: tuple[int, ...], nrow: int) -> None:
    images = torch.rand(*shape, generator=torch.Generator().manual_seed(0)) * 2.4 - 1.2  # also beyond [-1, 1]
    expected = io.BytesIO()
    save_image(images.clamp(-1, 1) * 0.5 + 0.5, expected, format="png", nrow=nrow, padding=2)
    ours = io.BytesIO()
    Image.fromarray(render.grid_pixels(images, nrow).numpy()).save(ours, format="png")
    assert ours.getvalue() == expected.getvalue()
