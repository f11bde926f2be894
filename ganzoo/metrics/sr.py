"""Super-resolution metrics: PSNR and SSIM on the luminance (Y) channel with the border cropped.

This is the protocol of the SRGAN paper and of BasicSR: RGB in [0, 1] -> ITU-R BT.601 Y in [16, 235]
(MATLAB's ``rgb2ycbcr``, on a 0..255 scale), ``border`` pixels (the scale factor) cut from every side,
then scikit-image's PSNR and its Gaussian-window SSIM (sigma 1.5, population covariance, as in Wang et
al. 2004), with data range 255.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

# BT.601 luma on a 0..255 scale from RGB in [0, 1] (MATLAB rgb2ycbcr, BasicSR's rgb2ycbcr(y_only=True)).
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966])
_Y_OFFSET = 16.0
DATA_RANGE = 255.0


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
    return y[border:y.shape[0] - border, border:y.shape[1] - border] if border else y


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
    return float(structural_similarity(b, a, data_range=DATA_RANGE, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))
