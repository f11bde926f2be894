"""Image sets at their own size are held as uint8 pixels and decoded per batch: a quarter of the memory, the
same floats, the same training batches bit for bit; reading ``tensors`` still gives floats in [-1, 1]."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ganzoo import IMAGE, DataInfo, LoadedData, decode_pixels
from ganzoo.registry import get_registry
from ganzoo.trainer.batches import make_batches
from ganzoo_plugins.datasets.images import to_model_range


def _load(name: str, **overrides: object) -> LoadedData:
    spec = get_registry().dataset(name)
    return spec.build({"name": name, "root": None, **spec.defaults, **overrides})


def _pair(pixels: torch.Tensor) -> tuple[LoadedData, LoadedData]:
    """The same images held as pixels and as floats."""
    info = DataInfo("x", IMAGE, tuple(pixels.shape[1:]))
    labels = torch.arange(len(pixels))
    as_pixels = LoadedData(info, tensors={"image": pixels, "label": labels}, pixels={"image": 255.0})
    floats = to_model_range(pixels.permute(0, 2, 3, 1).numpy(), 255.0, pixels.shape[-1])
    return as_pixels, LoadedData(info, tensors={"image": floats, "label": labels})


def test_mnist_at_its_own_size_is_held_as_uint8_and_reads_as_the_float_images(data_dir: Path) -> None:
    data = _load("mnist", split="test", image_size=28)
    assert data.pixels == {"image": 255.0}
    assert data.stored is not None and data.stored["image"].dtype == torch.uint8
    assert data.stored["image"].shape == (10000, 1, 28, 28)
    raw = torch.as_tensor(data.stored["image"][:, 0].numpy())
    assert torch.equal(data.tensors["image"], to_model_range(raw, 255.0, 28))
    rows = torch.tensor([5, 0, 9999])
    assert torch.equal(data.rows("image", rows), data.tensors["image"][rows])


def test_a_resized_set_is_held_as_floats(data_dir: Path) -> None:
    data = _load("mnist", split="test", image_size=32, limit=100)
    assert data.pixels == {} and data.stored is not None and data.stored["image"].dtype == torch.float32


def test_scikit_digits_at_8_pixels_keep_their_0_to_16_values() -> None:
    data = _load("digits", image_size=8)
    assert data.pixels == {"image": 16.0} and data.stored["image"].max() == 16
    assert data.tensors["image"].min() == -1 and data.tensors["image"].max() == 1


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("channels_last", [False, True])
def test_batches_of_pixels_equal_batches_of_floats_bit_for_bit(channels: int, channels_last: bool) -> None:
    pixels = torch.randint(0, 256, (40, channels, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    as_pixels, floats = _pair(pixels)
    cpu = torch.device("cpu")
    a = make_batches(as_pixels, 16, cpu, seed=3, channels_last=channels_last)
    b = make_batches(floats, 16, cpu, seed=3, channels_last=channels_last)
    for _ in range(6):  # past an epoch boundary
        got, expected = a(), b()
        assert got["image"].dtype == torch.float32 and torch.equal(got["image"], expected["image"])
        assert torch.equal(got["label"], expected["label"])
        if channels_last:
            assert got["image"].is_contiguous(memory_format=torch.channels_last)


def test_decode_pixels_leaves_its_input_alone() -> None:
    values = torch.tensor([0.0, 8.0, 16.0])
    assert decode_pixels(values, 16.0).tolist() == [-1.0, 0.0, 1.0] and values.tolist() == [0.0, 8.0, 16.0]


def test_pixels_must_name_integer_in_memory_tensors() -> None:
    info = DataInfo("x", IMAGE, (1, 2, 2))
    with pytest.raises(ValueError, match="integer pixel values"):
        LoadedData(info, tensors={"image": torch.zeros(3, 1, 2, 2)}, pixels={"image": 255.0})
    with pytest.raises(ValueError, match="not in-memory tensors"):
        LoadedData(info, tensors={"image": torch.zeros(3, 1, 2, 2, dtype=torch.uint8)}, pixels={"photo": 255.0})
