"""DiffAugment: each op's defining property, gradients, seeding, dtypes and policy parsing."""

from __future__ import annotations

import itertools

import pytest
import torch

from ganzoo import UserError
from ganzoo.nn.augment import (
    DiffAugment,
    diff_augment,
    random_brightness,
    random_contrast,
    random_cutout,
    random_saturation,
    random_translation,
)

ALL = "color,translation,cutout"


def _images(n: int = 8, c: int = 3, h: int = 16, w: int = 16, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def _seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("channels", [1, 3])
def test_gradients_flow_to_the_input_and_are_finite(channels: int) -> None:
    x = _images(c=channels, h=12, w=20).requires_grad_(True)
    diff_augment(x, ALL, _seeded(0)).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_translation_gradient_is_the_shift_pattern() -> None:
    # Every input pixel lands on at most one output pixel: the gradient of the sum is 1 where a pixel
    # survives the shift and 0 where it leaves the frame, and as many pixels survive as are not padding.
    x = _images(n=16).requires_grad_(True)
    out = random_translation(x, _seeded(1))
    out.sum().backward()
    assert set(x.grad.unique().tolist()) <= {0.0, 1.0}
    survived = x.grad.sum(dim=(1, 2, 3))
    padding = (out == 0).sum(dim=(1, 2, 3))  # x is nonzero almost surely: zeros in out are padding
    assert torch.equal(survived, (x[0].numel() - padding).float())


def test_cutout_gradient_is_the_mask() -> None:
    x = _images().requires_grad_(True)
    out = random_cutout(x, _seeded(2))
    out.sum().backward()
    assert torch.equal(x.grad, (out != 0).float())


def test_fixed_seed_gives_identical_output_and_other_seeds_differ() -> None:
    x = _images()
    first, again = diff_augment(x, ALL, _seeded(5)), diff_augment(x, ALL, _seeded(5))
    assert torch.equal(first, again)
    assert not torch.equal(first, diff_augment(x, ALL, _seeded(6)))
    module = DiffAugment(ALL)
    assert torch.equal(module(x, _seeded(5)), first)


def test_translation_moves_whole_pixels_and_pads_with_zeros() -> None:
    x = _images(n=32, h=16, w=24)
    out = random_translation(x, _seeded(3))
    found = set()
    for i in range(len(x)):  # find each image's shift: the one that reproduces it exactly
        matches = [
            (dy, dx)
            for dy, dx in itertools.product(range(-2, 3), range(-3, 4))
            if torch.equal(out[i], _shifted(x[i], dy, dx))
        ]
        assert len(matches) == 1, f"image {i} is not a shift of at most 1/8 of each side"
        found.add(matches[0])
    assert len(found) > 10  # shifts differ across the batch


def _shifted(image: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """out[i, j] = image[i + dy, j + dx], zero outside: the translation written out by hand."""
    _, h, w = image.shape
    out = torch.zeros_like(image)
    out[:, max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)] = image[
        :, max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)
    ]
    return out


def test_translation_keeps_the_values_that_stay_in_frame() -> None:
    x = _images(n=4, h=8, w=8)
    out = random_translation(x, _seeded(4))
    for i in range(len(x)):
        kept = out[i][out[i] != 0]
        assert torch.isin(kept, x[i]).all()  # no value is invented or interpolated


def test_cutout_zeroes_one_clipped_half_size_rectangle() -> None:
    x = torch.ones(400, 1, 8, 10)
    zero = random_cutout(x, _seeded(7))[:, 0] == 0
    for mask in zero:
        rows, cols = mask.any(dim=1).nonzero().flatten(), mask.any(dim=0).nonzero().flatten()
        assert mask.sum() == len(rows) * len(cols)  # a solid rectangle
        assert len(rows) <= 4 and len(cols) <= 5
        inside = rows.min() > 0 and rows.max() < 7 and cols.min() > 0 and cols.max() < 9
        assert not inside or (len(rows), len(cols)) == (4, 5)  # unclipped: exactly half of each side


def test_cutout_zeroes_the_expected_fraction_of_pixels() -> None:
    # Centres are uniform over 0..8 (rows, size 4) and 0..9 (cols, size 5); the window is clipped to the image.
    def mean_covered(side: int, size: int) -> float:
        centres = range(side + 1 - size % 2)
        return sum(min(side, c - size // 2 + size) - max(0, c - size // 2) for c in centres) / len(centres)

    expected = mean_covered(8, 4) * mean_covered(10, 5) / 80
    zero = random_cutout(torch.ones(20000, 1, 8, 10), _seeded(8)) == 0
    assert zero.float().mean().item() == pytest.approx(expected, abs=0.005)


def test_color_ops_keep_their_invariants_and_a_sensible_range() -> None:
    x = _images(n=64)
    shift = random_brightness(x, _seeded(0)) - x  # one offset per image, within +-0.5
    assert torch.allclose(shift, shift[:, :1, :1, :1].expand_as(shift), atol=1e-6)
    assert shift.abs().max() <= 0.5 and shift[:, 0, 0, 0].std() > 0.1
    saturated = random_saturation(x, _seeded(0))  # the grey level of every pixel is kept
    assert torch.allclose(saturated.mean(dim=1), x.mean(dim=1), atol=1e-6)
    contrasted = random_contrast(x, _seeded(0))  # the mean of every image is kept
    assert torch.allclose(contrasted.mean(dim=(1, 2, 3)), x.mean(dim=(1, 2, 3)), atol=1e-6)
    grey = _images(n=4, c=1)
    assert torch.equal(random_saturation(grey, _seeded(0)), grey)  # nothing to saturate
    out = diff_augment(x, "color", _seeded(0))
    assert torch.isfinite(out).all() and out.abs().max() < 6  # |x| <= 1: at most 1.5 * 2 * 1.5 around the mean


def test_bf16_input_is_augmented_in_bf16_under_autocast() -> None:
    x = _images(c=1, h=9, w=13).to(torch.bfloat16).requires_grad_(True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = diff_augment(x, ALL, _seeded(0))
    assert out.dtype == torch.bfloat16 and out.shape == x.shape
    out.float().sum().backward()
    assert x.grad.dtype == torch.bfloat16 and torch.isfinite(x.grad.float()).all()
    reference = diff_augment(x.detach().float(), ALL, _seeded(0))  # same draws whatever the dtype
    assert torch.allclose(out.float(), reference, atol=0.1)


def test_policies_parse_from_a_string_or_a_list() -> None:
    x = _images()
    assert torch.equal(
        diff_augment(x, ["translation", "cutout"], _seeded(1)), diff_augment(x, " translation, cutout ", _seeded(1))
    )
    assert torch.equal(diff_augment(x, "", _seeded(1)), x)
    assert "policy='color,cutout'" in repr(DiffAugment("color,cutout"))


def test_unknown_policy_lists_the_valid_ones() -> None:
    with pytest.raises(UserError, match="unknown augmentation policy 'colour'.*color, translation, cutout"):
        diff_augment(_images(), "colour,translation")
    with pytest.raises(UserError, match="'flip'"):
        DiffAugment(["flip"])
