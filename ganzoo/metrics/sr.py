"""Super-resolution metrics: PSNR and SSIM on the luminance (Y) channel with the border cropped.

This is the protocol of the SRGAN paper and of BasicSR: RGB in [0, 1] -> ITU-R BT.601 Y in [16, 235]
(MATLAB's ``rgb2ycbcr``, on a 0..255 scale), ``border`` pixels (the scale factor) cut from every side,
then scikit-image's PSNR and its Gaussian-window SSIM (sigma 1.5, population covariance, as in Wang et
al. 2004), with data range 255. ``evaluate_sr`` scores whole test images (Set5, Set14) that way, the SR
output quantised to 8 bits, beside PIL's bicubic upscaling of the same LR input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol, TypedDict

import numpy as np
import torch
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from torchvision.transforms.v2 import functional as TF

from ganzoo.upscale import upscale_tiled

# BT.601 luma on a 0..255 scale from RGB in [0, 1] (MATLAB rgb2ycbcr, BasicSR's rgb2ycbcr(y_only=True)).
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966])
_Y_OFFSET = 16.0
DATA_RANGE = 255.0


class SRTestSet(Protocol):
    """Whole (LR, HR) test images in [-1, 1]: ``{"lr": ..., "hr": ...}`` items, a scale and image names."""

    scale: int

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]: ...

    def name(self, index: int) -> str: ...


class SRScores(TypedDict):
    """``evaluate_sr``'s result: mean scores by key, and one row per image (its name and its scores)."""

    mean: dict[str, float]
    images: list[dict[str, Any]]


def rgb_to_y(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """Y channel (float64, 0..255 scale) of a 3 x H x W RGB image (or an H x W grey one) in [0, 1]."""
    array = image.detach().double().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image, np.float64)
    if array.ndim == 2:
        array = np.broadcast_to(array, (3, *array.shape))
    if array.ndim != 3 or array.shape[0] != 3:
        raise ValueError(f"expected a 3 x H x W RGB image or an H x W grey image, got shape {array.shape}")
    return np.tensordot(_Y_WEIGHTS, array, axes=1) + _Y_OFFSET


def _cropped_y(image: torch.Tensor | np.ndarray, border: int) -> np.ndarray:
    y = rgb_to_y(image)
    return y[border : y.shape[0] - border, border : y.shape[1] - border] if border else y


def _pair(sr: torch.Tensor | np.ndarray, hr: torch.Tensor | np.ndarray, border: int) -> tuple[np.ndarray, np.ndarray]:
    if tuple(sr.shape) != tuple(hr.shape):
        raise ValueError(f"super-resolved {tuple(sr.shape)} and reference {tuple(hr.shape)} differ in shape")
    return _cropped_y(sr, border), _cropped_y(hr, border)


def psnr_y(sr: torch.Tensor | np.ndarray, hr: torch.Tensor | np.ndarray, border: int = 4) -> float:
    """PSNR (dB) between two RGB images in [0, 1] on Y, ``border`` pixels cropped; inf when equal."""
    a, b = _pair(sr, hr, border)
    if np.array_equal(a, b):
        return math.inf
    return float(peak_signal_noise_ratio(b, a, data_range=DATA_RANGE))


def ssim_y(sr: torch.Tensor | np.ndarray, hr: torch.Tensor | np.ndarray, border: int = 4) -> float:
    """SSIM between two RGB images in [0, 1] on Y, ``border`` pixels cropped (Gaussian window, sigma 1.5)."""
    a, b = _pair(sr, hr, border)
    return float(
        structural_similarity(
            b, a, data_range=DATA_RANGE, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
        )
    )


def to_unit(image: torch.Tensor) -> torch.Tensor:
    """[-1, 1] float -> [0, 1] quantised to 8 bits, as a saved image would be."""
    return ((image.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round() / 255


def bicubic_upscale(lr: torch.Tensor, scale: int) -> torch.Tensor:
    """PIL bicubic upscaling of a 3 x h x w LR image in [-1, 1]; returns [0, 1] quantised to 8 bits."""
    pixels = (to_unit(lr) * 255).round().to(torch.uint8)
    image = TF.to_pil_image(pixels)
    return (
        TF.pil_to_tensor(image.resize((image.width * scale, image.height * scale), Image.Resampling.BICUBIC)).float()
        / 255
    )


def evaluate_sr(
    dataset: SRTestSet, upscale: Callable[[torch.Tensor], torch.Tensor] | None = None, tile: int = 128
) -> SRScores:
    """Per-image and mean PSNR/SSIM of bicubic and (when given) of ``upscale`` (LR batch -> SR batch)."""
    scale, rows = dataset.scale, []
    for index in range(len(dataset)):
        item = dataset[index]
        hr = to_unit(item["hr"])
        bicubic = bicubic_upscale(item["lr"], scale)
        row: dict[str, Any] = {
            "image": dataset.name(index),
            "bicubic_psnr": psnr_y(bicubic, hr, scale),
            "bicubic_ssim": ssim_y(bicubic, hr, scale),
        }
        if upscale is not None:
            with torch.no_grad():
                sr = to_unit(upscale_tiled(upscale, item["lr"].unsqueeze(0), scale, tile)[0])
            row.update(psnr=psnr_y(sr, hr, scale), ssim=ssim_y(sr, hr, scale))
        rows.append(row)
    keys = [k for k in rows[0] if k != "image"]
    means = {k: sum(r[k] for r in rows) / len(rows) for k in keys}
    return {"mean": means, "images": rows}
