"""Dataset plugins: the offline default, torchvision's sets from local files, clear errors when absent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from mnist_files import write_idx

from ganzoo import UserError
from ganzoo.registry import get_registry


def _load(name: str, **overrides: object):
    spec = get_registry().dataset(name)
    return spec.build({"name": name, "root": None, **spec.defaults, **overrides})


def test_digits_is_offline_scaled_and_resized() -> None:
    data = _load("digits")
    images, labels = data.tensors["image"], data.tensors["label"]
    assert images.shape == (1797, 1, 32, 32) and labels.shape == (1797,)
    assert images.min() >= -1 and images.max() <= 1 and images.min() < -0.99 and images.max() > 0.9
    assert sorted(labels.unique().tolist()) == list(range(10))


def test_mnist_loads_the_real_files(data_dir: Path) -> None:
    data = _load("mnist")
    assert data.tensors["image"].shape == (60000, 1, 28, 28)
    counts = torch.bincount(data.tensors["label"]).tolist()
    assert counts[:3] == [5923, 6742, 5958]
    test = _load("mnist", split="test", limit=100)
    assert test.tensors["image"].shape == (100, 1, 28, 28)


def test_cifar10_reads_the_test_split_that_is_present_and_says_so(data_dir: Path) -> None:
    data = _load("cifar10")
    assert data.tensors["image"].shape == (10000, 3, 32, 32)
    assert "test split" in data.description and "training split is not" in data.description
    means = (data.tensors["image"].mean(dim=(0, 2, 3)) + 1) * 127.5
    assert torch.allclose(means, torch.tensor([126.02, 123.71, 114.85]), atol=0.05)
    with pytest.raises(UserError, match="cifar10 not found"):
        _load("cifar10", split="train", download=False)


def test_fashion_mnist_reads_official_idx_files(tmp_path: Path) -> None:
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (50, 28, 28)), rng.integers(0, 10, 50)
    for split, n in (("train", 50), ("t10k", 50)):
        write_idx(raw / f"{split}-images-idx3-ubyte", images[:n])
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels[:n])
    data = _load("fashion-mnist", root=str(tmp_path))
    assert data.tensors["image"].shape == (50, 1, 28, 28)
    expected = torch.as_tensor(images, dtype=torch.float32) / 255 * 2 - 1
    assert torch.allclose(data.tensors["image"][:, 0], expected)
    assert data.tensors["label"].tolist() == labels.tolist()


def test_mnist_pixels_match_torchvisions_reader(data_dir: Path) -> None:
    """ganzoo reads MNIST's IDX files itself (no torchvision import); the pixels and labels are torchvision's."""
    from torchvision.datasets import MNIST

    reference = MNIST(str(data_dir), train=False, download=False)
    data = _load("mnist", split="test", root=str(data_dir))
    assert torch.equal(data.stored["image"][:, 0], reference.data)
    assert torch.equal(data.tensors["label"], reference.targets)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [("cut", "header promises"), ("padded", "header promises"), ("labels", "labels"), ("type", "not an IDX file")],
)
def test_damaged_idx_files_are_named_as_corrupt(tmp_path: Path, damage: str, problem: str) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    write_idx(raw / "t10k-images-idx3-ubyte", rng.integers(0, 256, (20, 28, 28)))
    write_idx(raw / "t10k-labels-idx1-ubyte", rng.integers(0, 10, 19 if damage == "labels" else 20))
    images = raw / "t10k-images-idx3-ubyte"
    data = images.read_bytes()
    damaged = {"cut": data[:-5], "padded": data + b"\0", "type": data[:2] + b"\x0d" + data[3:]}
    if damage in damaged:
        images.write_bytes(damaged[damage])
    with pytest.raises(UserError, match=f"mnist files in {raw} are corrupt.*{problem}"):
        _load("mnist", split="test", root=str(tmp_path), download=False)


def test_missing_files_without_download_say_where_to_put_them(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=f"mnist not found in {tmp_path}/MNIST/raw.*data.root"):
        _load("mnist", root=str(tmp_path), download=False)


def test_image_size_resizes() -> None:
    assert _load("digits", image_size=64).tensors["image"].shape[-1] == 64


class _RunsCommand:
    """Unpickling this calls ``os.system``: what a hostile CIFAR-10 batch would carry."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):  # type: ignore[no-untyped-def]
        import os

        return (os.system, (self.command,))


def test_a_cifar10_batch_that_would_run_a_command_is_refused(tmp_path: Path, cli, data_dir: Path) -> None:
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    (folder / "batches.meta").write_bytes((data_dir / "cifar-10-batches-py" / "batches.meta").read_bytes())
    marker = tmp_path / "marker"
    payload = {"data": _RunsCommand(f"touch {marker}"), "labels": [0]}
    (folder / "test_batch").write_bytes(pickle.dumps(payload, protocol=2))
    code, _, err = cli(
        "run",
        "dcgan",
        "--dataset",
        "cifar10",
        "--set",
        f"data.root={tmp_path}",
        "--set",
        "train.steps=1",
        "--no-progress",
        "--device",
        "cpu",
    )
    assert code == 2 and not marker.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: cifar10 file {folder / 'test_batch'} was refused: "
        "it holds objects that could run code (it asks for posix.system"
    )
    pickle.loads((folder / "test_batch").read_bytes())  # the file really is live: a plain load runs it
    assert marker.exists()


def test_images_convert_in_chunks_to_exactly_the_whole_batch_conversion() -> None:
    from torchvision.transforms.v2 import functional as TF

    from ganzoo_plugins.datasets.images import CHUNK, to_model_range

    pixels = torch.randint(0, 256, (CHUNK + 17, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    before = pixels.clone()
    whole = TF.resize(pixels.unsqueeze(1).float().div(255).mul(2).sub(1), [32, 32], antialias=True).clamp(-1, 1)
    assert torch.equal(to_model_range(pixels, 255.0, 32), whole)
    assert torch.equal(pixels, before)  # the caller's images are not scaled in place
