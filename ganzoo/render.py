"""Samples as files, in one place for every kind of data: a PNG grid for images, a density picture for 2-D
vectors (which models show through ``sample_grid``), and a text file of one sample per line for text.

``write_samples`` is what the trainer, ``ganzoo sample`` and the contract kit call: it picks the format
from the module's data kind.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import torch
from PIL import Image

from ganzoo.module import GANModule
from ganzoo.specs import TEXT
from ganzoo.trainer.checkpoint import atomic_write

IMAGE_SUFFIX, TEXT_SUFFIX = ".png", ".txt"


def grid_pixels(images: torch.Tensor, nrow: int, padding: int = 2) -> torch.Tensor:
    """N x C x H x W images in [-1, 1] -> one H' x W' x C' uint8 picture: ``nrow`` per row, ``padding`` black
    pixels around each, grey images as RGB; the pixels torchvision's ``save_image`` writes, without importing
    torchvision (about 15 MiB a run on top of the ``torch._dynamo`` that torch's optimizers already load)."""
    x = images.detach().float().cpu().clamp(-1, 1) * 0.5 + 0.5
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    count, channels, height, width = x.shape
    if count == 1:
        grid = x[0]
    else:
        columns = min(nrow, count)
        rows = math.ceil(count / columns)
        cell_h, cell_w = height + padding, width + padding
        grid = x.new_zeros(channels, rows * cell_h + padding, columns * cell_w + padding)
        for index in range(count):
            top, left = (index // columns) * cell_h + padding, (index % columns) * cell_w + padding
            grid[:, top : top + height, left : left + width] = x[index]
    return grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8)


def save_grid(images: torch.Tensor, path: Path, nrow: int) -> None:
    """Save images in [-1, 1] as one PNG grid of ``nrow`` images per row, written atomically."""
    buffer = io.BytesIO()
    Image.fromarray(grid_pixels(images, nrow).numpy()).save(buffer, format="png")
    atomic_write(path, lambda handle: handle.write(buffer.getvalue()))


def save_text(lines: Sequence[str], path: Path) -> None:
    """Save text samples one per line (line breaks inside a sample become spaces), written atomically."""
    text = "".join(line.replace("\n", " ") + "\n" for line in lines)
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def density_image(points: torch.Tensor, extent: float, size: int = 128) -> torch.Tensor:
    """A 1 x 1 x size x size picture of 2-D ``points`` in [-extent, extent]^2 (white = dense), in [-1, 1]."""
    cells = ((points.float().cpu() + extent) / (2 * extent) * size).long()
    inside = ((cells >= 0) & (cells < size)).all(dim=1)
    cells = cells[inside]
    counts = torch.zeros(size, size)
    counts.index_put_((size - 1 - cells[:, 1], cells[:, 0]), torch.ones(len(cells)), accumulate=True)
    image = (counts / counts.max().clamp(min=1)).sqrt()
    return (image * 2 - 1).reshape(1, 1, size, size)


def sample_suffix(module: GANModule) -> str:
    """The file extension ``write_samples`` gives ``module``'s samples: ``.txt`` for text, else ``.png``."""
    return TEXT_SUFFIX if module.info.kind == TEXT else IMAGE_SUFFIX


@torch.no_grad()
def write_samples(module: GANModule, n: int, path_stem: Path, generator: torch.Generator | None = None) -> Path:
    """Draw ``n`` samples (``sample_text`` for text, ``sample_grid`` otherwise) and write them to ``path_stem``
    plus ``sample_suffix(module)``; returns the path written."""
    path = path_stem.with_name(path_stem.name + sample_suffix(module))
    if module.info.kind == TEXT:
        save_text(module.sample_text(n, generator=generator), path)
    else:
        images, nrow = module.sample_grid(n, generator=generator)
        save_grid(images, path, nrow)
    return path
