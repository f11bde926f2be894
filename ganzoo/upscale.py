"""``ganzoo upscale``: super-resolve a user's image with a trained image-to-image run (e.g. SRGAN).

Large images are cut into overlapping tiles so memory stays bounded whatever the image size: each tile is
upscaled with ``overlap`` LR pixels of context on every side, and only its centre is kept when stitching.
Any IMAGE_PAIRS model works whose ``sample(n, lr=LR)`` returns ``image``: the LR batch upscaled.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from rich.console import Console

from ganzoo.errors import UserError
from ganzoo.specs import IMAGE_PAIRS


def upscale_tiled(upscale: Callable[[torch.Tensor], torch.Tensor], lr: torch.Tensor, scale: int,
                  tile: int = 128, overlap: int = 16) -> torch.Tensor:
    """Upscale ``lr`` (N x C x H x W) by ``scale`` tile by tile; the result is N x C x H*scale x W*scale."""
    if tile < 1 or overlap < 0:
        raise UserError(f"--tile must be >= 1 and --overlap >= 0, got {tile} and {overlap}")
    n, channels, height, width = lr.shape
    result: torch.Tensor | None = None
    for top in range(0, height, tile):
        for left in range(0, width, tile):
            bottom, right = min(top + tile, height), min(left + tile, width)
            top0, left0 = max(top - overlap, 0), max(left - overlap, 0)
            patch = upscale(lr[..., top0:min(bottom + overlap, height), left0:min(right + overlap, width)])
            if result is None:
                result = patch.new_zeros(n, patch.shape[1], height * scale, width * scale)
            result[..., top * scale:bottom * scale, left * scale:right * scale] = patch[
                ..., (top - top0) * scale:(bottom - top0) * scale, (left - left0) * scale:(right - left0) * scale]
    assert result is not None
    return result


def read_rgb(path: Path) -> torch.Tensor:
    """An image file as a 1 x 3 x H x W tensor in [-1, 1] (grey and RGBA images become RGB)."""
    try:
        with Image.open(path) as handle:
            image = handle.convert("RGB")
    except FileNotFoundError:
        raise UserError(f"image {path} does not exist") from None
    except (UnidentifiedImageError, OSError):
        raise UserError(f"cannot read {path} as an image; give a PNG or JPEG file") from None
    return (torch.from_numpy(np.array(image)).permute(2, 0, 1).float() / 127.5 - 1).unsqueeze(0)


def write_rgb(image: torch.Tensor, path: Path) -> None:
    """Write a 3 x H x W tensor in [-1, 1] as an 8-bit image (format from the file extension)."""
    pixels = ((image.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        Image.fromarray(pixels.permute(1, 2, 0).numpy()).save(path)
    except (ValueError, KeyError):
        raise UserError(f"cannot write {path.name}: unknown image extension; use .png or .jpg") from None


def cmd_upscale(args: argparse.Namespace) -> None:
    """Upscale ``args.image`` with the last checkpoint of ``args.run_dir`` and write ``args.out``."""
    from ganzoo.runner import load_run
    from ganzoo.trainer.precision import resolve_device

    _, module, _ = load_run(args.run_dir)
    if module.info.kind != IMAGE_PAIRS:
        raise UserError(f"run {args.run_dir} trained '{module.config['model']['name']}' on {module.info.kind} data; "
                        f"upscale needs a super-resolution run (e.g. srgan)")
    device = resolve_device(args.device)
    module.to(device)
    scale = int(module.info.extras.get("scale", 4))
    lr = read_rgb(Path(args.image)).to(device)
    with torch.no_grad():
        sr = upscale_tiled(lambda tile: module.sample(len(tile), lr=tile)["image"], lr, scale, args.tile, args.overlap)
    write_rgb(sr[0], Path(args.out))
    Console().print(f"wrote {sr.shape[-1]}x{sr.shape[-2]} ({scale}x) to {args.out}")
