"""Image dataset factories. Every set is small enough to hold in memory: as uint8 pixels at its own size (the
trainer decodes each batch to [-1, 1]), as one float tensor in [-1, 1] when resized."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganzoo import IMAGE, DataInfo, LoadedData, UserError, data_root, decode_pixels
from ganzoo_plugins.datasets import cifar, idx

CHUNK = 4096  # images converted at a time, so the float copy at the source size never exists for all of them


def to_model_range(images: np.ndarray | torch.Tensor, max_value: float, size: int) -> torch.Tensor:
    """uint8-like N x H x W (x C) images -> float N x C x size x size in [-1, 1] (the same values as
    ``x / max_value * 2 - 1``, resized with antialiasing). Converted ``CHUNK`` images at a time into the
    preallocated result, so the only full-size float tensor is the result itself."""
    x = torch.as_tensor(images)
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    size = size or x.shape[-1]
    out = torch.empty(len(x), x.shape[1], size, size, dtype=torch.float32)
    for start in range(0, len(x), CHUNK):
        part = decode_pixels(x[start : start + CHUNK], max_value)  # a copy: the caller's array stays as it is
        if size != part.shape[-1]:
            from torchvision.transforms.v2 import functional as TF  # only here: torchvision is slow to import

            part = TF.resize(part, [size, size], antialias=True).clamp_(-1, 1)
        out[start : start + CHUNK] = part
    return out


def stored_images(images: np.ndarray | torch.Tensor, max_value: float, size: int) -> tuple[torch.Tensor, float | None]:
    """Images as an in-memory set keeps them, with the pixel maximum to decode them by: at their own size,
    the integer pixels themselves (uint8, N x C x H x W; decoded per batch, a quarter of the memory);
    resized, float in [-1, 1] from ``to_model_range`` (and None)."""
    x = torch.as_tensor(images)
    resized = bool(size) and size != x.shape[1]
    integral = not x.is_floating_point() or torch.equal(x, x.round())
    if resized or not integral or x.min() < 0 or x.max() > 255:
        return to_model_range(images, max_value, size), None
    pixels = x.to(torch.uint8).unsqueeze(1) if x.ndim == 3 else x.to(torch.uint8).permute(0, 3, 1, 2)
    return pixels.contiguous(), max_value


def _limited(images: torch.Tensor, labels: torch.Tensor, limit: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed random subset of ``limit`` samples (files may be ordered by class), or everything."""
    if not limit or limit >= len(images):
        return images, labels
    keep = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:limit]
    return images[keep], labels[keep]


def _loaded(
    name: str, images: torch.Tensor, labels: torch.Tensor, description: str, pixel_max: float | None
) -> LoadedData:
    info = DataInfo(name, IMAGE, tuple(images.shape[1:]), num_classes=10)
    pixels = {"image": pixel_max} if pixel_max is not None else {}
    return LoadedData(info, tensors={"image": images, "label": labels.long()}, description=description, pixels=pixels)


def load_digits(cfg: Mapping[str, Any]) -> LoadedData:
    """scikit-learn's 1,797 bundled 8x8 digits (values 0..16), resized; needs no files or network."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    images, pixel_max = stored_images(bunch.images.astype(np.float32), 16.0, int(cfg["image_size"]))
    images, labels = _limited(images, torch.as_tensor(bunch.target), int(cfg["limit"]))
    return _loaded("digits", images, labels, f"scikit-learn digits, {len(images)} images", pixel_max)


def _corrupt(name: str, folder: Path, exc: BaseException) -> UserError:
    """One line for dataset files that exist but cannot be read."""
    detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
    return UserError(
        f"{name} files in {folder} are corrupt or truncated ({type(exc).__name__}"
        f"{': ' + detail if detail else ''}); replace them with the official files"
    )


def load_mnist(cfg: Mapping[str, Any]) -> LoadedData:
    """MNIST from ``ROOT/MNIST/raw`` (downloaded there by torchvision when allowed and missing)."""
    return _mnist_like("MNIST", "mnist", cfg)


def load_fashion_mnist(cfg: Mapping[str, Any]) -> LoadedData:
    """Fashion-MNIST from ``ROOT/FashionMNIST/raw`` (downloaded there by torchvision when allowed and missing)."""
    return _mnist_like("FashionMNIST", "fashion-mnist", cfg)


def _mnist_like(folder: str, name: str, cfg: Mapping[str, Any]) -> LoadedData:
    """A set in MNIST's layout and file format; ``folder`` is also the name of its torchvision class."""
    root = data_root(cfg.get("root"))
    split = cfg["split"]
    if split not in ("train", "test"):
        raise UserError(f"data.split for {name} must be train or test, got {split!r}")
    raw = root / folder / "raw"
    if not _present(raw, split) and cfg["download"]:
        _download(folder, root, split)
    if not _present(raw, split):
        raise UserError(
            f"{name} not found in {raw} and it could not be downloaded; put the official "
            f"files there, or point --set data.root=DIR (or $GANZOO_DATA) at a folder holding {folder}/raw/"
        )
    try:
        images, labels = idx.read_split(raw, split)
    except (OSError, ValueError) as exc:
        raise _corrupt(name, raw, exc) from None
    images, labels = _limited(images, labels, int(cfg["limit"]))
    images, pixel_max = stored_images(images, 255.0, int(cfg["image_size"]))
    return _loaded(name, images, labels, f"{folder} {split} split, {len(images)} images", pixel_max)


def _present(raw: Path, split: str) -> bool:
    return all(path.is_file() for path in idx.split_files(raw, split))


def _download(folder: str, root: Path, split: str) -> None:
    """Fetch the official files into ``root/folder/raw`` with torchvision; a failure is reported by the caller,
    which finds the files still missing."""
    from torchvision import datasets

    try:
        getattr(datasets, folder)(str(root), train=split == "train", download=True)
    except Exception:  # network errors take many forms (URLError, HTTPError, OSError, RuntimeError)
        pass


def load_cifar10(cfg: Mapping[str, Any]) -> LoadedData:
    """CIFAR-10 from ROOT/cifar-10-batches-py, read safely; ``split: auto`` takes train when present, else test."""
    root = data_root(cfg.get("root"))
    folder = root / cifar.FOLDER
    split, note = cfg["split"], ""
    if split == "auto":
        split = "test" if cifar.present_files(folder, False) and not cifar.present_files(folder, True) else "train"
        note = " (the training split is not in this folder)" if split == "test" else ""
    if split not in ("train", "test"):
        raise UserError(f"data.split for cifar10 must be train, test or auto, got {split!r}")
    if not cifar.present_files(folder, split == "train") and cfg["download"]:
        try:
            cifar.download(root)
        except Exception:  # network errors take many forms (URLError, HTTPError, OSError, RuntimeError)
            pass
    if not cifar.present_files(folder, split == "train"):
        raise UserError(
            f"cifar10 not found in {folder} and it could not be downloaded; put the official "
            f"files there, or point --set data.root=DIR (or $GANZOO_DATA) at a folder holding "
            f"{cifar.FOLDER}/"
        )
    array, targets, _ = cifar.read_split(folder, split == "train")
    images, labels = _limited(torch.as_tensor(array), torch.as_tensor(targets), int(cfg["limit"]))
    images, pixel_max = stored_images(images, 255.0, int(cfg["image_size"]))
    return _loaded("cifar10", images, labels, f"CIFAR-10 {split} split{note}, {len(images)} images", pixel_max)
