"""PSNR/SSIM on Y with the border cropped, checked against cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganzoo.metrics.sr import psnr_y, rgb_to_y, ssim_y


def _image(seed: int = 0, size: int = 40) -> torch.Tensor:
    return torch.rand(3, size, size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 0.8


def test_y_channel_is_bt601_studio_range() -> None:
    assert rgb_to_y(torch.ones(3, 2, 2))[0, 0] == pytest.approx(235.0)
    assert rgb_to_y(torch.zeros(3, 2, 2))[0, 0] == pytest.approx(16.0)
    red = torch.zeros(3, 1, 1)
    red[0] = 1
    assert rgb_to_y(red)[0, 0] == pytest.approx(16 + 65.481)
    assert rgb_to_y(torch.full((5, 5), 0.5)).shape == (5, 5)  # grey images count as R = G = B


def test_identical_images_score_infinite_psnr_and_unit_ssim() -> None:
    image = _image()
    assert psnr_y(image, image.clone()) == math.inf
    assert ssim_y(image, image.clone()) == pytest.approx(1.0)


def test_psnr_of_a_uniform_brightening_matches_the_hand_computed_value() -> None:
    # +0.1 on every RGB channel moves Y by 0.1 * (65.481 + 128.553 + 24.966) = 21.9 on the 0..255 scale, so
    # MSE = 21.9^2 and PSNR = 20 log10(255 / 21.9) = 21.3219 dB.
    hr = _image()
    assert psnr_y(hr + 0.1, hr) == pytest.approx(20 * math.log10(255 / 21.9), abs=1e-9)
    assert psnr_y(hr + 0.1, hr) == pytest.approx(21.3219, abs=1e-4)


def test_ssim_of_two_flat_images_matches_the_hand_computed_value() -> None:
    # Flat images have no variance, so SSIM is the luminance term (2ab + C1) / (a^2 + b^2 + C1), C1 = (0.01*255)^2;
    # grey 0.5 -> Y 125.5 and grey 0.25 -> Y 70.75 give 17764.7525 / 20762.3150 = 0.855625.
    a, b = torch.full((3, 32, 32), 0.5), torch.full((3, 32, 32), 0.25)
    c1 = (0.01 * 255) ** 2
    expected = (2 * 125.5 * 70.75 + c1) / (125.5**2 + 70.75**2 + c1)
    assert ssim_y(a, b) == pytest.approx(expected, abs=1e-9)
    assert ssim_y(a, b) == pytest.approx(0.855625, abs=1e-6)


def test_a_degradation_lowers_both_metrics_and_noise_scales_psnr() -> None:
    hr = _image(1, 64)
    noise = torch.randn(hr.shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    mild, strong = hr + 0.01 * noise, hr + 0.05 * noise
    assert psnr_y(mild, hr) > psnr_y(strong, hr) + 10  # 5x the noise costs 20 log10(5) = 14 dB
    assert 1 > ssim_y(mild, hr) > ssim_y(strong, hr)


def test_the_border_is_cropped_before_scoring() -> None:
    hr = _image(3)
    sr = hr.clone()
    sr[:, :4, :] = 0  # damage only the top 4 rows
    assert psnr_y(sr, hr, border=4) == math.inf
    assert np.isfinite(psnr_y(sr, hr, border=0))
    assert psnr_y(sr, hr, border=3) < 40


def test_shapes_must_match() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        psnr_y(torch.zeros(3, 20, 20), torch.zeros(3, 20, 24))
