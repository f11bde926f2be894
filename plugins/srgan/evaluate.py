"""Score a super-resolution model on whole test images (Set5, Set14) beside the bicubic baseline.

The protocol of the paper and BasicSR: SR output quantised to 8 bits, PSNR/SSIM on Y with ``scale``
border pixels cropped; bicubic is PIL's bicubic upscaling of the same LR input.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from PIL import Image
from torchvision.transforms.v2 import functional as TF

from ganzoo.metrics.sr import psnr_y, ssim_y
from ganzoo.upscale import upscale_tiled

from ganzoo_plugins.sr_data.pairs import SRImageFolder


def to_unit(image: torch.Tensor) -> torch.Tensor:
    """[-1, 1] float -> [0, 1] quantised to 8 bits, as a saved image would be."""
    return ((image.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round() / 255


def bicubic_upscale(lr: torch.Tensor, scale: int) -> torch.Tensor:
    """PIL bicubic upscaling of a 3 x h x w LR image in [-1, 1]; returns [0, 1] quantised to 8 bits."""
    pixels = (to_unit(lr) * 255).round().to(torch.uint8)
    image = TF.to_pil_image(pixels)
    return TF.pil_to_tensor(image.resize((image.width * scale, image.height * scale), Image.BICUBIC)).float() / 255


def evaluate_sr(dataset: SRImageFolder, upscale: Callable[[torch.Tensor], torch.Tensor] | None = None,
                tile: int = 128) -> dict[str, object]:
    """Per-image and mean PSNR/SSIM of bicubic and (when given) of ``upscale`` (LR batch -> SR batch)."""
    scale, rows = dataset.scale, []
    for index in range(len(dataset)):
        item = dataset[index]
        hr = to_unit(item["hr"])
        bicubic = bicubic_upscale(item["lr"], scale)
        row = {"image": dataset.name(index), "bicubic_psnr": psnr_y(bicubic, hr, scale),
               "bicubic_ssim": ssim_y(bicubic, hr, scale)}
        if upscale is not None:
            with torch.no_grad():
                sr = to_unit(upscale_tiled(upscale, item["lr"].unsqueeze(0), scale, tile)[0])
            row.update(psnr=psnr_y(sr, hr, scale), ssim=ssim_y(sr, hr, scale))
        rows.append(row)
    keys = [k for k in rows[0] if k != "image"]
    means = {k: sum(r[k] for r in rows) / len(rows) for k in keys}
    return {"mean": means, "images": rows}
