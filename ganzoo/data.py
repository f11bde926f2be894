"""What a dataset factory returns: tensors held in memory, or a dataset streamed by a DataLoader."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

DATA_ENV = "GANZOO_DATA"


@dataclass(frozen=True)
class DataInfo:
    """What a model needs to know about its data; plain values only, so it is stored in checkpoints.

    Batch keys by convention: ``image`` (float in [-1, 1], N x C x H x W), ``label`` (long),
    ``tokens`` (long, N x L), ``lr``/``hr`` (image pairs), ``x`` (vectors).
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    num_classes: int = 0
    extras: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-type form for checkpoints (loadable with ``weights_only=True``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "shape": list(self.shape),
            "num_classes": self.num_classes,
            "extras": dict(self.extras),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataInfo:
        """Inverse of ``to_dict``."""
        return cls(data["name"], data["kind"], tuple(data["shape"]), data["num_classes"], dict(data["extras"]))


def decode_pixels(values: torch.Tensor, max_value: float) -> torch.Tensor:
    """Integer pixel values in 0..``max_value`` -> float32 in [-1, 1]: ``x / max_value * 2 - 1``, in that order,
    so a batch decoded on the fly equals the same images decoded all at once, bit for bit."""
    return values.to(torch.float32, copy=True).div_(max_value).mul_(2).sub_(1)


class PixelTensors(Mapping[str, torch.Tensor]):
    """``LoadedData.tensors`` of a set that stores some keys as integer pixels (uint8, a quarter of float32).

    Reading a key returns what every set holds, float images in [-1, 1] (decoded in full, a temporary);
    ``rows`` decodes only the rows asked for, and ``stored`` is what the trainer keeps and decodes per batch.
    """

    def __init__(self, stored: Mapping[str, torch.Tensor], pixels: Mapping[str, float]) -> None:
        self.stored, self.pixels = dict(stored), dict(pixels)

    def rows(self, key: str, index: torch.Tensor | slice | int) -> torch.Tensor:
        """Rows ``index`` of ``key``, pixel keys decoded."""
        values = self.stored[key][index]
        return decode_pixels(values, self.pixels[key]) if key in self.pixels else values

    def __getitem__(self, key: str) -> torch.Tensor:
        return self.rows(key, slice(None))

    def __iter__(self) -> Iterator[str]:
        return iter(self.stored)

    def __len__(self) -> int:
        return len(self.stored)


@dataclass
class LoadedData:
    """A dataset ready for training: exactly one of ``tensors`` (in memory) or ``dataset`` (streamed).

    ``tensors`` maps batch keys to tensors whose first dimension indexes samples; the trainer moves them
    to the training device once and draws batches by index. ``dataset`` yields dicts of tensors.
    ``pixels`` names keys of ``tensors`` given as integer pixel values (uint8) with their maximum: they are
    kept so and decoded to [-1, 1] per batch, and reading ``tensors`` still gives the decoded floats.
    """

    info: DataInfo
    tensors: Mapping[str, torch.Tensor] | None = None
    dataset: Dataset | None = None
    description: str = ""
    pixels: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.tensors is None) == (self.dataset is None):
            raise ValueError("LoadedData needs exactly one of `tensors` or `dataset`")
        if not self.pixels:
            return
        if self.tensors is None or set(self.pixels) - set(self.tensors):
            raise ValueError(f"LoadedData.pixels names keys that are not in-memory tensors: {sorted(self.pixels)}")
        if not isinstance(self.tensors, PixelTensors):
            for key in self.pixels:
                if self.tensors[key].is_floating_point():
                    raise ValueError(f"LoadedData.pixels key {key!r} must hold integer pixel values, not floats")
            self.tensors = PixelTensors(self.tensors, self.pixels)

    @property
    def stored(self) -> Mapping[str, torch.Tensor] | None:
        """The in-memory tensors as held (pixel keys undecoded), or None for a streamed set."""
        return self.tensors.stored if isinstance(self.tensors, PixelTensors) else self.tensors

    def rows(self, key: str, index: torch.Tensor | slice | int = slice(None)) -> torch.Tensor:
        """Rows ``index`` of in-memory key ``key`` as the model sees them (pixel keys decoded to [-1, 1])."""
        if self.tensors is None:
            raise ValueError("rows() needs an in-memory set; this one is streamed")
        if isinstance(self.tensors, PixelTensors):
            return self.tensors.rows(key, index)
        return self.tensors[key][index]

    def __len__(self) -> int:
        if self.stored is not None:
            return len(next(iter(self.stored.values())))
        return len(self.dataset)  # type: ignore[arg-type]


def data_root(configured: str | None) -> Path:
    """Where datasets live: ``data.root`` if set, else ``$GANZOO_DATA``, else ``~/.cache/ganzoo``."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    return Path.home() / ".cache" / "ganzoo"
