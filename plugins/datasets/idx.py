"""MNIST's file format (IDX: a big-endian header, then raw unsigned bytes) read straight into one uint8 tensor.

Reading the files here rather than through ``torchvision.datasets.MNIST`` keeps torchvision's import (about
15 MiB beyond the ``torch._dynamo`` that torch's optimizers already load) out of every MNIST run that finds its
files; torchvision still downloads them when they are missing.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
import torch

UNSIGNED_BYTE = 0x08  # the IDX type code of MNIST's images and labels
SPLIT_PREFIX = {"train": "train", "test": "t10k"}


def split_files(folder: Path, split: str) -> tuple[Path, Path]:
    """The images and labels files of ``split`` (train or test) in an MNIST-layout ``raw`` folder."""
    prefix = SPLIT_PREFIX[split]
    return folder / f"{prefix}-images-idx3-ubyte", folder / f"{prefix}-labels-idx1-ubyte"


def read_idx(path: Path, ndim: int) -> torch.Tensor:
    """The ``ndim``-dimensional uint8 array stored in IDX file ``path``; ValueError if it is anything else or its
    size disagrees with its header (a truncated or padded file)."""
    with path.open("rb") as handle:
        head = handle.read(4 + 4 * ndim)
        if len(head) < 4 + 4 * ndim or head[:2] != b"\0\0" or head[2] != UNSIGNED_BYTE or head[3] != ndim:
            raise ValueError(f"{path.name} is not an IDX file of {ndim}-dimensional unsigned bytes")
        shape = struct.unpack(f">{ndim}I", head[4:])
        count, size = math.prod(shape), path.stat().st_size - len(head)
        if size != count:
            raise ValueError(f"{path.name} holds {size} bytes of data where its header promises {count}")
        return torch.from_numpy(np.fromfile(handle, dtype=np.uint8, count=count)).reshape(shape)


def read_split(folder: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N x H x W uint8) and labels (N, int64) of ``split`` from an MNIST-layout ``raw`` folder."""
    images_file, labels_file = split_files(folder, split)
    images, labels = read_idx(images_file, 3), read_idx(labels_file, 1)
    if len(images) != len(labels):
        raise ValueError(f"{images_file.name} holds {len(images)} images but {labels_file.name} {len(labels)} labels")
    return images, labels.long()
