"""Tiled super-resolution, a building block for image-to-image plugins (srgan's ``ganzoo upscale`` command)
and the SR metrics: one protocol for both.

Large images are cut into overlapping tiles: each tile is upscaled with ``overlap`` LR pixels of context
on every side, and only its centre is kept. Tiles are produced one row band at a time and a PNG output
is written band by band (``png_stream``), so what is held at once is the input image as 8-bit pixels
(3 bytes per input pixel), one band of output as 8-bit pixels (tile x scale rows of the output width)
and one tile's activations. Other output formats are encoded by Pillow from the whole 8-bit output.
Any IMAGE_PAIRS model works whose ``sample(n, lr=LR)`` returns ``image``: the LR batch upscaled.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from ganzoo.errors import UserError
from ganzoo.png_stream import PNGStream

Upscaler = Callable[[torch.Tensor], torch.Tensor]


def upscale_bands(
    upscale: Upscaler,
    lr: torch.Tensor,
    scale: int,
    tile: int = 128,
    overlap: int = 16,
    convert: Upscaler = lambda kept: kept,
) -> Iterator[torch.Tensor]:
    """Upscale ``lr`` (N x C x H x W) tile by tile, yielding each band of ``tile`` LR rows upscaled (each
    tile's kept centre passed through ``convert`` first, e.g. to 8-bit pixels)."""
    if tile < 1 or overlap < 0:
        raise UserError(f"--tile must be >= 1 and --overlap >= 0, got {tile} and {overlap}")
    height, width = lr.shape[-2:]
    for top in range(0, height, tile):
        bottom, top0 = min(top + tile, height), max(top - overlap, 0)
        pieces = []
        for left in range(0, width, tile):
            right, left0 = min(left + tile, width), max(left - overlap, 0)
            patch = upscale(lr[..., top0 : min(bottom + overlap, height), left0 : min(right + overlap, width)])
            pieces.append(
                convert(
                    patch[
                        ...,
                        (top - top0) * scale : (bottom - top0) * scale,
                        (left - left0) * scale : (right - left0) * scale,
                    ]
                )
            )
        yield torch.cat(pieces, dim=-1)


def upscale_tiled(upscale: Upscaler, lr: torch.Tensor, scale: int, tile: int = 128, overlap: int = 16) -> torch.Tensor:
    """Upscale ``lr`` (N x C x H x W) by ``scale`` tile by tile; the result is N x C x H*scale x W*scale."""
    return torch.cat(list(upscale_bands(upscale, lr, scale, tile, overlap)), dim=-2)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Images in [-1, 1] as uint8 pixels on the CPU (same shape)."""
    return ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu()


def read_rgb(path: Path) -> torch.Tensor:
    """An image file as 1 x 3 x H x W uint8 pixels (grey and RGBA images become RGB)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as handle:
                image = handle.convert("RGB")
    except FileNotFoundError:
        raise UserError(f"image {path} does not exist") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(pixels.group(1)):,} pixels" if pixels else "too many pixels"
        raise UserError(
            f"image {path} has {size}, over Pillow's decompression-bomb limit of "
            f"{Image.MAX_IMAGE_PIXELS:,}; crop or downscale it first"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise UserError(f"cannot read {path} as an image; give a PNG or JPEG file") from None
    array = np.asarray(image)
    del image
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0)


def write_upscaled(bands: Iterator[torch.Tensor], path: Path, width: int, height: int) -> None:
    """Write uint8 bands (1 x 3 x h x W) as one image: streamed for PNG, whole for other formats."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        with PNGStream(path, width, height) as png:
            for band in bands:
                png.write(band[0].permute(1, 2, 0).contiguous().numpy())
        return
    pixels = np.concatenate([band[0].permute(1, 2, 0).numpy() for band in bands])
    try:
        Image.fromarray(pixels).save(path)
    except (ValueError, KeyError):
        raise UserError(f"cannot write {path.name}: unknown image extension; use .png or .jpg") from None
