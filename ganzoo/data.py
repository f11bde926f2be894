"""What a dataset factory returns: tensors held in memory, or a dataset streamed by a DataLoader."""

from __future__ import annotations

import os
from collections.abc import Mapping
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


@dataclass
class LoadedData:
    """A dataset ready for training: exactly one of ``tensors`` (in memory) or ``dataset`` (streamed).

    ``tensors`` maps batch keys to tensors whose first dimension indexes samples; the trainer moves them
    to the training device once and draws batches by index. ``dataset`` yields dicts of tensors.
    """

    info: DataInfo
    tensors: dict[str, torch.Tensor] | None = None
    dataset: Dataset | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if (self.tensors is None) == (self.dataset is None):
            raise ValueError("LoadedData needs exactly one of `tensors` or `dataset`")

    def __len__(self) -> int:
        if self.tensors is not None:
            return len(next(iter(self.tensors.values())))
        return len(self.dataset)  # type: ignore[arg-type]


def data_root(configured: str | None) -> Path:
    """Where datasets live: ``data.root`` if set, else ``$GANZOO_DATA``, else ``~/.cache/ganzoo``."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    return Path.home() / ".cache" / "ganzoo"
