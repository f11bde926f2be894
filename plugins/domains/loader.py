"""Load two unpaired image domains: ``data.path`` in the CycleGAN repository's layout (``trainA/``,
``trainB/``, ``testA/``, ``testB/``, read by the ``folder`` dataset), else the datasets ``data.a`` and
``data.b`` by name (e.g. ``digits`` -> ``mnist``).

Named datasets are split here, the same way for all of them (not every dataset has a test split): a fixed
random ``data.test_fraction`` of each is ``split: test``, the rest ``split: train``. Both domains come out
at ``data.channels`` x ``data.image_size``^2; ``data.a_margin``/``b_margin`` shrink a domain's images inside
a dark frame of that many pixels (MNIST puts each digit in a 20x20 box inside 28x28: margin 4).
The shorter domain is cycled to the longer one's length, so the trainer draws index batches as for any
in-memory set; the first ``extras["a_size"]`` rows of ``a`` (``b_size`` of ``b``) are each image once, and
``a_label``/``b_label`` hold source labels where there are.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torchvision.transforms.v2 import functional as TF

from ganzoo import IMAGE_DOMAINS, DataInfo, LoadedData, UserError, load_dataset

SPLITS = ("train", "test")
SPLIT_SEED = 0


def load_named(name: str, **overrides: Any) -> LoadedData:
    """Dataset ``name`` with data overrides, through the public ``ganzoo.load_dataset``."""
    return load_dataset(name, **overrides)


def _held_out(count: int, split: str, fraction: float) -> torch.Tensor:
    """Indices of ``split``: a fixed random ``fraction`` of ``count`` is test, the rest train."""
    order = torch.randperm(count, generator=torch.Generator().manual_seed(SPLIT_SEED))
    cut = count - int(round(count * fraction))
    return order[:cut] if split == "train" else order[cut:]


def _domain(cfg: Mapping[str, Any], side: str) -> tuple[torch.Tensor, torch.Tensor | None, str]:
    """(images, labels or None, description) of domain ``side`` (``a`` or ``b``)."""
    size, split = int(cfg["image_size"]), str(cfg["split"])
    if cfg["path"]:
        folder = Path(str(cfg["path"])).expanduser() / f"{split}{side.upper()}"
        if not folder.is_dir():
            raise UserError(
                f"data.path needs the CycleGAN layout: {folder} is missing (trainA/, trainB/, testA/, testB/)"
            )
        data = load_named(
            "folder",
            path=str(folder),
            image_size=size,
            channels=int(cfg["channels"]),
            labels="none",
            max_in_memory=10**9,
        )
        images, labels, what = data.tensors["image"], None, str(folder)
    else:
        name = str(cfg[side])
        data = load_named(name, image_size=size)
        if data.tensors is None or "image" not in data.tensors:
            raise UserError(f"data.{side}: dataset '{name}' is not an in-memory image dataset")
        keep = _held_out(len(data), split, float(cfg["test_fraction"]))
        images, labels = data.rows("image", keep), data.tensors.get("label")
        labels, what = (labels[keep] if labels is not None else None), f"{name} {split}"
    if cfg["limit"]:
        images, labels = images[: cfg["limit"]], labels[: cfg["limit"]] if labels is not None else None
    fitted = _fit(images, int(cfg["channels"]), size, int(cfg[f"{side}_margin"]))
    return fitted, labels, f"{what} ({len(images)} images)"


def _fit(images: torch.Tensor, channels: int, size: int, margin: int = 0) -> torch.Tensor:
    """Images at ``channels`` (grey <-> colour) and ``size`` x ``size``, in [-1, 1]: resized to
    ``size - 2 * margin`` and framed by ``margin`` pixels of -1 (black)."""
    if images.shape[1] != channels:
        images = images.mean(1, keepdim=True) if channels == 1 else images.expand(-1, channels, -1, -1)
    inner = size - 2 * margin
    if images.shape[-1] != inner or images.shape[-2] != inner:
        images = TF.resize(images, [inner, inner], antialias=True).clamp(-1, 1)
    if margin:
        images = torch.nn.functional.pad(images, [margin] * 4, value=-1.0)
    return images.contiguous()


def load_domains(cfg: Mapping[str, Any]) -> LoadedData:
    """Both domains as in-memory tensors ``a`` and ``b`` of equal length (the shorter cycled)."""
    if cfg["split"] not in SPLITS:
        raise UserError(f"data.split for domains must be train or test, got {cfg['split']!r}")
    if cfg["channels"] not in (1, 3):
        raise UserError(f"data.channels must be 1 or 3, got {cfg['channels']!r}")
    if not 0 < float(cfg["test_fraction"]) < 1:
        raise UserError(f"data.test_fraction must be between 0 and 1, got {cfg['test_fraction']!r}")
    for side in ("a", "b"):
        margin = cfg[f"{side}_margin"]
        if isinstance(margin, bool) or not isinstance(margin, int) or not 0 <= 2 * margin < int(cfg["image_size"]):
            raise UserError(
                f"data.{side}_margin must be a whole number of pixels with 2 x margin below data.image_size "
                f"({cfg['image_size']}), got {margin!r}"
            )
    (a, a_labels, a_what), (b, b_labels, b_what) = _domain(cfg, "a"), _domain(cfg, "b")
    if not len(a) or not len(b):
        raise UserError(f"domain {'a' if not len(a) else 'b'} has no images")
    length = max(len(a), len(b))
    index_a, index_b = torch.arange(length) % len(a), torch.arange(length) % len(b)
    tensors = {"a": a[index_a], "b": b[index_b]}
    if a_labels is not None:
        tensors["a_label"] = a_labels[index_a].long()
    if b_labels is not None:
        tensors["b_label"] = b_labels[index_b].long()
    info = DataInfo(
        "domains",
        IMAGE_DOMAINS,
        tuple(a.shape[1:]),
        extras={
            "a": a_what,
            "b": b_what,
            "a_size": len(a),
            "b_size": len(b),
            **{f"{side}_dataset": "" if cfg["path"] else str(cfg[side]) for side in ("a", "b")},
        },
    )
    return LoadedData(info, tensors=tensors, description=f"A: {a_what}; B: {b_what}")
